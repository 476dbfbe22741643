//! The SKUs a request names on one side of a swap: one (`"ENTERPRISEPACK"`, as every request before
//! bundles) or several (`["ENTERPRISEPACK", "EMS"]`), each by skuId or skuPartNumber. One SKU is
//! written back as a plain string, so a request, plan, shared preview or approval digest made
//! before bundles reads and writes exactly as it did.
use serde::de::{self, SeqAccess, Visitor};
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::fmt;

/// One or more SKUs, in the order the request names them (never empty once read).
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
pub struct SkuList(Vec<String>);

impl SkuList {
    pub fn new(skus: Vec<String>) -> Self {
        SkuList(skus)
    }

    pub fn as_slice(&self) -> &[String] {
        &self.0
    }

    pub fn iter(&self) -> std::slice::Iter<'_, String> {
        self.0.iter()
    }

    pub fn len(&self) -> usize {
        self.0.len()
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// The first SKU named ("" for an empty list, which reading never produces).
    pub fn first(&self) -> &str {
        self.0.first().map_or("", String::as_str)
    }
}

impl From<&str> for SkuList {
    fn from(s: &str) -> Self {
        SkuList(vec![s.to_string()])
    }
}

impl From<String> for SkuList {
    fn from(s: String) -> Self {
        SkuList(vec![s])
    }
}

impl From<Vec<String>> for SkuList {
    fn from(v: Vec<String>) -> Self {
        SkuList(v)
    }
}

impl From<&[&str]> for SkuList {
    fn from(v: &[&str]) -> Self {
        SkuList(v.iter().map(|s| s.to_string()).collect())
    }
}

impl<const N: usize> From<[&str; N]> for SkuList {
    fn from(v: [&str; N]) -> Self {
        SkuList(v.iter().map(|s| s.to_string()).collect())
    }
}

impl<'a> IntoIterator for &'a SkuList {
    type Item = &'a String;
    type IntoIter = std::slice::Iter<'a, String>;
    fn into_iter(self) -> Self::IntoIter {
        self.0.iter()
    }
}

/// The SKUs joined with " + " (how the UI and messages name a bundle).
impl fmt::Display for SkuList {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0.join(" + "))
    }
}

impl Serialize for SkuList {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self.0.as_slice() {
            [one] => s.serialize_str(one),
            many => many.serialize(s),
        }
    }
}

const EXPECTED: &str = "a SKU (skuId or skuPartNumber) or an array of SKUs";

struct SkuListVisitor;

fn check<E: de::Error>(sku: String, at: Option<usize>) -> Result<String, E> {
    if sku.trim().is_empty() {
        return Err(E::custom(match at {
            None => "an empty SKU name: expected a skuId or skuPartNumber".to_string(),
            Some(i) => format!("SKU {} of the list is empty: expected a skuId or skuPartNumber", i + 1),
        }));
    }
    Ok(sku)
}

impl<'de> Visitor<'de> for SkuListVisitor {
    type Value = SkuList;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(EXPECTED)
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<SkuList, E> {
        Ok(SkuList(vec![check(v.to_string(), None)?]))
    }

    fn visit_string<E: de::Error>(self, v: String) -> Result<SkuList, E> {
        Ok(SkuList(vec![check(v, None)?]))
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<SkuList, A::Error> {
        let mut out: Vec<String> = Vec::new();
        // An element that is not a string gets serde's own message ("invalid type: integer `3`,
        // expected a string"), with its position when the path is tracked.
        while let Some(s) = seq.next_element::<String>()? {
            let s = check(s, Some(out.len()))?;
            if out.iter().any(|o| o.trim().eq_ignore_ascii_case(s.trim())) {
                return Err(de::Error::custom(format!("{} is listed twice", s.trim())));
            }
            out.push(s);
        }
        if out.is_empty() {
            return Err(de::Error::custom(format!("an empty list: expected {EXPECTED}")));
        }
        Ok(SkuList(out))
    }
}

impl<'de> Deserialize<'de> for SkuList {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(SkuListVisitor)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(json: &str) -> Result<SkuList, String> {
        serde_json::from_str(json).map_err(|e| e.to_string())
    }

    #[test]
    fn one_sku_reads_and_writes_as_a_string() {
        let l = read(r#""ENTERPRISEPACK""#).unwrap();
        assert_eq!(l.as_slice(), ["ENTERPRISEPACK"]);
        assert_eq!(serde_json::to_string(&l).unwrap(), r#""ENTERPRISEPACK""#);
        // A list of one is the same request, and is written the old way.
        assert_eq!(read(r#"["ENTERPRISEPACK"]"#).unwrap(), l);
    }

    #[test]
    fn several_skus_read_and_write_as_an_array_in_order() {
        let l = read(r#"["ENTERPRISEPACK", "EMS"]"#).unwrap();
        assert_eq!(l.as_slice(), ["ENTERPRISEPACK", "EMS"]);
        assert_eq!(serde_json::to_string(&l).unwrap(), r#"["ENTERPRISEPACK","EMS"]"#);
        assert_eq!(l.to_string(), "ENTERPRISEPACK + EMS");
    }

    #[test]
    fn bad_lists_say_what_is_wrong() {
        for (json, says) in [
            ("[]", "an empty list"),
            ("3", "a SKU (skuId or skuPartNumber) or an array of SKUs"),
            ("null", "a SKU (skuId or skuPartNumber) or an array of SKUs"),
            ("{}", "a SKU (skuId or skuPartNumber) or an array of SKUs"),
            (r#"["EMS", 3]"#, "expected a string"),
            (r#"["EMS", " "]"#, "SKU 2 of the list is empty"),
            (r#""""#, "an empty SKU name"),
            (r#"["EMS", "ems"]"#, "ems is listed twice"),
        ] {
            let err = read(json).unwrap_err();
            assert!(err.contains(says), "{json}: {err}");
        }
    }
}
