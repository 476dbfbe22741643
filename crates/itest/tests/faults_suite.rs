//! The fault suite (see `licswap_itest::faults`): each scenario applies 1,000+ operations
//! through the real Graph client and executor on the simulator under one kind of trouble, then
//! checks from the simulator's records that nothing was lost or done twice and nobody lost a
//! service. Each test adds its row to the table `cargo xtask test` prints.
use licswap_itest::faults::rig::Bursts;
use licswap_itest::faults::{record, run_scenario, Interference, Row, Scenario};
use licswap_sim::{Faults, ThrottleConfig};

fn run(s: Scenario) -> Row {
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
    row
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
    let row = run(s);
    assert!(row.throttled > 1_000 && row.failed == 0, "{row:?}");
}

#[test]
fn server_error_bursts() {
    let mut s = Scenario::new("5xx bursts", 102);
    s.sim.faults = Faults { server_error_rate: 0.03, ..Faults::default() };
    s.bursts = Some(Bursts { every: 40, length: 8, rate: 0.9 });
    let row = run(s);
    assert!(row.server_errors > 300 && row.failed == 0, "{row:?}");
}

#[test]
fn dropped_responses_are_read_back_before_any_resend() {
    let mut s = Scenario::new("dropped responses", 103);
    s.sim.faults = Faults { drop_rate: 0.3, latency_ms: (5, 60), ..Faults::default() };
    let row = run(s);
    assert!(row.lost_responses > 20 && row.read_back > 0 && row.failed == 0, "{row:?}");
}

/// Reads lag writes by up to 4 s (Entra serves reads from replicas): a read-back after a lost
/// answer may show the user as before the write. The executor reads back only once the write is
/// older than its read lag bound (5 s), so it never sends a landed write again and never reports
/// Failed for a change that landed.
#[test]
fn lagging_reads_never_cause_a_second_write() {
    let mut s = Scenario::new("lagging reads", 109);
    s.sim.read_lag_ms = (0, 4_000);
    s.sim.faults = Faults { drop_rate: 0.2, latency_ms: (5, 60), ..Faults::default() };
    let row = run(s);
    assert!(row.lost_responses > 20 && row.read_back > 0 && row.failed == 0, "{row:?}");
}

#[test]
fn token_expiry_mid_run() {
    let mut s = Scenario::new("token expiry", 104);
    s.sim.require_auth = true;
    s.sim.token_lifetime_ms = 20_000;
    s.sim.throttle = ThrottleConfig::writes_per_sec(20);
    s.sign_in = true;
    let row = run(s);
    assert!(row.token_renewals > 0 && row.failed == 0, "{row:?}");
}

#[test]
fn crash_and_reload_at_random_points() {
    let mut s = Scenario::new("crash + resume", 105);
    s.sim.faults = Faults { drop_rate: 0.05, ..Faults::default() };
    s.crashes = 8;
    s.max_runs = 16;
    let row = run(s);
    assert_eq!((row.crashes, row.failed), (8, 0), "{row:?}");
}

#[test]
fn targets_changed_after_the_preview_are_refused() {
    let mut s = Scenario::new("stale targets", 106);
    s.interference = Interference::Stale { fraction: 0.1 };
    let row = run(s);
    // Every changed target is refused (check_run ties each refusal to a change, and back).
    assert!(row.stale > 20 && row.failed == 0, "{row:?}");
}

#[test]
fn seats_run_out_half_way() {
    let mut s = Scenario::new("seats exhausted", 107);
    s.interference = Interference::SeatsCut { keep_fraction: 0.5 };
    let row = run(s);
    // The direct swaps that no longer fit fail with Graph's reason; the group swaps are refused
    // before they are sent, since their members would be left with neither license.
    assert!(row.failed > row.operations / 3 && row.done > row.operations / 3, "{row:?}");
}

#[test]
fn everything_at_once() {
    let mut s = Scenario::new("all of the above", 108);
    s.sim.throttle = ThrottleConfig { writes: 60, write_window_ms: 10_000, ..ThrottleConfig::default() };
    s.sim.faults = Faults { server_error_rate: 0.03, drop_rate: 0.1, latency_ms: (5, 80) };
    s.bursts = Some(Bursts { every: 60, length: 6, rate: 0.9 });
    s.sim.require_auth = true;
    s.sim.token_lifetime_ms = 30_000;
    s.sign_in = true;
    s.crashes = 5;
    s.max_runs = 14;
    s.interference = Interference::Stale { fraction: 0.05 };
    let row = run(s);
    assert!(row.crashes == 5 && row.stale > 0 && row.read_back > 0 && row.token_renewals > 0, "{row:?}");
}
