//! Verify: read the target of every action of the plan back (done, failed, stale or never sent
//! alike) and compare it with the action's intended end state, so the report says the tenant's
//! truth per action, not the journal's. "The tenant matches the plan" only when every action's
//! effect is there. Reads may lag writes
//! (<https://devblogs.microsoft.com/identity/designing-for-eventual-consistency-for-microsoft-entra/>),
//! so [`verify_after_lag`] reads a difference again once the read lag has passed.
use super::api::{ApiError, LicenseApi, TargetState};
use super::journal::{EntryState, Journal};
use super::evidence::effect_mismatches;
use super::run::batch_len;
use crate::graph::http::Clock;
use crate::plan::{Action, Plan, Subject};

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
    /// Not done in the journal (its state label), and the tenant agrees: the change is not there.
    NotApplied(String),
    /// The tenant shows the change although the journal says otherwise (its state label): the
    /// call landed and its answer was lost or misread.
    AppliedDespiteJournal(String),
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
    /// Actions whose effect the tenant shows (whatever the journal says).
    pub fn ok(&self) -> usize {
        self.count(|o| matches!(o, VerifyOutcome::Ok | VerifyOutcome::AppliedDespiteJournal(_)))
    }

    pub fn not_applied(&self) -> usize {
        self.count(|o| matches!(o, VerifyOutcome::NotApplied(_)))
    }

    /// Actions the journal does not call done although the tenant shows their change.
    pub fn applied_despite_journal(&self) -> usize {
        self.count(|o| matches!(o, VerifyOutcome::AppliedDespiteJournal(_)))
    }

    pub fn mismatched(&self) -> usize {
        self.count(|o| matches!(o, VerifyOutcome::Mismatch(_)))
    }

    pub fn errors(&self) -> usize {
        self.count(|o| matches!(o, VerifyOutcome::Error { .. }))
    }

    /// The tenant matches the plan: every action's effect is there.
    pub fn all_ok(&self) -> bool {
        self.ok() == self.items.len()
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
    remedy_for(&error.code, error.status, &error.message, error.is_retryable())
}

/// What to do about a call the journal records as failed, from the code and message it kept.
/// The journal keeps no HTTP status; a call that never left ([`ApiError::UNREACHABLE`]) is one
/// worth trying again.
pub fn failure_remedy(code: &str, message: &str) -> String {
    remedy_for(code, None, message, code == ApiError::UNREACHABLE)
}

/// [`remedy`] from an error's parts: Graph's code, the HTTP status when there was one, Graph's
/// message, and whether the call is worth retrying.
fn remedy_for(code: &str, status: Option<u16>, message: &str, retryable: bool) -> String {
    let not_found = status == Some(404) || code == ApiError::NOT_FOUND;
    let text = if not_found {
        "The user or group was deleted after planning: re-plan without it."
    } else if code == "Authorization_RequestDenied" || status == Some(403) {
        // https://learn.microsoft.com/graph/api/user-assignlicense (and group-assignlicense,
        // user-list, group-list-members): the delegated permissions and the directory roles
        // that may assign licenses; admin consent:
        // https://learn.microsoft.com/entra/identity/enterprise-apps/grant-admin-consent
        "Graph refused this for lack of a permission or a role. licswap needs the delegated \
         permissions User.Read.All, GroupMember.Read.All, LicenseAssignment.Read.All and, to apply, \
         LicenseAssignment.ReadWrite.All, granted for the tenant by an administrator who may consent \
         (Global, Privileged Role, Cloud Application or Application Administrator: Entra admin \
         center > App registrations > this app > API permissions > Grant admin consent); and the \
         signed-in account needs a role that may assign licenses (License Administrator or User \
         Administrator; Groups Administrator for groups). Then sign in again and retry."
    } else if status == Some(401) {
        "The sign-in expired: sign in again, then run verify again."
    } else if status == Some(429) || code == "TooManyRequests" {
        "Graph is throttling this tenant: wait a few minutes, then run verify again."
    } else if status.is_some_and(|s| s >= 500) || retryable {
        "Graph or the network had a transient problem: run verify again."
    } else if code.contains("CountViolation") || message.to_ascii_lowercase().contains("available licenses") {
        "Not enough licenses of the target product: buy or free seats, then re-run."
    } else if message.to_ascii_lowercase().contains("usage location") {
        "Set the user's usage location (Entra admin center > user > Properties), then re-plan."
    } else {
        "Check the error in the Entra admin center (user or group > Licenses), fix it, and re-plan."
    };
    text.to_string()
}

