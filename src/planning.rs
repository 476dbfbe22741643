//! The planner, as the app calls it: timed with a User Timing measure (`licswap:plan`, read by
//! the benchmarks), errors become sentences for the screen; and warmed up on a loaded tenant
//! before the admin's first preview.
use licswap_core::model::SubscribedSku;
use licswap_core::plan::{Plan, PlanRequest, Scope, SkuList, Snapshot, SnapshotGroup};
use licswap_planner::Indexed;
use std::cell::Cell;

thread_local! {
    // Whether the planner has run in this page (a plan or a warm-up): its compiled code lasts as
    // long as the page.
    static WARMED: Cell<bool> = const { Cell::new(false) };
}

/// Whether the planner has run in this page already.
pub fn warmed() -> bool {
    WARMED.with(Cell::get)
}

/// Plans `request` over the loaded tenant (its users indexed when it was read: `loads`).
pub fn plan_timed(tenant: &Indexed, request: &PlanRequest) -> Result<Plan, String> {
    WARMED.with(|w| w.set(true));
    crate::timing::start("licswap:plan");
    let planned = tenant.plan(request);
    crate::timing::end("licswap:plan");
    planned.map_err(|e| crate::text::sentence(&e.to_string()))
}

/// How many of the loaded users (and of each group's members) the warm-up's cut keeps: enough for
/// the browser to compile the planner's code and optimize its busy parts, few enough to take
/// milliseconds. In Chromium at 100,000 users the first plan of a page took 240 ms and the next
/// ones 58 ms; right after a plan of 1,000 users (14 to 31 ms) the first took 88 to 93 ms, and
/// after one of 10,000 no less (and less again once the page has had a moment: bench_hook.rs).
const WARM_UP_USERS: usize = 1_000;

/// A small tenant cut from a loaded one, for a warm-up: its subscriptions, its first users, and
/// each group with at most as many of its members. The warm-up's time does not grow with the
/// tenant: a plan of 1,000 users of the whole 1,000,000-user tenant took 255 ms, most of it
/// spent on the tenant's size rather than on the users planned.
fn warm_up_tenant(snapshot: &Snapshot) -> Snapshot {
    Snapshot {
        tenant_name: None,
        skus: snapshot.skus.clone(),
        users: snapshot.users.iter().take(WARM_UP_USERS).cloned().collect(),
        groups: snapshot
            .groups
            .iter()
            .map(|g| SnapshotGroup {
                group: g.group.clone(),
                member_ids: g.member_ids.iter().take(WARM_UP_USERS).cloned().collect(),
            })
            .collect(),
    }
}

/// A throwaway request: every holder of `sources` moved to `targets` (the wizard's, when chosen
/// and not a source), or else to the first other SKU the tenant holds. None when there is no
/// other SKU to move to.
fn warm_up_request(snapshot: &Snapshot, sources: &[String], targets: &[String]) -> Option<PlanRequest> {
    // A SKU is named by its skuId (the wizard's) or its part number (a request's other spelling).
    let names = |s: &SubscribedSku, name: &str| {
        s.sku_id.eq_ignore_ascii_case(name) || s.sku_part_number.eq_ignore_ascii_case(name)
    };
    let is_source = |s: &SubscribedSku| sources.iter().any(|n| names(s, n));
    let chosen = !targets.is_empty()
        && targets.iter().all(|t| snapshot.skus.iter().find(|s| names(s, t)).is_some_and(|s| !is_source(s)));
    let targets: Vec<String> = if chosen {
        targets.to_vec()
    } else {
        vec![snapshot.skus.iter().find(|s| !is_source(s))?.sku_id.clone()]
    };
    Some(PlanRequest {
        source: SkuList::new(sources.to_vec()),
        target: SkuList::new(targets),
        scope: Scope::AllHolders,
        options: Default::default(),
    })
}

