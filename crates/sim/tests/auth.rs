//! Entra sign-in (authorize + token with PKCE, refresh), token checks on Graph, and CORS; in
//! process and over HTTP.
mod common;
use common::*;
use licswap_core::graph::http::{HttpRequest, Method};
use licswap_sim::auth::s256;
use licswap_sim::wire::{encode_pairs, Target};
use licswap_sim::{SimConfig, DEFAULT_CLIENT_ID};
use serde_json::Value;

const VERIFIER: &str = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk-and-some-more-entropy";
const READ: &str = "openid profile offline_access https://graph.microsoft.com/User.Read.All https://graph.microsoft.com/Group.Read.All https://graph.microsoft.com/LicenseAssignment.Read.All";

fn auth_config() -> SimConfig {
    SimConfig { require_auth: true, token_lifetime_ms: 60_000, ..demo_config() }
}

fn pairs(p: &[(&str, &str)]) -> String {
    encode_pairs(&p.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect::<Vec<_>>())
}

fn authorize(
    h: &mut dyn Harness,
    scope: &str,
    redirect: &str,
    challenge: Option<&str>,
) -> (u16, Option<String>, String) {
    let mut p = vec![
        ("client_id", DEFAULT_CLIENT_ID),
        ("response_type", "code"),
        ("redirect_uri", redirect),
        ("scope", scope),
        ("state", "st-42"),
        ("nonce", "n-7"),
    ];
    if let Some(c) = challenge {
        p.push(("code_challenge", c));
        p.push(("code_challenge_method", "S256"));
    }
    let r = h.send(HttpRequest::get(url(h, &format!("/organizations/oauth2/v2.0/authorize?{}", pairs(&p)))));
    (r.status, r.header("Location").map(String::from), r.body)
}

/// The `code` from a redirect, checking `state` came back.
fn code_of(location: &str) -> String {
    let t = Target::parse(location);
    assert_eq!(t.param("state"), Some("st-42"));
    t.param("code").expect("a code").to_string()
}

fn token(h: &mut dyn Harness, form: &[(&str, &str)], origin: bool) -> (u16, Value) {
    let mut req = HttpRequest {
        method: Method::Post,
        url: url(h, "/organizations/oauth2/v2.0/token"),
        headers: vec![("Content-Type".into(), "application/x-www-form-urlencoded".into())],
        body: Some(pairs(form)),
    };
    if origin {
        req.headers.push(("Origin".into(), ORIGIN.into()));
    }
    let r = h.send(req);
    (r.status, parse(&r))
}

fn redeem(h: &mut dyn Harness, code: &str, verifier: &str, redirect: &str) -> (u16, Value) {
    token(
        h,
        &[
            ("client_id", DEFAULT_CLIENT_ID),
            ("grant_type", "authorization_code"),
            ("code", code),
            ("redirect_uri", redirect),
            ("code_verifier", verifier),
        ],
        true,
    )
}

fn graph_get(h: &mut dyn Harness, path: &str, token: &str) -> (u16, Value) {
    let r = h.send(HttpRequest::get(url(h, path)).with_header("Authorization", format!("Bearer {token}")));
    (r.status, parse(&r))
}

fn aadsts(v: &Value) -> u64 {
    v["error_codes"][0].as_u64().unwrap_or(0)
}

