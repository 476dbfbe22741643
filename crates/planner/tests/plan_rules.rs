//! One test (at least) per planner rule and finding code, each from a small Graph-shaped fixture.
mod plan_support;
use licswap_core::plan::{ActionKind, FindingCode as C, PlanError, Scope, Severity as S};
use plan_support::*;

fn e1_e3(users: Vec<serde_json::Value>, groups: Vec<serde_json::Value>) -> licswap_core::plan::Snapshot {
    snapshot(vec![sku("STANDARDPACK", 10, 3), sku("ENTERPRISEPACK", 10, 2)], users, groups)
}

#[test]
fn direct_holder_gets_one_call_that_adds_the_target_and_removes_the_source() {
    let s = e1_e3(vec![user("u1", vec![direct("STANDARDPACK", &[])])], vec![]);
    let p = run(&s, &all("STANDARDPACK", "ENTERPRISEPACK"));
    assert!(!p.has_blockers(), "{:#?}", p.findings);
    let a = action(&p, "swap:user:u1").expect("swap action");
    assert_eq!(a.kind, ActionKind::Swap);
    assert_eq!(a.body.add_licenses.len(), 1);
    assert_eq!(a.body.add_licenses[0].sku_id, sku_id("ENTERPRISEPACK"));
    assert!(a.body.add_licenses[0].disabled_plans.is_empty());
    assert_eq!(a.body.remove_licenses, [sku_id("STANDARDPACK")]);
    assert_eq!(a.fingerprint, licswap_core::plan::fingerprint_user(&s.users[0]));
    assert_eq!((p.seats.needed, p.seats.available, p.seats.left_after, p.seats.source_freed), (1, 8, 7, 1));
    let c = p.coverage_of("u1").expect("coverage");
    assert!(c.kept.iter().any(|k| k == "EXCHANGE_S_STANDARD") && c.lost.is_empty());
    assert!(c.gained.iter().any(|g| g == "OFFICESUBSCRIPTION"));
    assert_eq!(p.source.name, "Office 365 E1");
}

#[test]
fn rollback_re_adds_the_source_with_its_disabled_plans_and_removes_the_target() {
    let s = e1_e3(vec![user("u1", vec![direct("STANDARDPACK", &["SWAY"])])], vec![]);
    let p = run(&s, &all("STANDARDPACK", "ENTERPRISEPACK"));
    let r = &p.rollback[0].actions[0];
    assert_eq!((r.id.as_str(), r.kind), ("rollback:swap:user:u1", ActionKind::Rollback));
    assert_eq!(r.body.add_licenses[0].sku_id, sku_id("STANDARDPACK"));
    assert_eq!(r.body.add_licenses[0].disabled_plans, [plan_id("SWAY")]);
    assert_eq!(r.body.remove_licenses, [sku_id("ENTERPRISEPACK")]);
}

#[test]
fn inherited_from_a_group_out_of_scope_is_a_blocker_naming_the_group() {
    let s = e1_e3(
        vec![user("u1", vec![inherited("STANDARDPACK", "g1", &[])])],
        vec![group("g1", vec![lic("STANDARDPACK", &[])], &["u1"])],
    );
    let p = run(&s, &request("STANDARDPACK", "ENTERPRISEPACK", Scope::Users(vec!["u1".into()])));
    let f = p.findings.iter().find(|f| f.code == C::InheritedNotDirect).expect("blocker");
    assert_eq!((f.severity, f.subject.id.as_str()), (S::Blocker, "u1"));
    assert!(f.message.contains("Group g1") && f.remedy.contains("Group g1"), "{f:?}");
    assert_eq!(p.actions().count(), 0);
}

