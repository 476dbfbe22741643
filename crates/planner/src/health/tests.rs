//! Rule tests for the health diagnosis: each error kind's explanation and fix, with real products
//! and plans from Microsoft's tables (through the generated catalog).
use super::diagnose;
use licswap_core::catalog;
use licswap_core::model::{
    AssignedLicense, Group, LicenseAssignmentState, LicenseState, SubscribedSku, User,
};
use licswap_core::health::{GroupErrorList, HealthSnapshot, LicenseErrorKind as K, Remedy};
use licswap_core::plan::{Snapshot, SnapshotGroup};

/// Seats and service plans as Graph lists them, from the catalog.
use crate::testgen::subscribed_sku as sku;

fn id(part: &str) -> String {
    catalog::sku(part).expect("catalog SKU").sku_id.to_string()
}

fn plan_id(part: &str, plan: &str) -> String {
    catalog::sku(part).and_then(|s| s.plan(plan)).expect("plan of SKU").id.to_string()
}

fn group(gid: &str, name: &str, lics: &[(&str, &[&str])], members: &[&str]) -> SnapshotGroup {
    SnapshotGroup {
        group: Group {
            id: gid.into(),
            display_name: Some(name.into()),
            group_types: vec![],
            membership_rule: None,
            on_premises_sync_enabled: None,
            assigned_licenses: lics
                .iter()
                .map(|(p, off)| AssignedLicense {
                    sku_id: id(p).into(),
                    disabled_plans: off.iter().map(|o| plan_id(p, o)).collect(),
                })
                .collect(),
        },
        member_ids: members.iter().map(|m| m.to_string()).collect(),
    }
}

/// A license state: `group` None for direct; `error` None for Active.
fn st(part: &str, group: Option<&str>, off: &[&str], error: Option<&str>) -> LicenseAssignmentState {
    LicenseAssignmentState {
        sku_id: id(part).into(),
        assigned_by_group: group.map(Into::into),
        disabled_plans: off.iter().map(|o| plan_id(part, o)).collect(),
        error: Some(error.unwrap_or("None").into()),
        state: Some(if error.is_some() { LicenseState::Error } else { LicenseState::Active }),
        last_updated_date_time: None,
    }
}

fn user(uid: &str, location: Option<&str>, states: Vec<LicenseAssignmentState>) -> User {
    User {
        id: uid.into(),
        user_principal_name: Some(format!("{uid}@contoso.com")),
        display_name: None,
        usage_location: location.map(Into::into),
        account_enabled: Some(true),
        assigned_licenses: vec![],
        license_assignment_states: states,
    }
}

fn health(skus: Vec<SubscribedSku>, groups: Vec<SnapshotGroup>, users: Vec<User>) -> HealthSnapshot {
    HealthSnapshot { snapshot: Snapshot { tenant_name: None, skus, users, groups }, ..Default::default() }
}

#[test]
fn count_violation_names_the_product_the_seats_and_how_many_to_free_or_buy() {
    let g = group("g1", "E3 - Sales", &[("ENTERPRISEPACK", &[])], &["u1", "u2", "u3"]);
    let users = ["u1", "u2", "u3"]
        .iter()
        .map(|u| user(u, Some("US"), vec![st("ENTERPRISEPACK", Some("g1"), &[], Some("CountViolation"))]))
        .collect();
    let r = diagnose(&health(vec![sku("ENTERPRISEPACK", 10, 10)], vec![g], users));
    assert_eq!(r.counts.len(), 1);
    assert_eq!((r.counts[0].kind, r.counts[0].members), (K::CountViolation, 3));
    let i = &r.issues[0];
    assert_eq!(i.products, vec!["Office 365 E3".to_string()]);
    assert!(
        i.what.contains("No seat of Office 365 E3") && i.what.contains("10 bought, 10 in use"),
        "{}",
        i.what
    );
    assert!(i.fix.contains("Free 3 seat(s) of Office 365 E3") && i.fix.contains("buy 3 more"), "{}", i.fix);
    assert!(i.fix.contains("reprocess"), "{}", i.fix);
    assert_eq!(i.remedy, Remedy::Seats { sku_id: id("ENTERPRISEPACK"), short: 3 });
    assert_eq!(r.groups.len(), 1);
    assert_eq!(r.groups[0].members_in_error, 3);
}

