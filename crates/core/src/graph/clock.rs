//! A [`Clock`] whose time only moves when something sleeps or the test advances it: retry back-off,
//! throttling windows and group processing delays run instantly and reproducibly in tests.
use super::http::Clock;
use std::cell::Cell;
use std::rc::Rc;

#[derive(Clone, Debug, Default)]
pub struct VirtualClock {
    now: Rc<Cell<u64>>,
}

impl VirtualClock {
    pub fn new(start_ms: u64) -> Self {
        VirtualClock { now: Rc::new(Cell::new(start_ms)) }
    }

    pub fn advance(&self, ms: u64) {
        self.now.set(self.now.get().saturating_add(ms));
    }
}

impl Clock for VirtualClock {
    fn now_ms(&self) -> u64 {
        self.now.get()
    }

    async fn sleep(&self, ms: u64) {
        self.advance(ms);
    }
}
