//! One user against the planned changes: what the user's own action is, the license state after
//! every planned action, the service coverage, and the rule findings about the user.
use super::bits;
use super::mapping::Mapper;
use super::memo::{self, Rec};
use super::resolve::Tenant;
use super::rows::{Lic, Via, DISABLED_ACCOUNT, ERRORS, NO_LOCATION};
use licswap_core::plan::Finding;

/// What the planner does to one in-scope group.
pub(crate) struct GroupPlan {
    /// In scope and assigns the source.
    pub in_scope: bool,
    /// Not swapped in this plan (a member would be harmed, or the seats do not stretch).
    pub held: bool,
    /// Index into the [`Mapper`] of the target's disabledPlans for this group (or the group's own
    /// existing target assignment when it has one: see `keeps_target`).
    pub mapped: usize,
    /// The group already assigns the target: its swap re-adds it unchanged.
    pub keeps_target: Option<Vec<u64>>,
}

impl GroupPlan {
    pub fn swapping(&self) -> bool {
        self.in_scope && !self.held
    }
}

/// The user's own `assignLicense` call, if any.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Direct {
    /// Add the target (mapped disabledPlans) and remove the source; phase 1 or 2.
    Swap { phase: u8, mapped: usize },
    /// The user holds the target directly already: re-add it (enabling what the source enabled,
    /// see [`Mapper::keep_existing`]) and remove the source.
    SwapKeepTarget { mapped: usize },
    /// Remove the direct source: the target is already held through a group (phase 1) or will be
    /// once the group swap of phase 1 is processed (phase 2).
    RemoveRedundant { phase: u8 },
}

impl Direct {
    pub fn phase(self) -> u8 {
        match self {
            Direct::Swap { phase, .. } | Direct::RemoveRedundant { phase } => phase,
            Direct::SwapKeepTarget { .. } => 1,
        }
    }
}

/// What the planner does to a user and what that changes: the same for every user with the same
/// evaluation inputs (see [`memo`]), so the memo's outcome and each user's [`Eval`] share it.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Verdict {
    pub direct: Option<Direct>,
    /// The swap would hurt this user as planned (a harm finding).
    pub harm: bool,
    pub new_target: bool,
    pub frees_source: bool,
    pub changed: bool,
    /// Index of the user's coverage outcome (set by the caller).
    pub profile: u32,
}

pub(crate) struct Eval {
    pub verdict: Verdict,
    pub findings: Vec<Finding>,
    /// Some in-scope group's swap changes this user (which ones: [`Scratch::swapping`], right
    /// after the call).
    pub via_groups: bool,
}

/// Reusable per-user buffers (no allocation per user once warm).
pub(crate) struct Scratch {
    /// Outcomes by evaluation inputs, for the current settle round: see [`memo`].
    pub memo: memo::Memo,
    key: Vec<u64>,
    before_src: Vec<u64>,
    before_all: Vec<u64>,
    after_all: Vec<u64>,
    after_new_t: Vec<u64>,
    after_other: Vec<u64>,
    tmp: Vec<u64>,
    /// kept | gained | lost | waived | kept_disabled: the coverage key.
    pub cov: Vec<u64>,
    pub swapping: Vec<u32>,
}

impl Scratch {
    pub fn new(words: usize) -> Self {
        let z = || vec![0u64; words];
        Scratch {
            memo: memo::Memo::default(),
            key: Vec::new(),
            before_src: z(),
            before_all: z(),
            after_all: z(),
            after_new_t: z(),
            after_other: z(),
            tmp: z(),
            cov: vec![0u64; words * 5],
            swapping: Vec::new(),
        }
    }
}

pub(crate) struct Ctx<'t, 'a> {
    pub t: &'t Tenant<'a>,
    pub src: usize,
    pub tgt: usize,
    pub waived: &'t [u64],
    pub groups: &'t [GroupPlan],
}