both!(sign_in_round_trip_with_pkce_then_graph_and_refresh, auth_config(), |h: &mut dyn Harness| {
    let (status, loc, _) = authorize(h, READ, REDIRECT, Some(&s256(VERIFIER)));
    assert_eq!(status, 302);
    let loc = loc.unwrap();
    assert!(loc.starts_with(REDIRECT));
    let code = code_of(&loc);
    let (status, tok) = redeem(h, &code, VERIFIER, REDIRECT);
    assert_eq!(status, 200, "{tok}");
    assert_eq!(tok["token_type"], "Bearer");
    assert_eq!(tok["expires_in"], 60);
    assert!(tok["scope"].as_str().unwrap().contains("https://graph.microsoft.com/User.Read.All"));
    let id_token = tok["id_token"].as_str().unwrap();
    let claims = id_token.split('.').nth(1).unwrap();
    use base64::Engine;
    let claims: Value =
        serde_json::from_slice(&base64::engine::general_purpose::URL_SAFE_NO_PAD.decode(claims).unwrap())
            .unwrap();
    assert_eq!((claims["aud"].as_str(), claims["nonce"].as_str()), (Some(DEFAULT_CLIENT_ID), Some("n-7")));
    let access = tok["access_token"].as_str().unwrap().to_string();
    assert_eq!(graph_get(h, "/v1.0/subscribedSkus", &access).0, 200);
    assert_eq!(graph_get(h, "/v1.0/users?$top=5", &access).0, 200);
    // A code works once.
    let (status, v) = redeem(h, &code, VERIFIER, REDIRECT);
    assert_eq!((status, v["error"].as_str(), aadsts(&v)), (400, Some("invalid_grant"), 54005));
    // Refresh gives a new access token.
    let rt = tok["refresh_token"].as_str().unwrap();
    let (status, v) = token(
        h,
        &[
            ("client_id", DEFAULT_CLIENT_ID),
            ("grant_type", "refresh_token"),
            ("refresh_token", rt),
            ("scope", READ),
        ],
        true,
    );
    assert_eq!(status, 200, "{v}");
    assert_ne!(v["access_token"].as_str().unwrap(), access);
    assert_eq!(graph_get(h, "/v1.0/users?$top=1", v["access_token"].as_str().unwrap()).0, 200);
    // Scopes never consented cannot be had by refreshing: that needs a new authorize.
    let (status, v) = token(
        h,
        &[
            ("client_id", DEFAULT_CLIENT_ID),
            ("grant_type", "refresh_token"),
            ("refresh_token", rt),
            ("scope", "https://graph.microsoft.com/Directory.ReadWrite.All"),
        ],
        true,
    );
    assert_eq!((status, aadsts(&v)), (400, 65001));
});

both!(token_errors_as_entra_returns_them, auth_config(), |h: &mut dyn Harness| {
    let (_, loc, _) = authorize(h, READ, REDIRECT, Some(&s256(VERIFIER)));
    let code = code_of(&loc.unwrap());
    let (status, v) = redeem(h, &code, "not-the-verifier-not-the-verifier-not-the-verifier", REDIRECT);
    assert_eq!((status, v["error"].as_str(), aadsts(&v)), (400, Some("invalid_grant"), 501481));
    let (status, v) = redeem(h, &code, VERIFIER, "http://127.0.0.1:8080/");
    assert_eq!((status, aadsts(&v)), (400, 50011), "{v}");
    let (status, v) = token(
        h,
        &[
            ("client_id", DEFAULT_CLIENT_ID),
            ("grant_type", "authorization_code"),
            ("code", &code),
            ("redirect_uri", REDIRECT),
            ("code_verifier", VERIFIER),
        ],
        false,
    );
    assert_eq!((status, aadsts(&v)), (400, 9002327), "SPA redemption must be cross-origin");
    // Failed attempts did not use the code up.
    assert_eq!(redeem(h, &code, VERIFIER, REDIRECT).0, 200);
    // Without PKCE at authorize, the code cannot be redeemed by a SPA.
    let (_, loc, _) = authorize(h, READ, REDIRECT, None);
    let (status, v) = redeem(h, &code_of(&loc.unwrap()), VERIFIER, REDIRECT);
    assert_eq!((status, aadsts(&v)), (400, 9002325));
    let (status, v) = token(h, &[("client_id", "nope"), ("grant_type", "authorization_code")], true);
    assert_eq!((status, v["error"].as_str(), aadsts(&v)), (400, Some("unauthorized_client"), 700016));
    let (status, v) = token(
        h,
        &[("client_id", DEFAULT_CLIENT_ID), ("grant_type", "refresh_token"), ("refresh_token", "forged")],
        true,
    );
    assert_eq!((status, v["error"].as_str()), (400, Some("invalid_grant")));
});

