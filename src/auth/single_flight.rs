//! One renewal at a time: every caller that needs a fresh token while a renewal is in flight
//! waits for that one instead of sending its own (several Graph calls answered 401 at once would
//! otherwise each redeem the refresh token).
use futures::future::{FutureExt, LocalBoxFuture, Shared};
use std::cell::RefCell;
use std::future::Future;
use std::rc::Rc;

type Running<T> = Shared<LocalBoxFuture<'static, T>>;

pub struct SingleFlight<T: Clone + 'static> {
    /// The run in flight; shared with that run, which empties it when it ends.
    running: Rc<RefCell<Option<Running<T>>>>,
}

impl<T: Clone + 'static> Default for SingleFlight<T> {
    fn default() -> Self {
        SingleFlight { running: Rc::new(RefCell::new(None)) }
    }
}

impl<T: Clone + 'static> SingleFlight<T> {
    /// Joins the run in flight, or starts `make()` when there is none.
    pub fn run<F>(&self, make: impl FnOnce() -> F) -> Running<T>
    where
        F: Future<Output = T> + 'static,
    {
        if let Some(r) = self.running.borrow().as_ref() {
            return r.clone();
        }
        let inner = make();
        let slot = Rc::clone(&self.running);
        let fut: LocalBoxFuture<'static, T> = async move {
            let out = inner.await;
            *slot.borrow_mut() = None;
            out
        }
        .boxed_local();
        let shared = fut.shared();
        *self.running.borrow_mut() = Some(shared.clone());
        shared
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::cell::Cell;
    use std::pin::pin;
    use std::task::{Context, Poll};

    thread_local! {
        static STARTED: Cell<u32> = const { Cell::new(0) };
        static GATE: Cell<bool> = const { Cell::new(false) };
    }

    /// Ready once GATE opens, counting how many were started.
    fn renewal() -> impl Future<Output = u32> {
        STARTED.with(|s| s.set(s.get() + 1));
        futures::future::poll_fn(|_| if GATE.with(Cell::get) { Poll::Ready(7) } else { Poll::Pending })
    }

    #[test]
    fn concurrent_callers_share_one_renewal_and_a_later_one_starts_anew() {
        let waker = futures::task::noop_waker();
        let mut cx = Context::from_waker(&waker);
        let flight = SingleFlight::default();
        let mut a = pin!(flight.run(renewal));
        let mut b = pin!(flight.run(renewal));
        assert!(a.as_mut().poll(&mut cx).is_pending() && b.as_mut().poll(&mut cx).is_pending());
        assert_eq!(STARTED.with(Cell::get), 1, "the second caller joined the first renewal");
        GATE.with(|g| g.set(true));
        assert_eq!(a.as_mut().poll(&mut cx), Poll::Ready(7));
        assert_eq!(b.as_mut().poll(&mut cx), Poll::Ready(7));
        let mut c = pin!(flight.run(renewal));
        assert_eq!(c.as_mut().poll(&mut cx), Poll::Ready(7));
        assert_eq!(STARTED.with(Cell::get), 2, "a renewal after the first ended is a new one");
    }
}