/// Evaluate user `ui`. `member_of`: in-scope groups the user is a member of (whether or not the
/// user shows an inherited state from them yet). `no_direct`: the user's own action is withheld
/// (a harm found earlier, or deferred to a later wave). `intern`: the coverage profile of a
/// coverage key.
///
/// Users with the same evaluation inputs (see [`memo::key`]) share one outcome: only the findings'
/// wording differs, so a tenant of 100,000 users is evaluated a few hundred times, not 100,000.
/// [`Scratch::memo`] must be cleared whenever the group plans change.
pub(crate) fn evaluate<'a>(
    cx: &Ctx<'_, 'a>,
    mapper: &mut Mapper,
    sc: &mut Scratch,
    ui: u32,
    member_of: &[u32],
    no_direct: bool,
    intern: &mut dyn FnMut(&[u64]) -> u32,
) -> Eval {
    let t = cx.t;
    let lics = t.rows.lics(ui);
    let flags = t.rows.flags(ui);
    memo::key(&mut sc.key, flags, lics, member_of, no_direct);
    if let Some(o) = sc.memo.get(&sc.key) {
        sc.swapping.clear();
        sc.swapping.extend_from_slice(&o.swapping);
        return o.eval(cx, ui, lics);
    }
    let mut o = outcome(cx, mapper, sc, lics, flags, member_of, no_direct);
    o.verdict.profile = intern(&sc.cov);
    o.swapping.extend_from_slice(&sc.swapping);
    let e = o.eval(cx, ui, lics);
    sc.memo.insert(std::mem::take(&mut sc.key), o);
    e
}

