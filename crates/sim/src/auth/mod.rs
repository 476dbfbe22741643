//! The Entra ID (v2.0) endpoints the app signs in against, and access-token checks for Graph.
//!
//! - `GET /{tenant}/oauth2/v2.0/authorize`: answers as for a signed-in user who consents to every
//!   scope asked: 302 to `redirect_uri` with `code` and `state`. An unknown client or an
//!   unregistered redirect URI gets Entra's error page (it never redirects to an unverified URI).
//! - `POST /{tenant}/oauth2/v2.0/token`: `authorization_code` (PKCE S256 or plain checked, code
//!   single-use, redirect URI must match) and `refresh_token` (24 hours from the interactive
//!   sign-in, not sliding).
//! - Consent: permissions that need an administrator's consent (`roles::needs_admin_consent`)
//!   can be consented at sign-in only by a user who may consent for the organization; anyone else
//!   gets Entra's "Need admin approval" page (AADSTS90094) until an administrator grants consent
//!   tenant-wide (`GET /{tenant}/adminconsent`, `/{tenant}/v2.0/adminconsent`).
//!
//! Sources: <https://learn.microsoft.com/en-us/entra/identity-platform/v2-oauth2-auth-code-flow>
//! (requests, responses, SPA refresh tokens valid 24 hours, SPA redemption must be cross-origin),
//! <https://learn.microsoft.com/en-us/entra/identity-platform/reference-error-codes> (AADSTS codes),
//! <https://learn.microsoft.com/en-us/entra/identity/enterprise-apps/application-sign-in-unexpected-user-consent-error>
//! (AADSTS90094 "needs permission to access resources in your organization that only an admin can
//! grant"), <https://learn.microsoft.com/en-us/entra/identity-platform/v2-admin-consent> and
//! <https://learn.microsoft.com/en-us/entra/identity/enterprise-apps/grant-admin-consent>
//! (admin-consent endpoint and who may use it).
//! Tokens are opaque random strings mapped to scopes and expiry here; the id token is a JWT whose
//! signature is not real (the simulator has no signing key to publish).
mod flow;
mod responses;

pub use crate::config::ClientApp;
use crate::rng::Rng;
use crate::wire::GraphErrorReply;
use base64::Engine;
use std::collections::HashMap;

pub const GRAPH_RESOURCE: &str = "https://graph.microsoft.com/";
/// Authorization codes live about ten minutes (v2-oauth2-auth-code-flow, "Request an
/// authorization code").
pub const CODE_LIFETIME_MS: u64 = 10 * 60 * 1000;
/// SPA refresh tokens: fixed 24-hour lifetime.
pub const REFRESH_LIFETIME_MS: u64 = 24 * 3600 * 1000;

#[derive(Clone, Debug)]
struct CodeGrant {
    client_id: String,
    redirect_uri: String,
    challenge: Option<(String, String)>,
    scopes: Vec<String>,
    nonce: Option<String>,
    issued_ms: u64,
    redeemed: bool,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AccessToken {
    pub client_id: String,
    pub scopes: Vec<String>,
    pub expires_ms: u64,
}

#[derive(Clone, Debug)]
struct RefreshGrant {
    client_id: String,
    scopes: Vec<String>,
    /// 24 hours after the interactive sign-in, carried over to every refresh token redeemed from
    /// it (SPA refresh tokens do not slide).
    expires_ms: u64,
}

#[derive(Clone, Debug)]
pub struct Auth {
    rng: Rng,
    codes: HashMap<String, CodeGrant>,
    tokens: HashMap<String, AccessToken>,
    refresh: HashMap<String, RefreshGrant>,
    /// Scopes the signed-in user consented to, per app.
    consented: HashMap<String, Vec<String>>,
    /// Scopes an administrator granted tenant-wide ("Grant admin consent"), per app.
    admin_granted: HashMap<String, Vec<String>>,
}

/// What the endpoints need to know about the tenant and configuration.
pub struct AuthContext<'a> {
    pub clients: &'a [ClientApp],
    pub token_lifetime_ms: u64,
    pub tenant_id: &'a str,
    pub admin_oid: &'a str,
    pub admin_upn: &'a str,
    pub admin_name: &'a str,
    /// Scopes `.default` stands for (the app registration's configured permissions).
    pub default_scopes: &'a [String],
    /// The signed-in user's directory roles (who may consent for the organization).
    pub signed_in_roles: &'a [String],
}

/// `https://graph.microsoft.com/User.Read.All` -> `User.Read.All`; OIDC scopes unchanged.
pub fn normalize_scope(s: &str) -> String {
    let lower = s.to_ascii_lowercase();
    if lower.starts_with(GRAPH_RESOURCE) {
        s[GRAPH_RESOURCE.len()..].to_string()
    } else if lower.starts_with("https://graph.microsoft.com") {
        s["https://graph.microsoft.com".len()..].trim_start_matches('/').to_string()
    } else {
        s.to_string()
    }
}

