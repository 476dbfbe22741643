//! Four eyes: a plan's digest, the approvals a reviewer records on a shared preview, the
//! "approved preview" file that carries both, the comparison of an approved plan with a fresh
//! re-plan, and the audit record of a run. Pure: no I/O, no clock (callers pass the time).
//!
//! - [`digest`]: what a plan will write, as a SHA-256 and a short code people compare by eye.
//! - [`chain`]: approvals chained to the digest and to each other (attestations, not signatures).
//! - [`file`]: the approved-preview file and link.
//! - [`diff`]: approved plan vs re-plan: what was added, dropped or changed, and why; the
//!   approved subset that is still exactly as approved.
//! - [`audit`]: the audit record a report carries, and the `requireApprovalAbove` policy.
pub mod audit;
pub mod chain;
pub mod diff;
pub mod digest;
pub mod file;
#[cfg(test)]
mod testkit;

pub use audit::{approval_required, users_affected, AuditRecord, RunRef};
pub use chain::{append, verify_chain, Approval, ApprovalDraft, ChainError};
pub use diff::{approved_subset, compare, Change, ChangeKind, PlanDiff};
pub use digest::{plan_digest, PlanDigest};
pub use file::{ApprovedPreview, Opened};