#[test]
fn count_violation_counts_seats_freed_since_and_says_reprocess_when_enough() {
    let one = |free: i64| {
        let g = group("g1", "E3", &[("ENTERPRISEPACK", &[])], &["u1", "u2"]);
        let users = ["u1", "u2"]
            .iter()
            .map(|u| user(u, Some("US"), vec![st("ENTERPRISEPACK", Some("g1"), &[], Some("CountViolation"))]))
            .collect();
        diagnose(&health(vec![sku("ENTERPRISEPACK", 10, 10 - free)], vec![g], users))
    };
    // Seats are free now (someone freed them), yet the members stay in error until reprocessed.
    let r = one(2);
    assert_eq!(r.issues[0].remedy, Remedy::Reprocess);
    assert!(r.issues[0].fix.contains("2 seat(s) of Office 365 E3 are free now"), "{}", r.issues[0].fix);
}

#[test]
fn conflict_with_a_direct_license_the_group_covers_removes_the_direct_license() {
    // Direct SharePoint Online (Plan 1) beside a group's Office 365 E3 (SharePoint (Plan 2)):
    // Microsoft's exclusion table puts both in the SharePoint group.
    let g = group("g1", "E3 - Finance", &[("ENTERPRISEPACK", &[])], &["u1"]);
    let u = user(
        "u1",
        Some("US"),
        vec![
            st("SHAREPOINTSTANDARD", None, &[], None),
            st("ENTERPRISEPACK", Some("g1"), &[], Some("MutuallyExclusiveViolation")),
        ],
    );
    let r = diagnose(&health(
        vec![sku("ENTERPRISEPACK", 10, 1), sku("SHAREPOINTSTANDARD", 5, 1)],
        vec![g],
        vec![u],
    ));
    let i = &r.issues[0];
    assert_eq!(i.kind, K::MutuallyExclusiveViolation);
    assert_eq!(
        i.what,
        "SharePoint (Plan 2) in Office 365 E3 (from group E3 - Finance) cannot be enabled together with \
         SharePoint (Plan 1) in SharePoint Online (Plan 1) (assigned directly)."
    );
    assert!(i.fix.starts_with("Remove the direct SharePoint Online (Plan 1) license"), "{}", i.fix);
    assert_eq!(i.remedy, Remedy::RemoveDirect { sku_id: id("SHAREPOINTSTANDARD") });
}

#[test]
fn conflict_with_a_direct_license_that_gives_more_turns_off_only_the_conflicting_plan() {
    // Project Online Premium (with SharePoint Online (Plan 2)) directly; the group gives Office 365
    // E1 (SharePoint Online (Plan 1)). Project's other services are not in E1: only the plan goes.
    let g = group("g1", "E1 - All", &[("STANDARDPACK", &[])], &["u1"]);
    let u = user(
        "u1",
        Some("US"),
        vec![
            st("PROJECTPREMIUM", None, &[], None),
            st("STANDARDPACK", Some("g1"), &[], Some("MutuallyExclusiveViolation")),
        ],
    );
    let r =
        diagnose(&health(vec![sku("STANDARDPACK", 10, 1), sku("PROJECTPREMIUM", 5, 1)], vec![g], vec![u]));
    let i = &r.issues[0];
    assert!(i.what.starts_with("SharePoint (Plan 1) in Office 365 E1 (from group E1 - All)"), "{}", i.what);
    assert!(
        i.what.contains("SharePoint (Plan 2) in Project Online Premium (assigned directly)"),
        "{}",
        i.what
    );
    assert!(
        i.fix.starts_with("Turn off SharePoint (Plan 2) in the member's direct Project Online Premium"),
        "{}",
        i.fix
    );
    assert_eq!(
        i.remedy,
        Remedy::DisableDirectPlan {
            sku_id: id("PROJECTPREMIUM"),
            plan_id: plan_id("PROJECTPREMIUM", "SHAREPOINTENTERPRISE")
        }
    );
}

