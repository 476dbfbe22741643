//! Progress events for the UI's progress bar: counts, rate and an estimate of the time left.
use super::journal::Counts;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RunStatus {
    Running,
    Paused,
    /// Waiting for Graph's group-based licensing to process the group swaps.
    Settling,
    Finished,
    Cancelled,
}

#[derive(Clone, Debug, PartialEq)]
pub struct RunProgress {
    pub status: RunStatus,
    /// 0-based index of the phase running, and how many there are.
    pub phase: usize,
    pub phases: usize,
    pub counts: Counts,
    /// Pending + in flight.
    pub remaining: usize,
    /// Actions settled (done, failed or stale) per second in this run.
    pub rate_per_s: f64,
    /// Time left at the current rate, when there is a rate.
    pub eta_ms: Option<u64>,
    pub elapsed_ms: u64,
    /// While settling: what the run waits for, in words.
    pub waiting_for: Option<String>,
}

/// Counts actions settled in this run (not those settled by an earlier run, which would
/// inflate the rate after a resume).
#[derive(Clone, Debug)]
pub(crate) struct RateMeter {
    start_ms: u64,
    settled: u64,
}

impl RateMeter {
    pub(crate) fn new(start_ms: u64) -> Self {
        RateMeter { start_ms, settled: 0 }
    }

    pub(crate) fn add(&mut self, n: u64) {
        self.settled += n;
    }

    pub(crate) fn progress(
        &self,
        now_ms: u64,
        status: RunStatus,
        phase: usize,
        phases: usize,
        counts: Counts,
    ) -> RunProgress {
        let elapsed_ms = now_ms.saturating_sub(self.start_ms);
        let remaining = counts.pending + counts.in_flight;
        let rate_per_s = if elapsed_ms == 0 { 0.0 } else { self.settled as f64 * 1000.0 / elapsed_ms as f64 };
        let eta_ms = (rate_per_s > 0.0).then(|| (remaining as f64 / rate_per_s * 1000.0).round() as u64);
        RunProgress { status, phase, phases, counts, remaining, rate_per_s, eta_ms, elapsed_ms, waiting_for: None }
    }
}
