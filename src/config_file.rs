//! config.json as the page reads it from its host, and the redirect URI that falls back to the
//! page's own address: the browser side of the configuration. `config.rs` stays free of browser
//! APIs because the config_json fuzz target and the native tests compile it on its own.
use crate::config::{parse_config, Config};

/// The redirect URI: configured, else this page's own address.
pub fn redirect_uri_or_page(cfg: &Config) -> String {
    cfg.redirect_uri.clone().unwrap_or_else(crate::browser::page_base)
}

/// What `config.json` beside index.html said.
pub enum ConfigFile {
    Absent,
    Valid(Config),
    Invalid(String),
}

/// Reads `config.json` beside index.html (never cached: a deployer's change applies at once).
pub async fn fetch_config_file() -> ConfigFile {
    let resp = match gloo_net::http::Request::get("config.json")
        .cache(web_sys::RequestCache::NoStore)
        .send()
        .await
    {
        Ok(r) => r,
        // Nothing served it at all (file://, offline): same as absent.
        Err(_) => return ConfigFile::Absent,
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
