//! [`GraphClient`]: one request to Graph, with the token, the bound on requests in flight,
//! retry with back-off, cancellation and typed errors. Paging, `$batch` and the typed calls are
//! built on [`GraphClient::send`] in the modules beside this one.
use super::cancel::CancelToken;
use super::error::{GraphError, HttpError};
use super::http::{Clock, HttpRequest, HttpResponse, Method, Transport, TransportError};
use super::limit::Limiter;
use super::request::{BaseUrl, MAX_PAGE_SIZE};
use super::retry::{classify, parse_retry_after, Jitter, RetryDecision, RetryPolicy};
use super::token::{AccessToken, StaticToken, TokenSource};
use serde::de::DeserializeOwned;
use std::cell::Cell;
use std::rc::Rc;

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ClientConfig {
    /// The version root: `https://graph.microsoft.com/v1.0`, `http://127.0.0.1:PORT/v1.0`, or
    /// origin-relative `/v1.0` for the in-process simulator.
    pub base_url: String,
    pub retry: RetryPolicy,
    /// Requests in flight at once across everything this client does.
    pub max_in_flight: usize,
    /// `$top` for collections (Graph's maximum for users and groups is 999).
    pub page_size: u32,
    /// Seeds the back-off jitter, so a run is reproducible under a virtual clock.
    pub jitter_seed: u64,
    /// Read a SKU's holders as several queries paged side by side (see
    /// [`super::holder_partitions`]) when the SKU counts at least this many consumed units;
    /// `None` reads them with one query, in the fewest requests.
    pub partition_holders_from: Option<u64>,
}

impl Default for ClientConfig {
    fn default() -> Self {
        ClientConfig {
            base_url: "https://graph.microsoft.com/v1.0".into(),
            retry: RetryPolicy::default(),
            max_in_flight: 4,
            page_size: MAX_PAGE_SIZE,
            jitter_seed: 0x006c_6963_7377_6170,
            partition_holders_from: None,
        }
    }
}

/// From this many holders (5 pages of 999) a client that reads Graph at its real pace reads them
/// in partitions ([`super::holder_partitions`]): below it, the one query takes no more round
/// trips than the partitions' counts and their pages would.
pub const PARTITION_FROM_HOLDERS: u64 = 5_000;

impl ClientConfig {
    /// The configuration for reading a real tenant at Graph's pace (the app's signed-in client,
    /// and the benchmark that stands for it): the holders of a large SKU in partitions side by
    /// side, and six requests in flight. Graph documents no bound on concurrent directory reads
    /// (<https://learn.microsoft.com/graph/throttling-limits>, "Identity and access service
    /// limits", counts resource units, not requests in flight); six is what a browser opens to
    /// one host over HTTP/1.1, so a test server on the loopback sees what Graph sees. The apply
    /// executor keeps its own, smaller bound on batches in flight.
    pub fn graph_paced(base_url: impl Into<String>) -> Self {
        ClientConfig {
            base_url: base_url.into(),
            max_in_flight: 6,
            partition_holders_from: Some(PARTITION_FROM_HOLDERS),
            ..ClientConfig::default()
        }
    }
}

/// What the client has done, for progress displays and the request-count tests.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct ClientStats {
    /// HTTP requests handed to the transport (a `$batch` counts once).
    pub requests: u64,
    /// `$batch` requests among them, and the items they carried.
    pub batches: u64,
    pub batch_items: u64,
    /// Requests or batch items sent again after a transient failure.
    pub retries: u64,
    /// 429 answers seen (whole requests and batch items).
    pub throttled: u64,
    /// Time spent waiting before retries, in clock milliseconds.
    pub waited_ms: u64,
    /// Token renewals after a 401.
    pub token_renewals: u64,
}

/// One request as the client's methods describe it.
pub(crate) struct Call<'a> {
    pub method: Method,
    /// Relative to the version root: `/users?$select=id`.
    pub relative: &'a str,
    pub body: Option<&'a str>,
    /// Safe to send twice (a read, or a `$batch` of reads).
    pub idempotent: bool,
    /// For messages: "the holders of SKU ...".
    pub what: &'a str,
    /// Sends `ConsistencyLevel: eventual`: an advanced query on directory objects.
    pub eventual: bool,
}

pub struct GraphClient<T, C> {
    transport: T,
    clock: C,
    base: BaseUrl,
    pub(crate) config: ClientConfig,
    tokens: Rc<dyn TokenSource>,
    pub(crate) limiter: Limiter,
    pub(crate) jitter: Jitter,
    stats: Cell<ClientStats>,
}

impl<T, C> std::fmt::Debug for GraphClient<T, C> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("GraphClient")
            .field("base_url", &self.base.as_string())
            .field("stats", &self.stats.get())
            .finish_non_exhaustive()
    }
}

impl<T: Transport, C: Clock> GraphClient<T, C> {
    /// A client with no token (see [`GraphClient::with_tokens`]).
    pub fn new(transport: T, clock: C, config: ClientConfig) -> Result<Self, GraphError> {
        Ok(GraphClient {
            transport,
            clock,
            base: BaseUrl::parse(&config.base_url)?,
            limiter: Limiter::new(config.max_in_flight),
            jitter: Jitter::new(config.jitter_seed),
            config,
            tokens: Rc::new(StaticToken::none()),
            stats: Cell::new(ClientStats::default()),
        })
    }

    pub fn with_tokens(mut self, tokens: Rc<dyn TokenSource>) -> Self {
        self.tokens = tokens;
        self
    }

