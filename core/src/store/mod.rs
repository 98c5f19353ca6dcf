//! C11: store traits and adapters.
