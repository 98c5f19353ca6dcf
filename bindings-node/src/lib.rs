//! node binding (built only when asked for; see README).
