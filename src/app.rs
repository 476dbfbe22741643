//! The application shell.
use leptos::prelude::*;
use licswap_sim::fixtures::DEMO_TENANT_NAME;

#[component]
pub fn App() -> impl IntoView {
    view! {
        <div class="demo-banner" role="status">
            "Demo tenant — no sign-in, nothing leaves this page: " {DEMO_TENANT_NAME}
        </div>
        <header class="app-header">
            <h1>"licswap"</h1>
            <p class="tagline">"Preview and apply Microsoft 365 license swaps with no loss of service"</p>
        </header>
        <main id="main">
            <h2 data-testid="tenant-name">{DEMO_TENANT_NAME}</h2>
        </main>
    }
}
