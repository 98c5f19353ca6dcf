//! swift binding (built only when asked for; see README).
