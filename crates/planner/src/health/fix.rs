//! Fixes as plans: a member in MutuallyExclusiveViolation whose direct license the group's
//! products cover in full loses that direct license through the usual preview -> apply -> verify
//! -> rollback pipeline; then the member is reprocessed so Entra applies the group's license
//! ("The decision about how to resolve conflicting product licenses always belongs to the
//! administrator. Microsoft Entra ID doesn't automatically resolve license conflicts", and "you
//! need to trigger the processing": "Identify and resolve license assignment problems for a
//! group", <https://learn.microsoft.com/entra/identity/users/licensing-groups-resolve-problems>).
//!
//! Between the removal and the reprocessing the member has neither the direct license nor the
//! group's (which is in error): the plan says so, and the reprocess follows at once.
use super::licenses::Skus;
use super::removal::{remove_direct, Removal};
use licswap_core::health::{HealthReport, HealthSnapshot, LicenseErrorKind, MemberIssue, Remedy};
use licswap_core::model::{same_id, AssignLicenseBody, LicenseAssignmentState, User};
use licswap_core::plan::{
    ActionKind, Coverage, Finding, FindingCode, Plan, PlanError, SeatBudget, Severity,
    SkuSummary, Subject,
};
use std::sync::Arc;

/// The direct licenses whose removal fixes members in conflict, one entry per SKU: what the health
/// screen offers to plan, and exactly whom [`fix_conflicts_plan`] takes for that SKU.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ConflictFix {
    pub sku_id: String,
    /// Microsoft's product name of the SKU.
    pub product: String,
    /// The members losing their direct license of it, in the report's order.
    pub members: Vec<Subject>,
}

/// Each member in MutuallyExclusiveViolation whose remedy is [`Remedy::RemoveDirect`] and who
/// still holds that direct license in the read, with the SKU and the direct license's state.
fn removable<'a>(
    h: &'a HealthSnapshot,
    report: &'a HealthReport,
) -> impl Iterator<Item = (&'a MemberIssue, &'a User, &'a LicenseAssignmentState)> + 'a {
    report.issues.iter().filter(|i| i.kind == LicenseErrorKind::MutuallyExclusiveViolation).filter_map(|i| {
        let Remedy::RemoveDirect { sku_id } = &i.remedy else { return None };
        let u = h.snapshot.users.iter().find(|u| same_id(&u.id, &i.user.id))?;
        let d = u.license_assignment_states.iter().find(|x| x.is_direct() && same_id(&x.sku_id, sku_id))?;
        Some((i, u, d))
    })
}

/// The conflicts a plan can fix, by SKU (in the order their first member appears in the report).
pub fn conflict_fixes(h: &HealthSnapshot, report: &HealthReport) -> Vec<ConflictFix> {
    let skus = Skus::new(&h.snapshot.skus);
    let mut out: Vec<ConflictFix> = Vec::new();
    for (i, _, d) in removable(h, report) {
        match out.iter_mut().find(|f| same_id(&f.sku_id, &d.sku_id)) {
            Some(f) => f.members.push(i.user.clone()),
            None => out.push(ConflictFix {
                sku_id: d.sku_id.as_str().into(),
                product: skus.product(&d.sku_id),
                members: vec![i.user.clone()],
            }),
        }
    }
    out
}

/// The plan removing the direct `sku` license of the members in conflict whose remedy it is (all,
/// or those in `only`). Members' other issues are left to their own fixes.
pub fn fix_conflicts_plan(
    h: &HealthSnapshot,
    report: &HealthReport,
    sku: &str,
    only: Option<&[String]>,
) -> Result<Plan, PlanError> {
    let snap = &h.snapshot;
    let s = snap
        .skus
        .iter()
        .find(|s| same_id(&s.sku_id, sku) || s.sku_part_number.eq_ignore_ascii_case(sku))
        .ok_or_else(|| PlanError::UnknownSku(sku.to_string()))?;
    let skus = Skus::new(&snap.skus);
    let summary =
        SkuSummary { sku_id: s.sku_id.clone(), sku_part_number: s.sku_part_number.clone(), name: skus.product(&s.sku_id) };
    let forward = Arc::new(AssignLicenseBody { add_licenses: vec![], remove_licenses: vec![s.sku_id.clone()] });
    let (mut actions, mut undo, mut findings, mut coverage) = (Vec::new(), Vec::new(), Vec::new(), Vec::new());
    for (i, u, d) in removable(h, report).filter(|(_, _, d)| same_id(&d.sku_id, &s.sku_id)) {
        if !only.is_none_or(|ids| ids.iter().any(|x| same_id(x, &i.user.id))) {
            continue;
        }
        let (a, back) = remove_direct(
            ActionKind::RemoveConflictingDirect,
            "remove-conflicting-direct:user:",
            &i.user,
            u,
            &forward,
            Some(d),
        );
        undo.push(back);
        let group = i.group.as_ref().map_or_else(|| "the group".to_string(), |g| format!("group {}", g.name));
        findings.push(Finding {
            code: FindingCode::MutuallyExclusive,
            severity: Severity::Info,
            subject: i.user.clone(),
            message: i.what.clone(),
            remedy: i.fix.clone(),
            plans: Vec::new(),
        });
        findings.push(Finding {
            code: FindingCode::ExistingAssignmentError,
            severity: Severity::Warning,
            subject: i.user.clone(),
            message: format!(
                "Until Entra processes {group} for this member again, the services of {} are off: its license is in \
                 error and the direct {} goes.",
                i.products.join(" + "),
                summary.name
            ),
            remedy: "Reprocess the member right after applying (offered on the report); Entra then assigns the group's license."
                .into(),
            plans: Vec::new(),
        });
        // Once the conflict is gone, the group's products need a seat for the member.
        let group_lics: Vec<&str> = h
            .snapshot
            .groups
            .iter()
            .filter(|g| i.group.as_ref().is_some_and(|x| same_id(&x.id, &g.group.id)))
            .flat_map(|g| g.group.assigned_licenses.iter().map(|l| l.sku_id.as_str()))
            .collect();
        for sku in group_lics.into_iter().filter(|g| skus.free(g).is_some_and(|f| f <= 0)) {
            findings.push(Finding {
                code: FindingCode::SeatsInsufficient,
                severity: Severity::Warning,
                subject: i.user.clone(),
                message: format!(
                    "No seat of {} is free: once reprocessed, the member will wait for one (CountViolation) instead.",
                    skus.product(sku)
                ),
                remedy: format!("Free or buy a seat of {} first.", skus.product(sku)),
                plans: Vec::new(),
            });
        }
        let kept = skus.enabled(&d.sku_id, &d.disabled_plans).into_iter().map(|p| p.name).collect();
        coverage.push(Coverage { user_id: u.id.clone(), user: i.user.name.clone(), kept, ..Default::default() });
        actions.push(a);
    }
    let free = skus.free(&s.sku_id).unwrap_or(0);
    let freed = actions.len() as i64;
    Ok(Removal {
        sku: summary,
        title: "Remove direct licenses that conflict with a group's",
        waits_for: None,
        actions,
        undo,
        findings,
        coverage,
        seats: SeatBudget { needed: 0, available: free, left_after: free + freed, source_freed: freed },
    }
    .into_plan(snap))
}
