//! licswap's browser entry point.
mod app;
mod apply_run;
mod approval_flow;
mod auth;
mod bench_hook;
mod browser;
mod config;
mod journal_store;
mod planning;
mod preview_model;
mod routes;
mod state;
mod storage;
mod tenant;
mod text;
mod transport;
mod views;
mod wizard_form;

fn main() {
    console_error_panic_hook::set_once();
    leptos::mount::mount_to_body(app::App);
}
