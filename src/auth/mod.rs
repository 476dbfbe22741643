//! Sign-in: OAuth 2.0 authorization code with PKCE (S256) against Entra ID, redirect flow.
//! - [`pkce`]: verifier, challenge, state and the authorize URL.
//! - [`session`]: the tokens of this tab (memory + sessionStorage), renewal, sign-out.
//! - [`flow`]: the sign-in and consent redirects, and finishing one that comes back.
//! - [`single_flight`]: one token renewal at a time.
//! - [`errors`]: Entra's error codes as sentences that say what to fix.
pub mod errors;
pub mod flow;
pub mod pkce;
pub mod session;
mod single_flight;
