//! The planner's inputs and outputs. These types are the contract between the planner, the apply
//! executor, the shared preview and the UI: change them with all four in mind.
use super::id_list::IdList;
pub use super::sku_list::SkuList;
use crate::model::{AssignLicenseBody, Group, SubscribedSku, User};
use crate::shared_str::SharedStr;
use serde::{Deserialize, Serialize};
use std::sync::Arc;

/// A group as the planner sees it: Graph's group plus the ids of its direct members.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SnapshotGroup {
    #[serde(flatten)]
    pub group: Group,
    #[serde(default)]
    pub member_ids: Vec<String>,
}

/// What was read from the tenant: `GET /subscribedSkus`, the users in question, the groups that
/// assign licenses to them. Field names are Graph's.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Snapshot {
    #[serde(default)]
    pub tenant_name: Option<String>,
    pub skus: Vec<SubscribedSku>,
    pub users: Vec<User>,
    #[serde(default)]
    pub groups: Vec<SnapshotGroup>,
}

/// Which users the swap is for. Users and groups are named by id (users also by UPN).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", tag = "kind", content = "ids")]
pub enum Scope {
    /// Every holder of the source SKU, direct or inherited.
    AllHolders,
    Users(Vec<String>),
    Groups(Vec<String>),
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PlanOptions {
    /// A service plan the admin disabled under the source stays disabled under the target's
    /// equivalent. On by default.
    #[serde(default = "yes")]
    pub preserve_disabled_plans: bool,
    /// Service plans (servicePlanName or servicePlanId) whose loss the admin accepts.
    #[serde(default)]
    pub waived_plans: Vec<String>,
    /// When seats run short, plan a first wave of what fits instead of blocking everything.
    #[serde(default)]
    pub allow_partial_wave: bool,
    /// Users and groups with a blocker of their own are set aside (listed in [`Plan::set_aside`],
    /// not changed, kept in the report as not done) so that the rest can be applied.
    #[serde(default)]
    pub set_aside_blocked: bool,
}

fn yes() -> bool {
    true
}

impl Default for PlanOptions {
    fn default() -> Self {
        PlanOptions {
            preserve_disabled_plans: true,
            waived_plans: Vec::new(),
            allow_partial_wave: false,
            set_aside_blocked: false,
        }
    }
}

/// The admin's request: the source SKU(s) and target SKU(s), each by skuId or skuPartNumber; one
/// SKU per side (`"source": "STANDARDPACK"`) or a bundle (`"source": ["ENTERPRISEPACK", "EMS"]`).
/// Every holder of any source gives up every source it holds and gets every target, in one
/// `assignLicense` call per user or group.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PlanRequest {
    pub source: SkuList,
    pub target: SkuList,
    pub scope: Scope,
    #[serde(default)]
    pub options: PlanOptions,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SkuSummary {
    pub sku_id: String,
    pub sku_part_number: String,
    /// Friendly product name from the catalog, else the part number.
    pub name: String,
}

/// One SKU of a bundle with its seats.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SkuSeats {
    #[serde(flatten)]
    pub sku: SkuSummary,
    /// A target: users (each group member once) who get it and do not consume it yet; 0 for a
    /// source.
    pub needed: i64,
    /// A target: prepaidUnits.enabled - consumedUnits; 0 for a source.
    pub available: i64,
    /// A target: available - needed (negative when short); 0 for a source.
    pub left_after: i64,
    /// A source: users who no longer hold it after the plan (seats it frees); 0 for a target.
    /// A source seat freed never pays for a target seat: they are seats of different SKUs.
    pub freed: i64,
}

/// Every SKU of a request that names several on one side, with its seats.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Bundle {
    pub sources: Vec<SkuSeats>,
    pub targets: Vec<SkuSeats>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum TargetKind {
    User,
    Group,
    /// A subscribed SKU (plan-wide findings: seats, unknown service plans).
    Sku,
}

