//! The planner's driver: resolve, evaluate every user against the planned group and user
//! actions, hold back whatever would harm someone (until nothing changes), fit the seats, then
//! assemble the plan.
use super::actions;
use super::bits;
use super::evaluate::{evaluate, Ctx, Direct, Eval, GroupPlan, Scratch};
use super::findings::{self, finding, sku_subject};
use super::mapping::Mapper;
use super::output;
use super::resolve::{CiKey, Tenant};
use super::scope;
use licswap_core::model::same_id;
use licswap_core::plan::fastmap::FastMap;
use licswap_core::plan::{
    Finding, FindingCode as C, Plan, PlanError, PlanRequest, SeatBudget, Severity as S, Snapshot,
};
use std::collections::HashSet;

/// Plan `request` against `snapshot`. Pure and deterministic: the same inputs give the same plan.
///
/// Subjects with a blocker of their own get no action, and a group is not swapped while the swap
/// would harm one of its members (service loss, conflict, broken dependency), so the actions of a
/// plan never harm anyone; still, apply must refuse a plan with blockers (see
/// [`Plan::has_blockers`]), which is a preview of what remains to fix.
pub fn plan(snapshot: &Snapshot, request: &PlanRequest) -> Result<Plan, PlanError> {
    let t = Tenant::new(snapshot, matches!(request.scope, licswap_core::plan::Scope::Users(_)))?;
    let src = t.find_sku(&request.source).ok_or_else(|| PlanError::UnknownSku(request.source.clone()))?;
    let tgt = t.find_sku(&request.target).ok_or_else(|| PlanError::UnknownSku(request.target.clone()))?;
    if src == tgt {
        return Err(PlanError::SameSku(t.skus[src].label().to_string()));
    }
    let opts = &request.options;
    let mut findings: Vec<Finding> = Vec::new();
    let waived = waived_bits(&t, &opts.waived_plans);
    let sc_res = scope::resolve(&t, src, &request.scope, &mut findings);

    let mut mapper = Mapper::new(src, tgt, opts.preserve_disabled_plans);
    let groups = group_plans(&t, src, tgt, &sc_res.group_in_scope, &mut mapper);
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
    settle(&t, src, tgt, &waived, &sc_res, &mut st, &mut mapper, &mut scratch, all, true);

    // Seats.
    let tsku = t.skus[tgt].sku;
    let available = tsku.prepaid_units.enabled - tsku.consumed_units;
    let mut needed = seats_needed(&st, &sc_res);
    let mut deferred = (0usize, 0usize);
    if needed > available && opts.allow_partial_wave {
        let dirty = fit_wave(&mut st, &sc_res, available.max(0), &mut deferred);
        settle(&t, src, tgt, &waived, &sc_res, &mut st, &mut mapper, &mut scratch, dirty, false);
        let total = needed;
        needed = seats_needed(&st, &sc_res);
        findings.push(finding(
            C::PartialWave,
            S::Warning,
            sku_subject(&tsku.sku_id, &tsku.sku_part_number),
            format!(
                "{total} seats of {} are needed and {available} are available: this wave swaps {needed} \
                 ({} users and {} groups wait for a later wave)",
                tsku.sku_part_number, deferred.0, deferred.1
            ),
            "apply this wave, free or buy seats, then plan again for the rest",
            Vec::new(),
        ));
    }
    if needed > available {
        findings.push(finding(
            C::SeatsInsufficient,
            S::Blocker,
            sku_subject(&tsku.sku_id, &tsku.sku_part_number),
            format!(
                "{needed} seats of {} are needed but only {available} are available \
                 (prepaidUnits.enabled {} - consumedUnits {})",
                tsku.sku_part_number, tsku.prepaid_units.enabled, tsku.consumed_units
            ),
            "buy or free seats of the target, or plan a first wave of what fits (the wizard's \"plan a first wave\" option, allowPartialWave in a request file)",
            Vec::new(),
        ));
    }
    let source_freed = st.evals.iter().flatten().filter(|e| e.verdict.frees_source).count() as i64;
    let seats = SeatBudget { needed, available, left_after: available - needed, source_freed };

    let out = output::Inputs {
        t: &t,
        src,
        tgt,
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
    Ok(Plan {
        version: licswap_core::plan::PLAN_VERSION,
        request: request.clone(),
        source: output::summary(t.skus[src].sku),
        target: output::summary(tsku),
        tenant_name: snapshot.tenant_name.clone(),
        phases,
        findings,
        seats,
        coverage,
        rollback,
    })
}

pub(crate) struct State<'a> {
    pub groups: Vec<GroupPlan>,
    pub evals: Vec<Option<Eval>>,
    pub no_direct: Vec<bool>,
    /// Harm findings of users whose action (or group) was held back because of them.
    pub sticky: FastMap<u32, Vec<Finding>>,
    /// Group index -> (evaluated user position, harm finding code) that held it back.
    pub held_by: FastMap<u32, (u32, C)>,
    pub profiles: Profiles<'a>,
    /// Per group: evaluated users (positions) the group's swap changes; recorded by the first
    /// evaluation, when no group is held yet (so it holds every such user).
    pub group_users: Vec<Vec<u32>>,
}

