//! [`SharedStr`]: one copy of a string that many records of a tenant repeat.
//!
//! A tenant read from Graph names the same few SKU ids, group ids, error codes ("None") and usage
//! locations on every user: 100,000 users carry about 230,000 SKU ids but a handful of distinct
//! ones. Each decoded value is looked up in a pool and shares the pool's copy, so a SKU id costs
//! a pointer per user instead of an allocation. Everything else treats it as a `&str`.
use serde::{Deserialize, Serialize};
use std::borrow::Borrow;
use std::cell::RefCell;
use std::collections::HashSet;
use std::fmt;
use std::ops::Deref;
use std::sync::Arc;

/// A string shared by every record that holds the same text. Compares, hashes, orders, prints and
/// serializes as the text it holds.
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct SharedStr(Arc<str>);

/// Strings longer than this are kept on their own: the pool is for ids and codes, and a long
/// string (a fuzzer's, a tampered file's) is not worth remembering.
const LONGEST_POOLED: usize = 64;
/// Past this many distinct strings the pool stops growing, so no input can make it hold more
/// than about 6 MB. A real tenant names far fewer SKUs, plans, license groups and codes.
const MOST_POOLED: usize = 65_536;

thread_local! {
    // One pool per thread: the page has one; sim-server's and the tests' threads each keep
    // their own, which only means a string may be held once per thread.
    static POOL: RefCell<HashSet<Arc<str>>> = RefCell::new(HashSet::new());
}

impl SharedStr {
    /// The pool's copy of `s`, added to the pool if it is new (and short, and the pool not full).
    pub fn new(s: &str) -> Self {
        if s.len() > LONGEST_POOLED {
            return SharedStr(Arc::from(s));
        }
        POOL.with(|pool| {
            let mut pool = pool.borrow_mut();
            if let Some(held) = pool.get(s) {
                return SharedStr(held.clone());
            }
            let held: Arc<str> = Arc::from(s);
            if pool.len() < MOST_POOLED {
                pool.insert(held.clone());
            }
            SharedStr(held)
        })
    }

    /// `s` in a copy of its own, not looked up in the pool nor added to it: for strings shared
    /// by a few records that know each other (an action's id and its rollback's `undoes`)
    /// rather than repeated across a tenant.
    pub fn unpooled(s: &str) -> Self {
        SharedStr(Arc::from(s))
    }

    /// Deserializes as [`SharedStr::unpooled`] does (`#[serde(deserialize_with)]`).
    pub fn unpooled_de<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_str(Visit { pooled: false })
    }

    /// [`SharedStr::unpooled_de`] of an optional string.
    pub fn unpooled_de_opt<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<Self>, D::Error> {
        #[derive(Deserialize)]
        struct Unpooled(#[serde(deserialize_with = "SharedStr::unpooled_de")] SharedStr);
        Ok(Option::<Unpooled>::deserialize(d)?.map(|u| u.0))
    }

    /// Forgets the pool of this thread (the app calls it when it forgets a tenant's data): the
    /// strings already handed out stay valid, and a later tenant's decoding starts a new pool.
    pub fn forget_pool() {
        POOL.with(|pool| *pool.borrow_mut() = HashSet::new());
    }

    #[inline]
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl Deref for SharedStr {
    type Target = str;
    #[inline]
    fn deref(&self) -> &str {
        &self.0
    }
}

impl AsRef<str> for SharedStr {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

impl Borrow<str> for SharedStr {
    fn borrow(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for SharedStr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl fmt::Debug for SharedStr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&*self.0, f)
    }
}

impl Default for SharedStr {
    fn default() -> Self {
        SharedStr::new("")
    }
}

impl From<&str> for SharedStr {
    fn from(s: &str) -> Self {
        SharedStr::new(s)
    }
}

impl From<String> for SharedStr {
    fn from(s: String) -> Self {
        SharedStr::new(&s)
    }
}

impl From<&String> for SharedStr {
    fn from(s: &String) -> Self {
        SharedStr::new(s)
    }
}

impl From<SharedStr> for String {
    fn from(s: SharedStr) -> Self {
        s.0.to_string()
    }
}

impl PartialEq<str> for SharedStr {
    fn eq(&self, other: &str) -> bool {
        &*self.0 == other
    }
}

impl PartialEq<&str> for SharedStr {
    fn eq(&self, other: &&str) -> bool {
        &*self.0 == *other
    }
}

impl PartialEq<String> for SharedStr {
    fn eq(&self, other: &String) -> bool {
        *self.0 == **other
    }
}

impl PartialEq<SharedStr> for str {
    fn eq(&self, other: &SharedStr) -> bool {
        self == &*other.0
    }
}

impl PartialEq<SharedStr> for &str {
    fn eq(&self, other: &SharedStr) -> bool {
        *self == &*other.0
    }
}

impl PartialEq<SharedStr> for String {
    fn eq(&self, other: &SharedStr) -> bool {
        **self == *other.0
    }
}

impl Serialize for SharedStr {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.0)
    }
}