impl TargetKind {
    /// The plan's own word for the kind, as serialized (`user`, `group`, `sku`): what reports
    /// write.
    pub fn as_str(self) -> &'static str {
        match self {
            TargetKind::User => "user",
            TargetKind::Group => "group",
            TargetKind::Sku => "sku",
        }
    }

    /// The word in a sentence for an admin: `user`, `group`, `license` (a SKU is a license to them).
    pub fn label(self) -> &'static str {
        match self {
            TargetKind::User => "user",
            TargetKind::Group => "group",
            TargetKind::Sku => "license",
        }
    }

    /// Graph's collection of the kind (`users`, `groups`), where its `assignLicense` is bound; a
    /// SKU has none.
    pub fn graph_collection(self) -> Option<&'static str> {
        match self {
            TargetKind::User => Some("users"),
            TargetKind::Group => Some("groups"),
            TargetKind::Sku => None,
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Subject {
    pub kind: TargetKind,
    pub id: String,
    /// UPN for a user, display name for a group.
    pub name: String,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum ActionKind {
    /// Add the target and remove the source in one `assignLicense` call.
    Swap,
    /// Remove a direct source license made redundant by a group swap (after the user shows the
    /// target Active through the group).
    RemoveRedundantDirect,
    /// An inverse action, in a rollback.
    Rollback,
    /// Remove a direct license whose plan conflicts with a group's license of another product
    /// that the group gives every service of (license health: MutuallyExclusiveViolation); the
    /// member is reprocessed after it.
    RemoveConflictingDirect,
}

impl ActionKind {
    /// The plan's own word for the kind, as serialized: what reports write.
    pub fn as_str(self) -> &'static str {
        match self {
            ActionKind::Swap => "swap",
            ActionKind::RemoveRedundantDirect => "removeRedundantDirect",
            ActionKind::Rollback => "rollback",
            ActionKind::RemoveConflictingDirect => "removeConflictingDirect",
        }
    }
}

/// One `assignLicense` call on one user or group.
///
/// `target` and `body` are shared (`Arc`): an action and its rollback name the same subject, and
/// most users of a plan get the very same body, so a 100,000-user plan holds a few bodies instead
/// of 100,000 copies of the same license lists. On the wire they are plain objects.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Action {
    /// Stable within a plan: the journal keys on it. Shared with the `undoes` of the action's
    /// rollback, so a million-user plan spells each id once (and read from a file, not pooled:
    /// ids are all different).
    #[serde(deserialize_with = "SharedStr::unpooled_de")]
    pub id: SharedStr,
    pub kind: ActionKind,
    pub target: Arc<Subject>,
    pub body: Arc<AssignLicenseBody>,
    /// [`fingerprint_user`]/[`fingerprint_group`] of the target when planned; apply refuses a
    /// target whose fingerprint changed. Shared: targets with the same licenses have the same
    /// digest, and most of a plan's targets do (the planner memoizes it).
    pub fingerprint: SharedStr,
    /// For a rollback action: the id of the forward action it undoes, so a rollback plan picks
    /// the inverse of each action done by id. Absent from forward actions, and from plans made
    /// before it was recorded (those pair by target and body, see `apply::rollback`), so they
    /// read and hash exactly as before.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "SharedStr::unpooled_de_opt"
    )]
    pub undoes: Option<SharedStr>,
}

/// Actions that may run in any order among themselves; phases run in order.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Phase {
    pub title: String,
    /// Why this phase waits for the previous one (e.g. "group processing must show the target
    /// Active on every member first").
    #[serde(default)]
    pub waits_for: Option<String>,
    pub actions: Vec<Action>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum Severity {
    Blocker,
    Warning,
    Info,
}

impl Severity {
    /// The plan's own word, as serialized (`blocker`, `warning`, `info`).
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Blocker => "blocker",
            Severity::Warning => "warning",
            Severity::Info => "info",
        }
    }

    /// The word on screen: `Blocker`, `Warning`, `Info`.
    pub fn label(self) -> &'static str {
        match self {
            Severity::Blocker => "Blocker",
            Severity::Warning => "Warning",
            Severity::Info => "Info",
        }
    }
}