both!(authorize_refuses_unregistered_redirects_without_redirecting, auth_config(), |h: &mut dyn Harness| {
    let (status, loc, body) = authorize(h, READ, "https://evil.example/", Some(&s256(VERIFIER)));
    assert_eq!(status, 400);
    assert!(loc.is_none());
    assert!(body.contains("AADSTS50011"));
    let r = h.send(HttpRequest::get(url(
        h,
        &format!(
            "/common/oauth2/v2.0/authorize?{}",
            pairs(&[("client_id", "unknown-app"), ("redirect_uri", REDIRECT)])
        ),
    )));
    assert_eq!(r.status, 400);
    assert!(r.body.contains("AADSTS700016"));
    // Errors about the request itself go back to the (registered) redirect URI.
    let r = h.send(HttpRequest::get(url(
        h,
        &format!(
            "/common/oauth2/v2.0/authorize?{}",
            pairs(&[
                ("client_id", DEFAULT_CLIENT_ID),
                ("redirect_uri", REDIRECT),
                ("response_type", "token"),
                ("scope", "openid"),
                ("state", "st-42")
            ])
        ),
    )));
    assert_eq!(r.status, 302);
    let t = Target::parse(r.header("Location").unwrap());
    assert_eq!((t.param("error"), t.param("state")), (Some("unsupported_response_type"), Some("st-42")));
});

both!(graph_checks_token_presence_expiry_and_scope, auth_config(), |h: &mut dyn Harness| {
    let (status, v) = get(h, "/v1.0/users");
    assert_eq!((status, error_code(&v)), (401, "InvalidAuthenticationToken"));
    assert_eq!(graph_get(h, "/v1.0/users", "made-up").0, 401);
    let (_, loc, _) = authorize(h, READ, REDIRECT, Some(&s256(VERIFIER)));
    let (_, tok) = redeem(h, &code_of(&loc.unwrap()), VERIFIER, REDIRECT);
    let read_only = tok["access_token"].as_str().unwrap().to_string();
    let mut users = Vec::new();
    h.with_sim(&mut |s| users = s.tenant().users.iter().map(|u| u.id.clone()).collect());
    let assign = |h: &mut dyn Harness, tok: &str| {
        let req = HttpRequest::post_json(
            url(h, &format!("/v1.0/users/{}/assignLicense", users[5])),
            swap_body(E3, E1).to_string(),
        )
        .with_header("Authorization", format!("Bearer {tok}"));
        let r = h.send(req);
        (r.status, parse(&r))
    };
    let (status, v) = assign(h, &read_only);
    assert_eq!((status, error_code(&v)), (403, "Authorization_RequestDenied"));
    // Incremental consent: a new authorize for the write scope.
    let (_, loc, _) = authorize(
        h,
        "https://graph.microsoft.com/LicenseAssignment.ReadWrite.All",
        REDIRECT,
        Some(&s256(VERIFIER)),
    );
    let (_, tok) = redeem(h, &code_of(&loc.unwrap()), VERIFIER, REDIRECT);
    let writer = tok["access_token"].as_str().unwrap().to_string();
    assert_eq!(assign(h, &writer).0, 200);
});

both!(silent_authorize_needs_prior_consent, auth_config(), |h: &mut dyn Harness| {
    let silent = |h: &mut dyn Harness, scope: &str| {
        let p = [
            ("client_id", DEFAULT_CLIENT_ID),
            ("response_type", "code"),
            ("redirect_uri", REDIRECT),
            ("scope", scope),
            ("state", "st-42"),
            ("prompt", "none"),
            ("code_challenge", "abc"),
            ("code_challenge_method", "S256"),
        ];
        let r = h.send(HttpRequest::get(url(h, &format!("/common/oauth2/v2.0/authorize?{}", pairs(&p)))));
        Target::parse(r.header("Location").unwrap())
    };
    let t = silent(h, READ);
    assert_eq!(t.param("error"), Some("consent_required"));
    authorize(h, READ, REDIRECT, Some(&s256(VERIFIER)));
    let t = silent(h, READ);
    assert!(t.param("code").is_some(), "consented once, silent sign-in works");
    let t = silent(h, "https://graph.microsoft.com/LicenseAssignment.ReadWrite.All");
    assert_eq!(t.param("error"), Some("consent_required"), "the write scope needs its own consent");
});

both!(access_tokens_expire, auth_config(), |h: &mut dyn Harness| {
    let mut tok = String::new();
    h.with_sim(&mut |s| tok = s.issue_token(DEFAULT_CLIENT_ID, &["User.Read.All"], START_MS));
    assert_eq!(graph_get(h, "/v1.0/users", &tok).0, 200);
    h.wait(59_000);
    assert_eq!(graph_get(h, "/v1.0/users", &tok).0, 200);
    h.wait(1_000);
    let (status, v) = graph_get(h, "/v1.0/users", &tok);
    assert_eq!(status, 401);
    assert!(error_message(&v).contains("expired"));
});

