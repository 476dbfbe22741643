//! The fault suite (see `licswap_itest::faults`): each scenario applies 1,000+ operations
//! through the real Graph client and executor on the simulator under one kind of trouble, then
//! checks from the simulator's records that nothing was lost or done twice and nobody lost a
//! service. Each test adds its row to the table `cargo xtask test` prints.
use licswap_itest::faults::rig::Bursts;
use licswap_itest::faults::{record, run_scenario, Interference, Scenario};
use licswap_sim::{Faults, ThrottleConfig};

fn run(s: Scenario) {
    let (row, outcome) = run_scenario(&s);
    record(&row, env!("CARGO_TARGET_TMPDIR"));
    assert!(row.operations >= 1_000, "{}: only {} operations", s.name, row.operations);
    assert!(
        outcome.problems.is_empty(),
        "{}: {:#?}",
        s.name,
        &outcome.problems[..outcome.problems.len().min(20)]
    );
    assert_eq!((row.lost, row.duplicated, row.service_losses), (0, 0, 0), "{row:?}");
    assert_eq!(row.done + row.failed + row.stale, row.operations, "{row:?}");
}

#[test]
fn throttle_storm_429_with_retry_after() {
    let mut s = Scenario::new("429 storm", 101);
    s.sim.throttle = ThrottleConfig {
        enabled: true,
        resource_units: 300,
        resource_window_ms: 10_000,
        writes: 40,
        write_window_ms: 10_000,
    };
    run(s);
}

#[test]
fn server_error_bursts() {
    let mut s = Scenario::new("5xx bursts", 102);
    s.sim.faults = Faults { server_error_rate: 0.03, ..Faults::default() };
    s.bursts = Some(Bursts { every: 40, length: 8, rate: 0.9 });
    run(s);
}

#[test]
fn dropped_responses_are_read_back_before_any_resend() {
    let mut s = Scenario::new("dropped responses", 103);
    s.sim.faults = Faults { drop_rate: 0.25, latency_ms: (5, 60), ..Faults::default() };
    run(s);
}

#[test]
fn token_expiry_mid_run() {
    let mut s = Scenario::new("token expiry", 104);
    s.sim.require_auth = true;
    s.sim.token_lifetime_ms = 20_000;
    s.sim.throttle = ThrottleConfig::writes_per_sec(20);
    s.sign_in = true;
    run(s);
}

#[test]
fn crash_and_reload_at_random_points() {
    let mut s = Scenario::new("crash + resume", 105);
    s.sim.faults = Faults { drop_rate: 0.05, ..Faults::default() };
    s.crashes = 8;
    s.max_runs = 16;
    run(s);
}

#[test]
fn targets_changed_after_the_preview_are_refused() {
    let mut s = Scenario::new("stale targets", 106);
    s.interference = Interference::Stale { fraction: 0.1 };
    run(s);
}

#[test]
fn seats_run_out_half_way() {
    let mut s = Scenario::new("seats exhausted", 107);
    s.interference = Interference::SeatsCut { keep_fraction: 0.5 };
    run(s);
}
