//! Assembling the plan from the settled evaluation: actions in phases with their rollback,
//! group- and SKU-level findings, coverage entries.
use super::bits;
use super::evaluate::{Direct, Eval, GroupPlan};
use super::fastmap::FastMap;
use super::findings::{finding, group_subject, sku_subject, user_subject};
use super::fingerprint::Parts;
use super::mapping::Mapper;
use super::resolve::{eq_id, Tenant};
use super::rollback;
use super::scope::Resolved;
use super::types::{
    Action, ActionKind, Coverage, Finding, FindingCode as C, Phase, Severity as S, SkuSummary,
};
use crate::catalog;
use crate::graph::model::{same_id, AssignLicenseBody, AssignedLicense, SubscribedSku, User};

pub(crate) struct Inputs<'x, 'a> {
    pub t: &'x Tenant<'a>,
    pub src: usize,
    pub tgt: usize,
    pub scope: &'x Resolved<'a>,
    pub groups: &'x [GroupPlan],
    pub group_users: &'x [Vec<u32>],
    pub mapper: &'x Mapper,
}

pub(crate) fn summary(sku: &SubscribedSku) -> SkuSummary {
    SkuSummary {
        sku_id: sku.sku_id.clone(),
        sku_part_number: sku.sku_part_number.clone(),
        name: catalog::sku(&sku.sku_id).map_or_else(|| sku.sku_part_number.clone(), |d| d.name.to_string()),
    }
}

pub(crate) fn group_findings(o: &Inputs<'_, '_>, held_by: &FastMap<u32, (u32, C)>, out: &mut Vec<Finding>) {
    let t = o.t;
    let (src, tgt) = (t.skus[o.src].label(), t.skus[o.tgt].label());
    for (gi, gp) in o.groups.iter().enumerate().filter(|(_, gp)| gp.in_scope) {
        let g = t.groups[gi];
        let subject = || group_subject(g);
        if let Some(&(pos, code)) = held_by.get(&(gi as u32)) {
            let m = &t.users[o.scope.users[pos as usize] as usize];
            out.push(finding(
                code,
                S::Blocker,
                subject(),
                format!(
                    "group {} is not swapped: the swap would harm member {} (see that member's {code:?} \
                     finding)",
                    g.label(),
                    m.label()
                ),
                format!(
                    "resolve {}'s finding (or remove {} from the group), then plan again",
                    m.label(),
                    m.label()
                ),
                Vec::new(),
            ));
        } else if gp.swapping() {
            let n = o.group_users[gi].len();
            out.push(finding(
                C::InheritedCoveredByGroup,
                S::Info,
                subject(),
                format!("{n} member(s) get {tgt} through this group's swap (one assignLicense on the group)"),
                "none: group licensing processes the members after the call; watch membersWithLicenseErrors",
                Vec::new(),
            ));
            let kept = &o.mapper.get(gp.mapped).kept_disabled;
            if gp.keeps_target.is_none() && !bits::is_empty(kept) {
                let names: Vec<String> = bits::iter(kept).map(|p| t.plan_name(p).to_string()).collect();
                out.push(finding(
                    C::DisabledPlansKept,
                    S::Info,
                    subject(),
                    format!("group {} keeps {} disabled under {tgt}", g.label(), names.join(", ")),
                    "set options.preserveDisabledPlans to false to enable them",
                    names,
                ));
            }
        }
        if gp.keeps_target.is_some() {
            out.push(finding(
                C::AlreadyHasTarget,
                S::Info,
                subject(),
                format!("group {} already assigns {tgt}: its swap only removes {src}", g.label()),
                "none",
                Vec::new(),
            ));
        }
        if g.is_dynamic() {
            let rule = g.membership_rule.as_deref().unwrap_or("(rule not read)");
            out.push(finding(
                C::DynamicGroup,
                S::Info,
                subject(),
                format!(
                    "group {} has dynamic membership ({rule}): the license swap on the group works as \
                     for any group, but members cannot be added or removed by hand",
                    g.label()
                ),
                "to change who gets the license, change the users' attributes (or the rule), not the members",
                Vec::new(),
            ));
        }
        if g.is_synced() {
            out.push(finding(
                C::OnPremisesSyncedGroup,
                S::Info,
                subject(),
                format!(
                    "group {} is synced from on-premises Active Directory: its license assignment is \
                     managed in the cloud and this swap applies, but its membership is not",
                    g.label()
                ),
                "add or remove members in on-premises AD and expect a sync delay before group licensing sees them",
                Vec::new(),
            ));
        }
    }
}

pub(crate) fn unknown_plan_findings(o: &Inputs<'_, '_>, out: &mut Vec<Finding>) {
    for k in [o.src, o.tgt] {
        let sku = o.t.skus[k].sku;
        let unknown: Vec<String> = sku
            .service_plans
            .iter()
            .filter(|sp| catalog::plan_by_id(&sp.service_plan_id).is_none())
            .map(|sp| sp.service_plan_name.clone())
            .collect();
        if !unknown.is_empty() {
            out.push(finding(
                C::UnknownServicePlan,
                S::Info,
                sku_subject(&sku.sku_id, &sku.sku_part_number),
                format!(
                    "{} has service plans the built-in catalog does not know: {}; they are matched by \
                     servicePlanId only (no equivalences, conflicts or dependencies)",
                    sku.sku_part_number,
                    unknown.join(", ")
                ),
                "check these plans by hand in the coverage",
                unknown,
            ));
        }
    }
}

fn lic(sku_id: &str, disabled: Vec<String>) -> AssignedLicense {
    AssignedLicense { sku_id: sku_id.to_string(), disabled_plans: disabled }
}

