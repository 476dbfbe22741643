//! The planner's driver: resolve, evaluate every user against the planned group and user
//! actions, hold back whatever would harm someone (until nothing changes), fit the seats, then
//! assemble the plan.
use super::actions;
use super::bits;
use super::evaluate::{evaluate, Direct, Eval, EvalInputs, GroupPlan, Scratch};
use super::findings::{self, finding, sku_subject};
use super::mapping::Mapper;
use super::output;
use super::resolve::{CiKey, Indexes, Prepared};
use super::scope;
use super::sides::Sides;
use licswap_core::plan::fastmap::FastMap;
use licswap_core::plan::{
    Bundle, Finding, FindingCode as C, Plan, PlanError, PlanRequest, SeatBudget, Severity as S, SkuSeats,
    Snapshot,
};
use std::collections::HashSet;

/// Plan `request` against `snapshot`. Pure and deterministic: the same inputs give the same plan.
///
/// Subjects with a blocker of their own get no action, and a group is not swapped while the swap
/// would harm one of its members (service loss, conflict, broken dependency), so the actions of a
/// plan never harm anyone; still, apply must refuse a plan with blockers (see
/// [`Plan::has_blockers`]), which is a preview of what remains to fix.
///
/// This indexes the snapshot's users first; a snapshot planned more than once is better kept as
/// an [`Indexed`](crate::Indexed), whose [`plan`](crate::Indexed::plan) gives the same plan.
pub fn plan(snapshot: &Snapshot, request: &PlanRequest) -> Result<Plan, PlanError> {
    plan_prepared(snapshot, &Prepared::new(snapshot)?, request)
}

