//! Test harness: the same test body runs against the simulator in process and, with the
//! `server` feature, over HTTP against sim-server's server started on an ephemeral port.
#![allow(dead_code)]
use licswap_core::graph::http::{HttpRequest, HttpResponse, Method};
use licswap_sim::fixtures::{self, FIXTURE_EPOCH_MS};
use licswap_sim::{Sim, SimConfig};
use serde_json::Value;

#[cfg(feature = "server")]
pub mod http;

pub const E1: &str = "18181a46-0d4e-45cd-891e-60aabd171b4e";
pub const E3: &str = "6fd2c87f-b296-42f0-b197-1e91e994b900";
pub const EXO1: &str = "4b9405b0-7788-4568-add1-99614e613b69";
/// SharePoint Online (Plan 1), the standalone product (SHAREPOINTSTANDARD).
pub const SPO1: &str = "1fc08a02-8b3d-43b9-831e-f76859e04e1a";
pub const PROJECT: &str = "09015f9f-377f-4538-bbb5-f75ceb09358a";
pub const ORIGIN: &str = "http://localhost:8080";
pub const REDIRECT: &str = "http://localhost:8080/";

/// Something that answers requests against one simulated tenant.
pub trait Harness {
    fn send(&mut self, req: HttpRequest) -> HttpResponse;
    /// Let `ms` of tenant time pass (virtual in process, real over HTTP).
    fn wait(&mut self, ms: u64);
    fn with_sim(&mut self, f: &mut dyn FnMut(&mut Sim));
    /// Where Graph lives: `https://graph.microsoft.com` in process, the server over HTTP.
    fn base(&self) -> String;
}

/// Tests start an hour after the fixtures' epoch.
pub const START_MS: u64 = FIXTURE_EPOCH_MS + 3_600_000;

pub struct InProc {
    pub sim: Sim,
    pub now: u64,
}

impl InProc {
    pub fn new(sim: Sim) -> Self {
        InProc { sim, now: START_MS }
    }
}

impl Harness for InProc {
    fn send(&mut self, req: HttpRequest) -> HttpResponse {
        self.sim.handle(&req, self.now)
    }
    fn wait(&mut self, ms: u64) {
        self.now += ms;
    }
    fn with_sim(&mut self, f: &mut dyn FnMut(&mut Sim)) {
        f(&mut self.sim)
    }
    fn base(&self) -> String {
        "https://graph.microsoft.com".into()
    }
}

/// The demo tenant with the test configuration (no auth, no throttling, 300 ms group delay).
pub fn demo_config() -> SimConfig {
    SimConfig { group_delay_ms: 300, ..SimConfig::test() }
}

pub fn demo_sim(cfg: SimConfig) -> Sim {
    Sim::new(fixtures::demo(), cfg)
}

/// Run `body` in process, and over HTTP when the server feature is on.
#[macro_export]
macro_rules! both {
    ($name:ident, $cfg:expr, $body:expr) => {
        mod $name {
            use super::*;
            #[test]
            fn in_process() {
                let mut h = common::InProc::new(common::demo_sim($cfg));
                ($body)(&mut h as &mut dyn common::Harness);
            }
            #[cfg(feature = "server")]
            #[test]
            fn over_http() {
                let mut h = common::http::OverHttp::new(common::demo_sim($cfg));
                ($body)(&mut h as &mut dyn common::Harness);
            }
        }
    };
}

pub fn url(h: &dyn Harness, path: &str) -> String {
    format!("{}{}", h.base(), path)
}

pub fn get(h: &mut dyn Harness, path: &str) -> (u16, Value) {
    let r = h.send(HttpRequest::get(url(h, path)));
    (r.status, parse(&r))
}

pub fn post(h: &mut dyn Harness, path: &str, body: &Value) -> (u16, Value) {
    let r = h.send(HttpRequest::post_json(url(h, path), body.to_string()));
    (r.status, parse(&r))
}

pub fn parse(r: &HttpResponse) -> Value {
    if r.body.is_empty() {
        Value::Null
    } else {
        serde_json::from_str(&r.body).unwrap_or_else(|e| panic!("not JSON ({e}): {}", r.body))
    }
}

pub fn request(method: Method, url: String, body: Option<String>) -> HttpRequest {
    HttpRequest { method, url, headers: Vec::new(), body }
}

/// A user's id by the part of its userPrincipalName before the number and domain.
pub fn user_id(h: &mut dyn Harness, pred: &dyn Fn(&licswap_sim::tenant::UserRec) -> bool) -> String {
    let mut id = None;
    h.with_sim(&mut |s| id = s.tenant().users.iter().find(|u| pred(u)).map(|u| u.id.clone()));
    id.expect("a fixture user matches")
}

pub fn group_id(h: &mut dyn Harness, name_prefix: &str) -> String {
    let mut id = None;
    h.with_sim(&mut |s| {
        id = s.tenant().groups.iter().find(|g| g.display_name.starts_with(name_prefix)).map(|g| g.id.clone())
    });
    id.expect("a fixture group matches")
}

pub fn swap_body(add: &str, remove: &str) -> Value {
    serde_json::json!({ "addLicenses": [{ "skuId": add, "disabledPlans": [] }], "removeLicenses": [remove] })
}

pub fn error_code(v: &Value) -> &str {
    v["error"]["code"].as_str().unwrap_or("")
}

pub fn error_message(v: &Value) -> &str {
    v["error"]["message"].as_str().unwrap_or("")
}

/// The SKU ids in a user's `assignedLicenses`.
pub fn skus_of(user: &Value) -> Vec<String> {
    let mut v: Vec<String> = user["assignedLicenses"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l["skuId"].as_str().unwrap().to_string())
        .collect();
    v.sort();
    v
}

/// A user holding only E1, directly, with a usage location (a plain direct swap succeeds).
pub fn is_plain_e1(u: &licswap_sim::tenant::UserRec) -> bool {
    u.department.as_deref() == Some("Operations")
        && u.usage_location.is_some()
        && u.account_enabled
        && u.inherited.is_empty()
        && u.direct.len() == 1
        && u.direct[0].disabled.is_empty()
}
