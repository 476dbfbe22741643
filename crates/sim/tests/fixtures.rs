//! The demo tenant holds every situation the planner must find; the generator is seeded, sized
//! and consistent.
mod common;
use common::*;
use licswap_sim::fixtures::{demo, generate, DEMO_TENANT_NAME};
use licswap_sim::tenant::Tenant;

fn sku(t: &Tenant, part: &str) -> u16 {
    t.sku_ix(part).unwrap()
}

#[test]
fn demo_tenant_has_every_planner_situation() {
    let t = demo();
    assert_eq!(t.name, DEMO_TENANT_NAME);
    assert!((70..=90).contains(&t.users.len()), "{}", t.users.len());
    assert_eq!(t.groups.len(), 12);
    // License health: a member in each error state group licensing records.
    use licswap_sim::tenant::LicError as L;
    for e in [
        L::CountViolation,
        L::MutuallyExclusiveViolation,
        L::DependencyViolation,
        L::ProhibitedInUsageLocationViolation,
        L::UniquenessViolation,
        L::Other,
    ] {
        let n = t.users.iter().filter(|u| u.inherited.iter().any(|l| l.error == Some(e))).count();
        assert_eq!(n, 1, "{e:?}");
    }
    let (e1, e3, exo, project, spo) = (
        sku(&t, "STANDARDPACK"),
        sku(&t, "ENTERPRISEPACK"),
        sku(&t, "EXCHANGESTANDARD"),
        sku(&t, "PROJECTPREMIUM"),
        sku(&t, "SHAREPOINTSTANDARD"),
    );
    let direct = |u: &licswap_sim::tenant::UserRec, s| u.direct.iter().any(|l| l.sku == s);
    let inherited =
        |u: &licswap_sim::tenant::UserRec, s| u.inherited.iter().any(|l| l.lic.sku == s && l.error.is_none());
    let group_kind = |u: &licswap_sim::tenant::UserRec,
                      f: &dyn Fn(&licswap_sim::tenant::GroupRec) -> bool| {
        u.inherited.iter().any(|l| l.lic.sku == e1 && f(&t.groups[l.group as usize]))
    };
    let users = &t.users;
    assert!(users.iter().any(|u| direct(u, e1) && !inherited(u, e1)), "E1 direct");
    assert!(
        users
            .iter()
            .any(|u| !direct(u, e1)
                && group_kind(u, &|g| g.group_types.is_empty() && !g.on_premises_sync_enabled)),
        "E1 through a static group"
    );
    assert!(users.iter().any(|u| direct(u, e1) && inherited(u, e1)), "both");
    assert!(
        users.iter().any(|u| u.inherited.iter().filter(|l| l.lic.sku == e1).count() == 2),
        "two E1 groups"
    );
    assert!(
        users.iter().any(|u| group_kind(u, &|g| g.group_types.iter().any(|x| x == "DynamicMembership"))),
        "dynamic group"
    );
    assert!(users.iter().any(|u| group_kind(u, &|g| g.on_premises_sync_enabled)), "synced group");
    assert!(users.iter().any(|u| direct(u, e1) && direct(u, exo)), "Exchange Plan 1 beside E1 (no conflict)");
    assert!(users.iter().any(|u| direct(u, e1) && direct(u, spo)), "conflicting SharePoint plan");
    assert!(
        users
            .iter()
            .any(|u| direct(u, e1) && u.direct.iter().any(|l| l.sku == project && !l.disabled.is_empty())),
        "dependent Project plan"
    );
    assert!(users.iter().any(|u| direct(u, e1) && u.usage_location.is_none()), "no usage location");
    assert!(users.iter().any(|u| direct(u, e1) && !u.account_enabled), "disabled account");
    assert!(
        users.iter().any(|u| u.direct.iter().any(|l| l.sku == e1 && !l.disabled.is_empty())),
        "disabled services under E1"
    );
    let holders = t.skus[e1 as usize].consumed;
    assert!(t.available(e3) < holders, "too few E3 seats for everyone");
    assert!(
        users.iter().all(|u| u
            .inherited
            .iter()
            .filter(|l| l.lic.sku == e1 || l.lic.sku == e3)
            .all(|l| l.error.is_none())),
        "the E1 -> E3 swap starts without errors (the health errors are on other products)"
    );
    assert!(t.history.is_empty());
    // Bundles: Office 365 E3 + EMS directly and from one group; Office 365 E5 directly and from a
    // group; the targets subscribed with free seats.
    let (ems, e5) = (sku(&t, "EMS"), sku(&t, "ENTERPRISEPREMIUM"));
    assert!(users.iter().any(|u| direct(u, e3) && direct(u, ems)), "E3 + EMS directly");
    assert!(users.iter().any(|u| inherited(u, e3) && inherited(u, ems) && direct(u, ems)), "E3 + EMS from a group, EMS also directly");
    assert!(users.iter().any(|u| direct(u, e5)) && users.iter().any(|u| inherited(u, e5)), "E5 directly and from a group");
    for part in ["SPE_E3", "Office_365_w/o_Teams_Bundle_E5", "Microsoft_Teams_EEA_New"] {
        let k = &t.skus[sku(&t, part) as usize];
        assert!(k.prepaid_enabled - k.consumed >= 5, "{part} has free seats");
    }
}

