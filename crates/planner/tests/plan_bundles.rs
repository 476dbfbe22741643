//! Bundle swaps, one test (at least) per migration admins run: several SKUs to several SKUs in one
//! `assignLicense` per user or group, with partial holders and users whose sources come partly
//! from groups and partly directly. SKUs and plans are Microsoft's, from the built-in catalog.
mod plan_support;
use licswap_core::plan::{
    ActionKind, FindingCode as C, Plan, PlanError, PlanOptions, PlanRequest, Scope, Severity as S, Snapshot,
};
use plan_support::*;

const E3: &str = "ENTERPRISEPACK";
const EMS: &str = "EMS";
const M365_E3: &str = "SPE_E3";
const O365_E5: &str = "ENTERPRISEPREMIUM";
const M365_E5: &str = "SPE_E5";
/// "Office 365 E5 EEA (no Teams)" and "Microsoft Teams EEA": the unbundled pair in Microsoft's
/// product table of 2025-12-30 (its global "(no Teams)" E5 and "Teams Enterprise" are not in it).
const O365_E5_NO_TEAMS: &str = "Office_365_w/o_Teams_Bundle_E5";
const M365_E5_NO_TEAMS: &str = "O365_w/o_Teams_Bundle_M5";
const TEAMS: &str = "Microsoft_Teams_EEA_New";
const E1: &str = "STANDARDPACK";
const EXO_P2: &str = "EXCHANGEENTERPRISE";
const BP: &str = "SPB";
const MDO_P2: &str = "THREAT_INTELLIGENCE";

fn bundle(src: &[&str], tgt: &[&str], scope: Scope) -> PlanRequest {
    PlanRequest { source: src.into(), target: tgt.into(), scope, options: PlanOptions::default() }
}

fn ids(parts: &[&str]) -> Vec<String> {
    parts.iter().map(|p| sku_id(p).to_string()).collect()
}

fn target_seats(p: &Plan, part: &str) -> (i64, i64) {
    let t = p.targets().into_iter().find(|t| t.sku.sku_part_number == part).expect("a target");
    (t.needed, t.available)
}

fn freed(p: &Plan, part: &str) -> i64 {
    p.sources().into_iter().find(|s| s.sku.sku_part_number == part).expect("a source").freed
}

fn e3_ems(users: Vec<serde_json::Value>, groups: Vec<serde_json::Value>, m365_free: i64) -> Snapshot {
    snapshot(vec![sku(E3, 20, 10), sku(EMS, 20, 10), sku(M365_E3, m365_free, 0)], users, groups)
}

#[test]
fn e3_and_ems_become_microsoft_365_e3_in_one_call_carrying_both_disabled_plans() {
    let s = e3_ems(vec![user("u1", vec![direct(E3, &["SWAY"]), direct(EMS, &["INTUNE_A"])])], vec![], 10);
    let p = run(&s, &bundle(&[E3, EMS], &[M365_E3], Scope::AllHolders));
    assert!(!p.has_blockers(), "{:#?}", p.findings);
    let acts: Vec<_> = p.actions().collect();
    assert_eq!(acts.len(), 1, "one assignLicense for the whole move");
    let a = acts[0];
    assert_eq!((a.id.as_str(), a.kind), ("swap:user:u1", ActionKind::Swap));
    assert_eq!(a.body.remove_licenses, ids(&[E3, EMS]));
    assert_eq!(a.body.add_licenses.len(), 1);
    assert_eq!(a.body.add_licenses[0].sku_id, sku_id(M365_E3));
    let mut off = a.body.add_licenses[0].disabled_plans.clone();
    off.sort();
    let mut want = vec![plan_id("SWAY").to_string(), plan_id("INTUNE_A").to_string()];
    want.sort();
    assert_eq!(off, want, "each source's disabled plan stays off under the target's equivalent");
    let c = p.coverage_of("u1").unwrap();
    assert!(c.lost.is_empty(), "{c:?}");
    assert!(c.kept_disabled.iter().any(|k| k == "SWAY") && c.kept_disabled.iter().any(|k| k == "INTUNE_A"));
    assert_eq!(target_seats(&p, M365_E3), (1, 10));
    assert_eq!((freed(&p, E3), freed(&p, EMS)), (1, 1));
    assert_eq!(p.seats.source_freed, 1, "one user gives up every source");
    assert_eq!(p.source_names(), "Office 365 E3 + Enterprise Mobility + Security E3");
    assert_eq!(p.target_names(), "Microsoft 365 E3");

    // Rollback restores both sources with their own disabled plans and removes the target.
    let r = &p.rollback[0].actions[0];
    assert_eq!(r.body.remove_licenses, ids(&[M365_E3]));
    let back: Vec<(String, Vec<String>)> =
        r.body.add_licenses.iter().map(|l| (l.sku_id.to_string(), l.disabled_plans.clone())).collect();
    assert_eq!(
        back,
        [
            (sku_id(E3).to_string(), vec![plan_id("SWAY").to_string()]),
            (sku_id(EMS).to_string(), vec![plan_id("INTUNE_A").to_string()])
        ]
    );
}

