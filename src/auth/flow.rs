//! The sign-in redirects: to Entra with a PKCE challenge (read scopes, plus the write scope when
//! applying or the reprocess scope when reprocessing members), and back: the response checked against the request and the code redeemed. What the
//! app does with the result (its mode) is `app_mode`'s.
use super::errors::{explain_with_consent, ConsentTarget};
use super::pkce::{authorize_url, new_pkce, new_state, query_param};
use super::session::Session;
use crate::config::{Config, ScopeSet};
use crate::storage::{self, keys, Area};
use serde::{Deserialize, Serialize};
use std::rc::Rc;

/// What this tab remembers while Entra has the browser: the PKCE verifier and the state to
/// check, the configuration used, and where to come back to.
#[derive(Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct PendingAuth {
    verifier: String,
    state: String,
    config: Config,
    return_hash: String,
    scopes: String,
}

/// Goes to Entra to sign in (read scopes, plus the permissions `set` adds), coming back to
/// `return_hash`.
pub fn sign_in(cfg: &Config, set: ScopeSet, return_hash: &str) -> Result<(), String> {
    let cfg = cfg.clone().validated()?;
    check_redirect_origin(&cfg)?;
    let pkce = new_pkce();
    let state = new_state();
    let scopes = cfg.scopes(set);
    let url = authorize_url(&cfg, &crate::config_file::redirect_uri_or_page(&cfg), &scopes, &state, &pkce.challenge);
    let pending = PendingAuth {
        verifier: pkce.verifier,
        state,
        config: cfg.clone(),
        return_hash: return_hash.to_string(),
        scopes,
    };
    if !storage::set_json(Area::Session, keys::PENDING_AUTH, &pending) {
        return Err("This browser refused to keep the sign-in state (session storage is off). Allow site storage and try again.".into());
    }
    // Remembered for the next visit without its endpoints: those only ever come from config.json.
    storage::set_json(Area::Local, keys::CONFIG, &cfg.clone().remembered());
    let loc = web_sys::window().map(|w| w.location()).ok_or("no window")?;
    loc.assign(&url).map_err(|_| "The browser refused to open the sign-in page.".to_string())
}

/// A configured redirect URI must come back to this page's origin: the code (and the page that
/// redeems it) stays here.
fn check_redirect_origin(cfg: &Config) -> Result<(), String> {
    let Some(uri) = &cfg.redirect_uri else { return Ok(()) };
    let origin = web_sys::window().and_then(|w| w.location().origin().ok()).unwrap_or_default();
    let same = uri.len() >= origin.len()
        && uri[..origin.len()].eq_ignore_ascii_case(&origin)
        && matches!(uri.as_bytes().get(origin.len()), None | Some(b'/'));
    if same {
        Ok(())
    } else {
        Err(format!("the redirect URI {uri} is not on this page's address ({origin}): fix redirectUri in config.json"))
    }
}

/// The configuration a returning sign-in was started with, checked again: endpoints are trusted
/// only when they are config.json's own (sessionStorage is not the deployer's file).
fn revalidate_pending(mut pending: Config, file: Option<&Config>) -> Result<Config, String> {
    if let Some(f) = file {
        pending.from_file =
            f.authority == pending.authority && f.graph_base_url == pending.graph_base_url && f.cloud == pending.cloud;
    }
    pending.validated()
}

/// Where a sign-in response is: after `#` (response_mode=fragment, what this app asks for), or
/// in the query (what Entra uses when a request does not say). The router's own fragments
/// (`#/...`) are never a response.
pub fn sign_in_response() -> String {
    let Some(loc) = web_sys::window().map(|w| w.location()) else { return String::new() };
    let hash = loc.hash().unwrap_or_default();
    let hash = hash.strip_prefix('#').unwrap_or(&hash);
    let is_response =
        |q: &str| query_param(q, "state").is_some() && (query_param(q, "code").is_some() || query_param(q, "error").is_some());
    if !hash.starts_with('/') && is_response(hash) {
        return hash.to_string();
    }
    loc.search().unwrap_or_default()
}

/// Replaces the address without the query (code, state), keeping the page and `hash`.
fn clean_url(hash: &str) {
    let Some(w) = web_sys::window() else { return };
    let path = w.location().pathname().unwrap_or_else(|_| "/".into());
    let hash = if hash.is_empty() { "#/".to_string() } else { hash.to_string() };
    let _ = w.history().and_then(|h| {
        h.replace_state_with_url(&wasm_bindgen::JsValue::NULL, "", Some(&format!("{path}{hash}")))
    });
}

/// Whether the address carries a sign-in response (a code or an error) to finish.
pub fn is_sign_in_response(search: &str) -> bool {
    query_param(search, "code").is_some() || query_param(search, "error").is_some()
}

/// Finishes a sign-in redirect: checks state, exchanges the code. Returns the configuration now
/// signed in, or the sentence to show.
pub async fn finish_redirect(
    session: &Rc<Session>,
    search: &str,
    file: Option<&Config>,
) -> Result<(Config, String), String> {
    let pending: Option<PendingAuth> = storage::get_json(Area::Session, keys::PENDING_AUTH);
    storage::remove(Area::Session, keys::PENDING_AUTH);
    let current_hash = web_sys::window().and_then(|w| w.location().hash().ok()).unwrap_or_default();
    // A response in the fragment is not a screen to come back to.
    let current_hash = if current_hash.starts_with("#/") { current_hash } else { "#/".to_string() };
    clean_url(pending.as_ref().map(|p| p.return_hash.as_str()).unwrap_or(&current_hash));
    let Some(p) = pending else {
        return Err("A sign-in response arrived, but this tab has no sign-in in progress (it expired, or was started in another tab). Nothing was signed in: sign in again.".into());
    };
    let back = query_param(search, "state").unwrap_or_default();
    if back != p.state {
        return Err("The sign-in response does not match the request this page sent (state mismatch), so it was refused. Nothing was signed in: sign in again.".into());
    }
    let mut p = p;
    p.config = revalidate_pending(p.config, file)
        .map_err(|e| format!("The sign-in was started with a configuration that is not allowed ({e}). Nothing was signed in."))?;
    let redirect = crate::config_file::redirect_uri_or_page(&p.config);
    if let Some(error) = query_param(search, "error") {
        let desc = query_param(search, "error_description").unwrap_or_default();
        let target = ConsentTarget {
            authority: &p.config.authority(),
            tenant: &p.config.tenant,
            client_id: &p.config.client_id,
        };
        return Err(explain_with_consent(&error, &desc, &redirect, &target));
    }
    let code = query_param(search, "code")
        .filter(|c| !c.is_empty())
        .ok_or("The sign-in response carried no code.")?;
    session
        .token_request(
        &p.config,
        &[
            ("client_id", &p.config.client_id),
            ("grant_type", "authorization_code"),
            ("code", &code),
            ("redirect_uri", &redirect),
            ("code_verifier", &p.verifier),
            ("scope", &p.scopes),
        ],
        &p.scopes,
        &redirect,
    )
    .await?;
    Ok((p.config, p.return_hash))
}

/// Where to come back to after signing in: the current screen, unless it is the sign-in screen.
pub fn current_hash() -> String {
    let hash = web_sys::window().and_then(|w| w.location().hash().ok()).unwrap_or_default();
    if hash.is_empty() || hash.starts_with("#/signin") || hash.starts_with("#/preview/") {
        "#/".into()
    } else {
        hash
    }
}

