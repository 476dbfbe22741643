//! End to end, natively: load a simulated tenant through licswap's Graph client, plan E1 -> E3,
//! apply through the client on SimTransport, then check the journal against the tenant: every
//! action done exactly once, verify all green, nobody ever without a service.
use futures::executor::block_on;
use licswap_core::apply::*;
use licswap_core::graph::client::{ClientConfig, GraphClient};
use licswap_core::graph::clock::VirtualClock;
use licswap_core::graph::CancelToken;
use licswap_core::plan::{Plan, PlanOptions, PlanRequest, Scope};
use licswap_planner::plan;
use licswap_sim::{fixtures, Faults, Sim, SimConfig, SimTransport};
use std::cell::RefCell;
use std::rc::Rc;

struct Rig {
    sim: Rc<RefCell<Sim>>,
    clock: VirtualClock,
    client: GraphClient<SimTransport<VirtualClock>, VirtualClock>,
}

fn rig(sim: Sim) -> Rig {
    let sim = Rc::new(RefCell::new(sim));
    let clock = VirtualClock::new(fixtures::FIXTURE_EPOCH_MS);
    let transport = SimTransport::new(sim.clone(), clock.clone());
    let config = ClientConfig { base_url: "/v1.0".into(), ..ClientConfig::default() };
    let client = GraphClient::new(transport, clock.clone(), config).expect("client");
    Rig { sim, clock, client }
}

fn plan_e1_to_e3(rig: &Rig) -> Plan {
    let snapshot = block_on(rig.client.load_snapshot("STANDARDPACK", &CancelToken::new(), &mut |_| {}))
        .expect("snapshot");
    let request = PlanRequest {
        source: "STANDARDPACK".into(),
        target: "ENTERPRISEPACK".into(),
        scope: Scope::AllHolders,
        options: PlanOptions::default(),
    };
    plan(&snapshot, &request).expect("plan")
}

fn apply(rig: &Rig, plan: &Plan, store: &MemoryStore) -> RunReport {
    let api = GraphLicenseApi::new(&rig.client);
    // The planner leaves subjects with a blocker out of the actions, so the actions of a plan
    // with blockers are still safe: the test applies what can be applied.
    let config = ApplyConfig { refuse_blockers: false, ..ApplyConfig::default() };
    let ex = Executor::new(&api, &rig.clock, store, config, Control::new());
    block_on(ex.run(plan, &mut |_| {})).expect("run")
}

fn check_against_tenant(rig: &Rig, plan: &Plan, report: &RunReport) {
    let api = GraphLicenseApi::new(&rig.client);
    let v = block_on(verify(&api, plan, &report.journal, 20));
    assert!(
        v.all_ok(),
        "{:?}",
        v.items.iter().filter(|i| i.outcome != VerifyOutcome::Ok).take(5).collect::<Vec<_>>()
    );
    assert_eq!(v.ok(), report.journal.counts().done);
    let sim = rig.sim.borrow();
    assert_eq!(
        sim.stats.license_writes as usize,
        report.journal.counts().done,
        "each action applied exactly once"
    );
    assert_eq!(sim.service_losses(), vec![], "nobody lost a service at any moment");
}

#[test]
fn demo_tenant_as_shipped_is_refused_for_its_blockers() {
    let rig = rig(Sim::new(fixtures::demo(), SimConfig::test()));
    let plan = plan_e1_to_e3(&rig);
    assert!(plan.has_blockers());
    let api = GraphLicenseApi::new(&rig.client);
    let store = MemoryStore::new();
    let ex = Executor::new(&api, &rig.clock, &store, ApplyConfig::default(), Control::new());
    let err = block_on(ex.run(&plan, &mut |_| {})).unwrap_err();
    assert!(matches!(err, ApplyError::Blocked(n) if n == plan.blockers().count()), "{err}");
    assert_eq!(rig.sim.borrow().stats.license_writes, 0);
}

#[test]
fn demo_tenant_e1_to_e3() {
    // The demo is short of E3 seats on purpose; the admin buys enough first. The users with a
    // blocker of their own (a conflict, no usage location) have no action in the plan.
    let mut tenant = fixtures::demo();
    tenant.add_sku("ENTERPRISEPACK", 200).unwrap();
    let rig = rig(Sim::new(tenant, SimConfig::test()));
    let plan = plan_e1_to_e3(&rig);
    let actions = plan.actions().count();
    assert!(actions > 10 && plan.phases.len() == 2, "{actions}");
    let store = MemoryStore::new();
    let report = apply(&rig, &plan, &store);
    assert_eq!(report.outcome, RunOutcome::Completed, "{:?}", report.notes);
    let c = report.journal.counts();
    assert_eq!((c.done, c.failed, c.stale), (actions, 0, 0), "{:?}", report.journal);
    assert!(!report.groups.is_empty() && report.groups.iter().all(|g| g.settled));
    check_against_tenant(&rig, &plan, &report);
    // The journal in the store is the final one, and a rerun sends nothing.
    assert_eq!(store.load().unwrap().unwrap(), report.journal);
    let writes = rig.sim.borrow().stats.license_writes;
    apply(&rig, &plan, &store);
    assert_eq!(rig.sim.borrow().stats.license_writes, writes);
}