/// Reads back the target of every action of the plan (batches of `batch_size`) and compares.
pub async fn verify<A: LicenseApi>(
    api: &A,
    plan: &Plan,
    journal: &Journal,
    batch_size: usize,
) -> VerifyReport {
    let actions: Vec<&Action> = plan.actions().collect();
    let items = read_and_judge(api, &actions, journal, batch_size).await;
    VerifyReport { items }
}

/// [`verify`], then, after `read_lag_ms`, every action whose effect was not seen is read once
/// more: a replica that had not caught up with our writes yet has by then.
pub async fn verify_after_lag<A: LicenseApi, C: Clock>(
    api: &A,
    clock: &C,
    read_lag_ms: u64,
    plan: &Plan,
    journal: &Journal,
    batch_size: usize,
) -> VerifyReport {
    let mut report = verify(api, plan, journal, batch_size).await;
    let again: Vec<&Action> = plan
        .actions()
        .filter(|a| report.item(&a.id).is_some_and(|i| !matches!(i.outcome, VerifyOutcome::Ok)))
        .collect();
    if again.is_empty() || read_lag_ms == 0 {
        return report;
    }
    clock.sleep(read_lag_ms).await;
    for item in read_and_judge(api, &again, journal, batch_size).await {
        if let Some(slot) = report.items.iter_mut().find(|i| i.action_id == item.action_id) {
            *slot = item;
        }
    }
    report
}

async fn read_and_judge<A: LicenseApi>(
    api: &A,
    actions: &[&Action],
    journal: &Journal,
    batch_size: usize,
) -> Vec<VerifyItem> {
    let mut items = Vec::with_capacity(actions.len());
    for chunk in actions.chunks(batch_len(batch_size)) {
        let subjects: Vec<Subject> = chunk.iter().map(|a| Subject::clone(&a.target)).collect();
        let reads = api.read_targets(&subjects).await;
        for (k, action) in chunk.iter().enumerate() {
            let read = reads
                .get(k)
                .cloned()
                .unwrap_or_else(|| Err(ApiError::response_lost("missing from the answer")));
            let journaled = journal.state(&action.id);
            let (outcome, now_fingerprint) = match read {
                Ok(state) => judge(action, &state, journaled),
                Err(e) => (
                    VerifyOutcome::Error {
                        code: e.code.clone(),
                        message: e.message.clone(),
                        remedy: remedy(&e),
                    },
                    None,
                ),
            };
            items.push(VerifyItem {
                action_id: action.id.to_string(),
                target: Subject::clone(&action.target),
                outcome,
                now_fingerprint,
            });
        }
    }
    items
}

fn judge(action: &Action, state: &TargetState, journaled: Option<&EntryState>) -> (VerifyOutcome, Option<String>) {
    let mismatches = effect_mismatches(action, state);
    let done = journaled == Some(&EntryState::Done);
    let label = || journaled.map_or("unknown", |s| s.label()).to_string();
    let outcome = match (mismatches.is_empty(), done) {
        (true, true) => VerifyOutcome::Ok,
        (true, false) => VerifyOutcome::AppliedDespiteJournal(label()),
        (false, true) => VerifyOutcome::Mismatch(mismatches),
        (false, false) => VerifyOutcome::NotApplied(label()),
    };
    (outcome, Some(state.fingerprint()))
}
