//! The journal: every action's state, persisted after each batch so a reload or crash resumes
//! without repeating or losing an operation. An action is marked in flight (and saved) *before*
//! its batch is sent: one still in flight when a journal is loaded has an unknown outcome and is
//! read back, never blindly resent.
use crate::plan::Plan;
use serde::{Deserialize, Serialize};
use std::cell::{Cell, RefCell};
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
    /// read before any group swap ran (see `resume::fingerprint_outside`).
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
}

/// FNV-1a 64 over the plan's actions (ids, targets, bodies, fingerprints) and rollback: a
/// journal keyed on it cannot be applied to another plan by mistake.
pub fn plan_hash(plan: &Plan) -> String {
    let json = serde_json::to_vec(&(&plan.phases, &plan.rollback)).unwrap_or_default();
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in json {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    format!("{h:016x}")
}

impl Journal {
    pub fn new(plan: &Plan, now_ms: u64) -> Self {
        let entries = plan
            .actions()
            .map(|a| {
                (
                    a.id.clone(),
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
        }
    }

    pub fn state(&self, action_id: &str) -> Option<&EntryState> {
        self.entries.get(action_id).map(|e| &e.state)
    }

    pub fn set(&mut self, action_id: &str, state: EntryState, now_ms: u64) {
        let entry = self.entries.entry(action_id.to_string()).or_insert(Entry {
            state: EntryState::Pending,
            attempts: 0,
            updated_ms: now_ms,
            note: None,
            baseline: None,
        });
        if let EntryState::InFlight { attempt } = state {
            entry.attempts = entry.attempts.max(attempt);
        }
        entry.state = state;
        entry.updated_ms = now_ms;
        self.updated_ms = now_ms;
    }

    pub fn set_note(&mut self, action_id: &str, note: impl Into<String>) {
        if let Some(e) = self.entries.get_mut(action_id) {
            e.note = Some(note.into());
        }
    }

    pub fn counts(&self) -> Counts {
        let mut c = Counts { total: self.entries.len(), ..Counts::default() };
        for e in self.entries.values() {
            match e.state {
                EntryState::Pending => c.pending += 1,
                EntryState::InFlight { .. } => c.in_flight += 1,
                EntryState::Done => c.done += 1,
                EntryState::Failed { .. } => c.failed += 1,
                EntryState::SkippedStale { .. } => c.stale += 1,
                EntryState::Cancelled => c.cancelled += 1,
            }
        }
        c
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

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StoreError(pub String);

impl std::fmt::Display for StoreError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "could not save the journal: {}", self.0)
    }
}

/// Where the journal lives (browser localStorage in the app). `save` must be durable when it
/// returns: the executor sends nothing until the in-flight marks are saved.
pub trait JournalStore {
    fn load(&self) -> Result<Option<Journal>, StoreError>;
    fn save(&self, journal: &Journal) -> Result<(), StoreError>;
}

/// Keeps the journal as JSON in memory (so tests exercise the same serde as the browser), and
/// can be told to fail.
#[derive(Debug, Default)]
pub struct MemoryStore {
    json: RefCell<Option<String>>,
    saves: Cell<usize>,
    fail_after: Cell<Option<usize>>,
}

impl MemoryStore {
    pub fn new() -> Self {
        MemoryStore::default()
    }

    pub fn saves(&self) -> usize {
        self.saves.get()
    }

    /// Saves after the next `n` fail (a full disk, a closed tab).
    pub fn fail_after(&self, n: usize) {
        self.fail_after.set(Some(self.saves.get() + n));
    }

    pub fn json(&self) -> Option<String> {
        self.json.borrow().clone()
    }

    pub fn put_json(&self, json: impl Into<String>) {
        *self.json.borrow_mut() = Some(json.into());
    }
}

impl JournalStore for MemoryStore {
    fn load(&self) -> Result<Option<Journal>, StoreError> {
        match &*self.json.borrow() {
            None => Ok(None),
            Some(j) => {
                serde_json::from_str(j).map(Some).map_err(|e| StoreError(format!("unreadable journal: {e}")))
            }
        }
    }

    fn save(&self, journal: &Journal) -> Result<(), StoreError> {
        if self.fail_after.get().is_some_and(|n| self.saves.get() >= n) {
            return Err(StoreError("storage refused the write".into()));
        }
        let json = serde_json::to_string(journal).map_err(|e| StoreError(e.to_string()))?;
        *self.json.borrow_mut() = Some(json);
        self.saves.set(self.saves.get() + 1);
        Ok(())
    }
}
