//! The planner, as the app calls it: timed with a User Timing measure (`licswap:plan`, read by
//! the benchmarks), errors become sentences for the screen.
use licswap_core::plan::{Plan, PlanRequest, Snapshot};

pub fn plan_timed(snapshot: &Snapshot, request: &PlanRequest) -> Result<Plan, String> {
    crate::timing::start("licswap:plan");
    let planned = licswap_planner::plan(snapshot, request);
    crate::timing::end("licswap:plan");
    planned.map_err(|e| crate::text::sentence(&e.to_string()))
}
