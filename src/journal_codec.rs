//! The stored journal's base as text: `z1.<generation>.<base64url(deflate(json))>` (or plain JSON
//! from an earlier build). Pure, so the fuzz target `stored_journal` runs this very code: what is
//! read back from localStorage may have been planted or cut short, and must give a clear error,
//! never a panic, a hang or an unbounded allocation.
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use licswap_core::apply::{Journal, StoreError};

/// The most a saved journal may inflate to: localStorage holds about 5 MB per site, and a
/// journal's JSON compresses about tenfold, so a real one stays well under this; a planted one
/// cannot make the tab inflate more.
pub const MAX_JOURNAL_JSON: usize = 64 * 1024 * 1024;

/// `z1.<generation>.<base64url(deflate(json))>`.
pub fn encode_base(journal: &Journal, generation: u64) -> Result<String, StoreError> {
    let json = serde_json::to_vec(journal).map_err(|e| StoreError(e.to_string()))?;
    let packed = miniz_oxide::deflate::compress_to_vec(&json, 6);
    Ok(format!("z1.{generation}.{}", URL_SAFE_NO_PAD.encode(packed)))
}

pub fn decode_base(text: &str) -> Result<(Journal, u64), StoreError> {
    let bad = |what: String| {
        StoreError(format!("the saved journal is unreadable ({what}); discard it to start over"))
    };
    // A plain JSON journal (written by an earlier build): generation 0, no log.
    if text.starts_with('{') {
        return serde_json::from_str(text).map(|j| (j, 0)).map_err(|e| bad(e.to_string()));
    }
    let rest = text.strip_prefix("z1.").ok_or_else(|| bad("unknown format".into()))?;
    let (generation, data) = rest.split_once('.').ok_or_else(|| bad("no generation".into()))?;
    let generation: u64 = generation.parse().map_err(|_| bad("bad generation".into()))?;
    let packed = URL_SAFE_NO_PAD.decode(data).map_err(|e| bad(e.to_string()))?;
    let json = miniz_oxide::inflate::decompress_to_vec_with_limit(&packed, MAX_JOURNAL_JSON)
        .map_err(|_| bad("corrupt compressed data".into()))?;
    let journal = serde_json::from_slice(&json).map_err(|e| bad(e.to_string()))?;
    Ok((journal, generation))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bad_stored_journals_are_errors_and_a_bomb_is_refused() {
        for bad in ["", "z1.", "z1.x.abc", "z1.1.!!!", "z1.1.AAAA", "{\"planHash\":", "z2.1.AAAA"] {
            assert!(decode_base(bad).is_err(), "{bad:?}");
        }
        let zeros = vec![b' '; MAX_JOURNAL_JSON + 1];
        let packed = miniz_oxide::deflate::compress_to_vec(&zeros, 9);
        let bomb = format!("z1.1.{}", URL_SAFE_NO_PAD.encode(packed));
        assert!(bomb.len() < 200_000, "a small stored value");
        assert!(decode_base(&bomb).unwrap_err().0.contains("corrupt"));
    }
}
