//! User list parser (in progress).
