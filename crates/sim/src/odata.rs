//! The OData query options Graph supports on the collections licswap reads: `$select`, `$top`,
//! `$filter` (the subset below), `$count`, and server-driven paging with `@odata.nextLink`.
//!
//! Sources: <https://learn.microsoft.com/en-us/graph/query-parameters>,
//! <https://learn.microsoft.com/en-us/graph/paging>, <https://learn.microsoft.com/en-us/graph/filter-query-parameter>
use crate::wire::{ApiError, Target};
use base64::Engine;
use serde_json::Value;

/// Graph's default and maximum page sizes for users and groups
/// (<https://learn.microsoft.com/en-us/graph/api/user-list>: `$top` 1..=999, default 100).
pub const DEFAULT_PAGE: usize = 100;
pub const MAX_PAGE: usize = 999;

#[derive(Clone, Debug, PartialEq)]
pub enum Clause {
    /// `assignedLicenses/any(x:x/skuId eq <guid>)`
    HasSku(String),
    /// `prop eq literal`
    Eq(String, Value),
    /// `prop in ('a','b')`
    In(String, Vec<Value>),
}

#[derive(Clone, Debug, Default, PartialEq)]
pub struct Query {
    pub select: Option<Vec<String>>,
    pub top: usize,
    pub filter: Vec<Clause>,
    pub skip: usize,
    pub count: bool,
}

impl Query {
    pub fn parse(t: &Target) -> Result<Query, ApiError> {
        let mut q = Query { top: DEFAULT_PAGE, ..Query::default() };
        for (k, v) in &t.query {
            match k.to_ascii_lowercase().as_str() {
                "$select" => {
                    q.select =
                        Some(v.split(',').map(|s| s.trim().to_string()).filter(|s| !s.is_empty()).collect())
                }
                "$top" => {
                    let n: i64 = v
                        .trim()
                        .parse()
                        .map_err(|_| ApiError::bad_request(format!("Invalid page size specified: '{v}'.")))?;
                    if !(1..=MAX_PAGE as i64).contains(&n) {
                        return Err(ApiError::bad_request(format!(
                            "Invalid page size specified: '{n}'. Must be between 1 and {MAX_PAGE} inclusive."
                        )));
                    }
                    q.top = n as usize;
                }
                "$filter" => q.filter = parse_filter(v)?,
                "$skiptoken" => q.skip = decode_skiptoken(v)?,
                "$count" => q.count = v.eq_ignore_ascii_case("true"),
                other if other.starts_with('$') => {
                    return Err(ApiError::new(
                        400,
                        "Request_UnsupportedQuery",
                        format!("The query option '{k}' is not supported by the simulator."),
                    ))
                }
                _ => {}
            }
        }
        Ok(q)
    }

    /// `$select` names, checked against the properties the type has.
    pub fn check_select(&self, type_name: &str, valid: impl Fn(&str) -> bool) -> Result<(), ApiError> {
        for s in self.select.iter().flatten() {
            if !valid(s) {
                return Err(ApiError::bad_request(format!(
                    "Parsing OData Select and Expand failed: Could not find a property named '{s}' on type 'microsoft.graph.{type_name}'."
                )));
            }
        }
        Ok(())
    }
}

fn unsupported_filter(f: &str) -> ApiError {
    ApiError::new(
        400,
        "Request_UnsupportedQuery",
        format!("Unsupported or invalid query filter clause specified: '{f}'."),
    )
}

/// Split on ` and ` outside quotes and parentheses, then parse each clause.
pub fn parse_filter(f: &str) -> Result<Vec<Clause>, ApiError> {
    let mut parts = Vec::new();
    let (mut depth, mut quoted, mut start) = (0i32, false, 0usize);
    let bytes = f.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'\'' => quoted = !quoted,
            b'(' if !quoted => depth += 1,
            b')' if !quoted => depth -= 1,
            b' ' if !quoted && depth == 0 && f[i..].to_ascii_lowercase().starts_with(" and ") => {
                parts.push(&f[start..i]);
                start = i + 5;
                i += 4;
            }
            _ => {}
        }
        i += 1;
    }
    parts.push(&f[start..]);
    parts.into_iter().map(|p| parse_clause(p.trim()).ok_or_else(|| unsupported_filter(f))).collect()
}

