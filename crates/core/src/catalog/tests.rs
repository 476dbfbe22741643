use super::*;

#[test]
fn holds_every_product_and_plan_of_microsofts_table() {
    // 568 part numbers; MCOPSTN5 has two skuIds in Microsoft's table, so 569 products by skuId.
    assert_eq!(skus().len(), 569);
    let mut parts: Vec<_> = skus().iter().map(|s| s.part_number.to_ascii_uppercase()).collect();
    parts.sort();
    parts.dedup();
    assert_eq!(parts.len(), 568);
    // 729 plan names, 723 distinct servicePlanIds (some ids carry two names in the table).
    assert_eq!(plans().len(), 723);
    assert!(plans().windows(2).all(|w| w[0].id < w[1].id), "sorted by id, no duplicates");
    assert!(skus().windows(2).all(|w| w[0].sku_id < w[1].sku_id), "sorted by skuId");
}

#[test]
fn finds_skus_by_id_or_part_number_case_insensitively() {
    let e3 = sku("enterprisepack").expect("E3 by part number");
    assert_eq!(e3.sku_id, "6fd2c87f-b296-42f0-b197-1e91e994b900");
    assert_eq!(e3.name, "Office 365 E3");
    assert_eq!(sku("6FD2C87F-B296-42F0-B197-1E91E994B900"), Some(e3));
    assert_eq!(sku(" ENTERPRISEPACK "), Some(e3));
    assert_eq!(sku("STANDARDPACK").map(|s| s.sku_id), Some("18181a46-0d4e-45cd-891e-60aabd171b4e"));
    assert_eq!(sku("SPB").map(|s| s.name), Some("Microsoft 365 Business Premium"));
    assert!(sku("NOPE").is_none());
    assert!(sku("").is_none());
    assert!(std::ptr::eq(sku("ENTERPRISEPACK").unwrap(), &products::SKU_ENTERPRISEPACK));
}

#[test]
fn every_product_and_plan_is_found_by_each_of_its_keys() {
    for s in skus() {
        assert!(!s.plans.is_empty(), "{} has plans", s.part_number);
        assert_eq!(sku(s.sku_id), Some(*s));
        assert!(sku(s.part_number).is_some_and(|f| f.part_number == s.part_number));
        assert!(sku_display_name(s.part_number).is_some(), "{} has a display name", s.part_number);
        for p in s.plans {
            assert_eq!(plan_by_id(p.id), Some(*p));
            assert!(plan_by_name(p.name).is_some_and(|q| q.name == p.name), "{}", p.name);
        }
    }
}

#[test]
fn friendly_names_are_microsofts_most_frequent_spelling() {
    let name = |n: &str| plan_by_name(n).unwrap().friendly;
    assert_eq!(name("EXCHANGE_S_ENTERPRISE"), "Exchange Online (Plan 2)");
    assert_eq!(name("RMS_S_ENTERPRISE"), "Azure Rights Management");
    assert_eq!(name("MIP_S_CLP1"), "Information Protection for Office 365 - Standard");
    assert_eq!(name("SHAREPOINTENTERPRISE"), "SharePoint (Plan 2)");
    assert_eq!(
        plan_by_id("EFB87545-963C-4E0D-99DF-69C6916D9EB0").map(|p| p.name),
        Some("EXCHANGE_S_ENTERPRISE")
    );
}

