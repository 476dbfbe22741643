//! Assembling the plan from the settled evaluation: group- and SKU-level findings, coverage
//! entries (the actions are in [`super::actions`]).
use super::bits;
use super::evaluate::{Eval, GroupPlan};
use super::findings::{finding, group_subject, sku_subject};
use super::mapping::Mapper;
use super::resolve::Indexes;
use super::scope::Resolved;
use super::sides::Sides;
use licswap_core::catalog;
use licswap_core::model::SubscribedSku;
use licswap_core::plan::fastmap::FastMap;
use licswap_core::plan::IdList;
use licswap_core::plan::{Coverage, Finding, FindingCode as C, Severity as S, SkuSummary};

pub(crate) struct Inputs<'x, 'a> {
    pub t: &'x Indexes<'a>,
    pub sides: &'x Sides,
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
    let sd = o.sides;
    let tgt = sd.tgt_label.as_str();
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
            if !gp.keeps_any() && !bits::is_empty(kept) {
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
        let keeps = (0..sd.tgts.len()).filter(|&ti| gp.keeps[ti].is_some()).fold(0u32, |m, ti| m | 1 << ti);
        if keeps != 0 {
            let message = if keeps == sd.all_tgts() {
                format!(
                    "group {} already assigns {tgt}: its swap only removes {}",
                    g.label(),
                    sd.src_names(t, gp.srcs)
                )
            } else {
                format!(
                    "group {} already assigns {}: its swap re-adds it as it is",
                    g.label(),
                    sd.tgt_names(t, keeps)
                )
            };
            out.push(finding(C::AlreadyHasTarget, S::Info, subject(), message, "none", Vec::new()));
        }
        if gp.srcs != 0 && gp.srcs != sd.all_srcs() {
            out.push(finding(
                C::PartialHolder,
                S::Info,
                subject(),
                format!(
                    "group {} assigns {} but not {}: its swap removes what it assigns and adds {tgt}",
                    g.label(),
                    sd.src_names(t, gp.srcs),
                    sd.src_names(t, sd.all_srcs() & !gp.srcs)
                ),
                "none: check that the members get the missing source elsewhere if they should keep it",
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
    for &k in o.sides.srcs.iter().chain(&o.sides.tgts) {
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

#[inline(never)] // a frame of its own in profiles (it runs once per plan)
pub(crate) fn coverage(
    t: &Indexes<'_>,
    sr: &Resolved<'_>,
    evals: &[&Eval],
    keys: &[Box<[u64]>],
) -> Vec<Coverage> {
    let w = t.words;
    // Profiles are few and dense: index them by number, and size each `also` list up front (a
    // 100,000-user list grown by doubling costs more than the whole entry).
    let mut count = vec![0usize; keys.len()];
    evals.iter().filter(|e| e.verdict.changed).for_each(|e| count[e.verdict.profile as usize] += 1);
    let mut slot: Vec<Option<usize>> = vec![None; keys.len()];
    let mut out: Vec<Coverage> = Vec::new();
    let names = |key: &[u64], part: usize| -> Vec<String> {
        bits::iter(&key[part * w..(part + 1) * w]).map(|p| t.plan_name(p).to_string()).collect()
    };
    for (pos, e) in evals.iter().enumerate().filter(|(_, e)| e.verdict.changed) {
        let u = &t.users[sr.users[pos] as usize];
        let p = e.verdict.profile as usize;
        match slot[p] {
            // The id from the index, not from the user's own string (see write_user_id).
            Some(i) => out[i].also.push_with(|text| t.write_user_id(sr.users[pos], text)),
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
                    // Sized for GUIDs: most ids are one.
                    also: IdList::with_capacity(count[p] - 1, (count[p] - 1) * 36),
                });
            }
        }
    }
    out
}
