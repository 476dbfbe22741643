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
    key: memo::Key,
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
            key: memo::Key::default(),
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

/// The parts of [`Scratch::cov`], the coverage key, each `words` long: the plans enabled
/// through a source that stay enabled, the plans newly enabled, the plans lost, the plans lost
/// with the admin's waiver, and the source's disabled plans kept disabled under the target.
const KEPT: usize = 0;
const GAINED: usize = 1;
const LOST: usize = 2;
const WAIVED: usize = 3;
const KEPT_DISABLED: usize = 4;

/// Part `part` (see [`KEPT`]) of a coverage key of `words`-long parts.
fn cov_part(cov: &mut [u64], part: usize, words: usize) -> &mut [u64] {
    &mut cov[part * words..(part + 1) * words]
}

/// [`evaluate`] without the memo: the user-independent outcome for a user's licenses and flags.
///
/// Each step below reads what the ones before it left in `scratch` (see each step for what it
/// fills), and the findings come out in the order the steps run.
fn outcome<'a>(
    ctx: &EvalInputs<'_, 'a>,
    mapper: &mut Mapper,
    scratch: &mut Scratch,
    lics: &[DecodedLicense],
    flags: u8,
    member_of: &[u32],
    no_direct: bool,
) -> memo::Outcome {
    let mut findings: Vec<Rec> = Vec::new();
    let no_usage_location = flags & NO_LOCATION != 0;

    let held = classify_licenses(ctx, scratch, lics, member_of);
    let direct = decide_direct(ctx, mapper, scratch, &held, no_direct, no_usage_location, &mut findings);
    let change = license_state_after(ctx, mapper, scratch, lics, direct);
    let new_target = change.added & !change.targets_before;
    let frees_source = change.sources_before & !change.sources_after;
    let changed = change.added != 0 || frees_source != 0 || direct.is_some();

    // Every harm check runs (each adds its finding); any one of them is harm.
    let loses_a_service = coverage(ctx, scratch, &mut findings);
    let conflicts = conflicts(ctx, scratch, &mut findings);
    let breaks_a_dependency = dependencies(ctx, scratch, &mut findings);
    let harm = loses_a_service | conflicts | breaks_a_dependency;

    account_flags(flags, &change, direct, changed, no_usage_location, &mut findings);
    holding_notes(ctx, mapper, &held, &change, direct, changed, &mut findings);
    memo::Outcome {
        verdict: Verdict {
            direct,
            harm,
            new_target,
            frees_source,
            frees_all: change.sources_before != 0 && change.sources_after == 0,
            changed,
            profile: 0,
        },
        recs: findings,
        swapping: Vec::new(),
    }
}

/// The user's source and target licenses by position among the request's sides (bits), and
/// where they come from.
struct Holdings {
    /// Sources held directly.
    direct_sources: u32,
    /// Targets held directly.
    direct_targets: u32,
    /// Targets held through a group.
    group_targets: u32,
    /// Group assignments of the sources, in all and per source (a user inheriting one source
    /// from several groups keeps it until every one is swapped).
    source_group_assignments: usize,
    groups_per_source: [u8; super::sides::MAX_SIDE],
    /// Every group the user inherits a source from is in scope and not held back.
    all_source_groups_swapping: bool,
    /// Some group the user inherits a source from is out of scope (its swap is not planned).
    source_group_out_of_scope: bool,
}

