//! Property tests over generated tenants, against a pure model of `assignLicense` (a user's
//! licenses are its own assignments plus those of every group it is a member of):
//! (a) no action removes a license unless the same call adds every target, or the user already
//!     holds the targets it does not add (directly or through a group) when the action's phase
//!     starts; and it removes only sources;
//! (b) every user without a blocker keeps every enabled service (same plan or a catalog
//!     equivalent) unless waived -- and, since subjects with blockers get no action, so does
//!     every other user;
//! (c) the seats the plan uses of each target never exceed those available (unless it says
//!     SeatsInsufficient for that target), and the plan's count is the model's;
//! (d) applying the plan then its rollback restores every subject's own assignments;
//! (e) setting aside the blocked users and groups changes no action, seat or coverage: it lists
//!     exactly the subjects with blockers, leaves only plan-wide blockers, and names for each
//!     set-aside user every swapped group of the plan that still reaches them.
//!
//! Requests are single swaps and bundles (several sources, several targets: Office 365 E3 + EMS ->
//! Microsoft 365 E3, the Teams unbundling, E1 + Exchange Online (Plan 2) -> E3), with users who
//! hold some of the sources, directly or through groups.
mod plan_support;
use licswap_core::catalog;
use licswap_core::plan::{
    self, Action, FindingCode, Plan, PlanOptions, PlanRequest, Scope, Severity, Snapshot,
};
use plan_support::*;
use proptest::prelude::*;
use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet, HashMap};

type Lics = BTreeMap<String, BTreeSet<String>>;

#[derive(Clone, Debug, PartialEq)]
struct Model {
    own: BTreeMap<String, Lics>,
    members: BTreeMap<String, BTreeSet<String>>,
}

impl Model {
    fn from(s: &Snapshot) -> Model {
        let mut own = BTreeMap::new();
        let mut members = BTreeMap::new();
        for u in &s.users {
            let lics = u
                .license_assignment_states
                .iter()
                .filter(|st| st.is_direct())
                .map(|st| {
                    (st.sku_id.to_lowercase(), st.disabled_plans.iter().map(|p| p.to_lowercase()).collect())
                })
                .collect();
            own.insert(u.id.clone(), lics);
        }
        for g in &s.groups {
            let lics = g
                .group
                .assigned_licenses
                .iter()
                .map(|l| {
                    (l.sku_id.to_lowercase(), l.disabled_plans.iter().map(|p| p.to_lowercase()).collect())
                })
                .collect();
            own.insert(g.group.id.clone(), lics);
            members.insert(g.group.id.clone(), g.member_ids.iter().cloned().collect());
        }
        Model { own, members }
    }

    /// assignLicense: every removed SKU must be assigned; adds replace (disabledPlans included).
    fn apply(&mut self, a: &Action) -> Result<(), String> {
        let lics = self.own.get_mut(&a.target.id).ok_or_else(|| format!("{}: no such subject", a.id))?;
        for r in &a.body.remove_licenses {
            if a.body.add_licenses.iter().any(|l| l.sku_id.eq_ignore_ascii_case(r)) {
                return Err(format!("{}: adds and removes {r}", a.id));
            }
            lics.remove(&r.to_lowercase())
                .ok_or_else(|| format!("{}: removes {r}, which is not assigned", a.id))?;
        }
        for l in &a.body.add_licenses {
            lics.insert(l.sku_id.to_lowercase(), l.disabled_plans.iter().map(|p| p.to_lowercase()).collect());
        }
        Ok(())
    }

    /// The user's licenses: its own and its groups'.
    fn effective(&self, user: &str) -> Vec<(&String, &BTreeSet<String>)> {
        let mut out: Vec<_> = self.own[user].iter().collect();
        for (g, m) in &self.members {
            if m.contains(user) {
                out.extend(self.own[g].iter());
            }
        }
        out
    }

    fn holds(&self, user: &str, sku: &str) -> bool {
        self.effective(user).iter().any(|(k, _)| k.eq_ignore_ascii_case(sku))
    }

    /// Enabled service plan names.
    fn enabled(&self, user: &str, plans: &HashMap<String, Vec<(String, String)>>) -> BTreeSet<String> {
        let mut out = BTreeSet::new();
        for (sku, disabled) in self.effective(user) {
            for (id, name) in plans.get(sku.as_str()).into_iter().flatten() {
                if !disabled.contains(id) {
                    out.insert(name.clone());
                }
            }
        }
        out
    }
}

