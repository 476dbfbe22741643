//! Shared helpers for the native integration tests in `tests/` (core against the simulator).
