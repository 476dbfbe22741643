//! config.json as a static host serves it (or anything else at that path): the very parser and
//! host allow-list of the app (src/config.rs). Every input gives a configuration or a message;
//! an accepted one never names a host other than its cloud's (or, in the test build, the loopback).
#![no_main]
use libfuzzer_sys::fuzz_target;

#[path = "../../src/config.rs"]
#[allow(dead_code)]
mod config;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    if let Ok(cfg) = config::parse_config(text) {
        let (auth, graph) = cfg.effective_hosts();
        let cloud = cfg.cloud;
        assert!(auth == cloud.authority_host() || config::LOOPBACK_ALLOWED, "{auth}");
        assert!(graph == cloud.graph_host() || config::LOOPBACK_ALLOWED, "{graph}");
        assert!(cfg.token_endpoint().starts_with(&format!("https://{}/", cloud.authority_host())));
    }
});
