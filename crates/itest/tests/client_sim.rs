//! licswap-core's Graph client against the simulator: paging across many pages, `$batch` with
//! mixed results, throttling honoured through `Retry-After`, 5xx exhaustion reported, lost
//! responses, token renewal, cancellation.
use futures::executor::block_on;
use futures::future::LocalBoxFuture;
use licswap_core::graph::batch::get_item;
use licswap_core::graph::calls::assign_license_item;
use licswap_core::graph::http::Clock;
use licswap_core::graph::{
    AccessToken, CancelToken, ClientConfig, GraphError, LoadPhase, LoadProgress, TokenSource,
};
use licswap_core::model::{AssignLicenseBody, AssignedLicense, User};
use licswap_core::plan::TargetKind;
use licswap_itest::{client_config, holders, ids, sim_client, sku_id};
use licswap_sim::fixtures::{demo, generate};
use licswap_sim::{Faults, Sim, SimConfig, ThrottleConfig, DEFAULT_CLIENT_ID};
use std::cell::RefCell;
use std::rc::Rc;

#[test]
fn holders_are_read_across_many_pages() {
    let truth = licswap_sim::Sim::new(generate(7, 3_000), SimConfig::test()).snapshot();
    let e1 = sku_id(&truth, "STANDARDPACK");
    let expected = holders(&truth, &e1);
    assert!(expected.len() > 2_000, "the generated tenant has E1 holders: {}", expected.len());

    let cfg = ClientConfig { page_size: 100, ..client_config() };
    let (c, sim) = sim_client(generate(7, 3_000), SimConfig::test(), cfg);
    let mut counts = Vec::new();
    let users = block_on(c.users_with_sku(&e1, &CancelToken::new(), &mut |n| counts.push(n))).unwrap();
    assert_eq!(ids(users.iter().map(|u| &u.id)), expected);
    let pages = expected.len().div_ceil(100);
    assert_eq!(counts.len(), pages);
    assert_eq!(c.stats().requests as usize, pages);
    assert_eq!(sim.borrow().stats.graph_requests as usize, pages);
    // Every user arrives with the fields the planner reads.
    assert!(users.iter().all(|u| u.user_principal_name.is_some() && !u.license_assignment_states.is_empty()));
}

#[test]
fn a_batch_with_mixed_results() {
    let (c, _sim) = sim_client(demo(), SimConfig::test(), client_config());
    let truth = Sim::new(demo(), SimConfig::test()).snapshot();
    let e1 = sku_id(&truth, "STANDARDPACK");
    let e3 = sku_id(&truth, "ENTERPRISEPACK");
    let someone =
        truth.users.iter().find(|u| u.license_assignment_states.iter().any(|s| s.is_direct())).unwrap();
    let missing = "00000000-0000-4000-8000-00000000dead";
    let swap = AssignLicenseBody {
        add_licenses: vec![AssignedLicense { sku_id: e3.as_str().into(), disabled_plans: vec![] }],
        remove_licenses: vec![e1.clone()],
    };
    let items = vec![
        get_item("read", format!("/users/{}?$select=id,assignedLicenses", someone.id)),
        get_item("missing", format!("/users/{missing}")),
        assign_license_item("write-missing", TargetKind::User, missing, &swap).unwrap(),
        get_item("bad", "/users?$top=5000"),
    ];
    let out = block_on(c.batch(items, &CancelToken::new())).unwrap();
    assert_eq!(out[0].result.as_ref().unwrap().status, 200);
    assert_eq!(out[0].result.as_ref().unwrap().read::<serde_json::Value>("a user").unwrap()["id"], someone.id.as_str());
    let not_found = out[1].result.as_ref().unwrap_err();
    assert_eq!((not_found.status(), not_found.graph_code()), (Some(404), Some("Request_ResourceNotFound")));
    assert_eq!(out[2].result.as_ref().unwrap_err().status(), Some(404));
    assert_eq!(out[3].result.as_ref().unwrap_err().status(), Some(400));
    assert_eq!(c.stats().requests, 1);
}

