//! The demo tenant, in the page: licswap-sim's Contoso Demo answers every request in memory, so
//! nothing leaves the browser and no sign-in is needed. Its state lasts until the page reloads.
//!
//! The simulator is code only the demo needs, so it lives in a lazily loaded chunk (`#[lazy]`, split
//! by `cargo xtask split-wasm`): a configured tenant never downloads it. Nor does the demo's first
//! screen: the overview's `GET /subscribedSkus` is answered from a recording of the fresh tenant's
//! answer (`demo_first.rs`), and the simulator's chunk is asked for once that screen is painted.
//! Nothing outside `answer` names the simulator's types, so none of its code (not even its
//! destructor) is linked into the first download.
use super::demo_first::{is_recorded, preload, recorded_answer};
use super::BrowserClock;
use leptos::prelude::{lazy, request_animation_frame, set_timeout};
use licswap_core::graph::http::{Clock, HttpRequest, HttpResponse, TransportError};
use std::any::Any;
use std::cell::RefCell;
use std::rc::Rc;
use std::time::Duration;

/// The demo tenant's state, made on the first request the recording cannot answer, or once the
/// first screen is painted. Opaque here (see the module comment).
type Slot = Rc<RefCell<Option<Box<dyn Any>>>>;

/// Requests answered from the recording before the tenant was made, with their times: the tenant
/// handles them first when it is made, so that it stands where it would had it answered them
/// itself (its request ids and counts; a read changes nothing else).
type Replay = Rc<RefCell<Vec<(HttpRequest, u64)>>>;

#[derive(Clone, Default)]
pub struct DemoTransport {
    tenant: Slot,
    replay: Replay,
}

impl DemoTransport {
    pub fn new() -> Self {
        DemoTransport::default()
    }

    /// Loads the recording's split file now, beside the overview's, rather than once the overview
    /// asks for the subscriptions: the overview's first request then finds it ready.
    pub fn prepare_first_screen(&self) {
        leptos::task::spawn_local(preload());
    }

    pub async fn send(&self, req: HttpRequest) -> Result<HttpResponse, TransportError> {
        let now_ms = BrowserClock.now_ms();
        if self.tenant.borrow().is_none() && is_recorded(&req) {
            // Queued before the await: a request that makes the tenant meanwhile (a write) replays
            // this read first, so the tenant's order is the answers' order.
            self.replay.borrow_mut().push((req, now_ms));
            let answer = recorded_answer().await;
            self.make_after_paint();
            return Ok(answer);
        }
        let answered = answer(self.tenant.clone(), self.replay.clone(), Some(req), now_ms).await;
        Ok(answered.unwrap_or(HttpResponse { status: 500, headers: Vec::new(), body: String::new() }))
    }

    /// Loads the simulator's chunk and makes the tenant once the frame being built now is painted
    /// (the overview's subscriptions, drawn from the recorded answer), so that the next screen's
    /// requests find it ready. After the next animation frame, a task of its own: the paint comes
    /// between the two.
    fn make_after_paint(&self) {
        let (tenant, replay) = (self.tenant.clone(), self.replay.clone());
        request_animation_frame(move || {
            let make = move || {
                leptos::task::spawn_local(async move {
                    answer(tenant, replay, None, 0).await;
                })
            };
            set_timeout(make, Duration::ZERO)
        });
    }
}

/// One request answered by the demo tenant (none: only made), made first if this is the first
/// call. The borrow never spans an await, so overlapping requests never collide.
#[lazy]
fn answer(tenant: Slot, replay: Replay, req: Option<HttpRequest>, now_ms: u64) -> Option<HttpResponse> {
    let mut slot = tenant.borrow_mut();
    let boxed = slot.get_or_insert_with(|| Box::new(made(replay.take())));
    match boxed.downcast_mut::<licswap_sim::Sim>() {
        Some(sim) => req.map(|req| sim.handle(&req, now_ms)),
        // Only `answer` fills the slot, always with a `Sim`; a panic here would abort the page.
        None => None,
    }
}

/// The demo tenant, having answered `replay` (what the recording answered in its place).
fn made(replay: Vec<(HttpRequest, u64)>) -> licswap_sim::Sim {
    let mut sim = licswap_sim::Sim::demo();
    for (req, now_ms) in &replay {
        sim.handle(req, *now_ms);
    }
    sim
}

#[cfg(test)]
mod tests {
    use super::*;
    use licswap_core::graph::calls::skus_path;
    use licswap_core::graph::http::Method;

    fn get(url: String) -> HttpRequest {
        HttpRequest { method: Method::Get, url, headers: Vec::new(), body: None }
    }

    /// A tenant made after the recording answered the first read answers the next request exactly
    /// as a tenant that answered both itself: same request id, same body.
    #[test]
    fn a_tenant_made_after_recorded_answers_stands_where_it_would_have() {
        let first = get(format!("{}{}", super::super::DEMO_BASE, skus_path()));
        let next = get(format!("{}/organization?$select=displayName", super::super::DEMO_BASE));
        let mut answered_itself = licswap_sim::Sim::demo();
        answered_itself.handle(&first, 1_000);
        let expected = answered_itself.handle(&next, 2_000);
        let replayed = made(vec![(first.clone(), 1_000)]).handle(&next, 2_000);
        assert_eq!(replayed, expected);
        // Without the replay the tenant would stand one request behind: another request id.
        let fresh = licswap_sim::Sim::demo().handle(&next, 2_000);
        assert_ne!(fresh.headers, expected.headers);
    }
}
