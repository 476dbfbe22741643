//! What the license-health screen holds once the tenant is read (the read, its diagnosis, the
//! cleanup candidates and the conflict fixes) and the report screen's reprocessing of a fix. A module of its own, below the app state that keeps it, so that
//! `crate::health` (which writes the state) and `crate::state` do not import each other.
use licswap_core::health::{HealthReport, HealthSnapshot};
use licswap_planner::health::{CleanupCandidate, ConflictFix};

/// What the health screen shows: the read and its diagnosis (the read stays for the fixes).
#[derive(Debug, PartialEq)]
pub struct HealthData {
    pub snapshot: HealthSnapshot,
    pub report: HealthReport,
    /// Direct licenses a group also gives (covered or not), by product.
    pub cleanup: Vec<CleanupCandidate>,
    /// Direct licenses whose removal fixes members in MutuallyExclusiveViolation, by product.
    pub conflicts: Vec<ConflictFix>,
}

impl HealthData {
    /// The cleanup candidates by SKU: (skuId, product, candidates), in product order.
    pub fn cleanup_by_sku(&self) -> Vec<(String, String, Vec<CleanupCandidate>)> {
        let mut out: Vec<(String, String, Vec<CleanupCandidate>)> = Vec::new();
        for c in &self.cleanup {
            match out.iter_mut().find(|(id, _, _)| id.eq_ignore_ascii_case(&c.sku_id)) {
                Some((_, _, v)) => v.push(c.clone()),
                None => out.push((c.sku_id.clone(), c.product.clone(), vec![c.clone()])),
            }
        }
        out
    }
}

/// Reprocessing members after a fix, as the report screen shows it.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub enum Reprocess {
    #[default]
    Idle,
    /// Members whose answer came back, of all.
    Running { done: usize, total: usize },
    /// How many Graph accepted; each refused member's name with Graph's answer.
    Done { ok: usize, failed: Vec<(String, String)> },
    /// Nothing was sent, and why.
    Failed(String),
}