fn sku_plans(s: &Snapshot) -> HashMap<String, Vec<(String, String)>> {
    s.skus
        .iter()
        .map(|k| {
            let plans = k
                .service_plans
                .iter()
                .map(|p| (p.service_plan_id.to_lowercase(), p.service_plan_name.clone()));
            (k.sku_id.to_lowercase(), plans.collect())
        })
        .collect()
}

type Sides = (&'static [&'static str], &'static [&'static str]);
const PAIRS: &[Sides] = &[
    (&["STANDARDPACK"], &["ENTERPRISEPACK"]),
    (&["ENTERPRISEPACK"], &["STANDARDPACK"]),
    (&["STANDARDPACK"], &["EXCHANGESTANDARD"]),
    (&["O365_BUSINESS_ESSENTIALS"], &["O365_BUSINESS_PREMIUM"]),
    (&["ENTERPRISEPACK", "EMS"], &["SPE_E3"]),
    (&["ENTERPRISEPREMIUM"], &["Office_365_w/o_Teams_Bundle_E5", "Microsoft_Teams_EEA_New"]),
    (&["STANDARDPACK", "EXCHANGEENTERPRISE"], &["ENTERPRISEPACK"]),
    (&["SPE_E3"], &["ENTERPRISEPACK", "EMS"]),
];
const OTHERS: &[&str] = &["EXCHANGESTANDARD", "PROJECTPREMIUM", "POWER_BI_PRO", "SPE_E3"];
/// Plans admins commonly switch off (only those the SKU has are used).
const OFF: &[&str] = &[
    "SWAY",
    "YAMMER_ENTERPRISE",
    "EXCHANGE_S_STANDARD",
    "EXCHANGE_S_ENTERPRISE",
    "SHAREPOINTSTANDARD",
    "SHAREPOINTENTERPRISE",
    "FORMS_PLAN_E1",
    "FORMS_PLAN_E3",
    "TEAMS1",
    "OFFICESUBSCRIPTION",
    "INTUNE_A",
    "MCOSTANDARD",
];

fn off(part: &str, mask: u16) -> Vec<&'static str> {
    let d = catalog::sku(part).unwrap();
    OFF.iter()
        .enumerate()
        .filter(|(i, n)| mask & (1 << i) != 0 && d.plan(n).is_some())
        .map(|(_, n)| *n)
        .collect()
}

type GenUser = (bool, u16, u8, Option<usize>, u16, bool, bool, bool, u8);

#[derive(Clone, Debug)]
struct Gen {
    pair: usize,
    /// Per group: (assigns the first source, sources' disabled mask, assigns a target, assigns the
    /// other sources of a bundle: bits).
    groups: Vec<(bool, u16, bool, u8)>,
    /// Per user: (direct first source, disabled mask, member-of bits, other license, other's
    /// disabled mask, direct target (the last one of a bundle), usage location, enabled, direct
    /// other sources of a bundle: bits).
    users: Vec<GenUser>,
    seats: i64,
    scope: u8,
    scope_bits: u16,
    preserve: bool,
    partial: bool,
    waive: u16,
}

fn gen() -> impl Strategy<Value = Gen> {
    let group = (
        prop::bool::weighted(0.8),
        prop::bits::u16::between(0, 12),
        prop::bool::weighted(0.1),
        prop::bits::u8::between(0, 2),
    );
    let user = (
        prop::bool::weighted(0.6),
        prop::bits::u16::between(0, 12),
        prop::bits::u8::between(0, 4),
        prop::option::weighted(0.3, 0..OTHERS.len()),
        prop::bits::u16::between(0, 12),
        prop::bool::weighted(0.1),
        prop::bool::weighted(0.9),
        prop::bool::weighted(0.9),
        prop::bits::u8::between(0, 2),
    );
    (
        0..PAIRS.len(),
        prop::collection::vec(group, 0..4),
        prop::collection::vec(user, 0..10),
        0i64..12,
        0u8..3,
        any::<u16>(),
        prop::bool::weighted(0.8),
        any::<bool>(),
        prop::bits::u16::between(0, 10),
    )
        .prop_map(|(pair, groups, users, seats, scope, scope_bits, preserve, partial, waive)| Gen {
            pair,
            groups,
            users,
            seats,
            scope,
            scope_bits,
            preserve,
            partial,
            waive,
        })
}

