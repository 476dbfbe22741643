//! Cooperative cancellation for one thread: the client checks the token between requests and
//! pages, and a back-off sleep ends as soon as the token is cancelled. A request already handed to
//! the transport is let finish, so a write is never cut off half-way by cancelling.
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
    waiters: RefCell<Vec<Waker>>,
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
    pub fn new() -> Self {
        Self::default()
    }

    pub fn cancel(&self) {
        self.inner.cancelled.set(true);
        for w in self.inner.waiters.borrow_mut().drain(..) {
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
        Cancelled { token: self.clone() }
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
}

impl Future for Cancelled {
    type Output = ();

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        if self.token.is_cancelled() {
            return Poll::Ready(());
        }
        let mut waiters = self.token.inner.waiters.borrow_mut();
        if !waiters.iter().any(|w| w.will_wake(cx.waker())) {
            waiters.push(cx.waker().clone());
        }
        Poll::Pending
    }
}
