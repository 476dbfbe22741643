//! Where the journal is kept. A full save writes the whole journal; after each batch the
//! executor only records what changed ([`JournalStore::save_changes`]), so a 100,000-action run
//! does not rewrite megabytes of JSON 5,000 times.
use super::journal::Journal;

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
