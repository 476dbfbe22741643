//! Throttling (429 with Retry-After) and seeded fault injection through `SimTransport`.
mod common;
use common::*;
use futures::executor::block_on;
use licswap_core::graph::clock::VirtualClock;
use licswap_core::graph::http::{Clock, HttpRequest, Transport, TransportError};
use licswap_sim::{Faults, Sim, SimConfig, SimTransport, ThrottleConfig};
use std::cell::RefCell;
use std::rc::Rc;

fn throttled() -> SimConfig {
    SimConfig { throttle: ThrottleConfig::writes_per_sec(1), ..demo_config() }
}

both!(writes_beyond_the_ceiling_get_429_with_retry_after, throttled(), |h: &mut dyn Harness| {
    let mut users = Vec::new();
    h.with_sim(&mut |s| {
        users = s
            .tenant()
            .users
            .iter()
            .filter(|u| u.inherited.is_empty() && u.usage_location.is_some())
            .map(|u| u.id.clone())
            .collect()
    });
    let mut statuses = Vec::new();
    let mut retry_after = None;
    for u in users.iter().take(12) {
        let r = h.send(HttpRequest::post_json(
            url(h, &format!("/v1.0/users/{u}/assignLicense")),
            r#"{"addLicenses":[],"removeLicenses":[]}"#,
        ));
        if r.status == 429 {
            retry_after = r.header("Retry-After").map(String::from);
            assert_eq!(r.header("x-ms-throttle-information"), Some("WriteLimitExceeded"));
            assert_eq!(error_code(&parse(&r)), "TooManyRequests");
        }
        statuses.push(r.status);
    }
    // 1 write/s with a 10 s burst: ten pass, then 429s.
    assert_eq!(statuses.iter().filter(|s| **s == 200).count(), 10, "{statuses:?}");
    let secs: u64 = retry_after.expect("a 429").parse().unwrap();
    assert!((1..=2).contains(&secs));
    // Reads are charged resource units, not writes: still fine.
    assert_eq!(get(h, "/v1.0/users?$top=1").0, 200);
    h.wait(secs * 1000);
    let r = h.send(HttpRequest::post_json(
        url(h, &format!("/v1.0/users/{}/assignLicense", users[0])),
        r#"{"addLicenses":[],"removeLicenses":[]}"#,
    ));
    assert_eq!(r.status, 200, "after Retry-After the write goes through");
});

#[test]
fn resource_units_throttle_reads_with_documented_costs() {
    let cfg = SimConfig {
        throttle: ThrottleConfig { resource_units: 30, ..ThrottleConfig::default() },
        ..demo_config()
    };
    let mut h = InProc::new(demo_sim(cfg));
    // GET /subscribedSkus costs 3: ten fit in 30 units.
    let ok = (0..12).filter(|_| get(&mut h, "/v1.0/subscribedSkus").0 == 200).count();
    assert_eq!(ok, 10);
    assert_eq!(h.sim.stats.throttled, 2);
}

fn transport(faults: Faults, seed: u64) -> SimTransport<VirtualClock> {
    let cfg = SimConfig { seed, faults, ..demo_config() };
    SimTransport::new(
        Rc::new(RefCell::new(Sim::new(licswap_sim::fixtures::demo(), cfg))),
        VirtualClock::new(1_800_000_000_000),
    )
}

fn outcomes(t: &SimTransport<VirtualClock>, n: usize) -> Vec<String> {
    (0..n)
        .map(|_| {
            match block_on(t.send(HttpRequest::get("https://graph.microsoft.com/v1.0/subscribedSkus"))) {
                Ok(r) => r.status.to_string(),
                Err(TransportError::ResponseLost(_)) => "lost".into(),
                Err(e) => e.to_string(),
            }
        })
        .collect()
}

#[test]
fn faults_are_seeded_and_reproducible() {
    let faults = Faults { server_error_rate: 0.2, drop_rate: 0.1, latency_ms: (5, 50) };
    let a = outcomes(&transport(faults.clone(), 7), 200);
    let b = outcomes(&transport(faults.clone(), 7), 200);
    let c = outcomes(&transport(faults, 8), 200);
    assert_eq!(a, b);
    assert_ne!(a, c);
    let count = |x: &str| a.iter().filter(|o| *o == x).count();
    assert!((20..=60).contains(&count("503")), "{}", count("503"));
    assert!((8..=35).contains(&count("lost")), "{}", count("lost"));
}

#[test]
fn latency_sleeps_on_the_clock() {
    let t = transport(Faults { latency_ms: (100, 100), ..Faults::default() }, 1);
    let start = t.clock().now_ms();
    block_on(t.send(HttpRequest::get("/v1.0/me"))).unwrap();
    assert_eq!(t.clock().now_ms() - start, 100);
}

#[test]
fn a_dropped_response_was_still_processed() {
    let t = transport(Faults { drop_rate: 1.0, ..Faults::default() }, 3);
    let user = t
        .sim()
        .borrow()
        .tenant()
        .users
        .iter()
        .find(|u| u.inherited.is_empty() && u.direct.len() == 1 && u.usage_location.is_some())
        .unwrap()
        .id
        .clone();
    let req = HttpRequest::post_json(
        format!("https://graph.microsoft.com/v1.0/users/{user}/assignLicense"),
        swap_body(E3, E1).to_string(),
    );
    let r = block_on(t.send(req));
    assert!(matches!(r, Err(TransportError::ResponseLost(_))));
    let sim = t.sim().borrow();
    let u = sim.tenant().user_ix(&user).unwrap();
    let skus: Vec<String> =
        sim.tenant().consumed_skus(u).iter().map(|&s| sim.tenant().skus[s as usize].sku_id.clone()).collect();
    assert_eq!(skus, vec![E3.to_string()], "the swap happened although the caller never heard");
}

#[test]
fn injected_5xx_are_not_processed() {
    let t = transport(Faults { server_error_rate: 1.0, ..Faults::default() }, 3);
    let user = t
        .sim()
        .borrow()
        .tenant()
        .users
        .iter()
        .find(|u| u.inherited.is_empty() && u.direct.len() == 1)
        .unwrap()
        .id
        .clone();
    let req = HttpRequest::post_json(
        format!("https://graph.microsoft.com/v1.0/users/{user}/assignLicense"),
        swap_body(E3, E1).to_string(),
    );
    let r = block_on(t.send(req)).unwrap();
    assert_eq!(r.status, 503);
    assert!(r.header("Retry-After").is_some());
    assert!(t.sim().borrow().history().is_empty());
}

#[test]
fn group_processing_follows_the_transport_clock() {
    let t = transport(Faults::default(), 1);
    let sales = t.sim().borrow().tenant().groups[0].id.clone();
    let req =
        HttpRequest::post_json(format!("/v1.0/groups/{sales}/assignLicense"), swap_body(E3, E1).to_string());
    assert_eq!(block_on(t.send(req)).unwrap().status, 202);
    assert!(t.sim().borrow().processing_pending());
    t.clock().advance(300);
    block_on(t.send(HttpRequest::get("/v1.0/me"))).unwrap();
    assert!(!t.sim().borrow().processing_pending());
}