pub(crate) fn is_oidc(s: &str) -> bool {
    matches!(s.to_ascii_lowercase().as_str(), "openid" | "profile" | "email" | "offline_access")
}

pub(crate) fn split_scopes(s: &str, defaults: &[String]) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for raw in s.split_whitespace() {
        let n = normalize_scope(raw);
        let expanded = if n.eq_ignore_ascii_case(".default") { defaults.to_vec() } else { vec![n] };
        for x in expanded {
            if !out.iter().any(|o| o.eq_ignore_ascii_case(&x)) {
                out.push(x);
            }
        }
    }
    out
}

pub(crate) fn b64url(bytes: &[u8]) -> String {
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
}

/// RFC 7636: S256 is BASE64URL(SHA256(ASCII(code_verifier))).
pub fn s256(verifier: &str) -> String {
    use sha2::Digest;
    b64url(&sha2::Sha256::digest(verifier.as_bytes()))
}

impl Auth {
    pub fn new(seed: u64) -> Self {
        Auth {
            rng: Rng::new(seed ^ 0xA0A0_5EED),
            codes: HashMap::new(),
            tokens: HashMap::new(),
            refresh: HashMap::new(),
            consented: HashMap::new(),
            admin_granted: HashMap::new(),
        }
    }

    /// Grant `scopes` tenant-wide to an app, as an administrator's "Grant admin consent" does.
    pub fn grant_admin_consent(&mut self, client_id: &str, scopes: &[String]) {
        let granted = self.admin_granted.entry(client_id.to_ascii_lowercase()).or_default();
        for s in scopes.iter().filter(|s| !is_oidc(s)) {
            if !granted.iter().any(|g| g.eq_ignore_ascii_case(s)) {
                granted.push(s.clone());
            }
        }
    }

    /// Withdraw every consent to an app, tenant-wide and the user's own.
    pub fn revoke_consent(&mut self, client_id: &str) {
        self.admin_granted.remove(&client_id.to_ascii_lowercase());
        self.consented.retain(|k, _| !k.eq_ignore_ascii_case(client_id));
    }

    /// Has the app been granted this scope, by the user or tenant-wide?
    fn is_granted(&self, client_id: &str, scope: &str) -> bool {
        let has =
            |v: Option<&Vec<String>>| v.is_some_and(|v| v.iter().any(|c| c.eq_ignore_ascii_case(scope)));
        is_oidc(scope)
            || has(self.consented.get(client_id))
            || has(self.admin_granted.get(&client_id.to_ascii_lowercase()))
    }

    /// Issue an access token directly (tests, and the demo when auth is on).
    pub fn issue_token(&mut self, client_id: &str, scopes: &[&str], now: u64, lifetime_ms: u64) -> String {
        let tok = format!("simat.{}", self.rng.hex(24));
        let scopes = scopes.iter().map(|s| normalize_scope(s)).collect();
        self.tokens.insert(
            tok.clone(),
            AccessToken { client_id: client_id.into(), scopes, expires_ms: now + lifetime_ms },
        );
        tok
    }

    /// Check a Graph request's bearer token: 401 InvalidAuthenticationToken as Graph answers a
    /// missing, unknown or expired token (<https://learn.microsoft.com/en-us/graph/errors>).
    pub fn check(&self, authorization: Option<&str>, now: u64) -> Result<&AccessToken, GraphErrorReply> {
        let unauthorized = |m: &str| GraphErrorReply::new(401, "InvalidAuthenticationToken", m);
        let raw = authorization.map(str::trim).unwrap_or("");
        let tok = raw.strip_prefix("Bearer ").or_else(|| raw.strip_prefix("bearer ")).unwrap_or("").trim();
        if tok.is_empty() {
            return Err(unauthorized("Access token is empty."));
        }
        let t = self
            .tokens
            .get(tok)
            .ok_or_else(|| unauthorized("Access token validation failure. Invalid audience."))?;
        if now >= t.expires_ms {
            return Err(unauthorized("Lifetime validation failed, the token is expired."));
        }
        Ok(t)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn s256_matches_rfc7636_appendix_b() {
        assert_eq!(
            s256("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"),
            "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"
        );
    }

    #[test]
    fn normalizes_graph_scopes() {
        assert_eq!(normalize_scope("https://graph.microsoft.com/User.Read.All"), "User.Read.All");
        assert_eq!(
            split_scopes("openid https://graph.microsoft.com/.default", &["A".into()]),
            vec!["openid", "A"]
        );
    }
}