#[test]
fn overview_names_match_the_full_table() {
    assert_eq!(sku_display_name("enterprisepack"), Some("Office 365 E3"));
    assert_eq!(sku_display_name("SPE_E3"), Some("Microsoft 365 E3"));
    assert_eq!(sku_display_name("O365_BUSINESS_PREMIUM"), Some("Microsoft 365 Business Standard"));
    assert_eq!(sku_display_name("NOT_A_SKU"), None);
    assert_eq!(sku_display_name("A"), None);
    assert_eq!(sku_display_name("ZZZZ"), None);
    for s in skus() {
        if sku(s.part_number).is_some_and(|f| std::ptr::eq(f, *s)) {
            assert_eq!(sku_display_name(s.part_number), Some(s.name), "{}", s.part_number);
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
fn families_and_tiers_come_from_the_plan_names() {
    let p = |n: &str| plan_by_name(n).unwrap();
    let fam = |n: &str| families()[p(n).family as usize - 1];
    assert_eq!(fam("EXCHANGE_S_DESKLESS"), "EXCHANGE_S_*");
    assert_eq!(fam("EXCHANGE_S_ENTERPRISE"), "EXCHANGE_S_*");
    assert_eq!(
        (p("EXCHANGE_S_DESKLESS").tier, p("EXCHANGE_S_STANDARD").tier, p("EXCHANGE_S_ENTERPRISE").tier),
        (1, 2, 3)
    );
    assert_eq!(fam("SHAREPOINTSTANDARD"), "SHAREPOINT*");
    assert_eq!(fam("FORMS_PLAN_K"), "FORMS_PLAN_*");
    assert_eq!(fam("WHITEBOARD_FIRSTLINE1"), "WHITEBOARD_*");
    // Government editions are a family of their own: they never cover commercial plans.
    assert_eq!(fam("EXCHANGE_S_ENTERPRISE_GOV"), "EXCHANGE_S_*_GOV");
    // A bare number is a tier only when the friendly name says "Plan N".
    assert_eq!(fam("BPOS_S_TODO_2"), "BPOS_S_TODO_*");
    assert_eq!(p("CPC_1").family, 0, "Windows 365 sizes are not editions");
    assert_eq!((p("TEAMS1").family, p("TEAMS1").tier), (0, 0));
}

#[test]
fn coverage_is_directional_transitive_and_crosses_families_only_where_reviewed() {
    assert!(equivalent("EXCHANGE_S_STANDARD", "EXCHANGE_S_ENTERPRISE"));
    assert!(!equivalent("EXCHANGE_S_ENTERPRISE", "EXCHANGE_S_STANDARD"));
    assert!(equivalent("EXCHANGE_S_DESKLESS", "EXCHANGE_S_ENTERPRISE"));
    assert!(equivalent("SHAREPOINTSTANDARD", "sharepointenterprise"));
    assert!(equivalent("TEAMS1", "TEAMS1"));
    assert!(!equivalent("TEAMS1", "MCOSTANDARD"));
    // Equal tiers of one family cover each other: Stream for Office 365 (Business) and E1.
    assert!(
        equivalent("STREAM_O365_SMB", "STREAM_O365_E1") && equivalent("STREAM_O365_E1", "STREAM_O365_SMB")
    );
    // Reviewed relations, and their closure.
    assert!(equivalent("EXCHANGE_S_ARCHIVE_ADDON", "EXCHANGE_S_ENTERPRISE"));
    assert!(!equivalent("EXCHANGE_S_ARCHIVE_ADDON", "EXCHANGE_S_STANDARD"));
    assert!(equivalent("OFFICEMOBILE_SUBSCRIPTION", "OFFICE_BUSINESS"));
    assert!(equivalent("OFFICEMOBILE_SUBSCRIPTION", "OFFICESUBSCRIPTION"));
    assert!(equivalent("AAD_SMB", "AAD_PREMIUM_P2"), "P2 covers P1 covers AAD_SMB");
    assert!(equivalent("INTUNE_SMBIZ", "INTUNE_A") && equivalent("WINBIZ", "WIN10_PRO_ENT_SUB"));
    assert!(
        !equivalent("ATP_ENTERPRISE", "EXCHANGE_S_ENTERPRISE"),
        "Defender for Office 365 is its own service"
    );
    assert!(!equivalent("EXCHANGE_S_STANDARD", "EXCHANGE_S_STANDARD_GOV"));
    let mut up = equivalents("OFFICEMOBILE_SUBSCRIPTION").to_vec();
    up.sort();
    assert_eq!(up, ["OFFICESUBSCRIPTION", "OFFICE_BUSINESS"]);
}

#[test]
fn every_covering_plan_is_a_real_plan() {
    for p in plans() {
        for c in p.covered_by {
            assert!(plan_by_name(c).is_some(), "{c} covers {} and is in the table", p.name);
            assert!(!c.eq_ignore_ascii_case(p.name));
        }
    }
}

#[test]
fn exclusions_follow_microsofts_table() {
    // Exchange Online (Plan 1) and (Plan 2) may be assigned together; Kiosk and Plan 1 may not.
    assert!(!mutually_exclusive("EXCHANGE_S_STANDARD", "EXCHANGE_S_ENTERPRISE"));
    assert!(mutually_exclusive("EXCHANGE_S_DESKLESS", "EXCHANGE_S_STANDARD"));
    assert!(!mutually_exclusive("EXCHANGE_S_ENTERPRISE", "EXCHANGE_S_DESKLESS"));
    // SharePoint Plan 1 and Plan 2 still conflict, in either order and any case.
    assert!(mutually_exclusive("SHAREPOINTSTANDARD", "SHAREPOINTENTERPRISE"));
    assert!(mutually_exclusive("sharepointenterprise", "SHAREPOINTSTANDARD"));
    assert!(!mutually_exclusive("SHAREPOINTENTERPRISE", "SHAREPOINTENTERPRISE"));
    // Entra ID plans can be assigned together.
    assert!(!mutually_exclusive("AAD_PREMIUM", "AAD_PREMIUM_P2"));
    assert!(!mutually_exclusive("TEAMS1", "EXCHANGE_S_ENTERPRISE"));
    assert!(mutually_exclusive("MCOIMP", "MCOSTANDARD"));
    assert_eq!(exclusion_groups("SHAREPOINTSTANDARD").collect::<Vec<_>>(), ["sharepoint"]);
    let ex: Vec<_> = exclusions("EXCHANGE_S_STANDARD").collect();
    assert!(
        ex.contains(&"EXCHANGE_S_DESKLESS")
            && !ex.contains(&"EXCHANGE_S_ENTERPRISE")
            && !ex.contains(&"EXCHANGE_S_STANDARD")
    );
    assert_eq!(exclusions("EXCHANGE_S_ENTERPRISE").count(), 0);
}

#[test]
fn dependencies_are_widened_to_covering_plans() {
    assert_eq!(dependencies("SHAREPOINT_PROJECT"), &["SHAREPOINTENTERPRISE", "SHAREPOINTSTANDARD"]);
    assert_eq!(dependencies("WORKPLACE_ANALYTICS"), &["EXCHANGE_S_ENTERPRISE", "EXCHANGE_S_STANDARD"]);
    assert_eq!(dependencies("MCOMEETADV"), &["MCOSTANDARD"]);
    assert_eq!(dependencies("mcoev"), &["MCOSTANDARD"]);
    assert!(dependencies("EXCHANGE_S_ARCHIVE_ADDON").contains(&"EXCHANGE_S_DESKLESS"));
    assert!(dependencies("TEAMS1").is_empty());
    let project = sku("PROJECTPREMIUM").unwrap();
    assert!(project.plan("SHAREPOINT_PROJECT").is_some());
}
