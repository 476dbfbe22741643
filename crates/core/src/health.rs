//! License health: the group-licensing errors Graph records on users, what the health screen reads
//! from the tenant ([`HealthSnapshot`]), and the report the planner's diagnosis makes of it
//! ([`HealthReport`]), which the screen shows and exports.
//!
//! Microsoft's sources:
//! - the error codes and their causes: "Identify and resolve license assignment problems for a
//!   group" (<https://learn.microsoft.com/entra/identity/users/licensing-groups-resolve-problems>):
//!   group licensing records errors on the user "for future investigation and resolution" instead
//!   of failing a call, and they stay until the group or the user is processed again;
//! - `licenseAssignmentState` (<https://learn.microsoft.com/graph/api/resources/licenseassignmentstate>):
//!   `error` is one of CountViolation, MutuallyExclusiveViolation, DependencyViolation,
//!   ProhibitedInUsageLocationViolation, UniquenessViolation, Other (or None), and `state` one of
//!   Active, ActiveWithError, Disabled, Error;
//! - the group resource (<https://learn.microsoft.com/graph/api/resources/group>):
//!   `hasMembersWithLicenseErrors` ("Supports $filter (eq). Not returned on $select") and the
//!   navigation property `membersWithLicenseErrors`.
use crate::model::{LicenseAssignmentState, LicenseState, User};
use crate::plan::{Snapshot, Subject};
use serde::{Deserialize, Serialize};

/// Why group-based licensing could not give a member a license (Graph's
/// `licenseAssignmentState.error`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum LicenseErrorKind {
    /// Not enough licenses of a product of the group.
    CountViolation,
    /// A plan of the group's product conflicts with a plan the member has through another license.
    MutuallyExclusiveViolation,
    /// A plan needs another plan that would not be there (Microsoft: typically when the
    /// underlying plan is being removed, e.g. the member leaves the group).
    DependencyViolation,
    /// A service of the product is not offered in the member's usage location.
    ProhibitedInUsageLocationViolation,
    /// Exchange Online: "Proxy address is already being used".
    UniquenessViolation,
    /// Anything else Graph reports, including codes this version does not know.
    Other,
}

impl LicenseErrorKind {
    pub const ALL: [LicenseErrorKind; 6] = [
        LicenseErrorKind::CountViolation,
        LicenseErrorKind::MutuallyExclusiveViolation,
        LicenseErrorKind::DependencyViolation,
        LicenseErrorKind::ProhibitedInUsageLocationViolation,
        LicenseErrorKind::UniquenessViolation,
        LicenseErrorKind::Other,
    ];

    /// Graph's code. `None` for no error ("None", empty or absent); a code Graph may add later is
    /// [`LicenseErrorKind::Other`] (the raw code is kept beside it in a [`MemberIssue`]).
    pub fn parse(code: Option<&str>) -> Option<LicenseErrorKind> {
        let code = code.map(str::trim).filter(|c| !c.is_empty() && !c.eq_ignore_ascii_case("None"))?;
        Some(
            Self::ALL
                .into_iter()
                .find(|k| k.code().eq_ignore_ascii_case(code))
                .unwrap_or(LicenseErrorKind::Other),
        )
    }

    /// Graph's spelling.
    pub fn code(self) -> &'static str {
        match self {
            LicenseErrorKind::CountViolation => "CountViolation",
            LicenseErrorKind::MutuallyExclusiveViolation => "MutuallyExclusiveViolation",
            LicenseErrorKind::DependencyViolation => "DependencyViolation",
            LicenseErrorKind::ProhibitedInUsageLocationViolation => "ProhibitedInUsageLocationViolation",
            LicenseErrorKind::UniquenessViolation => "UniquenessViolation",
            LicenseErrorKind::Other => "Other",
        }
    }

    /// The heading Microsoft's troubleshooting page gives the problem.
    pub fn title(self) -> &'static str {
        match self {
            LicenseErrorKind::CountViolation => "Not enough licenses",
            LicenseErrorKind::MutuallyExclusiveViolation => "Conflicting service plans",
            LicenseErrorKind::DependencyViolation => "Other products depend on this license",
            LicenseErrorKind::ProhibitedInUsageLocationViolation => "Usage location isn't allowed",
            LicenseErrorKind::UniquenessViolation => "Duplicate proxy addresses",
            LicenseErrorKind::Other => "Other error",
        }
    }
}

/// The error of one license state, if it has one. An entry whose `state` reads "Error" without a
/// code is [`LicenseErrorKind::Other`]; "ActiveWithError" carries its code like "Error" does.
pub fn state_error(s: &LicenseAssignmentState) -> Option<LicenseErrorKind> {
    LicenseErrorKind::parse(s.error.as_deref())
        .or_else(|| s.state.as_ref().filter(|st| st.is_error()).map(|_| LicenseErrorKind::Other))
}

/// A user's license states that are in error, with their kind.
pub fn user_errors(user: &User) -> impl Iterator<Item = (&LicenseAssignmentState, LicenseErrorKind)> {
    user.license_assignment_states.iter().filter_map(|s| state_error(s).map(|k| (s, k)))
}

