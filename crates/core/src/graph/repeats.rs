//! Dropping what Graph returned twice: the users of one tenant read through several queries (a
//! user renamed between two partitions, a user holding two of a bundle's sources) and groups
//! read for two sources. Ids are compared ASCII case-insensitively where they lie ([`CiKey`]),
//! never copied in lower case: at 100,000 holders, lower-case copies and their sets were tens of
//! milliseconds of the load in the page.
use crate::plan::fastmap::{CiKey, FastSet};

/// Drops, in place, every item whose id (ASCII case-insensitively) an earlier item has: the
/// first read of each id is kept, in reading order.
pub(crate) fn drop_repeats<X>(items: &mut Vec<X>, id: impl Fn(&X) -> &str) {
    let mut seen: FastSet<CiKey<'_>> = FastSet::with_capacity_and_hasher(items.len(), Default::default());
    // Positions of the repeats, in reading order.
    let repeats: Vec<usize> =
        items.iter().enumerate().filter(|(_, x)| !seen.insert(CiKey(id(x)))).map(|(i, _)| i).collect();
    drop(seen);
    if !repeats.is_empty() {
        let mut repeats = repeats.into_iter().peekable();
        let mut at = 0usize;
        items.retain(|_| {
            let keep = repeats.next_if_eq(&at).is_none();
            at += 1;
            keep
        });
    }
}
