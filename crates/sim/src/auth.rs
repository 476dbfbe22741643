//! The Entra ID (v2.0) endpoints the app signs in against, and access-token checks for Graph.
//!
//! - `GET /{tenant}/oauth2/v2.0/authorize`: answers as for a signed-in user who consents to every
//!   scope asked: 302 to `redirect_uri` with `code` and `state`. An unknown client or an
//!   unregistered redirect URI gets Entra's error page (it never redirects to an unverified URI).
//! - `POST /{tenant}/oauth2/v2.0/token`: `authorization_code` (PKCE S256 or plain checked, code
//!   single-use, redirect URI must match) and `refresh_token`.
//!
//! Sources: https://learn.microsoft.com/en-us/entra/identity-platform/v2-oauth2-auth-code-flow
//! (requests, responses, SPA refresh tokens valid 24 hours, SPA redemption must be cross-origin),
//! https://learn.microsoft.com/en-us/entra/identity-platform/reference-error-codes (AADSTS codes).
//! Tokens are opaque random strings mapped to scopes and expiry here; the id token is a JWT whose
//! signature is not real (the simulator has no signing key to publish).
use crate::rng::Rng;
use crate::wire::{iso8601, parse_pairs, percent_encode, ApiError, Target};
use base64::Engine;
use licswap_core::graph::http::{HttpRequest, HttpResponse};
use serde_json::{json, Value};
use std::collections::HashMap;

pub const GRAPH_RESOURCE: &str = "https://graph.microsoft.com/";
/// Authorization codes live about ten minutes (v2-oauth2-auth-code-flow, "Request an
/// authorization code").
pub const CODE_LIFETIME_MS: u64 = 10 * 60 * 1000;
/// SPA refresh tokens: fixed 24-hour lifetime.
pub const REFRESH_LIFETIME_MS: u64 = 24 * 3600 * 1000;

/// An app registration with SPA redirect URIs.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ClientApp {
    pub client_id: String,
    pub redirect_uris: Vec<String>,
}

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
    expires_ms: u64,
}