fn build(g: &Gen) -> (Snapshot, PlanRequest) {
    let (srcs, tgts) = PAIRS[g.pair];
    let last_tgt = tgts[tgts.len() - 1];
    // The sources a group or user holds: the first by its flag, the others by their bits.
    let held = |first: bool, extra: u8| -> Vec<&'static str> {
        srcs.iter()
            .enumerate()
            .filter(|(i, _)| if *i == 0 { first } else { extra & (1 << (i - 1)) != 0 })
            .map(|(_, s)| *s)
            .collect()
    };
    let mut groups = Vec::new();
    for (i, &(has_src, mask, has_tgt, extra)) in g.groups.iter().enumerate() {
        let mut lics = Vec::new();
        let srcs_held = held(has_src, extra);
        for s in &srcs_held {
            lics.push(lic(s, &off(s, mask)));
        }
        if has_tgt {
            lics.push(lic(last_tgt, &[]));
        }
        groups.push((format!("g{i}"), lics, Vec::new(), srcs_held, mask, has_tgt));
    }
    let mut users = Vec::new();
    let mut tgt_holders = vec![0i64; tgts.len()];
    for (i, &(d, mask, member, other, omask, dt, loc, enabled, extra)) in g.users.iter().enumerate() {
        let id = format!("u{i}");
        let mut states = Vec::new();
        for s in held(d, extra) {
            states.push(direct(s, &off(s, mask)));
        }
        if dt {
            states.push(direct(last_tgt, &[]));
        }
        if let Some(o) = other {
            if !srcs.contains(&OTHERS[o]) && !tgts.contains(&OTHERS[o]) {
                states.push(direct(OTHERS[o], &off(OTHERS[o], omask)));
            }
        }
        let mut holds_last = dt;
        for (gi, gr) in groups.iter_mut().enumerate() {
            if member & (1 << gi) != 0 {
                gr.2.push(id.clone());
                for s in &gr.3 {
                    states.push(inherited(s, &gr.0, &off(s, gr.4)));
                }
                if gr.5 {
                    states.push(inherited(last_tgt, &gr.0, &[]));
                    holds_last = true;
                }
            }
        }
        tgt_holders[tgts.len() - 1] += holds_last as i64;
        let mut u = user(&id, states);
        if !loc {
            u["usageLocation"] = Value::Null;
        }
        u["accountEnabled"] = enabled.into();
        users.push(u);
    }
    let group_json: Vec<Value> = groups
        .iter()
        .map(|(id, lics, members, ..)| {
            let m: Vec<&str> = members.iter().map(String::as_str).collect();
            group(id, lics.clone(), &m)
        })
        .collect();
    let mut skus: Vec<Value> = srcs.iter().map(|s| sku(s, 20, 10)).collect();
    // Each target has `seats` free, the first one more when a bundle has two (so seats run short
    // on one target and not the other).
    for (ti, t) in tgts.iter().enumerate() {
        let extra = if ti == 0 && tgts.len() > 1 { 2 } else { 0 };
        skus.push(sku(t, tgt_holders[ti] + g.seats + extra, tgt_holders[ti]));
    }
    for o in OTHERS {
        if !srcs.contains(o) && !tgts.contains(o) {
            skus.push(sku(o, 20, 5));
        }
    }
    let s = snapshot(skus, users, group_json);
    let pick = |n: usize, prefix: &str| -> Vec<String> {
        (0..n).filter(|i| g.scope_bits & (1 << i) != 0).map(|i| format!("{prefix}{i}")).collect()
    };
    let scope = match g.scope {
        0 => Scope::AllHolders,
        1 => Scope::Groups(pick(g.groups.len(), "g")),
        _ => Scope::Users(pick(g.users.len(), "u")),
    };
    let waived =
        OFF.iter().enumerate().filter(|(i, _)| g.waive & (1 << i) != 0).map(|(_, n)| n.to_string()).collect();
    let options = PlanOptions {
        preserve_disabled_plans: g.preserve,
        waived_plans: waived,
        allow_partial_wave: g.partial,
        set_aside_blocked: false,
    };
    (s, PlanRequest { source: srcs.into(), target: tgts.into(), scope, options })
}

/// The skuIds (lowercase) of the sources and of the targets, as `build` lays the SKUs out.
fn sides(s: &Snapshot, g: &Gen) -> (Vec<String>, Vec<String>) {
    let (srcs, tgts) = PAIRS[g.pair];
    let id = |i: usize| s.skus[i].sku_id.to_lowercase();
    ((0..srcs.len()).map(id).collect(), (srcs.len()..srcs.len() + tgts.len()).map(id).collect())
}

