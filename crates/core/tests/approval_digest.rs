//! The plan digest over real plans: planned again from the same tenant it is the same, whatever
//! the request's spelling and whatever changes outside the scope; a target's change changes it.
use licswap_core::approval::plan_digest;
use licswap_core::model::AssignedLicense;
use licswap_core::plan::{Scope, TargetKind};

#[test]
fn planned_again_from_the_tenant_the_digest_holds_until_a_target_changes() {
    use licswap_planner::testgen;
    let snap = testgen::tenant(300, 7);
    let mut req = testgen::e1_to_e3();
    let ids: Vec<String> = snap.users.iter().take(40).map(|u| u.id.clone()).collect();
    req.scope = Scope::Users(ids.clone());
    let first = licswap_planner::plan(&snap, &req).unwrap();
    assert!(first.actions().count() > 10, "the fixture plans swaps");
    let base = plan_digest(&first);
    // The same users listed in another order and spelling.
    let mut again = req.clone();
    again.scope = Scope::Users(ids.iter().rev().map(|s| s.to_uppercase()).collect());
    assert_eq!(plan_digest(&licswap_planner::plan(&snap, &again).unwrap()), base);
    // Someone outside the scope changes, and seats are consumed elsewhere.
    let mut other = snap.clone();
    other.users[250].assigned_licenses.clear();
    other.users[250].license_assignment_states.clear();
    for sku in &mut other.skus {
        sku.consumed_units += 1;
    }
    assert_eq!(plan_digest(&licswap_planner::plan(&other, &req).unwrap()), base);
    // A target's license state changes: its fingerprint, so the digest.
    let target = first.actions().find(|a| a.target.kind == TargetKind::User).unwrap().target.id.clone();
    let mut edited = snap.clone();
    let u = edited.users.iter_mut().find(|u| u.id == target).unwrap();
    u.assigned_licenses.push(AssignedLicense {
        sku_id: "f8a1db68-be16-40ed-86d5-cb42ce701560".into(),
        disabled_plans: vec![],
    });
    assert_ne!(plan_digest(&licswap_planner::plan(&edited, &req).unwrap()), base);
}