/// Every rule of Microsoft's "change license assignments" procedure
/// (<https://learn.microsoft.com/entra/identity/users/licensing-groups-change-licenses>), with a
/// stable code (serialized kebab-case; never renamed).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum FindingCode {
    /// Blocker (user). Inherited through a group that is not in scope: the license cannot change
    /// on the user.
    InheritedNotDirect,
    /// Info (group). Inherited through a group that is in scope: the group's swap covers the users.
    InheritedCoveredByGroup,
    /// Info (user). Both direct and inherited: group swap first (phase 1), then the direct source
    /// goes in phase 2 (removed, or swapped when the group's target conflicts with it).
    DirectAndInherited,
    /// Blocker (SKU). The target's free seats do not cover the users who need one.
    SeatsInsufficient,
    /// Warning (SKU). Seats were short and `allowPartialWave` is on: only what fits is planned.
    PartialWave,
    /// Blocker (user, or a group held back for a member). A service enabled through the source
    /// would not be enabled afterwards (same plan or an equivalent), and is not waived.
    ServiceLoss,
    /// Warning (user). A service is lost, as the request's waiver accepts.
    ServiceLossWaived,
    /// Info (user or group). Plans off under the source stay off under the target's equivalent.
    DisabledPlansKept,
    /// Blocker (user, or a held group). A target plan cannot be enabled with a plan of another of
    /// the user's licenses (Graph: MutuallyExclusiveViolation).
    MutuallyExclusive,
    /// Blocker (user, or a held group). A plan of another license needs a plan only the source
    /// provides (Graph: DependencyViolation).
    DependentPlan,
    /// Blocker for a direct assignment (Graph refuses it), warning for a group member (the
    /// directory's location is used).
    UsageLocationMissing,
    /// Warning (user). A license is in an error state already (CountViolation, ...).
    ExistingAssignmentError,
    /// Info (group). Dynamic membership: change attributes, not members.
    DynamicGroup,
    /// Info (group). Synced from on-premises: change membership there, expect a sync delay.
    OnPremisesSyncedGroup,
    /// Warning (user). A disabled account that would consume a target seat.
    AccountDisabled,
    /// Warning (user). Inherits the source from several groups.
    SeveralGroups,
    /// Info (SKU). Plans the built-in catalog does not know: matched by servicePlanId only.
    UnknownServicePlan,
    /// Info (user or group). Holds the target already: no new seat.
    AlreadyHasTarget,
    /// Warning (user or group). Listed in the scope but does not hold the source.
    NotAHolder,
    /// Blocker (user or group). Listed in the scope but not in the snapshot.
    NotFound,
    /// Info (user or group). Holds some of a bundle's sources, not all: what it holds goes, and
    /// it gets every target.
    PartialHolder,
    /// Warning (SKU). `setAsideBlocked` is on: users and groups with a blocker of their own are set
    /// aside (not changed) and the rest is applied.
    SetAside,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Finding {
    pub code: FindingCode,
    pub severity: Severity,
    pub subject: Subject,
    pub message: String,
    pub remedy: String,
    /// Service plan names the finding is about, when any.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub plans: Vec<String>,
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SeatBudget {
    /// Targets (users, counting each group member once) that do not already consume the target.
    pub needed: i64,
    /// prepaidUnits.enabled - consumedUnits of the target SKU.
    pub available: i64,
    /// available - needed (negative when short).
    pub left_after: i64,
    /// Seats of the source that the swap frees.
    pub source_freed: i64,
}

/// Per-user service coverage, by servicePlanName: before (through the source) vs after.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Coverage {
    pub user_id: String,
    pub user: String,
    /// Enabled before and after (same plan or a known equivalent).
    pub kept: Vec<String>,
    /// Enabled after only.
    pub gained: Vec<String>,
    /// Enabled before, not after, not waived.
    pub lost: Vec<String>,
    /// Enabled before, not after, waived by the admin.
    pub waived: Vec<String>,
    /// Disabled before and kept disabled under the target's equivalent.
    pub kept_disabled: Vec<String>,
    /// Ids of the other users whose coverage is exactly this one. Users with the same licenses
    /// share one entry, so a 100,000-user plan holds a few entries, not 100,000 copies of the
    /// same lists; use [`Plan::coverage_of`] to look a user up.
    #[serde(default, skip_serializing_if = "IdList::is_empty")]
    pub also: IdList,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Plan {
    /// Format version of this structure (shared previews carry it).
    pub version: u32,
    pub request: PlanRequest,
    /// The (first) source and target SKU; a bundle lists all of them in `bundle`.
    pub source: SkuSummary,
    pub target: SkuSummary,
    /// Every source and target SKU with its seats, when the request names several on one side.
    /// Absent from single swaps, so they read and write exactly as before bundles.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bundle: Option<Bundle>,
    #[serde(default)]
    pub tenant_name: Option<String>,
    pub phases: Vec<Phase>,
    pub findings: Vec<Finding>,
    /// The target's seats; for a bundle, those of the target with the fewest left after (the
    /// one that decides whether the seats suffice), with `source_freed` counting the users who
    /// give up every source they held (each SKU's figures are in `bundle`).
    pub seats: SeatBudget,
    pub coverage: Vec<Coverage>,
    /// The inverse of every action, with the original disabledPlans, in reverse phase order.
    pub rollback: Vec<Phase>,
    /// Users and groups set aside (`setAsideBlocked`): no action changes them, and the report
    /// keeps them as not done, with why.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub set_aside: Vec<SetAside>,
}

/// A user or group left out of a plan because of blockers of its own.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SetAside {
    pub subject: Subject,
    /// The blockers that set it aside (their codes, in the plan's finding order).
    pub codes: Vec<FindingCode>,
    /// Their messages, one sentence each: why it is not done.
    pub why: Vec<String>,
    /// For a user: the groups of this plan whose swap still reaches them (a group's license
    /// changes for every member; a member cannot be left out of it), by display name.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub still_covered_by: Vec<String>,
}

pub const PLAN_VERSION: u32 = 1;

impl Plan {
    pub fn blockers(&self) -> impl Iterator<Item = &Finding> {
        self.findings.iter().filter(|f| f.severity == Severity::Blocker)
    }

    pub fn has_blockers(&self) -> bool {
        self.blockers().next().is_some()
    }

    pub fn actions(&self) -> impl Iterator<Item = &Action> {
        self.phases.iter().flat_map(|p| p.actions.iter())
    }

