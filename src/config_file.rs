//! config.json as the page reads it from its host, and the redirect URI that falls back to the
//! page's own address: the browser side of the configuration. `config.rs` stays free of browser
//! APIs because the config_json fuzz target and the native tests compile it on its own.
use crate::config::{parse_config, Config};
use wasm_bindgen::JsCast;

/// The redirect URI: configured, else this page's own address.
pub fn redirect_uri_or_page(cfg: &Config) -> String {
    cfg.redirect_uri.clone().unwrap_or_else(crate::browser::page_base)
}

/// early.js's request for config.json (`window.__licswapConfig`), taken once: a later read asks the
/// host again. `Err` when nothing answered it.
fn early_answer() -> Option<impl std::future::Future<Output = Result<gloo_net::http::Response, ()>>> {
    let window = web_sys::window()?;
    let key = wasm_bindgen::JsValue::from_str("__licswapConfig");
    let early = js_sys::Reflect::get(&window, &key).ok()?.dyn_into::<js_sys::Promise>().ok()?;
    let _ = js_sys::Reflect::delete_property(&window, &key);
    Some(async move {
        let answer = wasm_bindgen_futures::JsFuture::from(early).await.map_err(|_| ())?;
        answer.dyn_into::<web_sys::Response>().map(gloo_net::http::Response::from).map_err(|_| ())
    })
}

/// What `config.json` beside index.html said.
pub enum ConfigFile {
    Absent,
    Valid(Config),
    Invalid(String),
}

/// Reads `config.json` beside index.html (never cached: a deployer's change applies at once). The
/// first read takes the answer early.js asked for as the page started.
pub async fn fetch_config_file() -> ConfigFile {
    let fetched = match early_answer() {
        Some(early) => early.await,
        None => gloo_net::http::Request::get("config.json")
            .cache(web_sys::RequestCache::NoStore)
            .send()
            .await
            .map_err(|_| ()),
    };
    let resp = match fetched {
        Ok(r) => r,
        // Nothing served it at all (file://, offline): same as absent.
        Err(()) => return ConfigFile::Absent,
    };
    if resp.status() == 404 || resp.status() == 410 {
        return ConfigFile::Absent;
    }
    if !resp.ok() {
        return ConfigFile::Invalid(format!("config.json could not be read (HTTP {})", resp.status()));
    }
    let text = resp.text().await.unwrap_or_default();
    // A static host that answers every path with index.html has no config.json either.
    if text.trim_start().starts_with('<') {
        return ConfigFile::Absent;
    }
    match parse_config(&text) {
        Ok(c) => ConfigFile::Valid(c),
        Err(e) => ConfigFile::Invalid(e),
    }
}
