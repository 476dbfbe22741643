//! Apply executor (in progress).
