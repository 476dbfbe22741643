//! The demo's first screen, drawn in one go. With no config.json the page opens on the overview of
//! the in-page demo tenant, whose code is a split file (the first-download budget keeps it out of
//! the app's own module). Mounted at once, the app would build the shell with "Loading…", lay it
//! out and paint it, and only then take in the overview's files, which wait for the main thread
//! meanwhile; so when early.js has found no config.json (it then fetches and compiles those
//! files) and the address names the overview, the app mounts once the overview's code and the
//! recorded first answer are in, and the shell, the overview and its subscriptions are laid out
//! and painted together. Never longer than `WAIT_MS`: on a slow network the shell shows first, as
//! before.
use crate::routes::Route;
use futures::future::{join, select};

/// The longest the app waits for the overview's code before mounting without it.
const WAIT_MS: u32 = 300;

/// Waits, when the first screen will be the demo's overview, for its code (at most `WAIT_MS`).
pub async fn before_mount() {
    if !opens_on_demo_overview() {
        return;
    }
    let code = join(crate::app::preload_overview(), crate::transport::preload_demo_first_answer());
    select(Box::pin(code), gloo_timers::future::TimeoutFuture::new(WAIT_MS)).await;
}

/// Whether the app is about to open the demo's overview: early.js found no config.json, this
/// browser remembers no configuration, the page is not a sign-in coming back, and the address
/// names the overview (`app_mode::start` decides the same way, once mounted).
fn opens_on_demo_overview() -> bool {
    let Some(window) = web_sys::window() else { return false };
    let no_config = js_sys::Reflect::get(&window, &wasm_bindgen::JsValue::from_str("__licswapNoConfig"))
        .is_ok_and(|v| v.as_bool() == Some(true));
    let hash = window.location().hash().unwrap_or_default();
    no_config
        && Route::parse(&hash) == Route::Overview
        && !crate::auth::flow::is_sign_in_response(&crate::auth::flow::sign_in_response())
        && crate::app_mode::remembered_config().is_none()
}
