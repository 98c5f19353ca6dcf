//! C2: webhook verification, parsing and idempotent processing.
