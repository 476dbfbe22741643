//! The app's boot and mode machine: at start-up, decides how the app reaches a tenant (a sign-in
//! coming back, config.json, a remembered configuration, or the demo tenant) and connects the
//! Graph client for it; later, signing out, switching to the demo tenant, an expired sign-in and
//! the consent steps before applying and before reprocessing. The redirects themselves are
//! `auth::flow`'s.
use crate::auth::flow;
use crate::config::{Config, ScopeSet, REPROCESS_SCOPE, WRITE_SCOPE};
use crate::config_file::{fetch_config_file, ConfigFile};
use crate::state::{AppState, Mode};
use crate::storage::{self, keys, Area};
use leptos::prelude::*;

/// Decides the mode: a sign-in redirect coming back, config.json, a remembered configuration, or
/// the demo tenant.
pub async fn start(state: AppState) {
    let session = state.session();
    // The sign-in cannot be renewed: back to the sign-in screen (this state is the page's one).
    session.on_expired(move || expired(state));
    let search = flow::sign_in_response();
    crate::kept_run::drop_expired();
    let file = fetch_config_file().await;
    if flow::is_sign_in_response(&search) {
        let file_cfg = match &file {
            ConfigFile::Valid(c) => Some(c),
            _ => None,
        };
        match flow::finish_redirect(&session, &search, file_cfg).await {
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
    let mode = match file {
        ConfigFile::Valid(c) => live(state, c),
        ConfigFile::Invalid(e) => Mode::NeedsConfig { error: Some(e) },
        // What this browser remembers never names endpoints (see Config::remembered). Read only
        // here: a configured tenant's first screen does without it.
        ConfigFile::Absent => match remembered_config() {
            Some(c) => live(state, c),
            None => Mode::Demo,
        },
    };
    enter(state, mode);
}

/// The configuration this browser remembers, when it is still valid: without config.json it is
/// the tenant the app opens (else the demo's).
pub fn remembered_config() -> Option<Config> {
    storage::get_json::<Config>(Area::Local, keys::CONFIG).and_then(|c| c.remembered().validated().ok())
}

fn live(state: AppState, config: Config) -> Mode {
    let signed_in = state.session().restore(&config);
    Mode::Live { config, signed_in }
}

/// Whether this tab has a run that has not finished (sign-out then asks whether to keep it).
pub fn unfinished_run() -> bool {
    crate::journal_store::unfinished()
}

/// Signs out: tokens, loaded data, the wizard's choices and every plan and journal go; the
/// configuration stays. An unfinished run is kept only when the admin chose `keep_run`, and then
/// only for this tenant and app registration, until it expires (see kept_run).
pub fn sign_out(state: AppState, keep_run: bool) {
    let config = match state.mode.get_untracked() {
        Mode::Live { config, .. } => Some(config),
        _ => None,
    };
    state.session().clear();
    let kept = keep_run && unfinished_run() && config.as_ref().is_some_and(crate::kept_run::keep_for_later);
    if kept {
        storage::remove(Area::Session, keys::APPLY_PLAN);
    } else {
        crate::kept_run::forget_all();
    }
    state.forget_tenant_data();
    let mode = match state.mode.get_untracked() {
        Mode::Live { config, .. } => Mode::Live { config, signed_in: false },
        m => m,
    };
    enter(state, mode);
    // enter() names the configured tenant again; nothing of the last session's data stays.
    state.tenant_name.set(None);
}

/// Forgets the remembered configuration and the tenant's data, and opens the demo tenant.
pub fn use_demo(state: AppState) {
    state.session().clear();
    storage::remove(Area::Local, keys::CONFIG);
    state.forget_tenant_data();
    enter(state, Mode::Demo);
    state.go(crate::routes::Route::Overview);
}

/// The sign-in could not be renewed: back to the sign-in screen, keeping the current screen (and
/// any plan or journal) to return to.
fn expired(state: AppState) {
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

/// Switches mode and connects the Graph client for it.
pub fn enter(state: AppState, mode: Mode) {
    if let Err(e) = crate::loads::connect(state, &mode) {
        state.notice.set(Some(e));
    }
    state.mode.set(mode);
}

/// Before applying in a real tenant, the token must carry the write scope: when it does not,
/// the plan is saved and the browser goes to Entra for consent, coming back to the apply screen.
/// Returns true when applying can go ahead now.
pub fn ensure_write_consent(state: AppState, plan: &licswap_core::plan::Plan) -> bool {
    ensure_consent(state, plan, ScopeSet::WRITE, WRITE_SCOPE, "#/apply")
}

/// Before reprocessing members in a real tenant (after a fix was applied), the token must carry
/// User.ReadWrite.All: when it does not, the applied plan is kept (its journal already is) and the
/// browser goes to Entra for consent, coming back to the report, where the admin reprocesses.
/// Returns true when reprocessing can go ahead now.
pub fn ensure_reprocess_consent(state: AppState, plan: &licswap_core::plan::Plan) -> bool {
    ensure_consent(state, plan, ScopeSet::REPROCESS, REPROCESS_SCOPE, "#/report")
}

/// Incremental consent: true when the token already carries `scope` (or no sign-in is involved:
/// the demo tenant); otherwise keeps `plan` for the screen at `back` and goes to Entra asking for
/// the read scopes plus `set`.
fn ensure_consent(
    state: AppState,
    plan: &licswap_core::plan::Plan,
    set: ScopeSet,
    scope: &str,
    back: &str,
) -> bool {
    let Mode::Live { config, .. } = state.mode.get_untracked() else {
        return true;
    };
    if state.session().has_scope(scope) {
        return true;
    }
    if !crate::apply_run::remember_plan(plan) {
        state.notice.set(Some(
            "This browser refused to keep the plan during the consent step (storage full or off).".into(),
        ));
        return false;
    }
    if let Err(e) = flow::sign_in(&config, set, back) {
        state.notice.set(Some(e));
    }
    false
}
