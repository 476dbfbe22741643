//! Users by id (and by userPrincipalName when a scope lists users), for the planner's lookups:
//! every member of every in-scope group is looked up once per plan (65,000 lookups in the
//! 100,000-user bench), most among the group's own inheritors ([`GroupMembers`]), the rest in
//! the index of every user, made on the first such lookup.
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
use std::sync::OnceLock;

/// Every user's id as a GUID, when every id of the snapshot is one: made once per snapshot
/// ([`crate::Indexed`]), read by every plan of it. `guids` and `spelled_lower` are by user row
/// (the table holds rows); `spelled_lower` is a bit per user: the id is written in lower case, as
/// Graph writes ids, so [`UserIndex::write_id`] can write it from the GUID. The table is made on the
/// first lookup: a plan whose groups' members are all found among the groups' own inheritors
/// ([`GroupMembers`]) never makes it, and a later plan of the snapshot finds it made.
pub(crate) struct Guids {
    guids: Vec<u128>,
    spelled_lower: Vec<u64>,
    rows: OnceLock<HashTable<u32>>,
}

impl Guids {
    /// Room for `n` users' GUIDs, none yet.
    pub fn with_capacity(n: usize) -> Self {
        Guids {
            guids: Vec::with_capacity(n),
            spelled_lower: Vec::with_capacity(n.div_ceil(64)),
            rows: OnceLock::new(),
        }
    }

    /// Adds the next user's id (users in snapshot order); false, and nothing added, when it is
    /// not a GUID.
    #[inline]
    pub fn push(&mut self, id: &str) -> bool {
        let Some((g, lower)) = guid_spelled(id) else { return false };
        let i = self.guids.len();
        self.guids.push(g);
        if i.is_multiple_of(64) {
            self.spelled_lower.push(0u64);
        }
        if lower {
            self.spelled_lower[i / 64] |= 1 << (i % 64);
        }
        true
    }

    /// `ids` in snapshot order; `None` as soon as one is not a GUID.
    #[cfg(test)]
    pub fn new<'s>(ids: impl Iterator<Item = &'s str>, n: usize) -> Option<Self> {
        let mut g = Guids::with_capacity(n);
        ids.into_iter().all(|id| g.push(id)).then_some(g)
    }

    /// The row whose id is `id` in any letter case (a repeated id finds its last row); `None`
    /// for an id that is no GUID.
    pub fn find(&self, id: &str) -> Option<u32> {
        self.row(guid(id)?)
    }

    /// The row whose GUID is `g` (a repeated GUID finds its last row).
    fn row(&self, g: u128) -> Option<u32> {
        let rows = self.rows.get_or_init(|| table(&self.guids));
        rows.find(hash(g), |&r| self.guids[r as usize] == g).copied()
    }

    fn spelled_lower(&self, row: u32) -> bool {
        self.spelled_lower.get(row as usize / 64).is_some_and(|w| w & (1 << (row % 64)) != 0)
    }
}

/// Users by id (and by userPrincipalName when asked for), for one plan: the snapshot's
/// [`Guids`] when every id is one, else a table of the ids' text.
pub(crate) enum UserIndex<'a> {
    Guid(&'a Guids, Upns<'a>),
    Text(FastMap<CiKey<'a>, u32>, Upns<'a>),
}

/// userPrincipalNames, consulted after ids (an id wins over a UPN spelled the same); empty unless
/// asked for.
type Upns<'a> = FastMap<CiKey<'a>, u32>;

impl<'a> UserIndex<'a> {
    /// `guids`: the snapshot's, if every id is a GUID; otherwise `ids` (in snapshot order: a
    /// repeated id finds its last user, as before) are indexed as text. `upns` likewise (a
    /// repeated UPN finds its first user).
    #[inline(never)] // a frame of its own in profiles (it runs once per plan)
    pub fn new(
        guids: Option<&'a Guids>,
        ids: impl Iterator<Item = &'a str>,
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
        match guids {
            Some(g) => UserIndex::Guid(g, by_upn),
            None => UserIndex::Text(ids.enumerate().map(|(i, id)| (CiKey(id), i as u32)).collect(), by_upn),
        }
    }

    /// The users' GUIDs by row, when every id is one.
    pub fn guids(&self) -> Option<&[u128]> {
        match self {
            UserIndex::Guid(g, _) => Some(&g.guids),
            UserIndex::Text(..) => None,
        }
    }

    /// Appends the id of user `row` exactly as `id` (the user's own) spells it: from the GUID
    /// when the id is one in lower case, without reading `id`. The plan writes every swapped
    /// user's id two or three times (action, subject, coverage), and in a large tenant each read
    /// of a user's own string is a cache miss; the GUIDs are one dense array.
    #[inline]
    pub fn write_id(&self, row: u32, id: &str, out: &mut String) {
        match self {
            UserIndex::Guid(g, _) if g.spelled_lower(row) => write_guid(g.guids[row as usize], out),
            _ => out.push_str(id),
        }
    }

