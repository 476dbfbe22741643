//! The planner benchmark's hook into the release build (`cargo xtask bench`, see
//! tests/e2e/bench/plan.mjs): the page hands in a tenant generated natively (licswap-bench
//! `snapshot`, the same tenant as the native criterion bench), and only the planner call is
//! timed. No generator is compiled into the app; the hook costs the bundle a few hundred bytes.
use licswap_core::plan::{PlanRequest, Snapshot};
use wasm_bindgen::prelude::*;

/// Plans `runs` times; returns `{"actions":N,"timesMs":[…]}`. Parsing happens before the first
/// timed run, so only `licswap_core::plan::plan` is inside `performance.now()`.
#[wasm_bindgen]
pub fn licswap_bench_plan(snapshot_json: &str, request_json: &str, runs: u32) -> Result<String, JsValue> {
    let err = |e: String| JsValue::from_str(&e);
    let snapshot: Snapshot = serde_json::from_str(snapshot_json).map_err(|e| err(e.to_string()))?;
    let request: PlanRequest = serde_json::from_str(request_json).map_err(|e| err(e.to_string()))?;
    let perf = web_sys::window().and_then(|w| w.performance()).ok_or_else(|| err("no performance".into()))?;
    let mut times = Vec::new();
    let mut actions = 0;
    for _ in 0..runs.max(1) {
        let start = perf.now();
        let plan = licswap_core::plan::plan(&snapshot, &request).map_err(|e| err(e.to_string()))?;
        times.push(perf.now() - start);
        actions = plan.actions().count();
        drop(plan);
    }
    let times: Vec<String> = times.iter().map(|t| format!("{t:.3}")).collect();
    Ok(format!("{{\"actions\":{actions},\"timesMs\":[{}]}}", times.join(",")))
}