#[test]
fn demo_is_deterministic() {
    let (a, b) = (demo(), demo());
    let ids = |t: &Tenant| t.users.iter().map(|u| u.id.clone()).collect::<Vec<_>>();
    assert_eq!(ids(&a), ids(&b));
    assert!(ids(&a).iter().all(|id| id.len() == 36 && id.matches('-').count() == 4));
}

#[test]
fn generated_tenants_are_seeded_sized_and_consistent() {
    let a = generate(42, 5_000);
    let b = generate(42, 5_000);
    let c = generate(43, 5_000);
    assert_eq!(a.users.len(), 5_001, "plus the admin");
    let sig = |t: &Tenant| {
        t.users.iter().map(|u| (u.id.clone(), u.direct.len(), u.inherited.len())).collect::<Vec<_>>()
    };
    assert_eq!(sig(&a), sig(&b));
    assert_ne!(sig(&a), sig(&c));
    // Consumed units agree with a recount from scratch.
    let mut recounted = a.clone();
    recounted.recount();
    for (x, y) in a.skus.iter().zip(&recounted.skus) {
        assert_eq!(x.consumed, y.consumed, "{}", x.part_number);
        assert!(x.consumed <= x.prepaid_enabled);
    }
    let e1 = a.sku_ix("STANDARDPACK").unwrap();
    assert!(a.skus[e1 as usize].consumed > 4_000);
    assert!(a.users.iter().any(|u| u.inherited.iter().filter(|l| l.lic.sku == e1).count() == 2));
}

#[test]
fn snapshot_export_matches_graph_answers() {
    let sim = demo_sim(demo_config());
    let snap = sim.snapshot();
    assert_eq!(snap.tenant_name.as_deref(), Some(DEMO_TENANT_NAME));
    assert_eq!(snap.users.len(), sim.tenant().users.len());
    assert_eq!(snap.groups.len(), 12);
    let mut h = InProc::new(sim);
    let (_, v) = get(&mut h, "/v1.0/users?$select=id,assignedLicenses,licenseAssignmentStates,usageLocation,accountEnabled,displayName,userPrincipalName&$top=999");
    let from_graph: Vec<licswap_core::model::User> =
        serde_json::from_value(v["value"].clone()).unwrap();
    assert_eq!(from_graph, snap.users);
    let sales = snap.groups.iter().find(|g| g.group.display_name.as_deref() == Some("E1 - Sales")).unwrap();
    assert_eq!(sales.member_ids.len(), 17);
    assert_eq!(sales.group.assigned_licenses[0].sku_id, E1);
}
