//! A journal store in memory, for tests and benches (feature `test-support`): it keeps what a
//! browser store would (a full JSON snapshot plus a log of JSON deltas, so tests exercise the same
//! serde) and can be told to fail, as a full disk or a closed tab would.
use super::journal::{Journal, JournalDelta};
use super::store::{JournalStore, StoreError};
use std::cell::{Cell, RefCell};

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