/// The user's own (direct) assignment of `sku_id`, if any.
fn own(u: &User, sku_id: &str) -> Option<AssignedLicense> {
    if u.license_assignment_states.is_empty() {
        u.assigned_licenses.iter().find(|l| eq_id(&l.sku_id, sku_id)).cloned()
    } else {
        u.license_assignment_states
            .iter()
            .find(|s| s.is_direct() && eq_id(&s.sku_id, sku_id))
            .map(|s| lic(&s.sku_id, s.disabled_plans.clone()))
    }
}

/// Phases of actions and the rollback phases (inverse actions, reverse order).
pub(crate) fn actions(o: &Inputs<'_, '_>, evals: &[&Eval]) -> (Vec<Phase>, Vec<Phase>) {
    let t = o.t;
    let src_id = &t.skus[o.src].sku.sku_id;
    let tgt_id = &t.skus[o.tgt].sku.sku_id;
    let n1 = evals.iter().filter(|e| matches!(e.direct, Some(d) if d.phase() == 1)).count()
        + o.groups.iter().filter(|g| g.swapping()).count();
    let n2 = evals.iter().filter(|e| matches!(e.direct, Some(d) if d.phase() == 2)).count();
    let (mut p1, mut r1) = (Vec::with_capacity(n1), Vec::with_capacity(n1));
    let (mut p2, mut r2) = (Vec::with_capacity(n2), Vec::with_capacity(n2));
    let mut fp = Parts::default();
    for (gi, gp) in o.groups.iter().enumerate().filter(|(_, gp)| gp.swapping()) {
        let g = t.groups[gi];
        let own_before: Vec<AssignedLicense> = g
            .assigned_licenses
            .iter()
            .filter(|l| same_id(&l.sku_id, src_id) || same_id(&l.sku_id, tgt_id))
            .cloned()
            .collect();
        let disabled = match &gp.keeps_target {
            Some(b) => o.mapper.ids_of(t, b),
            None => o.mapper.get(gp.mapped).target_disabled_ids.clone(),
        };
        let body = AssignLicenseBody {
            add_licenses: vec![lic(tgt_id, disabled)],
            remove_licenses: vec![src_id.clone()],
        };
        let a = Action {
            id: ["swap:group:", g.id.as_str()].concat(),
            kind: ActionKind::Swap,
            target: group_subject(g),
            body,
            fingerprint: fp.group(g),
        };
        r1.push(rollback::inverse(&a, own_before));
        p1.push(a);
    }
    for (pos, e) in evals.iter().enumerate() {
        let Some(d) = e.direct else { continue };
        let u = &t.users[o.scope.users[pos] as usize];
        let own_src = own(u, src_id);
        let own_tgt = own(u, tgt_id);
        let (kind, id, phase, add) = match d {
            Direct::Swap { phase, mapped } => (
                ActionKind::Swap,
                "swap",
                phase,
                vec![lic(tgt_id, o.mapper.get(mapped).target_disabled_ids.clone())],
            ),
            Direct::SwapKeepTarget { mapped } => {
                let mut existing = vec![0u64; t.words];
                t.bits_of(own_tgt.as_ref().map_or(&[][..], |l| &l.disabled_plans), &mut existing);
                let disabled = o.mapper.ids_of(t, &o.mapper.keep_existing(&existing, mapped));
                (ActionKind::Swap, "swap", 1, vec![lic(tgt_id, disabled)])
            }
            Direct::RemoveRedundant { phase } => {
                (ActionKind::RemoveRedundantDirect, "remove-direct", phase, Vec::new())
            }
        };
        let a = Action {
            id: [id, ":user:", u.id.as_str()].concat(),
            kind,
            target: user_subject(u),
            body: AssignLicenseBody { add_licenses: add, remove_licenses: vec![src_id.clone()] },
            fingerprint: fp.user(u),
        };
        let own_before: Vec<AssignedLicense> = own_src.into_iter().chain(own_tgt).collect();
        let inv = rollback::inverse(&a, own_before);
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

pub(crate) fn coverage(
    t: &Tenant<'_>,
    sr: &Resolved<'_>,
    evals: &[&Eval],
    keys: &[Box<[u64]>],
) -> Vec<Coverage> {
    let w = t.words;
    // Profiles are few and dense: index them by number, and size each `also` list up front (a
    // 100,000-user list grown by doubling costs more than the whole entry).
    let mut count = vec![0usize; keys.len()];
    evals.iter().filter(|e| e.changed).for_each(|e| count[e.profile as usize] += 1);
    let mut slot: Vec<Option<usize>> = vec![None; keys.len()];
    let mut out: Vec<Coverage> = Vec::new();
    let names = |key: &[u64], part: usize| -> Vec<String> {
        bits::iter(&key[part * w..(part + 1) * w]).map(|p| t.plan_name(p).to_string()).collect()
    };
    for (pos, e) in evals.iter().enumerate().filter(|(_, e)| e.changed) {
        let u = &t.users[sr.users[pos] as usize];
        let p = e.profile as usize;
        match slot[p] {
            Some(i) => out[i].also.push(u.id.clone()),
            None => {
                let key = &keys[p];
                slot[p] = Some(out.len());
                out.push(Coverage {
                    user_id: u.id.clone(),
                    user: u.label().to_string(),
                    kept: names(key, 0),
                    gained: names(key, 1),
                    lost: names(key, 2),
                    waived: names(key, 3),
                    kept_disabled: names(key, 4),
                    also: Vec::with_capacity(count[p] - 1),
                });
            }
        }
    }
    out
}
