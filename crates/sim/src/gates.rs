//! What only tests and sim-server need on the way to a Graph resource (feature `full`): the Entra
//! sign-in endpoints and the bearer-token check, permission and directory-role checks, Graph's
//! throttling, injected 5xx, read lag and transport faults, and CORS for the app's own origin.
//! The browser's demo tenant runs in process, signed in as nobody, and compiles none of it
//! (`sim.rs` has the stand-ins: no Entra route, an anonymous caller, everything admitted).
//!
//! Each behaviour keeps the source of the module that models it: the sign-in endpoints
//! <https://learn.microsoft.com/en-us/entra/identity-platform/v2-oauth2-auth-code-flow> (`auth`),
//! the least-privileged permission per call from each Graph API page (`scopes`), throttling
//! <https://learn.microsoft.com/en-us/graph/throttling-limits#identity-and-access-service-limits>
//! (`throttle`), read lag
//! <https://devblogs.microsoft.com/identity/designing-for-eventual-consistency-for-microsoft-entra/>
//! (`replica`), and CORS with Graph's exposed
//! headers (`config::GRAPH_EXPOSED_HEADERS`). Splitting them from `sim.rs` changed none of them.
use crate::auth::{Auth, AuthContext};
use crate::routes::Call;
use crate::sim::{Answer, Caller, Delivery, Sim};
use crate::throttle;
use crate::wire::{set_header, GraphErrorReply, Target};
use licswap_core::graph::http::{HttpRequest, HttpResponse, Method};

impl Sim {
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

    /// Issue an access token without the sign-in flow (tests).
    pub fn issue_token(&mut self, client_id: &str, scopes: &[&str], now_ms: u64) -> String {
        self.auth.issue_token(client_id, scopes, now_ms, self.config.token_lifetime_ms)
    }

    /// Draw this request's transport faults (latency, lost response) from the seeded PRNG. A
    /// `$batch` takes the longest of one delay per item: Graph's batching page
    /// (<https://learn.microsoft.com/graph/json-batching>) lets independent items run in any
    /// order and says nothing of their timing, so the model runs them side by side; a batch is
    /// then never cheaper than its slowest item, which keeps batched reads from looking faster
    /// than Graph could serve them.
    pub fn delivery(&mut self, req: &HttpRequest) -> Delivery {
        let f = &self.config.faults;
        let (lo, hi) = (f.latency_ms.0, f.latency_ms.1.max(f.latency_ms.0));
        let mut latency_ms = 0;
        if hi > 0 {
            for _ in 0..batch_items(req).max(1) {
                latency_ms = latency_ms.max(lo + self.faults.below(hi - lo + 1));
            }
        }
        let drop_rate = self.config.faults.drop_rate;
        Delivery { latency_ms, drop_response: self.faults.chance(drop_rate) }
    }

    /// This read's lag behind writes, drawn from `config.read_lag_ms` (0 when off).
    pub(crate) fn read_lag(&mut self) -> u64 {
        let (lo, hi) = self.config.read_lag_ms;
        let hi = hi.max(lo);
        if hi == lo {
            lo
        } else {
            lo + self.faults.below(hi - lo + 1)
        }
    }

    /// The Entra endpoints (authorize, admin consent, token); `None` for any other path.
    pub(crate) fn entra(&mut self, req: &HttpRequest, t: &Target, now: u64) -> Option<HttpResponse> {
        Some(match t.segments().as_slice() {
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
            _ => return None,
        })
    }