#[test]
fn a_partial_holder_gives_up_what_it_holds_and_gets_every_target_and_the_preview_says_so() {
    let s = e3_ems(
        vec![user("u1", vec![direct(E3, &[])]), user("u2", vec![direct(E3, &[]), direct(EMS, &[])])],
        vec![],
        10,
    );
    let p = run(&s, &bundle(&[E3, EMS], &[M365_E3], Scope::AllHolders));
    assert!(!p.has_blockers(), "{:#?}", p.findings);
    let a = action(&p, "swap:user:u1").unwrap();
    assert_eq!(a.body.remove_licenses, ids(&[E3]), "only what the user holds is removed");
    assert_eq!(a.body.add_licenses[0].sku_id, sku_id(M365_E3));
    let f = p.findings.iter().find(|f| f.code == C::PartialHolder).expect("a partial-holder finding");
    assert_eq!((f.severity, f.subject.id.as_str()), (S::Info, "u1"));
    assert!(f.message.contains("holds ENTERPRISEPACK but not EMS"), "{}", f.message);
    assert!(!has(&p, C::PartialHolder, S::Info, "u2"));
    assert_eq!((freed(&p, E3), freed(&p, EMS)), (2, 1));
    assert_eq!(target_seats(&p, M365_E3), (2, 10));
}

#[test]
fn a_group_assigning_both_sources_swaps_them_in_one_group_call() {
    let s = e3_ems(
        vec![
            user("u1", vec![inherited(E3, "g1", &[]), inherited(EMS, "g1", &["INTUNE_A"])]),
            user("u2", vec![inherited(E3, "g1", &[]), inherited(EMS, "g1", &["INTUNE_A"])]),
        ],
        vec![group("g1", vec![lic(E3, &[]), lic(EMS, &["INTUNE_A"])], &["u1", "u2"])],
        10,
    );
    let p = run(&s, &bundle(&[E3, EMS], &[M365_E3], Scope::Groups(vec!["g1".into()])));
    assert!(!p.has_blockers(), "{:#?}", p.findings);
    let acts: Vec<_> = p.actions().map(|a| a.id.as_str()).collect();
    assert_eq!(acts, ["swap:group:g1"]);
    let a = action(&p, "swap:group:g1").unwrap();
    assert_eq!(a.body.remove_licenses, ids(&[E3, EMS]));
    assert_eq!(a.body.add_licenses[0].disabled_plans, [plan_id("INTUNE_A")]);
    assert_eq!(target_seats(&p, M365_E3), (2, 10));
    assert!(has(&p, C::InheritedCoveredByGroup, S::Info, "g1"));
    assert!(
        !p.findings.iter().any(|f| f.code == C::SeveralGroups),
        "two sources from one group is one group"
    );
    let r = &p.rollback[0].actions[0];
    assert_eq!(r.body.add_licenses.len(), 2, "the group gets both sources back");
}

/// A member inherits Office 365 E3 from a group in scope and holds EMS directly: the group's
/// swap comes first (phase 1), then the now-redundant direct EMS goes (phase 2), once the group
/// gives Microsoft 365 E3.
#[test]
fn a_user_with_one_source_from_a_group_and_one_direct_follows_the_phase_rules() {
    let s = e3_ems(
        vec![
            user("u1", vec![inherited(E3, "g1", &[]), direct(EMS, &[])]),
            user("u2", vec![inherited(E3, "g1", &[])]),
        ],
        vec![group("g1", vec![lic(E3, &[])], &["u1", "u2"])],
        10,
    );
    let p = run(&s, &bundle(&[E3, EMS], &[M365_E3], Scope::AllHolders));
    assert!(!p.has_blockers(), "{:#?}", p.findings);
    assert_eq!(p.phases.len(), 2);
    assert_eq!(p.phases[0].actions.iter().map(|a| a.id.as_str()).collect::<Vec<_>>(), ["swap:group:g1"]);
    let g = &p.phases[0].actions[0];
    assert_eq!(g.body.remove_licenses, ids(&[E3]), "the group removes what it assigns");
    let d = &p.phases[1].actions[0];
    assert_eq!((d.id.as_str(), d.kind), ("remove-direct:user:u1", ActionKind::RemoveRedundantDirect));
    assert_eq!(d.body.remove_licenses, ids(&[EMS]));
    assert!(d.body.add_licenses.is_empty());
    assert!(has(&p, C::DirectAndInherited, S::Info, "u1"));
    assert!(has(&p, C::PartialHolder, S::Info, "g1"), "the group assigns E3 but not EMS");
    assert_eq!(target_seats(&p, M365_E3), (2, 10));
    // Out of scope, the same user is blocked and names the group.
    let p = run(&s, &bundle(&[E3, EMS], &[M365_E3], Scope::Users(vec!["u1".into()])));
    assert!(has(&p, C::InheritedNotDirect, S::Blocker, "u1"));
    assert_eq!(p.actions().count(), 0);
}

