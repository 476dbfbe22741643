//! When to try a request again and how long to wait first.
//!
//! Graph's throttling guidance (https://learn.microsoft.com/graph/throttling): on 429 wait the
//! number of seconds in `Retry-After`, else back off exponentially. 503 and 504 are transient too
//! (https://learn.microsoft.com/graph/best-practices-concept#handling-expected-errors). A write is
//! only repeated when Graph cannot have applied it: a 429 or 503 is a refusal, but a 504 (a gateway
//! gave up waiting) or a lost response leaves the outcome unknown.
//!
//! A browser may not see `Retry-After` at all: a page reads only the response headers the server
//! lists in `Access-Control-Expose-Headers`, and Graph was reported not to list it
//! (microsoftgraph/microsoft-graph-docs#17488, microsoftgraph/msgraph-sdk-design#76). A 429
//! without a readable `Retry-After` therefore gets a back-off of its own, long enough to outlast
//! Graph's write window (3,000 writes per 150 s per app and tenant,
//! <https://learn.microsoft.com/graph/throttling-limits#identity-and-access-service-limits>):
//! starting at [`RetryPolicy::throttle_floor_ms`], doubling to a minute, for
//! [`RetryPolicy::throttle_attempts`] attempts, rather than the short back-off meant for a
//! transient 5xx.
use std::cell::Cell;

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RetryPolicy {
    /// Attempts in all, the first included (1 = never retry).
    pub max_attempts: u32,
    /// Back-off before the first retry when Graph gives no `Retry-After`; doubles per attempt.
    pub base_delay_ms: u64,
    /// Ceiling of the exponential back-off (not of `Retry-After`, which is honoured as given).
    pub max_delay_ms: u64,
    /// First back-off after a 429 whose `Retry-After` could not be read; doubles per attempt up
    /// to [`THROTTLE_MAX_DELAY_MS`].
    pub throttle_floor_ms: u64,
    /// Attempts in all when the last answer was such a 429 (at least `max_attempts`).
    pub throttle_attempts: u32,
}

/// Ceiling of the back-off after a 429 without a readable `Retry-After`.
pub const THROTTLE_MAX_DELAY_MS: u64 = 60_000;

impl Default for RetryPolicy {
    fn default() -> Self {
        RetryPolicy {
            max_attempts: 6,
            base_delay_ms: 500,
            max_delay_ms: 30_000,
            throttle_floor_ms: 5_000,
            throttle_attempts: 10,
        }
    }
}

/// What to do with a response status.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RetryDecision {
    Success,
    Retry,
    /// A write whose effect cannot be known from this answer.
    Unknown,
    Fail,
}

pub fn classify(status: u16, idempotent: bool) -> RetryDecision {
    match status {
        200..=299 => RetryDecision::Success,
        429 | 503 => RetryDecision::Retry,
        504 if idempotent => RetryDecision::Retry,
        504 => RetryDecision::Unknown,
        _ => RetryDecision::Fail,
    }
}

/// `Retry-After` as delta-seconds, in milliseconds. The HTTP-date form is ignored (the client has
/// no wall clock it can trust); the caller then falls back to its own back-off.
pub fn parse_retry_after(value: Option<&str>) -> Option<u64> {
    let v = value?.trim();
    if let Ok(secs) = v.parse::<u64>() {
        return Some(secs.saturating_mul(1000));
    }
    match v.parse::<f64>() {
        Ok(secs) if secs.is_finite() && secs >= 0.0 => Some((secs * 1000.0).ceil() as u64),
        _ => None,
    }
}

/// SplitMix64: a tiny seeded generator, enough to spread retries apart. Not for secrets.
#[derive(Debug)]
pub struct Jitter {
    state: Cell<u64>,
}

impl Jitter {
    pub fn new(seed: u64) -> Self {
        Jitter { state: Cell::new(seed) }
    }

    pub fn next_u64(&self) -> u64 {
        let s = self.state.get().wrapping_add(0x9E37_79B9_7F4A_7C15);
        self.state.set(s);
        let mut z = s;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform-ish in `0..=max`.
    pub fn below_or_eq(&self, max: u64) -> u64 {
        if max == u64::MAX {
            return self.next_u64();
        }
        self.next_u64() % (max + 1)
    }
}

impl RetryPolicy {
    /// The wait before retry number `retry` (1 = first retry) with no `Retry-After`: "equal jitter",
    /// half of the capped exponential step fixed and half random, so retries never bunch at zero.
    pub fn backoff_ms(&self, retry: u32, jitter: &Jitter) -> u64 {
        let shift = retry.saturating_sub(1).min(32);
        let step = self.base_delay_ms.saturating_mul(1u64 << shift).min(self.max_delay_ms);
        let half = step / 2;
        half + jitter.below_or_eq(step - half)
    }

