//! Users by id (and by userPrincipalName when a scope lists users), for the planner's lookups:
//! every member of every in-scope group is looked up once per plan (65,000 lookups in the
//! 100,000-user bench), after 100,000 inserts.
//!
//! Graph's user ids are GUIDs ("the unique identifier for the user", a `String` of the form
//! 00000000-0000-0000-0000-000000000000: <https://learn.microsoft.com/graph/api/resources/user>,
//! property `id`), so when every id of the snapshot is one, the index keys on the GUID's 128 bits:
//! the GUIDs sit in one array in user order, and the table holds only row numbers (4 bytes a
//! slot, so a million users' table is 8 MB, where slots of string keys were 12 and of 128-bit
//! keys would be 32). Hashing is two multiplies, and a probe compares two words of that array,
//! where a string key hashed 36 bytes and compared them through a pointer into the user's heap
//! string (a cache miss per probe; the profile put a fifth of the plan in these two maps). Ids the
//! snapshot spells otherwise (tests, hand-written snapshots) use the string index: same answers,
//! case-insensitive as Graph compares ids, either way.
use hashbrown::HashTable;
use licswap_core::plan::fastmap::{CiKey, FastMap, Fx};
use std::hash::Hasher;

pub(crate) enum UserIndex<'a> {
    Guid { guids: Vec<u128>, rows: HashTable<u32>, upns: Upns<'a> },
    Text(FastMap<CiKey<'a>, u32>, Upns<'a>),
}

/// userPrincipalNames, consulted after ids (an id wins over a UPN spelled the same); empty unless
/// asked for.
type Upns<'a> = FastMap<CiKey<'a>, u32>;

impl<'a> UserIndex<'a> {
    /// `ids` in snapshot order (a repeated id finds its last user, as before); `upns` likewise
    /// (a repeated UPN finds its first user).
    #[inline(never)] // a frame of its own in profiles (it runs once per plan)
    pub fn new(
        ids: impl Iterator<Item = &'a str> + Clone,
        n: usize,
        upns: Option<impl Iterator<Item = (u32, &'a str)>>,
    ) -> Self {
        let mut by_upn: Upns<'a> = FastMap::default();
        if let Some(upns) = upns {
            by_upn.reserve(n);
            for (i, upn) in upns {
                by_upn.entry(CiKey(upn)).or_insert(i);
            }
        }
        let mut guids = Vec::with_capacity(n);
        let mut rows = HashTable::with_capacity(n);
        for (i, id) in ids.clone().enumerate() {
            let Some(g) = guid(id) else {
                let text = ids.enumerate().map(|(i, id)| (CiKey(id), i as u32)).collect();
                return UserIndex::Text(text, by_upn);
            };
            guids.push(g);
            let at = |&r: &u32| guids[r as usize];
            match rows.entry(hash(g), |r| at(r) == g, |r| hash(at(r))) {
                // A repeated id finds its last user.
                hashbrown::hash_table::Entry::Occupied(mut e) => *e.get_mut() = i as u32,
                hashbrown::hash_table::Entry::Vacant(e) => {
                    e.insert(i as u32);
                }
            }
        }
        UserIndex::Guid { guids, rows, upns: by_upn }
    }

    /// The user whose id, or else userPrincipalName, is `key` (ASCII case-insensitively).
    pub fn get(&self, key: &str) -> Option<u32> {
        let (by_id, upns) = match self {
            UserIndex::Guid { guids, rows, upns } => {
                let row = guid(key).and_then(|g| rows.find(hash(g), |&r| guids[r as usize] == g));
                (row.copied(), upns)
            }
            UserIndex::Text(m, upns) => (m.get(&CiKey(key)).copied(), upns),
        };
        by_id.or_else(|| if upns.is_empty() { None } else { upns.get(&CiKey(key)).copied() })
    }
}

fn hash(g: u128) -> u64 {
    let mut h = Fx::default();
    h.write_u64(g as u64);
    h.write_u64((g >> 64) as u64);
    h.finish()
}

/// A GUID spelled 8-4-4-4-12 in hex digits of either case, as 128 bits (one number per GUID and
/// GUID per number, though not the GUID's own numeric value), or `None`. Eight digits at a time
/// (SWAR): a digit at a time in 128-bit arithmetic was a fifth of the plan in the page, where
/// every user's id and every member's is read once.
pub(crate) fn guid(s: &str) -> Option<u128> {
    let b = s.as_bytes();
    if b.len() != 36 || b[8] != b'-' || b[13] != b'-' || b[18] != b'-' || b[23] != b'-' {
        return None;
    }
    let w8 = |at: usize| u64::from_le_bytes(b[at..at + 8].try_into().expect("8 bytes"));
    let w4 = |at: usize| u64::from(u32::from_le_bytes(b[at..at + 4].try_into().expect("4 bytes")));
    let n0 = nibbles(w8(0))?;
    let n1 = nibbles(w4(9) | w4(14) << 32)?;
    let n2 = nibbles(w4(19) | w4(24) << 32)?;
    let n3 = nibbles(w8(28))?;
    Some((u128::from(n0 | (n1 << 4)) << 64) | u128::from(n2 | (n3 << 4)))
}

/// Eight ASCII hex digits (a byte each) as their values (0 to 15, a byte each), or `None` if
/// any byte is not a hex digit.
#[inline]
fn nibbles(w: u64) -> Option<u64> {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HI: u64 = 0x8080_8080_8080_8080;
    if w & HI != 0 {
        return None;
    }
    // Per byte (all under 0x80, so no sum carries into the next): the high bit of x + (0x80 - lo)
    // is set when x >= lo.
    let at_least = |x: u64, lo: u8| x + ONES * (0x80 - u64::from(lo));
    let digit = at_least(w, b'0') & !at_least(w, b'9' + 1);
    let lower = w | (ONES * 0x20);
    let letter = at_least(lower, b'a') & !at_least(lower, b'f' + 1);
    if (digit | letter) & HI != HI {
        return None;
    }
    // '0'..'9' are 0x30..0x39 and 'a'..'f' / 'A'..'F' are 0x61..0x66 / 0x41..0x46: the low four
    // bits, plus 9 for a letter (bit 6 set).
    Some((w & (ONES * 0x0f)) + 9 * ((w >> 6) & ONES))
}

#[cfg(test)]
mod tests {
    use super::*;