#[test]
fn seats_are_budgeted_per_target_and_a_freed_source_seat_pays_for_none() {
    // EMS has many free seats; the target has one: two users need two.
    let users = vec![
        user("u1", vec![direct(E3, &[]), direct(EMS, &[])]),
        user("u2", vec![direct(E3, &[]), direct(EMS, &[])]),
    ];
    let s = e3_ems(users, vec![], 1);
    let p = run(&s, &bundle(&[E3, EMS], &[M365_E3], Scope::AllHolders));
    let f = p.findings.iter().find(|f| f.code == C::SeatsInsufficient).expect("short");
    assert_eq!(f.subject.name, M365_E3);
    assert_eq!(target_seats(&p, M365_E3), (2, 1));
    assert_eq!((p.seats.needed, p.seats.available, p.seats.left_after), (2, 1, -1));
}

fn unbundle(users: Vec<serde_json::Value>, groups: Vec<serde_json::Value>, teams_free: i64) -> Snapshot {
    snapshot(
        vec![sku(O365_E5, 20, 10), sku(O365_E5_NO_TEAMS, 10, 0), sku(TEAMS, teams_free, 0)],
        users,
        groups,
    )
}

/// One license becomes two: Office 365 E5 -> Office 365 E5 (no Teams) + Microsoft Teams, both
/// added in the call that removes E5, so Teams never drops out in between.
#[test]
fn the_teams_unbundling_adds_both_targets_in_the_call_that_removes_the_suite() {
    let s = unbundle(vec![user("u1", vec![direct(O365_E5, &["SWAY"])])], vec![], 10);
    let p = run(&s, &bundle(&[O365_E5], &[O365_E5_NO_TEAMS, TEAMS], Scope::AllHolders));
    assert!(!p.has_blockers(), "{:#?}", p.findings);
    let a = action(&p, "swap:user:u1").unwrap();
    assert_eq!(a.body.remove_licenses, ids(&[O365_E5]));
    let added: Vec<&str> = a.body.add_licenses.iter().map(|l| l.sku_id.as_str()).collect();
    assert_eq!(added, [sku_id(O365_E5_NO_TEAMS), sku_id(TEAMS)]);
    assert_eq!(a.body.add_licenses[0].disabled_plans, [plan_id("SWAY")]);
    // Teams EEA's Skype for Business Online (Plan 1) is switched off: the suite's Plan 2 covers
    // it, and Microsoft's exclusion table lists the two together.
    assert_eq!(a.body.add_licenses[1].disabled_plans, [plan_id("MCOIMP")]);
    let c = p.coverage_of("u1").unwrap();
    assert!(c.kept.iter().any(|k| k == "TEAMS1") && c.lost.is_empty(), "{c:?}");
    assert_eq!((target_seats(&p, O365_E5_NO_TEAMS), target_seats(&p, TEAMS)), ((1, 10), (1, 10)));
    assert_eq!(p.target_names(), "Office 365 E5 EEA (no Teams) + Microsoft Teams EEA");
    let r = &p.rollback[0].actions[0];
    assert_eq!(r.body.remove_licenses, ids(&[O365_E5_NO_TEAMS, TEAMS]));
    assert_eq!(r.body.add_licenses[0].disabled_plans, [plan_id("SWAY")]);
}

