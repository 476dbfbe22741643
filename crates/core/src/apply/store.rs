//! Where the journal is kept. A full save writes the whole journal; after each batch the
//! executor only records what changed ([`JournalStore::save_changes`]), so a 100,000-action run
//! does not rewrite megabytes of JSON 5,000 times.
use super::journal::{Journal, JournalDelta};
use std::cell::{Cell, RefCell};

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StoreError(pub String);

impl std::fmt::Display for StoreError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "could not save the journal: {}", self.0)
    }
}

/// Where the journal lives (browser storage in the app). Writes must be durable when they
/// return: the executor sends nothing until the in-flight marks are saved.
pub trait JournalStore {
    fn load(&self) -> Result<Option<Journal>, StoreError>;

    /// Replaces whatever is stored with `journal` (and drops any change log).
    fn save(&self, journal: &Journal) -> Result<(), StoreError>;

    /// Records that the entries `changed` now are as in `journal`. The default saves in full; a
    /// store with an append-only log (IndexedDB, numbered localStorage keys) appends
    /// `journal.delta(changed)` and replays the log in `load`.
    fn save_changes(&self, journal: &Journal, changed: &[&str]) -> Result<(), StoreError> {
        let _ = changed;
        self.save(journal)
    }
}

/// A store in memory: a full JSON snapshot plus a log of JSON deltas, as a browser store would
/// keep them (so tests exercise the same serde). Can be told to fail.
#[derive(Debug, Default)]
pub struct MemoryStore {
    base: RefCell<Option<String>>,
    log: RefCell<Vec<String>>,
    saves: Cell<usize>,
    fail_after: Cell<Option<usize>>,
}

impl MemoryStore {
    pub fn new() -> Self {
        MemoryStore::default()
    }

    /// Writes so far (full saves and change records).
    pub fn saves(&self) -> usize {
        self.saves.get()
    }

    /// Change records since the last full save.
    pub fn log_len(&self) -> usize {
        self.log.borrow().len()
    }

    /// Writes after the next `n` fail (a full disk, a closed tab).
    pub fn fail_after(&self, n: usize) {
        self.fail_after.set(Some(self.saves.get() + n));
    }

    /// The journal as stored (log replayed), as JSON: to copy a store in a test.
    pub fn json(&self) -> Option<String> {
        self.load().ok().flatten().and_then(|j| serde_json::to_string(&j).ok())
    }

    pub fn put_json(&self, json: impl Into<String>) {
        *self.base.borrow_mut() = Some(json.into());
        self.log.borrow_mut().clear();
    }

    fn write(&self) -> Result<(), StoreError> {
        if self.fail_after.get().is_some_and(|n| self.saves.get() >= n) {
            return Err(StoreError("storage refused the write".into()));
        }
        self.saves.set(self.saves.get() + 1);
        Ok(())
    }
}

impl JournalStore for MemoryStore {
    fn load(&self) -> Result<Option<Journal>, StoreError> {
        let Some(base) = &*self.base.borrow() else { return Ok(None) };
        let mut j: Journal =
            serde_json::from_str(base).map_err(|e| StoreError(format!("unreadable journal: {e}")))?;
        for d in self.log.borrow().iter() {
            let delta: JournalDelta =
                serde_json::from_str(d).map_err(|e| StoreError(format!("unreadable journal change: {e}")))?;
            j.apply_delta(delta).map_err(StoreError)?;
        }
        Ok(Some(j))
    }

    fn save(&self, journal: &Journal) -> Result<(), StoreError> {
        let json = serde_json::to_string(journal).map_err(|e| StoreError(e.to_string()))?;
        self.write()?;
        *self.base.borrow_mut() = Some(json);
        self.log.borrow_mut().clear();
        Ok(())
    }

    fn save_changes(&self, journal: &Journal, changed: &[&str]) -> Result<(), StoreError> {
        if self.base.borrow().is_none() {
            return self.save(journal);
        }
        let json = serde_json::to_string(&journal.delta(changed.iter().copied()))
            .map_err(|e| StoreError(e.to_string()))?;
        self.write()?;
        self.log.borrow_mut().push(json);
        Ok(())
    }
}
