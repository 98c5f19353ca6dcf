//! HubSpot stand-in.
