//! Loading a tenant for the planner against the simulator: the snapshot matches the tenant, in the
//! number of requests paging and `$batch` allow. Run with `--nocapture` to see the figures.
use futures::executor::block_on;
use licswap_core::graph::http::Clock;
use licswap_core::graph::{CancelToken, LoadPhase, LoadProgress};
use licswap_core::plan::Snapshot;
use licswap_itest::{assigning_groups, client_config, holders, ids, sim_client, sku_id};
use licswap_sim::fixtures::{demo, generate};
use licswap_sim::{Sim, SimConfig, Tenant};
use std::time::Instant;

struct Loaded {
    snap: Snapshot,
    truth: Snapshot,
    requests: u64,
    batches: u64,
    virtual_ms: u64,
    wall_ms: u128,
    reports: Vec<LoadProgress>,
}

fn load(tenant: impl Fn() -> Tenant, sim_config: SimConfig) -> Loaded {
    let truth = Sim::new(tenant(), SimConfig::test()).snapshot();
    let (c, _sim) = sim_client(tenant(), sim_config, client_config());
    let start_virtual = c.clock().now_ms();
    let start = Instant::now();
    let mut reports = Vec::new();
    let snap =
        block_on(c.load_snapshot("STANDARDPACK", &CancelToken::new(), &mut |p| reports.push(p))).unwrap();
    let wall_ms = start.elapsed().as_millis();
    let s = c.stats();
    Loaded {
        snap,
        truth,
        requests: s.requests,
        batches: s.batches,
        virtual_ms: c.clock().now_ms() - start_virtual,
        wall_ms,
        reports,
    }
}

/// The snapshot holds every holder of E1, every group assigning E1 with its user members, and
/// every member of those groups; the users' license states are the tenant's.
fn check_matches_tenant(l: &Loaded) {
    let e1 = sku_id(&l.truth, "STANDARDPACK");
    let loaded_users = ids(l.snap.users.iter().map(|u| &u.id));
    assert!(holders(&l.truth, &e1).is_subset(&loaded_users), "every holder loaded");
    let loaded_groups = ids(l.snap.groups.iter().map(|g| &g.group.id));
    assert_eq!(loaded_groups, assigning_groups(&l.truth, &e1));
    for g in &l.snap.groups {
        let t = l.truth.groups.iter().find(|t| t.group.id == g.group.id).unwrap();
        assert_eq!(ids(&g.member_ids), ids(&t.member_ids), "members of {}", g.group.label());
        assert!(ids(&g.member_ids).is_subset(&loaded_users), "members of {} loaded", g.group.label());
        assert_eq!(g.group, t.group);
    }
    for u in &l.snap.users {
        let t = l.truth.users.iter().find(|t| t.id == u.id).unwrap();
        assert_eq!(u.license_assignment_states, t.license_assignment_states, "{}", u.label());
        assert_eq!(u.assigned_licenses, t.assigned_licenses, "{}", u.label());
        assert_eq!((&u.usage_location, u.account_enabled), (&t.usage_location, t.account_enabled));
    }
    assert_eq!(l.snap.skus, l.truth.skus);
    assert_eq!(l.snap.tenant_name, l.truth.tenant_name);
    assert_eq!(l.reports.last().unwrap().phase, LoadPhase::Done);
}

/// The fewest requests: SKUs, holder pages, group pages, member pages batched 20 to a request,
/// and group members without the SKU read 20 to a request.
fn minimum_requests(l: &Loaded) -> u64 {
    let e1 = sku_id(&l.truth, "STANDARDPACK");
    let h = holders(&l.truth, &e1).len() as u64;
    let groups = &l.snap.groups;
    let mut member_requests = 0u64;
    let mut round = 0;
    loop {
        // Groups that still have a page to read in this round.
        let live =
            groups.iter().filter(|g| g.member_ids.len() as u64 > round * 999 || round == 0).count() as u64;
        if live == 0 {
            break;
        }
        member_requests += live.div_ceil(20);
        round += 1;
    }
    let others = l.snap.users.len() as u64 - h;
    1 + h.div_ceil(999).max(1)
        + (groups.len() as u64).div_ceil(999).max(1)
        + member_requests
        + others.div_ceil(20)
}

#[test]
fn the_demo_tenant_loads_in_a_handful_of_requests() {
    let l = load(demo, SimConfig::test());
    check_matches_tenant(&l);
    let min = minimum_requests(&l);
    println!(
        "demo tenant: {} users, {} groups loaded in {} requests ({} $batch), {} ms wall, {} ms virtual",
        l.snap.users.len(),
        l.snap.groups.len(),
        l.requests,
        l.batches,
        l.wall_ms,
        l.virtual_ms
    );
    assert_eq!(l.requests, min);
    assert!(l.requests <= 6, "{} requests", l.requests);
}

#[test]
fn the_demo_tenant_loads_under_the_demo_throttling() {
    let l = load(demo, SimConfig::demo());
    check_matches_tenant(&l);
}

#[test]
fn a_100k_tenant_loads_in_about_a_hundred_requests() {
    let l = load(|| generate(42, 100_000), SimConfig::test());
    let min = minimum_requests(&l);
    println!(
        "100k tenant: {} users, {} groups loaded in {} requests ({} $batch; minimum {}), {} ms wall ({} build, \
         simulator included), {} ms virtual",
        l.snap.users.len(),
        l.snap.groups.len(),
        l.requests,
        l.batches,
        min,
        l.wall_ms,
        if cfg!(debug_assertions) { "debug" } else { "release" },
        l.virtual_ms
    );
    assert_eq!(l.requests, min);
    let e1 = sku_id(&l.truth, "STANDARDPACK");
    assert!(holders(&l.truth, &e1).is_subset(&ids(l.snap.users.iter().map(|u| &u.id))));
    let holder_reports: Vec<&LoadProgress> =
        l.reports.iter().filter(|p| p.phase == LoadPhase::Holders).collect();
    assert!(holder_reports.len() > 50, "progress after every page");
    assert!(holder_reports.windows(2).all(|w| w[0].done <= w[1].done));
}
