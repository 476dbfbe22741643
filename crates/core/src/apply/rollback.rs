//! Rollback: the plan's inverse actions, for what was actually done, as a plan of its own (run it
//! with the same executor and its own journal).
//!
//! Each inverse action is stamped with the fingerprint its target had when verify confirmed the
//! forward action: anything changed since then is refused as stale, like any other plan.
use super::journal::{EntryState, Journal};
use super::verify::{VerifyOutcome, VerifyReport};
use crate::model::same_id;
use crate::plan::{Action, Phase, Plan, TargetKind};
use crate::shared_str::SharedStr;
use std::collections::HashMap;

#[derive(Clone, Debug, PartialEq)]
pub struct RollbackPlan {
    pub plan: Plan,
    /// Inverse actions not included, with why.
    pub left_out: Vec<(String, String)>,
}

/// True when `inverse` undoes `forward`: it adds back what forward removed and removes what
/// forward added. Pairs the actions of a plan made before inverse actions recorded
/// [`Action::undoes`] (one the page kept across a reload may be such a plan).
fn inverts(inverse: &Action, forward: &Action) -> bool {
    let added: Vec<&str> = forward.body.add_licenses.iter().map(|l| l.sku_id.as_str()).collect();
    let readded: Vec<&str> = inverse.body.add_licenses.iter().map(|l| l.sku_id.as_str()).collect();
    let set_eq =
        |a: &[&str], b: &[&str]| a.len() == b.len() && a.iter().all(|x| b.iter().any(|y| same_id(x, y)));
    let removed: Vec<&str> = forward.body.remove_licenses.iter().map(String::as_str).collect();
    let reremoved: Vec<&str> = inverse.body.remove_licenses.iter().map(String::as_str).collect();
    set_eq(&readded, &removed) && set_eq(&reremoved, &added)
}

/// The plan's forward actions with their phase, found by id (what an inverse action names in
/// [`Action::undoes`]) or, for an inverse that names none, by target and body: one pass over the
/// plan, then a lookup per inverse, so a rollback of 100,000 actions stays linear.
struct Forwards<'p> {
    by_id: HashMap<&'p str, (usize, &'p Action)>,
    /// By target kind and lowercased id; built only when some inverse names no forward action.
    by_target: Option<HashMap<(TargetKind, String), Vec<(usize, &'p Action)>>>,
}

impl<'p> Forwards<'p> {
    fn new(plan: &'p Plan) -> Self {
        let mut by_id = HashMap::new();
        for (pi, phase) in plan.phases.iter().enumerate() {
            for a in &phase.actions {
                by_id.entry(a.id.as_str()).or_insert((pi, a));
            }
        }
        let unpaired = plan.rollback.iter().flat_map(|p| &p.actions).any(|a| a.undoes.is_none());
        let by_target = unpaired.then(|| {
            let mut m: HashMap<(TargetKind, String), Vec<(usize, &'p Action)>> = HashMap::new();
            for (pi, phase) in plan.phases.iter().enumerate() {
                for a in &phase.actions {
                    m.entry((a.target.kind, a.target.id.to_ascii_lowercase())).or_default().push((pi, a));
                }
            }
            m
        });
        Forwards { by_id, by_target }
    }

    /// The forward action `inverse` undoes, with its phase index.
    fn of(&self, inverse: &Action) -> Option<(usize, &'p Action)> {
        match &inverse.undoes {
            Some(id) => self.by_id.get(id.as_str()).copied(),
            None => self
                .by_target
                .as_ref()?
                .get(&(inverse.target.kind, inverse.target.id.to_ascii_lowercase()))?
                .iter()
                .find(|(_, f)| inverts(inverse, f))
                .copied(),
        }
    }
}

/// The inverse actions of what was done and verified, as a plan of its own.
///
/// Inverse actions run in the *forward* phase order, not the reverse: a user who got a direct
/// target next to a group's target (or lost a redundant direct source) can only get the direct
/// source back once the group gives the source again, since Graph refuses a direct source next to
/// the group's target (MutuallyExclusiveViolation, both carry an Exchange plan).
pub fn rollback_plan(plan: &Plan, journal: &Journal, verify: &VerifyReport) -> RollbackPlan {
    let mut left_out = Vec::new();
    let mut out = plan.clone();
    out.phases = Vec::new();
    out.rollback = Vec::new();
    out.findings = Vec::new();
    // Rolling back goes from the target product to the source.
    std::mem::swap(&mut out.source, &mut out.target);
    if let Some(b) = &mut out.bundle {
        std::mem::swap(&mut b.sources, &mut b.targets);
    }
    let mut by_phase: Vec<Vec<Action>> = vec![Vec::new(); plan.phases.len()];
    let mut titles: Vec<Option<String>> = vec![None; plan.phases.len()];
    let forwards = Forwards::new(plan);
    for phase in &plan.rollback {
        for inverse in &phase.actions {
            let Some((pi, forward)) = forwards.of(inverse) else {
                left_out.push((inverse.id.to_string(), "no forward action in the plan matches it".into()));
                continue;
            };
            if journal.state(&forward.id) != Some(&EntryState::Done) {
                left_out.push((inverse.id.to_string(), format!("'{}' was not done", forward.id)));
                continue;
            }
            match verify.item(&forward.id) {
                Some(item) if item.outcome == VerifyOutcome::Ok => {
                    let mut a = inverse.clone();
                    // Not through the tenant's string pool: a digest, like the planner's.
                    a.fingerprint = SharedStr::unpooled(item.now_fingerprint.as_deref().unwrap_or_default());
                    by_phase[pi].push(a);
                    titles[pi].get_or_insert_with(|| phase.title.clone());
                }
                Some(_) => left_out
                    .push((inverse.id.to_string(), format!("verify did not confirm '{}'", forward.id))),
                None => left_out.push((
                    inverse.id.to_string(),
                    format!("'{}' was not verified: run verify first", forward.id),
                )),
            }
        }
    }
    for (pi, actions) in by_phase.into_iter().enumerate() {
        if actions.is_empty() {
            continue;
        }
        let waits_for = (!out.phases.is_empty()).then(|| {
            "group processing must show the source Active on every member of the groups first".to_string()
        });
        let title = titles[pi].clone().unwrap_or_else(|| format!("Undo phase {}", pi + 1));
        out.phases.push(Phase { title, waits_for, actions });
    }
    RollbackPlan { plan: out, left_out }
}
