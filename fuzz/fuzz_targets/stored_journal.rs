//! The apply journal as read back from localStorage (base and change records), which a script on
//! the origin or a cut-short write may have altered: the app's own decoder (src/journal_codec.rs)
//! and core's delta replay give a journal or an error, never a panic or an unbounded allocation.
#![no_main]
use libfuzzer_sys::fuzz_target;
use licswap_core::apply::JournalDelta;

#[path = "../../src/journal_codec.rs"]
#[allow(dead_code)]
mod journal_codec;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    // The first line is the base, every further line a change record.
    let mut lines = text.lines();
    let Some(base) = lines.next() else { return };
    let Ok((mut journal, _generation)) = journal_codec::decode_base(base) else { return };
    for rec in lines {
        if let Ok(delta) = serde_json::from_str::<JournalDelta>(rec) {
            let _ = journal.apply_delta(delta);
        }
    }
    let _ = journal.counts();
    let _ = journal.is_finished();
});