#[test]
fn inherited_from_a_group_in_scope_is_covered_by_the_group_swap() {
    let s = e1_e3(
        vec![
            user("u1", vec![inherited("STANDARDPACK", "g1", &["SWAY"])]),
            user("u2", vec![inherited("STANDARDPACK", "g1", &["SWAY"])]),
        ],
        vec![group("g1", vec![lic("STANDARDPACK", &["SWAY"])], &["u1", "u2"])],
    );
    let p = run(&s, &request("STANDARDPACK", "ENTERPRISEPACK", Scope::Groups(vec!["g1".into()])));
    assert!(!p.has_blockers(), "{:#?}", p.findings);
    assert!(has(&p, C::InheritedCoveredByGroup, S::Info, "g1"));
    let ids: Vec<_> = p.actions().map(|a| a.id.as_str()).collect();
    assert_eq!(ids, ["swap:group:g1"]);
    let a = action(&p, "swap:group:g1").unwrap();
    assert_eq!(a.body.add_licenses[0].disabled_plans, [plan_id("SWAY")]);
    assert_eq!(p.seats.needed, 2);
    assert!(has(&p, C::DisabledPlansKept, S::Info, "g1"));
    // Both members have the same coverage: one entry, the other user listed in `also`.
    assert_eq!(p.coverage.len(), 1);
    assert_eq!(p.coverage_by_user().count(), 2);
}

#[test]
fn direct_and_inherited_swaps_the_group_first_then_the_direct_license() {
    // E1 -> E3: the group's E3 conflicts with the direct E1 (Exchange/SharePoint plans), so the
    // phase-2 call swaps the direct license instead of only removing it.
    let s = e1_e3(
        vec![user("u1", vec![direct("STANDARDPACK", &[]), inherited("STANDARDPACK", "g1", &[])])],
        vec![group("g1", vec![lic("STANDARDPACK", &[])], &["u1"])],
    );
    let p = run(&s, &all("STANDARDPACK", "ENTERPRISEPACK"));
    assert!(!p.has_blockers(), "{:#?}", p.findings);
    assert_eq!(p.phases.len(), 2);
    assert_eq!(p.phases[0].actions[0].id, "swap:group:g1");
    assert!(p.phases[1].waits_for.is_some());
    let a = &p.phases[1].actions[0];
    assert_eq!((a.id.as_str(), a.kind), ("swap:user:u1", ActionKind::Swap));
    assert!(has(&p, C::DirectAndInherited, S::Info, "u1"));
    assert_eq!(p.seats.needed, 1);
    // Rollback runs in reverse phase order.
    assert_eq!(p.rollback[0].actions[0].id, "rollback:swap:user:u1");
    assert_eq!(p.rollback[1].actions[0].id, "rollback:swap:group:g1");

    // Business Basic -> Business Standard: no conflict, so phase 2 only removes the direct source.
    let s = snapshot(
        vec![sku("O365_BUSINESS_ESSENTIALS", 5, 1), sku("O365_BUSINESS_PREMIUM", 5, 0)],
        vec![user(
            "u1",
            vec![direct("O365_BUSINESS_ESSENTIALS", &[]), inherited("O365_BUSINESS_ESSENTIALS", "g1", &[])],
        )],
        vec![group("g1", vec![lic("O365_BUSINESS_ESSENTIALS", &[])], &["u1"])],
    );
    let p = run(&s, &all("O365_BUSINESS_ESSENTIALS", "O365_BUSINESS_PREMIUM"));
    assert!(!p.has_blockers(), "{:#?}", p.findings);
    let a = action(&p, "remove-direct:user:u1").expect("remove-direct");
    assert_eq!(a.kind, ActionKind::RemoveRedundantDirect);
    assert!(a.body.add_licenses.is_empty());
    assert_eq!(p.phases[1].actions.len(), 1);
}