#[test]
fn conflict_with_another_group_names_that_group_and_is_a_manual_fix() {
    let g1 = group("g1", "E3 - Finance", &[("ENTERPRISEPACK", &[])], &["u1"]);
    let g2 = group("g2", "SharePoint Plan 1", &[("SHAREPOINTSTANDARD", &[])], &["u1"]);
    let u = user(
        "u1",
        Some("US"),
        vec![
            st("SHAREPOINTSTANDARD", Some("g2"), &[], None),
            st("ENTERPRISEPACK", Some("g1"), &[], Some("MutuallyExclusiveViolation")),
        ],
    );
    let r = diagnose(&health(
        vec![sku("ENTERPRISEPACK", 10, 1), sku("SHAREPOINTSTANDARD", 5, 1)],
        vec![g1, g2],
        vec![u],
    ));
    let i = &r.issues[0];
    assert!(i.what.contains("(from group SharePoint Plan 1)"), "{}", i.what);
    assert!(i.fix.contains("SharePoint Online (Plan 1) license of group SharePoint Plan 1"), "{}", i.fix);
    assert_eq!(i.remedy, Remedy::Manual);
}

#[test]
fn conflict_the_table_does_not_list_is_reported_as_such() {
    let g = group("g1", "E3", &[("ENTERPRISEPACK", &[])], &["u1"]);
    let u = user(
        "u1",
        Some("US"),
        vec![st("ENTERPRISEPACK", Some("g1"), &[], Some("MutuallyExclusiveViolation"))],
    );
    let r = diagnose(&health(vec![sku("ENTERPRISEPACK", 10, 1)], vec![g], vec![u]));
    assert!(r.issues[0].what.contains("does not list"), "{}", r.issues[0].what);
    assert_eq!(r.issues[0].remedy, Remedy::Manual);
}

#[test]
fn dependency_names_the_plan_and_its_missing_prerequisite() {
    // Project Online Premium assigned by a group with its SharePoint turned off: Project Online
    // Service runs on SharePoint Online, which the member has nowhere else.
    let g = group("g1", "Project - Viewers", &[("PROJECTPREMIUM", &["SHAREPOINTENTERPRISE"])], &["u1"]);
    let u = user(
        "u1",
        Some("US"),
        vec![st("PROJECTPREMIUM", Some("g1"), &["SHAREPOINTENTERPRISE"], Some("DependencyViolation"))],
    );
    let r = diagnose(&health(vec![sku("PROJECTPREMIUM", 5, 1)], vec![g], vec![u]));
    let i = &r.issues[0];
    assert_eq!(i.kind, K::DependencyViolation);
    assert!(i.what.contains("in Project Online Premium (from group Project - Viewers) needs SharePoint (Plan 2) or SharePoint (Plan 1)"), "{}", i.what);
    assert!(i.what.contains("which none of the member's licenses enables"), "{}", i.what);
    assert!(i.fix.contains("in the license of group Project - Viewers"), "{}", i.fix);
}

