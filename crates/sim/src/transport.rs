//! [`SimTransport`]: the simulator behind licswap-core's `Transport` seam, in process. The demo
//! mode uses it in the browser (with a browser clock) and native tests with a `VirtualClock`.
//! Injected latency sleeps on the clock; a dropped response means the request was processed and
//! its answer lost (`TransportError::ResponseLost`), as a timeout or reset looks to a client.
use crate::sim::Sim;
use licswap_core::graph::http::{Clock, HttpRequest, HttpResponse, Transport, TransportError};
use std::cell::RefCell;
use std::rc::Rc;

pub struct SimTransport<C: Clock> {
    sim: Rc<RefCell<Sim>>,
    clock: C,
}

impl<C: Clock> SimTransport<C> {
    pub fn new(sim: Rc<RefCell<Sim>>, clock: C) -> Self {
        SimTransport { sim, clock }
    }

    /// The shared simulator, to inspect or reconfigure (faults, throttling) between requests.
    pub fn sim(&self) -> &Rc<RefCell<Sim>> {
        &self.sim
    }

    pub fn clock(&self) -> &C {
        &self.clock
    }
}

impl<C: Clock> Transport for SimTransport<C> {
    async fn send(&self, req: HttpRequest) -> Result<HttpResponse, TransportError> {
        let delivery = self.sim.borrow_mut().delivery(&req);
        if delivery.latency_ms > 0 {
            self.clock.sleep(delivery.latency_ms).await;
        }
        let now = self.clock.now_ms();
        // The borrow ends before anything awaits, so concurrent sends never overlap a borrow.
        let resp = self.sim.borrow_mut().handle(&req, now);
        if delivery.drop_response {
            return Err(TransportError::ResponseLost(format!(
                "simulated: the response to {} {} was lost after the request was processed",
                req.method.as_str(),
                req.url
            )));
        }
        Ok(resp)
    }
}