#[test]
fn throttled_reads_wait_retry_after_then_succeed() {
    // A quota of 40 resource units per 10 s: a $batch of 20 user reads costs more than that.
    let throttle =
        ThrottleConfig { resource_units: 40, resource_window_ms: 10_000, ..ThrottleConfig::default() };
    let sim_cfg = SimConfig { throttle, ..SimConfig::test() };
    let (c, sim) = sim_client(demo(), sim_cfg, client_config());
    let truth = Sim::new(demo(), SimConfig::test()).snapshot();
    let user_ids: Vec<String> = truth.users.iter().take(60).map(|u| u.id.clone()).collect();
    let start = c.clock().now_ms();
    let out = block_on(c.users_batch(&user_ids, &CancelToken::new())).unwrap();
    assert!(out.iter().all(|(_, u)| u.is_ok()), "{:?}", out.iter().find(|(_, u)| u.is_err()));
    let s = c.stats();
    assert!(s.throttled > 0, "the quota was hit: {s:?}");
    assert_eq!(s.throttled, sim.borrow().stats.throttled);
    assert!(s.retries > 0);
    assert!(c.clock().now_ms() - start >= 1_000, "waited for Retry-After");
    assert_eq!(s.waited_ms, c.clock().now_ms() - start);
}

#[test]
fn a_single_throttled_read_honours_retry_after() {
    let throttle =
        ThrottleConfig { resource_units: 3, resource_window_ms: 10_000, ..ThrottleConfig::default() };
    let (c, sim) = sim_client(demo(), SimConfig { throttle, ..SimConfig::test() }, client_config());
    let truth = Sim::new(demo(), SimConfig::test()).snapshot();
    for u in truth.users.iter().take(4) {
        let read: User = block_on(c.get(&format!("/users/{}", u.id), "a user")).unwrap();
        assert_eq!(read.id, u.id);
    }
    assert!(sim.borrow().stats.throttled >= 1);
    assert!(c.stats().waited_ms >= 1_000);
}

#[test]
fn server_errors_that_never_stop_are_reported_as_exhaustion() {
    let faults = Faults { server_error_rate: 1.0, ..Faults::default() };
    let (c, sim) = sim_client(demo(), SimConfig { faults, ..SimConfig::test() }, client_config());
    let err = block_on(c.list_skus()).unwrap_err();
    match &err {
        GraphError::RetriesExhausted { attempts, last } => {
            assert_eq!(*attempts, 6);
            assert_eq!(last.status(), Some(503));
        }
        other => panic!("expected exhaustion, got {other:?}"),
    }
    assert_eq!(sim.borrow().stats.injected_5xx, 6);
    assert!(err.to_string().contains("Gave up after 6 attempts"), "{err}");
}

#[test]
fn lost_and_failed_responses_do_not_break_a_load() {
    let faults = Faults { server_error_rate: 0.2, drop_rate: 0.2, ..Faults::default() };
    let sim_cfg = SimConfig { faults, seed: 3, ..SimConfig::test() };
    let cfg = ClientConfig { page_size: 100, ..client_config() };
    let (c, sim) = sim_client(generate(5, 2_000), sim_cfg, cfg);
    let snap = block_on(c.load_snapshot("STANDARDPACK", &CancelToken::new(), &mut |_| {})).unwrap();
    let truth = Sim::new(generate(5, 2_000), SimConfig::test()).snapshot();
    let e1 = sku_id(&truth, "STANDARDPACK");
    assert!(holders(&truth, &e1).is_subset(&ids(snap.users.iter().map(|u| &u.id))));
    let injected = sim.borrow().stats.injected_5xx;
    assert!(injected > 0 && c.stats().retries >= injected, "faults were injected ({injected}) and retried");
}

#[test]
fn a_lost_write_is_an_unknown_outcome_not_a_resend() {
    let faults = Faults { drop_rate: 1.0, ..Faults::default() };
    let (c, sim) = sim_client(demo(), SimConfig { faults, ..SimConfig::test() }, client_config());
    let truth = Sim::new(demo(), SimConfig::test()).snapshot();
    let e1 = sku_id(&truth, "STANDARDPACK");
    let e3 = sku_id(&truth, "ENTERPRISEPACK");
    let direct = truth
        .users
        .iter()
        .find(|u| u.license_assignment_states.iter().any(|s| s.is_direct() && s.sku_id == e1))
        .unwrap();
    let swap = AssignLicenseBody {
        add_licenses: vec![AssignedLicense { sku_id: e3.into(), disabled_plans: vec![] }],
        remove_licenses: vec![e1],
    };
    let write = assign_license_item("w", TargetKind::User, &direct.id, &swap).unwrap();
    let out = block_on(c.batch(vec![write], &CancelToken::new())).unwrap();
    let err = out[0].result.clone().unwrap_err();
    assert!(matches!(err, GraphError::UnknownOutcome { .. }), "{err:?}");
    assert_eq!(sim.borrow().stats.license_writes, 1, "sent once, applied once");
}

const READ_SCOPES: &[&str] = &["Organization.Read.All", "User.Read.All", "Group.Read.All"];

