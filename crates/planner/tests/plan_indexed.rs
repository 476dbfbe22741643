//! A tenant indexed once (`Indexed`, as the app keeps a tenant it has read) plans exactly as the
//! snapshot does on its own: every scope (listed users by id and by UPN, groups, all holders),
//! bundles, ids that are not GUIDs, and one `Indexed` planned many times in any order (its table
//! of GUIDs is made by the first plan that looks a user up and read by the later ones).
use licswap_core::plan::{PlanRequest, Scope, Snapshot};
use licswap_planner::{testgen, Indexed};

fn same(a: &licswap_core::plan::Plan, b: &licswap_core::plan::Plan) {
    assert_eq!(
        serde_json::to_value(a).expect("a plan writes"),
        serde_json::to_value(b).expect("a plan writes")
    );
}

fn requests(s: &Snapshot) -> Vec<PlanRequest> {
    let e1_to_e3 = testgen::e1_to_e3();
    let listed: Vec<String> =
        s.users
            .iter()
            .step_by(7)
            .enumerate()
            .map(|(i, u)| {
                if i % 2 == 0 {
                    u.id.to_uppercase()
                } else {
                    u.user_principal_name.clone().unwrap_or_default()
                }
            })
            .chain(["nobody@contoso.example".to_string()])
            .collect();
    let groups: Vec<String> = s.groups.iter().step_by(2).map(|g| g.group.id.clone()).collect();
    let mut partial = e1_to_e3.clone();
    partial.options.allow_partial_wave = true;
    vec![
        PlanRequest { scope: Scope::Users(listed), ..e1_to_e3.clone() },
        PlanRequest { scope: Scope::Groups(groups), ..e1_to_e3.clone() },
        partial,
        e1_to_e3,
    ]
}

#[test]
fn an_indexed_tenant_plans_as_its_snapshot() {
    for s in [testgen::tenant(600, 3), testgen::tenant(301, 11)] {
        let indexed = Indexed::new(s.clone()).expect("indexes");
        // Each request twice over, in turn: later plans read what earlier ones made.
        for round in 0..2 {
            for r in requests(&s) {
                let alone = licswap_planner::plan(&s, &r).expect("plans");
                assert!(round > 0 || alone.actions().count() > 0 || !alone.findings.is_empty());
                same(&indexed.plan(&r).expect("plans"), &alone);
            }
        }
        assert_eq!(indexed.into_snapshot(), s);
    }
    let bundle = testgen::bundle_tenant(400, 5);
    let r = testgen::e5_ems_to_m365_e5_unbundled();
    same(
        &Indexed::new(bundle.clone()).expect("indexes").plan(&r).expect("plans"),
        &licswap_planner::plan(&bundle, &r).expect("plans"),
    );
}

#[test]
fn ids_that_are_not_guids_are_indexed_as_text() {
    let mut s = testgen::tenant(200, 7);
    let old = s.users[5].id.clone();
    s.users[5].id = "user-five".into();
    for m in s.groups.iter_mut().flat_map(|g| g.member_ids.iter_mut()).filter(|m| **m == old) {
        *m = "user-five".into();
    }
    let indexed = Indexed::new(s.clone()).expect("indexes");
    for r in requests(&s) {
        same(&indexed.plan(&r).expect("plans"), &licswap_planner::plan(&s, &r).expect("plans"));
    }
}

/// Users are found by id in any letter case, the last of a repeated id, and never by an id
/// that is no GUID; a snapshot whose ids are not all GUIDs has no such index.
#[test]
fn users_are_found_by_their_guid_in_any_letter_case() {
    let mut s = testgen::tenant(300, 2);
    let twice = s.users[7].id.clone();
    s.users[200].id = twice.to_uppercase();
    let indexed = Indexed::new(s.clone()).expect("indexes");
    assert!(indexed.has_guid_index());
    for (i, u) in s.users.iter().enumerate().filter(|(i, _)| *i != 7) {
        assert_eq!(indexed.user_by_guid(&u.id.to_uppercase()), Some(i), "{}", u.id);
        assert_eq!(indexed.user_by_guid(&u.id.to_lowercase()), Some(i), "{}", u.id);
    }
    assert_eq!(indexed.user_by_guid(&twice), Some(200), "the last of a repeated id");
    assert_eq!(indexed.user_by_guid("00000000-0000-4000-8000-000000000000"), None);
    assert_eq!(indexed.user_by_guid("user-five"), None);
    assert_eq!(indexed.user_by_guid(""), None);
    s.users[5].id = "user-five".into();
    let text = Indexed::new(s).expect("indexes");
    assert!(!text.has_guid_index());
    assert_eq!(text.user_by_guid("user-five"), None);
}

/// What the planner refuses, indexing refuses alike.
#[test]
fn a_snapshot_the_planner_refuses_is_not_indexed() {
    let mut s = testgen::tenant(10, 1);
    let twice = s.skus[0].clone();
    s.skus.push(twice);
    let planned = licswap_planner::plan(&s, &testgen::e1_to_e3()).expect_err("a skuId twice");
    let indexed = Indexed::new(s).expect_err("a skuId twice");
    assert_eq!(indexed.to_string(), planned.to_string());
}
