//! The journal: every action's state, persisted after each batch so a reload or crash resumes
//! without repeating or losing an operation. An action is marked in flight (and saved) *before*
//! its batch is sent: one still in flight when a journal is loaded has an unknown outcome and is
//! read back, never blindly resent.
use crate::hash::{hex16, FnvWriter};
use crate::plan::Plan;
use serde::{Deserialize, Serialize};
use std::cell::Cell;
use std::collections::BTreeMap;

pub const JOURNAL_VERSION: u32 = 1;

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", rename_all_fields = "camelCase", tag = "state")]
pub enum EntryState {
    Pending,
    /// Sent (or about to be) in a batch; `attempt` counts sends of this action.
    InFlight {
        attempt: u32,
    },
    Done,
    /// Graph refused it (its error code and message), or it could not be sent (retryable).
    Failed {
        code: String,
        message: String,
        #[serde(default)]
        retryable: bool,
    },
    /// The target changed since planning: never overwritten; re-plan to include it.
    SkippedStale {
        now_fingerprint: String,
    },
    Cancelled,
}

impl EntryState {
    pub fn is_terminal(&self) -> bool {
        !matches!(self, EntryState::Pending | EntryState::InFlight { .. })
    }

    /// A short, stable name for reports: pending, inFlight, done, failed, stale, cancelled.
    pub fn label(&self) -> &'static str {
        match self {
            EntryState::Pending => "pending",
            EntryState::InFlight { .. } => "inFlight",
            EntryState::Done => "done",
            EntryState::Failed { .. } => "failed",
            EntryState::SkippedStale { .. } => "stale",
            EntryState::Cancelled => "cancelled",
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Entry {
    #[serde(flatten)]
    pub state: EntryState,
    /// Sends so far, over all runs.
    #[serde(default)]
    pub attempts: u32,
    #[serde(default)]
    pub updated_ms: u64,
    /// Why the state is what it is, when that is not obvious ("already had the target").
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
    /// For an action of a later phase: the target's license states outside the plan's groups,
    /// read before any group swap ran (see `evidence::fingerprint_outside`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub baseline: Option<String>,
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Counts {
    pub total: usize,
    pub pending: usize,
    pub in_flight: usize,
    pub done: usize,
    pub failed: usize,
    pub stale: usize,
    pub cancelled: usize,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Journal {
    pub version: u32,
    /// [`plan_hash`] of the plan this journal belongs to.
    pub plan_hash: String,
    pub created_ms: u64,
    pub updated_ms: u64,
    /// By action id.
    pub entries: BTreeMap<String, Entry>,
    /// assignLicense batches sent, target reads made, over all runs.
    #[serde(default)]
    pub batches_sent: u64,
    #[serde(default)]
    pub reads: u64,
    /// Counts kept current by [`Journal::set`], so progress after every batch does not walk
    /// 100,000 entries. Change states through `set` only.
    #[serde(skip)]
    counts_cache: CountsCache,
}

#[derive(Clone, Debug, Default)]
struct CountsCache(Cell<Option<Counts>>);

impl PartialEq for CountsCache {
    fn eq(&self, _: &Self) -> bool {
        true
    }
}

impl Counts {
    fn add(&mut self, state: &EntryState, n: isize) {
        let slot = match state {
            EntryState::Pending => &mut self.pending,
            EntryState::InFlight { .. } => &mut self.in_flight,
            EntryState::Done => &mut self.done,
            EntryState::Failed { .. } => &mut self.failed,
            EntryState::SkippedStale { .. } => &mut self.stale,
            EntryState::Cancelled => &mut self.cancelled,
        };
        *slot = slot.saturating_add_signed(n);
    }
}

/// The entries changed since the last full save, with the journal's counters: what a store
/// appends after each batch instead of rewriting the whole journal.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct JournalDelta {
    pub plan_hash: String,
    pub updated_ms: u64,
    pub batches_sent: u64,
    pub reads: u64,
    pub entries: BTreeMap<String, Entry>,
}

/// FNV-1a 64 over the plan's actions (ids, targets, bodies, fingerprints) and rollback: a
/// journal keyed on it cannot be applied to another plan by mistake.
pub fn plan_hash(plan: &Plan) -> String {
    // Hashed as it is written: the same bytes as hashing the whole JSON text, which is never held.
    // (Writing these types cannot fail; a failure would leave a hash no journal has.)
    let mut hash = FnvWriter::default();
    let _ = serde_json::to_writer(&mut hash, &(&plan.phases, &plan.rollback));
    hex16(hash.0)
}

impl Journal {
    pub fn new(plan: &Plan, now_ms: u64) -> Self {
        let entries = plan
            .actions()
            .map(|a| {
                (
                    a.id.to_string(),
                    Entry {
                        state: EntryState::Pending,
                        attempts: 0,
                        updated_ms: now_ms,
                        note: None,
                        baseline: None,
                    },
                )
            })
            .collect();
        Journal {
            version: JOURNAL_VERSION,
            plan_hash: plan_hash(plan),
            created_ms: now_ms,
            updated_ms: now_ms,
            entries,
            batches_sent: 0,
            reads: 0,
            counts_cache: CountsCache::default(),
        }
    }

    pub fn state(&self, action_id: &str) -> Option<&EntryState> {
        self.entries.get(action_id).map(|e| &e.state)
    }

    pub fn set(&mut self, action_id: &str, state: EntryState, now_ms: u64) {
        let mut counts = self.counts_cache.0.take();
        let entry = self.entries.entry(action_id.to_string()).or_insert_with(|| {
            if let Some(c) = counts.as_mut() {
                c.total += 1;
                c.pending += 1;
            }
            Entry { state: EntryState::Pending, attempts: 0, updated_ms: now_ms, note: None, baseline: None }
        });
        if let Some(c) = counts.as_mut() {
            c.add(&entry.state, -1);
            c.add(&state, 1);
        }
        if let EntryState::InFlight { attempt } = state {
            entry.attempts = entry.attempts.max(attempt);
        }
        entry.state = state;
        entry.updated_ms = now_ms;
        self.updated_ms = now_ms;
        self.counts_cache.0.set(counts);
    }

    pub fn set_note(&mut self, action_id: &str, note: impl Into<String>) {
        if let Some(e) = self.entries.get_mut(action_id) {
            e.note = Some(note.into());
        }
    }

    pub fn counts(&self) -> Counts {
        if let Some(c) = self.counts_cache.0.get() {
            return c;
        }
        let mut c = Counts { total: self.entries.len(), ..Counts::default() };
        for e in self.entries.values() {
            c.add(&e.state, 1);
        }
        self.counts_cache.0.set(Some(c));
        c
    }

    /// The given entries and the counters, for [`JournalStore::save_changes`](super::store::JournalStore::save_changes).
    pub fn delta<'a>(&self, ids: impl IntoIterator<Item = &'a str>) -> JournalDelta {
        JournalDelta {
            plan_hash: self.plan_hash.clone(),
            updated_ms: self.updated_ms,
            batches_sent: self.batches_sent,
            reads: self.reads,
            entries: ids
                .into_iter()
                .filter_map(|id| self.entries.get(id).map(|e| (id.to_string(), e.clone())))
                .collect(),
        }
    }

    /// Replays a delta saved after this journal (a store's log, on load).
    pub fn apply_delta(&mut self, delta: JournalDelta) -> Result<(), String> {
        if delta.plan_hash != self.plan_hash {
            return Err(format!(
                "a journal change of plan {} in the journal of plan {}",
                delta.plan_hash, self.plan_hash
            ));
        }
        self.entries.extend(delta.entries);
        self.updated_ms = self.updated_ms.max(delta.updated_ms);
        self.batches_sent = self.batches_sent.max(delta.batches_sent);
        self.reads = self.reads.max(delta.reads);
        self.counts_cache.0.set(None);
        Ok(())
    }

    pub fn is_finished(&self) -> bool {
        self.entries.values().all(|e| e.state.is_terminal())
    }

    /// Cancelled actions and those that failed for a transient reason go back to pending, for
    /// the admin's "retry" button. Stale and refused actions stay as they are.
    pub fn reopen_retryable(&mut self, now_ms: u64) -> usize {
        let ids: Vec<String> = self
            .entries
            .iter()
            .filter(|(_, e)| {
                matches!(e.state, EntryState::Cancelled | EntryState::Failed { retryable: true, .. })
            })
            .map(|(id, _)| id.clone())
            .collect();
        for id in &ids {
            self.set(id, EntryState::Pending, now_ms);
        }
        ids.len()
    }
}
