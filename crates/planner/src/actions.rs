//! The plan's `assignLicense` calls in phases, and their rollback (inverse actions, reverse
//! order). Bodies are shared: every user swapped with the same disabled plans gets the same
//! `Arc`, and so does every equal rollback body ([`rollback::Inverses`]), so a 100,000-user plan
//! allocates per action only what names the action (id, subject, fingerprint).
use super::evaluate::{Direct, Eval};
use super::findings::{group_subject, indexed_user_subject};
use super::output::Inputs;
use super::resolve::Indexes;
use super::rollback::{self, Inverses, Own};
use licswap_core::model::{AssignLicenseBody, AssignedLicense};
use licswap_core::plan::fastmap::FastMap;
use licswap_core::plan::fingerprint::Parts;
use licswap_core::plan::{Action, ActionKind, Phase};
use licswap_core::shared_str::SharedStr;
use std::sync::Arc;

fn body(add: Vec<AssignedLicense>, remove: Vec<String>) -> Arc<AssignLicenseBody> {
    Arc::new(AssignLicenseBody { add_licenses: add, remove_licenses: remove })
}

thread_local! {
    static ID_BUF: std::cell::RefCell<String> = const { std::cell::RefCell::new(String::new()) };
}

/// The id `write` spells, as the plan keeps it: written into a buffer kept for the next id, then
/// copied once into its `Arc` (one allocation per action and rollback; a `String` turned into an
/// `Arc<str>` would be two).
pub(crate) fn action_id_with(write: impl FnOnce(&mut String)) -> SharedStr {
    ID_BUF.with_borrow_mut(|buf| {
        buf.clear();
        write(buf);
        SharedStr::unpooled(buf)
    })
}

/// `parts` joined: [`action_id_with`].
pub(crate) fn action_id(parts: &[&str]) -> SharedStr {
    action_id_with(|id| parts.iter().for_each(|p| id.push_str(p)))
}

fn lic(sku_id: &str, disabled: Vec<String>) -> AssignedLicense {
    AssignedLicense { sku_id: sku_id.into(), disabled_plans: disabled }
}

/// The ids (as subscribedSkus spells them) of the SKUs in `ks` whose bits are set in `m`.
fn ids(t: &Indexes<'_>, ks: &[usize], m: u32) -> Vec<String> {
    ks.iter()
        .enumerate()
        .filter(|(i, _)| m & (1 << i) != 0)
        .map(|(_, &k)| t.skus[k].sku.sku_id.clone())
        .collect()
}