    /// The wait before retry number `retry`: `Retry-After` when Graph sent one, else back-off.
    pub fn delay_ms(&self, retry: u32, retry_after_ms: Option<u64>, jitter: &Jitter) -> u64 {
        retry_after_ms.unwrap_or_else(|| self.backoff_ms(retry, jitter))
    }

    /// [`RetryPolicy::delay_ms`], with the longer back-off when Graph throttled (`throttled`)
    /// and its `Retry-After` could not be read.
    pub fn delay_for(
        &self,
        retry: u32,
        throttled: bool,
        retry_after_ms: Option<u64>,
        jitter: &Jitter,
    ) -> u64 {
        match retry_after_ms {
            Some(ms) => ms,
            None if throttled => {
                let slow = RetryPolicy {
                    base_delay_ms: self.throttle_floor_ms.max(self.base_delay_ms),
                    max_delay_ms: THROTTLE_MAX_DELAY_MS.max(self.max_delay_ms),
                    ..self.clone()
                };
                slow.backoff_ms(retry, jitter)
            }
            None => self.backoff_ms(retry, jitter),
        }
    }

    /// Attempts allowed in all, given whether the last answer was a 429 without `Retry-After`.
    pub fn attempts_for(&self, throttled_blind: bool) -> u32 {
        if throttled_blind {
            self.max_attempts.max(self.throttle_attempts)
        } else {
            self.max_attempts
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_grows_and_is_capped() {
        let p = RetryPolicy {
            max_attempts: 10,
            base_delay_ms: 500,
            max_delay_ms: 4_000,
            ..RetryPolicy::default()
        };
        let j = Jitter::new(7);
        for _ in 0..50 {
            let d1 = p.backoff_ms(1, &j);
            assert!((250..=500).contains(&d1), "{d1}");
            let d3 = p.backoff_ms(3, &j);
            assert!((1000..=2000).contains(&d3), "{d3}");
            let d9 = p.backoff_ms(9, &j);
            assert!((2000..=4000).contains(&d9), "{d9}");
        }
    }

    #[test]
    fn jitter_varies_but_is_reproducible() {
        let a: Vec<u64> = {
            let j = Jitter::new(42);
            (0..5).map(|_| j.below_or_eq(1000)).collect()
        };
        let b: Vec<u64> = {
            let j = Jitter::new(42);
            (0..5).map(|_| j.below_or_eq(1000)).collect()
        };
        assert_eq!(a, b);
        assert!(a.iter().any(|x| *x != a[0]));
    }

    #[test]
    fn retry_after_forms() {
        assert_eq!(parse_retry_after(Some("3")), Some(3000));
        assert_eq!(parse_retry_after(Some(" 0.5 ")), Some(500));
        assert_eq!(parse_retry_after(Some("Wed, 21 Oct 2015 07:28:00 GMT")), None);
        assert_eq!(parse_retry_after(Some("-1")), None);
        assert_eq!(parse_retry_after(None), None);
    }

    #[test]
    fn a_429_without_a_readable_retry_after_outlasts_graphs_write_window() {
        let p = RetryPolicy::default();
        let j = Jitter::new(3);
        // The worst case (every jittered wait at its lowest) still waits past 150 s before the
        // last attempt; the 5xx back-off alone would give up after about 8 s.
        let attempts = p.attempts_for(true);
        let slow: u64 = (1..attempts).map(|r| p.delay_for(r, true, None, &j)).sum();
        assert!(slow >= 150_000, "{slow} ms");
        let quick: u64 = (1..p.attempts_for(false)).map(|r| p.delay_for(r, false, None, &j)).sum();
        assert!(quick < 30_000, "{quick} ms");
        // A readable Retry-After is honoured as given.
        assert_eq!(p.delay_for(1, true, Some(1_500), &j), 1_500);
    }

    #[test]
    fn writes_are_not_retried_after_a_gateway_timeout() {
        assert_eq!(classify(504, true), RetryDecision::Retry);
        assert_eq!(classify(504, false), RetryDecision::Unknown);
        assert_eq!(classify(429, false), RetryDecision::Retry);
        assert_eq!(classify(503, false), RetryDecision::Retry);
        assert_eq!(classify(500, true), RetryDecision::Fail);
        assert_eq!(classify(204, false), RetryDecision::Success);
    }
}