/// Classify the user's licenses: sources and targets by position, direct or through a group.
/// Fills [`Scratch::swapping`] (the in-scope groups whose swap changes the user: those the user
/// inherits a source from and those the user is a member of) and the plans of the direct
/// sources (`direct_src_all`, `direct_src_enabled`).
fn classify_licenses(ctx: &EvalInputs<'_, '_>, scratch: &mut Scratch, lics: &[DecodedLicense], member_of: &[u32]) -> Holdings {
    let tenant = ctx.t;
    let mut held = Holdings {
        direct_sources: 0,
        direct_targets: 0,
        group_targets: 0,
        source_group_assignments: 0,
        groups_per_source: [0u8; super::sides::MAX_SIDE],
        all_source_groups_swapping: true,
        source_group_out_of_scope: false,
    };
    scratch.swapping.clear();
    bits::clear(&mut scratch.tmp);
    bits::clear(&mut scratch.direct_src_all);
    bits::clear(&mut scratch.direct_src_enabled);
    for lic in lics {
        let Some(sku) = lic.sku() else { continue };
        if let Some(si) = ctx.sides.src(sku) {
            match lic.via() {
                Via::Direct => {
                    held.direct_sources |= 1 << si;
                    let plans = &tenant.skus[sku].plans;
                    bits::or(&mut scratch.direct_src_all, plans);
                    bits::or_andnot(&mut scratch.direct_src_enabled, plans, tenant.rows.set(lic.disabled));
                }
                Via::Group(group) => {
                    held.source_group_assignments += 1;
                    held.groups_per_source[si] = held.groups_per_source[si].saturating_add(1);
                    match group.map(|g| (g, &ctx.groups[g as usize])) {
                        Some((g, group_plan)) if group_plan.in_scope => {
                            if group_plan.held {
                                held.all_source_groups_swapping = false;
                            } else if !scratch.swapping.contains(&g) {
                                scratch.swapping.push(g);
                            }
                        }
                        _ => {
                            held.all_source_groups_swapping = false;
                            held.source_group_out_of_scope = true;
                        }
                    }
                }
            }
        } else if let Some(ti) = ctx.sides.tgt(sku) {
            match lic.via() {
                Via::Direct => held.direct_targets |= 1 << ti,
                Via::Group(..) => held.group_targets |= 1 << ti,
            }
        }
    }
    for &g in member_of {
        if ctx.groups[g as usize].swapping() && !scratch.swapping.contains(&g) {
            scratch.swapping.push(g);
        }
    }
    held
}

/// The user's own action: it removes every source the user holds directly, and adds every
/// target the user does not hold yet (re-adding those held directly), in one call. None when the
/// user holds no source directly, the action is withheld, a source comes from a group out of
/// scope, the user's groups do not all swap, or it would fail for want of a usage location (a
/// blocker, added to `findings`).
fn decide_direct(
    ctx: &EvalInputs<'_, '_>,
    mapper: &mut Mapper,
    scratch: &Scratch,
    held: &Holdings,
    no_direct: bool,
    no_usage_location: bool,
    findings: &mut Vec<Rec>,
) -> Option<Direct> {
    if held.direct_sources == 0 || no_direct || held.source_group_out_of_scope {
        return None;
    }
    let removes = held.direct_sources;
    let keeps = held.direct_targets;
    let missing = ctx.sides.all_tgts() & !held.direct_targets & !held.group_targets;
    // The targets' disabledPlans mapped from the direct sources' (see `Mapper::map`).
    let map_direct_sources =
        |mapper: &mut Mapper| mapper.map(ctx.t, &scratch.direct_src_all, &scratch.direct_src_enabled);
    let direct = if missing == 0 {
        // Every target is held already: re-adding the direct ones with the sources removed is
        // safe whatever the groups do; with none held directly, the sources are redundant.
        if keeps != 0 {
            Direct::Swap { phase: 1, mapped: map_direct_sources(mapper), adds: 0, keeps, removes }
        } else {
            Direct::RemoveRedundant { phase: 1, removes }
        }
    } else if held.source_group_assignments > 0 || !scratch.swapping.is_empty() {
        if !held.all_source_groups_swapping || scratch.swapping.is_empty() {
            return None;
        }
        // Group swap first. If the targets as the group assigns them conflict with a direct
        // source, group processing fails for this user with MutuallyExclusiveViolation until the
        // direct source goes; removing it alone would then leave the user without those
        // services, so swap the direct licenses instead.
        if group_target_conflicts(ctx, mapper, scratch) {
            Direct::Swap { phase: 2, mapped: map_direct_sources(mapper), adds: missing, keeps, removes }
        } else {
            Direct::RemoveRedundant { phase: 2, removes }
        }
    } else {
        Direct::Swap { phase: 1, mapped: map_direct_sources(mapper), adds: missing, keeps, removes }
    };
    // "Before a license can be assigned to a user, the administrator should specify the Usage
    // location property on the user" (same page as in `account_flags`); assignLicense fails
    // without it.
    if matches!(direct, Direct::Swap { adds, .. } if adds != 0) && no_usage_location {
        findings.push(Rec::UsageLocationBlocker);
        return None;
    }
    Some(direct)
}

/// What the planned actions change, by position among the request's sides (bits).
struct Change {
    /// Targets some action adds (the user's own call or a group's swap).
    added: u32,
    /// Targets the user held before.
    targets_before: u32,
    /// Sources the user held before, and those still held after.
    sources_before: u32,
    sources_after: u32,
}

