//! One run of a plan, as a value: its types (configuration, report, errors) and [`Run`], which
//! the executor's steps share. [`Shared`] is what every batch in flight reads and writes (the
//! executor's handles and the journal); [`Run`] adds what only the run's driver touches (the
//! report, the rate meter, the progress callback), so the driver can hold the batches in flight
//! and still report progress.
use super::api::{ApiError, LicenseApi};
use super::control::Control;
use super::journal::{EntryState, Journal, JOURNAL_VERSION};
use super::progress::{RateMeter, RunProgress, RunStatus};
use super::settle::GroupSettleReport;
use super::store::JournalStore;
use crate::graph::http::Clock;
use crate::plan::{Action, Subject};
use std::cell::RefCell;
use std::collections::{HashMap, HashSet};

/// Graph's JSON `$batch` holds at most 20 requests
/// (<https://learn.microsoft.com/en-us/graph/json-batching>).
pub(super) const GRAPH_BATCH_MAX: usize = 20;

/// A batch size the caller asked for, within 1 and Graph's maximum.
pub(super) fn batch_len(requested: usize) -> usize {
    requested.clamp(1, GRAPH_BATCH_MAX)
}

#[derive(Clone, Debug, PartialEq)]
pub struct ApplyConfig {
    /// Actions per batch (Graph's `$batch` holds at most 20).
    pub batch_size: usize,
    /// Batches sent concurrently.
    pub max_in_flight: usize,
    /// Tries per action (reads and sends) within one run before giving up on it.
    pub max_attempts: u32,
    /// Extra wait before retrying, times the try number.
    pub retry_delay_ms: u64,
    pub settle_poll_ms: u64,
    pub settle_timeout_ms: u64,
    /// How far reads may lag writes: a target is read back (after a lost answer or a refusal)
    /// only once its write is this old, and verify re-reads a difference after this long, so a
    /// stale replica never causes a second write or a "failed" for a change that landed.
    pub read_lag_ms: u64,
    pub pause_poll_ms: u64,
    /// Refuse to run a plan with blocker findings.
    pub refuse_blockers: bool,
}

impl Default for ApplyConfig {
    fn default() -> Self {
        ApplyConfig {
            batch_size: 20,
            max_in_flight: 4,
            max_attempts: 5,
            retry_delay_ms: 2_000,
            settle_poll_ms: 5_000,
            settle_timeout_ms: 15 * 60_000,
            read_lag_ms: 5_000,
            pause_poll_ms: 250,
            refuse_blockers: true,
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ApplyError {
    /// The journal could not be saved: the run stopped (nothing unsaved was sent).
    Store(String),
    /// The store holds the journal of another plan; finish or clear it first.
    OtherPlan {
        journal_plan: String,
        this_plan: String,
    },
    Blocked(usize),
    BadPlan(String),
    /// The stored journal was written by a newer licswap.
    JournalVersion(u32),
}

impl std::fmt::Display for ApplyError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ApplyError::Store(m) => write!(f, "could not save the journal, apply stopped: {m}"),
            ApplyError::OtherPlan { journal_plan, this_plan } => write!(
                f,
                "the saved journal belongs to another plan ({journal_plan}, this one is {this_plan}): \
                 finish or discard it first"
            ),
            ApplyError::Blocked(n) => write!(f, "the plan has {n} blocker(s); resolve them and re-plan"),
            ApplyError::BadPlan(m) => write!(f, "the plan cannot be applied: {m}"),
            ApplyError::JournalVersion(v) => write!(
                f,
                "the saved journal has format {v}, newer than this licswap reads ({JOURNAL_VERSION}); open it with a newer licswap"
            ),
        }
    }
}

impl std::error::Error for ApplyError {}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum RunOutcome {
    /// Every action is done, failed or stale, and group processing settled.
    Completed,
    Cancelled,
    /// Everything sent so far landed; Entra is still processing group swaps (which can take
    /// hours). Nothing failed: run again (now or after closing the tab) to resume the wait.
    WaitingForGroups,
    /// Run again later to finish (see the report's notes).
    Incomplete,
}

