//! sim-server answers cross-origin calls only from the app's own origin (a registered redirect
//! URI's): another website open in the developer's browser cannot read its answers.
mod common;
use common::*;
use licswap_core::graph::http::HttpRequest;
use licswap_sim::{fixtures, Sim, SimConfig};

#[test]
fn only_the_apps_origin_may_read_answers() {
    let mut h = InProc::new(Sim::new(fixtures::demo(), SimConfig::test()));
    let url = format!("{}/v1.0/users", h.base());
    let r = h.send(HttpRequest::get(url.clone()).with_header("Origin", ORIGIN));
    assert_eq!(r.header("Access-Control-Allow-Origin"), Some(ORIGIN));
    for other in ["https://evil.example", "http://localhost:8080.evil.example", "http://localhost:80"] {
        let r = h.send(HttpRequest::get(url.clone()).with_header("Origin", other));
        assert_eq!(r.header("Access-Control-Allow-Origin"), None, "{other}");
    }
}