    pub(crate) fn auth_parts(&mut self) -> (&mut Auth, AuthContext<'_>) {
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

    /// Who calls: the bearer token's app and permissions, or Graph's 401 with its challenge.
    pub(crate) fn caller(&mut self, req: &HttpRequest, now: u64) -> Result<Caller, Answer> {
        if !self.config.require_auth {
            return Ok(Caller { app: "anonymous".into(), scopes: None });
        }
        match self.auth.check(req.header("Authorization"), now) {
            Ok(tok) => Ok(Caller { app: tok.client_id.clone(), scopes: Some(tok.scopes.clone()) }),
            Err(e) => {
                let mut a = Answer::from(e);
                // Graph's challenge for a bad or missing token.
                a.headers.push(("WWW-Authenticate".into(), "Bearer realm=\"\", authorization_uri=\"https://login.microsoftonline.com/common/oauth2/authorize\", client_id=\"00000003-0000-0000-c000-000000000000\"".into()));
                Err(a)
            }
        }
    }

    /// Permission, directory role, throttling and injected 5xx, in Graph's order: the request's
    /// resource-unit cost when admitted, the refusal otherwise.
    pub(crate) fn admit(&mut self, caller: &Caller, call: &Call, is_get: bool) -> Result<Option<u64>, Answer> {
        let (segs, t, now) = (call.segs, call.target, call.now);
        if let Some(scopes) = &caller.scopes {
            if let Err(e) = crate::scopes::check(scopes, is_get, segs) {
                return Err(e.into());
            }
            // Delegated calls act as the signed-in user, whose directory role must allow it too.
            let roles = self.tenant.admin.map_or(&[][..], |u| self.tenant.users[u as usize].roles.as_slice());
            if let Err(e) = crate::roles::check(roles, is_get, segs) {
                return Err(e.into());
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
            return Err(a);
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
            return Err(a);
        }
        Ok(Some(cost))
    }

    /// CORS headers for the app's own origin only.
    pub(crate) fn cors(&self, req: &HttpRequest, resp: &mut HttpResponse) {
        // Graph and Entra allow cross-origin calls from any origin (SPAs call them from the
        // browser). sim-server answers only the app's own origin (that of a registered redirect
        // URI), so no other website a developer visits can drive it or mint simulated tokens.
        let app_origin = |o: &&str| {
            self.config.clients.iter().flat_map(|c| &c.redirect_uris).any(|r| {
                r.strip_prefix(*o).is_some_and(|rest| rest.is_empty() || rest.starts_with('/'))
            })
        };
        if let Some(origin) = req.header("Origin").filter(app_origin) {
            set_header(resp, "Access-Control-Allow-Origin", origin);
            set_header(resp, "Access-Control-Expose-Headers", &self.config.cors_expose_headers);
        }
    }
}

/// Milliseconds as seconds with up to three decimals: 249 -> "0.249", 2000 -> "2".
fn decimal_secs(ms: u64) -> String {
    let s = format!("{}.{:03}", ms / 1000, ms % 1000);
    s.trim_end_matches('0').trim_end_matches('.').to_string()
}

/// The number of items of a `$batch` POST (0 for any other request or an unreadable body).
fn batch_items(req: &HttpRequest) -> usize {
    #[derive(serde::Deserialize)]
    struct Items {
        requests: Vec<serde::de::IgnoredAny>,
    }
    let is_batch = req.method == Method::Post && Target::parse(&req.url).path.ends_with("/$batch");
    let body = req.body.as_deref().filter(|_| is_batch).unwrap_or("");
    serde_json::from_str::<Items>(body).map_or(0, |b| b.requests.len())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::SimConfig;

    /// A batch of twenty reads is charged the slowest of twenty delays: on average close to the
    /// top of the range, where one request averages its middle.
    #[test]
    fn a_batch_waits_for_its_slowest_item() {
        let mut config = SimConfig::test();
        config.faults.latency_ms = (100, 900);
        let mut sim = Sim::new(crate::fixtures::generate(1, 10), config);
        let items: Vec<String> =
            (0..20).map(|n| format!(r#"{{"id":"{n}","method":"GET","url":"/users"}}"#)).collect();
        let batch = HttpRequest::post_json("/v1.0/$batch", format!(r#"{{"requests":[{}]}}"#, items.join(",")));
        let one = HttpRequest::get("/v1.0/users");
        let mean = |sim: &mut Sim, req: &HttpRequest| {
            (0..200).map(|_| sim.delivery(req).latency_ms).sum::<u64>() / 200
        };
        let (single, batched) = (mean(&mut sim, &one), mean(&mut sim, &batch));
        assert!((400..=600).contains(&single), "one request: {single} ms on average");
        assert!(batched >= 800, "a batch of 20: {batched} ms on average");
        assert!(sim.delivery(&HttpRequest::post_json("/v1.0/$batch", "not json")).latency_ms <= 900);
    }
}