    pub fn stats(&self) -> ClientStats {
        self.stats.get()
    }

    /// The most requests that were ever in flight at once.
    pub fn peak_in_flight(&self) -> usize {
        self.limiter.peak()
    }

    pub fn base_url(&self) -> String {
        self.base.as_string()
    }

    pub fn clock(&self) -> &C {
        &self.clock
    }

    pub fn transport(&self) -> &T {
        &self.transport
    }

    pub(crate) fn base(&self) -> &BaseUrl {
        &self.base
    }

    pub(crate) fn bump(&self, f: impl FnOnce(&mut ClientStats)) {
        let mut s = self.stats.get();
        f(&mut s);
        self.stats.set(s);
    }

    /// Waits `ms` on the clock unless cancelled first, and counts the wait.
    pub(crate) async fn pause(&self, ms: u64, cancel: &CancelToken) -> Result<(), GraphError> {
        self.bump(|s| s.waited_ms += ms);
        cancel.sleep(&self.clock, ms).await
    }

    /// Sends one request, retrying what may be retried. Returns the successful response, or the
    /// typed error: Graph's own, [`GraphError::RetriesExhausted`], [`GraphError::UnknownOutcome`]
    /// for a write whose fate is unknown, [`GraphError::Cancelled`].
    pub(crate) async fn send(
        &self,
        call: &Call<'_>,
        cancel: &CancelToken,
    ) -> Result<HttpResponse, GraphError> {
        let policy = &self.config.retry;
        let mut attempt: u32 = 0;
        let mut renewed = false;
        loop {
            let mut throttled = false;
            cancel.check()?;
            attempt += 1;
            let token = self.tokens.token().await?;
            let resp = self.send_once(call, token).await;
            let (err, retry_after) = match resp {
                Ok(r) => match classify(r.status, call.idempotent) {
                    RetryDecision::Success => return Ok(r),
                    _ if r.status == 401 && !renewed => {
                        // An expired or revoked token: renew once, and this try does not count.
                        renewed = true;
                        attempt -= 1;
                        self.bump(|s| s.token_renewals += 1);
                        self.tokens.renew().await?;
                        continue;
                    }
                    RetryDecision::Fail => return Err(HttpError::from_response(&r).into()),
                    RetryDecision::Unknown => {
                        return Err(GraphError::UnknownOutcome {
                            what: call.what.to_string(),
                            detail: HttpError::from_response(&r).to_string(),
                        })
                    }
                    RetryDecision::Retry => {
                        if r.status == 429 {
                            self.bump(|s| s.throttled += 1);
                            throttled = true;
                        }
                        let after = parse_retry_after(r.header("Retry-After"));
                        (GraphError::Http(HttpError::from_response(&r)), after)
                    }
                },
                // Nothing reached Graph: repeating cannot apply anything twice.
                Err(e @ TransportError::Unreachable(_)) => (GraphError::Transport(e), None),
                Err(e @ TransportError::ResponseLost(_)) => {
                    if !call.idempotent {
                        return Err(GraphError::UnknownOutcome {
                            what: call.what.to_string(),
                            detail: e.to_string(),
                        });
                    }
                    (GraphError::Transport(e), None)
                }
            };
            if attempt >= policy.attempts_for(throttled && retry_after.is_none()) {
                return Err(GraphError::RetriesExhausted { attempts: attempt, last: Box::new(err) });
            }
            let delay = policy.delay_for(attempt, throttled, retry_after, &self.jitter);
            self.bump(|s| s.retries += 1);
            self.pause(delay, cancel).await?;
        }
    }

    /// One try: token, permit, transport.
    async fn send_once(
        &self,
        call: &Call<'_>,
        token: Option<AccessToken>,
    ) -> Result<HttpResponse, TransportError> {
        let mut req = HttpRequest {
            method: call.method.clone(),
            url: self.base.url(call.relative),
            headers: vec![("Accept".into(), "application/json".into())],
            body: call.body.map(str::to_string),
        };
        if call.body.is_some() {
            req.headers.push(("Content-Type".into(), "application/json".into()));
        }
        if call.eventual {
            req.headers.push(("ConsistencyLevel".into(), "eventual".into()));
        }
        if let Some(t) = token {
            req.headers.push(("Authorization".into(), format!("Bearer {}", t.secret())));
        }
        let _permit = self.limiter.acquire().await;
        self.bump(|s| s.requests += 1);
        self.transport.send(req).await
    }

    /// GET one resource (`relative` to the version root, e.g. `/me?$select=displayName`) and
    /// decode it, with the same retry and errors as the typed calls; `what` names it in errors.
    pub async fn get<D: DeserializeOwned>(&self, relative: &str, what: &str) -> Result<D, GraphError> {
        self.get_json_as(relative, what, false, &CancelToken::new()).await
    }

    /// GET and decode, as an advanced query when `eventual`. `what` names the thing for error
    /// messages.
    pub(crate) async fn get_json_as<D: DeserializeOwned>(
        &self,
        relative: &str,
        what: &str,
        eventual: bool,
        cancel: &CancelToken,
    ) -> Result<D, GraphError> {
        let call = Call { method: Method::Get, relative, body: None, idempotent: true, what, eventual };
        let resp = self.send(&call, cancel).await?;
        decode(&resp.body, what)
    }
}

pub(crate) fn decode<D: DeserializeOwned>(body: &str, what: &str) -> Result<D, GraphError> {
    serde_json::from_str(body).map_err(|e| GraphError::decode(what, e))
}
