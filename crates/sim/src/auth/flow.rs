//! The authorize and token endpoints.
use super::responses::{error_page, id_token, need_admin_approval, no_store, redirect_to, token_error};
use super::*;
use crate::roles::{can_consent_for_org, needs_admin_consent};

/// What "Return to the application without granting consent" on the "Need admin approval" page
/// sends back. Microsoft documents the page's AADSTS90094 text but not this redirect; apps in the
/// wild receive `error=access_denied` with an AADSTS90094 description (or AADSTS65001), so the
/// app must recognise either.
const NEED_ADMIN_RETURN: &str = "AADSTS90094: The grant requires admin permission.";
use crate::wire::{parse_pairs, Target};
use licswap_core::graph::http::{HttpRequest, HttpResponse};
use serde_json::{json, Value};

impl Auth {
    pub fn authorize(&mut self, t: &Target, ctx: &AuthContext, now: u64) -> HttpResponse {
        let client_id = t.param("client_id").unwrap_or("");
        if client_id.is_empty() {
            return error_page(900144, "The request body must contain the following parameter: 'client_id'.");
        }
        let Some(app) = ctx.clients.iter().find(|c| c.client_id.eq_ignore_ascii_case(client_id)) else {
            return unknown_app(client_id, ctx);
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
        let missing: Vec<&String> = scopes.iter().filter(|s| !self.is_granted(&app.client_id, s)).collect();
        // `prompt=none` cannot show a consent screen (v2-oauth2-auth-code-flow, "prompt").
        if let (Some(first), Some("none")) = (missing.first(), t.param("prompt")) {
            let desc = format!(
                "AADSTS65001: The user or administrator has not consented to use the application with ID '{}' for scope '{first}'.",
                app.client_id
            );
            return fail("consent_required", &desc);
        }
        // A permission that needs an administrator's consent, not yet granted tenant-wide, stops
        // a user who may not consent for the organization at "Need admin approval".
        if missing.iter().any(|s| needs_admin_consent(s)) && !can_consent_for_org(ctx.signed_in_roles) {
            let back = super::responses::location_of(&fail("access_denied", NEED_ADMIN_RETURN));
            return need_admin_approval(&app.client_id, &back);
        }
        // Everyone else is shown the consent prompt and accepts.
        let missing: Vec<String> = missing.into_iter().cloned().collect();
        self.consented.entry(app.client_id.clone()).or_default().extend(missing);
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

    /// The tenant-wide admin-consent endpoint (`/{tenant}/adminconsent` and
    /// `/{tenant}/v2.0/adminconsent`): "Microsoft Entra ID requires a tenant administrator to sign
    /// in to complete the request" (v2-admin-consent). The simulator stands in for an
    /// administrator who may consent signing in there and approving: the scopes asked (or, without
    /// `scope` or with `.default`, the app registration's configured permissions) are granted to
    /// every user, and the browser goes back to the redirect URI with `admin_consent=True`,
    /// `tenant`, `scope` and `state`. Without `redirect_uri` it goes to the app's first registered
    /// one (grant-admin-consent's URL carries only `client_id`).
    pub fn admin_consent(&mut self, t: &Target, ctx: &AuthContext) -> HttpResponse {
        let client_id = t.param("client_id").unwrap_or("");
        let Some(app) = ctx.clients.iter().find(|c| c.client_id.eq_ignore_ascii_case(client_id)) else {
            return unknown_app(client_id, ctx);
        };
        let redirect = match t.param("redirect_uri") {
            Some(r) if app.redirect_uris.iter().any(|u| u == r) => r.to_string(),
            Some(r) => {
                return error_page(
                    50011,
                    &format!("The redirect URI '{r}' specified in the request does not match the redirect URIs configured for the application '{client_id}'."),
                )
            }
            None => app.redirect_uris.first().cloned().unwrap_or_default(),
        };
        let scopes = split_scopes(t.param("scope").unwrap_or(".default"), ctx.default_scopes);
        self.grant_admin_consent(&app.client_id, &scopes);
        let granted: Vec<String> =
            scopes.iter().filter(|s| !is_oidc(s)).map(|s| format!("{GRAPH_RESOURCE}{s}")).collect();
        redirect_to(
            &redirect,
            false,
            &[("admin_consent", "True"), ("tenant", ctx.tenant_id), ("scope", &granted.join(" "))],
            t.param("state"),
        )
    }

    pub fn token(&mut self, req: &HttpRequest, ctx: &AuthContext, now: u64) -> HttpResponse {
        let form = parse_pairs(req.body.as_deref().unwrap_or(""));
        let get = |k: &str| form_value(&form, k);
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
        let get = |k: &str| form_value(form, k);
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
        self.grant(app, grant.scopes, grant.nonce.as_deref(), ctx, now, None)
    }

    fn redeem_refresh(
        &mut self,
        app: &ClientApp,
        form: &[(String, String)],
        ctx: &AuthContext,
        now: u64,
        trace: &str,
    ) -> HttpResponse {
        let get = |k: &str| form_value(form, k);
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
        if let Some(missing) = scopes.iter().find(|s| !self.is_granted(&app.client_id, s)) {
            return token_error(
                "invalid_grant",
                65001,
                &format!("The user or administrator has not consented to use the application with ID '{}' for scope '{missing}'. Send an interactive authorization request for this user and resource.", app.client_id),
                now,
                trace,
            );
        }
        // The new refresh token keeps the first one's expiry: 24 hours from the interactive
        // sign-in, however often it is refreshed (v2-oauth2-auth-code-flow, "Refresh the access
        // token": SPA refresh tokens "carry over that expiration time").
        self.grant(app, scopes, None, ctx, now, Some(grant.expires_ms))
    }

    fn grant(
        &mut self,
        app: &ClientApp,
        scopes: Vec<String>,
        nonce: Option<&str>,
        ctx: &AuthContext,
        now: u64,
        session_expires_ms: Option<u64>,
    ) -> HttpResponse {
        let refresh_expires_ms = session_expires_ms.unwrap_or(now + REFRESH_LIFETIME_MS);
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
                expires_ms: refresh_expires_ms,
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
            "refresh_token_expires_in": refresh_expires_ms.saturating_sub(now) / 1000,
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
}

/// Entra's page for a client id with no app registration in the tenant.
fn unknown_app(client_id: &str, ctx: &AuthContext) -> HttpResponse {
    error_page(
        700016,
        &format!(
            "Application with identifier '{client_id}' was not found in the directory '{}'.",
            ctx.tenant_id
        ),
    )
}

/// The first value of field `name` in a decoded form body.
fn form_value<'a>(form: &'a [(String, String)], name: &str) -> Option<&'a str> {
    form.iter().find(|(n, _)| n == name).map(|(_, v)| v.as_str())
}
