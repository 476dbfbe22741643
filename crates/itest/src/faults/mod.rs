//! The fault suite: apply a plan of 1,000+ operations to a simulated tenant through the real Graph
//! client and executor while Graph throttles, fails, loses responses, expires tokens, the page
//! crashes and reloads, other admins change targets and seats run out; then prove from the
//! simulator's own records that every operation was done exactly once or reported as failed with
//! its reason, that nobody lost a service at any moment, and that the journal matches the tenant.
pub mod check;
pub mod fuzz;
pub mod rig;
mod scenario;

pub use check::{check_run, Outcome};
pub use scenario::{run_scenario, Interference, Scenario};

use std::path::Path;

/// One line of the suite's table.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Row {
    pub scenario: String,
    pub operations: usize,
    /// Page loads it took (1 + crashes + "retry failed" runs).
    pub runs: usize,
    /// Requests the client sent again (429, 5xx, lost reads) plus actions the executor re-read
    /// or resent in a later batch.
    pub retries: u64,
    pub throttled: u64,
    pub server_errors: u64,
    pub lost_responses: u64,
    /// Operations whose outcome was unknown (response lost, or in flight at a crash) and that a
    /// read-back of the target settled, instead of a resend.
    pub read_back: usize,
    pub token_renewals: u64,
    pub crashes: usize,
    /// Refused as stale (changed by someone else since the preview).
    pub stale: usize,
    /// Reported as failed, each with Graph's (or licswap's) reason.
    pub failed: usize,
    pub done: usize,
    /// Operations neither done nor reported, or whose journal state the tenant contradicts.
    pub lost: usize,
    /// Writes applied more than once.
    pub duplicated: usize,
    pub service_losses: usize,
}

pub const TABLE_HEADER: &str = "| scenario | operations | runs | retries | 429s | 5xx | lost responses | settled by read-back | token renewals | crashes | stale refused | failures reported | done | lost | duplicated | service losses |\n|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|";

impl Row {
    pub fn markdown(&self) -> String {
        format!(
            "| {} | {} | {} | {} | {} | {} | {} | {} | {} | {} | {} | {} | {} | {} | {} | {} |",
            self.scenario,
            self.operations,
            self.runs,
            self.retries,
            self.throttled,
            self.server_errors,
            self.lost_responses,
            self.read_back,
            self.token_renewals,
            self.crashes,
            self.stale,
            self.failed,
            self.done,
            self.lost,
            self.duplicated,
            self.service_losses
        )
    }
}

/// Prints the row (visible with `--nocapture`) and writes it to `{dir}/fault-suite/{name}.md`,
/// where `cargo xtask test` collects the rows into the table it prints after the tests.
pub fn record(row: &Row, dir: &str) {
    println!("{TABLE_HEADER}\n{}", row.markdown());
    let dir = Path::new(dir).join("fault-suite");
    // The table is a report; failing to write it must not fail the test that produced it.
    let _ = std::fs::create_dir_all(&dir)
        .and_then(|_| std::fs::write(dir.join(format!("{}.md", row.scenario)), row.markdown() + "\n"));
}