/// [`evaluate`] without the memo: the user-independent outcome for a user's licenses and flags.
fn outcome<'a>(
    cx: &Ctx<'_, 'a>,
    mapper: &mut Mapper,
    sc: &mut Scratch,
    lics: &[Lic],
    flags: u8,
    member_of: &[u32],
    no_direct: bool,
) -> memo::Outcome {
    let t = cx.t;
    let w = t.words;
    let mut findings: Vec<Rec> = Vec::new();

    // Classify the user's licenses.
    let (mut src_direct, mut tgt_direct, mut tgt_group) = (None, None, false);
    let mut src_groups = 0usize;
    let mut all_src_groups_swapping = true;
    let mut out_of_scope = false;
    sc.swapping.clear();
    for (i, a) in lics.iter().enumerate() {
        if a.sku() == Some(cx.src) {
            match a.via() {
                Via::Direct => src_direct = Some(i),
                Via::Group(g) => {
                    src_groups += 1;
                    match g.map(|g| (g, &cx.groups[g as usize])) {
                        Some((g, gp)) if gp.in_scope => {
                            if gp.held {
                                all_src_groups_swapping = false;
                            } else if !sc.swapping.contains(&g) {
                                sc.swapping.push(g);
                            }
                        }
                        _ => {
                            all_src_groups_swapping = false;
                            out_of_scope = true;
                        }
                    }
                }
            }
        } else if a.sku() == Some(cx.tgt) {
            match a.via() {
                Via::Direct => tgt_direct = Some(i),
                Via::Group(..) => tgt_group = true,
            }
        }
    }
    for &g in member_of {
        if cx.groups[g as usize].swapping() && !sc.swapping.contains(&g) {
            sc.swapping.push(g);
        }
    }

    let no_usage_location = flags & NO_LOCATION != 0;

    // The user's own action.
    let mut direct = None;
    if let (Some(sd), false, true) = (src_direct, no_direct, !out_of_scope) {
        let sd_disabled = t.rows.set(lics[sd].disabled);
        if tgt_direct.is_some() {
            // The target is held directly already: re-adding it with the source removed is safe
            // whatever the groups do.
            direct = Some(Direct::SwapKeepTarget { mapped: mapper.map(t, sd_disabled) });
        } else if tgt_group {
            direct = Some(Direct::RemoveRedundant { phase: 1 });
        } else if src_groups > 0 || !sc.swapping.is_empty() {
            if all_src_groups_swapping && !sc.swapping.is_empty() {
                // Group swap first. If the target as the group assigns it conflicts with the
                // direct source, group processing fails for this user with
                // MutuallyExclusiveViolation until the direct source goes; removing it alone would
                // then leave the user without those services, so swap the direct license instead.
                let conflict = group_target_conflicts(cx, mapper, sc, sd_disabled);
                direct = Some(if conflict {
                    Direct::Swap { phase: 2, mapped: mapper.map(t, sd_disabled) }
                } else {
                    Direct::RemoveRedundant { phase: 2 }
                });
            }
        } else {
            direct = Some(Direct::Swap { phase: 1, mapped: mapper.map(t, sd_disabled) });
        }
        // "Before a license can be assigned to a user, the administrator should specify the Usage
        // location property on the user" (same page as below); assignLicense fails without it.
        if matches!(direct, Some(Direct::Swap { .. })) && no_usage_location {
            findings.push(Rec::UsageLocationBlocker);
            direct = None;
        }
    }

    // The license state after every planned action.
    for b in
        [&mut sc.before_src, &mut sc.before_all, &mut sc.after_all, &mut sc.after_new_t, &mut sc.after_other]
    {
        bits::clear(b);
    }
    let cov_w = w;
    bits::clear(&mut sc.cov);
    let (mut new_t_asg, mut held_t_before, mut src_after) = (false, false, false);
    let mut had_src = false;
    let tgt_plans = &t.skus[cx.tgt].plans;
    for (i, a) in lics.iter().enumerate() {
        let Some(k) = a.sku() else { continue };
        let disabled = t.rows.set(a.disabled);
        bits::clear(&mut sc.tmp);
        bits::or_andnot(&mut sc.tmp, &t.skus[k].plans, disabled);
        bits::or(&mut sc.before_all, &sc.tmp);
        held_t_before |= k == cx.tgt;
        if let (true, Some(Direct::SwapKeepTarget { mapped })) = (Some(i) == tgt_direct, direct) {
            let kept = mapper.keep_existing(disabled, mapped);
            add_target(&mut sc.after_all, &mut sc.after_new_t, tgt_plans, &kept);
            continue;
        }
        if k != cx.src {
            bits::or(&mut sc.after_all, &sc.tmp);
            if k != cx.tgt {
                bits::or(&mut sc.after_other, &sc.tmp);
            }
            continue;
        }
        had_src = true;
        bits::or(&mut sc.before_src, &sc.tmp);
        let swapped_by_group = matches!(a.via(), Via::Group(Some(g)) if cx.groups[g as usize].swapping());
        let replaced = match a.via() {
            Via::Group(..) => swapped_by_group,
            Via::Direct => direct.is_some() && Some(i) == src_direct,
        };
        if !replaced {
            src_after = true;
            bits::or(&mut sc.after_all, &sc.tmp);
            bits::or(&mut sc.after_other, &sc.tmp);
        } else if let (Via::Direct, Some(Direct::Swap { mapped, .. })) = (a.via(), direct) {
            let m = mapper.get(mapped);
            add_target(&mut sc.after_all, &mut sc.after_new_t, tgt_plans, &m.target_disabled);
            bits::or(&mut sc.cov[4 * cov_w..5 * cov_w], &m.kept_disabled);
            new_t_asg = true;
        }
    }
    for &g in &sc.swapping {
        let gp = &cx.groups[g as usize];
        let m = mapper.get(gp.mapped);
        let disabled = gp.keeps_target.as_deref().unwrap_or(&m.target_disabled);
        add_target(&mut sc.after_all, &mut sc.after_new_t, tgt_plans, disabled);
        if gp.keeps_target.is_none() {
            bits::or(&mut sc.cov[4 * cov_w..5 * cov_w], &m.kept_disabled);
        }
        new_t_asg = true;
    }
    let new_target = new_t_asg && !held_t_before;
    let frees_source = had_src && !src_after;
    let changed = new_t_asg || frees_source || direct.is_some();

    // Coverage: every plan enabled through the source must stay enabled through something.
    let mut lost = Vec::new();
    let mut waived = Vec::new();
    for p in bits::iter(&sc.before_src) {
        let part = if bits::intersects(&t.plans[p as usize].covered_by, &sc.after_all) {
            0
        } else if bits::has(cx.waived, p) {
            waived.push(t.plan_name(p).to_string());
            3
        } else {
            lost.push(t.plan_name(p).to_string());
            2
        };
        bits::set(&mut sc.cov[part * cov_w..(part + 1) * cov_w], p);
    }
    for p in bits::iter(&sc.after_new_t).filter(|&p| !bits::has(&sc.before_all, p)) {
        bits::set(&mut sc.cov[cov_w..2 * cov_w], p);
    }
    let mut harm = false;
    if !lost.is_empty() {
        harm = true;
        findings.push(Rec::ServiceLoss(lost));
    }
    if !waived.is_empty() {
        findings.push(Rec::ServiceLossWaived(waived));
    }

    // Conflicts between the target's enabled plans and the user's other licenses after the swap.
    let mut pairs = Vec::new();
    for a in bits::iter(&sc.after_new_t) {
        for &b in &t.plans[a as usize].excludes {
            if bits::has(&sc.after_other, b) {
                pairs.push(format!("{} / {}", t.plan_name(a), t.plan_name(b)));
            }
        }
    }
    if !pairs.is_empty() {
        harm = true;
        findings.push(Rec::MutuallyExclusive(pairs));
    }

    // Plans in other licenses that need a plan only the source provided.
    let mut deps = Vec::new();
    for &p in &t.dependent_plans {
        let needs = &t.plans[p as usize].needs_any;
        if bits::has(&sc.after_other, p)
            && bits::intersects(needs, &sc.before_all)
            && !bits::intersects(needs, &sc.after_all)
        {
            deps.push(t.plan_name(p).to_string());
        }
    }
    if !deps.is_empty() {
        harm = true;
        findings.push(Rec::DependentPlan(deps));
    }

    // "For group license assignment, any users without a usage location specified inherit the
    // location of the directory": https://learn.microsoft.com/en-us/entra/identity/users/licensing-group-advanced
    if new_t_asg && direct.is_none() && no_usage_location {
        findings.push(Rec::UsageLocationWarning);
    }
    if changed && flags & DISABLED_ACCOUNT != 0 {
        findings.push(Rec::AccountDisabled);
    }
    if flags & ERRORS != 0 {
        findings.push(Rec::ExistingErrors);
    }
    if src_groups > 1 {
        findings.push(Rec::SeveralGroups(src_groups));
    }
    match direct {
        Some(Direct::Swap { phase: 2, .. }) | Some(Direct::RemoveRedundant { phase: 2 }) => {
            let how = if matches!(direct, Some(Direct::Swap { .. })) {
                "then the direct source is swapped for a direct target (the group's target conflicts \
                 with the direct source until it goes; the direct target can be removed later)"
            } else {
                "then the now-redundant direct source is removed"
            };
            findings.push(Rec::DirectAndInherited(how));
        }
        _ => {}
    }
    if held_t_before && had_src {
        findings.push(Rec::AlreadyHasTarget);
    }
    if let Some(Direct::Swap { mapped, .. }) = direct {
        let kept = &mapper.get(mapped).kept_disabled;
        if !bits::is_empty(kept) {
            let names: Vec<String> = bits::iter(kept).map(|p| t.plan_name(p).to_string()).collect();
            findings.push(Rec::DisabledPlansKept(names));
        }
    }
    memo::Outcome {
        verdict: Verdict { direct, harm, new_target, frees_source, changed, profile: 0 },
        recs: findings,
        swapping: Vec::new(),
    }
}

fn add_target(after_all: &mut [u64], after_new_t: &mut [u64], tgt: &[u64], disabled: &[u64]) {
    bits::or_andnot(after_all, tgt, disabled);
    bits::or_andnot(after_new_t, tgt, disabled);
}

/// Would the target, as the user's swapping groups assign it, conflict with the direct source?
fn group_target_conflicts(cx: &Ctx<'_, '_>, mapper: &Mapper, sc: &Scratch, src_disabled: &[u64]) -> bool {
    let t = cx.t;
    let src = &t.skus[cx.src].plans;
    let tgt = &t.skus[cx.tgt].plans;
    sc.swapping.iter().any(|&g| {
        let gp = &cx.groups[g as usize];
        let disabled = gp.keeps_target.as_deref().unwrap_or(&mapper.get(gp.mapped).target_disabled);
        bits::iter(tgt).filter(|&a| !bits::has(disabled, a)).any(|a| {
            t.plans[a as usize].excludes.iter().any(|&b| bits::has(src, b) && !bits::has(src_disabled, b))
        })
    })
}
