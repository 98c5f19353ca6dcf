//! C4: phone number parsing, validation, wa_id quirks and batch normalization.
