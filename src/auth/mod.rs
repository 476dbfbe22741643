//! Sign-in: OAuth 2.0 authorization code with PKCE (S256) against Entra ID, redirect flow.
//! - [`pkce`]: verifier, challenge, state and the authorize URL.
//! - [`session`]: the tokens of this tab (memory + sessionStorage), renewal, sign-out.
//! - [`flow`]: start-up (config.json, a returning redirect), sign-in and consent redirects.
//! - [`single_flight`]: one token renewal at a time.
//! - [`errors`]: Entra's error codes as sentences that say what to fix.
pub mod errors;
pub mod flow;
pub mod pkce;
pub mod session;
mod single_flight;