/// One group's `membersWithLicenseErrors`, as Graph listed it.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct GroupErrorList {
    pub group_id: String,
    pub member_ids: Vec<String>,
}

/// What the health screen reads: every group that assigns a license with its members and their
/// license states (in [`Snapshot`]: `groups` are the licensing groups, `users` their members),
/// the groups Graph flags with `hasMembersWithLicenseErrors`, and their `membersWithLicenseErrors`.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct HealthSnapshot {
    pub snapshot: Snapshot,
    /// Groups for which `$filter=hasMembersWithLicenseErrors eq true` answered.
    #[serde(default)]
    pub flagged_groups: Vec<String>,
    /// `membersWithLicenseErrors` of the flagged groups (empty when Graph refused the list).
    #[serde(default)]
    pub error_lists: Vec<GroupErrorList>,
    /// What could not be read and what was used instead, in words.
    #[serde(default)]
    pub notes: Vec<String>,
}

/// What the fix of an issue changes, for the planner to turn into actions.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", tag = "kind")]
pub enum Remedy {
    /// Remove the member's direct license of this SKU: the group gives every service it enables.
    RemoveDirect { sku_id: String },
    /// Turn off this plan in the member's direct license of this SKU.
    DisableDirectPlan { sku_id: String, plan_id: String },
    /// Free or buy `short` seats of this SKU.
    Seats { sku_id: String, short: i64 },
    /// Correct the member's usage location (an admin's decision: licswap does not guess it).
    UsageLocation,
    /// Change something outside licensing (another group's license, Exchange, the directory),
    /// then reprocess.
    Manual,
    /// Nothing to change; reprocess the member (Entra retries some errors by itself).
    Reprocess,
}

/// One member in error through one group (group licensing is all-or-nothing per group, so all of
/// the group's products fail together), explained.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct MemberIssue {
    pub user: Subject,
    /// The group whose licenses failed; `None` for a direct license in error.
    pub group: Option<Subject>,
    /// The products (Microsoft's names) of the failed licenses.
    pub products: Vec<String>,
    pub kind: LicenseErrorKind,
    /// Graph's code as read (may be one this version does not know).
    pub code: String,
    /// Graph's `state` (Error, ActiveWithError, Disabled).
    #[serde(default)]
    pub state: Option<LicenseState>,
    /// What failed, in words and Microsoft's product and plan names.
    pub what: String,
    /// The concrete fix.
    pub fix: String,
    pub remedy: Remedy,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct KindCount {
    pub kind: LicenseErrorKind,
    pub members: usize,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct GroupHealth {
    pub group: Subject,
    /// Members whose licenses from this group are in error (from their license states).
    pub members_in_error: usize,
    /// Graph's `hasMembersWithLicenseErrors` for the group.
    pub flagged_by_graph: bool,
}

/// The health screen's content: counts by kind, the groups with members in error, every member
/// issue explained, and notes on what could not be read.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct HealthReport {
    pub counts: Vec<KindCount>,
    pub groups: Vec<GroupHealth>,
    pub issues: Vec<MemberIssue>,
    #[serde(default)]
    pub notes: Vec<String>,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn st(error: Option<&str>, state: Option<&str>) -> LicenseAssignmentState {
        LicenseAssignmentState {
            sku_id: "s".into(),
            assigned_by_group: Some("g".into()),
            disabled_plans: vec![],
            error: error.map(Into::into),
            state: state.map(Into::into),
            last_updated_date_time: None,
        }
    }

    #[test]
    fn every_graph_code_parses_to_its_kind() {
        for k in LicenseErrorKind::ALL {
            assert_eq!(LicenseErrorKind::parse(Some(k.code())), Some(k));
            assert_eq!(LicenseErrorKind::parse(Some(&k.code().to_lowercase())), Some(k));
        }
        assert_eq!(LicenseErrorKind::parse(Some("None")), None);
        assert_eq!(LicenseErrorKind::parse(Some("")), None);
        assert_eq!(LicenseErrorKind::parse(None), None);
        // A code Graph adds later is still an error, reported as Other.
        assert_eq!(LicenseErrorKind::parse(Some("SomethingNewViolation")), Some(LicenseErrorKind::Other));
    }

    #[test]
    fn states_read_error_from_code_or_from_state() {
        assert_eq!(
            state_error(&st(Some("CountViolation"), Some("Error"))),
            Some(LicenseErrorKind::CountViolation)
        );
        assert_eq!(
            state_error(&st(Some("MutuallyExclusiveViolation"), Some("ActiveWithError"))),
            Some(LicenseErrorKind::MutuallyExclusiveViolation)
        );
        assert_eq!(state_error(&st(None, Some("Error"))), Some(LicenseErrorKind::Other));
        assert_eq!(state_error(&st(Some("None"), Some("Active"))), None);
        assert_eq!(state_error(&st(None, None)), None);
    }
}
