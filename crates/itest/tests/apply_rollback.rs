//! Apply, verify, then roll back through the real client on the simulator: the tenant's license
//! state ends exactly as it started.
use futures::executor::block_on;
use licswap_core::apply::*;
use licswap_core::graph::client::{ClientConfig, GraphClient};
use licswap_core::graph::clock::VirtualClock;
use licswap_core::graph::CancelToken;
use licswap_core::plan::{fingerprint_user, Plan, PlanOptions, PlanRequest, Scope, Snapshot};
use licswap_planner::plan;
use licswap_sim::{fixtures, Sim, SimConfig, SimTransport};
use std::cell::RefCell;
use std::collections::BTreeMap;
use std::rc::Rc;

type Client = GraphClient<SimTransport<VirtualClock>, VirtualClock>;

fn run(client: &Client, clock: &VirtualClock, plan: &Plan) -> RunReport {
    let api = GraphLicenseApi::new(client);
    let store = MemoryStore::new();
    let config = ApplyConfig { refuse_blockers: false, ..ApplyConfig::default() };
    let ex = Executor::new(&api, clock, &store, config, Control::new());
    block_on(ex.run(plan, &mut |_| {})).expect("run")
}

fn license_state(sim: &Rc<RefCell<Sim>>) -> BTreeMap<String, String> {
    let snap: Snapshot = sim.borrow().snapshot();
    let mut m: BTreeMap<String, String> =
        snap.users.iter().map(|u| (u.id.clone(), fingerprint_user(u))).collect();
    for g in &snap.groups {
        m.insert(g.group.id.clone(), licswap_core::plan::fingerprint_group(&g.group));
    }
    m
}

#[test]
fn rollback_restores_the_demo_tenant() {
    let mut tenant = fixtures::demo();
    tenant.add_sku("ENTERPRISEPACK", 200).unwrap();
    let sim = Rc::new(RefCell::new(Sim::new(tenant, SimConfig::test())));
    let clock = VirtualClock::new(fixtures::FIXTURE_EPOCH_MS);
    let config = ClientConfig { base_url: "/v1.0".into(), ..ClientConfig::default() };
    let client =
        GraphClient::new(SimTransport::new(sim.clone(), clock.clone()), clock.clone(), config).unwrap();
    let before = license_state(&sim);

    let snapshot = block_on(client.load_snapshot("STANDARDPACK", &CancelToken::new(), &mut |_| {})).unwrap();
    let request = PlanRequest {
        source: "STANDARDPACK".into(),
        target: "ENTERPRISEPACK".into(),
        scope: Scope::AllHolders,
        options: PlanOptions::default(),
    };
    let plan = plan(&snapshot, &request).unwrap();
    let applied = run(&client, &clock, &plan);
    assert_eq!(applied.outcome, RunOutcome::Completed);
    assert_ne!(license_state(&sim), before);

    let api = GraphLicenseApi::new(&client);
    let verified = block_on(verify(&api, &plan, &applied.journal, 20));
    assert!(verified.all_ok());
    let rb = rollback_plan(&plan, &applied.journal, &verified);
    assert!(rb.left_out.is_empty(), "{:?}", rb.left_out);
    assert_eq!(rb.plan.actions().count(), plan.actions().count());
    // Groups go back first: a direct E1 next to a group's E3 is refused by Graph.
    assert!(rb.plan.phases[0].actions.iter().any(|a| a.target.kind == licswap_core::plan::TargetKind::Group));

    let rolled = run(&client, &clock, &rb.plan);
    assert_eq!(rolled.outcome, RunOutcome::Completed, "{:?}", rolled.notes);
    let c = rolled.journal.counts();
    assert_eq!((c.done, c.failed, c.stale), (plan.actions().count(), 0, 0));
    let after = license_state(&sim);
    let changed: Vec<&String> = before.keys().filter(|k| before.get(*k) != after.get(*k)).collect();
    assert!(changed.is_empty(), "{} targets differ from before the swap: {changed:?}", changed.len());
}
