//! One user against the planned changes: what the user's own action is, the license state after
//! every planned action, the service coverage, and the rule findings about the user.
use super::bits;
use super::mapping::Mapper;
use super::memo::{self, Rec};
use super::resolve::Indexes;
use super::rows::{DecodedLicense, Via, DISABLED_ACCOUNT, ERRORS, NO_LOCATION};
use super::sides::Sides;
use licswap_core::plan::Finding;

/// What the planner does to one in-scope group.
pub(crate) struct GroupPlan {
    /// In scope and assigns a source.
    pub in_scope: bool,
    /// Not swapped in this plan (a member would be harmed, or the seats do not stretch).
    pub held: bool,
    /// Index into the [`Mapper`] of the targets' disabledPlans for this group, from the sources
    /// it assigns (a target the group assigns already keeps its own: see `keeps`).
    pub mapped: usize,
    /// Per target (request order): the group assigns it already, with these plans off; its swap
    /// re-adds it (see [`Mapper::keep_existing`]).
    pub keeps: Vec<Option<Vec<u64>>>,
    /// The sources the group assigns (bits by position).
    pub srcs: u32,
}

impl GroupPlan {
    pub fn swapping(&self) -> bool {
        self.in_scope && !self.held
    }

    /// The group assigns some target already.
    pub fn keeps_any(&self) -> bool {
        self.keeps.iter().any(Option::is_some)
    }

    /// The target plans group `self` leaves off for target `ti`.
    pub fn disabled<'m>(&'m self, mapper: &'m Mapper, ti: usize) -> &'m [u64] {
        self.keeps[ti].as_deref().unwrap_or(&mapper.get(self.mapped).target_disabled)
    }
}

/// The user's own `assignLicense` call, if any. Masks are bits of positions among the request's
/// sources (`removes`) and targets (`adds`, `keeps`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Direct {
    /// Add the targets in `adds` (mapped disabledPlans), re-add the targets in `keeps` the user
    /// holds directly already (enabling what the sources enabled, see [`Mapper::keep_existing`]),
    /// and remove the direct sources in `removes`; phase 1 or 2.
    Swap { phase: u8, mapped: usize, adds: u32, keeps: u32, removes: u32 },
    /// Remove the direct sources: every target is already held through a group (phase 1) or will
    /// be once the group swap of phase 1 is processed (phase 2).
    RemoveRedundant { phase: u8, removes: u32 },
}

impl Direct {
    pub fn phase(self) -> u8 {
        match self {
            Direct::Swap { phase, .. } | Direct::RemoveRedundant { phase, .. } => phase,
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
    /// Targets the user newly consumes a seat of (bits by target position).
    pub new_target: u32,
    /// Sources the user no longer holds afterwards (bits by source position).
    pub frees_source: u32,
    /// The user held a source and holds none afterwards.
    pub frees_all: bool,
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
    /// Plans of the sources the user holds directly, and those of them enabled.
    direct_src_all: Vec<u64>,
    direct_src_enabled: Vec<u64>,
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
            direct_src_all: z(),
            direct_src_enabled: z(),
            cov: vec![0u64; words * 5],
            swapping: Vec::new(),
        }
    }
}

