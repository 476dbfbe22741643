//! Direct -> group cleanup: users whose direct license a group they are in fully duplicates, and
//! the plan that removes those direct licenses through the usual preview -> apply -> verify ->
//! rollback pipeline.
//!
//! Microsoft's procedure ("How to migrate users with individual licenses to groups for licensing",
//! <https://learn.microsoft.com/entra/identity/users/licensing-groups-migrate-users>): verify that
//! the group's licenses are applied and that "direct and group licenses enable exactly the same
//! services", then remove the direct licenses, gradually; a license assigned both ways consumes
//! one seat, so the cleanup frees none. Here the groups a user is in count together (their
//! enabled plans are united), and plans switched off in a group count as not given. A direct
//! license goes only while its SKU reads Active through a group on the user: the executor checks
//! that again right before the call (`apply::evidence::is_ready`), so a group that fell into error
//! since planning keeps the direct license.
use super::licenses::{provides, PlanRef, Skus};
use super::removal::{remove_direct, Removal};
use licswap_core::health::{state_error, HealthSnapshot};
use licswap_core::model::{same_id, AssignLicenseBody, LicenseAssignmentState, LicenseState, User};
use licswap_core::plan::{
    ActionKind, Coverage, Finding, FindingCode, Plan, PlanError, SeatBudget, Severity,
    SkuSummary, Subject, TargetKind,
};
use std::sync::Arc;

/// One user's direct license of a SKU that a group also gives them.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CleanupCandidate {
    pub user: Subject,
    pub sku_id: String,
    pub product: String,
    /// The groups that give the user this SKU.
    pub groups: Vec<Subject>,
    /// Services (Microsoft's names) the direct license enables that no Active group license of
    /// the user enables: the direct license must stay while any is missing.
    pub missing: Vec<String>,
    /// Why the direct license stays although nothing is missing (no group shows it Active yet).
    pub not_active: Option<String>,
}

impl CleanupCandidate {
    /// The direct license can go: the groups give every service it gives, and one is Active.
    pub fn covered(&self) -> bool {
        self.missing.is_empty() && self.not_active.is_none()
    }
}

fn user_subject(u: &User) -> Subject {
    Subject { kind: TargetKind::User, id: u.id.clone(), name: u.label().to_string() }
}

fn active(s: &LicenseAssignmentState) -> bool {
    s.state == Some(LicenseState::Active) && state_error(s).is_none()
}

/// Every user with a direct license that a group also gives them, covered or not.
pub fn cleanup_candidates(h: &HealthSnapshot) -> Vec<CleanupCandidate> {
    let snap = &h.snapshot;
    let skus = Skus::new(&snap.skus);
    let group_name = |id: &str| {
        let g = snap.groups.iter().find(|g| same_id(&g.group.id, id));
        Subject { kind: TargetKind::Group, id: id.to_string(), name: g.map_or(id, |g| g.group.label()).to_string() }
    };
    let mut out = Vec::new();
    for u in &snap.users {
        for d in u.license_assignment_states.iter().filter(|s| s.is_direct()) {
            let inherited: Vec<&LicenseAssignmentState> = u
                .license_assignment_states
                .iter()
                .filter(|s| !s.is_direct() && same_id(&s.sku_id, &d.sku_id))
                .collect();
            if inherited.is_empty() {
                continue;
            }
            let given: Vec<PlanRef> = inherited
                .iter()
                .filter(|s| active(s))
                .flat_map(|s| skus.enabled(&s.sku_id, &s.disabled_plans))
                .collect();
            let mut missing: Vec<String> = skus
                .enabled(&d.sku_id, &d.disabled_plans)
                .iter()
                .filter(|p| !provides(&given, p))
                .map(PlanRef::friendly)
                .collect();
            missing.dedup();
            let not_active = (!inherited.iter().any(|s| active(s))).then(|| {
                let states: Vec<String> = inherited
                    .iter()
                    .map(|s| {
                        let st = s.state.as_ref().map_or("unknown", LicenseState::as_str);
                        match state_error(s) {
                            Some(k) => format!("{st} ({})", k.code()),
                            None => st.to_string(),
                        }
                    })
                    .collect();
                format!("no group shows it Active for this user yet ({})", states.join(", "))
            });
            // With no Active group license, "missing" would list everything: the state says it.
            let missing = if not_active.is_some() { Vec::new() } else { missing };
            out.push(CleanupCandidate {
                user: user_subject(u),
                sku_id: d.sku_id.as_str().into(),
                product: skus.product(&d.sku_id),
                groups: inherited.iter().filter_map(|s| s.assigned_by_group.as_deref()).map(group_name).collect(),
                missing,
                not_active,
            });
        }
    }
    out.sort_by(|a, b| (a.product.as_str(), a.user.name.to_lowercase()).cmp(&(b.product.as_str(), b.user.name.to_lowercase())));
    out
}

