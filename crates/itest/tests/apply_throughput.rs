//! Apply throughput against the simulator's write ceiling (Graph's per-app write limit), on a
//! virtual clock: the executor keeps Graph as busy as the ceiling allows and loses nothing.
use futures::executor::block_on;
use licswap_core::apply::*;
use licswap_core::graph::client::{ClientConfig, GraphClient};
use licswap_core::graph::clock::VirtualClock;
use licswap_core::graph::http::Clock;
use licswap_core::plan::{PlanOptions, PlanRequest, Scope};
use licswap_planner::plan;
use licswap_sim::{fixtures, Sim, SimConfig, SimTransport, ThrottleConfig};
use std::cell::RefCell;
use std::rc::Rc;

#[test]
fn apply_runs_at_the_write_ceiling() {
    let per_sec = 20;
    let throttle = ThrottleConfig::writes_per_sec(per_sec);
    let ceiling = throttle.write_ceiling_per_sec();
    let burst = throttle.writes as f64;
    let mut tenant = fixtures::generate(11, 4_000);
    tenant.add_sku("ENTERPRISEPACK", 10_000).unwrap();
    let sim = Rc::new(RefCell::new(Sim::new(tenant, SimConfig { throttle, ..SimConfig::test() })));
    let clock = VirtualClock::new(fixtures::FIXTURE_EPOCH_MS);
    let config = ClientConfig { base_url: "/v1.0".into(), ..ClientConfig::default() };
    let client =
        GraphClient::new(SimTransport::new(sim.clone(), clock.clone()), clock.clone(), config).unwrap();
    let request = PlanRequest {
        source: "STANDARDPACK".into(),
        target: "ENTERPRISEPACK".into(),
        scope: Scope::AllHolders,
        options: PlanOptions::default(),
    };
    let plan = plan(&sim.borrow().snapshot(), &request).unwrap();
    let n = plan.actions().count();
    assert!(n > 1_000, "{n}");

    let api = GraphLicenseApi::new(&client);
    let store = MemoryStore::new();
    let cfg = ApplyConfig { refuse_blockers: false, ..ApplyConfig::default() };
    let ex = Executor::new(&api, &clock, &store, cfg, Control::new());
    let start = clock.now_ms();
    let mut writes_done_at = start;
    let report = block_on(ex.run(&plan, &mut |p| {
        if p.status == RunStatus::Running && p.counts.done == n {
            writes_done_at = clock.now_ms();
        }
    }))
    .unwrap();
    assert_eq!(report.outcome, RunOutcome::Completed, "{:?}", report.notes);
    let c = report.journal.counts();
    assert_eq!((c.done, c.failed, c.stale), (n, 0, 0));
    let stats = sim.borrow().stats.clone();
    assert_eq!(stats.license_writes as usize, n, "no write lost or repeated");

    // The fastest the ceiling allows: the burst at once, the rest at the sustained rate.
    let secs = (writes_done_at - start) as f64 / 1000.0;
    let ideal = ((n as f64 - burst) / ceiling).max(0.0);
    let efficiency = ideal / secs;
    println!(
        "{n} writes in {secs:.1} s of virtual time (ideal {ideal:.1} s at {ceiling}/s after a burst of {burst}): \
         {:.0}% of the ceiling; {} requests, {} throttled",
        efficiency * 100.0,
        stats.requests,
        stats.throttled
    );
    assert!(efficiency >= 0.9, "{:.0}% of the ceiling", efficiency * 100.0);
}
