//! The plan's `assignLicense` calls in phases, and their rollback (inverse actions, reverse
//! order). Bodies are shared: every user swapped with the same disabled plans gets the same
//! `Arc`, and so does every equal rollback body ([`rollback::Inverses`]), so a 100,000-user plan
//! allocates per action only what names the action (id, subject, fingerprint).
use super::evaluate::{Direct, Eval};
use super::findings::{group_subject, user_subject};
use super::output::Inputs;
use super::rollback::{self, Inverses, Own};
use licswap_core::model::{same_id, AssignLicenseBody, AssignedLicense};
use licswap_core::plan::fingerprint::Parts;
use licswap_core::plan::{Action, ActionKind, Phase};
use std::sync::Arc;

fn body(add: Option<AssignedLicense>, remove: &str) -> Arc<AssignLicenseBody> {
    Arc::new(AssignLicenseBody {
        add_licenses: add.into_iter().collect(),
        remove_licenses: vec![remove.into()],
    })
}

/// `parts` joined, in one allocation of the right size (once per action and rollback).
pub(crate) fn action_id(parts: &[&str]) -> String {
    let mut id = String::with_capacity(parts.iter().map(|p| p.len()).sum());
    parts.iter().for_each(|p| id.push_str(p));
    id
}

fn lic(sku_id: &str, disabled: Vec<String>) -> AssignedLicense {
    AssignedLicense { sku_id: sku_id.to_string(), disabled_plans: disabled }
}

/// Phases of actions and the rollback phases.
pub(crate) fn actions(o: &Inputs<'_, '_>, evals: &[&Eval]) -> (Vec<Phase>, Vec<Phase>) {
    let t = o.t;
    let src_id = &t.skus[o.src].sku.sku_id;
    let tgt_id = &t.skus[o.tgt].sku.sku_id;
    let n1 = evals.iter().filter(|e| matches!(e.verdict.direct, Some(d) if d.phase() == 1)).count()
        + o.groups.iter().filter(|g| g.swapping()).count();
    let n2 = evals.iter().filter(|e| matches!(e.verdict.direct, Some(d) if d.phase() == 2)).count();
    let (mut p1, mut r1) = (Vec::with_capacity(n1), Vec::with_capacity(n1));
    let (mut p2, mut r2) = (Vec::with_capacity(n2), Vec::with_capacity(n2));
    let mut fp = Parts::default();
    let mut inverses = Inverses::default();
    for (gi, gp) in o.groups.iter().enumerate().filter(|(_, gp)| gp.swapping()) {
        let g = t.groups[gi];
        let own_before: Vec<Own<'_>> = g
            .assigned_licenses
            .iter()
            .filter(|l| same_id(&l.sku_id, src_id) || same_id(&l.sku_id, tgt_id))
            .map(|l| Own { sku_id: &l.sku_id, disabled: &l.disabled_plans })
            .collect();
        let disabled = match &gp.keeps_target {
            Some(b) => o.mapper.ids_of(t, b),
            None => o.mapper.get(gp.mapped).target_disabled_ids.clone(),
        };
        let forward = body(Some(lic(tgt_id, disabled)), src_id);
        let a = Action {
            id: action_id(&["swap:group:", &g.id]),
            kind: ActionKind::Swap,
            target: Arc::new(group_subject(g)),
            body: forward,
            fingerprint: fp.group(g),
        };
        r1.push(rollback::inverse(&a, inverses.body(&a.body, &own_before)));
        p1.push(a);
    }
    // Forward bodies by kind: a swap's depends only on its mapped disabled plans.
    let mut swaps: Vec<Option<Arc<AssignLicenseBody>>> = Vec::new();
    let remove_only = body(None, src_id);
    let mut fp_key = Vec::new();
    for (pos, e) in evals.iter().enumerate() {
        let Some(d) = e.verdict.direct else { continue };
        let ui = o.scope.users[pos];
        let u = &t.users[ui as usize];
        let own = |sku| t.rows.own(u, ui, sku).map(|(sku_id, disabled)| Own { sku_id, disabled });
        let (kind, id, phase, forward) = match d {
            Direct::Swap { phase, mapped } => {
                if swaps.len() <= mapped {
                    swaps.resize(mapped + 1, None);
                }
                let b = swaps[mapped].get_or_insert_with(|| {
                    body(Some(lic(tgt_id, o.mapper.get(mapped).target_disabled_ids.clone())), src_id)
                });
                (ActionKind::Swap, "swap", phase, b.clone())
            }
            Direct::SwapKeepTarget { mapped } => {
                let mut existing = vec![0u64; t.words];
                t.bits_of(own(o.tgt).map_or(&[][..], |l| l.disabled), &mut existing);
                let disabled = o.mapper.ids_of(t, &o.mapper.keep_existing(&existing, mapped));
                (ActionKind::Swap, "swap", 1, body(Some(lic(tgt_id, disabled)), src_id))
            }
            Direct::RemoveRedundant { phase } => {
                (ActionKind::RemoveRedundantDirect, "remove-direct", phase, remove_only.clone())
            }
        };
        let a = Action {
            id: action_id(&[id, ":user:", &u.id]),
            kind,
            target: Arc::new(user_subject(u)),
            body: forward,
            fingerprint: if t.rows.fingerprint_key(ui, &mut fp_key) {
                fp.user_keyed(&fp_key, u)
            } else {
                fp.user(u)
            },
        };
        let own_key = t.rows.own_key(ui, o.src, o.tgt);
        let own_before = || [own(o.src), own(o.tgt)].into_iter().flatten().collect();
        let inv = rollback::inverse(&a, inverses.body_keyed(&a.body, own_key, own_before));
        if phase == 1 {
            p1.push(a);
            r1.push(inv);
        } else {
            p2.push(a);
            r2.push(inv);
        }
    }
    let mut phases = Vec::new();
    let mut undo = Vec::new();
    let has_p2 = !p2.is_empty();
    if !p1.is_empty() {
        phases.push(Phase { title: "Swap licenses".into(), waits_for: None, actions: p1 });
    }
    if has_p2 {
        phases.push(Phase {
            title: "Swap or remove the direct source licenses of group members".into(),
            // A member's direct source can conflict with the target the group now gives (E1's
            // Exchange/SharePoint plans against E3's): Graph then leaves the group's target in
            // error until this step swaps the direct license, so the wait is for processing to
            // settle, not for every member to be Active.
            waits_for: Some(
                "Graph must finish processing the swapped groups first (members end Active, or in error \
                 where their direct source license conflicts: this step clears that)"
                    .into(),
            ),
            actions: p2,
        });
        undo.push(Phase { title: "Undo: restore direct licenses".into(), waits_for: None, actions: r2 });
    }
    if !r1.is_empty() {
        let waits_for =
            has_p2.then(|| "the direct licenses restored above must show Active first".to_string());
        undo.push(Phase { title: "Undo: swap licenses back".into(), waits_for, actions: r1 });
    }
    (phases, undo)
}