    /// The user whose id, or else userPrincipalName, is `key` (ASCII case-insensitively).
    pub fn get(&self, key: &str) -> Option<u32> {
        let (by_id, upns) = match self {
            UserIndex::Guid(g, upns) => (guid(key).and_then(|k| g.row(k)), upns),
            UserIndex::Text(m, upns) => (m.get(&CiKey(key)).copied(), upns),
        };
        by_id.or_else(|| if upns.is_empty() { None } else { upns.get(&CiKey(key)).copied() })
    }
}

/// Rows by GUID; a repeated GUID finds its last row.
fn table(guids: &[u128]) -> HashTable<u32> {
    let mut rows = HashTable::with_capacity(guids.len());
    for (i, &g) in guids.iter().enumerate() {
        let at = |&r: &u32| guids[r as usize];
        match rows.entry(hash(g), |r| at(r) == g, |r| hash(at(r))) {
            hashbrown::hash_table::Entry::Occupied(mut e) => *e.get_mut() = i as u32,
            hashbrown::hash_table::Entry::Vacant(e) => {
                e.insert(i as u32);
            }
        }
    }
    rows
}

/// A group's members found among the users who inherit a license from it (licenseAssignmentStates'
/// assignedByGroup): in a tenant that has run group licensing, nearly every member does. A small
/// table per group, made from those users' GUIDs read in user order, answers its members' lookups
/// from cache, where one table over every user (a million users: 10 MB, beside the GUIDs' 16 MB)
/// made each insert and each lookup a cache miss or two. Measured on the planner's wasm in node,
/// in alternating rounds: a million generated users plan in 1,193 ms instead of 1,236, with
/// 10 MiB less heap; 100,000 in the same time. A member it does not find (not yet processed, or
/// an id that is no GUID) is looked up in the whole index.
pub(crate) struct GroupMembers {
    /// (GUID, user row) of the group's inheritors.
    pairs: Vec<(u128, u32)>,
    table: HashTable<u32>,
}

impl GroupMembers {
    /// The group's inheritors as (GUID, user row), in user order (a GUID listed twice finds its
    /// last row, as in the whole index).
    pub fn new(pairs: Vec<(u128, u32)>) -> Self {
        let mut table = HashTable::with_capacity(pairs.len());
        for (i, &(g, _)) in pairs.iter().enumerate() {
            let at = |&p: &u32| pairs[p as usize].0;
            match table.entry(hash(g), |p| at(p) == g, |p| hash(at(p))) {
                hashbrown::hash_table::Entry::Occupied(mut e) => *e.get_mut() = i as u32,
                hashbrown::hash_table::Entry::Vacant(e) => {
                    e.insert(i as u32);
                }
            }
        }
        GroupMembers { pairs, table }
    }