fn parse_clause(c: &str) -> Option<Clause> {
    let lower = c.to_ascii_lowercase();
    if let Some(rest) = lower.strip_prefix("assignedlicenses/any(") {
        // any(x:x/skuId eq 6fd2c87f-...) with any lambda variable name
        let (var, body) = rest.strip_suffix(')')?.split_once(':')?;
        let lit = body.trim().strip_prefix(&format!("{}/skuid eq ", var.trim()))?;
        return Some(Clause::HasSku(lit.trim().trim_matches('\'').to_string()));
    }
    let mut it = c.splitn(3, ' ');
    let (prop, op, lit) = (it.next()?, it.next()?.to_ascii_lowercase(), it.next()?.trim());
    match op.as_str() {
        "eq" => Some(Clause::Eq(prop.to_string(), literal(lit)?)),
        "in" => {
            let inner = lit.strip_prefix('(')?.strip_suffix(')')?;
            let vals = inner.split(',').map(|v| literal(v.trim())).collect::<Option<Vec<_>>>()?;
            Some(Clause::In(prop.to_string(), vals))
        }
        _ => None,
    }
}

fn literal(s: &str) -> Option<Value> {
    if let Some(q) = s.strip_prefix('\'').and_then(|r| r.strip_suffix('\'')) {
        return Some(Value::String(q.replace("''", "'")));
    }
    match s {
        "true" => Some(Value::Bool(true)),
        "false" => Some(Value::Bool(false)),
        "null" => Some(Value::Null),
        _ if s.len() == 36 && s.chars().all(|c| c.is_ascii_hexdigit() || c == '-') => {
            Some(Value::String(s.to_string()))
        }
        _ => s.parse::<i64>().ok().map(Value::from),
    }
}

/// Do two OData literals match? Strings compare case-insensitively, as Graph's `eq` does on
/// directory strings.
pub fn same_value(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::String(x), Value::String(y)) => x.eq_ignore_ascii_case(y),
        _ => a == b,
    }
}

pub fn encode_skiptoken(next: usize) -> String {
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(format!("licswap-sim:{next}"))
}

fn decode_skiptoken(tok: &str) -> Result<usize, ApiError> {
    let bad = || ApiError::bad_request("The specified page token value has expired or is invalid.");
    let raw = base64::engine::general_purpose::URL_SAFE_NO_PAD.decode(tok.trim()).map_err(|_| bad())?;
    let s = String::from_utf8(raw).map_err(|_| bad())?;
    s.strip_prefix("licswap-sim:").and_then(|n| n.parse().ok()).ok_or_else(bad)
}

/// The nextLink for a page ending before index `next`: the same request with `$skiptoken`.
pub fn next_link(base: &str, t: &Target, next: usize) -> String {
    let mut pairs: Vec<(String, String)> =
        t.query.iter().filter(|(k, _)| !k.eq_ignore_ascii_case("$skiptoken")).cloned().collect();
    pairs.push(("$skiptoken".into(), encode_skiptoken(next)));
    // Inside a $batch the path is relative to the version; Graph's links are always absolute.
    let version = if t.path.starts_with("/v1.0/") { "" } else { "/v1.0" };
    format!("{base}{version}{}?{}", t.path, crate::wire::encode_pairs(&pairs))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_the_supported_filters() {
        let f =
            parse_filter("assignedLicenses/any(x:x/skuId eq 6fd2c87f-b296-42f0-b197-1e91e994b900)").unwrap();
        assert_eq!(f, vec![Clause::HasSku("6fd2c87f-b296-42f0-b197-1e91e994b900".into())]);
        let f = parse_filter("id in ('a','b') and accountEnabled eq true").unwrap();
        assert_eq!(f.len(), 2);
        assert!(parse_filter("startswith(displayName,'a')").is_err());
    }

    #[test]
    fn skiptoken_round_trips_and_rejects_garbage() {
        assert_eq!(decode_skiptoken(&encode_skiptoken(1234)).unwrap(), 1234);
        assert!(decode_skiptoken("nonsense!").is_err());
    }
}