/// A target that changed since planning: the UI offers to re-plan it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StaleTarget {
    pub action_id: String,
    pub target: Subject,
    pub planned_fingerprint: String,
    pub now_fingerprint: String,
}

#[derive(Clone, Debug, PartialEq)]
pub struct RunReport {
    pub outcome: RunOutcome,
    pub journal: Journal,
    pub stale: Vec<StaleTarget>,
    pub groups: Vec<GroupSettleReport>,
    /// Actions left pending or with an unknown outcome because Graph could not be reached.
    pub unresolved: Vec<String>,
    pub notes: Vec<String>,
}

/// What every batch of a run reads and writes: the executor's handles, the plan's actions in
/// order (indexes into this list name them) and the journal. The batches in flight share it
/// (the journal and refusals are `RefCell`s; a run is single-threaded).
pub(super) struct Shared<'r, A, C, S> {
    pub(super) api: &'r A,
    pub(super) clock: &'r C,
    pub(super) store: &'r S,
    pub(super) config: &'r ApplyConfig,
    pub(super) control: &'r Control,
    pub(super) actions: Vec<&'r Action>,
    pub(super) journal: RefCell<Journal>,
    /// The plan's target SKUs: what a write may add (see guard).
    pub(super) target_skus: &'r [String],
    /// The plan's source SKUs: what a write may remove (see guard).
    pub(super) source_skus: &'r [String],
    /// Lowercase ids of the groups the plan swaps.
    pub(super) plan_groups: HashSet<String>,
    /// Graph's refusal of a write still to be confirmed by a read-back, by action index.
    pub(super) refusals: RefCell<HashMap<usize, ApiError>>,
}

impl<A: LicenseApi, C: Clock, S: JournalStore> Shared<'_, A, C, S> {
    /// Whether the action at `idx` needs nothing more in this run.
    pub(super) fn is_terminal(&self, idx: usize) -> bool {
        self.journal.borrow().state(&self.actions[idx].id).is_some_and(|s| s.is_terminal())
    }

    /// The targets of the actions at `idxs`, in that order (what `LicenseApi::read_targets` takes).
    pub(super) fn targets(&self, idxs: impl Iterator<Item = usize>) -> Vec<Subject> {
        idxs.map(|i| Subject::clone(&self.actions[i].target)).collect()
    }

    /// Saves the whole journal.
    pub(super) fn save(&self) -> Result<(), ApplyError> {
        self.store.save(&self.journal.borrow()).map_err(|e| ApplyError::Store(e.0))
    }

    /// Marks every action not sent yet cancelled, and saves.
    pub(super) fn cancel_pending(&self) -> Result<(), ApplyError> {
        let now = self.clock.now_ms();
        {
            let mut j = self.journal.borrow_mut();
            let ids: Vec<String> = j
                .entries
                .iter()
                .filter(|(_, e)| e.state == EntryState::Pending)
                .map(|(id, _)| id.clone())
                .collect();
            for id in ids {
                j.set(&id, EntryState::Cancelled, now);
            }
        }
        self.save()
    }
}

/// The run's progress line: where it is (phase of phases) and how fast it goes.
pub(super) struct Reporter<'r> {
    pub(super) meter: RateMeter,
    pub(super) on_progress: &'r mut dyn FnMut(&RunProgress),
    /// 0-based index of the phase running, and how many there are.
    pub(super) phase: usize,
    pub(super) phases: usize,
}

impl Reporter<'_> {
    /// Tells the UI where the run stands; `waiting_for` says in words what a settling run waits for.
    pub(super) fn emit<A, C: Clock, S>(
        &mut self,
        run: &Shared<'_, A, C, S>,
        status: RunStatus,
        waiting_for: Option<String>,
    ) {
        let counts = run.journal.borrow().counts();
        let mut p = self.meter.progress(run.clock.now_ms(), status, self.phase, self.phases, counts);
        p.waiting_for = waiting_for;
        (self.on_progress)(&p);
    }
}

/// One run of a plan: what its batches share, its progress line and the report it builds.
pub(super) struct Run<'r, A, C, S> {
    pub(super) shared: Shared<'r, A, C, S>,
    pub(super) progress: Reporter<'r>,
    pub(super) report: RunReport,
}