#[test]
fn the_teams_unbundling_of_a_group_and_of_a_user_who_has_teams_already() {
    let s = unbundle(
        vec![
            user("u1", vec![inherited(O365_E5, "g1", &[])]),
            user("u2", vec![inherited(O365_E5, "g1", &[])]),
            user("u3", vec![direct(O365_E5, &[]), direct(TEAMS, &["MCOIMP"])]),
        ],
        vec![group("g1", vec![lic(O365_E5, &[])], &["u1", "u2"])],
        10,
    );
    let p = run(&s, &bundle(&[O365_E5], &[O365_E5_NO_TEAMS, TEAMS], Scope::AllHolders));
    assert!(!p.has_blockers(), "{:#?}", p.findings);
    let g = action(&p, "swap:group:g1").unwrap();
    assert_eq!(g.body.add_licenses.len(), 2);
    assert_eq!(g.body.remove_licenses, ids(&[O365_E5]));
    let u3 = action(&p, "swap:user:u3").unwrap();
    let added: Vec<&str> = u3.body.add_licenses.iter().map(|l| l.sku_id.as_str()).collect();
    assert_eq!(added, [sku_id(O365_E5_NO_TEAMS), sku_id(TEAMS)], "Teams is re-added as it is");
    let f = p.findings.iter().find(|f| f.code == C::AlreadyHasTarget && f.subject.id == "u3").unwrap();
    assert!(f.message.contains(TEAMS) && !f.message.contains(O365_E5_NO_TEAMS), "{}", f.message);
    assert_eq!(target_seats(&p, TEAMS), (2, 10), "u3 holds Teams already");
    assert_eq!(target_seats(&p, O365_E5_NO_TEAMS), (3, 10));
}

#[test]
fn the_teams_unbundling_stops_where_teams_seats_run_out() {
    let users = vec![user("u1", vec![direct(O365_E5, &[])]), user("u2", vec![direct(O365_E5, &[])])];
    let s = unbundle(users, vec![], 1);
    let r = bundle(&[O365_E5], &[O365_E5_NO_TEAMS, TEAMS], Scope::AllHolders);
    let p = run(&s, &r);
    let short: Vec<&str> = p
        .findings
        .iter()
        .filter(|f| f.code == C::SeatsInsufficient)
        .map(|f| f.subject.name.as_str())
        .collect();
    assert_eq!(short, [TEAMS], "only Teams is short");
    let mut r = r;
    r.options.allow_partial_wave = true;
    let p = run(&s, &r);
    assert!(!p.has_blockers(), "{:#?}", p.findings);
    assert_eq!(p.actions().count(), 1, "the wave swaps only what both targets have seats for");
    assert_eq!((target_seats(&p, TEAMS), target_seats(&p, O365_E5_NO_TEAMS)), ((1, 1), (1, 10)));
}

/// Microsoft 365 E5 -> Microsoft 365 E5 EEA (no Teams) + Teams EEA: Microsoft's table lists three
/// plans in E5 that neither target has; they are named, and waiving them gives a clean plan.
#[test]
fn the_microsoft_365_e5_unbundling_names_what_the_eea_suite_lacks() {
    let s = snapshot(
        vec![sku(M365_E5, 20, 10), sku(M365_E5_NO_TEAMS, 10, 0), sku(TEAMS, 10, 0)],
        vec![user("u1", vec![direct(M365_E5, &[])])],
        vec![],
    );
    let mut r = bundle(&[M365_E5], &[M365_E5_NO_TEAMS, TEAMS], Scope::AllHolders);
    let p = run(&s, &r);
    let f = p.findings.iter().find(|f| f.code == C::ServiceLoss).expect("a loss");
    let mut lost = f.plans.clone();
    lost.sort();
    assert_eq!(lost, ["Defender_for_Iot_Enterprise", "MICROSOFT_LOOP", "PURVIEW_DISCOVERY"]);
    assert_eq!(p.actions().count(), 0);
    r.options.waived_plans = lost;
    let p = run(&s, &r);
    assert!(!p.has_blockers(), "{:#?}", p.findings);
    assert!(has(&p, C::ServiceLossWaived, S::Warning, "u1"));
    assert_eq!(action(&p, "swap:user:u1").unwrap().body.add_licenses.len(), 2);
}

