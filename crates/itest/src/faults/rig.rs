//! The moving parts of a fault run: a transport around the simulator that can crash the "page"
//! at a chosen request and turn on 5xx bursts, a token source that renews through the
//! simulator's Entra token endpoint, and a poll loop that can drop a run mid-flight.
use futures::future::LocalBoxFuture;
use licswap_core::graph::clock::VirtualClock;
use licswap_core::graph::http::{Clock, HttpRequest, HttpResponse, Method, Transport, TransportError};
use licswap_core::graph::{AccessToken, GraphError, TokenSource};
use licswap_sim::auth::s256;
use licswap_sim::wire::{percent_encode, Target};
use licswap_sim::{Sim, SimTransport, DEFAULT_CLIENT_ID};
use std::cell::{Cell, RefCell};
use std::future::Future;
use std::pin::pin;
use std::rc::Rc;
use std::task::{Context, Poll};

/// Periodic windows in which Graph answers nearly everything with 503 (a regional incident).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Bursts {
    /// A burst starts every `every` requests...
    pub every: u64,
    /// ...and lasts this many requests...
    pub length: u64,
    /// ...during which each Graph request fails with this probability.
    pub rate: f64,
}

/// What one "page load" of the run sees: its own request counter and crash point.
pub struct FaultTransport {
    inner: SimTransport<VirtualClock>,
    /// Crash when the n-th request (1-based) of this page load is about to be sent.
    crash_at: Option<u64>,
    /// Whether the request the crash falls on reaches Graph first (the tab died after sending).
    crash_after_send: bool,
    bursts: Option<Bursts>,
    base_error_rate: f64,
    sent: Cell<u64>,
    crashed: Rc<Cell<bool>>,
    lost: Rc<Cell<u64>>,
}

impl FaultTransport {
    pub fn new(sim: Rc<RefCell<Sim>>, clock: VirtualClock, bursts: Option<Bursts>) -> Self {
        let base_error_rate = sim.borrow().config.faults.server_error_rate;
        FaultTransport {
            inner: SimTransport::new(sim, clock),
            crash_at: None,
            crash_after_send: false,
            bursts,
            base_error_rate,
            sent: Cell::new(0),
            crashed: Rc::new(Cell::new(false)),
            lost: Rc::new(Cell::new(0)),
        }
    }

    pub fn crash_at(mut self, request: u64, after_send: bool) -> Self {
        self.crash_at = Some(request);
        self.crash_after_send = after_send;
        self
    }

    /// Set once the crash point was reached: from then on every send hangs.
    pub fn crashed(&self) -> Rc<Cell<bool>> {
        self.crashed.clone()
    }

    /// Responses the simulator processed and this transport then lost.
    pub fn lost_responses(&self) -> Rc<Cell<u64>> {
        self.lost.clone()
    }

    fn set_burst(&self, n: u64) {
        let Some(b) = self.bursts else { return };
        let rate = if b.every > 0 && n % b.every < b.length { b.rate } else { self.base_error_rate };
        self.inner.sim().borrow_mut().config.faults.server_error_rate = rate;
    }
}

impl Transport for FaultTransport {
    async fn send(&self, req: HttpRequest) -> Result<HttpResponse, TransportError> {
        if self.crashed.get() {
            return futures::future::pending().await;
        }
        let n = self.sent.get() + 1;
        self.sent.set(n);
        if self.crash_at == Some(n) {
            self.crashed.set(true);
            if self.crash_after_send {
                let _ = self.inner.send(req).await;
            }
            return futures::future::pending().await;
        }
        self.set_burst(n);
        let r = self.inner.send(req).await;
        if matches!(r, Err(TransportError::ResponseLost(_))) {
            self.lost.set(self.lost.get() + 1);
        }
        r
    }
}

/// Polls `fut` to completion, or until `crashed` is set and nothing can move: then drops it (the
/// page is gone mid-flight) and returns `None`. Everything runs on a virtual clock, so a future
/// that is pending and not crashed is only waiting for a wake-up delivered within the same poll.
pub fn run_until_crash<F: Future>(fut: F, crashed: &Cell<bool>) -> Option<F::Output> {
    let mut fut = pin!(fut);
    let waker = futures::task::noop_waker();
    let mut cx = Context::from_waker(&waker);
    let mut idle_polls = 0u32;
    loop {
        match fut.as_mut().poll(&mut cx) {
            Poll::Ready(v) => return Some(v),
            Poll::Pending if crashed.get() => return None,
            Poll::Pending => {
                idle_polls += 1;
                assert!(idle_polls < 1_000_000, "the run is stuck without a crash");
            }
        }
    }
}

