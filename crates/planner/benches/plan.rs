//! Planning time for generated tenants of 1k, 10k and 100k users (Office 365 E1 -> E3, every
//! holder). The tenants come from `licswap_planner::testgen` (feature `testgen`, enabled for
//! benches by the dev-dependency on this crate). Run: `cargo bench -p licswap-planner --bench plan`.
use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion};
use licswap_planner::testgen;
use std::hint::black_box;

fn bench(c: &mut Criterion) {
    let mut g = c.benchmark_group("plan");
    g.sample_size(20);
    let request = testgen::e1_to_e3();
    for users in [1_000usize, 10_000, 100_000] {
        let snapshot = testgen::tenant(users, 1);
        g.bench_with_input(BenchmarkId::new("e1_to_e3", users), &snapshot, |b, s| {
            // The plan is kept by its caller (the preview screen); freeing it is not planning.
            b.iter_with_large_drop(|| {
                licswap_planner::plan(black_box(s), black_box(&request)).expect("plans")
            })
        });
    }
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
