//! Cooperative cancellation for one thread: the client checks the token between requests and
//! pages, and a back-off sleep ends as soon as the token is cancelled. A request already handed to
//! the transport is let finish, so a write is never cut off half-way by cancelling.
//!
//! A token belongs to one call, not to the client: the page's one client serves a snapshot load
//! and an apply run side by side, and only the load is ever to stop. The app cancels a snapshot
//! load when the admin picks another source before it ends, so that a stale read of a large
//! tenant does not hold the client's requests in flight for minutes while the one the admin wants
//! waits. A call nobody stops passes a fresh token.
use super::error::GraphError;
use super::http::Clock;
use futures::future::{select, Either};
use std::cell::{Cell, RefCell};
use std::future::Future;
use std::pin::{pin, Pin};
use std::rc::Rc;
use std::task::{Context, Poll, Waker};

#[derive(Default)]
struct Inner {
    cancelled: Cell<bool>,
    /// Wakers of pending [`Cancelled`] futures, by the future's id; a future removes its own on
    /// drop, so a long run of back-off sleeps leaves nothing behind.
    waiters: RefCell<Vec<(u64, Waker)>>,
    next_id: Cell<u64>,
}

/// Cheap to clone; every clone sees the same cancellation.
#[derive(Clone, Default)]
pub struct CancelToken {
    inner: Rc<Inner>,
}

impl std::fmt::Debug for CancelToken {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CancelToken").field("cancelled", &self.is_cancelled()).finish()
    }
}

impl CancelToken {
    /// A token not cancelled until [`CancelToken::cancel`] is called on it or a clone.
    pub fn new() -> Self {
        Self::default()
    }

    pub fn cancel(&self) {
        self.inner.cancelled.set(true);
        let waiters: Vec<(u64, Waker)> = self.inner.waiters.borrow_mut().drain(..).collect();
        for (_, w) in waiters {
            w.wake();
        }
    }

    pub fn is_cancelled(&self) -> bool {
        self.inner.cancelled.get()
    }

    /// `Err(Cancelled)` once cancelled: put it between steps with `?`.
    pub fn check(&self) -> Result<(), GraphError> {
        if self.is_cancelled() {
            Err(GraphError::Cancelled)
        } else {
            Ok(())
        }
    }

    /// Completes when the token is cancelled.
    pub fn cancelled(&self) -> Cancelled {
        let id = self.inner.next_id.get();
        self.inner.next_id.set(id.wrapping_add(1));
        Cancelled { token: self.clone(), id }
    }

    /// Sleeps on `clock`, ending early with `Err(Cancelled)` if the token is cancelled.
    pub async fn sleep<C: Clock>(&self, clock: &C, ms: u64) -> Result<(), GraphError> {
        self.check()?;
        let sleep = pin!(clock.sleep(ms));
        match select(sleep, self.cancelled()).await {
            Either::Left(((), _)) => self.check(),
            Either::Right(((), _)) => Err(GraphError::Cancelled),
        }
    }
}

/// The future of [`CancelToken::cancelled`].
pub struct Cancelled {
    token: CancelToken,
    id: u64,
}

impl Drop for Cancelled {
    fn drop(&mut self) {
        self.token.inner.waiters.borrow_mut().retain(|(id, _)| *id != self.id);
    }
}

impl Future for Cancelled {
    type Output = ();

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        if self.token.is_cancelled() {
            return Poll::Ready(());
        }
        let mut waiters = self.token.inner.waiters.borrow_mut();
        match waiters.iter_mut().find(|(id, _)| *id == self.id) {
            Some((_, w)) if w.will_wake(cx.waker()) => {}
            Some((_, w)) => *w = cx.waker().clone(),
            None => waiters.push((self.id, cx.waker().clone())),
        }
        Poll::Pending
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use futures::executor::block_on;

    /// A clock whose sleeps are pending once before they end, so the cancel future registers.
    struct SlowClock(Cell<u64>);

    impl Clock for SlowClock {
        fn now_ms(&self) -> u64 {
            self.0.get()
        }

        async fn sleep(&self, ms: u64) {
            let mut first = true;
            futures::future::poll_fn(|cx| {
                if std::mem::take(&mut first) {
                    cx.waker().wake_by_ref();
                    Poll::Pending
                } else {
                    Poll::Ready(())
                }
            })
            .await;
            self.0.set(self.0.get() + ms);
        }
    }

    #[test]
    fn sleeps_leave_no_wakers_behind() {
        let token = CancelToken::new();
        let clock = SlowClock(Cell::new(0));
        for _ in 0..100 {
            block_on(token.sleep(&clock, 10)).unwrap();
        }
        assert_eq!(clock.now_ms(), 1_000);
        assert!(token.inner.waiters.borrow().is_empty());
        assert_eq!(token.inner.next_id.get(), 100, "each sleep did register");
        token.cancel();
        assert_eq!(block_on(token.sleep(&clock, 10)), Err(GraphError::Cancelled));
        assert_eq!(clock.now_ms(), 1_000, "a cancelled token does not sleep");
    }
}
