//! The simulator: one tenant answering HTTP-shaped requests. Every request passes, in order:
//! group processing catch-up (driven by `now_ms`), CORS, routing (Entra or Graph), then for Graph:
//! bearer token and permission, throttling, injected 5xx, the resource itself. Without feature
//! `full` (the browser's demo tenant) only the resource itself: there is no sign-in, throttling or
//! fault to model in process, and that code is not compiled.
#[cfg(feature = "full")]
use crate::auth::Auth;
use crate::config::SimConfig;
use crate::licensing::{self, HistoryEntry};
#[cfg(feature = "full")]
use crate::rng::Rng;
use crate::routes::{self, Body, Call};
use crate::tenant::Tenant;
#[cfg(feature = "full")]
use crate::throttle::Throttle;
use crate::wire::{iso8601, GraphErrorReply, Target, GRAPH_JSON};
use licswap_core::graph::http::{HttpRequest, HttpResponse, Method};
use serde_json::{json, Value};

/// Counters for tests and benchmarks.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Stats {
    /// Every request handled (Entra, Graph, preflight).
    pub requests: u64,
    /// Graph requests, counting each request inside a `$batch` once and the batch itself not.
    pub graph_requests: u64,
    pub batches: u64,
    pub throttled: u64,
    pub injected_5xx: u64,
    /// assignLicense calls that succeeded.
    pub license_writes: u64,
}

/// One `assignLicense` Graph applied (2xx), in the order applied: tests count these per target to
/// prove a write was applied exactly once. Kept only while the tenant records history.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AppliedWrite {
    pub at_ms: u64,
    /// `users/{id}` or `groups/{id}` as addressed, lowercased.
    pub target: String,
}

/// What the transport should do to this request's delivery.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Delivery {
    pub latency_ms: u64,
    /// Process the request, then lose the response.
    pub drop_response: bool,
}

pub struct Sim {
    pub config: SimConfig,
    pub(crate) tenant: Tenant,
    #[cfg(feature = "full")]
    pub(crate) auth: Auth,
    #[cfg(feature = "full")]
    pub(crate) throttle: Throttle,
    #[cfg(feature = "full")]
    pub(crate) faults: Rng,
    next_request: u64,
    pub stats: Stats,
    /// Applied license writes, when `tenant().record_history` is on.
    pub writes: Vec<AppliedWrite>,
}

/// A Graph response before the envelope headers are added.
pub(crate) struct Answer {
    pub status: u16,
    pub body: Option<Body>,
    pub headers: Vec<(String, String)>,
}

impl From<GraphErrorReply> for Answer {
    fn from(e: GraphErrorReply) -> Self {
        Answer {
            status: e.status,
            body: Some(Body::Value(json!({"error": {"code": e.code, "message": e.message}}))),
            headers: Vec::new(),
        }
    }
}

/// The token's app and permissions (or none when auth is off). Only `gates.rs` reads them.
#[cfg_attr(not(feature = "full"), allow(dead_code))]
pub(crate) struct Caller {
    pub app: String,
    pub scopes: Option<Vec<String>>,
}

impl Sim {
    pub fn new(tenant: Tenant, config: SimConfig) -> Sim {
        #[cfg(feature = "full")]
        let seed = config.seed;
        Sim {
            config,
            tenant,
            #[cfg(feature = "full")]
            auth: Auth::new(seed),
            #[cfg(feature = "full")]
            throttle: Throttle::default(),
            #[cfg(feature = "full")]
            faults: Rng::new(seed ^ 0xFA17),
            next_request: 0,
            stats: Stats::default(),
            writes: Vec::new(),
        }
    }

    /// The demo tenant with the demo configuration (no sign-in).
    pub fn demo() -> Sim {
        Sim::new(crate::fixtures::demo(), SimConfig::demo())
    }

    pub fn tenant(&self) -> &Tenant {
        &self.tenant
    }

    pub fn tenant_mut(&mut self) -> &mut Tenant {
        &mut self.tenant
    }

    /// Run background group processing due by `now_ms` (every request does this first).
    pub fn advance(&mut self, now_ms: u64) {
        self.tenant.heal_errors_on_change = !self.config.errors_stay_until_reprocessed;
        licensing::advance(&mut self.tenant, now_ms);
    }

