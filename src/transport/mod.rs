//! The app's side of the transport seam: where requests go (the in-process demo tenant or the
//! network) and the browser's clock.
mod demo;
mod demo_first;
mod fetch;

pub use demo::DemoTransport;
pub use demo_first::{preload as preload_demo_first_answer, DEMO_BASE};
pub use fetch::FetchTransport;

use licswap_core::graph::http::{Clock, HttpRequest, HttpResponse, Transport, TransportError};

/// One transport type for the whole app, so the Graph client has one concrete type.
#[derive(Clone)]
pub enum AppTransport {
    Demo(DemoTransport),
    Fetch(FetchTransport),
}

impl Transport for AppTransport {
    async fn send(&self, req: HttpRequest) -> Result<HttpResponse, TransportError> {
        match self {
            AppTransport::Demo(d) => d.send(req).await,
            AppTransport::Fetch(f) => f.send(req).await,
        }
    }
}

/// Real time: `Date.now()` and `setTimeout`.
#[derive(Clone, Copy, Debug, Default)]
pub struct BrowserClock;

impl Clock for BrowserClock {
    fn now_ms(&self) -> u64 {
        let now = js_sys::Date::now();
        if now.is_finite() && now > 0.0 {
            now as u64
        } else {
            0
        }
    }

    async fn sleep(&self, ms: u64) {
        gloo_timers::future::TimeoutFuture::new(ms.min(u32::MAX as u64) as u32).await;
    }
}
