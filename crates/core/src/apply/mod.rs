//! Apply, verify, resume: runs a [`Plan`](crate::plan::Plan) against Graph through
//! [`LicenseApi`], journaling every step so nothing is lost or repeated across reloads.
//!
//! How the app drives it (everything is single-threaded; no future is `Send`):
//! ```text
//! let api = GraphLicenseApi::new(&client);            // or any LicenseApi
//! let store = /* JournalStore on browser storage, keyed by plan_hash(&plan) */;
//! let control = Control::new();                       // keep a clone for the Pause/Cancel buttons
//! let ex = Executor::new(&api, &clock, &store, ApplyConfig::default(), control.clone());
//! let report = ex.run(&plan, &mut |p: &RunProgress| { /* progress bar */ }).await?;
//! // report.outcome, report.stale (offer re-planning), report.groups (member outcomes)
//! let checked = verify(&api, &plan, &report.journal, 20).await;
//! let csv = report_csv(&plan, &report.journal, Some(&checked));
//! let undo = rollback_plan(&plan, &report.journal, &checked); // run undo.plan like any plan,
//!                                                             // with its own store
//! ```
//! Calling `run` again with the same store resumes: finished actions are skipped, actions in
//! flight when the page died are read back first, cancelled ones stay cancelled until
//! [`Journal::reopen_retryable`].
mod api;
mod control;
mod evidence;
mod executor;
mod graph_api;
mod guard;
mod journal;
mod phase;
mod progress;
mod report;
mod rollback;
mod run;
mod seats;
mod settle;
#[cfg(any(test, feature = "test-support"))]
mod memory_store;
mod store;
mod verify;

pub use api::{ApiError, ApiErrorKind, GroupProcessing, LicenseApi, TargetState};
pub use control::{Control, ControlState};
pub use evidence::{
    effect_mismatches, fingerprint_outside, is_ready, judge_pending, judge_unknown, Evidence, Readiness,
};
pub use executor::Executor;
pub use graph_api::{api_error, GraphLicenseApi};
pub use guard::{check_write, Refusal, REFUSED_CODE};
pub use journal::{plan_hash, Counts, Entry, EntryState, Journal, JournalDelta, JOURNAL_VERSION};
pub use progress::{RunProgress, RunStatus};
pub use report::{
    csv_field, report_csv, report_csv_with, report_json, report_members_csv, report_rows, set_aside_csv,
    set_aside_rows, waived_plans, ReportRow, RowAction, RowState, WaivedPlan,
};
pub use rollback::{rollback_plan, RollbackPlan};
pub use run::{ApplyConfig, ApplyError, RunOutcome, RunReport, StaleTarget};
pub use settle::{member_outcomes, settle_group, GroupSettleReport, MemberOutcome, MemberReport};
#[cfg(any(test, feature = "test-support"))]
pub use memory_store::MemoryStore;
pub use store::{JournalStore, StoreError};
pub use verify::{failure_remedy, remedy, verify, verify_after_lag, VerifyItem, VerifyOutcome, VerifyReport};