#[test]
fn seats_short_is_a_blocker_unless_a_partial_wave_is_allowed() {
    let users = vec![
        user("u1", vec![direct("STANDARDPACK", &[])]),
        user("u2", vec![direct("STANDARDPACK", &[])]),
        user("u3", vec![direct("STANDARDPACK", &[])]),
    ];
    let s = snapshot(vec![sku("STANDARDPACK", 3, 3), sku("ENTERPRISEPACK", 5, 3)], users, vec![]);
    let mut r = all("STANDARDPACK", "ENTERPRISEPACK");
    let p = run(&s, &r);
    assert!(has(&p, C::SeatsInsufficient, S::Blocker, sku_id("ENTERPRISEPACK")));
    assert_eq!((p.seats.needed, p.seats.available, p.seats.left_after), (3, 2, -1));
    r.options.allow_partial_wave = true;
    let p = run(&s, &r);
    assert!(!p.has_blockers(), "{:#?}", p.findings);
    assert!(has(&p, C::PartialWave, S::Warning, sku_id("ENTERPRISEPACK")));
    assert_eq!(p.actions().count(), 2);
    assert_eq!((p.seats.needed, p.seats.left_after), (2, 0));
}

#[test]
fn a_partial_wave_takes_a_group_only_whole() {
    let s = snapshot(
        vec![sku("STANDARDPACK", 5, 3), sku("ENTERPRISEPACK", 2, 0)],
        vec![
            user("u1", vec![direct("STANDARDPACK", &[])]),
            user("m1", vec![inherited("STANDARDPACK", "g1", &[])]),
            user("m2", vec![inherited("STANDARDPACK", "g1", &[])]),
        ],
        vec![group("g1", vec![lic("STANDARDPACK", &[])], &["m1", "m2"])],
    );
    let mut r = all("STANDARDPACK", "ENTERPRISEPACK");
    r.options.allow_partial_wave = true;
    let p = run(&s, &r);
    let ids: Vec<_> = p.actions().map(|a| a.id.as_str()).collect();
    assert_eq!(ids, ["swap:user:u1"], "the group needs 2 seats, 1 is left after u1");
    assert!(has(&p, C::PartialWave, S::Warning, sku_id("ENTERPRISEPACK")));
}

#[test]
fn a_lost_service_is_a_blocker_and_a_waived_one_a_warning() {
    // E3 -> E1 loses the Microsoft 365 Apps among others.
    let s = e1_e3(vec![user("u1", vec![direct("ENTERPRISEPACK", &[])])], vec![]);
    let mut r = all("ENTERPRISEPACK", "STANDARDPACK");
    let p = run(&s, &r);
    let f = p.findings.iter().find(|f| f.code == C::ServiceLoss).expect("service loss");
    assert_eq!(f.severity, S::Blocker);
    assert!(
        f.plans.iter().any(|x| x == "OFFICESUBSCRIPTION")
            && f.plans.iter().any(|x| x == "EXCHANGE_S_ENTERPRISE")
    );
    assert_eq!(p.actions().count(), 0, "no action for a user who would lose a service");
    r.options.waived_plans = f.plans.clone();
    let p = run(&s, &r);
    assert!(!p.has_blockers(), "{:#?}", p.findings);
    assert!(has(&p, C::ServiceLossWaived, S::Warning, "u1"));
    assert_eq!(p.coverage_of("u1").unwrap().waived.len(), f.plans.len());
    assert!(action(&p, "swap:user:u1").is_some());
}

#[test]
fn another_license_that_keeps_a_service_prevents_the_loss() {
    // E1 -> Exchange Online Plan 1 drops SharePoint, but Project Online Premium keeps SharePoint
    // (Plan 2 covers Plan 1) and Office for the web for this user.
    let s = snapshot(
        vec![sku("STANDARDPACK", 5, 1), sku("EXCHANGESTANDARD", 5, 0), sku("PROJECTPREMIUM", 5, 1)],
        vec![user("u1", vec![direct("STANDARDPACK", &[]), direct("PROJECTPREMIUM", &[])])],
        vec![],
    );
    let mut r = all("STANDARDPACK", "EXCHANGESTANDARD");
    r.options.waived_plans = catalog_plans("STANDARDPACK")
        .into_iter()
        .filter(|p| p != "SHAREPOINTSTANDARD" && p != "SHAREPOINTWAC")
        .collect();
    let p = run(&s, &r);
    assert!(!p.findings.iter().any(|f| f.code == C::ServiceLoss), "{:#?}", p.findings);
    let c = p.coverage_of("u1").unwrap();
    assert!(c.kept.iter().any(|k| k == "SHAREPOINTSTANDARD") && c.kept.iter().any(|k| k == "SHAREPOINTWAC"));
    assert!(c.kept.iter().any(|k| k == "EXCHANGE_S_STANDARD"));
}

