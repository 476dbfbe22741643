//! Throttling modelled on Graph's "Identity and access service limits", which cover users,
//! groups, subscribedSkus and assignLicense: token buckets per application+tenant pair.
//!
//! Source: <https://learn.microsoft.com/en-us/graph/throttling-limits#identity-and-access-service-limits>
//! - Resource unit quota per app+tenant: S (< 50 users) 3,500, M (50-500) 5,000, L (> 500)
//!   8,000 per 10 seconds.
//! - Write quota per app+tenant: 3,000 requests per 2 minutes 30 seconds (20 writes/s).
//! - Base costs: GET users 2, GET groups/{id}/members 3, GET subscribedSkus 3, other GET 1;
//!   POST (e.g. assignLicense) 1 resource unit + 1 write. `$select` -1, `$top` < 20 -1, never
//!   below 1.
//! - Throttled responses: 429 with `Retry-After` (seconds), `x-ms-throttle-scope` and
//!   `x-ms-throttle-information`; other responses carry `x-ms-resource-unit`.
//!
//! The tenant-wide write quota (18,000 per 5 minutes) is above the app's own, so one app never
//! reaches it and it is not modelled.
pub use crate::config::ThrottleConfig;
use std::collections::HashMap;

/// A bucket that refills continuously: `capacity` tokens per `window_ms`.
#[derive(Clone, Debug)]
struct Bucket {
    tokens: f64,
    last_ms: u64,
}

impl Bucket {
    fn refill(&mut self, now: u64, capacity: f64, window_ms: u64) {
        let elapsed = now.saturating_sub(self.last_ms) as f64;
        self.tokens = (self.tokens + elapsed * capacity / window_ms as f64).min(capacity);
        self.last_ms = self.last_ms.max(now);
    }

    /// Milliseconds until `cost` tokens are there.
    fn wait_ms(&self, cost: f64, capacity: f64, window_ms: u64) -> u64 {
        let missing = cost - self.tokens;
        if missing <= 0.0 {
            0
        } else {
            (missing * window_ms as f64 / capacity).ceil() as u64
        }
    }
}

/// Why a request was refused.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Throttled {
    pub retry_after_secs: u64,
    /// The exact wait, for `$batch` items, whose Retry-After may be decimal.
    pub retry_after_ms: u64,
    pub limit: &'static str,
    pub information: &'static str,
}

#[derive(Clone, Debug, Default)]
pub struct Throttle {
    ru: HashMap<String, Bucket>,
    writes: HashMap<String, Bucket>,
}

/// The documented resource-unit cost of a request.
pub fn cost(method_is_get: bool, path_after_version: &str, has_select: bool, top: Option<usize>) -> u64 {
    let p = path_after_version.trim_matches('/').to_ascii_lowercase();
    let segs: Vec<&str> = p.split('/').collect();
    let members = segs.len() == 3 && segs[0] == "groups" && segs[2] == "members";
    let base: i64 = if !method_is_get {
        1
    } else if p == "users" {
        2
    } else if p == "subscribedskus" || members {
        3
    } else {
        1
    };
    let mut c = base;
    if has_select {
        c -= 1;
    }
    if top.is_some_and(|t| t < 20) {
        c -= 1;
    }
    c.max(1) as u64
}

impl Throttle {
    /// Charge a request to `app`'s buckets, or say how long to wait. A refused request is not
    /// charged.
    pub fn admit(
        &mut self,
        cfg: &ThrottleConfig,
        tenant_users: usize,
        app: &str,
        cost: u64,
        is_write: bool,
        now: u64,
    ) -> Result<(), Throttled> {
        if !cfg.enabled {
            return Ok(());
        }
        let ru_cap = cfg.resource_quota(tenant_users) as f64;
        let ru = self.ru.entry(app.to_string()).or_insert(Bucket { tokens: ru_cap, last_ms: now });
        ru.refill(now, ru_cap, cfg.resource_window_ms);
        let ru_wait = ru.wait_ms(cost as f64, ru_cap, cfg.resource_window_ms);
        let w_cap = cfg.writes as f64;
        let wb = self.writes.entry(app.to_string()).or_insert(Bucket { tokens: w_cap, last_ms: now });
        wb.refill(now, w_cap, cfg.write_window_ms);
        let w_wait = if is_write { wb.wait_ms(1.0, w_cap, cfg.write_window_ms) } else { 0 };
        if ru_wait > 0 || w_wait > 0 {
            let (limit, information) = if w_wait >= ru_wait {
                ("Write", "WriteLimitExceeded")
            } else {
                ("ReadWrite", "ResourceUnitLimitExceeded")
            };
            let ms = ru_wait.max(w_wait);
            return Err(Throttled {
                retry_after_secs: ms.div_ceil(1000).max(1),
                retry_after_ms: ms.max(1),
                limit,
                information,
            });
        }
        self.ru.get_mut(app).expect("bucket exists").tokens -= cost as f64;
        if is_write {
            self.writes.get_mut(app).expect("bucket exists").tokens -= 1.0;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn costs_follow_the_documented_table() {
        assert_eq!(cost(true, "users", false, None), 2);
        assert_eq!(cost(true, "users", true, Some(999)), 1);
        assert_eq!(cost(true, "subscribedSkus", false, None), 3);
        assert_eq!(cost(true, "groups/x/members", true, Some(10)), 1);
        assert_eq!(cost(false, "users/x/assignLicense", false, None), 1);
    }

    #[test]
    fn writes_run_out_and_refill() {
        let cfg = ThrottleConfig::writes_per_sec(2); // 20 per 10 s
        let mut t = Throttle::default();
        for _ in 0..20 {
            t.admit(&cfg, 10, "app", 1, true, 0).unwrap();
        }
        let e = t.admit(&cfg, 10, "app", 1, true, 0).unwrap_err();
        assert_eq!(e.retry_after_secs, 1);
        assert_eq!(e.information, "WriteLimitExceeded");
        assert!(t.admit(&cfg, 10, "app", 1, true, 500).is_ok());
        assert!(t.admit(&cfg, 10, "other", 1, true, 500).is_ok());
    }
}
