//! Nothing writes what was not planned here: before each `assignLicense` call the executor asks
//! this pure check whether the body is one the planner could have produced for that target from
//! the state just read. A plan is data that may have been tampered with (planted in the browser's
//! storage, edited in a file); its fingerprints travel with it, so matching them proves nothing.
//! What the check holds every body to, whatever the plan says:
//! - a forward action (swap, or removing a direct source made redundant) adds only the plan's
//!   target SKU and removes only its source SKU, each at most once;
//! - the target is added with only the service plans switched off that the planner would keep
//!   off: one switched off on the target's own source assignment as read now (or a target plan
//!   that covers it, https://learn.microsoft.com/entra/identity/users/licensing-service-plan-reference
//!   through the catalog's equivalents), or one already off on its own target assignment;
//! - a rollback action adds only the plan's target (the product rolled back to) and removes only
//!   its source, as its inverse was recorded.
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

/// Checks one write of `action` (from a plan swapping `source_sku` to `target_sku`) against the
/// target's state as just read.
pub fn check_write(
    source_sku: &str,
    target_sku: &str,
    action: &Action,
    fresh: &TargetState,
) -> Result<(), Refusal> {
    let body = &action.body;
    let refuse = |why: String| Err(Refusal(why));
    if body.add_licenses.len() > 1 || body.remove_licenses.len() > 1 {
        return refuse("it changes more than one license each way".into());
    }
    if let Some(sku) = body.remove_licenses.iter().find(|s| !same_id(s, source_sku)) {
        return refuse(format!("it removes {sku}, which is not the product being replaced"));
    }
    let Some(add) = body.add_licenses.first() else {
        return match action.kind {
            ActionKind::Swap => refuse("a swap that adds nothing".into()),
            _ => Ok(()),
        };
    };
    if !same_id(&add.sku_id, target_sku) {
        return refuse(format!("it adds {}, which is not the product being assigned", add.sku_id));
    }
    if action.kind == ActionKind::Rollback {
        // Restores what was recorded before the swap; the target no longer holds that state.
        return Ok(());
    }
    let own = own_assignments(fresh);
    let own_disabled = |sku: &str| -> Vec<&str> {
        own.iter()
            .filter(|l| same_id(&l.sku_id, sku))
            .flat_map(|l| l.disabled_plans.iter().map(String::as_str))
            .collect()
    };
    let source_off = own_disabled(source_sku);
    let target_off = own_disabled(target_sku);
    if let Some(p) = add.disabled_plans.iter().find(|p| {
        !target_off.iter().any(|t| same_id(t, p)) && !source_off.iter().any(|s| covers(s, p))
    }) {
        let name = catalog::plan_by_id(p).map_or(p.as_str(), |d| d.name);
        return refuse(format!("it switches off {name}, which is on today"));
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
                    .map(|(s, d)| AssignedLicense { sku_id: s, disabled_plans: d })
                    .into_iter()
                    .collect(),
                remove_licenses: remove.iter().map(|s| sku(s)).collect(),
            }),
            fingerprint: String::new(),
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
                    sku_id: sku(s),
                    assigned_by_group: None,
                    disabled_plans: d.clone(),
                    error: None,
                    state: Some("Active".into()),
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
        assert_eq!(check_write(&sku(E1), &sku(E3), &swap, &fresh), Ok(()));
        let cleanup = action(ActionKind::RemoveRedundantDirect, None, &[E1]);
        assert_eq!(check_write(&sku(E1), &sku(E3), &cleanup, &fresh), Ok(()));
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
            let r = check_write(&sku(E1), &sku(E3), &a, &fresh);
            assert!(r.is_err(), "{why}");
            assert!(r.unwrap_err().to_string().contains("not one licswap plans"), "{why}");
        }
        let mut two = action(ActionKind::Swap, Some((E3, vec![])), &[E1]);
        Arc::make_mut(&mut two.body).remove_licenses.push(sku(E1));
        assert!(check_write(&sku(E1), &sku(E3), &two, &fresh).is_err(), "two removals");
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
            assigned_licenses: vec![AssignedLicense { sku_id: sku(E1), disabled_plans: vec![] }],
        });
        let ok = action(ActionKind::Swap, Some((E3, vec![])), &[E1]);
        assert!(check_write(&sku(E1), &sku(E3), &ok, &group).is_ok());
        let off = action(ActionKind::Swap, Some((E3, vec![sway])), &[E1]);
        assert!(check_write(&sku(E1), &sku(E3), &off, &group).is_err(), "SWAY is on for the group today");
    }
}
