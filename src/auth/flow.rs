//! Start-up and the sign-in redirects.
use super::errors::{explain_with_consent, ConsentTarget};
use super::pkce::{authorize_url, new_pkce, new_state, query_param};
use super::session;
use crate::config::{parse_config, Config, WRITE_SCOPE};
use crate::state::{AppState, Mode};
use crate::storage::{self, keys, Area};
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

/// What `config.json` beside index.html said.
pub enum ConfigFile {
    Absent,
    Valid(Config),
    Invalid(String),
}

pub async fn fetch_config_file() -> ConfigFile {
    let resp = match gloo_net::http::Request::get("config.json")
        .cache(web_sys::RequestCache::NoStore)
        .send()
        .await
    {
        Ok(r) => r,
        // Nothing served it at all (file://, offline): same as absent.
        Err(_) => return ConfigFile::Absent,
    };
    if resp.status() == 404 || resp.status() == 410 {
        return ConfigFile::Absent;
    }
    if !resp.ok() {
        return ConfigFile::Invalid(format!("config.json could not be read (HTTP {})", resp.status()));
    }
    let text = resp.text().await.unwrap_or_default();
    // A static host that answers every path with index.html has no config.json either.
    if text.trim_start().starts_with('<') {
        return ConfigFile::Absent;
    }
    match parse_config(&text) {
        Ok(c) => ConfigFile::Valid(c),
        Err(e) => ConfigFile::Invalid(e),
    }
}

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

/// The redirect URI: configured, else this page's own address.
pub fn redirect_uri(cfg: &Config) -> String {
    cfg.redirect_uri.clone().unwrap_or_else(crate::browser::page_base)
}

