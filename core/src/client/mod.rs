//! C1: the typed WhatsApp Business Cloud API client.
