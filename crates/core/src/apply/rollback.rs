//! Rollback: the plan's inverse actions, for what was actually done, as a plan of its own (run it
//! with the same executor and its own journal).
//!
//! Each inverse action is stamped with the fingerprint its target had when verify confirmed the
//! forward action: anything changed since then is refused as stale, like any other plan.
use super::journal::{EntryState, Journal};
use super::verify::{VerifyOutcome, VerifyReport};
use crate::graph::model::same_id;
use crate::plan::{Action, Plan};

#[derive(Clone, Debug, PartialEq)]
pub struct RollbackPlan {
    pub plan: Plan,
    /// Inverse actions not included, with why.
    pub left_out: Vec<(String, String)>,
}

/// True when `inverse` undoes `forward`: it adds back what forward removed and removes what
/// forward added.
fn inverts(inverse: &Action, forward: &Action) -> bool {
    let added: Vec<&str> = forward.body.add_licenses.iter().map(|l| l.sku_id.as_str()).collect();
    let readded: Vec<&str> = inverse.body.add_licenses.iter().map(|l| l.sku_id.as_str()).collect();
    let set_eq =
        |a: &[&str], b: &[&str]| a.len() == b.len() && a.iter().all(|x| b.iter().any(|y| same_id(x, y)));
    let removed: Vec<&str> = forward.body.remove_licenses.iter().map(String::as_str).collect();
    let reremoved: Vec<&str> = inverse.body.remove_licenses.iter().map(String::as_str).collect();
    set_eq(&readded, &removed) && set_eq(&reremoved, &added)
}

pub fn rollback_plan(plan: &Plan, journal: &Journal, verify: &VerifyReport) -> RollbackPlan {
    let mut left_out = Vec::new();
    let mut out = plan.clone();
    out.phases = Vec::new();
    out.rollback = Vec::new();
    out.findings = Vec::new();
    // Rolling back goes from the target product to the source.
    std::mem::swap(&mut out.source, &mut out.target);
    for phase in &plan.rollback {
        let mut p = phase.clone();
        p.actions.clear();
        for inverse in &phase.actions {
            let forward = plan
                .actions()
                .filter(|f| f.target.kind == inverse.target.kind && same_id(&f.target.id, &inverse.target.id))
                .find(|f| inverts(inverse, f));
            let Some(forward) = forward else {
                left_out.push((inverse.id.clone(), "no forward action in the plan matches it".into()));
                continue;
            };
            if journal.state(&forward.id) != Some(&EntryState::Done) {
                left_out.push((inverse.id.clone(), format!("'{}' was not done", forward.id)));
                continue;
            }
            match verify.item(&forward.id) {
                Some(item) if item.outcome == VerifyOutcome::Ok => {
                    let mut a = inverse.clone();
                    a.fingerprint = item.now_fingerprint.clone().unwrap_or_default();
                    p.actions.push(a);
                }
                Some(_) => {
                    left_out.push((inverse.id.clone(), format!("verify did not confirm '{}'", forward.id)))
                }
                None => left_out.push((
                    inverse.id.clone(),
                    format!("'{}' was not verified: run verify first", forward.id),
                )),
            }
        }
        if !p.actions.is_empty() {
            out.phases.push(p);
        }
    }
    RollbackPlan { plan: out, left_out }
}