both!(cors_preflight_and_origin_echo, auth_config(), |h: &mut dyn Harness| {
    let pre = HttpRequest {
        method: Method::Options,
        url: url(h, "/v1.0/$batch"),
        headers: vec![
            ("Origin".into(), ORIGIN.into()),
            ("Access-Control-Request-Method".into(), "POST".into()),
            ("Access-Control-Request-Headers".into(), "authorization,content-type".into()),
        ],
        body: None,
    };
    let r = h.send(pre);
    assert!((200..300).contains(&r.status));
    assert_eq!(r.header("Access-Control-Allow-Origin"), Some(ORIGIN));
    assert!(r.header("Access-Control-Allow-Methods").unwrap().contains("POST"));
    assert!(r.header("Access-Control-Allow-Headers").unwrap().to_lowercase().contains("authorization"));
    let r = h.send(HttpRequest::get(url(h, "/v1.0/users")).with_header("Origin", ORIGIN));
    assert_eq!(r.status, 401);
    assert_eq!(
        r.header("Access-Control-Allow-Origin"),
        Some(ORIGIN),
        "even errors are readable cross-origin"
    );
    // Graph's exposed headers (profilephoto-get's sample response), without Retry-After.
    let exposed = r.header("Access-Control-Expose-Headers").unwrap();
    assert_eq!(exposed, licswap_sim::GRAPH_EXPOSED_HEADERS);
    assert!(exposed.contains("request-id") && exposed.contains("Location"));
    assert!(!exposed.to_ascii_lowercase().contains("retry-after"), "a page cannot read Retry-After");
    let req = HttpRequest {
        method: Method::Post,
        url: url(h, "/common/oauth2/v2.0/token"),
        headers: vec![("Origin".into(), ORIGIN.into())],
        body: Some("client_id=x".into()),
    };
    let r = h.send(req);
    assert_eq!(r.status, 400);
    assert_eq!(r.header("Access-Control-Allow-Origin"), Some(ORIGIN), "the SPA reads token errors too");
});

fn refresh(h: &mut dyn Harness, rt: &str) -> (u16, Value) {
    token(
        h,
        &[("client_id", DEFAULT_CLIENT_ID), ("grant_type", "refresh_token"), ("refresh_token", rt)],
        true,
    )
}

both!(
    spa_refresh_tokens_end_24_hours_after_the_sign_in_however_often_refreshed,
    auth_config(),
    |h: &mut dyn Harness| {
        // v2-oauth2-auth-code-flow: an SPA's refresh token "expires after 24 hours. Additional refresh
        // tokens acquired using the initial refresh token carry over that expiration time".
        let (_, loc, _) = authorize(h, READ, REDIRECT, Some(&s256(VERIFIER)));
        let (_, tok) = redeem(h, &code_of(&loc.unwrap()), VERIFIER, REDIRECT);
        assert_eq!(tok["refresh_token_expires_in"], 86_400);
        h.wait(23 * 3_600_000);
        let (status, v) = refresh(h, tok["refresh_token"].as_str().unwrap());
        assert_eq!(status, 200, "{v}");
        assert_eq!(v["refresh_token_expires_in"], 3_600, "the new refresh token keeps the sign-in's expiry");
        let second = v["refresh_token"].as_str().unwrap().to_string();
        h.wait(3_600_000);
        assert_eq!(refresh(h, &second).0, 200, "valid up to the 24th hour");
        h.wait(1);
        let (status, v) = refresh(h, &second);
        assert_eq!((status, v["error"].as_str(), aadsts(&v)), (400, Some("invalid_grant"), 700084));
    }
);

fn license_admin_config() -> SimConfig {
    auth_config()
}

