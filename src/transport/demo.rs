//! The demo tenant, in the page: licswap-sim's Contoso Demo answers every request in memory, so
//! nothing leaves the browser and no sign-in is needed. Its state lasts until the page reloads.
//!
//! The simulator is code only the demo needs, so it lives in a lazily loaded chunk (`#[lazy]`, split
//! by `cargo xtask split-wasm`): a configured tenant never downloads it, and the demo fetches it
//! with its first request, after the first paint. Nothing outside `answer` names the simulator's
//! types, so none of its code (not even its destructor) is linked into the first download.
use super::BrowserClock;
use leptos::prelude::lazy;
use licswap_core::graph::http::{Clock, HttpRequest, HttpResponse, TransportError};
use std::any::Any;
use std::cell::RefCell;
use std::rc::Rc;

/// The demo tenant's state, made on the first request. Opaque here (see the module comment).
type Slot = Rc<RefCell<Option<Box<dyn Any>>>>;

#[derive(Clone, Default)]
pub struct DemoTransport {
    tenant: Slot,
}

impl DemoTransport {
    pub fn new() -> Self {
        DemoTransport::default()
    }

    pub async fn send(&self, req: HttpRequest) -> Result<HttpResponse, TransportError> {
        let answered = answer(self.tenant.clone(), Some(req), BrowserClock.now_ms()).await;
        Ok(answered.unwrap_or(HttpResponse { status: 500, headers: Vec::new(), body: String::new() }))
    }

    /// Loads the simulator's chunk and makes the demo tenant now, answering nothing. Called when
    /// the demo opens: otherwise the chunk is asked for only by the overview's first request, a
    /// second wave of downloads and compiles after the overview's own chunk; asked for here, both
    /// load side by side and the overview's subscriptions appear sooner.
    pub fn warm(&self) {
        let tenant = self.tenant.clone();
        leptos::task::spawn_local(async move {
            answer(tenant, None, 0).await;
        });
    }
}

/// One request answered by the demo tenant (none: only made), made first if this is the first
/// call. The borrow never spans an await, so overlapping requests never collide.
#[lazy]
fn answer(tenant: Slot, req: Option<HttpRequest>, now_ms: u64) -> Option<HttpResponse> {
    let mut slot = tenant.borrow_mut();
    let boxed = slot.get_or_insert_with(|| Box::new(licswap_sim::Sim::demo()));
    match boxed.downcast_mut::<licswap_sim::Sim>() {
        Some(sim) => req.map(|req| sim.handle(&req, now_ms)),
        // Only `answer` fills the slot, always with a `Sim`; a panic here would abort the page.
        None => None,
    }
}
