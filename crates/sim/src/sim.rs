//! The simulator: one tenant answering HTTP-shaped requests. Every request passes, in order:
//! group processing catch-up (driven by `now_ms`), CORS, routing (Entra or Graph), then for Graph:
//! bearer token and permission, throttling, injected 5xx, the resource itself.
use crate::auth::{Auth, AuthContext};
use crate::config::SimConfig;
use crate::licensing::{self, HistoryEntry};
use crate::rng::Rng;
use crate::routes::{self, Call};
use crate::tenant::Tenant;
use crate::throttle::{self, Throttle};
use crate::wire::{iso8601, set_header, GraphErrorReply, Target, GRAPH_JSON};
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
    tenant: Tenant,
    auth: Auth,
    throttle: Throttle,
    faults: Rng,
    next_request: u64,
    pub stats: Stats,
    /// Applied license writes, when `tenant().record_history` is on.
    pub writes: Vec<AppliedWrite>,
}

/// A Graph response before the envelope headers are added.
pub(crate) struct Answer {
    pub status: u16,
    pub body: Option<Value>,
    pub headers: Vec<(String, String)>,
}

impl From<GraphErrorReply> for Answer {
    fn from(e: GraphErrorReply) -> Self {
        Answer {
            status: e.status,
            body: Some(json!({"error": {"code": e.code, "message": e.message}})),
            headers: Vec::new(),
        }
    }
}

/// The token's app and permissions (or none when auth is off).
pub(crate) struct Caller {
    pub app: String,
    pub scopes: Option<Vec<String>>,
}