/// Tokens as the app holds them: an access token from the authorization code flow, renewed with
/// the refresh token at the simulator's token endpoint whenever Graph answers 401.
pub struct SimSignIn {
    sim: Rc<RefCell<Sim>>,
    clock: VirtualClock,
    access: RefCell<String>,
    refresh: RefCell<String>,
    pub renewals: Cell<u64>,
}

const ORIGIN: &str = "http://localhost:8080";
const REDIRECT: &str = "http://localhost:8080/";
/// A PKCE verifier (43+ characters of the unreserved set); fixed, since the tests replay.
const VERIFIER: &str = "faults-suite-pkce-verifier-0123456789abcdefghijkl";

impl SimSignIn {
    /// Signs in (authorize, then redeem the code) with Graph's `.default` scopes and a refresh token.
    pub fn sign_in(sim: Rc<RefCell<Sim>>, clock: VirtualClock) -> Result<Rc<Self>, String> {
        let tenant = sim.borrow().tenant().tenant_id.clone();
        let url = format!(
            "https://login.microsoftonline.com/{tenant}/oauth2/v2.0/authorize?client_id={DEFAULT_CLIENT_ID}\
             &response_type=code&redirect_uri={}&scope={}&state=faults&code_challenge={}\
             &code_challenge_method=S256",
            percent_encode(REDIRECT),
            percent_encode(".default offline_access"),
            s256(VERIFIER)
        );
        let get = HttpRequest { method: Method::Get, url, headers: vec![], body: None };
        let resp = sim.borrow_mut().handle(&get, clock.now_ms());
        let location = resp.header("Location").ok_or(format!("authorize answered {}", resp.status))?;
        let code = Target::parse(location).param("code").ok_or("no code in the redirect")?.to_string();
        let me = SimSignIn {
            sim,
            clock,
            access: RefCell::new(String::new()),
            refresh: RefCell::new(String::new()),
            renewals: Cell::new(0),
        };
        let grant = [
            ("grant_type", "authorization_code"),
            ("code", &code),
            ("redirect_uri", REDIRECT),
            ("code_verifier", VERIFIER),
        ];
        me.redeem(&grant)?;
        Ok(Rc::new(me))
    }

    fn redeem(&self, grant: &[(&str, &str)]) -> Result<(), String> {
        let mut form = format!("client_id={DEFAULT_CLIENT_ID}");
        for (k, v) in grant {
            form.push_str(&format!("&{k}={}", percent_encode(v)));
        }
        let tenant = self.sim.borrow().tenant().tenant_id.clone();
        let req = HttpRequest {
            method: Method::Post,
            url: format!("https://login.microsoftonline.com/{tenant}/oauth2/v2.0/token"),
            headers: vec![
                ("Origin".into(), ORIGIN.into()),
                ("Content-Type".into(), "application/x-www-form-urlencoded".into()),
            ],
            body: Some(form),
        };
        let resp = self.sim.borrow_mut().handle(&req, self.clock.now_ms());
        let body: serde_json::Value =
            serde_json::from_str(&resp.body).map_err(|e| format!("token answer: {e}"))?;
        let field = |k: &str| body.get(k).and_then(|v| v.as_str()).map(str::to_string);
        match (field("access_token"), field("refresh_token")) {
            (Some(a), Some(r)) => {
                *self.access.borrow_mut() = a;
                *self.refresh.borrow_mut() = r;
                Ok(())
            }
            _ => Err(format!("token endpoint answered {}: {}", resp.status, resp.body)),
        }
    }
}

impl TokenSource for SimSignIn {
    fn token(&self) -> LocalBoxFuture<'_, Result<Option<AccessToken>, GraphError>> {
        let t = AccessToken::new(self.access.borrow().clone());
        Box::pin(async move { Ok(Some(t)) })
    }

    fn renew(&self) -> LocalBoxFuture<'_, Result<(), GraphError>> {
        self.renewals.set(self.renewals.get() + 1);
        let rt = self.refresh.borrow().clone();
        let r = self.redeem(&[("grant_type", "refresh_token"), ("refresh_token", &rt)]);
        Box::pin(async move { r.map_err(GraphError::Auth) })
    }
}