fn blocked_users(p: &Plan) -> BTreeSet<String> {
    p.findings
        .iter()
        .filter(|f| f.severity == Severity::Blocker && f.subject.kind == plan::TargetKind::User)
        .map(|f| f.subject.id.clone())
        .collect()
}

fn covered(before: &str, after: &BTreeSet<String>) -> bool {
    after.iter().any(|a| catalog::equivalent(before, a))
}

fn apply_phases(m: &mut Model, phases: &[plan::Phase]) -> Result<(), String> {
    for ph in phases {
        for a in &ph.actions {
            m.apply(a)?;
        }
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 400, ..ProptestConfig::default() })]

    #[test]
    fn no_removal_without_its_replacement(g in gen()) {
        let (s, r) = build(&g);
        let p = licswap_planner::plan(&s, &r).unwrap();
        let (srcs, tgts) = sides(&s, &g);
        let mut m = Model::from(&s);
        for ph in &p.phases {
            let start = m.clone();
            for a in &ph.actions {
                if !a.body.remove_licenses.is_empty() {
                    for rem in &a.body.remove_licenses {
                        prop_assert!(srcs.contains(&rem.to_lowercase()), "{} removes only sources", a.id);
                    }
                    for tgt in &tgts {
                        let adds = a.body.add_licenses.iter().any(|l| l.sku_id.eq_ignore_ascii_case(tgt));
                        let held = a.target.kind == plan::TargetKind::User && start.holds(&a.target.id, tgt);
                        prop_assert!(adds || held, "{} removes a source without the target {tgt}", a.id);
                    }
                }
                m.apply(a).map_err(TestCaseError::fail)?;
            }
        }
    }

    #[test]
    fn users_keep_every_enabled_service_unless_waived(g in gen()) {
        let (s, r) = build(&g);
        let p = licswap_planner::plan(&s, &r).unwrap();
        let plans = sku_plans(&s);
        let before = Model::from(&s);
        let mut after = before.clone();
        apply_phases(&mut after, &p.phases).map_err(TestCaseError::fail)?;
        let blocked = blocked_users(&p);
        let waived: Vec<&String> = r.options.waived_plans.iter().collect();
        for u in &s.users {
            let (b, a) = (before.enabled(&u.id, &plans), after.enabled(&u.id, &plans));
            for plan_name in &b {
                if waived.iter().any(|w| w.eq_ignore_ascii_case(plan_name)) {
                    continue;
                }
                prop_assert!(
                    covered(plan_name, &a),
                    "{} ({}) loses {plan_name}; findings: {:?}",
                    u.id,
                    if blocked.contains(&u.id) { "blocked" } else { "no blocker" },
                    p.findings.iter().map(|f| (f.code, &f.subject.id)).collect::<Vec<_>>()
                );
            }
        }
    }

    #[test]
    fn seats_planned_never_exceed_those_available(g in gen()) {
        let (s, r) = build(&g);
        let p = licswap_planner::plan(&s, &r).unwrap();
        let (_, tgts) = sides(&s, &g);
        let before = Model::from(&s);
        let mut after = before.clone();
        apply_phases(&mut after, &p.phases).map_err(TestCaseError::fail)?;
        let seats = p.targets();
        prop_assert_eq!(seats.len(), tgts.len());
        for (tgt, t) in tgts.iter().zip(&seats) {
            prop_assert_eq!(&t.sku.sku_id.to_lowercase(), tgt);
            let new = s.users.iter().filter(|u| !before.holds(&u.id, tgt) && after.holds(&u.id, tgt)).count() as i64;
            prop_assert_eq!(new, t.needed, "seats of {}", t.sku.sku_part_number);
            let short = p.findings.iter().any(|f| f.code == FindingCode::SeatsInsufficient && f.subject.id.eq_ignore_ascii_case(tgt));
            prop_assert_eq!(short, t.needed > t.available, "{}", t.sku.sku_part_number);
            if r.options.allow_partial_wave {
                prop_assert!(t.needed <= t.available.max(0));
            }
        }
    }

    #[test]
    /// The planner shares fingerprints and rollback bodies between subjects that hold the same
    /// licenses: sharing must never hand one subject another's spelling. Some users' ids are
    /// spelled in upper case (Graph ids are case-insensitive; rollback re-adds them as read), and
    /// every user has a twin, so that equal licenses spelled alike and otherwise both occur.
    fn shared_digests_and_rollbacks_are_each_subjects_own(mut g in gen(), respell in any::<u32>()) {
        g.users.truncate(8); // 16 with the twins: scope_bits has 16
        g.users.extend_from_within(..);
        let (mut s, r) = build(&g);
        for (i, u) in s.users.iter_mut().enumerate().filter(|(i, _)| respell & (1 << i) != 0) {
            let upper = |ids: &mut Vec<String>| ids.iter_mut().for_each(|d| *d = d.to_uppercase());
            for st in u.license_assignment_states.iter_mut().filter(|st| i % 2 == 0 || st.is_direct()) {
                st.sku_id = st.sku_id.to_uppercase().into();
                upper(&mut st.disabled_plans);
            }
            for l in &mut u.assigned_licenses {
                l.sku_id = l.sku_id.to_uppercase().into();
                upper(&mut l.disabled_plans);
            }
        }
        let p = licswap_planner::plan(&s, &r).unwrap();
        for a in p.actions() {
            let Some(u) = s.users.iter().find(|u| u.id == a.target.id) else { continue };
            prop_assert_eq!(&a.fingerprint, &plan::fingerprint_user(u), "{}", a.id);
        }
        for a in p.rollback.iter().flat_map(|ph| &ph.actions) {
            let Some(u) = s.users.iter().find(|u| u.id == a.target.id) else { continue };
            for l in &a.body.add_licenses {
                let own = u.license_assignment_states.iter().filter(|st| st.is_direct());
                prop_assert!(
                    own.clone().any(|st| st.sku_id == l.sku_id && st.disabled_plans == l.disabled_plans),
                    "{} re-adds {:?}, which {} does not hold as spelled", a.id, l, u.id
                );
            }
        }
    }

    #[test]
    fn rollback_restores_every_subject(g in gen()) {
        let (s, r) = build(&g);
        let p = licswap_planner::plan(&s, &r).unwrap();
        let before = Model::from(&s);
        let mut m = before.clone();
        apply_phases(&mut m, &p.phases).map_err(TestCaseError::fail)?;
        apply_phases(&mut m, &p.rollback).map_err(TestCaseError::fail)?;
        prop_assert_eq!(&m, &before);
        let ids: BTreeSet<&str> = p.actions().map(|a| a.id.as_str()).collect();
        prop_assert_eq!(ids.len(), p.actions().count(), "action ids are unique");
    }

    #[test]
    fn setting_aside_changes_no_action_and_lists_every_blocked_subject(g in gen()) {
        let (s, r) = build(&g);
        let plain = licswap_planner::plan(&s, &r).unwrap();
        let mut r2 = r.clone();
        r2.options.set_aside_blocked = true;
        let aside = licswap_planner::plan(&s, &r2).unwrap();
        prop_assert_eq!(&aside.phases, &plain.phases);
        prop_assert_eq!(&aside.rollback, &plain.rollback);
        prop_assert_eq!(&aside.seats, &plain.seats);
        prop_assert_eq!(&aside.coverage, &plain.coverage);
        let blocked: BTreeSet<(plan::TargetKind, String)> = plain
            .blockers()
            .filter(|f| f.subject.kind != plan::TargetKind::Sku)
            .map(|f| (f.subject.kind, f.subject.id.clone()))
            .collect();
        let listed: BTreeSet<(plan::TargetKind, String)> =
            aside.set_aside.iter().map(|x| (x.subject.kind, x.subject.id.clone())).collect();
        prop_assert_eq!(listed.len(), aside.set_aside.len(), "each subject listed once");
        prop_assert_eq!(&listed, &blocked);
        prop_assert!(aside.blockers().all(|f| f.subject.kind == plan::TargetKind::Sku), "only plan-wide blockers stay");
        prop_assert_eq!(aside.has_blockers(), plain.blockers().any(|f| f.subject.kind == plan::TargetKind::Sku));
        prop_assert_eq!(aside.findings.iter().any(|f| f.code == FindingCode::SetAside), !blocked.is_empty());
        // No action targets a set-aside subject; a swapped group that holds a set-aside user is named.
        for x in &aside.set_aside {
            prop_assert!(aside.actions().all(|a| a.target.id != x.subject.id), "{} is set aside yet changed", x.subject.id);
            if x.subject.kind != plan::TargetKind::User {
                continue;
            }
            let reaching: Vec<String> = s
                .groups
                .iter()
                .filter(|gr| gr.member_ids.contains(&x.subject.id))
                .filter(|gr| aside.actions().any(|a| a.target.id == gr.group.id && a.kind == plan::ActionKind::Swap))
                .map(|gr| gr.group.label().to_string())
                .collect();
            prop_assert_eq!(&x.still_covered_by, &reaching);
        }
    }
}