#[test]
fn disabled_plans_map_to_the_target_equivalent_unless_preserving_is_off() {
    let s = e1_e3(vec![user("u1", vec![direct("STANDARDPACK", &["EXCHANGE_S_STANDARD", "SWAY"])])], vec![]);
    let mut r = all("STANDARDPACK", "ENTERPRISEPACK");
    let p = run(&s, &r);
    let d = &action(&p, "swap:user:u1").unwrap().body.add_licenses[0].disabled_plans;
    let mut want = vec![plan_id("EXCHANGE_S_ENTERPRISE").to_string(), plan_id("SWAY").to_string()];
    want.sort();
    let mut got = d.clone();
    got.sort();
    assert_eq!(got, want);
    assert!(has(&p, C::DisabledPlansKept, S::Info, "u1"));
    let c = p.coverage_of("u1").unwrap();
    assert_eq!(c.kept_disabled, ["EXCHANGE_S_STANDARD", "SWAY"]);
    r.options.preserve_disabled_plans = false;
    let p = run(&s, &r);
    assert!(action(&p, "swap:user:u1").unwrap().body.add_licenses[0].disabled_plans.is_empty());
    assert!(!p.findings.iter().any(|f| f.code == C::DisabledPlansKept));
}

/// Microsoft's exclusion table ("Service plans that cannot be assigned at the same time",
/// licensing-service-plan-reference): SharePoint Online (Plan 1) and (Plan 2) conflict.
#[test]
fn a_conflicting_plan_in_another_license_is_a_blocker() {
    let s = snapshot(
        vec![sku("STANDARDPACK", 5, 1), sku("ENTERPRISEPACK", 5, 0), sku("SHAREPOINTSTANDARD", 5, 1)],
        vec![user("u1", vec![direct("STANDARDPACK", &[]), direct("SHAREPOINTSTANDARD", &[])])],
        vec![],
    );
    let p = run(&s, &all("STANDARDPACK", "ENTERPRISEPACK"));
    let f = p.findings.iter().find(|f| f.code == C::MutuallyExclusive).expect("conflict");
    assert_eq!((f.severity, f.subject.id.as_str()), (S::Blocker, "u1"));
    assert!(f.plans[0].contains("SHAREPOINTENTERPRISE") && f.plans[0].contains("SHAREPOINTSTANDARD"));
    assert!(f.remedy.contains("disabledPlans"));
    assert_eq!(p.actions().count(), 0);
}

/// Exchange Online (Plan 1) beside (Plan 2) is allowed since 2023 ("Identify and resolve license
/// assignment problems for a group", section Conflicting service plans), and Microsoft's
/// exclusion table has no EXCHANGE_S_ENTERPRISE: E1 -> E3 beside a standalone Plan 1 is a swap.
#[test]
fn exchange_plan_1_beside_plan_2_is_no_conflict() {
    let s = snapshot(
        vec![sku("STANDARDPACK", 5, 1), sku("ENTERPRISEPACK", 5, 0), sku("EXCHANGESTANDARD", 5, 1)],
        vec![user("u1", vec![direct("STANDARDPACK", &[]), direct("EXCHANGESTANDARD", &[])])],
        vec![],
    );
    let p = run(&s, &all("STANDARDPACK", "ENTERPRISEPACK"));
    assert!(!p.findings.iter().any(|f| f.code == C::MutuallyExclusive), "{:?}", p.findings);
    assert!(!p.findings.iter().any(|f| f.severity == S::Blocker), "{:?}", p.findings);
    assert!(action(&p, "swap:user:u1").is_some());
}