/// Goes to Entra to sign in (read scopes, plus the write scope when `write`), coming back to
/// `return_hash`.
pub fn sign_in(cfg: &Config, write: bool, return_hash: &str) -> Result<(), String> {
    let cfg = cfg.clone().validated()?;
    check_redirect_origin(&cfg)?;
    let pkce = new_pkce();
    let state = new_state();
    let scopes = cfg.scopes(write);
    let url = authorize_url(&cfg, &redirect_uri(&cfg), &scopes, &state, &pkce.challenge);
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
fn sign_in_response() -> String {
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

/// Finishes a sign-in redirect: checks state, exchanges the code. Returns the configuration now
/// signed in, or the sentence to show.
async fn finish_redirect(search: &str, file: Option<&Config>) -> Result<(Config, String), String> {
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
    let redirect = redirect_uri(&p.config);
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
    session::token_request(
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

/// Decides the mode: a sign-in redirect coming back, config.json, a remembered configuration, or
/// the demo tenant.
pub async fn start(state: AppState) {
    let search = sign_in_response();
    crate::kept_run::drop_expired();
    let file = fetch_config_file().await;
    if query_param(&search, "code").is_some() || query_param(&search, "error").is_some() {
        let file_cfg = match &file {
            ConfigFile::Valid(c) => Some(c),
            _ => None,
        };
        match finish_redirect(&search, file_cfg).await {
            Ok((cfg, back)) => {
                enter(state, Mode::Live { config: cfg, signed_in: true });
                state.route.set(crate::routes::Route::parse(&back));
                return;
            }
            Err(e) => {
                state.notice.set(Some(e));
                // The address was cleaned of the response: show the screen it now names.
                let hash = web_sys::window().and_then(|w| w.location().hash().ok()).unwrap_or_default();
                state.route.set(crate::routes::Route::parse(&hash));
            }
        }
    }
    // What this browser remembers never names endpoints (see Config::remembered).
    let remembered: Option<Config> = storage::get_json::<Config>(Area::Local, keys::CONFIG)
        .and_then(|c| c.remembered().validated().ok());
    let mode = match file {
        ConfigFile::Valid(c) => live(c),
        ConfigFile::Invalid(e) => Mode::NeedsConfig { error: Some(e) },
        ConfigFile::Absent => match remembered {
            Some(c) => live(c),
            None => Mode::Demo,
        },
    };
    enter(state, mode);
}

fn live(config: Config) -> Mode {
    let signed_in = session::restore(&config);
    Mode::Live { config, signed_in }
}

/// Whether this tab has a run that has not finished (sign-out then asks whether to keep it).
pub fn unfinished_run() -> bool {
    crate::apply_run::saved_journal().is_some_and(|j| !j.is_finished())
}

/// Signs out: tokens, loaded data, the wizard's choices and every plan and journal go; the
/// configuration stays. An unfinished run is kept only when the admin chose `keep_run`, and then
/// only for this tenant and app registration, until it expires (see kept_run).
pub fn sign_out(state: AppState, keep_run: bool) {
    let config = match state.mode.get_untracked() {
        Mode::Live { config, .. } => Some(config),
        _ => None,
    };
    session::clear();
    let kept = keep_run && unfinished_run() && config.as_ref().is_some_and(crate::kept_run::keep_for_later);
    if kept {
        storage::remove(Area::Session, keys::APPLY_PLAN);
    } else {
        crate::kept_run::forget_all();
    }
    state.plan.set(None);
    state.plan_origin.set(crate::state::PlanOrigin::Local);
    state.plan_error.set(None);
    state.snapshot.set(crate::state::Load::Idle);
    state.snapshot_source.set(String::new());
    state.form.set(Default::default());
    state.skus.set(crate::state::Load::Idle);
    state.apply.set(Default::default());
    let mode = match state.mode.get_untracked() {
        Mode::Live { config, .. } => Mode::Live { config, signed_in: false },
        m => m,
    };
    enter(state, mode);
    // enter() names the configured tenant again; nothing of the last session's data stays.
    state.tenant_name.set(None);
}

/// Forgets the remembered configuration and opens the demo tenant.
pub fn use_demo(state: AppState) {
    session::clear();
    storage::remove(Area::Local, keys::CONFIG);
    state.plan.set(None);
    state.snapshot.set(crate::state::Load::Idle);
    state.snapshot_source.set(String::new());
    enter(state, Mode::Demo);
    state.go(crate::routes::Route::Overview);
}

thread_local! {
    static APP: std::cell::Cell<Option<AppState>> = const { std::cell::Cell::new(None) };
}

/// The sign-in could not be renewed: back to the sign-in screen, keeping the current screen (and
/// any plan or journal) to return to.
pub fn expired() {
    let Some(state) = APP.with(std::cell::Cell::get) else { return };
    if let Mode::Live { config, signed_in: true } = state.mode.get_untracked() {
        // A run in progress stops sending (it has no token); its journal and this tab's plan stay,
        // so after signing in again the apply screen resumes it.
        if state.apply.with_untracked(|a| a.running) {
            crate::apply_run::pause(state);
        }
        state.notice.set(Some(
            "Your sign-in has expired and could not be renewed. Sign in again to continue.".into(),
        ));
        enter(state, Mode::Live { config, signed_in: false });
    }
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

/// Switches mode and connects the Graph client for it.
pub fn enter(state: AppState, mode: Mode) {
    APP.with(|a| a.set(Some(state)));
    if let Err(e) = crate::tenant::connect(state, &mode) {
        state.notice.set(Some(e));
    }
    state.mode.set(mode);
}

/// Before applying in a real tenant, the token must carry the write scope: when it does not,
/// the plan is saved and the browser goes to Entra for consent, coming back to the apply screen.
/// Returns true when applying can go ahead now.
pub fn ensure_write_consent(state: AppState, plan: &licswap_core::plan::Plan) -> bool {
    let Mode::Live { config, .. } = state.mode.get_untracked() else {
        return true;
    };
    if session::has_scope(WRITE_SCOPE) {
        return true;
    }
    if !crate::apply_run::remember_plan(plan) {
        state.notice.set(Some(
            "This browser refused to keep the plan during the consent step (storage full or off).".into(),
        ));
        return false;
    }
    if let Err(e) = sign_in(&config, true, "#/apply") {
        state.notice.set(Some(e));
    }
    false
}