#[derive(Clone, Debug)]
pub struct Auth {
    rng: Rng,
    codes: HashMap<String, CodeGrant>,
    tokens: HashMap<String, AccessToken>,
    refresh: HashMap<String, RefreshGrant>,
    consented: HashMap<String, Vec<String>>,
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

fn is_oidc(s: &str) -> bool {
    matches!(s.to_ascii_lowercase().as_str(), "openid" | "profile" | "email" | "offline_access")
}

fn split_scopes(s: &str, defaults: &[String]) -> Vec<String> {
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

/// Entra's error page for errors it cannot redirect (unknown app, unregistered redirect URI).
fn error_page(code: u32, message: &str) -> HttpResponse {
    let body = format!(
        "<!DOCTYPE html><html><head><title>Sign in to your account</title></head><body>\
         <h1>Sorry, but we're having trouble signing you in.</h1><p id=\"error\">AADSTS{code}: {message}</p></body></html>"
    );
    HttpResponse {
        status: 400,
        headers: vec![("Content-Type".into(), "text/html; charset=utf-8".into())],
        body,
    }
}

/// Entra's token-endpoint error JSON.
fn token_error(error: &str, code: u32, message: &str, now: u64, trace: &str) -> HttpResponse {
    let body = json!({
        "error": error,
        "error_description": format!("AADSTS{code}: {message} Trace ID: {trace} Correlation ID: {trace} Timestamp: {}", iso8601(now)),
        "error_codes": [code],
        "timestamp": iso8601(now),
        "trace_id": trace,
        "correlation_id": trace,
        "error_uri": format!("https://login.microsoftonline.com/error?code={code}"),
    });
    no_store(HttpResponse {
        status: 400,
        headers: vec![("Content-Type".into(), "application/json; charset=utf-8".into())],
        body: body.to_string(),
    })
}

fn no_store(mut r: HttpResponse) -> HttpResponse {
    r.headers.push(("Cache-Control".into(), "no-store, no-cache".into()));
    r.headers.push(("Pragma".into(), "no-cache".into()));
    r
}

fn b64url(bytes: &[u8]) -> String {
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
        }
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

    pub fn authorize(&mut self, t: &Target, ctx: &AuthContext, now: u64) -> HttpResponse {
        let client_id = t.param("client_id").unwrap_or("");
        if client_id.is_empty() {
            return error_page(900144, "The request body must contain the following parameter: 'client_id'.");
        }
        let Some(app) = ctx.clients.iter().find(|c| c.client_id.eq_ignore_ascii_case(client_id)) else {
            return error_page(
                700016,
                &format!(
                    "Application with identifier '{client_id}' was not found in the directory '{}'.",
                    ctx.tenant_id
                ),
            );
        };
        let redirect = t.param("redirect_uri").unwrap_or("");
        if !app.redirect_uris.iter().any(|r| r == redirect) {
            return error_page(
                50011,
                &format!(
                    "The redirect URI '{redirect}' specified in the request does not match the redirect URIs configured for the application '{client_id}'."
                ),
            );
        }
        let fragment = t.param("response_mode") == Some("fragment");
        let state = t.param("state");
        let fail = |error: &str, desc: &str| {
            redirect_to(redirect, fragment, &[("error", error), ("error_description", desc)], state)
        };
        if t.param("response_type") != Some("code") {
            return fail(
                "unsupported_response_type",
                "AADSTS700054: response_type must be 'code' for this application.",
            );
        }
        let scope = t.param("scope").unwrap_or("");
        if scope.trim().is_empty() {
            return fail(
                "invalid_request",
                "AADSTS900144: The request body must contain the following parameter: 'scope'.",
            );
        }
        let challenge = match (t.param("code_challenge"), t.param("code_challenge_method").unwrap_or("plain")) {
            (None, _) => None,
            (Some(c), m) if m == "S256" || m == "plain" => Some((c.to_string(), m.to_string())),
            (Some(_), _) => {
                return fail("invalid_request", "AADSTS501491: Invalid size of Code_Challenge parameter or unsupported Code_Challenge_Method.")
            }
        };
        let scopes = split_scopes(scope, ctx.default_scopes);
        let consented = self.consented.entry(app.client_id.clone()).or_default();
        for s in &scopes {
            if !consented.iter().any(|c| c.eq_ignore_ascii_case(s)) {
                consented.push(s.clone());
            }
        }
        let code = format!("simcode.{}", self.rng.hex(24));
        self.codes.insert(
            code.clone(),
            CodeGrant {
                client_id: app.client_id.clone(),
                redirect_uri: redirect.to_string(),
                challenge,
                scopes,
                nonce: t.param("nonce").map(str::to_string),
                issued_ms: now,
                redeemed: false,
            },
        );
        let session = self.rng.guid();
        redirect_to(redirect, fragment, &[("code", &code), ("session_state", &session)], state)
    }

    pub fn token(&mut self, req: &HttpRequest, ctx: &AuthContext, now: u64) -> HttpResponse {
        let form = parse_pairs(req.body.as_deref().unwrap_or(""));
        let get = |k: &str| form.iter().find(|(n, _)| n == k).map(|(_, v)| v.as_str());
        let trace = self.rng.guid();
        let client_id = get("client_id").unwrap_or("");
        if client_id.is_empty() {
            return token_error(
                "invalid_request",
                900144,
                "The request body must contain the following parameter: 'client_id'.",
                now,
                &trace,
            );
        }
        let Some(app) = ctx.clients.iter().find(|c| c.client_id.eq_ignore_ascii_case(client_id)).cloned()
        else {
            return token_error(
                "unauthorized_client",
                700016,
                &format!(
                    "Application with identifier '{client_id}' was not found in the directory '{}'.",
                    ctx.tenant_id
                ),
                now,
                &trace,
            );
        };
        if req.header("Origin").is_none() {
            return token_error(
                "invalid_request",
                9002327,
                "Tokens issued for the 'Single-Page Application' client-type may only be redeemed via cross-origin requests.",
                now,
                &trace,
            );
        }
        match get("grant_type") {
            Some("authorization_code") => self.redeem_code(&app, &form, ctx, now, &trace),
            Some("refresh_token") => self.redeem_refresh(&app, &form, ctx, now, &trace),
            None => token_error(
                "invalid_request",
                900144,
                "The request body must contain the following parameter: 'grant_type'.",
                now,
                &trace,
            ),
            Some(g) => token_error(
                "unsupported_grant_type",
                70003,
                &format!("The app requested an unsupported grant type '{g}'."),
                now,
                &trace,
            ),
        }
    }

    fn redeem_code(
        &mut self,
        app: &ClientApp,
        form: &[(String, String)],
        ctx: &AuthContext,
        now: u64,
        trace: &str,
    ) -> HttpResponse {
        let get = |k: &str| form.iter().find(|(n, _)| n == k).map(|(_, v)| v.as_str());
        let Some(code) = get("code") else {
            return token_error(
                "invalid_request",
                900144,
                "The request body must contain the following parameter: 'code'.",
                now,
                trace,
            );
        };
        let Some(grant) = self.codes.get(code).filter(|g| g.client_id == app.client_id).cloned() else {
            return token_error(
                "invalid_grant",
                9002313,
                "Invalid request. Request is malformed or invalid.",
                now,
                trace,
            );
        };
        if grant.redeemed {
            return token_error(
                "invalid_grant",
                54005,
                "OAuth2 Authorization code was already redeemed, please retry with a new valid code or use an existing refresh token.",
                now,
                trace,
            );
        }
        if now > grant.issued_ms + CODE_LIFETIME_MS {
            return token_error("invalid_grant", 70008, "The provided authorization code or refresh token has expired due to inactivity. Send a new interactive authorization request for this user and resource.", now, trace);
        }
        let redirect = get("redirect_uri").unwrap_or("");
        if redirect != grant.redirect_uri {
            return token_error(
                "invalid_grant",
                50011,
                &format!("The redirect URI '{redirect}' specified in the request does not match the redirect URI used to request the authorization code, or is not configured for the application '{}'.", app.client_id),
                now,
                trace,
            );
        }
        match (&grant.challenge, get("code_verifier")) {
            (None, _) => {
                return token_error(
                    "invalid_request",
                    9002325,
                    "Proof Key for Code Exchange is required for cross-origin authorization code redemption.",
                    now,
                    trace,
                )
            }
            (Some((challenge, method)), Some(v)) => {
                let computed = if method == "S256" { s256(v) } else { v.to_string() };
                if &computed != challenge {
                    return token_error("invalid_grant", 501481, "The Code_Verifier does not match the code_challenge supplied in the authorization request.", now, trace);
                }
            }
            (Some(_), None) => return token_error(
                "invalid_grant",
                501481,
                "The Code_Verifier does not match the code_challenge supplied in the authorization request.",
                now,
                trace,
            ),
        }
        self.codes.get_mut(code).expect("code exists").redeemed = true;
        self.grant(app, grant.scopes, grant.nonce.as_deref(), ctx, now)
    }

    fn redeem_refresh(
        &mut self,
        app: &ClientApp,
        form: &[(String, String)],
        ctx: &AuthContext,
        now: u64,
        trace: &str,
    ) -> HttpResponse {
        let get = |k: &str| form.iter().find(|(n, _)| n == k).map(|(_, v)| v.as_str());
        let rt = get("refresh_token").unwrap_or("");
        let Some(grant) = self.refresh.get(rt).filter(|g| g.client_id == app.client_id).cloned() else {
            return token_error(
                "invalid_grant",
                9002313,
                "Invalid request. Request is malformed or invalid.",
                now,
                trace,
            );
        };
        if now > grant.expires_ms {
            return token_error("invalid_grant", 700084, "The refresh token was issued to a single page app (SPA), and therefore has a fixed, limited lifetime of 1.00:00:00, which cannot be extended.", now, trace);
        }
        let scopes = match get("scope") {
            Some(s) if !s.trim().is_empty() => split_scopes(s, ctx.default_scopes),
            _ => grant.scopes.clone(),
        };
        let consented = self.consented.get(&app.client_id).cloned().unwrap_or_default();
        if let Some(missing) =
            scopes.iter().find(|s| !is_oidc(s) && !consented.iter().any(|c| c.eq_ignore_ascii_case(s)))
        {
            return token_error(
                "invalid_grant",
                65001,
                &format!("The user or administrator has not consented to use the application with ID '{}' for scope '{missing}'. Send an interactive authorization request for this user and resource.", app.client_id),
                now,
                trace,
            );
        }
        self.grant(app, scopes, None, ctx, now)
    }

    fn grant(
        &mut self,
        app: &ClientApp,
        scopes: Vec<String>,
        nonce: Option<&str>,
        ctx: &AuthContext,
        now: u64,
    ) -> HttpResponse {
        let graph_scopes: Vec<String> = scopes.iter().filter(|s| !is_oidc(s)).cloned().collect();
        let access = format!("simat.{}", self.rng.hex(24));
        self.tokens.insert(
            access.clone(),
            AccessToken {
                client_id: app.client_id.clone(),
                scopes: graph_scopes.clone(),
                expires_ms: now + ctx.token_lifetime_ms,
            },
        );
        let refresh = format!("simrt.{}", self.rng.hex(32));
        self.refresh.insert(
            refresh.clone(),
            RefreshGrant {
                client_id: app.client_id.clone(),
                scopes: scopes.clone(),
                expires_ms: now + REFRESH_LIFETIME_MS,
            },
        );
        let mut scope_out: Vec<String> =
            graph_scopes.iter().map(|s| format!("{GRAPH_RESOURCE}{s}")).collect();
        scope_out.extend(
            scopes.iter().filter(|s| is_oidc(s) && !s.eq_ignore_ascii_case("offline_access")).cloned(),
        );
        let secs = ctx.token_lifetime_ms / 1000;
        let mut body = json!({
            "token_type": "Bearer",
            "scope": scope_out.join(" "),
            "expires_in": secs,
            "ext_expires_in": secs,
            "access_token": access,
            "refresh_token": refresh,
            "refresh_token_expires_in": REFRESH_LIFETIME_MS / 1000,
        });
        if scopes.iter().any(|s| s.eq_ignore_ascii_case("openid")) {
            body["id_token"] = Value::String(id_token(app, ctx, nonce, now));
        }
        no_store(HttpResponse {
            status: 200,
            headers: vec![("Content-Type".into(), "application/json; charset=utf-8".into())],
            body: body.to_string(),
        })
    }

    /// Check a Graph request's bearer token: 401 InvalidAuthenticationToken as Graph answers a
    /// missing, unknown or expired token (https://learn.microsoft.com/en-us/graph/errors).
    pub fn check(&self, authorization: Option<&str>, now: u64) -> Result<&AccessToken, ApiError> {
        let unauthorized = |m: &str| ApiError::new(401, "InvalidAuthenticationToken", m);
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

fn redirect_to(uri: &str, fragment: bool, params: &[(&str, &str)], state: Option<&str>) -> HttpResponse {
    let mut q: Vec<String> = params.iter().map(|(k, v)| format!("{k}={}", percent_encode(v))).collect();
    if let Some(s) = state {
        q.push(format!("state={}", percent_encode(s)));
    }
    let sep = if fragment {
        "#"
    } else if uri.contains('?') {
        "&"
    } else {
        "?"
    };
    HttpResponse {
        status: 302,
        headers: vec![("Location".into(), format!("{uri}{sep}{}", q.join("&")))],
        body: String::new(),
    }
}

fn id_token(app: &ClientApp, ctx: &AuthContext, nonce: Option<&str>, now: u64) -> String {
    let header = json!({ "typ": "JWT", "alg": "RS256", "kid": "licswap-sim" });
    let mut claims = json!({
        "aud": app.client_id,
        "iss": format!("https://login.microsoftonline.com/{}/v2.0", ctx.tenant_id),
        "iat": now / 1000,
        "nbf": now / 1000,
        "exp": (now + ctx.token_lifetime_ms) / 1000,
        "name": ctx.admin_name,
        "oid": ctx.admin_oid,
        "preferred_username": ctx.admin_upn,
        "sub": ctx.admin_oid,
        "tid": ctx.tenant_id,
        "ver": "2.0",
    });
    if let Some(n) = nonce {
        claims["nonce"] = Value::String(n.to_string());
    }
    format!(
        "{}.{}.{}",
        b64url(header.to_string().as_bytes()),
        b64url(claims.to_string().as_bytes()),
        b64url(b"licswap-sim-unsigned")
    )
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