#[test]
fn a_conflicting_member_holds_the_group_back() {
    let s = snapshot(
        vec![sku("STANDARDPACK", 5, 2), sku("ENTERPRISEPACK", 5, 0), sku("SHAREPOINTSTANDARD", 5, 1)],
        vec![
            user("ok", vec![inherited("STANDARDPACK", "g1", &[])]),
            user("bad", vec![inherited("STANDARDPACK", "g1", &[]), direct("SHAREPOINTSTANDARD", &[])]),
        ],
        vec![group("g1", vec![lic("STANDARDPACK", &[])], &["ok", "bad"])],
    );
    let p = run(&s, &all("STANDARDPACK", "ENTERPRISEPACK"));
    assert!(has(&p, C::MutuallyExclusive, S::Blocker, "bad"));
    assert!(has(&p, C::MutuallyExclusive, S::Blocker, "g1"));
    assert_eq!(p.actions().count(), 0);
    assert_eq!(p.seats.needed, 0);
}

#[test]
fn a_dependent_plan_losing_its_only_provider_is_a_blocker() {
    // Project Online Premium with its own SharePoint disabled depends on E1's SharePoint; the
    // target (Exchange Online Plan 1) has no SharePoint.
    let project = |sp_disabled: bool| {
        let dis: &[&str] = if sp_disabled { &["SHAREPOINTENTERPRISE"] } else { &[] };
        snapshot(
            vec![sku("STANDARDPACK", 5, 1), sku("EXCHANGESTANDARD", 5, 0), sku("PROJECTPREMIUM", 5, 1)],
            vec![user("u1", vec![direct("STANDARDPACK", &[]), direct("PROJECTPREMIUM", dis)])],
            vec![],
        )
    };
    let mut r = all("STANDARDPACK", "EXCHANGESTANDARD");
    r.options.waived_plans = catalog_plans("STANDARDPACK");
    let p = run(&project(true), &r);
    let f = p.findings.iter().find(|f| f.code == C::DependentPlan).expect("dependency");
    assert_eq!(f.severity, S::Blocker);
    assert_eq!(f.plans, ["SHAREPOINT_PROJECT"]);
    assert!(action(&p, "swap:user:u1").is_none());
    let p = run(&project(false), &r);
    assert!(!p.findings.iter().any(|f| f.code == C::DependentPlan), "{:#?}", p.findings);
    assert!(has(&p, C::ServiceLossWaived, S::Warning, "u1"));
    assert!(action(&p, "swap:user:u1").is_some());
}

fn catalog_plans(part: &str) -> Vec<String> {
    licswap_core::catalog::sku(part).unwrap().plans.iter().map(|p| p.name.to_string()).collect()
}

#[test]
fn missing_usage_location_blocks_a_direct_swap_and_warns_for_a_group_member() {
    let mut u1 = user("u1", vec![direct("STANDARDPACK", &[])]);
    u1["usageLocation"] = serde_json::Value::Null;
    let mut m1 = user("m1", vec![inherited("STANDARDPACK", "g1", &[])]);
    m1["usageLocation"] = "".into();
    let s = e1_e3(vec![u1, m1], vec![group("g1", vec![lic("STANDARDPACK", &[])], &["m1"])]);
    let p = run(&s, &all("STANDARDPACK", "ENTERPRISEPACK"));
    assert!(has(&p, C::UsageLocationMissing, S::Blocker, "u1"));
    assert!(has(&p, C::UsageLocationMissing, S::Warning, "m1"));
    assert!(action(&p, "swap:user:u1").is_none());
    assert!(action(&p, "swap:group:g1").is_some());
}

#[test]
fn an_existing_error_state_is_a_warning() {
    let mut st = direct("STANDARDPACK", &[]);
    st["error"] = "CountViolation".into();
    st["state"] = "Error".into();
    let s = e1_e3(vec![user("u1", vec![st])], vec![]);
    let p = run(&s, &all("STANDARDPACK", "ENTERPRISEPACK"));
    let f = p.findings.iter().find(|f| f.code == C::ExistingAssignmentError).expect("warning");
    assert_eq!(f.severity, S::Warning);
    assert!(f.message.contains("CountViolation"));
}