    /// Every source SKU with the seats it frees (one for a single swap).
    pub fn sources(&self) -> Vec<SkuSeats> {
        match &self.bundle {
            Some(b) => b.sources.clone(),
            None => vec![SkuSeats {
                sku: self.source.clone(),
                needed: 0,
                available: 0,
                left_after: 0,
                freed: self.seats.source_freed,
            }],
        }
    }

    /// Every target SKU with its seat budget (one for a single swap).
    pub fn targets(&self) -> Vec<SkuSeats> {
        match &self.bundle {
            Some(b) => b.targets.clone(),
            None => vec![SkuSeats {
                sku: self.target.clone(),
                needed: self.seats.needed,
                available: self.seats.available,
                left_after: self.seats.left_after,
                freed: 0,
            }],
        }
    }

    /// Microsoft's product names of the sources, joined with " + ".
    pub fn source_names(&self) -> String {
        self.sources().iter().map(|s| s.sku.name.as_str()).collect::<Vec<_>>().join(" + ")
    }

    /// Microsoft's product names of the targets, joined with " + ".
    pub fn target_names(&self) -> String {
        self.targets().iter().map(|s| s.sku.name.as_str()).collect::<Vec<_>>().join(" + ")
    }

    /// The skuPartNumbers of one side joined with " + " (`ENTERPRISEPACK + EMS`).
    pub fn part_numbers(side: &[SkuSeats]) -> String {
        side.iter().map(|s| s.sku.sku_part_number.as_str()).collect::<Vec<_>>().join(" + ")
    }

    /// `<sources>-to-<targets>` by skuPartNumber, for file names: `STANDARDPACK-to-ENTERPRISEPACK`,
    /// `ENTERPRISEPACK+EMS-to-SPE_E3`. Characters a file name cannot hold (part numbers such as
    /// `Office_365_w/o_Teams_Bundle_E5` have a slash) become `_`.
    pub fn file_slug(&self) -> String {
        let side = |v: Vec<SkuSeats>| {
            v.iter()
                .map(|s| {
                    s.sku.sku_part_number
                        .chars()
                        .map(|c| if c.is_ascii_alphanumeric() || "_-.".contains(c) { c } else { '_' })
                        .collect::<String>()
                })
                .collect::<Vec<_>>()
                .join("+")
        };
        format!("{}-to-{}", side(self.sources()), side(self.targets()))
    }

    /// The coverage entry that applies to a user (by id, case-insensitive).
    pub fn coverage_of(&self, user_id: &str) -> Option<&Coverage> {
        self.coverage.iter().find(|c| {
            c.user_id.eq_ignore_ascii_case(user_id) || c.also.iter().any(|a| a.eq_ignore_ascii_case(user_id))
        })
    }

    /// Every covered user id with its coverage entry.
    pub fn coverage_by_user(&self) -> impl Iterator<Item = (&str, &Coverage)> {
        self.coverage
            .iter()
            .flat_map(|c| std::iter::once(c.user_id.as_str()).chain(c.also.iter()).map(move |u| (u, c)))
    }
}

/// Why a request cannot be planned at all (as opposed to findings inside a plan).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum PlanError {
    UnknownSku(String),
    SameSku(String),
    BadInput(String),
}

impl std::fmt::Display for PlanError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            PlanError::UnknownSku(s) => write!(f, "the tenant has no subscribed SKU '{s}'"),
            PlanError::SameSku(s) => write!(f, "source and target are the same SKU ({s})"),
            PlanError::BadInput(m) => write!(f, "{m}"),
        }
    }
}

impl std::error::Error for PlanError {}

#[cfg(test)]
mod words {
    use super::*;

    /// `as_str` is the serialized name: reports and the JSON plan say the same word.
    #[test]
    fn as_str_is_the_serialized_name() {
        let json = |v: serde_json::Value| v.as_str().unwrap_or_default().to_string();
        for k in [TargetKind::User, TargetKind::Group, TargetKind::Sku] {
            assert_eq!(k.as_str(), json(serde_json::to_value(k).unwrap()));
        }
        for k in [
            ActionKind::Swap,
            ActionKind::RemoveRedundantDirect,
            ActionKind::Rollback,
            ActionKind::RemoveConflictingDirect,
        ] {
            assert_eq!(k.as_str(), json(serde_json::to_value(k).unwrap()));
        }
        for s in [Severity::Blocker, Severity::Warning, Severity::Info] {
            assert_eq!(s.as_str(), json(serde_json::to_value(s).unwrap()));
            assert!(s.label().eq_ignore_ascii_case(s.as_str()));
        }
        assert_eq!(TargetKind::Sku.graph_collection(), None);
        assert_eq!(TargetKind::Group.graph_collection(), Some("groups"));
    }
}
