//! PKCE.
