//! Reading the evidence: given an action and its target as read back from Graph, has the action
//! taken effect, is the target still as planned, or did someone else change it?
use super::api::TargetState;
use crate::graph::model::{same_id, User};
use crate::plan::{Action, ActionKind};

/// What a read-back says about an action.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Evidence {
    /// The target shows the action's effect.
    Applied,
    /// The target is as the plan expects before the action: safe to send.
    Ready,
    /// Neither: someone else changed the target. Carries its fingerprint now.
    Changed(String),
}

/// For an action whose outcome is unknown (in flight at load, or response lost): applied wins
/// (never send twice), then ready (resend), else changed.
pub fn judge_unknown(action: &Action, state: &TargetState, target_sku: &str) -> Evidence {
    if effect_mismatches(action, state).is_empty() {
        Evidence::Applied
    } else if is_ready(action, state, target_sku) {
        Evidence::Ready
    } else {
        Evidence::Changed(state.fingerprint())
    }
}

/// For an action not sent yet: only ready or changed (an effect already visible was made by
/// someone else, which is a change, not our success).
pub fn judge_pending(action: &Action, state: &TargetState, target_sku: &str) -> Evidence {
    if is_ready(action, state, target_sku) {
        Evidence::Ready
    } else {
        Evidence::Changed(state.fingerprint())
    }
}

/// The planning fingerprint still matches. A `RemoveRedundantDirect` action runs after the group
/// swap, which changes the user's inherited licenses (and so the fingerprint) by design: for it,
/// ready means the direct source license is still there and the target shows up through a group,
/// Active (the evidence the seed asks for before removing the direct license).
pub fn is_ready(action: &Action, state: &TargetState, target_sku: &str) -> bool {
    if state.fingerprint() == action.fingerprint {
        return true;
    }
    match (action.kind, state) {
        (ActionKind::RemoveRedundantDirect, TargetState::User(u)) => {
            action.body.remove_licenses.iter().all(|sku| has_direct(u, sku).is_some())
                && u.license_assignment_states.iter().any(|s| {
                    same_id(&s.sku_id, target_sku)
                        && !s.is_direct()
                        && s.state.as_deref() == Some("Active")
                        && s.error_code().is_none()
                })
        }
        _ => false,
    }
}

/// Disabled plans of the directly assigned `sku`, when the user has it directly. Uses
/// `licenseAssignmentStates` (which tell direct from inherited); when a read did not include
/// them, `assignedLicenses` (direct and inherited mixed) is the best there is.
fn has_direct<'a>(u: &'a User, sku: &str) -> Option<&'a [String]> {
    if u.license_assignment_states.is_empty() {
        return u
            .assigned_licenses
            .iter()
            .find(|l| same_id(&l.sku_id, sku))
            .map(|l| l.disabled_plans.as_slice());
    }
    u.license_assignment_states
        .iter()
        .find(|s| s.is_direct() && same_id(&s.sku_id, sku))
        .map(|s| s.disabled_plans.as_slice())
}

fn same_set(a: &[String], b: &[String]) -> bool {
    a.len() == b.len() && a.iter().all(|x| b.iter().any(|y| same_id(x, y)))
}

/// What differs between the target and the action's intended effect (empty: applied): every
/// added SKU present on the target itself (directly, for a user) with the body's disabledPlans,
/// every removed SKU gone from it.
pub fn effect_mismatches(action: &Action, state: &TargetState) -> Vec<String> {
    let mut out = Vec::new();
    let lookup = |sku: &str| -> Option<Vec<String>> {
        match state {
            TargetState::User(u) => has_direct(u, sku).map(|d| d.to_vec()),
            TargetState::Group(g) => {
                g.assigned_licenses.iter().find(|l| same_id(&l.sku_id, sku)).map(|l| l.disabled_plans.clone())
            }
        }
    };
    for add in &action.body.add_licenses {
        match lookup(&add.sku_id) {
            None => out.push(format!("license {} is not assigned", add.sku_id)),
            Some(d) if !same_set(&d, &add.disabled_plans) => out.push(format!(
                "license {} has disabled plans [{}], expected [{}]",
                add.sku_id,
                d.join(", "),
                add.disabled_plans.join(", ")
            )),
            Some(_) => {}
        }
    }
    for sku in &action.body.remove_licenses {
        if lookup(sku).is_some() {
            out.push(format!("license {sku} is still assigned"));
        }
    }
    out
}
