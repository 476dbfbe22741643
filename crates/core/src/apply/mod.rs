//! Apply, verify, resume: runs a [`Plan`](crate::plan::Plan) against Graph through
//! [`LicenseApi`], journaling every step so nothing is lost or repeated across reloads.
mod api;
mod control;
mod executor;
mod graph_api;
mod journal;
mod phase;
mod progress;
mod report;
mod resume;
mod rollback;
mod settle;
mod store;
mod verify;

pub use api::{ApiError, ApiErrorKind, GroupProcessing, LicenseApi, TargetState};
pub use control::{Control, ControlState};
pub use executor::{ApplyConfig, ApplyError, Executor, RunOutcome, RunReport, StaleTarget};
pub use graph_api::{api_error, GraphLicenseApi};
pub use journal::{plan_hash, Counts, Entry, EntryState, Journal, JournalDelta, JOURNAL_VERSION};
pub use progress::{Progress, RunStatus};
pub use report::{csv_field, report_csv, report_json, report_rows, ReportRow};
pub use resume::{
    effect_mismatches, fingerprint_outside, is_ready, judge_pending, judge_unknown, Evidence, Readiness,
};
pub use rollback::{rollback_plan, RollbackPlan};
pub use settle::{member_outcomes, settle_group, GroupSettleReport, MemberOutcome, MemberReport};
pub use store::{JournalStore, MemoryStore, StoreError};
pub use verify::{remedy, verify, VerifyItem, VerifyOutcome, VerifyReport};
