//! A profiling target for the planner (not a benchmark: criterion's `benches/plan.rs` is). Plans
//! Office 365 E1 -> E3 on a generated tenant RUNS times and prints the median and the plan's size,
//! so a profiler can be pointed at `licswap_planner::plan::plan` alone, e.g.
//! `valgrind --tool=callgrind --collect-atstart=no --toggle-collect=licswap_planner::plan::plan
//!  target/release/examples/plan_prof 100000 1` (instruction counts do not depend on machine load).
//! Usage: `cargo run --release -p licswap-planner --features testgen --example plan_prof [USERS] [RUNS]`.
use licswap_planner::testgen;
use std::time::Instant;

fn arg(n: usize, default: usize) -> usize {
    std::env::args().nth(n).and_then(|s| s.parse().ok()).unwrap_or(default)
}

fn main() {
    let (users, runs) = (arg(1, 100_000), arg(2, 7));
    let snapshot = testgen::tenant(users, 1);
    let request = testgen::e1_to_e3();
    let mut times = Vec::new();
    let mut last = None;
    for _ in 0..runs {
        let start = Instant::now();
        let p = licswap_planner::plan(&snapshot, &request).expect("the generated tenant plans");
        times.push(start.elapsed().as_secs_f64() * 1000.0);
        last = Some(p);
    }
    let Some(p) = last else { return };
    times.sort_by(f64::total_cmp);
    println!(
        "{users} users: median {:.1} ms (min {:.1}) over {runs} runs; {} actions, {} findings, {} coverage entries",
        times[times.len() / 2],
        times[0],
        p.actions().count(),
        p.findings.len(),
        p.coverage.len()
    );
}
