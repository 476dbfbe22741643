//! The suite's judgement, from the simulator's own records (its log of applied writes, its
//! license history and its tenant), never from what the executor says about itself.
use licswap_core::apply::{EntryState, Journal};
use licswap_core::plan::{Action, Plan, TargetKind};
use licswap_sim::tenant::{StoredLicense, Tenant};
use licswap_sim::Sim;
use std::collections::{BTreeMap, BTreeSet, HashMap};

/// What the checks found. `problems` explains every lost or duplicated operation (empty when
/// the run is clean).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Outcome {
    pub done: usize,
    pub failed: usize,
    pub stale: usize,
    pub lost: usize,
    pub duplicated: usize,
    pub service_losses: usize,
    pub problems: Vec<String>,
}

/// The simulator's key for a target as the write log records it.
fn key(action: &Action) -> String {
    let kind = if action.target.kind == TargetKind::Group { "groups" } else { "users" };
    format!("{kind}/{}", action.target.id.to_ascii_lowercase())
}

/// Licenses on the target itself: a user's direct ones, a group's own.
fn own_licenses<'t>(t: &'t Tenant, action: &Action) -> Option<&'t [StoredLicense]> {
    match action.target.kind {
        TargetKind::User => t.user_ix(&action.target.id).map(|u| t.users[u as usize].direct.as_slice()),
        TargetKind::Group => t.group_ix(&action.target.id).map(|g| t.groups[g as usize].licenses.as_slice()),
        TargetKind::Sku => None,
    }
}

/// Does the tenant show the action's effect: every added SKU on the target with exactly the
/// body's disabled plans, every removed SKU gone?
pub fn shows_effect(t: &Tenant, action: &Action) -> bool {
    let Some(lics) = own_licenses(t, action) else { return false };
    let added = action.body.add_licenses.iter().all(|a| {
        let Some(sku) = t.sku_ix(&a.sku_id) else { return false };
        let mut want: Vec<_> = a.disabled_plans.iter().filter_map(|p| t.plans.by_id(p)).collect();
        want.sort_unstable();
        lics.iter().any(|l| {
            let mut have = l.disabled.clone();
            have.sort_unstable();
            l.sku == sku && have == want
        })
    });
    let removed = action
        .body
        .remove_licenses
        .iter()
        .all(|r| t.sku_ix(r).is_none_or(|s| lics.iter().all(|l| l.sku != s)));
    added && removed
}

/// Checks a finished run. `untouchable` holds, for each target someone else changed after the
/// preview, its own licenses as that admin left them: its action must be refused as stale and
/// the target never overwritten.
pub fn check_run(
    plan: &Plan,
    journal: &Journal,
    sim: &Sim,
    untouchable: &HashMap<String, Vec<StoredLicense>>,
) -> Outcome {
    let t = sim.tenant();
    let mut out = Outcome::default();
    let mut writes: HashMap<&str, usize> = HashMap::new();
    for w in &sim.writes {
        *writes.entry(w.target.as_str()).or_default() += 1;
    }
    let mut per_target: BTreeMap<String, Vec<&Action>> = BTreeMap::new();
    for a in plan.actions() {
        per_target.entry(key(a)).or_default().push(a);
    }
    for (k, actions) in &per_target {
        let applied = writes.get(k.as_str()).copied().unwrap_or(0);
        let mut done_here = 0;
        for a in actions {
            let state = journal.state(&a.id);
            match state {
                Some(EntryState::Done) => {
                    out.done += 1;
                    done_here += 1;
                    // Only the last action on a target must still show (a later one may undo
                    // part of an earlier one); plans have one action per target today.
                    if actions.len() == 1 && !shows_effect(t, a) {
                        out.lost += 1;
                        out.problems
                            .push(format!("{}: journal says done, the tenant does not show it", a.id));
                    }
                }
                Some(EntryState::Failed { code, message, .. }) => {
                    out.failed += 1;
                    if code.trim().is_empty() || message.trim().is_empty() {
                        out.lost += 1;
                        out.problems.push(format!("{}: failed without a reason", a.id));
                    }
                }
                Some(EntryState::SkippedStale { .. }) => {
                    out.stale += 1;
                    if !untouchable.contains_key(k) {
                        out.lost += 1;
                        out.problems.push(format!("{}: refused as stale, but nobody changed {k}", a.id));
                    }
                }
                other => {
                    out.lost += 1;
                    out.problems.push(format!("{}: ended {other:?}: neither done nor reported", a.id));
                }
            }
        }
        if applied > done_here {
            // A write Graph applied that the journal does not count as done: either a repeat, or
            // an operation whose success the journal lost.
            if done_here > 0 {
                out.duplicated += applied - done_here;
                out.problems.push(format!("{k}: {applied} writes applied for {done_here} done action(s)"));
            } else {
                out.lost += applied;
                out.problems.push(format!("{k}: {applied} write(s) applied, the journal says none is done"));
            }
        } else if applied < done_here {
            out.lost += done_here - applied;
            out.problems.push(format!("{k}: {done_here} action(s) done, {applied} write(s) applied"));
        }
        if let Some(left) = untouchable.get(k) {
            if applied > 0 || own_licenses(t, actions[0]).is_none_or(|now| !same_lics(now, left)) {
                out.lost += 1;
                out.problems
                    .push(format!("{k}: changed by someone else after the preview, then overwritten"));
            }
            if !actions.iter().all(|a| matches!(journal.state(&a.id), Some(EntryState::SkippedStale { .. })))
            {
                out.problems.push(format!("{k}: changed by someone else, not refused as stale"));
                out.lost += 1;
            }
        }
    }
    for id in journal.entries.keys().filter(|id| !plan.actions().any(|a| &a.id == *id)) {
        out.problems.push(format!("journal entry {id} is not an action of the plan"));
        out.lost += 1;
    }
    let losses = sim.service_losses();
    out.service_losses = losses.len();
    for l in losses.iter().take(5) {
        out.problems.push(format!("{} lost {:?} at {}", l.user_principal_name, l.lost, l.at_ms));
    }
    out
}

fn same_lics(a: &[StoredLicense], b: &[StoredLicense]) -> bool {
    let norm = |v: &[StoredLicense]| -> BTreeSet<(u16, Vec<u16>)> {
        v.iter()
            .map(|l| {
                let mut d = l.disabled.clone();
                d.sort_unstable();
                (l.sku, d)
            })
            .collect()
    };
    norm(a) == norm(b)
}