    /// The admin center's "Reprocess" button on a group: its members are processed again (after
    /// the group's processing time), which clears errors whose cause is gone. Graph v1.0 has no
    /// such call for groups. Returns false for an unknown group.
    pub fn reprocess_group(&mut self, group_id: &str, now_ms: u64) -> bool {
        let Some(g) = self.tenant.group_ix(group_id) else { return false };
        let timing = self.config.group_timing();
        licensing::queue_group(&mut self.tenant, g, now_ms, timing);
        true
    }

    /// Show a member's entries from a group as ActiveWithError or Disabled (see `EntryState`).
    pub fn show_entry_state(
        &mut self,
        user: &str,
        group: &str,
        state: crate::tenant::EntryState,
        now_ms: u64,
    ) -> bool {
        let (Some(u), Some(g)) = (self.tenant.user_ix(user), self.tenant.group_ix(group)) else {
            return false;
        };
        licensing::show_entry_state(&mut self.tenant, u, g, state, now_ms);
        true
    }

    /// A transient LicenseAssignmentAttributeConcurrencyException on a member of a group: its
    /// entries read Error/Other until Entra's own retry processes the group again.
    pub fn concurrency_exception(&mut self, user: &str, group: &str, now_ms: u64) -> bool {
        let (Some(u), Some(g)) = (self.tenant.user_ix(user), self.tenant.group_ix(group)) else {
            return false;
        };
        let timing = self.config.group_timing();
        licensing::concurrency_exception(&mut self.tenant, u, g, now_ms, timing);
        true
    }

    /// Is any group's processing still pending?
    pub fn processing_pending(&self) -> bool {
        !self.tenant.jobs.is_empty()
    }

    pub fn history(&self) -> &[HistoryEntry] {
        &self.tenant.history
    }

    /// Give the signed-in user these directory roles ("License Administrator", ...).
    pub fn set_signed_in_roles(&mut self, roles: &[&str]) {
        if let Some(u) = self.tenant.admin {
            self.tenant.users[u as usize].roles = roles.iter().map(|r| r.to_string()).collect();
        }
    }

    pub fn handle(&mut self, req: &HttpRequest, now_ms: u64) -> HttpResponse {
        self.stats.requests += 1;
        let (lo, hi) = self.config.read_lag_ms;
        self.tenant.replica.keep_ms = hi.max(lo);
        self.tenant.replica.prune(now_ms);
        self.advance(now_ms);
        let target = Target::parse(&req.url);
        let mut resp =
            if req.method == Method::Options { preflight(req) } else { self.route(req, &target, now_ms) };
        self.cors(req, &mut resp);
        resp
    }

    fn route(&mut self, req: &HttpRequest, t: &Target, now: u64) -> HttpResponse {
        if let Some(answer) = self.entra(req, t, now) {
            return answer;
        }
        match t.segments().as_slice() {
            ["v1.0", ..] => self.graph(req, t, now),
            _ => crate::wire::graph_error(404, "NotFound", &format!("No endpoint at '{}'.", t.path)),
        }
    }

    fn graph(&mut self, req: &HttpRequest, t: &Target, now: u64) -> HttpResponse {
        let base = base_of(&req.url);
        let caller = match self.caller(req, now) {
            Ok(caller) => caller,
            Err(refused) => return self.envelope(refused, req.header("client-request-id"), now),
        };
        let answer = if t.segments().get(1) == Some(&"$batch") && req.method == Method::Post {
            self.stats.batches += 1;
            crate::batch::run(self, &caller, req.body.as_deref().unwrap_or(""), &base, now)
        } else {
            let segs: Vec<&str> = t.segments().into_iter().skip(1).collect();
            let call = Call {
                method: &req.method,
                segs: &segs,
                target: t,
                body: req.body.as_deref(),
                base: &base,
                now,
                group_timing: self.config.group_timing(),
                eventual: req.header("ConsistencyLevel").is_some_and(|v| v.eq_ignore_ascii_case("eventual")),
                in_batch: false,
            };
            self.single(&caller, &call)
        };
        self.envelope(answer, req.header("client-request-id"), now)
    }

