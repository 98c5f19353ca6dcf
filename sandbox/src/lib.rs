//! C3: a local Cloud API simulator (an axum HTTP server) with Meta's limits enforced.