fn waived_bits(t: &Tenant<'_>, waived: &[String]) -> Vec<u64> {
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

fn group_plans(
    t: &Tenant<'_>,
    src: usize,
    tgt: usize,
    in_scope: &[bool],
    mapper: &mut Mapper,
) -> Vec<GroupPlan> {
    let (src_id, tgt_id) = (&t.skus[src].sku.sku_id, &t.skus[tgt].sku.sku_id);
    let mut buf = vec![0u64; t.words];
    t.groups
        .iter()
        .zip(in_scope)
        .map(|(g, &in_scope)| {
            bits::clear(&mut buf);
            if let Some(l) = g.assigned_licenses.iter().find(|l| same_id(&l.sku_id, src_id)) {
                t.bits_of(&l.disabled_plans, &mut buf);
            }
            let mapped = mapper.map(t, &buf);
            let keeps_target = g.assigned_licenses.iter().find(|l| same_id(&l.sku_id, tgt_id)).map(|l| {
                let mut b = vec![0u64; t.words];
                t.bits_of(&l.disabled_plans, &mut b);
                mapper.keep_existing(&b, mapped)
            });
            GroupPlan { in_scope, held: false, mapped, keeps_target }
        })
        .collect()
}

/// Evaluate `dirty` users; hold back what harms, re-evaluate whom that touches, until stable.
#[allow(clippy::too_many_arguments)]
fn settle<'a>(
    t: &Tenant<'a>,
    src: usize,
    tgt: usize,
    waived: &[u64],
    sr: &scope::Resolved<'_>,
    st: &mut State<'a>,
    mapper: &mut Mapper,
    sc: &mut Scratch,
    mut dirty: Vec<u32>,
    mut record: bool,
) {
    let mut mark = vec![false; sr.users.len()];
    while !dirty.is_empty() {
        // Held groups change outcomes: nothing evaluated before them applies.
        sc.memo.clear();
        let mut next = Vec::new();
        let mut newly_held = Vec::new();
        for &pos in &dirty {
            let p = pos as usize;
            let cx = Ctx { t, src, tgt, waived, groups: &st.groups };
            let profiles = &mut st.profiles;
            let e = evaluate(&cx, mapper, sc, sr.users[p], sr.member_of(p), st.no_direct[p], &mut |cov| {
                profiles.intern(cov)
            });
            if record {
                sc.swapping.iter().for_each(|&g| st.group_users[g as usize].push(pos));
            }
            if e.verdict.harm {
                let harm: Vec<Finding> =
                    e.findings.iter().filter(|f| findings::is_harm(f.code)).cloned().collect();
                let code = harm[0].code;
                st.sticky.entry(pos).or_default().extend(harm);
                if e.verdict.direct.is_some() {
                    st.no_direct[p] = true;
                    next.push(pos);
                } else {
                    for &g in &sc.swapping {
                        if !st.groups[g as usize].held {
                            newly_held.push((g, pos, code));
                        }
                    }
                }
            }
            st.evals[p] = Some(e);
        }
        record = false;
        for (g, pos, code) in newly_held {
            if !st.groups[g as usize].held {
                st.groups[g as usize].held = true;
                st.held_by.insert(g, (pos, code));
                next.extend(st.group_users[g as usize].iter().copied());
            }
        }
        mark.iter_mut().for_each(|m| *m = false);
        next.retain(|&p| !std::mem::replace(&mut mark[p as usize], true));
        dirty = next;
    }
}

fn seats_needed(st: &State<'_>, sr: &scope::Resolved<'_>) -> i64 {
    let users = st.evals.iter().flatten().filter(|e| e.verdict.new_target).count();
    let mut unknown: HashSet<CiKey<'_>> = HashSet::new();
    for (g, gp) in st.groups.iter().enumerate() {
        if gp.swapping() && gp.keeps_target.is_none() {
            unknown.extend(sr.unknown_members[g].iter().map(|m| CiKey(m)));
        }
    }
    (users + unknown.len()) as i64
}

/// Keep what fits in `budget` seats: direct swaps first (snapshot order), then whole groups
/// (snapshot order; a group takes a seat for each member that does not hold the target yet).
/// Returns the users to re-evaluate.
fn fit_wave(
    st: &mut State<'_>,
    sr: &scope::Resolved<'_>,
    mut budget: i64,
    deferred: &mut (usize, usize),
) -> Vec<u32> {
    let mut dirty = Vec::new();
    let mut counted = vec![false; sr.users.len()];
    for (pos, e) in st.evals.iter().enumerate() {
        let Some(e) = e else { continue };
        if e.verdict.new_target && !e.via_groups && matches!(e.verdict.direct, Some(Direct::Swap { .. })) {
            if budget > 0 {
                budget -= 1;
                counted[pos] = true;
            } else {
                st.no_direct[pos] = true;
                dirty.push(pos as u32);
                deferred.0 += 1;
            }
        }
    }
    let mut seen_unknown: HashSet<CiKey<'_>> = HashSet::new();
    for g in 0..st.groups.len() {
        if !st.groups[g].swapping() {
            continue;
        }
        let members = &st.group_users[g];
        let new: Vec<u32> = members
            .iter()
            .copied()
            .filter(|&p| {
                !counted[p as usize] && st.evals[p as usize].as_ref().is_some_and(|e| e.verdict.new_target)
            })
            .collect();
        let unknown: Vec<&str> = if st.groups[g].keeps_target.is_some() {
            Vec::new()
        } else {
            sr.unknown_members[g].iter().copied().filter(|m| !seen_unknown.contains(&CiKey(m))).collect()
        };
        let cost = (new.len() + unknown.len()) as i64;
        if cost <= budget {
            budget -= cost;
            new.iter().for_each(|&p| counted[p as usize] = true);
            seen_unknown.extend(unknown.into_iter().map(CiKey));
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
pub(crate) struct Profiles<'a> {
    index: licswap_core::plan::fastmap::FastMap<Box<[u64]>, u32>,
    keys: Vec<Box<[u64]>>,
    _t: std::marker::PhantomData<&'a ()>,
}

impl<'a> Profiles<'a> {
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
        t: &Tenant<'_>,
        sr: &scope::Resolved<'_>,
        evals: &[&Eval],
    ) -> Vec<licswap_core::plan::Coverage> {
        output::coverage(t, sr, evals, &self.keys)
    }
}