/// What every user's evaluation reads and none changes: the snapshot's indexes, the source and
/// target sides, the waived plans and the groups' plans.
pub(crate) struct EvalInputs<'t, 'a> {
    pub t: &'t Indexes<'a>,
    pub sides: &'t Sides,
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
    cx: &EvalInputs<'_, 'a>,
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
    cx: &EvalInputs<'_, 'a>,
    mapper: &mut Mapper,
    sc: &mut Scratch,
    lics: &[DecodedLicense],
    flags: u8,
    member_of: &[u32],
    no_direct: bool,
) -> memo::Outcome {
    let t = cx.t;
    let sd = cx.sides;
    let w = t.words;
    let mut findings: Vec<Rec> = Vec::new();

    // Classify the user's licenses: sources and targets by position, direct or through a group.
    let (mut src_direct, mut tgt_direct, mut tgt_group) = (0u32, 0u32, 0u32);
    // Group assignments of the sources, in all and per source (a user inheriting one source from
    // several groups keeps it until every one is swapped).
    let mut src_groups = 0usize;
    let mut per_src = [0u8; super::sides::MAX_SIDE];
    let mut all_src_groups_swapping = true;
    let mut out_of_scope = false;
    sc.swapping.clear();
    bits::clear(&mut sc.tmp);
    bits::clear(&mut sc.direct_src_all);
    bits::clear(&mut sc.direct_src_enabled);
    for a in lics {
        let Some(k) = a.sku() else { continue };
        if let Some(si) = sd.src(k) {
            match a.via() {
                Via::Direct => {
                    src_direct |= 1 << si;
                    bits::or(&mut sc.direct_src_all, &t.skus[k].plans);
                    bits::or_andnot(&mut sc.direct_src_enabled, &t.skus[k].plans, t.rows.set(a.disabled));
                }
                Via::Group(g) => {
                    src_groups += 1;
                    per_src[si] = per_src[si].saturating_add(1);
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
        } else if let Some(ti) = sd.tgt(k) {
            match a.via() {
                Via::Direct => tgt_direct |= 1 << ti,
                Via::Group(..) => tgt_group |= 1 << ti,
            }
        }
    }
    for &g in member_of {
        if cx.groups[g as usize].swapping() && !sc.swapping.contains(&g) {
            sc.swapping.push(g);
        }
    }

    let no_usage_location = flags & NO_LOCATION != 0;

    // The user's own action: it removes every source the user holds directly, and adds every
    // target the user does not hold yet (re-adding those held directly), in one call.
    let mut direct = None;
    if src_direct != 0 && !no_direct && !out_of_scope {
        let removes = src_direct;
        let missing = sd.all_tgts() & !tgt_direct & !tgt_group;
        let mapped = || (sc.direct_src_all.clone(), sc.direct_src_enabled.clone());
        if missing == 0 {
            // Every target is held already: re-adding the direct ones with the sources removed is
            // safe whatever the groups do; with none held directly, the sources are redundant.
            direct = Some(if tgt_direct != 0 {
                let (all, en) = mapped();
                Direct::Swap {
                    phase: 1,
                    mapped: mapper.map(t, &all, &en),
                    adds: 0,
                    keeps: tgt_direct,
                    removes,
                }
            } else {
                Direct::RemoveRedundant { phase: 1, removes }
            });
        } else if src_groups > 0 || !sc.swapping.is_empty() {
            if all_src_groups_swapping && !sc.swapping.is_empty() {
                // Group swap first. If the targets as the group assigns them conflict with a direct
                // source, group processing fails for this user with MutuallyExclusiveViolation
                // until the direct source goes; removing it alone would then leave the user without
                // those services, so swap the direct licenses instead.
                let conflict = group_target_conflicts(cx, mapper, sc);
                direct = Some(if conflict {
                    let (all, en) = mapped();
                    Direct::Swap {
                        phase: 2,
                        mapped: mapper.map(t, &all, &en),
                        adds: missing,
                        keeps: tgt_direct,
                        removes,
                    }
                } else {
                    Direct::RemoveRedundant { phase: 2, removes }
                });
            }
        } else {
            let (all, en) = mapped();
            direct = Some(Direct::Swap {
                phase: 1,
                mapped: mapper.map(t, &all, &en),
                adds: missing,
                keeps: tgt_direct,
                removes,
            });
        }
        // "Before a license can be assigned to a user, the administrator should specify the Usage
        // location property on the user" (same page as below); assignLicense fails without it.
        if matches!(direct, Some(Direct::Swap { adds, .. }) if adds != 0) && no_usage_location {
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
    let (mut added, mut held_t_before, mut src_after, mut had_src) = (0u32, 0u32, 0u32, 0u32);
    for a in lics {
        let Some(k) = a.sku() else { continue };
        let disabled = t.rows.set(a.disabled);
        bits::clear(&mut sc.tmp);
        bits::or_andnot(&mut sc.tmp, &t.skus[k].plans, disabled);
        bits::or(&mut sc.before_all, &sc.tmp);
        if let Some(ti) = sd.tgt(k) {
            held_t_before |= 1 << ti;
            if let (Via::Direct, Some(Direct::Swap { mapped, keeps, .. })) = (a.via(), direct) {
                if keeps & (1 << ti) != 0 {
                    let kept = mapper.keep_existing(disabled, mapped);
                    add_target(&mut sc.after_all, &mut sc.after_new_t, &t.skus[k].plans, &kept);
                    continue;
                }
            }
            bits::or(&mut sc.after_all, &sc.tmp);
            continue;
        }
        let Some(si) = sd.src(k) else {
            bits::or(&mut sc.after_all, &sc.tmp);
            bits::or(&mut sc.after_other, &sc.tmp);
            continue;
        };
        had_src |= 1 << si;
        bits::or(&mut sc.before_src, &sc.tmp);
        let replaced = match a.via() {
            Via::Group(g) => matches!(g, Some(g) if cx.groups[g as usize].swapping()),
            Via::Direct => direct.is_some(),
        };
        if !replaced {
            src_after |= 1 << si;
            bits::or(&mut sc.after_all, &sc.tmp);
            bits::or(&mut sc.after_other, &sc.tmp);
        }
    }
    if let Some(Direct::Swap { mapped, adds, .. }) = direct {
        if adds != 0 {
            let m = mapper.get(mapped);
            for (_, &k) in sd.tgts.iter().enumerate().filter(|(ti, _)| adds & (1 << ti) != 0) {
                add_target(&mut sc.after_all, &mut sc.after_new_t, &t.skus[k].plans, &m.target_disabled);
            }
            bits::or(&mut sc.cov[4 * cov_w..5 * cov_w], &m.kept_disabled);
            added |= adds;
        }
    }
    for &g in &sc.swapping {
        let gp = &cx.groups[g as usize];
        for (ti, &k) in sd.tgts.iter().enumerate() {
            add_target(&mut sc.after_all, &mut sc.after_new_t, &t.skus[k].plans, gp.disabled(mapper, ti));
        }
        if !gp.keeps_any() {
            bits::or(&mut sc.cov[4 * cov_w..5 * cov_w], &mapper.get(gp.mapped).kept_disabled);
        }
        added |= sd.all_tgts();
    }
    let new_target = added & !held_t_before;
    let frees_source = had_src & !src_after;
    let changed = added != 0 || frees_source != 0 || direct.is_some();

    // Coverage: every plan enabled through a source must stay enabled through something.
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

    // Conflicts between the targets' enabled plans and the licenses that stay after the swap, and
    // between two targets of a bundle (plans no single target SKU holds together).
    let mut pairs = Vec::new();
    for a in bits::iter(&sc.after_new_t) {
        for &b in &t.plans[a as usize].excludes {
            let across_targets = a < b
                && bits::has(&sc.after_new_t, b)
                && !sd.tgts.iter().any(|&k| bits::has(&t.skus[k].plans, a) && bits::has(&t.skus[k].plans, b));
            if bits::has(&sc.after_other, b) || across_targets {
                pairs.push(format!("{} / {}", t.plan_name(a), t.plan_name(b)));
            }
        }
    }
    if !pairs.is_empty() {
        harm = true;
        findings.push(Rec::MutuallyExclusive(pairs));
    }

    // Plans in the licenses that stay that need a plan only a source provided.
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
    if added != 0 && direct.is_none() && no_usage_location {
        findings.push(Rec::UsageLocationWarning);
    }
    if changed && flags & DISABLED_ACCOUNT != 0 {
        findings.push(Rec::AccountDisabled);
    }
    if flags & ERRORS != 0 {
        findings.push(Rec::ExistingErrors);
    }
    let most = per_src.iter().copied().max().unwrap_or(0);
    if most > 1 {
        findings.push(Rec::SeveralGroups(usize::from(most)));
    }
    match direct {
        Some(Direct::Swap { phase: 2, .. }) | Some(Direct::RemoveRedundant { phase: 2, .. }) => {
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
    if held_t_before != 0 && had_src != 0 {
        findings.push(Rec::AlreadyHasTarget(held_t_before));
    }
    // A bundle's partial holder: what the user holds goes, and every target comes.
    if changed && had_src != 0 && had_src != sd.all_srcs() {
        findings.push(Rec::PartialHolder(had_src));
    }
    if let Some(Direct::Swap { mapped, adds, .. }) = direct {
        let kept = &mapper.get(mapped).kept_disabled;
        if adds != 0 && !bits::is_empty(kept) {
            let names: Vec<String> = bits::iter(kept).map(|p| t.plan_name(p).to_string()).collect();
            findings.push(Rec::DisabledPlansKept(names));
        }
    }
    memo::Outcome {
        verdict: Verdict {
            direct,
            harm,
            new_target,
            frees_source,
            frees_all: had_src != 0 && src_after == 0,
            changed,
            profile: 0,
        },
        recs: findings,
        swapping: Vec::new(),
    }
}

fn add_target(after_all: &mut [u64], after_new_t: &mut [u64], tgt: &[u64], disabled: &[u64]) {
    bits::or_andnot(after_all, tgt, disabled);
    bits::or_andnot(after_new_t, tgt, disabled);
}

/// Would a target, as the user's swapping groups assign it, conflict with a direct source's
/// enabled plans ([`Scratch::direct_src_enabled`])?
fn group_target_conflicts(cx: &EvalInputs<'_, '_>, mapper: &Mapper, sc: &Scratch) -> bool {
    let t = cx.t;
    let src_on = &sc.direct_src_enabled;
    sc.swapping.iter().any(|&g| {
        let gp = &cx.groups[g as usize];
        cx.sides.tgts.iter().enumerate().any(|(ti, &k)| {
            let disabled = gp.disabled(mapper, ti);
            bits::iter(&t.skus[k].plans)
                .filter(|&a| !bits::has(disabled, a))
                .any(|a| t.plans[a as usize].excludes.iter().any(|&b| bits::has(src_on, b)))
        })
    })
}