impl Sim {
    pub fn new(tenant: Tenant, config: SimConfig) -> Sim {
        let seed = config.seed;
        Sim {
            config,
            tenant,
            auth: Auth::new(seed),
            throttle: Throttle::default(),
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

    /// Grant tenant-wide admin consent to an app: `scopes`, or the configured permissions
    /// (`config.default_scopes`) when empty, as "Grant admin consent" in the admin center does.
    pub fn grant_admin_consent(&mut self, client_id: &str, scopes: &[&str]) {
        let scopes: Vec<String> = if scopes.is_empty() {
            self.config.default_scopes.clone()
        } else {
            scopes.iter().map(|s| crate::auth::normalize_scope(s)).collect()
        };
        self.auth.grant_admin_consent(client_id, &scopes);
    }

    /// Withdraw every consent given to an app (tenant-wide and the signed-in user's).
    pub fn revoke_consent(&mut self, client_id: &str) {
        self.auth.revoke_consent(client_id);
    }

    /// Give the signed-in user these directory roles ("License Administrator", ...).
    pub fn set_signed_in_roles(&mut self, roles: &[&str]) {
        if let Some(u) = self.tenant.admin {
            self.tenant.users[u as usize].roles = roles.iter().map(|r| r.to_string()).collect();
        }
    }

    /// Issue an access token without the sign-in flow (tests).
    pub fn issue_token(&mut self, client_id: &str, scopes: &[&str], now_ms: u64) -> String {
        self.auth.issue_token(client_id, scopes, now_ms, self.config.token_lifetime_ms)
    }

    /// Draw this request's transport faults (latency, lost response) from the seeded PRNG.
    pub fn delivery(&mut self) -> Delivery {
        let f = &self.config.faults;
        let (lo, hi) = (f.latency_ms.0, f.latency_ms.1.max(f.latency_ms.0));
        let latency_ms = if hi > 0 { lo + self.faults.below(hi - lo + 1) } else { 0 };
        let drop_rate = f.drop_rate;
        Delivery { latency_ms, drop_response: self.faults.chance(drop_rate) }
    }

    /// This read's lag behind writes, drawn from `config.read_lag_ms` (0 when off).
    fn read_lag(&mut self) -> u64 {
        let (lo, hi) = self.config.read_lag_ms;
        let hi = hi.max(lo);
        if hi == lo {
            lo
        } else {
            lo + self.faults.below(hi - lo + 1)
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
        // Graph and Entra allow cross-origin calls from any origin (SPAs call them from the
        // browser). sim-server answers only the app's own origin (that of a registered redirect
        // URI), so no other website a developer visits can drive it or mint simulated tokens.
        let app_origin = |o: &&str| {
            self.config
                .clients
                .iter()
                .flat_map(|c| &c.redirect_uris)
                .any(|r| r.strip_prefix(*o).is_some_and(|rest| rest.is_empty() || rest.starts_with('/')))
        };
        if let Some(origin) = req.header("Origin").filter(app_origin) {
            set_header(&mut resp, "Access-Control-Allow-Origin", origin);
            set_header(&mut resp, "Access-Control-Expose-Headers", &self.config.cors_expose_headers);
        }
        resp
    }

    fn route(&mut self, req: &HttpRequest, t: &Target, now: u64) -> HttpResponse {
        let segs = t.segments();
        match segs.as_slice() {
            [_tenant, "oauth2", "v2.0", "authorize"] if req.method == Method::Get => {
                let (auth, ctx) = self.auth_parts();
                auth.authorize(t, &ctx, now)
            }
            [_tenant, "adminconsent"] | [_tenant, "v2.0", "adminconsent"] if req.method == Method::Get => {
                let (auth, ctx) = self.auth_parts();
                auth.admin_consent(t, &ctx)
            }
            [_tenant, "oauth2", "v2.0", "token"] if req.method == Method::Post => {
                let (auth, ctx) = self.auth_parts();
                auth.token(req, &ctx, now)
            }
            ["v1.0", ..] => self.graph(req, t, now),
            _ => crate::wire::graph_error(404, "NotFound", &format!("No endpoint at '{}'.", t.path)),
        }
    }

    fn auth_parts(&mut self) -> (&mut Auth, AuthContext<'_>) {
        let admin = self.tenant.admin.map(|u| &self.tenant.users[u as usize]);
        let ctx = AuthContext {
            clients: &self.config.clients,
            token_lifetime_ms: self.config.token_lifetime_ms,
            tenant_id: &self.tenant.tenant_id,
            admin_oid: admin.map_or("", |u| u.id.as_str()),
            admin_upn: admin.map_or("", |u| u.upn.as_str()),
            admin_name: admin.map_or("", |u| u.display_name.as_str()),
            default_scopes: &self.config.default_scopes,
            signed_in_roles: admin.map_or(&[][..], |u| u.roles.as_slice()),
        };
        (&mut self.auth, ctx)
    }

    fn graph(&mut self, req: &HttpRequest, t: &Target, now: u64) -> HttpResponse {
        let base = base_of(&req.url);
        let caller = if self.config.require_auth {
            match self.auth.check(req.header("Authorization"), now) {
                Ok(tok) => Caller { app: tok.client_id.clone(), scopes: Some(tok.scopes.clone()) },
                Err(e) => {
                    let mut r = self.envelope(Answer::from(e), req.header("client-request-id"), now);
                    // Graph's challenge for a bad or missing token.
                    r.headers.push(("WWW-Authenticate".into(), "Bearer realm=\"\", authorization_uri=\"https://login.microsoftonline.com/common/oauth2/authorize\", client_id=\"00000003-0000-0000-c000-000000000000\"".into()));
                    return r;
                }
            }
        } else {
            Caller { app: "anonymous".into(), scopes: None }
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
        let (method, segs, t, now) = (call.method, call.segs, call.target, call.now);
        self.stats.graph_requests += 1;
        let is_get = *method == Method::Get;
        if let Some(scopes) = &caller.scopes {
            if let Err(e) = crate::scopes::check(scopes, is_get, segs) {
                return e.into();
            }
            // Delegated calls act as the signed-in user, whose directory role must allow it too.
            let roles = self.tenant.admin.map_or(&[][..], |u| self.tenant.users[u as usize].roles.as_slice());
            if let Err(e) = crate::roles::check(roles, is_get, segs) {
                return e.into();
            }
        }
        let top = t.param("$top").and_then(|v| v.parse().ok());
        let cost = throttle::cost(is_get, &segs.join("/"), t.param("$select").is_some(), top);
        if let Err(th) = self.throttle.admit(
            &self.config.throttle,
            self.tenant.users.len(),
            &caller.app,
            cost,
            !is_get,
            now,
        ) {
            self.stats.throttled += 1;
            let mut a: Answer = GraphErrorReply::new(429, "TooManyRequests", "Too many requests.").into();
            // Top level: whole seconds. Inside a `$batch` Graph's items carry the wait as a
            // decimal (e.g. "0.249", microsoftgraph/microsoft-graph-docs#3877).
            let retry_after = if call.in_batch && self.config.decimal_batch_retry_after {
                decimal_secs(th.retry_after_ms)
            } else {
                th.retry_after_secs.to_string()
            };
            a.headers.push(("Retry-After".into(), retry_after));
            a.headers.push((
                "x-ms-throttle-scope".into(),
                format!("Tenant_Application/{}/{}/{}", th.limit, caller.app, self.tenant.tenant_id),
            ));
            a.headers.push(("x-ms-throttle-information".into(), th.information.into()));
            return a;
        }
        if self.faults.chance(self.config.faults.server_error_rate) {
            self.stats.injected_5xx += 1;
            let mut a: Answer = GraphErrorReply::new(
                503,
                "serviceNotAvailable",
                "The service is temporarily unavailable. Please retry later.",
            )
            .into();
            a.headers.push(("Retry-After".into(), "1".into()));
            return a;
        }
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
        a.headers.push(("x-ms-resource-unit".into(), cost.to_string()));
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
        if let Some(Value::Object(err)) = a.body.as_mut().and_then(|b| b.get_mut("error")) {
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
        let body = match &a.body {
            Some(b) => {
                headers.push(("Content-Type".into(), GRAPH_JSON.into()));
                b.to_string()
            }
            None => String::new(),
        };
        headers.append(&mut a.headers);
        HttpResponse { status: a.status, headers, body }
    }
}

/// Milliseconds as seconds with up to three decimals: 249 -> "0.249", 2000 -> "2".
fn decimal_secs(ms: u64) -> String {
    let s = format!("{}.{:03}", ms / 1000, ms % 1000);
    s.trim_end_matches('0').trim_end_matches('.').to_string()
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
