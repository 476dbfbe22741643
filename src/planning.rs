//! The planner, as the app calls it: errors become sentences for the screen.
use licswap_core::plan::{Plan, PlanRequest, Snapshot};

pub fn plan(snapshot: &Snapshot, request: &PlanRequest) -> Result<Plan, String> {
    crate::timing::start("licswap:plan");
    let planned = licswap_planner::plan(snapshot, request);
    crate::timing::end("licswap:plan");
    planned.map_err(|e| {
        let mut s = e.to_string();
        if let Some(first) = s.get(0..1) {
            s = format!("{}{}", first.to_uppercase(), &s[1..]);
        }
        format!("{s}.")
    })
}
