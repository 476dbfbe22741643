//! config.json as the page reads it from its host, and the redirect URI that falls back to the
//! page's own address: the browser side of the configuration. `config.rs` stays free of browser
//! APIs because the config_json fuzz target and the native tests compile it on its own.
use crate::config::{parse_config, Config};
use wasm_bindgen::JsCast;

/// The redirect URI: configured, else this page's own address.
pub fn redirect_uri_or_page(cfg: &Config) -> String {
    cfg.redirect_uri.clone().unwrap_or_else(crate::browser::page_base)
}

/// config.json's answer: its HTTP status and text.
struct Answer {
    status: u16,
    text: String,
}

/// early.js's request for config.json (`window.__licswapConfig`: `{ status, text }`, or null when
/// nothing answered), taken once: a later read asks the host again. early.js reads the text too,
/// so that the answer is complete before the app starts: awaiting it then takes no task of its own,
/// and the first screen is drawn once, already the right one, instead of "Starting…" painted first.
fn early_answer() -> Option<impl std::future::Future<Output = Result<Answer, ()>>> {
    let window = web_sys::window()?;
    let key = wasm_bindgen::JsValue::from_str("__licswapConfig");
    let early = js_sys::Reflect::get(&window, &key).ok()?.dyn_into::<js_sys::Promise>().ok()?;
    let _ = js_sys::Reflect::delete_property(&window, &key);
    Some(async move {
        let answer = wasm_bindgen_futures::JsFuture::from(early).await.map_err(|_| ())?;
        let field = |name: &str| js_sys::Reflect::get(&answer, &wasm_bindgen::JsValue::from_str(name)).ok();
        let status = field("status").and_then(|v| v.as_f64()).ok_or(())?;
        let text = field("text").and_then(|v| v.as_string()).unwrap_or_default();
        Ok(Answer { status: status as u16, text })
    })
}

/// Asks the host for config.json (no early answer to take).
async fn ask_host() -> Result<Answer, ()> {
    let resp = gloo_net::http::Request::get("config.json")
        .cache(web_sys::RequestCache::NoStore)
        .send()
        .await
        .map_err(|_| ())?;
    Ok(Answer { status: resp.status(), text: resp.text().await.unwrap_or_default() })
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
        None => ask_host().await,
    };
    match fetched {
        Ok(answer) => judge(answer.status, &answer.text),
        // Nothing served it at all (file://, offline): same as absent.
        Err(()) => ConfigFile::Absent,
    }
}

/// What an answer for config.json means: absent when the host has none (404 or 410, or a page of
/// HTML from a host that answers every path with index.html), else the configuration or why it
/// cannot be used.
fn judge(status: u16, text: &str) -> ConfigFile {
    if status == 404 || status == 410 {
        return ConfigFile::Absent;
    }
    if !(200..300).contains(&status) {
        return ConfigFile::Invalid(format!("config.json could not be read (HTTP {status})"));
    }
    if text.trim_start().starts_with('<') {
        return ConfigFile::Absent;
    }
    match parse_config(text) {
        Ok(c) => ConfigFile::Valid(c),
        Err(e) => ConfigFile::Invalid(e),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_answer_is_absent_valid_or_invalid_as_its_status_and_text_say() {
        let valid = r#"{"clientId":"11111111-2222-4333-8444-555555555555","tenant":"contoso.onmicrosoft.com"}"#;
        assert!(matches!(judge(404, ""), ConfigFile::Absent));
        assert!(matches!(judge(410, "gone"), ConfigFile::Absent));
        assert!(matches!(judge(200, "  <!DOCTYPE html><html></html>"), ConfigFile::Absent), "a host's index.html");
        assert!(matches!(judge(200, valid), ConfigFile::Valid(c) if c.tenant == "contoso.onmicrosoft.com"));
        assert!(matches!(judge(204, valid), ConfigFile::Valid(_)));
        match judge(500, valid) {
            ConfigFile::Invalid(e) => assert!(e.contains("HTTP 500"), "{e}"),
            _ => panic!("a server error is not a configuration"),
        }
        assert!(matches!(judge(200, "{ not json"), ConfigFile::Invalid(_)));
        assert!(matches!(judge(200, ""), ConfigFile::Invalid(_)), "an empty answer");
    }
}
