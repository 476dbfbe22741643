//! licswap's browser entry point.
mod app;
mod app_mode;
mod apply_run;
mod approval_flow;
mod auth;
mod bench_hook;
mod browser;
mod config;
mod config_file;
mod first_screen;
mod health;
mod health_data;
mod journal_codec;
mod journal_store;
mod kept_run;
mod load_status;
mod loads;
mod planning;
mod preview_model;
mod routes;
mod state;
mod storage;
mod text;
mod timing;
mod transport;
mod views;
mod wizard_form;

fn main() {
    // Debug builds log a panic's message; the release build aborts at once (panic=immediate-abort,
    // for size), and boot.js turns the resulting WebAssembly trap into the error screen.
    console_error_panic_hook::set_once();
    // The demo's overview may be drawn with the shell in one go (first_screen.rs).
    wasm_bindgen_futures::spawn_local(async {
        first_screen::before_mount().await;
        leptos::mount::mount_to_body(app::App);
    });
}

/// Panics on purpose, so the end-to-end suite can show the error screen of the real release build
/// (tests/e2e/panic.test.mjs). Reachable only by importing the app's own module in its own page; a
/// panic costs the admin nothing that closing the tab would not.
#[wasm_bindgen::prelude::wasm_bindgen]
pub fn licswap_self_test_panic() {
    panic!("self-test panic");
}
