//! A bound on requests in flight, for one thread (the browser has no other): a counting semaphore
//! whose permits are given back on drop. Waiters are all woken when a permit is returned and race
//! for it again, so a waiter that was dropped never strands the others.
use std::cell::{Cell, RefCell};
use std::future::Future;
use std::pin::Pin;
use std::rc::Rc;
use std::task::{Context, Poll, Waker};

struct Inner {
    max: usize,
    used: Cell<usize>,
    peak: Cell<usize>,
    waiters: RefCell<Vec<Waker>>,
}

#[derive(Clone)]
pub struct Limiter {
    inner: Rc<Inner>,
}

impl Limiter {
    /// `max` is raised to 1: a limit of 0 would never send anything.
    pub fn new(max: usize) -> Self {
        Limiter {
            inner: Rc::new(Inner {
                max: max.max(1),
                used: Cell::new(0),
                peak: Cell::new(0),
                waiters: RefCell::new(Vec::new()),
            }),
        }
    }

    pub fn acquire(&self) -> Acquire {
        Acquire { limiter: self.clone() }
    }

    pub fn in_flight(&self) -> usize {
        self.inner.used.get()
    }

    /// The most permits ever held at once: lets tests check the bound held.
    pub fn peak(&self) -> usize {
        self.inner.peak.get()
    }

    pub fn max(&self) -> usize {
        self.inner.max
    }
}

pub struct Acquire {
    limiter: Limiter,
}

impl Future for Acquire {
    type Output = Permit;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Permit> {
        let inner = &self.limiter.inner;
        if inner.used.get() < inner.max {
            inner.used.set(inner.used.get() + 1);
            inner.peak.set(inner.peak.get().max(inner.used.get()));
            return Poll::Ready(Permit { limiter: self.limiter.clone() });
        }
        let mut waiters = inner.waiters.borrow_mut();
        if !waiters.iter().any(|w| w.will_wake(cx.waker())) {
            waiters.push(cx.waker().clone());
        }
        Poll::Pending
    }
}

pub struct Permit {
    limiter: Limiter,
}

impl Drop for Permit {
    fn drop(&mut self) {
        let inner = &self.limiter.inner;
        inner.used.set(inner.used.get().saturating_sub(1));
        let waiters: Vec<Waker> = inner.waiters.borrow_mut().drain(..).collect();
        for w in waiters {
            w.wake();
        }
    }
}
