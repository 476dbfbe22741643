//! The demo tenant, in the page: licswap-sim's Contoso Demo answers every request in memory, so
//! nothing leaves the browser and no sign-in is needed. Its state lasts until the page reloads.
use super::BrowserClock;
use licswap_core::graph::http::{HttpRequest, HttpResponse, Transport, TransportError};
use licswap_sim::{Sim, SimTransport};
use std::cell::RefCell;
use std::rc::Rc;

#[derive(Clone)]
pub struct DemoTransport {
    inner: Rc<SimTransport<BrowserClock>>,
}

impl DemoTransport {
    pub fn new() -> Self {
        let sim = Rc::new(RefCell::new(Sim::demo()));
        DemoTransport { inner: Rc::new(SimTransport::new(sim, BrowserClock)) }
    }

    pub async fn send(&self, req: HttpRequest) -> Result<HttpResponse, TransportError> {
        self.inner.send(req).await
    }
}