    /// The inheritor whose GUID is `g`, if any.
    pub fn find(&self, g: u128) -> Option<u32> {
        self.table.find(hash(g), |&p| self.pairs[p as usize].0 == g).map(|&p| self.pairs[p as usize].1)
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
    guid_spelled(s).map(|(g, _)| g)
}

/// [`guid`], and whether `s` has no upper-case digit (so [`write_guid`] spells it back exactly).
fn guid_spelled(s: &str) -> Option<(u128, bool)> {
    let b = s.as_bytes();
    if b.len() != 36 || b[8] != b'-' || b[13] != b'-' || b[18] != b'-' || b[23] != b'-' {
        return None;
    }
    let w8 = |at: usize| u64::from_le_bytes(b[at..at + 8].try_into().expect("8 bytes"));
    let w4 = |at: usize| u64::from(u32::from_le_bytes(b[at..at + 4].try_into().expect("4 bytes")));
    let (n0, u0) = nibbles(w8(0))?;
    let (n1, u1) = nibbles(w4(9) | (w4(14) << 32))?;
    let (n2, u2) = nibbles(w4(19) | (w4(24) << 32))?;
    let (n3, u3) = nibbles(w8(28))?;
    let g = (u128::from(n0 | (n1 << 4)) << 64) | u128::from(n2 | (n3 << 4));
    Some((g, !(u0 | u1 | u2 | u3)))
}

/// Appends the GUID `g` ([`guid`]'s number) in lower case, 8-4-4-4-12.
pub(crate) fn write_guid(g: u128, out: &mut String) {
    const ONES: u64 = 0x0101_0101_0101_0101;
    let (hi, lo) = ((g >> 64) as u64, g as u64);
    let low = ONES * 0x0f;
    // Back to one digit value per byte, then to ASCII: '0' + v, and 39 more for 'a'..'f'
    // (v + 0x76 reaches 0x80 exactly when v >= 10).
    let ascii = |v: u64| v + ONES * b'0' as u64 + 39 * (((v + ONES * 0x76) >> 7) & ONES);
    let (d0, d1) = (ascii(hi & low), ascii((hi >> 4) & low));
    let (d2, d3) = (ascii(lo & low), ascii((lo >> 4) & low));
    let mut text = [b'-'; 36];
    text[0..8].copy_from_slice(&d0.to_le_bytes());
    text[9..13].copy_from_slice(&d1.to_le_bytes()[..4]);
    text[14..18].copy_from_slice(&d1.to_le_bytes()[4..]);
    text[19..23].copy_from_slice(&d2.to_le_bytes()[..4]);
    text[24..28].copy_from_slice(&d2.to_le_bytes()[4..]);
    text[28..36].copy_from_slice(&d3.to_le_bytes());
    debug_assert!(text.is_ascii());
    // SAFETY: every byte is ASCII (a dash, or `ascii` of a value masked to 0..=15: '0'..='9' or
    // 'a'..='f'), so `out` stays UTF-8. Checked instead (str::from_utf8), the check was 4% of the
    // plan in the size-optimized page build, where it runs a byte at a time.
    unsafe { out.as_mut_vec() }.extend_from_slice(&text);
}

/// Eight ASCII hex digits (a byte each) as their values (0 to 15, a byte each), and whether any
/// is an upper-case letter; `None` if any byte is not a hex digit.
#[inline]
fn nibbles(w: u64) -> Option<(u64, bool)> {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HI: u64 = 0x8080_8080_8080_8080;
    if w & HI != 0 {
        return None;
    }
    // Per byte (all under 0x80, so no sum carries into the next): the high bit of x + (0x80 - lo)
    // is set when x >= lo.
    let at_least = |x: u64, lo: u8| x + ONES * (0x80 - u64::from(lo));
    let digit = at_least(w, b'0') & !at_least(w, b'9' + 1);
    let upper = at_least(w, b'A') & !at_least(w, b'F' + 1);
    let lower = at_least(w, b'a') & !at_least(w, b'f' + 1);
    if (digit | upper | lower) & HI != HI {
        return None;
    }
    // '0'..'9' are 0x30..0x39 and 'a'..'f' / 'A'..'F' are 0x61..0x66 / 0x41..0x46: the low four
    // bits, plus 9 for a letter (bit 6 set).
    Some(((w & (ONES * 0x0f)) + 9 * ((w >> 6) & ONES), upper & HI != 0))
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

    /// A GUID in lower case is written back as it was read; one with an upper-case digit is
    /// not written from its number (the user's own spelling is kept).
    #[test]
    fn ids_are_written_as_spelled() {
        let upper = A.to_uppercase();
        let mixed = format!("{}F{}", &B[..35], "");
        let ids = [A, B, upper.as_str(), mixed.as_str()];
        let guids = Guids::new(ids.iter().copied(), ids.len());
        let no_upns = None::<std::iter::Empty<(u32, &str)>>;
        let ix = UserIndex::new(guids.as_ref(), ids.iter().copied(), ids.len(), no_upns);
        for (row, id) in ids.iter().enumerate() {
            let mut out = String::from("swap:user:");
            ix.write_id(row as u32, id, &mut out);
            assert_eq!(out, format!("swap:user:{id}"));
        }
        let mut all = String::new();
        for d in "0123456789abcdef".chars() {
            let g = format!("{d}{}", &A[1..]).replace('4', &d.to_string());
            all.clear();
            write_guid(guid(&g).expect("a GUID"), &mut all);
            assert_eq!(all, g);
        }
        let UserIndex::Guid(g, _) = &ix else { panic!("GUID ids") };
        assert_eq!(g.spelled_lower[0] & 0b1111, 0b0011, "the upper-case ids are written from their text");
    }

    #[test]
    fn a_groups_members_are_found_among_its_inheritors_the_last_of_a_repeated_guid() {
        let (a, b) = (guid(A).expect("a GUID"), guid(B).expect("a GUID"));
        let m = GroupMembers::new(vec![(a, 4), (b, 7), (a, 9), (b, 7)]);
        assert_eq!(m.find(a), Some(9));
        assert_eq!(m.find(b), Some(7));
        assert_eq!(m.find(guid(&A.replace('6', "7")).expect("a GUID")), None);
        assert_eq!(GroupMembers::new(Vec::new()).find(a), None);
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
        // Leaked: a test's few GUIDs, borrowed by the index as a snapshot's Indexed lends them.
        let guids = Guids::new(ids.iter().copied(), ids.len()).map(|g| &*Box::leak(Box::new(g)));
        UserIndex::new(guids, ids.iter().copied(), ids.len(), upns)
    }

    /// Both kinds of index answer alike: by id in any case, a repeated id finds its last user,
    /// a UPN only when asked for and only after ids.
    #[test]
    fn guid_and_text_indexes_answer_alike() {
        let upns = [A, "Ann@contoso.example", "ann@contoso.example"];
        let guids = [B, A, &B.to_uppercase()];
        let g = index(&guids, Some(&upns));
        assert!(matches!(g, UserIndex::Guid(..)));
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