    const A: &str = "6fd2c87f-b296-42f0-b197-1e91e994b900";
    const B: &str = "00000001-1111-4000-8000-00000000000a";

    #[test]
    fn a_guid_reads_in_either_case_and_nothing_else_reads() {
        assert_eq!(guid(A), guid(&A.to_uppercase()));
        assert_ne!(guid(A), guid(B));
        let bad_digits = ["g", "G", "/", ":", "@", "`", "\u{e9}"];
        for bad in ["", "u1", &A[1..], &A.replace('-', "_"), &format!("{A} ")] {
            assert_eq!(guid(bad), None, "{bad:?}");
        }
        for at in (0..36).filter(|i| ![8, 13, 18, 23].contains(i)) {
            for d in bad_digits {
                let bad = format!("{}{d}{}", &B[..at], &B[at + 1..]);
                assert_eq!(guid(&bad), None, "{bad:?}");
            }
        }
    }

    /// One number per GUID: every digit at every place changes the number, and no two GUIDs
    /// that differ in one digit get the same one.
    #[test]
    fn each_digit_counts() {
        let mut seen = std::collections::HashSet::new();
        for at in (0..36).filter(|i| ![8, 13, 18, 23].contains(i)) {
            for d in "0123456789abcdef".chars() {
                let g = format!("{}{d}{}", &B[..at], &B[at + 1..]);
                let upper = guid(&g.to_uppercase());
                assert_eq!(guid(&g), upper, "{g}");
                seen.insert(guid(&g).expect("a GUID"));
            }
        }
        // Each place's 16 digits include B's own digit: 32 places x 15 others, plus B.
        assert_eq!(seen.len(), 32 * 15 + 1);
    }

    fn index<'a>(ids: &'a [&'a str], upns: Option<&'a [&'a str]>) -> UserIndex<'a> {
        let upns = upns.map(|u| u.iter().enumerate().map(|(i, s)| (i as u32, *s)));
        UserIndex::new(ids.iter().copied(), ids.len(), upns)
    }

    /// Both kinds of index answer alike: by id in any case, a repeated id finds its last user,
    /// a UPN only when asked for and only after ids.
    #[test]
    fn guid_and_text_indexes_answer_alike() {
        let upns = [A, "Ann@contoso.example", "ann@contoso.example"];
        let guids = [B, A, &B.to_uppercase()];
        let g = index(&guids, Some(&upns));
        assert!(matches!(g, UserIndex::Guid { .. }));
        let mixed = ["u1", A, "U1"];
        let m = index(&mixed, Some(&upns));
        assert!(matches!(m, UserIndex::Text(..)));
        assert_eq!(g.get(B), Some(2));
        assert_eq!(g.get(&A.to_uppercase()), Some(1), "the id of user 1 wins over user 0's UPN");
        assert_eq!(m.get("u1"), Some(2));
        assert_eq!(m.get(A), Some(1));
        for ix in [&g, &m] {
            assert_eq!(ix.get("ANN@contoso.example"), Some(1));
            assert_eq!(ix.get("nobody"), None);
        }
        let no_upns = index(&guids, None);
        assert_eq!(no_upns.get("ann@contoso.example"), None);
        assert_eq!(no_upns.get(&B.to_lowercase()), Some(2));
    }
}