/// The license state before and after every planned action. Fills `before_src` (plans enabled
/// through a source), `before_all`, `after_all`, `after_new_t` (plans enabled through a target
/// the actions add or re-add) and `after_other` (through licenses no action touches), and the
/// coverage key's kept-disabled part (the rest of the key is cleared).
fn license_state_after(
    ctx: &EvalInputs<'_, '_>,
    mapper: &mut Mapper,
    scratch: &mut Scratch,
    lics: &[DecodedLicense],
    direct: Option<Direct>,
) -> Change {
    let tenant = ctx.t;
    let sides = ctx.sides;
    let words = tenant.words;
    for b in [
        &mut scratch.before_src,
        &mut scratch.before_all,
        &mut scratch.after_all,
        &mut scratch.after_new_t,
        &mut scratch.after_other,
    ] {
        bits::clear(b);
    }
    bits::clear(&mut scratch.cov);
    let mut change = Change { added: 0, targets_before: 0, sources_before: 0, sources_after: 0 };
    for lic in lics {
        let Some(sku) = lic.sku() else { continue };
        let plans = &tenant.skus[sku].plans;
        let disabled = tenant.rows.set(lic.disabled);
        // `tmp`: the plans this license enables.
        bits::clear(&mut scratch.tmp);
        bits::or_andnot(&mut scratch.tmp, plans, disabled);
        bits::or(&mut scratch.before_all, &scratch.tmp);
        if let Some(ti) = sides.tgt(sku) {
            change.targets_before |= 1 << ti;
            if let (Via::Direct, Some(Direct::Swap { mapped, keeps, .. })) = (lic.via(), direct) {
                if keeps & (1 << ti) != 0 {
                    // Re-added by the user's own call, with what the sources enabled enabled too.
                    let kept = mapper.keep_existing(disabled, mapped);
                    add_target(&mut scratch.after_all, &mut scratch.after_new_t, plans, &kept);
                    continue;
                }
            }
            bits::or(&mut scratch.after_all, &scratch.tmp);
            continue;
        }
        let Some(si) = sides.src(sku) else {
            bits::or(&mut scratch.after_all, &scratch.tmp);
            bits::or(&mut scratch.after_other, &scratch.tmp);
            continue;
        };
        change.sources_before |= 1 << si;
        bits::or(&mut scratch.before_src, &scratch.tmp);
        let replaced = match lic.via() {
            Via::Group(g) => matches!(g, Some(g) if ctx.groups[g as usize].swapping()),
            Via::Direct => direct.is_some(),
        };
        if !replaced {
            change.sources_after |= 1 << si;
            bits::or(&mut scratch.after_all, &scratch.tmp);
            bits::or(&mut scratch.after_other, &scratch.tmp);
        }
    }
    if let Some(Direct::Swap { mapped, adds, .. }) = direct {
        if adds != 0 {
            let m = mapper.get(mapped);
            for (_, &sku) in sides.tgts.iter().enumerate().filter(|(ti, _)| adds & (1 << ti) != 0) {
                add_target(
                    &mut scratch.after_all,
                    &mut scratch.after_new_t,
                    &tenant.skus[sku].plans,
                    &m.target_disabled,
                );
            }
            bits::or(cov_part(&mut scratch.cov, KEPT_DISABLED, words), &m.kept_disabled);
            change.added |= adds;
        }
    }
    for &g in &scratch.swapping {
        let group_plan = &ctx.groups[g as usize];
        for (ti, &sku) in sides.tgts.iter().enumerate() {
            let disabled = group_plan.disabled(mapper, ti);
            add_target(&mut scratch.after_all, &mut scratch.after_new_t, &tenant.skus[sku].plans, disabled);
        }
        if !group_plan.keeps_any() {
            bits::or(
                cov_part(&mut scratch.cov, KEPT_DISABLED, words),
                &mapper.get(group_plan.mapped).kept_disabled,
            );
        }
        change.added |= sides.all_tgts();
    }
    change
}

/// Coverage: every plan enabled through a source must stay enabled through something. Fills the
/// coverage key's kept, lost, waived and gained parts; a loss the admin did not waive is a
/// finding and harm (returns true).
fn coverage(ctx: &EvalInputs<'_, '_>, scratch: &mut Scratch, findings: &mut Vec<Rec>) -> bool {
    let tenant = ctx.t;
    let words = tenant.words;
    let mut lost = Vec::new();
    let mut waived = Vec::new();
    for p in bits::iter(&scratch.before_src) {
        let part = if bits::intersects(&tenant.plans[p as usize].covered_by, &scratch.after_all) {
            KEPT
        } else if bits::has(ctx.waived, p) {
            waived.push(tenant.plan_name(p).to_string());
            WAIVED
        } else {
            lost.push(tenant.plan_name(p).to_string());
            LOST
        };
        bits::set(cov_part(&mut scratch.cov, part, words), p);
    }
    for p in bits::iter(&scratch.after_new_t).filter(|&p| !bits::has(&scratch.before_all, p)) {
        bits::set(cov_part(&mut scratch.cov, GAINED, words), p);
    }
    let harm = !lost.is_empty();
    if harm {
        findings.push(Rec::ServiceLoss(lost));
    }
    if !waived.is_empty() {
        findings.push(Rec::ServiceLossWaived(waived));
    }
    harm
}

