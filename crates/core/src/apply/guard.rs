//! Nothing writes what was not planned here: before each `assignLicense` call the executor asks
//! this pure check whether the body is one the planner could have produced for that target from
//! the state just read. A plan is data that may have been tampered with (planted in the browser's
//! storage, edited in a file); its fingerprints travel with it, so matching them proves nothing.
//! What the check holds every body to, whatever the plan says:
//! - a forward action (swap, or removing a direct source made redundant) adds only the plan's
//!   target SKUs and removes only its source SKUs (one each, or a bundle's), each at most once;
//! - the target is added with only the service plans switched off that the planner would keep
//!   off: one switched off on the target's own source assignment as read now (or a target plan
//!   that covers it, https://learn.microsoft.com/entra/identity/users/licensing-service-plan-reference
//!   through the catalog's equivalents), or one already off on its own target assignment;
//! - a rollback action removes only the plan's sources (the products rolled back from) and adds
//!   only the plan's SKUs, as its inverse was recorded (it may re-add a target the subject held
//!   before the swap, with the plans it had off then).
//!
//! (The planner's own rule for disabled plans is crates/planner/src/mapping.rs; this is its
//! necessary condition, checked without the planner, which sits above this crate.)
use super::api::TargetState;
use crate::catalog;
use crate::model::{same_id, AssignedLicense};
use crate::plan::{Action, ActionKind};

/// Why a write was refused, for the journal and the screen.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Refusal(pub String);

impl std::fmt::Display for Refusal {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "refused: this call is not one licswap plans for this swap ({}); the plan may have been altered, so nothing was sent. Plan again from the tenant",
            self.0
        )
    }
}

/// The journal's error code for a refused write.
pub const REFUSED_CODE: &str = "NotPlannedHere";

/// The target's own (not inherited) assignments as just read.
fn own_assignments(state: &TargetState) -> Vec<AssignedLicense> {
    match state {
        TargetState::Group(g) => g.assigned_licenses.clone(),
        TargetState::User(u) if !u.license_assignment_states.is_empty() => u
            .license_assignment_states
            .iter()
            .filter(|s| s.assigned_by_group.is_none())
            .map(|s| AssignedLicense { sku_id: s.sku_id.clone(), disabled_plans: s.disabled_plans.clone() })
            .collect(),
        TargetState::User(u) => u.assigned_licenses.clone(),
    }
}

/// Does target plan `to` keep the service of source plan `from` (same plan, or a covering one)?
fn covers(from: &str, to: &str) -> bool {
    if same_id(from, to) {
        return true;
    }
    match (catalog::plan_by_id(from), catalog::plan_by_id(to)) {
        (Some(f), Some(t)) => catalog::equivalent(f.name, t.name),
        _ => false,
    }
}

/// Plan `plan` of the `i`-th added target is switched off because another target added in the
/// same call enables a plan that covers it and that Microsoft's exclusion table lists with it
/// (the planner's rule for a bundle's targets, crates/planner/src/mapping.rs).
fn settled_by_another_target(adds: &[AssignedLicense], i: usize, plan: &str) -> bool {
    let Some(p) = catalog::plan_by_id(plan) else { return false };
    adds.iter().enumerate().filter(|(j, _)| *j != i).any(|(_, other)| {
        catalog::sku(&other.sku_id).is_some_and(|k| {
            k.plans.iter().any(|q| {
                !other.disabled_plans.iter().any(|d| same_id(d, q.id))
                    && catalog::mutually_exclusive(p.name, q.name)
                    && catalog::equivalent(p.name, q.name)
            })
        })
    })
}

