//! The planner, as the app calls it: timed with a User Timing measure (`licswap:plan`, read by
//! the benchmarks), errors become sentences for the screen.
use licswap_core::plan::{Plan, PlanRequest};
use licswap_planner::Indexed;

/// Plans `request` over the loaded tenant (its users indexed when it was read: `loads`).
pub fn plan_timed(tenant: &Indexed, request: &PlanRequest) -> Result<Plan, String> {
    crate::timing::start("licswap:plan");
    let planned = tenant.plan(request);
    crate::timing::end("licswap:plan");
    planned.map_err(|e| crate::text::sentence(&e.to_string()))
}