/// Office 365 E1 + Exchange Online (Plan 2) -> Office 365 E3: the add-on is redundant and its seat
/// comes free.
#[test]
fn e1_with_exchange_plan_2_becomes_e3_and_frees_the_add_on_seat() {
    let s = snapshot(
        vec![sku(E1, 20, 10), sku(EXO_P2, 10, 5), sku(E3, 10, 0)],
        vec![
            user("u1", vec![direct(E1, &[]), direct(EXO_P2, &[])]),
            user("u2", vec![direct(E1, &[])]),
            user("u3", vec![inherited(E1, "g1", &[]), direct(EXO_P2, &[])]),
        ],
        vec![group("g1", vec![lic(E1, &[])], &["u3"])],
    );
    let p = run(&s, &bundle(&[E1, EXO_P2], &[E3], Scope::AllHolders));
    assert!(!p.has_blockers(), "{:#?}", p.findings);
    assert_eq!(action(&p, "swap:user:u1").unwrap().body.remove_licenses, ids(&[E1, EXO_P2]));
    assert_eq!(action(&p, "swap:user:u2").unwrap().body.remove_licenses, ids(&[E1]));
    assert!(has(&p, C::PartialHolder, S::Info, "u2"));
    // u3: the group's E3 comes first; E3's Exchange Online (Plan 2) then makes the direct add-on
    // redundant.
    let d = action(&p, "remove-direct:user:u3").expect("phase 2 removal");
    assert_eq!(d.body.remove_licenses, ids(&[EXO_P2]));
    assert_eq!((freed(&p, E1), freed(&p, EXO_P2)), (3, 2));
    assert_eq!(target_seats(&p, E3), (3, 10));
}

/// Microsoft 365 Business Premium + Defender for Office 365 (Plan 2) -> Microsoft 365 E5: per
/// Microsoft's table three Business Premium plans have no E5 equivalent; the reverse loses E5's
/// enterprise services. Both are named, never planned silently.
#[test]
fn business_premium_with_defender_to_e5_and_back() {
    let s = snapshot(
        vec![sku(BP, 20, 10), sku(MDO_P2, 20, 10), sku(M365_E5, 20, 10)],
        vec![user("u1", vec![direct(BP, &[]), direct(MDO_P2, &[])]), user("u2", vec![direct(M365_E5, &[])])],
        vec![],
    );
    let mut up = bundle(&[BP, MDO_P2], &[M365_E5], Scope::Users(vec!["u1".into()]));
    let p = run(&s, &up);
    let f = p.findings.iter().find(|f| f.code == C::ServiceLoss).expect("a loss");
    let mut lost = f.plans.clone();
    lost.sort();
    assert_eq!(
        lost,
        ["DYN365BC_MS_INVOICING", "M365_LIGHTHOUSE_PARTNER_PLAN1", "O365_SB_Relationship_Management"]
    );
    up.options.waived_plans = lost;
    let p = run(&s, &up);
    assert!(!p.has_blockers(), "{:#?}", p.findings);
    let a = action(&p, "swap:user:u1").unwrap();
    assert_eq!(a.body.remove_licenses, ids(&[BP, MDO_P2]));
    assert_eq!(a.body.add_licenses[0].sku_id, sku_id(M365_E5));

    let down = bundle(&[M365_E5], &[BP, MDO_P2], Scope::Users(vec!["u2".into()]));
    let p = run(&s, &down);
    let f = p.findings.iter().find(|f| f.code == C::ServiceLoss).expect("a loss");
    assert!(f.plans.iter().any(|p| p == "EXCHANGE_S_ENTERPRISE"), "{:?}", f.plans);
    assert_eq!(p.actions().count(), 0);
    assert_eq!((target_seats(&p, BP).0, target_seats(&p, MDO_P2).0), (0, 0), "a blocked user takes no seat");
}

#[test]
fn a_bundle_that_names_a_sku_twice_or_on_both_sides_is_refused() {
    let s = e3_ems(vec![], vec![], 1);
    let both = licswap_planner::plan(&s, &bundle(&[E3, EMS], &[M365_E3, EMS], Scope::AllHolders));
    assert_eq!(both.unwrap_err(), PlanError::SameSku(EMS.into()));
    let twice = licswap_planner::plan(&s, &bundle(&[E3, sku_id(E3)], &[M365_E3], Scope::AllHolders));
    let err = twice.unwrap_err().to_string();
    assert!(err.contains("source") && err.contains("named twice"), "{err}");
    let unknown = licswap_planner::plan(&s, &bundle(&[E3, "NOPE"], &[M365_E3], Scope::AllHolders));
    assert_eq!(unknown.unwrap_err(), PlanError::UnknownSku("NOPE".into()));
}

#[test]
fn a_single_swap_plan_reads_and_writes_as_before_bundles() {
    let s = e3_ems(vec![user("u1", vec![direct(E3, &[])])], vec![], 5);
    let p = run(&s, &bundle(&[E3], &[M365_E3], Scope::AllHolders));
    assert!(p.bundle.is_none());
    let json = serde_json::to_string(&p).unwrap();
    assert!(!json.contains("\"bundle\"") && json.contains(r#""source":"ENTERPRISEPACK""#), "{json}");
    assert_eq!(p.targets()[0].needed, p.seats.needed);
}