/// Checks one write of `action` (from a plan swapping `source_skus` to `target_skus`) against the
/// target's state as just read.
pub fn check_write(
    source_skus: &[String],
    target_skus: &[String],
    action: &Action,
    fresh: &TargetState,
) -> Result<(), Refusal> {
    let body = &action.body;
    let refuse = |why: String| Err(Refusal(why));
    let among = |set: &[String], sku: &str| set.iter().any(|s| same_id(s, sku));
    let twice = |skus: &[&str]| skus.iter().enumerate().any(|(i, a)| skus[..i].iter().any(|b| same_id(a, b)));
    let adds: Vec<&str> = body.add_licenses.iter().map(|l| l.sku_id.as_str()).collect();
    let removes: Vec<&str> = body.remove_licenses.iter().map(String::as_str).collect();
    if twice(&adds) || twice(&removes) {
        return refuse("it names one license twice".into());
    }
    if let Some(sku) = removes.iter().find(|s| !among(source_skus, s)) {
        return refuse(format!("it removes {sku}, which is not a product being replaced"));
    }
    if adds.is_empty() {
        return match action.kind {
            ActionKind::Swap => refuse("a swap that adds nothing".into()),
            _ => Ok(()),
        };
    }
    if action.kind == ActionKind::Rollback {
        // Restores what was recorded before the swap; the target no longer holds that state.
        return match adds.iter().find(|s| !among(target_skus, s) && !among(source_skus, s)) {
            Some(sku) => refuse(format!("it adds {sku}, which this plan does not change")),
            None => Ok(()),
        };
    }
    if let Some(sku) = adds.iter().find(|s| !among(target_skus, s)) {
        return refuse(format!("it adds {sku}, which is not a product being assigned"));
    }
    let own = own_assignments(fresh);
    let own_disabled = |sku: &str| -> Vec<&str> {
        own.iter()
            .filter(|l| same_id(&l.sku_id, sku))
            .flat_map(|l| l.disabled_plans.iter().map(String::as_str))
            .collect()
    };
    let source_off: Vec<&str> = source_skus.iter().flat_map(|s| own_disabled(s)).collect();
    for (i, add) in body.add_licenses.iter().enumerate() {
        let target_off = own_disabled(&add.sku_id);
        if let Some(p) = add.disabled_plans.iter().find(|p| {
            !target_off.iter().any(|t| same_id(t, p))
                && !source_off.iter().any(|s| covers(s, p))
                && !settled_by_another_target(&body.add_licenses, i, p)
        }) {
            let name = catalog::plan_by_id(p).map_or(p.as_str(), |d| d.name);
            return refuse(format!("it switches off {name}, which is on today"));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{AssignLicenseBody, Group, LicenseAssignmentState, User};
    use crate::plan::{Subject, TargetKind};
    use std::sync::Arc;

    const E1: &str = "STANDARDPACK";
    const E3: &str = "ENTERPRISEPACK";
    const E5: &str = "ENTERPRISEPREMIUM";

    /// The SKU id of a part number, from the catalog (Microsoft's product reference).
    fn sku(part: &str) -> String {
        catalog::sku(part).unwrap().sku_id.to_string()
    }

    fn plan_id(name: &str) -> String {
        catalog::plan_by_name(name).unwrap().id.to_string()
    }

    fn action(kind: ActionKind, add: Option<(&str, Vec<String>)>, remove: &[&str]) -> Action {
        let add = add.map(|(s, d)| (sku(s), d));
        Action {
            id: "a".into(),
            kind,
            target: Arc::new(Subject { kind: TargetKind::User, id: "u1".into(), name: "u1".into() }),
            body: Arc::new(AssignLicenseBody {
                add_licenses: add
                    .map(|(s, d)| AssignedLicense { sku_id: s.into(), disabled_plans: d })
                    .into_iter()
                    .collect(),
                remove_licenses: remove.iter().map(|s| sku(s)).collect(),
            }),
            fingerprint: Default::default(),
            undoes: None,
        }
    }

    fn user(direct: &[(&str, Vec<String>)]) -> TargetState {
        TargetState::User(User {
            id: "u1".into(),
            user_principal_name: None,
            display_name: None,
            usage_location: Some("US".into()),
            account_enabled: Some(true),
            assigned_licenses: Vec::new(),
            license_assignment_states: direct
                .iter()
                .map(|(s, d)| LicenseAssignmentState {
                    sku_id: sku(s).into(),
                    assigned_by_group: None,
                    disabled_plans: d.clone(),
                    error: None,
                    state: Some(crate::model::LicenseState::Active),
                    last_updated_date_time: None,
                })
                .collect(),
        })
    }

    #[test]
    fn the_planned_swap_passes_with_the_disabled_plans_it_keeps_off() {
        let sway = plan_id("SWAY");
        let fresh = user(&[(E1, vec![sway.clone()])]);
        let swap = action(ActionKind::Swap, Some((E3, vec![sway.clone()])), &[E1]);
        assert_eq!(check_write(&[sku(E1)], &[sku(E3)], &swap, &fresh), Ok(()));
        let cleanup = action(ActionKind::RemoveRedundantDirect, None, &[E1]);
        assert_eq!(check_write(&[sku(E1)], &[sku(E3)], &cleanup, &fresh), Ok(()));
    }

    #[test]
    fn a_tampered_body_is_refused() {
        let fresh = user(&[(E1, vec![]), (E5, vec![])]);
        let exchange = plan_id("EXCHANGE_S_ENTERPRISE");
        for (why, a) in [
            ("removes another product", action(ActionKind::Swap, Some((E3, vec![])), &[E5])),
            ("adds another product", action(ActionKind::Swap, Some((E5, vec![])), &[E1])),
            ("switches a service off", action(ActionKind::Swap, Some((E3, vec![exchange])), &[E1])),
            ("swap adding nothing", action(ActionKind::Swap, None, &[E1])),
            ("rollback removing another", action(ActionKind::Rollback, Some((E3, vec![])), &[E5])),
        ] {
            let r = check_write(&[sku(E1)], &[sku(E3)], &a, &fresh);
            assert!(r.is_err(), "{why}");
            assert!(r.unwrap_err().to_string().contains("not one licswap plans"), "{why}");
        }
        let mut two = action(ActionKind::Swap, Some((E3, vec![])), &[E1]);
        Arc::make_mut(&mut two.body).remove_licenses.push(sku(E1));
        assert!(check_write(&[sku(E1)], &[sku(E3)], &two, &fresh).is_err(), "two removals");
    }

    /// Office 365 E3 + Enterprise Mobility + Security E3 -> Microsoft 365 E3, and the Teams
    /// unbundling (one license becomes two): one call adds every target and removes every source.
    #[test]
    fn a_bundle_call_passes_and_a_sku_outside_the_bundle_does_not() {
        const EMS: &str = "EMS";
        const M365E3: &str = "SPE_E3";
        let fresh = user(&[(E3, vec![]), (EMS, vec![]), (E5, vec![])]);
        let (srcs, tgts) = ([sku(E3), sku(EMS)], [sku(M365E3)]);
        let mut both = action(ActionKind::Swap, Some((M365E3, vec![])), &[E3, EMS]);
        assert_eq!(check_write(&srcs, &tgts, &both, &fresh), Ok(()));
        let partial = action(ActionKind::Swap, Some((M365E3, vec![])), &[E3]);
        assert_eq!(check_write(&srcs, &tgts, &partial, &fresh), Ok(()), "a partial holder's call");
        let other = action(ActionKind::Swap, Some((M365E3, vec![])), &[E3, E5]);
        assert!(check_write(&srcs, &tgts, &other, &fresh).is_err(), "E5 is not in the bundle");
        Arc::make_mut(&mut both.body).remove_licenses.push(sku(E3).to_uppercase());
        assert!(check_write(&srcs, &tgts, &both, &fresh).is_err(), "a source named twice");

        // One becomes two (Microsoft 365 E3 -> Office 365 E3 + EMS, the move backwards): both added.
        let fresh = user(&[(M365E3, vec![])]);
        let (srcs, tgts) = ([sku(M365E3)], [sku(E3), sku(EMS)]);
        let mut split = action(ActionKind::Swap, Some((E3, vec![])), &[M365E3]);
        Arc::make_mut(&mut split.body)
            .add_licenses
            .push(AssignedLicense { sku_id: sku(EMS).into(), disabled_plans: vec![] });
        assert_eq!(check_write(&srcs, &tgts, &split, &fresh), Ok(()));
        let exchange = plan_id("EXCHANGE_S_ENTERPRISE");
        Arc::make_mut(&mut split.body).add_licenses[1].disabled_plans.push(exchange);
        assert!(
            check_write(&srcs, &tgts, &split, &fresh).is_err(),
            "switching a service off in the second target"
        );
    }

    /// Office 365 E5 -> Office 365 E5 EEA (no Teams) + Microsoft Teams EEA: Skype for Business
    /// Online (Plan 1) of Teams EEA may be switched off (Plan 2 of the suite covers it and
    /// Microsoft's exclusion table lists the two together), no other of its plans.
    #[test]
    fn the_teams_unbundling_may_switch_off_the_plan_the_suite_covers() {
        let (suite, teams) = ("Office_365_w/o_Teams_Bundle_E5", "Microsoft_Teams_EEA_New");
        let fresh = user(&[(E5, vec![])]);
        let (srcs, tgts) = ([sku(E5)], [sku(suite), sku(teams)]);
        let split = |off: &str| {
            let mut a = action(ActionKind::Swap, Some((suite, vec![])), &[E5]);
            Arc::make_mut(&mut a.body)
                .add_licenses
                .push(AssignedLicense { sku_id: sku(teams).into(), disabled_plans: vec![plan_id(off)] });
            a
        };
        assert_eq!(check_write(&srcs, &tgts, &split("MCOIMP"), &fresh), Ok(()));
        assert!(check_write(&srcs, &tgts, &split("TEAMS1"), &fresh).is_err(), "Teams itself stays on");
        let mut suite_off = split("MCOIMP");
        Arc::make_mut(&mut suite_off.body).add_licenses[0].disabled_plans.push(plan_id("MCOSTANDARD"));
        assert!(check_write(&srcs, &tgts, &suite_off, &fresh).is_err(), "not with Plan 2 off as well");
    }

    #[test]
    fn groups_are_checked_on_their_own_assignments() {
        let sway = plan_id("SWAY");
        let group = TargetState::Group(Group {
            id: "g1".into(),
            display_name: None,
            group_types: Vec::new(),
            membership_rule: None,
            on_premises_sync_enabled: None,
            assigned_licenses: vec![AssignedLicense { sku_id: sku(E1).into(), disabled_plans: vec![] }],
        });
        let ok = action(ActionKind::Swap, Some((E3, vec![])), &[E1]);
        assert!(check_write(&[sku(E1)], &[sku(E3)], &ok, &group).is_ok());
        let off = action(ActionKind::Swap, Some((E3, vec![sway])), &[E1]);
        assert!(check_write(&[sku(E1)], &[sku(E3)], &off, &group).is_err(), "SWAY is on for the group today");
    }
}
