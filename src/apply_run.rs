//! Running a plan from the page: the journal in localStorage (saved after every batch, never a
//! token), pause/resume/cancel, verify, rollback. The executor and its rules live in
//! licswap-core; this module connects them to the browser and to the app state.
use crate::journal_store::LocalJournal;
use crate::state::{ApplyStatus, AppState, NOT_CONNECTED};
use leptos::prelude::*;
use licswap_core::apply::{
    plan_hash, rollback_plan, verify_after_lag, ApplyConfig, Control, Executor, GraphLicenseApi, Journal, JournalStore,
    RunProgress, VerifyReport,
};
use licswap_core::plan::Plan;
use std::sync::Arc;

/// Saves the plan being applied so a reload or a consent redirect in this tab can resume it
/// (see kept_run for where and why).
pub fn remember_plan(plan: &Plan) -> bool {
    crate::kept_run::remember(plan)
}

/// A run interrupted by a reload (or a consent redirect) comes back: the screens that show a plan
/// (preview, apply, report) call this when they open. Not at start-up: decoding the remembered
/// plan needs the shared-preview decoder, which the first download does not hold (the
/// first-download budget, ARCHITECTURE.md).
pub fn restore(state: AppState) {
    if state.plan.get_untracked().is_some() {
        return;
    }
    let cfg = match state.mode.get_untracked() {
        crate::state::Mode::Live { config, signed_in: true } => Some(config),
        crate::state::Mode::Demo => None,
        // Nobody is signed in: no run comes back.
        _ => return,
    };
    if let Some(plan) = crate::kept_run::recall(cfg.as_ref()) {
        crate::kept_run::adopt_kept();
        state.plan.set(Some(Arc::new(plan)));
        state.plan_origin.set(crate::state::PlanOrigin::Local);
    }
}

pub fn saved_journal() -> Option<Journal> {
    LocalJournal.load().ok().flatten()
}

/// The saved journal, when it belongs to `plan`.
pub fn journal_for(plan: &Plan) -> Option<Journal> {
    saved_journal().filter(|j| j.plan_hash == plan_hash(plan))
}

/// Drops the journal and the remembered plan (after a finished run, or on the admin's request).
pub fn discard() {
    crate::kept_run::forget_all();
}

/// True when another plan's run is unfinished in this browser.
pub fn other_unfinished(plan: &Plan) -> Option<Journal> {
    saved_journal().filter(|j| j.plan_hash != plan_hash(plan) && !j.is_finished())
}

/// Runs (or resumes) `plan`; progress and the report land in `state.apply`.
pub fn start(state: AppState, plan: Arc<Plan>) {
    let Some(c) = state.client() else {
        state.apply.update(|a| a.error = Some(NOT_CONNECTED.into()));
        return;
    };
    // A finished journal of an earlier plan is history: it does not stop a new run.
    if let Some(j) = saved_journal() {
        if j.plan_hash != plan_hash(&plan) && j.is_finished() {
            crate::journal_store::remove_all();
        }
    }
    if !remember_plan(&plan) {
        state.notice.set(Some(
            "This plan is too large to keep in this browser's storage: keep the page open until the run ends. \
             If it closes, plan again: users already swapped show as having the target and are not touched twice."
                .into(),
        ));
    }
    let control = Control::new();
    state.control.set_value(Some(control.clone()));
    state.apply.update(|a| {
        *a = ApplyStatus { running: true, ..ApplyStatus::default() };
    });
    leptos::task::spawn_local(async move {
        let api = GraphLicenseApi::new(&*c);
        let exec = Executor::new(&api, c.clock(), &LocalJournal, ApplyConfig::default(), control);
        let mut on_progress = |p: &RunProgress| state.apply.update(|a| a.progress = Some(p.clone()));
        let result = exec.run(&plan, &mut on_progress).await;
        state.control.set_value(None);
        // The run is over: no token of this tab may still change licenses.
        state.session().drop_write_scope().await;
        state.apply.update(|a| {
            a.running = false;
            a.paused = false;
            match result {
                Ok(r) => a.report = Some(Arc::new(r)),
                Err(e) => a.error = Some(crate::text::sentence(&e.to_string())),
            }
        });
    });
}

pub fn pause(state: AppState) {
    state.control.with_value(|c| c.as_ref().map(Control::pause));
    state.apply.update(|a| a.paused = true);
}

pub fn resume(state: AppState) {
    state.control.with_value(|c| c.as_ref().map(Control::resume));
    state.apply.update(|a| a.paused = false);
}

pub fn cancel(state: AppState) {
    state.control.with_value(|c| c.as_ref().map(Control::cancel));
}

/// Reads every applied target back and compares it with the plan.
pub fn run_verify(state: AppState, plan: Arc<Plan>) {
    let Some(c) = state.client() else {
        state.apply.update(|a| a.error = Some(NOT_CONNECTED.into()));
        return;
    };
    let Some(journal) = journal_for(&plan)
        .or_else(|| state.apply.with_untracked(|a| a.report.as_ref().map(|r| r.journal.clone())))
    else {
        state.apply.update(|a| a.error = Some("Nothing was applied from this plan in this browser.".into()));
        return;
    };
    state.apply.update(|a| a.verifying = true);
    leptos::task::spawn_local(async move {
        let api = GraphLicenseApi::new(&*c);
        let lag = ApplyConfig::default().read_lag_ms;
        let report = verify_after_lag(&api, c.clock(), lag, &plan, &journal, 20).await;
        state.apply.update(|a| {
            a.verifying = false;
            a.verify = Some(Arc::new(report));
        });
    });
}

/// The rollback of what was done, as a plan to preview (and then apply like any plan).
pub fn rollback_of(plan: &Plan, verify: &VerifyReport) -> Result<(Plan, Vec<(String, String)>), String> {
    let journal = journal_for(plan).ok_or("The journal of this run is no longer in this browser.")?;
    let r = rollback_plan(plan, &journal, verify);
    Ok((r.plan, r.left_out))
}

/// Puts cancelled actions and those that failed for a transient reason back to pending, then
/// runs again. Refused and stale actions stay as they are.
pub fn retry(state: AppState, plan: Arc<Plan>) {
    if let Some(mut j) = journal_for(&plan) {
        let now = js_sys::Date::now().max(0.0) as u64;
        j.reopen_retryable(now);
        if let Err(e) = LocalJournal.save(&j) {
            state.apply.update(|a| a.error = Some(crate::text::sentence(&e.to_string())));
            return;
        }
    }
    start(state, plan);
}
