//! Shared previews (in progress).