#[test]
fn dynamic_and_synced_groups_get_findings_but_are_still_swapped() {
    let mut g = group("g1", vec![lic("STANDARDPACK", &[])], &["u1"]);
    g["groupTypes"] = serde_json::json!(["DynamicMembership", "Unified"]);
    g["membershipRule"] = "user.department -eq \"Sales\"".into();
    g["onPremisesSyncEnabled"] = true.into();
    let s = e1_e3(vec![user("u1", vec![inherited("STANDARDPACK", "g1", &[])])], vec![g]);
    let p = run(&s, &all("STANDARDPACK", "ENTERPRISEPACK"));
    let f = p.findings.iter().find(|f| f.code == C::DynamicGroup).expect("dynamic");
    assert!(f.message.contains("department") && f.remedy.contains("attributes"));
    let f = p.findings.iter().find(|f| f.code == C::OnPremisesSyncedGroup).expect("synced");
    assert!(f.remedy.contains("on-premises") && f.remedy.contains("sync"));
    assert!(action(&p, "swap:group:g1").is_some());
}

#[test]
fn a_disabled_account_is_a_warning() {
    let mut u = user("u1", vec![direct("STANDARDPACK", &[])]);
    u["accountEnabled"] = false.into();
    let p = run(&e1_e3(vec![u], vec![]), &all("STANDARDPACK", "ENTERPRISEPACK"));
    assert!(has(&p, C::AccountDisabled, S::Warning, "u1"));
    assert!(action(&p, "swap:user:u1").is_some());
}

#[test]
fn a_user_in_several_groups_is_warned_and_counted_once() {
    let s = e1_e3(
        vec![user("u1", vec![inherited("STANDARDPACK", "g1", &[]), inherited("STANDARDPACK", "g2", &[])])],
        vec![
            group("g1", vec![lic("STANDARDPACK", &[])], &["u1"]),
            group("g2", vec![lic("STANDARDPACK", &[])], &["u1"]),
        ],
    );
    let p = run(&s, &all("STANDARDPACK", "ENTERPRISEPACK"));
    assert!(has(&p, C::SeveralGroups, S::Warning, "u1"));
    assert_eq!(p.seats.needed, 1);
    assert_eq!(p.actions().count(), 2);
    // Only one of the two groups in scope: the other is a blocker for the user, the first group
    // is still swapped (the user keeps E1 through g2: no loss).
    let p = run(&s, &request("STANDARDPACK", "ENTERPRISEPACK", Scope::Groups(vec!["g1".into()])));
    assert!(has(&p, C::InheritedNotDirect, S::Blocker, "u1"));
}

#[test]
fn a_plan_the_catalog_does_not_know_is_matched_by_id_and_reported() {
    let mut t = sku("ENTERPRISEPACK", 5, 0);
    t["servicePlans"].as_array_mut().unwrap().push(serde_json::json!({
        "servicePlanId": "00000000-1111-2222-3333-444444444444", "servicePlanName": "CONTOSO_PREVIEW_PLAN"}));
    let s = snapshot(
        vec![sku("STANDARDPACK", 5, 1), t],
        vec![user("u1", vec![direct("STANDARDPACK", &[])])],
        vec![],
    );
    let p = run(&s, &all("STANDARDPACK", "ENTERPRISEPACK"));
    let f = p.findings.iter().find(|f| f.code == C::UnknownServicePlan).expect("info");
    assert_eq!((f.severity, f.subject.id.as_str()), (S::Info, sku_id("ENTERPRISEPACK")));
    assert_eq!(f.plans, ["CONTOSO_PREVIEW_PLAN"]);
    assert!(p.coverage_of("u1").unwrap().gained.iter().any(|g| g == "CONTOSO_PREVIEW_PLAN"));
}