#[test]
fn dependency_on_a_plan_only_the_group_gives_is_the_removal_case() {
    // Project Online Premium directly with its own SharePoint off relies on the group's Office 365
    // E1 SharePoint: Entra cannot take E1 away (Microsoft: "when Microsoft Entra ID attempts to
    // remove the underlying service plan").
    let g = group("g1", "E1 - Leavers", &[("STANDARDPACK", &[])], &["u1"]);
    let u = user(
        "u1",
        Some("US"),
        vec![
            st("PROJECTPREMIUM", None, &["SHAREPOINTENTERPRISE"], None),
            st("STANDARDPACK", Some("g1"), &[], Some("DependencyViolation")),
        ],
    );
    let r =
        diagnose(&health(vec![sku("STANDARDPACK", 10, 1), sku("PROJECTPREMIUM", 5, 1)], vec![g], vec![u]));
    let i = &r.issues[0];
    assert!(i.what.contains("in Project Online Premium (assigned directly) depends on SharePoint (Plan 2) or SharePoint (Plan 1)"), "{}", i.what);
    assert!(i.what.contains("which only Office 365 E1 (from group E1 - Leavers) gives"), "{}", i.what);
}

#[test]
fn usage_location_names_the_location_or_the_tenant_default() {
    let g = group("g1", "Power BI", &[("POWER_BI_PRO", &[])], &["u1", "u2"]);
    let err = || vec![st("POWER_BI_PRO", Some("g1"), &[], Some("ProhibitedInUsageLocationViolation"))];
    let r = diagnose(&health(
        vec![sku("POWER_BI_PRO", 10, 0)],
        vec![g],
        vec![user("u1", Some("CU"), err()), user("u2", None, err())],
    ));
    let a = r.issues.iter().find(|i| i.user.id == "u1").expect("u1");
    assert!(a.what.contains("A service of Power BI Pro (from group Power BI) is not offered in the member's usage location, CU"), "{}", a.what);
    assert!(
        a.fix.starts_with("If CU is not where the member works, correct the usage location"),
        "{}",
        a.fix
    );
    assert!(a.fix.contains("take the member out of group Power BI"), "{}", a.fix);
    assert_eq!(a.remedy, Remedy::UsageLocation);
    let b = r.issues.iter().find(|i| i.user.id == "u2").expect("u2");
    assert!(b.what.contains("the tenant's country"), "{}", b.what);
}

#[test]
fn uniqueness_and_other_say_what_to_do() {
    let g = group("g1", "Power BI", &[("POWER_BI_PRO", &[])], &["u1", "u2", "u3"]);
    let one = |e: &str| vec![st("POWER_BI_PRO", Some("g1"), &[], Some(e))];
    let r = diagnose(&health(
        vec![sku("POWER_BI_PRO", 10, 0)],
        vec![g],
        vec![
            user("u1", Some("US"), one("UniquenessViolation")),
            user("u2", Some("US"), one("Other")),
            user("u3", Some("US"), one("BrandNewViolation")),
        ],
    ));
    let by = |u: &str| r.issues.iter().find(|i| i.user.id == u).expect("issue");
    assert_eq!(by("u1").kind, K::UniquenessViolation);
    assert!(by("u1").what.contains("Proxy address is already being used"), "{}", by("u1").what);
    assert!(by("u1").fix.contains("Get-Recipient"), "{}", by("u1").fix);
    assert_eq!(by("u2").kind, K::Other);
    assert_eq!(by("u2").remedy, Remedy::Reprocess);
    assert!(by("u2").what.contains("LicenseAssignmentAttributeConcurrencyException"));
    // A code this version does not know is still shown, as Other, with Graph's code kept.
    assert_eq!((by("u3").kind, by("u3").code.as_str()), (K::Other, "BrandNewViolation"));
    assert_eq!(
        r.counts.iter().map(|c| (c.kind, c.members)).collect::<Vec<_>>(),
        vec![(K::UniquenessViolation, 1), (K::Other, 2)]
    );
}

