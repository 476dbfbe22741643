//! The planner, as the app calls it: timed with a User Timing measure (`licswap:plan`, read by
//! the benchmarks), errors become sentences for the screen.
use licswap_core::plan::{Plan, PlanRequest, Snapshot};

pub fn plan_timed(snapshot: &Snapshot, request: &PlanRequest) -> Result<Plan, String> {
    crate::timing::start("licswap:plan");
    reserve_for_plan(snapshot);
    let planned = licswap_planner::plan(snapshot, request);
    crate::timing::end("licswap:plan");
    planned.map_err(|e| crate::text::sentence(&e.to_string()))
}

/// Heap a plan takes per user of the snapshot, about: a million users' plan grew the page's
/// heap by 250 MB (the million-user preview of `cargo xtask bench`: its memory after the load and
/// after the plan); 100,000 generated users' by 40 MB (the planner's wasm in node).
const PLAN_BYTES_PER_USER: usize = 256;

/// Grows the wasm heap in one step by what the plan will take, before the planner runs. The
/// allocator otherwise grows it a little at a time as the plan's output fills up, and in V8 that
/// cost the plan as much as the planning: 100,000 generated users planned in 456 to 564 ms on a
/// fresh heap and in 224 to 234 ms with the heap grown first (the planner compiled for wasm32 in
/// the release profile, run in node; the runs after, which find the heap grown, take about 105 ms
/// either way). The block is freed at
/// once and the plan's allocations reuse it, so the heap's peak does not change unless the plan
/// takes less than this (wasm memory never shrinks; 256 bytes a user is below what both
/// measurements took). Only the page's heap: natively the allocator maps and unmaps big blocks.
pub fn reserve_for_plan(snapshot: &Snapshot) {
    if cfg!(target_arch = "wasm32") {
        let mut block: Vec<u8> = Vec::new();
        // Not enough memory is not an error here: the planner then grows the heap as it goes.
        let _ = block.try_reserve_exact(snapshot.users.len().saturating_mul(PLAN_BYTES_PER_USER));
        // The allocation must happen although nothing reads the block.
        std::hint::black_box(&block);
    }
}