/// [`plan`], over `prepared`: made from this very `snapshot` ([`crate::Indexed`] keeps them so).
pub(crate) fn plan_prepared(
    snapshot: &Snapshot,
    prepared: &Prepared,
    request: &PlanRequest,
) -> Result<Plan, PlanError> {
    let by_upn = matches!(request.scope, licswap_core::plan::Scope::Users(_));
    let t = Indexes::new(snapshot, prepared, by_upn)?;
    let sides = Sides::new(&t, &request.source, &request.target)?;
    let opts = &request.options;
    let mut findings: Vec<Finding> = Vec::new();
    let waived = waived_bits(&t, &opts.waived_plans);
    let sc_res = scope::resolve(&t, &sides, &request.scope, &mut findings);

    let mut mapper = Mapper::new(&t, &sides, opts.preserve_disabled_plans);
    let groups = group_plans(&t, &sides, &sc_res.group_in_scope, &mut mapper);
    let mut st = State {
        groups,
        evals: (0..sc_res.users.len()).map(|_| None).collect(),
        no_direct: vec![false; sc_res.users.len()],
        sticky: FastMap::default(),
        held_by: FastMap::default(),
        profiles: Profiles::default(),
        group_users: vec![Vec::new(); snapshot.groups.len()],
    };
    let mut scratch = Scratch::new(t.words);
    let all: Vec<u32> = (0..sc_res.users.len() as u32).collect();
    let inputs = Inputs { t: &t, sides: &sides, waived: &waived, sr: &sc_res };
    settle(&inputs, &mut st, &mut mapper, &mut scratch, all, true);

    // Seats, per target SKU: a source seat freed pays for nothing (it is another SKU's seat).
    let nt = sides.tgts.len();
    let tskus: Vec<&licswap_core::model::SubscribedSku> =
        sides.tgts.iter().map(|&k| t.skus[k].sku).collect();
    let available: Vec<i64> = tskus.iter().map(|s| s.prepaid_units.enabled - s.consumed_units).collect();
    let mut needed = seats_needed(&st, &sc_res, nt);
    let mut deferred = (0usize, 0usize);
    let short = |needed: &[i64]| needed.iter().zip(&available).any(|(n, a)| n > a);
    if short(&needed) && opts.allow_partial_wave {
        let budget: Vec<i64> = available.iter().map(|a| (*a).max(0)).collect();
        let dirty = fit_wave(&mut st, &sc_res, budget, &mut deferred);
        settle(&inputs, &mut st, &mut mapper, &mut scratch, dirty, false);
        let total = needed;
        needed = seats_needed(&st, &sc_res, nt);
        for ti in (0..nt).filter(|&ti| total[ti] > available[ti]) {
            let tsku = tskus[ti];
            findings.push(finding(
                C::PartialWave,
                S::Warning,
                sku_subject(&tsku.sku_id, &tsku.sku_part_number),
                format!(
                    "{} seats of {} are needed and {} are available: this wave swaps {} \
                     ({} users and {} groups wait for a later wave)",
                    total[ti], tsku.sku_part_number, available[ti], needed[ti], deferred.0, deferred.1
                ),
                "apply this wave, free or buy seats, then plan again for the rest",
                Vec::new(),
            ));
        }
    }
    for ti in (0..nt).filter(|&ti| needed[ti] > available[ti]) {
        let tsku = tskus[ti];
        findings.push(finding(
            C::SeatsInsufficient,
            S::Blocker,
            sku_subject(&tsku.sku_id, &tsku.sku_part_number),
            format!(
                "{} seats of {} are needed but only {} are available \
                 (prepaidUnits.enabled {} - consumedUnits {})",
                needed[ti], tsku.sku_part_number, available[ti], tsku.prepaid_units.enabled, tsku.consumed_units
            ),
            "buy or free seats of the target, or plan a first wave of what fits (the wizard's \"plan a first wave\" option, allowPartialWave in a request file)",
            Vec::new(),
        ));
    }
    let evaluated = || st.evals.iter().flatten();
    let all_freed = evaluated().filter(|e| e.verdict.frees_all).count() as i64;
    let tightest = (0..nt).min_by_key(|&ti| (available[ti] - needed[ti], ti)).unwrap_or(0);
    let seats = SeatBudget {
        needed: needed[tightest],
        available: available[tightest],
        left_after: available[tightest] - needed[tightest],
        source_freed: all_freed,
    };
    let bundle = sides.is_bundle().then(|| Bundle {
        sources: sides
            .srcs
            .iter()
            .enumerate()
            .map(|(si, &k)| SkuSeats {
                sku: output::summary(t.skus[k].sku),
                needed: 0,
                available: 0,
                left_after: 0,
                freed: evaluated().filter(|e| e.verdict.frees_source & (1 << si) != 0).count() as i64,
            })
            .collect(),
        targets: (0..nt)
            .map(|ti| SkuSeats {
                sku: output::summary(tskus[ti]),
                needed: needed[ti],
                available: available[ti],
                left_after: available[ti] - needed[ti],
                freed: 0,
            })
            .collect(),
    });

    let out = output::Inputs {
        t: &t,
        sides: &sides,
        scope: &sc_res,
        groups: &st.groups,
        group_users: &st.group_users,
        mapper: &mapper,
    };
    for (pos, e) in st.evals.iter_mut().enumerate() {
        let Some(e) = e else { continue };
        let mut f = std::mem::take(&mut e.findings);
        if let Some(sticky) = st.sticky.remove(&(pos as u32)) {
            for s in sticky {
                if !f.iter().any(|x| x.code == s.code) {
                    f.push(s);
                }
            }
        }
        findings.extend(f);
    }
    output::group_findings(&out, &st.held_by, &mut findings);
    output::unknown_plan_findings(&out, &mut findings);
    findings::sort(&mut findings);
    let evals: Vec<&Eval> = st.evals.iter().map(|e| e.as_ref().expect("every user evaluated")).collect();
    let (phases, rollback) = actions::actions(&out, &evals);
    let coverage = st.profiles.coverage(&t, &sc_res, &evals);
    let mut plan = Plan {
        version: licswap_core::plan::PLAN_VERSION,
        request: request.clone(),
        source: output::summary(t.skus[sides.srcs[0]].sku),
        target: output::summary(tskus[0]),
        bundle,
        tenant_name: snapshot.tenant_name.clone(),
        phases,
        findings,
        seats,
        coverage,
        rollback,
        set_aside: Vec::new(),
    };
    if opts.set_aside_blocked {
        super::set_aside::set_aside(&mut plan, snapshot);
    }
    Ok(plan)
}

pub(crate) struct State {
    pub groups: Vec<GroupPlan>,
    pub evals: Vec<Option<Eval>>,
    pub no_direct: Vec<bool>,
    /// Harm findings of users whose action (or group) was held back because of them.
    pub sticky: FastMap<u32, Vec<Finding>>,
    /// Group index -> (evaluated user position, harm finding code) that held it back.
    pub held_by: FastMap<u32, (u32, C)>,
    pub profiles: Profiles,
    /// Per group: evaluated users (positions) the group's swap changes; recorded by the first
    /// evaluation, when no group is held yet (so it holds every such user).
    pub group_users: Vec<Vec<u32>>,
}

