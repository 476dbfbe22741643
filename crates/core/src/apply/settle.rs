//! Waiting for group-based licensing. A group's `assignLicense` returns at once; Graph then
//! processes every member in the background. Until each member shows the new license Active (or
//! an error), removing a member's redundant direct license could leave a gap in service.
//! <https://learn.microsoft.com/en-us/entra/identity/users/licensing-group-advanced>,
//! <https://learn.microsoft.com/en-us/graph/api/group-list-memberswithlicenseerrors>
use super::api::{ApiError, GroupProcessing, LicenseApi};
use super::control::{Control, ControlState};
use crate::graph::http::Clock;
use crate::model::{same_id, LicenseState};
use crate::plan::Action;

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum MemberOutcome {
    /// The group's new license is Active on the member (or, for a removal, gone from it).
    Active,
    /// Graph reports an assignment error (CountViolation, MutuallyExclusiveViolation, ...).
    Error(String),
    /// Not processed yet.
    Pending,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MemberReport {
    pub user_id: String,
    pub name: String,
    pub outcome: MemberOutcome,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct GroupSettleReport {
    pub action_id: String,
    pub group_id: String,
    pub group_name: String,
    /// Every member is Active or in error.
    pub settled: bool,
    pub members: Vec<MemberReport>,
    pub polls: u32,
    pub waited_ms: u64,
    /// The last read error, when the group could not be read.
    pub error: Option<String>,
    /// How the outcome was read, when not the usual way (see [`GroupProcessing::note`]).
    pub note: Option<String>,
}

impl GroupSettleReport {
    pub fn errors(&self) -> impl Iterator<Item = &MemberReport> {
        self.members.iter().filter(|m| matches!(m.outcome, MemberOutcome::Error(_)))
    }
}

/// Each member's outcome for a group action.
pub fn member_outcomes(action: &Action, gp: &GroupProcessing) -> Vec<MemberReport> {
    let group_id = &action.target.id;
    let adds: Vec<&str> = action.body.add_licenses.iter().map(|l| l.sku_id.as_str()).collect();
    gp.members
        .iter()
        .map(|u| {
            let from_group = |sku: &str| {
                u.license_assignment_states.iter().find(|s| {
                    same_id(&s.sku_id, sku)
                        && s.assigned_by_group.as_deref().is_some_and(|g| same_id(g, group_id))
                })
            };
            let flagged = gp.members_with_license_errors.iter().any(|id| same_id(id, &u.id));
            let outcome = if adds.is_empty() {
                // A removal: settled when the removed SKUs no longer come from this group.
                if action.body.remove_licenses.iter().any(|s| from_group(s).is_some()) {
                    MemberOutcome::Pending
                } else {
                    MemberOutcome::Active
                }
            } else {
                let states: Vec<_> = adds.iter().map(|s| from_group(s)).collect();
                if let Some(code) = states.iter().flatten().find_map(|s| s.error_code()) {
                    MemberOutcome::Error(code.to_string())
                } else if states.iter().flatten().any(|s| s.state == Some(LicenseState::Error)) {
                    MemberOutcome::Error("Error".into())
                } else if states.iter().all(|s| s.is_some_and(|s| s.state == Some(LicenseState::Active))) {
                    MemberOutcome::Active
                } else if flagged {
                    MemberOutcome::Error("license error reported by membersWithLicenseErrors".into())
                } else {
                    MemberOutcome::Pending
                }
            };
            MemberReport { user_id: u.id.clone(), name: u.label().to_string(), outcome }
        })
        .collect()
}

/// Polls the group until every member settled, `timeout_ms` passes or the run is cancelled.
pub async fn settle_group<A: LicenseApi, C: Clock>(
    api: &A,
    clock: &C,
    action: &Action,
    poll_ms: u64,
    timeout_ms: u64,
    control: &Control,
) -> GroupSettleReport {
    let start = clock.now_ms();
    let mut report = GroupSettleReport {
        action_id: action.id.to_string(),
        group_id: action.target.id.clone(),
        group_name: action.target.name.clone(),
        settled: false,
        members: Vec::new(),
        polls: 0,
        waited_ms: 0,
        error: None,
        note: None,
    };
    loop {
        if control.state() == ControlState::Cancel {
            report.error = Some("cancelled while waiting for group processing".into());
            break;
        }
        report.polls += 1;
        match api.read_group_processing(&action.target.id).await {
            Ok(gp) => {
                report.error = None;
                report.note = gp.note.clone();
                report.members = member_outcomes(action, &gp);
                report.settled = report.members.iter().all(|m| m.outcome != MemberOutcome::Pending);
            }
            Err(e) => {
                report.error = Some(e.to_string());
                if !retry_read(&e) {
                    break;
                }
            }
        }
        report.waited_ms = clock.now_ms().saturating_sub(start);
        if report.settled || report.waited_ms >= timeout_ms {
            break;
        }
        clock.sleep(poll_ms.min(timeout_ms - report.waited_ms).max(1)).await;
    }
    report.waited_ms = clock.now_ms().saturating_sub(start);
    report
}

fn retry_read(e: &ApiError) -> bool {
    e.is_retryable() || e.kind == super::api::ApiErrorKind::ResponseLost
}