both!(
    a_license_administrator_needs_an_administrator_to_consent_first,
    license_admin_config(),
    |h: &mut dyn Harness| {
        h.with_sim(&mut |s| s.set_signed_in_roles(&["License Administrator"]));
        // Entra's "Need admin approval" page: the app does not get control back by itself.
        let (status, loc, body) = authorize(h, READ, REDIRECT, Some(&s256(VERIFIER)));
        assert_eq!((status, loc), (200, None));
        assert!(body.contains("Need admin approval") && body.contains("AADSTS90094"), "{body}");
        // "Return to the application without granting consent" carries the error and the state.
        let start = body.find("id=\"return\" href=\"").unwrap() + "id=\"return\" href=\"".len();
        let back = body[start..].split('"').next().unwrap().replace("&amp;", "&");
        let t = Target::parse(&back);
        assert!(back.starts_with(REDIRECT));
        assert_eq!((t.param("error"), t.param("state")), (Some("access_denied"), Some("st-42")));
        assert!(t.param("error_description").unwrap().starts_with("AADSTS90094"));
        // User.Read alone needs no administrator.
        let (status, _, _) =
            authorize(h, "openid https://graph.microsoft.com/User.Read", REDIRECT, Some(&s256(VERIFIER)));
        assert_eq!(status, 302);
        // An administrator grants consent tenant-wide through the admin-consent endpoint.
        let q = pairs(&[("client_id", DEFAULT_CLIENT_ID), ("redirect_uri", REDIRECT), ("state", "ac-1")]);
        let r = h.send(HttpRequest::get(url(h, &format!("/contosodemo.onmicrosoft.com/adminconsent?{q}"))));
        assert_eq!(r.status, 302);
        let t = Target::parse(r.header("Location").unwrap());
        assert_eq!((t.param("admin_consent"), t.param("state")), (Some("True"), Some("ac-1")));
        assert!(t
            .param("scope")
            .unwrap()
            .contains("https://graph.microsoft.com/LicenseAssignment.ReadWrite.All"));
        // Now the License Administrator signs in, and gets the write scope without a prompt.
        let (status, loc, _) = authorize(h, READ, REDIRECT, Some(&s256(VERIFIER)));
        assert_eq!(status, 302);
        assert_eq!(redeem(h, &code_of(&loc.unwrap()), VERIFIER, REDIRECT).0, 200);
        let write = "https://graph.microsoft.com/LicenseAssignment.ReadWrite.All";
        let (status, loc, _) = authorize(h, write, REDIRECT, Some(&s256(VERIFIER)));
        assert_eq!(status, 302);
        let (_, tok) = redeem(h, &code_of(&loc.unwrap()), VERIFIER, REDIRECT);
        let user = user_id(h, &is_plain_e1);
        let req = HttpRequest::post_json(
            url(h, &format!("/v1.0/users/{user}/assignLicense")),
            swap_body(E3, E1).to_string(),
        )
        .with_header("Authorization", format!("Bearer {}", tok["access_token"].as_str().unwrap()));
        assert_eq!(h.send(req).status, 200, "a License Administrator may assign licenses");
    }
);

both!(admin_consent_refuses_unknown_apps_and_unregistered_redirects, auth_config(), |h: &mut dyn Harness| {
    let r = h.send(HttpRequest::get(url(h, "/organizations/v2.0/adminconsent?client_id=nope")));
    assert!(r.status == 400 && r.body.contains("AADSTS700016"));
    let q = pairs(&[("client_id", DEFAULT_CLIENT_ID), ("redirect_uri", "https://evil.example/")]);
    let r = h.send(HttpRequest::get(url(h, &format!("/organizations/v2.0/adminconsent?{q}"))));
    assert!(r.status == 400 && r.body.contains("AADSTS50011"));
});

both!(
    a_user_without_a_licensing_role_is_refused_even_with_the_scope,
    auth_config(),
    |h: &mut dyn Harness| {
        let mut tok = String::new();
        h.with_sim(&mut |s| {
            s.set_signed_in_roles(&["Global Reader"]);
            tok = s.issue_token(
                DEFAULT_CLIENT_ID,
                &["User.Read.All", "LicenseAssignment.ReadWrite.All"],
                START_MS,
            );
        });
        let user = user_id(h, &is_plain_e1);
        let assign = |h: &mut dyn Harness| {
            let req = HttpRequest::post_json(
                url(h, &format!("/v1.0/users/{user}/assignLicense")),
                swap_body(E3, E1).to_string(),
            )
            .with_header("Authorization", format!("Bearer {tok}"));
            let r = h.send(req);
            (r.status, parse(&r))
        };
        let (status, v) = assign(h);
        assert_eq!((status, error_code(&v)), (403, "Authorization_RequestDenied"));
        assert_eq!(error_message(&v), "Insufficient privileges to complete the operation.");
        assert_eq!(graph_get(h, "/v1.0/users?$top=1", &tok).0, 200, "reading needs no role");
        h.with_sim(&mut |s| s.set_signed_in_roles(&["User Administrator"]));
        assert_eq!(assign(h).0, 200);
    }
);
