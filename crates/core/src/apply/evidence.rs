//! Reading the evidence: given an action and its target as read back from Graph, has the action
//! taken effect, is the target still as planned, or did someone else change it?
use super::api::TargetState;
use crate::hash::{fnv1a64, hex16};
use crate::model::{same_id, LicenseState, User};
use crate::plan::{Action, ActionKind};
use std::collections::HashSet;

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

/// What, besides the planning fingerprint, tells whether a target is still as planned.
#[derive(Clone, Debug)]
pub struct Readiness<'a> {
    /// The plan's target SKUs (a `RemoveRedundantDirect` needs every one Active through a group).
    pub target_skus: &'a [String],
    /// Ids (lowercase) of the groups the plan swaps: their members' inherited licenses change
    /// by design once those swaps are processed.
    pub plan_groups: &'a HashSet<String>,
    /// [`fingerprint_outside`] of the target taken while it still matched the planning
    /// fingerprint (before any group swap ran), when there is one.
    pub baseline: Option<&'a str>,
}

/// For an action whose outcome is unknown (in flight at load, or response lost): applied wins
/// (never send twice), then ready (resend), else changed.
pub fn judge_unknown(action: &Action, state: &TargetState, r: &Readiness<'_>) -> Evidence {
    if effect_mismatches(action, state).is_empty() {
        Evidence::Applied
    } else if is_ready(action, state, r) {
        Evidence::Ready
    } else {
        Evidence::Changed(state.fingerprint())
    }
}

/// For an action not sent yet: only ready or changed (an effect already visible was made by
/// someone else, which is a change, not our success).
pub fn judge_pending(action: &Action, state: &TargetState, r: &Readiness<'_>) -> Evidence {
    if is_ready(action, state, r) {
        Evidence::Ready
    } else {
        Evidence::Changed(state.fingerprint())
    }
}

/// The planning fingerprint still matches; or, for an action of a later phase, the only changes
/// are those the plan's own group swaps made (the baseline outside those groups still matches).
/// A `RemoveRedundantDirect` additionally needs every target SKU Active through a group: the
/// evidence Microsoft's "change license assignments" procedure asks for before a direct license
/// goes (<https://learn.microsoft.com/entra/identity/users/licensing-groups-change-licenses>).
pub fn is_ready(action: &Action, state: &TargetState, r: &Readiness<'_>) -> bool {
    let unchanged = state.fingerprint() == action.fingerprint
        || match (state, r.baseline) {
            (TargetState::User(u), Some(b)) => fingerprint_outside(u, r.plan_groups) == b,
            _ => false,
        };
    if !unchanged {
        return false;
    }
    match (action.kind, state) {
        (ActionKind::RemoveRedundantDirect, TargetState::User(u)) => {
            action.body.remove_licenses.iter().all(|sku| has_direct(u, sku).is_some())
                && r.target_skus.iter().all(|t| {
                    u.license_assignment_states.iter().any(|s| {
                        same_id(&s.sku_id, t)
                            && !s.is_direct()
                            && s.state == Some(LicenseState::Active)
                            && s.error_code().is_none()
                    })
                })
        }
        _ => true,
    }
}

/// A digest of a user's license states except those inherited from `groups` (ids, lowercase):
/// what nobody but those groups' processing should change while a plan runs. Uses
/// `licenseAssignmentStates` only (they carry source and disabled plans; `assignedLicenses` mixes
/// direct and inherited and leaves out licenses in error).
pub fn fingerprint_outside(user: &User, groups: &HashSet<String>) -> String {
    let mut parts: Vec<String> = user
        .license_assignment_states
        .iter()
        .filter(|s| s.assigned_by_group.as_ref().is_none_or(|g| !groups.contains(&g.to_ascii_lowercase())))
        .map(|s| {
            let mut plans: Vec<String> = s.disabled_plans.iter().map(|p| p.to_ascii_lowercase()).collect();
            plans.sort();
            let by = s.assigned_by_group.as_deref().unwrap_or("direct").to_ascii_lowercase();
            format!("{}:{by}:{}", s.sku_id.to_ascii_lowercase(), plans.join(","))
        })
        .collect();
    parts.sort();
    hex16(fnv1a64(parts.join("|").as_bytes()))
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