/// Conflicts between the targets' enabled plans and the licenses that stay after the swap, and
/// between two targets of a bundle (plans no single target SKU holds together): a finding and
/// harm (returns true).
fn conflicts(ctx: &EvalInputs<'_, '_>, scratch: &Scratch, findings: &mut Vec<Rec>) -> bool {
    let tenant = ctx.t;
    let new_on = &scratch.after_new_t;
    let one_target_holds_both = |a: u32, b: u32| {
        ctx.sides
            .tgts
            .iter()
            .any(|&k| bits::has(&tenant.skus[k].plans, a) && bits::has(&tenant.skus[k].plans, b))
    };
    let mut pairs = Vec::new();
    for a in bits::iter(new_on) {
        for &b in &tenant.plans[a as usize].excludes {
            let across_targets = a < b && bits::has(new_on, b) && !one_target_holds_both(a, b);
            if bits::has(&scratch.after_other, b) || across_targets {
                pairs.push(format!("{} / {}", tenant.plan_name(a), tenant.plan_name(b)));
            }
        }
    }
    let harm = !pairs.is_empty();
    if harm {
        findings.push(Rec::MutuallyExclusive(pairs));
    }
    harm
}

/// Plans in the licenses that stay that need a plan only a source provided: a finding and harm
/// (returns true).
fn dependencies(ctx: &EvalInputs<'_, '_>, scratch: &Scratch, findings: &mut Vec<Rec>) -> bool {
    let tenant = ctx.t;
    let mut broken = Vec::new();
    for &p in &tenant.dependent_plans {
        let needs = &tenant.plans[p as usize].needs_any;
        if bits::has(&scratch.after_other, p)
            && bits::intersects(needs, &scratch.before_all)
            && !bits::intersects(needs, &scratch.after_all)
        {
            broken.push(tenant.plan_name(p).to_string());
        }
    }
    let harm = !broken.is_empty();
    if harm {
        findings.push(Rec::DependentPlan(broken));
    }
    harm
}

/// Findings from the account's flags: a usage location Graph will fill in, a disabled account
/// that is changed anyway, license errors already there.
fn account_flags(
    flags: u8,
    change: &Change,
    direct: Option<Direct>,
    changed: bool,
    no_usage_location: bool,
    findings: &mut Vec<Rec>,
) {
    // "For group license assignment, any users without a usage location specified inherit the
    // location of the directory": https://learn.microsoft.com/en-us/entra/identity/users/licensing-group-advanced
    if change.added != 0 && direct.is_none() && no_usage_location {
        findings.push(Rec::UsageLocationWarning);
    }
    if changed && flags & DISABLED_ACCOUNT != 0 {
        findings.push(Rec::AccountDisabled);
    }
    if flags & ERRORS != 0 {
        findings.push(Rec::ExistingErrors);
    }
}

/// Findings about how the user holds the licenses and what the plan does about it: a source
/// from several groups, a direct and an inherited source (a second phase), a target held
/// already, part of a bundle held, the source's disabled plans kept disabled.
fn holding_notes(
    ctx: &EvalInputs<'_, '_>,
    mapper: &Mapper,
    held: &Holdings,
    change: &Change,
    direct: Option<Direct>,
    changed: bool,
    findings: &mut Vec<Rec>,
) {
    let most_groups = held.groups_per_source.iter().copied().max().unwrap_or(0);
    if most_groups > 1 {
        findings.push(Rec::SeveralGroups(usize::from(most_groups)));
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
    if change.targets_before != 0 && change.sources_before != 0 {
        findings.push(Rec::AlreadyHasTarget(change.targets_before));
    }
    // A bundle's partial holder: what the user holds goes, and every target comes.
    if changed && change.sources_before != 0 && change.sources_before != ctx.sides.all_srcs() {
        findings.push(Rec::PartialHolder(change.sources_before));
    }
    if let Some(Direct::Swap { mapped, adds, .. }) = direct {
        let kept = &mapper.get(mapped).kept_disabled;
        if adds != 0 && !bits::is_empty(kept) {
            let names: Vec<String> = bits::iter(kept).map(|p| ctx.t.plan_name(p).to_string()).collect();
            findings.push(Rec::DisabledPlansKept(names));
        }
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
