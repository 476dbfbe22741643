//! The page's own User Timing entries for the steps an admin waits on, so a benchmark (or the
//! browser's performance panel) can read how long the tenant load and the planner took in the
//! real app: `performance.getEntriesByName("licswap:load")`, `"licswap:plan"` and
//! `"licswap:rows"` (the preview list's rows built from the plan).

fn performance() -> Option<web_sys::Performance> {
    web_sys::window().and_then(|w| w.performance())
}

/// Milliseconds on the page's clock, if it has one.
pub fn now() -> Option<f64> {
    performance().map(|p| p.now())
}

/// Marks the start of `step`. Best effort: a page without the Performance API has no entry.
pub fn start(step: &str) {
    if let Some(p) = performance() {
        let _ = p.mark(&format!("{step}:start"));
    }
}

/// Records `step` as a measure from its last [`start`] to now.
pub fn end(step: &str) {
    if let Some(p) = performance() {
        let mark = format!("{step}:start");
        let _ = p.measure_with_start_mark(step, &mark);
        p.clear_marks_with_mark_name(&mark);
    }
}
