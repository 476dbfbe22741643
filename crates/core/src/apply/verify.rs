//! Verify: read every applied target back and compare it with the plan's intended end state.
use super::api::{ApiError, LicenseApi, TargetState};
use super::journal::{EntryState, Journal};
use super::resume::effect_mismatches;
use crate::plan::{Plan, Subject};

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum VerifyOutcome {
    Ok,
    /// What differs from the intended end state.
    Mismatch(Vec<String>),
    /// The target could not be read.
    Error {
        code: String,
        message: String,
        remedy: String,
    },
    /// Not done in the journal (its state label): nothing to verify.
    NotApplied(String),
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct VerifyItem {
    pub action_id: String,
    pub target: Subject,
    pub outcome: VerifyOutcome,
    /// The target's fingerprint as read now (a rollback of this action is stamped with it).
    pub now_fingerprint: Option<String>,
}

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct VerifyReport {
    pub items: Vec<VerifyItem>,
}

impl VerifyReport {
    pub fn ok(&self) -> usize {
        self.count(|o| matches!(o, VerifyOutcome::Ok))
    }

    pub fn mismatched(&self) -> usize {
        self.count(|o| matches!(o, VerifyOutcome::Mismatch(_)))
    }

    pub fn errors(&self) -> usize {
        self.count(|o| matches!(o, VerifyOutcome::Error { .. }))
    }

    pub fn all_ok(&self) -> bool {
        self.items.iter().all(|i| matches!(i.outcome, VerifyOutcome::Ok | VerifyOutcome::NotApplied(_)))
    }

    pub fn item(&self, action_id: &str) -> Option<&VerifyItem> {
        self.items.iter().find(|i| i.action_id == action_id)
    }

    fn count(&self, f: impl Fn(&VerifyOutcome) -> bool) -> usize {
        self.items.iter().filter(|i| f(&i.outcome)).count()
    }
}

/// What an admin can do about a Graph error, in words.
pub fn remedy(error: &ApiError) -> String {
    let code = error.code.as_str();
    let text = if error.is_not_found() {
        "The user or group was deleted after planning: re-plan without it."
    } else if code == "Authorization_RequestDenied" || error.status == Some(403) {
        "Sign in as a License Administrator (or User Administrator) and consent to \
         LicenseAssignment.ReadWrite.All, then run verify again."
    } else if error.status == Some(401) {
        "The sign-in expired: sign in again, then run verify again."
    } else if error.status == Some(429) || code == "TooManyRequests" {
        "Graph is throttling this tenant: wait a few minutes, then run verify again."
    } else if error.status.is_some_and(|s| s >= 500) || error.is_retryable() {
        "Graph or the network had a transient problem: run verify again."
    } else if code.contains("CountViolation")
        || error.message.to_ascii_lowercase().contains("available licenses")
    {
        "Not enough licenses of the target product: buy or free seats, then re-run."
    } else if error.message.to_ascii_lowercase().contains("usage location") {
        "Set the user's usage location (Entra admin center > user > Properties), then re-plan."
    } else {
        "Check the error in the Entra admin center (user or group > Licenses), fix it, and re-plan."
    };
    text.to_string()
}

/// Reads back every action done in `journal` (batches of `batch_size`) and compares.
pub async fn verify<A: LicenseApi>(
    api: &A,
    plan: &Plan,
    journal: &Journal,
    batch_size: usize,
) -> VerifyReport {
    let mut report = VerifyReport::default();
    let mut to_read = Vec::new();
    for action in plan.actions() {
        match journal.state(&action.id) {
            Some(EntryState::Done) => to_read.push(action),
            other => report.items.push(VerifyItem {
                action_id: action.id.clone(),
                target: Subject::clone(&action.target),
                outcome: VerifyOutcome::NotApplied(other.map_or("unknown", |s| s.label()).to_string()),
                now_fingerprint: None,
            }),
        }
    }
    for chunk in to_read.chunks(batch_size.clamp(1, 20)) {
        let subjects: Vec<Subject> = chunk.iter().map(|a| Subject::clone(&a.target)).collect();
        let reads = api.read_targets(&subjects).await;
        for (k, action) in chunk.iter().enumerate() {
            let read = reads
                .get(k)
                .cloned()
                .unwrap_or_else(|| Err(ApiError::response_lost("missing from the answer")));
            let (outcome, now_fingerprint) = match read {
                Ok(state) => judge(action, &state),
                Err(e) => (
                    VerifyOutcome::Error {
                        code: e.code.clone(),
                        message: e.message.clone(),
                        remedy: remedy(&e),
                    },
                    None,
                ),
            };
            report.items.push(VerifyItem {
                action_id: action.id.clone(),
                target: Subject::clone(&action.target),
                outcome,
                now_fingerprint,
            });
        }
    }
    // Plan order, as the admin reads it.
    let order: std::collections::HashMap<&str, usize> =
        plan.actions().enumerate().map(|(i, a)| (a.id.as_str(), i)).collect();
    report.items.sort_by_key(|i| order.get(i.action_id.as_str()).copied());
    report
}

fn judge(action: &crate::plan::Action, state: &TargetState) -> (VerifyOutcome, Option<String>) {
    let mismatches = effect_mismatches(action, state);
    let outcome = if mismatches.is_empty() { VerifyOutcome::Ok } else { VerifyOutcome::Mismatch(mismatches) };
    (outcome, Some(state.fingerprint()))
}
