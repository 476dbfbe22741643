//! A list of ids kept in one buffer. A coverage entry names every user who shares it, which is
//! most of a 100,000-user tenant: one allocation per id was a tenth of the planner's allocations
//! (the planning budget, ARCHITECTURE.md). On the wire it is a plain JSON array of strings.
use serde::de::{Deserializer, SeqAccess, Visitor};
use serde::ser::Serializer;
use serde::{Deserialize, Serialize};
use std::fmt;

#[derive(Clone, Default, PartialEq, Eq)]
pub struct IdList {
    text: String,
    /// Where each id ends in `text`.
    ends: Vec<u32>,
}

impl IdList {
    pub fn with_capacity(ids: usize, bytes: usize) -> Self {
        IdList { text: String::with_capacity(bytes), ends: Vec::with_capacity(ids) }
    }

    #[inline]
    pub fn push(&mut self, id: &str) {
        self.push_with(|text| text.push_str(id));
    }

    /// Appends the id `write` appends to the list's text (the planner writes ids it holds as
    /// numbers straight into the list).
    #[inline]
    pub fn push_with(&mut self, write: impl FnOnce(&mut String)) {
        write(&mut self.text);
        self.ends.push(self.text.len() as u32);
    }

    pub fn len(&self) -> usize {
        self.ends.len()
    }

    /// The id at position `k`.
    pub fn get(&self, k: usize) -> Option<&str> {
        let end = *self.ends.get(k)? as usize;
        let start = if k == 0 { 0 } else { self.ends[k - 1] as usize };
        self.text.get(start..end)
    }

    pub fn is_empty(&self) -> bool {
        self.ends.is_empty()
    }

    pub fn iter(&self) -> impl Iterator<Item = &str> + Clone + '_ {
        let starts = std::iter::once(0).chain(self.ends.iter().copied());
        starts.zip(&self.ends).map(|(a, &b)| &self.text[a as usize..b as usize])
    }
}

impl<'a> IntoIterator for &'a IdList {
    type Item = &'a str;
    type IntoIter = Box<dyn Iterator<Item = &'a str> + 'a>;

    fn into_iter(self) -> Self::IntoIter {
        Box::new(self.iter())
    }
}

impl<S: AsRef<str>> FromIterator<S> for IdList {
    fn from_iter<I: IntoIterator<Item = S>>(ids: I) -> Self {
        let mut l = IdList::default();
        ids.into_iter().for_each(|id| l.push(id.as_ref()));
        l
    }
}

impl fmt::Debug for IdList {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_list().entries(self.iter()).finish()
    }
}

impl Serialize for IdList {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_seq(self.iter())
    }
}

impl<'de> Deserialize<'de> for IdList {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct Ids;
        impl<'de> Visitor<'de> for Ids {
            type Value = IdList;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("an array of ids")
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<IdList, A::Error> {
                let mut l = IdList::default();
                while let Some(id) = seq.next_element::<String>()? {
                    l.push(&id);
                }
                Ok(l)
            }
        }
        d.deserialize_seq(Ids)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_each_id_apart_and_reads_and_writes_a_json_array() {
        let l: IdList = ["a", "", "ccc", "dé"].into_iter().collect();
        assert_eq!(l.len(), 4);
        assert_eq!(l.iter().collect::<Vec<_>>(), ["a", "", "ccc", "dé"]);
        let json = serde_json::to_string(&l).expect("serializes");
        assert_eq!(json, r#"["a","","ccc","dé"]"#);
        assert_eq!(serde_json::from_str::<IdList>(&json).expect("parses"), l);
        assert!(serde_json::from_str::<IdList>(r#"["a",1]"#).is_err());
        assert!(IdList::default().is_empty() && IdList::default().iter().next().is_none());
        let at: Vec<Option<&str>> = (0..5).map(|k| l.get(k)).collect();
        assert_eq!(at, [Some("a"), Some(""), Some("ccc"), Some("dé"), None], "each id by its position");
    }
}
