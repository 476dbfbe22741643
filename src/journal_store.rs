//! The apply journal in localStorage, sized for 100,000 actions: a compressed base written at
//! the start of a run and every few hundred batches, and after each batch only the entries that
//! changed (numbered keys). localStorage holds about 5 MB per site; a 100,000-entry journal is
//! several MB of JSON, so the base is DEFLATE-compressed. No token is ever in it.
//!
//! Each base carries a generation; the log keys and the log count name it, so a crash between
//! writing a new base and resetting the log never replays an older log onto a newer base.
use crate::journal_codec::{decode_base, encode_base};
use crate::storage::{self, keys, Area};
use licswap_core::apply::{Journal, JournalDelta, JournalStore, StoreError};

/// Change records before the next full (compacting) save.
const COMPACT_AFTER: u64 = 200;
const LOG_COUNT: &str = "licswap.journal.log";
/// "1" while the saved journal has work left, "0" once it is finished: start-up, sign-out and a
/// closing tab ask only this, so the first download carries no journal decoder.
const OPEN: &str = "licswap.journal.open";

/// Whether the saved journal has work left. A journal saved before this mark existed counts as
/// unfinished: at worst the admin is asked whether to keep a run that had ended.
pub fn unfinished() -> bool {
    match storage::get(Area::Local, OPEN).as_deref() {
        Some("0") => false,
        Some(_) => true,
        None => storage::get(Area::Local, keys::JOURNAL).is_some(),
    }
}

/// Records whether `journal` has work left (see [`unfinished`]).
fn mark(journal: &Journal) -> Result<(), StoreError> {
    let open = if journal.is_finished() { "0" } else { "1" };
    if storage::get(Area::Local, OPEN).as_deref() != Some(open) && !storage::set(Area::Local, OPEN, open) {
        return Err(refused());
    }
    Ok(())
}

fn log_key(generation: u64, i: u64) -> String {
    format!("licswap.journal.log.{generation}.{i}")
}

/// `(generation, records)` of the change log.
fn log_state() -> (u64, u64) {
    storage::get(Area::Local, LOG_COUNT)
        .and_then(|s| {
            let (g, n) = s.split_once(':')?;
            Some((g.parse().ok()?, n.parse().ok()?))
        })
        .unwrap_or((0, 0))
}

fn drop_log(generation: u64, records: u64) {
    for i in 0..records {
        storage::remove(Area::Local, &log_key(generation, i));
    }
}

/// Removes the journal and its log.
pub fn remove_all() {
    let (g, n) = log_state();
    drop_log(g, n);
    storage::remove(Area::Local, LOG_COUNT);
    storage::remove(Area::Local, keys::JOURNAL);
    storage::remove(Area::Local, OPEN);
}

fn refused() -> StoreError {
    StoreError("the browser refused to store it (storage full or disabled)".into())
}

pub struct LocalJournal;

impl JournalStore for LocalJournal {
    fn load(&self) -> Result<Option<Journal>, StoreError> {
        let Some(text) = storage::get(Area::Local, keys::JOURNAL) else { return Ok(None) };
        let (mut journal, generation) = decode_base(&text)?;
        let (g, n) = log_state();
        if g == generation {
            for i in 0..n {
                let Some(rec) = storage::get(Area::Local, &log_key(g, i)) else { break };
                let delta: JournalDelta = serde_json::from_str(&rec)
                    .map_err(|e| StoreError(format!("a journal change record is unreadable ({e})")))?;
                journal.apply_delta(delta).map_err(StoreError)?;
            }
        }
        Ok(Some(journal))
    }

    fn save(&self, journal: &Journal) -> Result<(), StoreError> {
        let (old_g, old_n) = log_state();
        let generation = old_g + 1;
        // The old log frees its space first; it is ignored from here on either way.
        drop_log(old_g, old_n);
        if !storage::set(Area::Local, keys::JOURNAL, &encode_base(journal, generation)?) {
            return Err(refused());
        }
        if !storage::set(Area::Local, LOG_COUNT, &format!("{generation}:0")) {
            return Err(refused());
        }
        mark(journal)
    }

    fn save_changes(&self, journal: &Journal, changed: &[&str]) -> Result<(), StoreError> {
        let (g, n) = log_state();
        let base_generation = storage::get(Area::Local, keys::JOURNAL).and_then(|t| {
            t.strip_prefix("z1.").and_then(|r| r.split_once('.')).and_then(|(g, _)| g.parse::<u64>().ok())
        });
        if n >= COMPACT_AFTER || base_generation != Some(g) {
            return self.save(journal);
        }
        let delta = serde_json::to_string(&journal.delta(changed.iter().copied()))
            .map_err(|e| StoreError(e.to_string()))?;
        if !storage::set(Area::Local, &log_key(g, n), &delta) {
            // Full storage: compacting may still fit.
            return self.save(journal);
        }
        if !storage::set(Area::Local, LOG_COUNT, &format!("{g}:{}", n + 1)) {
            return Err(refused());
        }
        mark(journal)
    }
}