#[test]
fn all_or_nothing_one_issue_per_member_and_group_naming_every_product() {
    // A group with two products: both entries fail with the member; one issue, both products.
    let g = group("g1", "Bundle", &[("ENTERPRISEPACK", &[]), ("POWER_BI_PRO", &[])], &["u1"]);
    let u = user(
        "u1",
        Some("US"),
        vec![
            st("ENTERPRISEPACK", Some("g1"), &[], Some("CountViolation")),
            st("POWER_BI_PRO", Some("g1"), &[], Some("CountViolation")),
        ],
    );
    let r =
        diagnose(&health(vec![sku("ENTERPRISEPACK", 1, 1), sku("POWER_BI_PRO", 10, 0)], vec![g], vec![u]));
    assert_eq!(r.issues.len(), 1);
    assert_eq!(r.issues[0].products, vec!["Office 365 E3".to_string(), "Power BI Pro".to_string()]);
    // The seat that ran out is E3's, not Power BI's.
    assert_eq!(r.issues[0].remedy, Remedy::Seats { sku_id: id("ENTERPRISEPACK"), short: 1 });
}

#[test]
fn flagged_groups_and_error_lists_are_cross_checked_with_the_states() {
    let g1 = group("g1", "Quiet", &[("POWER_BI_PRO", &[])], &["u1"]);
    let g2 = group("g2", "Listed", &[("POWER_BI_PRO", &[])], &["u1"]);
    let u = user(
        "u1",
        Some("US"),
        vec![st("POWER_BI_PRO", Some("g1"), &[], None), st("POWER_BI_PRO", Some("g2"), &[], None)],
    );
    let mut h = health(vec![sku("POWER_BI_PRO", 10, 1)], vec![g1, g2], vec![u]);
    h.flagged_groups = vec!["g1".into()];
    h.error_lists = vec![GroupErrorList { group_id: "g2".into(), member_ids: vec!["u1".into()] }];
    h.notes = vec!["refused".into()];
    let r = diagnose(&h);
    assert!(r.issues.is_empty());
    assert_eq!(r.groups.len(), 1);
    assert!(r.groups[0].flagged_by_graph && r.groups[0].members_in_error == 0);
    assert_eq!(r.notes[0], "refused");
    assert!(r.notes.iter().any(|n| n.contains("Graph flags group Quiet")), "{:?}", r.notes);
    assert!(r.notes.iter().any(|n| n.contains("Graph lists 1 member(s) of group Listed")), "{:?}", r.notes);
}

mod cleanup {
    use super::*;
    use crate::health::{cleanup_candidates, cleanup_plan};
    use licswap_core::plan::{ActionKind, Severity};

