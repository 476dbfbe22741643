//! licswap-core's [`Transport`] and [`Clock`] over real sockets and real time, for driving
//! sim-server from native code the way the browser's fetch does.
//!
//! ureq is blocking; each request runs on its own thread and the future waits on a channel, so
//! the client's requests in flight (`ClientConfig::max_in_flight`, the executor's concurrent
//! batches) really are concurrent, as they are in a browser, under a single-threaded executor.
use futures::channel::oneshot;
use licswap_core::graph::http::{Clock, HttpRequest, HttpResponse, Method, Transport, TransportError};
use std::future::Future;
use std::io::Read;
use std::time::{Duration, Instant};

/// The largest response body read (a 999-user page with license states is about 1 MB).
const MAX_BODY: u64 = 256 * 1024 * 1024;

#[derive(Clone)]
pub struct HttpTransport {
    agent: ureq::Agent,
}

impl Default for HttpTransport {
    fn default() -> Self {
        Self::new()
    }
}

impl HttpTransport {
    pub fn new() -> Self {
        let agent = ureq::Agent::config_builder()
            // 4xx/5xx are answers the client handles (429, 400 from assignLicense), not errors.
            .http_status_as_error(false)
            .timeout_global(Some(Duration::from_secs(120)))
            .max_idle_connections_per_host(64)
            .build()
            .into();
        HttpTransport { agent }
    }

    /// One request, blocking the calling thread.
    pub fn send_blocking(&self, req: &HttpRequest) -> Result<HttpResponse, TransportError> {
        let mut resp = match req.method {
            Method::Get => with_headers(self.agent.get(&req.url), req).call(),
            Method::Delete => with_headers(self.agent.delete(&req.url), req).call(),
            Method::Post => {
                with_headers(self.agent.post(&req.url), req).send(req.body.as_deref().unwrap_or(""))
            }
            Method::Patch => {
                with_headers(self.agent.patch(&req.url), req).send(req.body.as_deref().unwrap_or(""))
            }
            Method::Options => {
                return Err(TransportError::Unreachable("OPTIONS is not sent natively".into()))
            }
        }
        .map_err(transport_error)?;
        let status = resp.status().as_u16();
        let headers = resp
            .headers()
            .iter()
            .map(|(k, v)| (k.as_str().to_string(), String::from_utf8_lossy(v.as_bytes()).into_owned()))
            .collect();
        let mut body = String::new();
        resp.body_mut()
            .as_reader()
            .take(MAX_BODY)
            .read_to_string(&mut body)
            .map_err(|e| TransportError::ResponseLost(e.to_string()))?;
        Ok(HttpResponse { status, headers, body })
    }
}

fn with_headers<B>(mut rb: ureq::RequestBuilder<B>, req: &HttpRequest) -> ureq::RequestBuilder<B> {
    for (k, v) in &req.headers {
        rb = rb.header(k, v);
    }
    rb
}

fn transport_error(e: ureq::Error) -> TransportError {
    match e {
        ureq::Error::ConnectionFailed | ureq::Error::HostNotFound => {
            TransportError::Unreachable(e.to_string())
        }
        ureq::Error::Io(ref io) if io.kind() == std::io::ErrorKind::ConnectionRefused => {
            TransportError::Unreachable(e.to_string())
        }
        other => TransportError::ResponseLost(other.to_string()),
    }
}

impl Transport for HttpTransport {
    fn send(&self, req: HttpRequest) -> impl Future<Output = Result<HttpResponse, TransportError>> {
        let (tx, rx) = oneshot::channel();
        let me = self.clone();
        std::thread::spawn(move || {
            let _ = tx.send(me.send_blocking(&req));
        });
        async move { rx.await.unwrap_or_else(|_| Err(TransportError::ResponseLost("worker thread ended".into()))) }
    }
}

/// Wall-clock time; `sleep` waits on a timer thread so other futures keep running meanwhile.
#[derive(Clone, Copy)]
pub struct RealClock {
    start: Instant,
}

impl Default for RealClock {
    fn default() -> Self {
        RealClock { start: Instant::now() }
    }
}

impl Clock for RealClock {
    fn now_ms(&self) -> u64 {
        self.start.elapsed().as_millis() as u64
    }

    fn sleep(&self, ms: u64) -> impl Future<Output = ()> {
        let (tx, rx) = oneshot::channel::<()>();
        std::thread::spawn(move || {
            std::thread::sleep(Duration::from_millis(ms));
            let _ = tx.send(());
        });
        async move {
            let _ = rx.await;
        }
    }
}
