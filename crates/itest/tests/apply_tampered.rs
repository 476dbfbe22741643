//! A plan is data: one planted in the browser's storage or edited in a file can carry bodies the
//! planner never made, with fingerprints that match the tenant (they travel with the plan). The
//! executor refuses every such write before it is sent (apply/guard.rs), with a clear message, and
//! still applies the untouched actions of the same plan.
use futures::executor::block_on;
use licswap_core::apply::*;
use licswap_core::catalog;
use licswap_core::graph::client::{ClientConfig, GraphClient};
use licswap_core::graph::clock::VirtualClock;
use licswap_core::graph::CancelToken;
use licswap_core::model::AssignedLicense;
use licswap_core::plan::{PlanOptions, PlanRequest, Scope};
use licswap_sim::{fixtures, Sim, SimConfig, SimTransport};
use std::cell::RefCell;
use std::rc::Rc;
use std::sync::Arc;

#[test]
fn tampered_bodies_are_refused_and_the_rest_applies() {
    let sim = Rc::new(RefCell::new(Sim::new(fixtures::demo(), SimConfig::test())));
    let clock = VirtualClock::new(fixtures::FIXTURE_EPOCH_MS);
    let transport = SimTransport::new(sim.clone(), clock.clone());
    let config = ClientConfig { base_url: "/v1.0".into(), ..ClientConfig::default() };
    let client = GraphClient::new(transport, clock.clone(), config).unwrap();
    let snapshot = block_on(client.load_snapshot("STANDARDPACK", &CancelToken::new(), &mut |_| {})).unwrap();
    let request = PlanRequest {
        source: "STANDARDPACK".into(),
        target: "ENTERPRISEPACK".into(),
        scope: Scope::AllHolders,
        options: PlanOptions::default(),
    };
    let mut plan = licswap_planner::plan(&snapshot, &request).unwrap();
    let user_swaps: Vec<(usize, usize)> = plan
        .phases
        .iter()
        .enumerate()
        .flat_map(|(p, ph)| ph.actions.iter().enumerate().map(move |(a, _)| (p, a)))
        .filter(|&(p, a)| {
            let act = &plan.phases[p].actions[a];
            act.target.kind == licswap_core::plan::TargetKind::User && !act.body.add_licenses.is_empty()
        })
        .collect();
    assert!(user_swaps.len() >= 3, "the demo plan swaps users directly");
    // Tampering: one body removes another product, one switches Exchange off.
    let other = catalog::sku("ENTERPRISEPREMIUM").unwrap().sku_id.to_string();
    let exchange = catalog::plan_by_name("EXCHANGE_S_ENTERPRISE").unwrap().id.to_string();
    let (p0, a0) = user_swaps[0];
    Arc::make_mut(&mut plan.phases[p0].actions[a0].body).remove_licenses = vec![other];
    let (p1, a1) = user_swaps[1];
    let body = Arc::make_mut(&mut plan.phases[p1].actions[a1].body);
    body.add_licenses =
        vec![AssignedLicense { sku_id: plan.target.sku_id.as_str().into(), disabled_plans: vec![exchange] }];
    let tampered = [plan.phases[p0].actions[a0].id.clone(), plan.phases[p1].actions[a1].id.clone()];

    let api = GraphLicenseApi::new(&client);
    let store = MemoryStore::new();
    let config = ApplyConfig { refuse_blockers: false, ..ApplyConfig::default() };
    let report =
        block_on(Executor::new(&api, &clock, &store, config, Control::new()).run(&plan, &mut |_| {}))
            .unwrap();
    for id in &tampered {
        match &report.journal.entries[&**id].state {
            EntryState::Failed { code, message, retryable } => {
                assert_eq!(code, REFUSED_CODE);
                assert!(message.contains("not one licswap plans") && !retryable, "{message}");
            }
            other => panic!("a tampered action was not refused: {other:?}"),
        }
    }
    let done = report.journal.counts().done;
    assert!(done > 0, "the untouched actions still applied");
    assert_eq!(sim.borrow().stats.license_writes as usize, done, "nothing tampered was sent");
    assert_eq!(sim.borrow().service_losses(), vec![], "nobody lost a service");
}