/// Reads a string into a [`SharedStr`], pooled or not.
struct Visit {
    pooled: bool,
}

impl serde::de::Visitor<'_> for Visit {
    type Value = SharedStr;
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a string")
    }
    // Borrowed or not, the text is only looked up or copied once: never held as a String first.
    fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<SharedStr, E> {
        Ok(if self.pooled { SharedStr::new(v) } else { SharedStr::unpooled(v) })
    }
}

impl<'de> Deserialize<'de> for SharedStr {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_str(Visit { pooled: true })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn equal_texts_share_one_copy() {
        let a: Vec<SharedStr> = serde_json::from_str(
            r#"["6fd2c87f-b296-42f0-b197-1e91e994b900","6fd2c87f-b296-42f0-b197-1e91e994b900"]"#,
        )
        .unwrap();
        assert!(Arc::ptr_eq(&a[0].0, &a[1].0));
        assert!(Arc::ptr_eq(&a[0].0, &SharedStr::from("6fd2c87f-b296-42f0-b197-1e91e994b900").0));
        assert_eq!(serde_json::to_string(&a[0]).unwrap(), r#""6fd2c87f-b296-42f0-b197-1e91e994b900""#);
    }

    #[test]
    fn long_texts_are_not_pooled() {
        let long = "x".repeat(LONGEST_POOLED + 1);
        let (a, b) = (SharedStr::new(&long), SharedStr::new(&long));
        assert_eq!(a, b);
        assert!(!Arc::ptr_eq(&a.0, &b.0));
        assert!(POOL.with(|p| !p.borrow().contains(long.as_str())));
    }

    #[test]
    fn the_pool_stops_growing_when_full() {
        // A thread of its own: its pool starts empty.
        std::thread::spawn(|| {
            for n in 0..MOST_POOLED + 10 {
                SharedStr::new(&n.to_string());
            }
            assert_eq!(POOL.with(|p| p.borrow().len()), MOST_POOLED);
            assert_eq!(SharedStr::new(&(MOST_POOLED + 5).to_string()), (MOST_POOLED + 5).to_string());
        })
        .join()
        .unwrap();
    }

    #[test]
    fn a_forgotten_pool_keeps_what_was_handed_out() {
        std::thread::spawn(|| {
            let kept = SharedStr::new("group-1");
            SharedStr::forget_pool();
            assert_eq!(POOL.with(|p| p.borrow().len()), 0);
            assert_eq!(kept, "group-1");
            assert!(!Arc::ptr_eq(&kept.0, &SharedStr::new("group-1").0), "a new pool, a new copy");
        })
        .join()
        .unwrap();
    }

    #[test]
    fn it_reads_as_the_text_it_holds() {
        let s = SharedStr::from("None");
        assert_eq!(s, "None");
        assert_eq!(s.as_str(), "None");
        assert_eq!(format!("{s} {s:?}"), "None \"None\"");
        assert!(s.eq_ignore_ascii_case("none"));
        assert_eq!(String::from(s), "None");
    }
}