    fn e1_group(gid: &str, off: &'static [&'static str]) -> SnapshotGroup {
        group(gid, &format!("E1 {gid}"), &[("STANDARDPACK", off)], &["u1"])
    }

    fn one(states: Vec<LicenseAssignmentState>, groups: Vec<SnapshotGroup>) -> HealthSnapshot {
        health(vec![sku("STANDARDPACK", 10, 1)], groups, vec![user("u1", Some("US"), states)])
    }

    #[test]
    fn a_direct_license_a_group_duplicates_is_covered_and_planned_with_its_rollback() {
        let h = one(
            vec![st("STANDARDPACK", None, &["SWAY"], None), st("STANDARDPACK", Some("g1"), &["SWAY"], None)],
            vec![e1_group("g1", &["SWAY"])],
        );
        let c = cleanup_candidates(&h);
        assert_eq!(c.len(), 1);
        assert!(c[0].covered(), "{c:?}");
        assert_eq!(c[0].groups[0].name, "E1 g1");
        let p = cleanup_plan(&h, "STANDARDPACK", None).unwrap();
        let a: Vec<_> = p.actions().collect();
        assert_eq!(a.len(), 1);
        assert_eq!(a[0].kind, ActionKind::RemoveRedundantDirect);
        assert_eq!(a[0].body.remove_licenses, vec![id("STANDARDPACK")]);
        assert!(a[0].body.add_licenses.is_empty());
        assert_eq!(p.target.sku_id, id("STANDARDPACK"), "the executor waits for this SKU Active through a group");
        // The rollback gives the direct license back with the plans that were off.
        let r = &p.rollback[0].actions[0];
        assert_eq!(r.body.add_licenses[0].sku_id, id("STANDARDPACK"));
        assert_eq!(r.body.add_licenses[0].disabled_plans, vec![plan_id("STANDARDPACK", "SWAY")]);
        assert_eq!((p.seats.needed, p.seats.source_freed), (0, 0), "one license consumed either way");
        assert!(!p.has_blockers());
    }

    #[test]
    fn a_plan_the_group_turns_off_keeps_the_direct_license_and_names_the_service() {
        let h = one(
            vec![st("STANDARDPACK", None, &[], None), st("STANDARDPACK", Some("g1"), &["SWAY"], None)],
            vec![e1_group("g1", &["SWAY"])],
        );
        let c = cleanup_candidates(&h);
        assert!(!c[0].covered());
        assert_eq!(c[0].missing, vec!["Sway".to_string()]);
        let p = cleanup_plan(&h, "STANDARDPACK", None).unwrap();
        assert_eq!(p.actions().count(), 0);
        let f = &p.findings[0];
        assert_eq!(f.severity, Severity::Warning);
        assert!(f.message.contains("stays: the groups do not give Sway"), "{}", f.message);
    }

    #[test]
    fn several_groups_count_together() {
        // One group turns Sway off, the other Yammer: together they give everything.
        let h = one(
            vec![
                st("STANDARDPACK", None, &[], None),
                st("STANDARDPACK", Some("g1"), &["SWAY"], None),
                st("STANDARDPACK", Some("g2"), &["YAMMER_ENTERPRISE"], None),
            ],
            vec![e1_group("g1", &["SWAY"]), e1_group("g2", &["YAMMER_ENTERPRISE"])],
        );
        let c = cleanup_candidates(&h);
        assert!(c[0].covered(), "{c:?}");
        assert_eq!(c[0].groups.len(), 2);
        // Only one of them: Yammer is missing.
        let h = one(
            vec![st("STANDARDPACK", None, &[], None), st("STANDARDPACK", Some("g2"), &["YAMMER_ENTERPRISE"], None)],
            vec![e1_group("g2", &["YAMMER_ENTERPRISE"])],
        );
        let c = cleanup_candidates(&h);
        assert!(!c[0].covered());
        assert_eq!(c[0].missing.len(), 1, "{c:?}");
    }

    #[test]
    fn never_before_the_group_shows_the_license_active() {
        let h = one(
            vec![st("STANDARDPACK", None, &[], None), st("STANDARDPACK", Some("g1"), &[], Some("CountViolation"))],
            vec![e1_group("g1", &[])],
        );
        let c = cleanup_candidates(&h);
        assert!(!c[0].covered());
        assert!(c[0].not_active.as_deref().unwrap().contains("Error (CountViolation)"), "{c:?}");
        assert_eq!(cleanup_plan(&h, "STANDARDPACK", None).unwrap().actions().count(), 0);
    }

    #[test]
    fn only_the_chosen_users_are_planned() {
        let h = one(
            vec![st("STANDARDPACK", None, &[], None), st("STANDARDPACK", Some("g1"), &[], None)],
            vec![e1_group("g1", &[])],
        );
        assert_eq!(cleanup_plan(&h, "STANDARDPACK", Some(&["u2".to_string()])).unwrap().actions().count(), 0);
        assert_eq!(cleanup_plan(&h, "STANDARDPACK", Some(&["U1".to_string()])).unwrap().actions().count(), 1);
        assert!(cleanup_plan(&h, "NOPE", None).is_err());
    }
}

/// Fixing conflicts as plans: who the health screen offers per SKU is who the plan takes.
mod conflict_fixes {
    use super::*;
    use crate::health::{conflict_fixes, fix_conflicts_plan};
    use licswap_core::plan::ActionKind;

