//! A scripted [`Transport`] for tests of code built on the client (here and in other crates):
//! a closure answers each request, and every request is logged.
use super::http::{HttpRequest, HttpResponse, Transport, TransportError};
use std::cell::RefCell;
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};

type Handler = Box<dyn FnMut(&HttpRequest) -> Result<HttpResponse, TransportError>>;

pub struct FakeTransport {
    handler: RefCell<Handler>,
    log: RefCell<Vec<HttpRequest>>,
}

impl FakeTransport {
    pub fn new(handler: impl FnMut(&HttpRequest) -> Result<HttpResponse, TransportError> + 'static) -> Self {
        FakeTransport { handler: RefCell::new(Box::new(handler)), log: RefCell::new(Vec::new()) }
    }

    /// Every request received, in order.
    pub fn requests(&self) -> Vec<HttpRequest> {
        self.log.borrow().clone()
    }

    pub fn count(&self) -> usize {
        self.log.borrow().len()
    }
}

impl Transport for FakeTransport {
    async fn send(&self, req: HttpRequest) -> Result<HttpResponse, TransportError> {
        self.log.borrow_mut().push(req.clone());
        let answer = (self.handler.borrow_mut())(&req);
        // Yield once, as a real transport would, so concurrent callers interleave.
        YieldNow(false).await;
        answer
    }
}

/// A JSON response with the given status.
pub fn json(status: u16, body: serde_json::Value) -> HttpResponse {
    HttpResponse {
        status,
        headers: vec![("Content-Type".into(), "application/json".into())],
        body: body.to_string(),
    }
}

/// Graph's error body with a request id header.
pub fn graph_error(status: u16, code: &str, message: &str) -> HttpResponse {
    let mut r = json(status, serde_json::json!({"error": {"code": code, "message": message}}));
    r.headers.push(("request-id".into(), format!("req-{status}-{code}")));
    r
}

/// Returns Pending once (waking itself first), like `tokio::task::yield_now`.
struct YieldNow(bool);

impl Future for YieldNow {
    type Output = ();

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        if self.0 {
            return Poll::Ready(());
        }
        self.0 = true;
        cx.waker().wake_by_ref();
        Poll::Pending
    }
}