/// Phases of actions and the rollback phases.
pub(crate) fn actions(o: &Inputs<'_, '_>, evals: &[&Eval]) -> (Vec<Phase>, Vec<Phase>) {
    let t = o.t;
    let sd = o.sides;
    let (nt, all_tgts) = (sd.tgts.len(), sd.all_tgts());
    let tgt_id = |ti: usize| t.skus[sd.tgts[ti]].sku.sku_id.as_str();
    let n1 = evals.iter().filter(|e| matches!(e.verdict.direct, Some(d) if d.phase() == 1)).count()
        + o.groups.iter().filter(|g| g.swapping()).count();
    let n2 = evals.iter().filter(|e| matches!(e.verdict.direct, Some(d) if d.phase() == 2)).count();
    let (mut p1, mut r1) = (Vec::with_capacity(n1), Vec::with_capacity(n1));
    let (mut p2, mut r2) = (Vec::with_capacity(n2), Vec::with_capacity(n2));
    let mut fp = Parts::default();
    let mut inverses = Inverses::default();
    let is_side = |sku_id: &str| t.sku_of(sku_id).is_some_and(|k| sd.src(k).is_some() || sd.tgt(k).is_some());
    for (gi, gp) in o.groups.iter().enumerate().filter(|(_, gp)| gp.swapping()) {
        let g = t.groups[gi];
        let own_before: Vec<Own<'_>> = g
            .assigned_licenses
            .iter()
            .filter(|l| is_side(&l.sku_id))
            .map(|l| Own { sku_id: &l.sku_id, disabled: &l.disabled_plans })
            .collect();
        // Every target comes (one the group assigns already keeps its own plans off), every source
        // the group assigns goes: one call.
        let add = (0..nt)
            .map(|ti| {
                let disabled = match &gp.keeps[ti] {
                    Some(b) => o.mapper.ids_of(t, ti, b),
                    None => o.mapper.get(gp.mapped).target_disabled_ids[ti].clone(),
                };
                lic(tgt_id(ti), disabled)
            })
            .collect();
        let forward = body(add, ids(t, &sd.srcs, gp.srcs));
        let a = Action {
            id: action_id(&["swap:group:", &g.id]),
            kind: ActionKind::Swap,
            target: Arc::new(group_subject(g)),
            body: forward,
            fingerprint: fp.group(g),
            undoes: None,
        };
        r1.push(rollback::inverse(&a, inverses.body(&a.body, &own_before)));
        p1.push(a);
    }
    // Forward bodies shared by what they depend on: the mapping, which targets are added and
    // which sources removed (users who re-add a target they hold get a body of their own).
    let mut shared: FastMap<(usize, u32, u32), Arc<AssignLicenseBody>> = FastMap::default();
    let mut fp_key = Vec::new();
    let side_skus: Vec<usize> = sd.srcs.iter().chain(&sd.tgts).copied().collect();
    for (pos, e) in evals.iter().enumerate() {
        let Some(d) = e.verdict.direct else { continue };
        let ui = o.scope.users[pos];
        let u = &t.users[ui as usize];
        let own = |sku| t.rows.own(u, ui, sku).map(|(sku_id, disabled)| Own { sku_id, disabled });
        let (kind, id, phase, forward) = match d {
            Direct::Swap { phase, mapped, adds, keeps, removes } => {
                let m = o.mapper.get(mapped);
                let build = |keeps: u32| {
                    let add = (0..nt)
                        .filter(|ti| (adds | keeps) & all_tgts & (1 << ti) != 0)
                        .map(|ti| {
                            if keeps & (1 << ti) != 0 {
                                let mut existing = vec![0u64; t.words];
                                t.bits_of(own(sd.tgts[ti]).map_or(&[][..], |l| l.disabled), &mut existing);
                                lic(
                                    tgt_id(ti),
                                    o.mapper.ids_of(t, ti, &o.mapper.keep_existing(&existing, mapped)),
                                )
                            } else {
                                lic(tgt_id(ti), m.target_disabled_ids[ti].clone())
                            }
                        })
                        .collect();
                    body(add, ids(t, &sd.srcs, removes))
                };
                let b = if keeps == 0 {
                    shared.entry((mapped, adds, removes)).or_insert_with(|| build(0)).clone()
                } else {
                    build(keeps)
                };
                (ActionKind::Swap, "swap", phase, b)
            }
            Direct::RemoveRedundant { phase, removes } => {
                let b = shared
                    .entry((usize::MAX, 0, removes))
                    .or_insert_with(|| body(Vec::new(), ids(t, &sd.srcs, removes)));
                (ActionKind::RemoveRedundantDirect, "remove-direct", phase, b.clone())
            }
        };
        // The user's id from the index, not from the user's own string (see write_user_id),
        // written once for the action's id and its subject's.
        let mut user_id = String::new();
        let a = Action {
            id: action_id_with(|action| {
                action.push_str(id);
                action.push_str(":user:");
                let at = action.len();
                t.write_user_id(ui, action);
                user_id.push_str(&action[at..]);
            }),
            kind,
            target: Arc::new(indexed_user_subject(t, ui, user_id)),
            body: forward,
            fingerprint: if t.rows.fingerprint_key(ui, &mut fp_key) {
                fp.user_keyed(&fp_key, u)
            } else {
                fp.user(u)
            },
            undoes: None,
        };
        let own_key = t.rows.own_key(ui, &side_skus);
        let own_before = || side_skus.iter().filter_map(|&k| own(k)).collect();
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