    /// u1 and u2: direct SharePoint Online (Plan 1) beside group g1's Office 365 E3 (SharePoint
    /// (Plan 2) in both: Microsoft's exclusion table); u3: the same error without the direct
    /// license in the read (removed since), so nothing to plan for it.
    fn tenant() -> HealthSnapshot {
        let g = group("g1", "E3 - Finance", &[("ENTERPRISEPACK", &[])], &["u1", "u2", "u3"]);
        let conflicted = |uid: &str, direct: bool| {
            let mut states = vec![st("ENTERPRISEPACK", Some("g1"), &[], Some("MutuallyExclusiveViolation"))];
            if direct {
                states.insert(0, st("SHAREPOINTSTANDARD", None, &[], None));
            }
            user(uid, Some("US"), states)
        };
        health(
            vec![sku("ENTERPRISEPACK", 10, 0), sku("SHAREPOINTSTANDARD", 5, 2)],
            vec![g],
            vec![conflicted("u1", true), conflicted("u2", true), conflicted("u3", false)],
        )
    }

    #[test]
    fn members_are_offered_by_sku_and_the_plan_removes_exactly_their_direct_license() {
        let h = tenant();
        let r = diagnose(&h);
        let fixes = conflict_fixes(&h, &r);
        assert_eq!(fixes.len(), 1, "{fixes:?}");
        assert_eq!(fixes[0].sku_id, id("SHAREPOINTSTANDARD"));
        assert_eq!(fixes[0].product, "SharePoint Online (Plan 1)");
        let ids: Vec<&str> = fixes[0].members.iter().map(|m| m.id.as_str()).collect();
        assert_eq!(ids, ["u1", "u2"]);

        let p = fix_conflicts_plan(&h, &r, &fixes[0].sku_id, None).unwrap();
        let a: Vec<_> = p.actions().collect();
        assert_eq!(a.iter().map(|a| a.target.id.as_str()).collect::<Vec<_>>(), ids);
        assert!(a.iter().all(|a| a.kind == ActionKind::RemoveConflictingDirect));
        assert!(a.iter().all(|a| a.body.add_licenses.is_empty()));
        assert!(a.iter().all(|a| a.body.remove_licenses == vec![id("SHAREPOINTSTANDARD")]));
        // Between the removal and the reprocess the member has neither license: the plan says so.
        assert!(p.findings.iter().any(|f| f.message.contains("Until Entra processes group E3 - Finance")));
        // The rollback gives each direct license back.
        let undo: Vec<_> = p.rollback[0].actions.iter().collect();
        assert_eq!(undo.len(), 2);
        assert!(undo.iter().all(|u| u.body.add_licenses[0].sku_id == id("SHAREPOINTSTANDARD")));
        assert_eq!((p.seats.source_freed, p.seats.left_after), (2, 5));

        // One chosen member only; a SKU nobody can lose is an empty plan; an unknown SKU an error.
        let one = fix_conflicts_plan(&h, &r, "SHAREPOINTSTANDARD", Some(&["U2".to_string()])).unwrap();
        assert_eq!(one.actions().map(|a| a.target.id.clone()).collect::<Vec<_>>(), ["u2"]);
        assert_eq!(fix_conflicts_plan(&h, &r, "ENTERPRISEPACK", None).unwrap().actions().count(), 0);
        assert!(fix_conflicts_plan(&h, &r, "NOPE", None).is_err());
    }

    #[test]
    fn a_tenant_without_removable_conflicts_offers_nothing() {
        let g = group("g1", "E3", &[("ENTERPRISEPACK", &[])], &["u1"]);
        let u = user("u1", Some("US"), vec![st("ENTERPRISEPACK", Some("g1"), &[], Some("CountViolation"))]);
        let h = health(vec![sku("ENTERPRISEPACK", 1, 1)], vec![g], vec![u]);
        assert!(conflict_fixes(&h, &diagnose(&h)).is_empty());
    }
}
