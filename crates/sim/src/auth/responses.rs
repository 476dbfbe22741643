//! What Entra answers with: its error page, token-endpoint errors, redirects, and id tokens.
use super::{b64url, AuthContext, ClientApp};
use crate::wire::{iso8601, percent_encode};
use licswap_core::graph::http::HttpResponse;
use licswap_core::html::escape;
use serde_json::{json, Value};

/// Entra's error page for errors it cannot redirect (unknown app, unregistered redirect URI).
pub(super) fn error_page(code: u32, message: &str) -> HttpResponse {
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

/// Entra's "Need admin approval" page (200, HTML): the sign-in stops here and the app gets control
/// back only if the user follows "Return to the application without granting consent" (`back`).
/// Text from application-sign-in-unexpected-user-consent-error (AADSTS90094).
pub(super) fn need_admin_approval(app: &str, back: &str) -> HttpResponse {
    let (app, back) = (escape(app), escape(back));
    let body = format!(
        "<!DOCTYPE html><html><head><title>Need admin approval</title></head><body>\
         <h1>Need admin approval</h1>\
         <p id=\"error\">AADSTS90094: {app} needs permission to access resources in your organization that only an admin can grant. Please ask an admin to grant permission to this app before you can use it.</p>\
         <p><a id=\"admin-account\" href=\"#\">Have an admin account? Sign in with that account</a></p>\
         <p><a id=\"return\" href=\"{back}\">Return to the application without granting consent</a></p>\
         </body></html>"
    );
    HttpResponse {
        status: 200,
        headers: vec![("Content-Type".into(), "text/html; charset=utf-8".into())],
        body,
    }
}

/// The `Location` of a redirect built by [`redirect_to`].
pub(super) fn location_of(r: &HttpResponse) -> String {
    r.headers.iter().find(|(k, _)| k == "Location").map(|(_, v)| v.clone()).unwrap_or_default()
}

/// Entra's token-endpoint error JSON.
pub(super) fn token_error(error: &str, code: u32, message: &str, now: u64, trace: &str) -> HttpResponse {
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

pub(super) fn no_store(mut r: HttpResponse) -> HttpResponse {
    r.headers.push(("Cache-Control".into(), "no-store, no-cache".into()));
    r.headers.push(("Pragma".into(), "no-cache".into()));
    r
}

pub(super) fn redirect_to(
    uri: &str,
    fragment: bool,
    params: &[(&str, &str)],
    state: Option<&str>,
) -> HttpResponse {
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

pub(super) fn id_token(app: &ClientApp, ctx: &AuthContext, nonce: Option<&str>, now: u64) -> String {
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