#[test]
fn a_user_who_already_holds_the_target_needs_no_seat() {
    let s = e1_e3(
        vec![user("u1", vec![direct("STANDARDPACK", &[]), direct("ENTERPRISEPACK", &["SWAY"])])],
        vec![],
    );
    let p = run(&s, &all("STANDARDPACK", "ENTERPRISEPACK"));
    assert!(has(&p, C::AlreadyHasTarget, S::Info, "u1"));
    assert_eq!(p.seats.needed, 0);
    let a = action(&p, "swap:user:u1").unwrap();
    // Sway was enabled through E1: the re-added E3 enables it; FORMS stays off (off in both).
    assert!(a.body.add_licenses[0].disabled_plans.is_empty(), "{:?}", a.body);
    let r = &p.rollback[0].actions[0].body;
    assert!(r.remove_licenses.is_empty(), "rollback keeps the target");
    assert!(r
        .add_licenses
        .iter()
        .any(|l| l.sku_id == sku_id("ENTERPRISEPACK") && l.disabled_plans == [plan_id("SWAY")]));
    let s = e1_e3(
        vec![user(
            "u1",
            vec![
                direct("STANDARDPACK", &["FORMS_PLAN_E1"]),
                direct("ENTERPRISEPACK", &["SWAY", "FORMS_PLAN_E3"]),
            ],
        )],
        vec![],
    );
    let p = run(&s, &all("STANDARDPACK", "ENTERPRISEPACK"));
    let a = action(&p, "swap:user:u1").unwrap();
    assert_eq!(a.body.add_licenses[0].disabled_plans, [plan_id("FORMS_PLAN_E3")]);
}

#[test]
fn listed_ids_that_do_not_exist_or_do_not_hold_the_source_are_reported() {
    let s = e1_e3(
        vec![user("u1", vec![direct("ENTERPRISEPACK", &[])]), user("u2", vec![direct("STANDARDPACK", &[])])],
        vec![],
    );
    let r = request(
        "STANDARDPACK",
        "ENTERPRISEPACK",
        Scope::Users(vec!["ghost".into(), "u1".into(), "U2@CONTOSO.EXAMPLE".into()]),
    );
    let p = run(&s, &r);
    assert!(has(&p, C::NotFound, S::Blocker, "ghost"));
    assert!(has(&p, C::NotAHolder, S::Warning, "u1"));
    assert!(action(&p, "swap:user:u2").is_some(), "users are found by UPN too");
    let r = request("STANDARDPACK", "ENTERPRISEPACK", Scope::Groups(vec!["nog".into()]));
    assert!(has(&run(&s, &r), C::NotFound, S::Blocker, "nog"));
}

#[test]
fn findings_are_sorted_blockers_warnings_infos_then_code_then_subject() {
    let mut u3 = user("u3", vec![direct("STANDARDPACK", &[])]);
    u3["accountEnabled"] = false.into();
    let mut u0 = user("u0", vec![direct("STANDARDPACK", &[])]);
    u0["usageLocation"] = serde_json::Value::Null;
    let s = e1_e3(vec![u3, user("u2", vec![direct("STANDARDPACK", &["SWAY"])]), u0], vec![]);
    let r = request(
        "STANDARDPACK",
        "ENTERPRISEPACK",
        Scope::Users(vec!["zz".into(), "u3".into(), "u2".into(), "u0".into()]),
    );
    let p = run(&s, &r);
    let keys: Vec<_> = p.findings.iter().map(|f| (f.severity, f.code, f.subject.id.clone())).collect();
    let mut sorted = keys.clone();
    sorted.sort();
    assert_eq!(keys, sorted);
    assert_eq!(keys.first().map(|k| k.0), Some(S::Blocker));
    assert_eq!(keys.last().map(|k| k.0), Some(S::Info));
    // Deterministic: the same inputs give the same plan.
    assert_eq!(run(&s, &r), p);
}

#[test]
fn unknown_or_identical_skus_are_errors() {
    let s = e1_e3(vec![], vec![]);
    assert_eq!(
        licswap_planner::plan(&s, &all("NOPE", "ENTERPRISEPACK")),
        Err(PlanError::UnknownSku("NOPE".into()))
    );
    assert!(matches!(
        licswap_planner::plan(&s, &all("standardpack", sku_id("STANDARDPACK"))),
        Err(PlanError::SameSku(_))
    ));
}