/// Hands out tokens from the simulator; the first one is already expired.
struct SimTokens {
    sim: Rc<RefCell<Sim>>,
    now: Box<dyn Fn() -> u64>,
    current: RefCell<String>,
    renewals: RefCell<u32>,
}

impl TokenSource for SimTokens {
    fn token(&self) -> LocalBoxFuture<'_, Result<Option<AccessToken>, GraphError>> {
        let t = AccessToken::new(self.current.borrow().clone());
        Box::pin(async move { Ok(Some(t)) })
    }

    fn renew(&self) -> LocalBoxFuture<'_, Result<(), GraphError>> {
        *self.renewals.borrow_mut() += 1;
        let scopes = READ_SCOPES;
        *self.current.borrow_mut() =
            self.sim.borrow_mut().issue_token(DEFAULT_CLIENT_ID, scopes, (self.now)());
        Box::pin(async { Ok(()) })
    }
}

#[test]
fn an_expired_token_is_renewed_once_and_the_call_succeeds() {
    let sim_cfg = SimConfig { require_auth: true, throttle: ThrottleConfig::off(), ..SimConfig::default() };
    let (c, sim) = sim_client(demo(), sim_cfg, client_config());
    let lifetime = sim.borrow().config.token_lifetime_ms;
    let scopes = READ_SCOPES;
    let old = sim.borrow_mut().issue_token(DEFAULT_CLIENT_ID, scopes, c.clock().now_ms());
    c.clock().advance(lifetime + 1);
    let clock = c.clock().clone();
    let tokens = Rc::new(SimTokens {
        sim: sim.clone(),
        now: Box::new(move || clock.now_ms()),
        current: RefCell::new(old),
        renewals: RefCell::new(0),
    });
    let c = c.with_tokens(tokens.clone());
    let skus = block_on(c.list_skus()).unwrap();
    assert!(!skus.is_empty());
    assert_eq!(*tokens.renewals.borrow(), 1);
    assert_eq!(c.stats().requests, 2);
}

#[test]
fn cancelling_a_load_stops_it_between_pages() {
    let cfg = ClientConfig { page_size: 50, ..client_config() };
    let (c, sim) = sim_client(generate(9, 2_000), SimConfig::test(), cfg);
    let token = CancelToken::new();
    let mut holder_reports = 0;
    let result = block_on(c.load_snapshot("STANDARDPACK", &token, &mut |p| {
        if p.phase == LoadPhase::Holders && p.done > 0 {
            holder_reports += 1;
            if holder_reports == 3 {
                token.cancel();
            }
        }
    }));
    assert_eq!(result.unwrap_err(), GraphError::Cancelled);
    let sent = c.stats().requests;
    // SKUs, 3 holder pages, and what the groups branch had under way; far from the 40+ pages.
    assert!(sent <= 8, "sent {sent}");
    assert_eq!(sim.borrow().stats.requests, sent);
}

/// The wizard's case: a second load starts on the same client while the first still runs, and
/// the first is cancelled (the app cancels a load whose source the admin has left). The first
/// stops after a few requests; the second reads everything, as it would alone.
#[test]
fn a_superseded_load_stops_while_the_new_one_completes() {
    let cfg = ClientConfig { page_size: 50, ..client_config() };
    let (alone, _) = sim_client(generate(9, 2_000), SimConfig::test(), cfg.clone());
    let expected = block_on(alone.load_snapshot("STANDARDPACK", &CancelToken::new(), &mut |_| {})).unwrap();
    let requests_alone = alone.stats().requests;

    let (c, sim) = sim_client(generate(9, 2_000), SimConfig::test(), cfg);
    let stale = CancelToken::new();
    let current = CancelToken::new();
    let mut holder_reports = 0;
    let mut watch_first = |p: LoadProgress| {
        if p.phase == LoadPhase::Holders && p.done > 0 {
            holder_reports += 1;
            if holder_reports == 3 {
                stale.cancel();
            }
        }
    };
    let (first, second) = block_on(futures::future::join(
        c.load_snapshot("STANDARDPACK", &stale, &mut watch_first),
        c.load_snapshot("STANDARDPACK", &current, &mut |_| {}),
    ));
    assert_eq!(first.unwrap_err(), GraphError::Cancelled);
    let second = second.unwrap();
    assert_eq!(ids(second.users.iter().map(|u| &u.id)), ids(expected.users.iter().map(|u| &u.id)));
    let stale_share = c.stats().requests - requests_alone;
    assert!(stale_share <= 8, "the cancelled load sent {stale_share} requests");
    assert_eq!(sim.borrow().stats.requests, c.stats().requests);
}