/// The plan that removes the direct licenses of `sku` (skuId or skuPartNumber) the groups fully
/// cover, for every covered user or only those in `only` (ids). Users not covered are findings
/// that say what is missing; the plan's target is the SKU itself, which the executor requires
/// Active through a group before each removal.
pub fn cleanup_plan(h: &HealthSnapshot, sku: &str, only: Option<&[String]>) -> Result<Plan, PlanError> {
    let snap = &h.snapshot;
    let s = snap
        .skus
        .iter()
        .find(|s| same_id(&s.sku_id, sku) || s.sku_part_number.eq_ignore_ascii_case(sku))
        .ok_or_else(|| PlanError::UnknownSku(sku.to_string()))?;
    let skus = Skus::new(&snap.skus);
    let summary = SkuSummary { sku_id: s.sku_id.clone(), sku_part_number: s.sku_part_number.clone(), name: skus.product(&s.sku_id) };
    let chosen = |c: &CleanupCandidate| only.is_none_or(|ids| ids.iter().any(|i| same_id(i, &c.user.id)));
    let candidates: Vec<CleanupCandidate> =
        cleanup_candidates(h).into_iter().filter(|c| same_id(&c.sku_id, &s.sku_id) && chosen(c)).collect();
    let mut actions = Vec::new();
    let mut undo = Vec::new();
    let mut findings = Vec::new();
    let mut coverage = Vec::new();
    let forward = Arc::new(AssignLicenseBody { add_licenses: vec![], remove_licenses: vec![s.sku_id.clone()] });
    for c in &candidates {
        let Some(u) = snap.users.iter().find(|u| same_id(&u.id, &c.user.id)) else { continue };
        let groups: Vec<&str> = c.groups.iter().map(|g| g.name.as_str()).collect();
        if !c.covered() {
            let why = match &c.not_active {
                Some(n) => n.clone(),
                None => format!("the groups do not give {}", c.missing.join(", ")),
            };
            findings.push(Finding {
                code: FindingCode::DirectAndInherited,
                severity: Severity::Warning,
                subject: c.user.clone(),
                message: format!("The direct {} license stays: {why}.", c.product),
                remedy: match &c.not_active {
                    Some(_) => "Fix the group's licensing error (License health) and plan the cleanup again.".into(),
                    None => format!("Enable those services in group {}'s license, or keep the direct license.", groups.join(" or ")),
                },
                plans: c.missing.clone(),
            });
            continue;
        }
        let d = u.license_assignment_states.iter().find(|x| x.is_direct() && same_id(&x.sku_id, &s.sku_id));
        let (a, back) =
            remove_direct(ActionKind::RemoveRedundantDirect, "remove-direct:user:", &c.user, u, &forward, d);
        undo.push(back);
        findings.push(Finding {
            code: FindingCode::DirectAndInherited,
            severity: Severity::Info,
            subject: c.user.clone(),
            message: format!("Group {} gives every service of the direct {} license.", groups.join(" and "), c.product),
            remedy: "The direct license goes once the group's reads Active for this user; no seat changes.".into(),
            plans: Vec::new(),
        });
        let kept: Vec<String> = d
            .map(|d| skus.enabled(&d.sku_id, &d.disabled_plans).into_iter().map(|p| p.name).collect())
            .unwrap_or_default();
        coverage.push(Coverage { user_id: u.id.clone(), user: c.user.name.clone(), kept, ..Default::default() });
        actions.push(a);
    }
    let free = skus.free(&s.sku_id).unwrap_or(0);
    Ok(Removal {
        sku: summary,
        title: "Remove direct licenses that groups duplicate",
        waits_for: Some("each user's license reads Active through a group".into()),
        actions,
        undo,
        findings,
        coverage,
        // A license held both ways consumes one seat: removing the direct one frees none.
        seats: SeatBudget { needed: 0, available: free, left_after: free, source_freed: 0 },
    }
    .into_plan(snap))
}