/// The warm-up: a throwaway plan of a small cut of `snapshot` (its first users, [`warm_up_tenant`])
/// moving the holders of `sources` to `targets` ([`warm_up_request`]); None when there is no SKU to
/// move to. V8 compiles WebAssembly a function at a time on its first call (Liftoff) and optimizes
/// only the functions called again, in the background (TurboFan;
/// <https://v8.dev/docs/wasm-compilation-pipeline>, <https://v8.dev/blog/wasm-dynamic-tiering>),
/// so the admin's first preview of a large tenant would otherwise run the planner's loops
/// unoptimized throughout. Timed as `licswap:warm-up`. The plan's outcome, for tests.
pub fn warm_up(snapshot: &Snapshot, sources: &[String], targets: &[String]) -> Option<Result<Plan, String>> {
    let request = warm_up_request(snapshot, sources, targets)?;
    WARMED.with(|w| w.set(true));
    crate::timing::start("licswap:warm-up");
    let planned =
        Indexed::new(warm_up_tenant(snapshot)).and_then(|t| t.plan(&request)).map_err(|e| e.to_string());
    crate::timing::end("licswap:warm-up");
    Some(planned)
}

#[cfg(test)]
mod tests {
    use super::*;
    use licswap_planner::testgen;

    fn id_of(snapshot: &Snapshot, part: &str) -> String {
        snapshot.skus.iter().find(|s| s.sku_part_number == part).map(|s| s.sku_id.clone()).unwrap()
    }

    #[test]
    fn a_warm_up_plans_every_holder_of_a_small_cut_of_the_tenant() {
        let mut tenant = testgen::tenant(5_000, 7);
        // One group larger than the cut keeps (members the cut has no user for are the planner's
        // unknown members, as in a snapshot of a scope).
        let big = &mut tenant.groups[0].member_ids;
        big.extend((0..WARM_UP_USERS).map(|i| format!("00000000-0000-4000-8000-{i:012}")));
        let small = warm_up_tenant(&tenant);
        assert_eq!(small.users.len(), WARM_UP_USERS);
        assert_eq!(small.users[..], tenant.users[..WARM_UP_USERS]);
        assert_eq!(small.skus, tenant.skus);
        assert_eq!(small.groups.len(), tenant.groups.len());
        for (cut, whole) in small.groups.iter().zip(&tenant.groups) {
            let kept = whole.member_ids.len().min(WARM_UP_USERS);
            assert_eq!(cut.member_ids[..], whole.member_ids[..kept], "{}", whole.group.id);
        }
        assert_eq!(small.groups[0].member_ids.len(), WARM_UP_USERS);

        let (e1, e3) = (id_of(&tenant, "STANDARDPACK"), id_of(&tenant, "ENTERPRISEPACK"));
        let request = warm_up_request(&tenant, &[e1.clone()], &[e3.clone()]).unwrap();
        assert_eq!(request.scope, Scope::AllHolders);
        assert_eq!(request.target.as_slice(), [e3.clone()]);
        assert!(!warmed());
        let plan = warm_up(&tenant, &[e1], &[e3]).expect("a warm-up").expect("the warm-up plans");
        assert!(warmed());
        // It ran the planner through: the holders among the first users got their swaps.
        assert!(plan.actions().count() > 100, "{} actions", plan.actions().count());
    }

    #[test]
    fn without_a_target_chosen_the_warm_up_moves_to_another_sku_of_the_tenant() {
        let tenant = testgen::tenant(50, 1);
        let e1 = id_of(&tenant, "STANDARDPACK");
        for targets in [vec![], vec![e1.clone()], vec!["standardpack".to_string()]] {
            let request = warm_up_request(&tenant, &["STANDARDPACK".into()], &targets).unwrap();
            let target = &request.target.as_slice()[0];
            assert_ne!(target, &e1, "the source is never the target ({targets:?})");
            assert!(tenant.skus.iter().any(|s| &s.sku_id == target));
        }
        let only_source =
            Snapshot { skus: vec![tenant.skus.iter().find(|s| s.sku_id == e1).unwrap().clone()], ..tenant };
        assert_eq!(warm_up_request(&only_source, &[e1.clone()], &[]), None, "no other SKU: no warm-up");
        assert!(warm_up(&only_source, &[e1], &[]).is_none());
    }
}