fn waived_bits(t: &Indexes<'_>, waived: &[String]) -> Vec<u64> {
    let mut b = vec![0u64; t.words];
    for w in waived {
        for (i, p) in t.plans.iter().enumerate() {
            if p.name.eq_ignore_ascii_case(w.trim()) || p.id.eq_ignore_ascii_case(w.trim()) {
                bits::set(&mut b, i as u32);
            }
        }
    }
    b
}

fn group_plans(t: &Indexes<'_>, sides: &Sides, in_scope: &[bool], mapper: &mut Mapper) -> Vec<GroupPlan> {
    let mut disabled = vec![0u64; t.words];
    let mut all = vec![0u64; t.words];
    let mut enabled = vec![0u64; t.words];
    t.groups
        .iter()
        .zip(in_scope)
        .map(|(g, &in_scope)| {
            bits::clear(&mut all);
            bits::clear(&mut enabled);
            let mut srcs = 0u32;
            let mut keeps = vec![None; sides.tgts.len()];
            let mut held_tgts = Vec::new();
            for l in &g.assigned_licenses {
                let Some(k) = t.sku_of(&l.sku_id) else { continue };
                bits::clear(&mut disabled);
                t.bits_of(&l.disabled_plans, &mut disabled);
                if let Some(si) = sides.src(k) {
                    srcs |= 1 << si;
                    bits::or(&mut all, &t.skus[k].plans);
                    bits::or_andnot(&mut enabled, &t.skus[k].plans, &disabled);
                } else if let Some(ti) = sides.tgt(k) {
                    held_tgts.push((ti, disabled.clone()));
                }
            }
            let mapped = mapper.map(t, &all, &enabled);
            for (ti, d) in held_tgts {
                keeps[ti] = Some(mapper.keep_existing(&d, mapped));
            }
            GroupPlan { in_scope, held: false, mapped, keeps, srcs }
        })
        .collect()
}

/// What every settle round reads and never changes: the tenant, the request's two sides, the
/// waived plans and the resolved scope.
struct Inputs<'r, 'a, 's> {
    t: &'r Indexes<'a>,
    sides: &'r Sides,
    waived: &'r [u64],
    sr: &'r scope::Resolved<'s>,
}

/// Evaluate `dirty` users; hold back what harms, re-evaluate whom that touches, until stable.
/// `dirty` and the rest of this function speak of users by their position in the resolved scope.
fn settle(
    inputs: &Inputs<'_, '_, '_>,
    state: &mut State,
    mapper: &mut Mapper,
    scratch: &mut Scratch,
    mut dirty: Vec<u32>,
    mut record: bool,
) {
    let Inputs { t, sides, waived, sr: resolved } = *inputs;
    let mut queued = vec![false; resolved.users.len()];
    while !dirty.is_empty() {
        // Held groups change outcomes: nothing evaluated before them applies.
        scratch.memo.clear();
        let mut next = Vec::new();
        let mut newly_held = Vec::new();
        for &pos in &dirty {
            let at = pos as usize;
            let cx = EvalInputs { t, sides, waived, groups: &state.groups };
            let profiles = &mut state.profiles;
            let eval = evaluate(
                &cx,
                mapper,
                scratch,
                resolved.users[at],
                resolved.member_of(at),
                state.no_direct[at],
                &mut |cov| profiles.intern(cov),
            );
            if record {
                scratch.swapping.iter().for_each(|&g| state.group_users[g as usize].push(pos));
            }
            if eval.verdict.harm {
                let harm: Vec<Finding> =
                    eval.findings.iter().filter(|f| findings::is_harm(f.code)).cloned().collect();
                let code = harm[0].code;
                state.sticky.entry(pos).or_default().extend(harm);
                if eval.verdict.direct.is_some() {
                    // The user's own call harms: withhold it and evaluate the user again.
                    state.no_direct[at] = true;
                    next.push(pos);
                } else {
                    // A group's swap harms: hold back every group that reaches the user.
                    for &g in &scratch.swapping {
                        if !state.groups[g as usize].held {
                            newly_held.push((g, pos, code));
                        }
                    }
                }
            }
            state.evals[at] = Some(eval);
        }
        record = false;
        for (g, pos, code) in newly_held {
            if !state.groups[g as usize].held {
                state.groups[g as usize].held = true;
                state.held_by.insert(g, (pos, code));
                next.extend(state.group_users[g as usize].iter().copied());
            }
        }
        queued.iter_mut().for_each(|m| *m = false);
        next.retain(|&pos| !std::mem::replace(&mut queued[pos as usize], true));
        dirty = next;
    }
}

