//! Entra errors.
