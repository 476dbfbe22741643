//! Reading the tenant: builds the Graph client for the current mode and runs the loads the screens
//! ask for, writing results into the app state. No view code here.
use crate::state::{client, set_client, AppClient, AppState, Load, Mode};
use crate::transport::{AppTransport, BrowserClock, DemoTransport, FetchTransport};
use leptos::prelude::*;
use licswap_core::graph::client::ClientConfig;
use licswap_sim::fixtures::DEMO_TENANT_NAME;

/// The in-page simulator answers origin-relative URLs.
const DEMO_BASE: &str = "/v1.0";

/// Builds (or drops) the Graph client for `mode`. Returns the reason when it cannot be built.
pub fn connect(state: AppState, mode: &Mode) -> Result<(), String> {
    let built = match mode {
        Mode::Demo => {
            state.tenant_name.set(Some(DEMO_TENANT_NAME.to_string()));
            let cfg = ClientConfig { base_url: DEMO_BASE.into(), ..ClientConfig::default() };
            Some(AppClient::new(AppTransport::Demo(DemoTransport::new()), BrowserClock, cfg))
        }
        Mode::Live { config, signed_in: true } => {
            state.tenant_name.set(Some(config.tenant.clone()));
            let cfg = ClientConfig { base_url: config.graph_base_url(), ..ClientConfig::default() };
            Some(
                AppClient::new(AppTransport::Fetch(FetchTransport), BrowserClock, cfg)
                    .map(|c| c.with_tokens(crate::auth::session::token_source())),
            )
        }
        Mode::Live { config, .. } => {
            state.tenant_name.set(Some(config.tenant.clone()));
            None
        }
        _ => None,
    };
    state.skus.set(Load::Idle);
    match built {
        Some(Ok(c)) => {
            set_client(Some(c));
            Ok(())
        }
        Some(Err(e)) => {
            set_client(None);
            Err(e.to_string())
        }
        None => {
            set_client(None);
            Ok(())
        }
    }
}

/// `GET /subscribedSkus` into `state.skus`.
pub fn load_skus(state: AppState) {
    let Some(c) = client() else {
        state.skus.set(Load::Failed("Not connected to a tenant: sign in first.".into()));
        return;
    };
    state.skus.set(Load::Loading("Reading subscriptions…".into()));
    leptos::task::spawn_local(async move {
        match c.list_skus().await {
            Ok(mut skus) => {
                skus.sort_by_key(|s| crate::views::components::sku_name(s).to_ascii_lowercase());
                state.skus.set(Load::Ready(skus))
            }
            Err(e) => state.skus.set(Load::Failed(e.to_string())),
        }
    });
}