/// Seats needed per target: users who newly get it, and each member the snapshot has no user for
/// of a swapping group that does not assign that target yet (once, however many groups).
fn seats_needed(st: &State, sr: &scope::Resolved<'_>, nt: usize) -> Vec<i64> {
    let mut needed = vec![0i64; nt];
    for e in st.evals.iter().flatten() {
        let m = e.verdict.new_target;
        needed.iter_mut().enumerate().filter(|(ti, _)| m & (1 << ti) != 0).for_each(|(_, n)| *n += 1);
    }
    for (ti, n) in needed.iter_mut().enumerate() {
        let mut unknown: HashSet<CiKey<'_>> = HashSet::new();
        for (g, gp) in st.groups.iter().enumerate() {
            if gp.swapping() && gp.keeps[ti].is_none() {
                unknown.extend(sr.unknown_members[g].iter().map(|m| CiKey(m)));
            }
        }
        *n += unknown.len() as i64;
    }
    needed
}

/// Keep what fits in `budget` seats of each target: direct swaps first (snapshot order), then
/// whole groups (snapshot order; a group takes a seat of a target for each member that does not
/// hold that target yet). Something fits only if every target it needs has the seats. Returns the
/// users to re-evaluate.
fn fit_wave(
    st: &mut State,
    sr: &scope::Resolved<'_>,
    mut budget: Vec<i64>,
    deferred: &mut (usize, usize),
) -> Vec<u32> {
    let nt = budget.len();
    let bits_of = |m: u32| (0..nt).filter(move |ti| m & (1 << ti) != 0);
    let mut dirty = Vec::new();
    let mut counted = vec![false; sr.users.len()];
    for (pos, e) in st.evals.iter().enumerate() {
        let Some(e) = e else { continue };
        let m = e.verdict.new_target;
        if m != 0 && !e.via_groups && matches!(e.verdict.direct, Some(Direct::Swap { .. })) {
            if bits_of(m).all(|ti| budget[ti] > 0) {
                bits_of(m).for_each(|ti| budget[ti] -= 1);
                counted[pos] = true;
            } else {
                st.no_direct[pos] = true;
                dirty.push(pos as u32);
                deferred.0 += 1;
            }
        }
    }
    let mut seen_unknown: Vec<HashSet<CiKey<'_>>> = vec![HashSet::new(); nt];
    for g in 0..st.groups.len() {
        if !st.groups[g].swapping() {
            continue;
        }
        let members = &st.group_users[g];
        let new: Vec<(u32, u32)> = members
            .iter()
            .filter(|&&p| !counted[p as usize])
            .filter_map(|&p| {
                st.evals[p as usize].as_ref().map(|e| (p, e.verdict.new_target)).filter(|(_, m)| *m != 0)
            })
            .collect();
        let unknown: Vec<Vec<&str>> = (0..nt)
            .map(|ti| {
                if st.groups[g].keeps[ti].is_some() {
                    Vec::new()
                } else {
                    sr.unknown_members[g]
                        .iter()
                        .copied()
                        .filter(|m| !seen_unknown[ti].contains(&CiKey(m)))
                        .collect()
                }
            })
            .collect();
        let cost: Vec<i64> = (0..nt)
            .map(|ti| (new.iter().filter(|(_, m)| m & (1 << ti) != 0).count() + unknown[ti].len()) as i64)
            .collect();
        if (0..nt).all(|ti| cost[ti] <= budget[ti]) {
            (0..nt).for_each(|ti| budget[ti] -= cost[ti]);
            new.iter().for_each(|&(p, _)| counted[p as usize] = true);
            for (ti, u) in unknown.into_iter().enumerate() {
                seen_unknown[ti].extend(u.into_iter().map(CiKey));
            }
        } else {
            st.groups[g].held = true;
            deferred.1 += 1;
            dirty.extend(members.iter().copied());
        }
    }
    dirty
}

/// Distinct coverage outcomes: users with the same licenses share one entry.
#[derive(Default)]
pub(crate) struct Profiles {
    index: licswap_core::plan::fastmap::FastMap<Box<[u64]>, u32>,
    keys: Vec<Box<[u64]>>,
}

impl Profiles {
    fn intern(&mut self, cov: &[u64]) -> u32 {
        if let Some(&i) = self.index.get(cov) {
            return i;
        }
        let key: Box<[u64]> = cov.into();
        let i = self.keys.len() as u32;
        self.keys.push(key.clone());
        self.index.insert(key, i);
        i
    }

    fn coverage(
        &self,
        t: &Indexes<'_>,
        sr: &scope::Resolved<'_>,
        evals: &[&Eval],
    ) -> Vec<licswap_core::plan::Coverage> {
        output::coverage(t, sr, evals, &self.keys)
    }
}
