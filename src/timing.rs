//! The page's own User Timing entries for the steps an admin waits on, so a benchmark (or the
//! browser's performance panel) can read how long the tenant load and the planner took in the
//! real app: `performance.getEntriesByName("licswap:load")`, `"licswap:plan"` and
//! `"licswap:rows"` (the preview list's rows built from the plan), `"licswap:digest"` (the plan's
//! digest, made after the preview paints), `"licswap:warm-up"` (a throwaway plan before the
//! first preview, src/planning.rs). The size of the page's wasm
//! memory at the end of each step goes beside them, in `window.__licswapMemory[step]`: that memory
//! only grows, so the step that grew it most is the one to make smaller.
use wasm_bindgen::JsCast;

fn performance() -> Option<web_sys::Performance> {
    // Natively (the app's tests) there is no page to record in.
    if !cfg!(target_arch = "wasm32") {
        return None;
    }
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
    record_memory(step);
}

/// `window.__licswapMemory[step]` = the wasm memory's size in bytes now. Best effort.
fn record_memory(step: &str) {
    if !cfg!(target_arch = "wasm32") {
        return;
    }
    let Some(window) = web_sys::window() else { return };
    let Ok(memory) = wasm_bindgen::memory().dyn_into::<js_sys::WebAssembly::Memory>() else { return };
    let bytes = memory.buffer().unchecked_into::<js_sys::ArrayBuffer>().byte_length();
    let key = wasm_bindgen::JsValue::from_str("__licswapMemory");
    let table = match js_sys::Reflect::get(&window, &key) {
        Ok(t) if t.is_object() => t,
        _ => {
            let t: wasm_bindgen::JsValue = js_sys::Object::new().into();
            let _ = js_sys::Reflect::set(&window, &key, &t);
            t
        }
    };
    let _ = js_sys::Reflect::set(&table, &step.into(), &(bytes as f64).into());
}

/// Resolves once the next frame has been painted: a timeout queued from an animation-frame
/// callback runs after that frame's rendering. A bare zero timeout often runs before the
/// browser's next rendering opportunity, so work started after it still delays the paint.
pub async fn after_next_paint() {
    let frame = js_sys::Promise::new(&mut |resolve, _| {
        let asked = web_sys::window().map(|w| w.request_animation_frame(&resolve));
        if !matches!(asked, Some(Ok(_))) {
            let _ = resolve.call0(&wasm_bindgen::JsValue::NULL);
        }
    });
    let _ = wasm_bindgen_futures::JsFuture::from(frame).await;
    gloo_timers::future::TimeoutFuture::new(0).await;
}
