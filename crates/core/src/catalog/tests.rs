use super::*;

#[test]
fn finds_skus_by_id_or_part_number_case_insensitively() {
    let e3 = sku("enterprisepack").expect("E3 by part number");
    assert_eq!(e3.sku_id, "6fd2c87f-b296-42f0-b197-1e91e994b900");
    assert_eq!(sku("6FD2C87F-B296-42F0-B197-1E91E994B900"), Some(e3));
    assert_eq!(sku("STANDARDPACK").map(|s| s.sku_id), Some("18181a46-0d4e-45cd-891e-60aabd171b4e"));
    assert!(sku("NOPE").is_none());
}

#[test]
fn every_sku_plan_is_in_the_plan_table_with_one_id() {
    for s in skus() {
        assert!(!s.plans.is_empty(), "{} has plans", s.part_number);
        for p in s.plans {
            assert_eq!(plan_by_name(p.name), Some(p));
            assert_eq!(plan_by_id(p.id).map(|q| q.name), Some(p.name));
        }
    }
}

#[test]
fn e1_and_e3_hold_the_documented_exchange_and_sharepoint_plans() {
    let e1 = sku("STANDARDPACK").unwrap();
    let e3 = sku("ENTERPRISEPACK").unwrap();
    assert_eq!(e1.plan("EXCHANGE_S_STANDARD").unwrap().id, "9aaf7827-d63c-4b61-89c3-182f06f82e5c");
    assert_eq!(e3.plan("EXCHANGE_S_ENTERPRISE").unwrap().id, "efb87545-963c-4e0d-99df-69c6916d9eb0");
    assert!(e1.plan("SHAREPOINTSTANDARD").is_some() && e3.plan("SHAREPOINTENTERPRISE").is_some());
    assert!(e1.plan("OFFICESUBSCRIPTION").is_none() && e3.plan("OFFICESUBSCRIPTION").is_some());
}

#[test]
fn equivalence_is_directional_and_transitive() {
    assert!(equivalent("EXCHANGE_S_STANDARD", "EXCHANGE_S_ENTERPRISE"));
    assert!(!equivalent("EXCHANGE_S_ENTERPRISE", "EXCHANGE_S_STANDARD"));
    assert!(equivalent("EXCHANGE_S_DESKLESS", "EXCHANGE_S_ENTERPRISE"));
    assert!(equivalent("SHAREPOINTSTANDARD", "sharepointenterprise"));
    assert!(equivalent("TEAMS1", "TEAMS1"));
    assert!(!equivalent("TEAMS1", "MCOSTANDARD"));
    assert_eq!(equivalents("OFFICEMOBILE_SUBSCRIPTION"), &["OFFICE_BUSINESS", "OFFICESUBSCRIPTION"]);
}

#[test]
fn chains_name_real_plans_once_each() {
    let mut seen = std::collections::HashSet::new();
    for chain in rules_chains() {
        for p in chain {
            assert!(plan_by_name(p).is_some(), "{p} is in the catalog");
            assert!(seen.insert(p.to_ascii_uppercase()), "{p} is in one chain only");
        }
    }
}

fn rules_chains() -> impl Iterator<Item = Vec<&'static str>> {
    // Walk every plan's equivalents from the bottom of each chain.
    plans().iter().filter(|p| !plans().iter().any(|q| equivalents(q.name).contains(&p.name))).filter_map(
        |p| {
            let up = equivalents(p.name);
            (!up.is_empty()).then(|| std::iter::once(p.name).chain(up.iter().copied()).collect())
        },
    )
}

#[test]
fn exclusions_are_symmetric() {
    assert!(mutually_exclusive("EXCHANGE_S_STANDARD", "EXCHANGE_S_ENTERPRISE"));
    assert!(mutually_exclusive("exchange_s_enterprise", "EXCHANGE_S_STANDARD"));
    assert!(!mutually_exclusive("EXCHANGE_S_ENTERPRISE", "EXCHANGE_S_ENTERPRISE"));
    assert!(!mutually_exclusive("TEAMS1", "EXCHANGE_S_ENTERPRISE"));
    let mut ex: Vec<_> = exclusions("SHAREPOINTSTANDARD").collect();
    ex.sort();
    assert_eq!(ex, ["SHAREPOINTDESKLESS", "SHAREPOINTENTERPRISE"]);
}

#[test]
fn project_online_depends_on_sharepoint() {
    assert_eq!(dependencies("SHAREPOINT_PROJECT"), &["SHAREPOINTSTANDARD", "SHAREPOINTENTERPRISE"]);
    assert!(dependencies("TEAMS1").is_empty());
    let project = sku("PROJECTPREMIUM").unwrap();
    assert!(project.plan("SHAREPOINT_PROJECT").is_some());
}