    /// One Graph request (top level or inside a batch): permission, throttling, injected 5xx,
    /// then the resource.
    pub(crate) fn single(&mut self, caller: &Caller, call: &Call) -> Answer {
        let (method, segs, now) = (call.method, call.segs, call.now);
        self.stats.graph_requests += 1;
        let is_get = *method == Method::Get;
        let cost = match self.admit(caller, call, is_get) {
            Ok(cost) => cost,
            Err(refused) => return refused,
        };
        let lag = if is_get { self.read_lag() } else { 0 };
        let result = if lag > 0 {
            self.tenant.read_as_of(now.saturating_sub(lag), |t| routes::dispatch(t, call))
        } else {
            routes::dispatch(&mut self.tenant, call)
        };
        let mut a = match result {
            Ok(r) => Answer { status: r.status, body: r.body, headers: r.headers },
            Err(e) => e.into(),
        };
        if (200..300).contains(&a.status) && segs.last() == Some(&"assignLicense") {
            self.stats.license_writes += 1;
            if self.tenant.record_history {
                let target = segs[..segs.len() - 1].join("/").to_ascii_lowercase();
                self.writes.push(AppliedWrite { at_ms: now, target });
            }
        }
        if let Some(cost) = cost {
            a.headers.push(("x-ms-resource-unit".into(), cost.to_string()));
        }
        a
    }

    fn request_id(&mut self) -> String {
        self.next_request += 1;
        crate::rng::stable_guid(0x5EED_0001 ^ self.config.seed, self.next_request)
    }

    /// Graph's response envelope: request-id, client-request-id echo, the error's innerError.
    pub(crate) fn envelope(
        &mut self,
        mut a: Answer,
        client_request_id: Option<&str>,
        now: u64,
    ) -> HttpResponse {
        let rid = self.request_id();
        if let Some(err) = a.body.as_mut().and_then(Body::error_mut) {
            let mut inner = json!({ "date": iso8601(now), "request-id": rid });
            if let Some(c) = client_request_id {
                inner["client-request-id"] = Value::String(c.to_string());
            }
            err.insert("innerError".into(), inner);
        }
        let mut headers = vec![("request-id".to_string(), rid.clone())];
        if let Some(c) = client_request_id {
            headers.push(("client-request-id".into(), c.to_string()));
        }
        let body = match a.body.take() {
            Some(b) => {
                headers.push(("Content-Type".into(), GRAPH_JSON.into()));
                b.into_text()
            }
            None => String::new(),
        };
        headers.append(&mut a.headers);
        HttpResponse { status: a.status, headers, body }
    }
}

/// `https://graph.microsoft.com` from an absolute URL; the default Graph host for a relative one.
fn base_of(url: &str) -> String {
    match url.find("://") {
        Some(i) => {
            let end = url[i + 3..].find('/').map_or(url.len(), |j| i + 3 + j);
            url[..end].to_string()
        }
        None => "https://graph.microsoft.com".into(),
    }
}

/// CORS preflight, answered for any origin, method and header the page asks for.
fn preflight(req: &HttpRequest) -> HttpResponse {
    let mut r = crate::wire::empty(204);
    r.headers.push(("Access-Control-Allow-Methods".into(), "GET, POST, PUT, PATCH, DELETE, OPTIONS".into()));
    let asked = req
        .header("Access-Control-Request-Headers")
        .unwrap_or("Authorization, Content-Type, client-request-id, ConsistencyLevel");
    r.headers.push(("Access-Control-Allow-Headers".into(), asked.to_string()));
    r.headers.push(("Access-Control-Max-Age".into(), "3600".into()));
    r
}

/// The demo tenant's stand-ins for `gates.rs` (feature `full` off): in process there is no
/// sign-in, throttling, fault or other origin to model.
#[cfg(not(feature = "full"))]
impl Sim {
    fn entra(&mut self, _req: &HttpRequest, _t: &Target, _now: u64) -> Option<HttpResponse> {
        None
    }

    fn caller(&mut self, _req: &HttpRequest, _now: u64) -> Result<Caller, Answer> {
        Ok(Caller { app: "demo".into(), scopes: None })
    }

    fn admit(&mut self, _caller: &Caller, _call: &Call, _is_get: bool) -> Result<Option<u64>, Answer> {
        Ok(None)
    }

    fn read_lag(&mut self) -> u64 {
        0
    }

    fn cors(&self, _req: &HttpRequest, _resp: &mut HttpResponse) {}
}