#[test]
fn generated_tenant_with_throttling_and_lost_responses() {
    let config = SimConfig {
        throttle: licswap_sim::ThrottleConfig { writes: 50, write_window_ms: 10_000, ..Default::default() },
        faults: Faults { server_error_rate: 0.02, latency_ms: (20, 80), drop_rate: 0.2 },
        ..SimConfig::test()
    };
    let mut tenant = fixtures::generate(7, 600);
    tenant.record_history = true;
    tenant.add_sku("ENTERPRISEPACK", 2_000).unwrap();
    let rig = rig(Sim::new(tenant, config));
    let plan = plan_e1_to_e3(&rig);
    let actions = plan.actions().count();
    assert!(actions > 200, "{actions}");
    let store = MemoryStore::new();
    let mut report = apply(&rig, &plan, &store);
    let mut runs = 1;
    // Faults may leave a few actions for another run (unknown outcomes the client could not
    // settle in this run, or retryable failures); resuming finishes them without repeating any.
    for _ in 0..3 {
        if report.outcome == RunOutcome::Completed && report.journal.counts().failed == 0 {
            break;
        }
        let mut j = store.load().unwrap().unwrap();
        j.reopen_retryable(0);
        store.save(&j).unwrap();
        report = apply(&rig, &plan, &store);
        runs += 1;
    }
    let confirmed = report.journal.entries.values().filter(|e| e.note.is_some()).count();
    let stats = rig.sim.borrow().stats.clone();
    println!(
        "{actions} actions in {runs} run(s); {confirmed} settled by read-back after a lost response; \
         sim: {} requests, {} throttled, {} injected 5xx, {} license writes",
        stats.requests, stats.throttled, stats.injected_5xx, stats.license_writes
    );
    let c = report.journal.counts();
    assert_eq!(report.outcome, RunOutcome::Completed, "{:?} {:?}", report.notes, c);
    assert_eq!((c.done, c.failed, c.stale), (actions, 0, 0));
    assert!(stats.throttled > 0, "the run was throttled");
    assert!(confirmed > 0, "some writes lost their response and were settled by reading back");
    check_against_tenant(&rig, &plan, &report);
}

/// Applying what is clear: on the generated 400-user tenant that sim-server serves with
/// `--users 400`, two users with a blocker of their own stop Apply for everyone else. Set aside,
/// the same actions apply (with Apply's blocker check on), the set-aside users are untouched, and
/// the report keeps them as not done, with why.
#[test]
fn set_aside_blocked_users_and_apply_the_rest() {
    let mut tenant = fixtures::generate(SimConfig::test().seed, 400);
    tenant.record_history = true;
    let rig = rig(Sim::new(tenant, SimConfig::test()));
    let snapshot = block_on(rig.client.load_snapshot("STANDARDPACK", &CancelToken::new(), &mut |_| {}))
        .expect("snapshot");
    let mut request = PlanRequest {
        source: "STANDARDPACK".into(),
        target: "ENTERPRISEPACK".into(),
        scope: Scope::AllHolders,
        // The generated tenant is short of E3 seats: a first wave of what fits, as the issue's
        // "2 users block Apply for the other 325" was seen.
        options: PlanOptions { allow_partial_wave: true, ..PlanOptions::default() },
    };
    let blocked = plan(&snapshot, &request).expect("plan");
    let blocked_subjects: std::collections::BTreeSet<String> =
        blocked.blockers().map(|f| f.subject.id.clone()).collect();
    assert!(
        blocked_subjects.len() == 2 && blocked.actions().count() > 100,
        "a few block many: {} blocked, {} actions, {:?}",
        blocked_subjects.len(),
        blocked.actions().count(),
        blocked.blockers().map(|f| (&f.subject.name, f.code)).collect::<Vec<_>>()
    );
    request.options.set_aside_blocked = true;
    let plan = plan(&snapshot, &request).expect("plan");
    assert!(!plan.has_blockers(), "{:?}", plan.blockers().next());
    assert_eq!(plan.phases, blocked.phases, "setting aside changes no action");
    let aside: std::collections::BTreeSet<String> =
        plan.set_aside.iter().map(|s| s.subject.id.clone()).collect();
    assert_eq!(aside, blocked_subjects);

    let api = GraphLicenseApi::new(&rig.client);
    let store = MemoryStore::new();
    let ex = Executor::new(&api, &rig.clock, &store, ApplyConfig::default(), Control::new());
    let report =
        block_on(ex.run(&plan, &mut |_| {})).expect("Apply accepts a plan whose blockers are set aside");
    assert_eq!(report.outcome, RunOutcome::Completed, "{:?}", report.notes);
    check_against_tenant(&rig, &plan, &report);

    let after = block_on(rig.client.load_snapshot("STANDARDPACK", &CancelToken::new(), &mut |_| {}))
        .expect("snapshot");
    for id in &aside {
        let lics = |s: &licswap_core::plan::Snapshot| {
            s.users.iter().find(|u| &u.id == id).map(|u| u.license_assignment_states.clone())
        };
        assert_eq!(lics(&after), lics(&snapshot), "{id} was set aside and is untouched");
    }
    let csv = report_csv(&plan, &report.journal, None);
    let rows: Vec<&str> = csv.lines().filter(|l| l.contains(",set aside,")).collect();
    assert_eq!(rows.len(), aside.len(), "{csv}");
    for s in &plan.set_aside {
        assert!(
            rows.iter().any(|r| r.contains(&s.subject.id) && r.contains(s.why[0].split(':').next().unwrap())),
            "{}",
            s.subject.id
        );
    }
}
