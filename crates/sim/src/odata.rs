//! The OData query options Graph supports on the collections licswap reads: `$select`, `$top`,
//! `$filter` (the subset below), `$count`, and server-driven paging with `@odata.nextLink`.
//!
//! Sources: <https://learn.microsoft.com/en-us/graph/query-parameters>,
//! <https://learn.microsoft.com/en-us/graph/paging>, <https://learn.microsoft.com/en-us/graph/filter-query-parameter>
use crate::wire::{GraphErrorReply, Target};
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
    /// `startsWith(prop,'abc')`, case-insensitively as Graph compares directory strings.
    StartsWith(String, String),
    /// `(c1 or c2 or ...)`: any of the clauses (e.g. several `startsWith` on one property, as in
    /// the advanced-query page's `startsWith(mobilePhone, '25478') OR startsWith(...)` example).
    AnyOf(Vec<Clause>),
}

impl Clause {
    /// Does the property (`prop` reads it by name) satisfy this clause? For the clauses users
    /// and groups share; `None` for those the resource decides itself.
    pub fn on_string(&self, prop: impl Fn(&str) -> Option<Value>) -> Option<bool> {
        Some(match self {
            Clause::Eq(p, v) => prop(p).is_some_and(|x| same_value(&x, v)),
            Clause::In(p, vs) => prop(p).is_some_and(|x| vs.iter().any(|v| same_value(&x, v))),
            Clause::StartsWith(p, prefix) => {
                prop(p).is_some_and(|x| x.as_str().is_some_and(|s| starts_with(s, prefix)))
            }
            Clause::HasSku(_) | Clause::AnyOf(_) => return None,
        })
    }
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
    pub fn parse(t: &Target) -> Result<Query, GraphErrorReply> {
        let mut q = Query { top: DEFAULT_PAGE, ..Query::default() };
        for (k, v) in &t.query {
            match k.to_ascii_lowercase().as_str() {
                "$select" => {
                    q.select =
                        Some(v.split(',').map(|s| s.trim().to_string()).filter(|s| !s.is_empty()).collect())
                }
                "$top" => {
                    let n: i64 = v.trim().parse().map_err(|_| {
                        GraphErrorReply::bad_request(format!("Invalid page size specified: '{v}'."))
                    })?;
                    if !(1..=MAX_PAGE as i64).contains(&n) {
                        return Err(GraphErrorReply::bad_request(format!(
                            "Invalid page size specified: '{n}'. Must be between 1 and {MAX_PAGE} inclusive."
                        )));
                    }
                    q.top = n as usize;
                }
                "$filter" => q.filter = parse_filter(v)?,
                "$skiptoken" => q.skip = decode_skiptoken(v)?,
                "$count" => q.count = v.eq_ignore_ascii_case("true"),
                other if other.starts_with('$') => {
                    return Err(GraphErrorReply::new(
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
    pub fn check_select(&self, type_name: &str, valid: impl Fn(&str) -> bool) -> Result<(), GraphErrorReply> {
        for s in self.select.iter().flatten() {
            if !valid(s) {
                return Err(GraphErrorReply::bad_request(format!(
                    "Parsing OData Select and Expand failed: Could not find a property named '{s}' on type 'microsoft.graph.{type_name}'."
                )));
            }
        }
        Ok(())
    }
}

fn unsupported_filter(f: &str) -> GraphErrorReply {
    GraphErrorReply::new(
        400,
        "Request_UnsupportedQuery",
        format!("Unsupported or invalid query filter clause specified: '{f}'."),
    )
}

/// Split on ` and ` outside quotes and parentheses, then parse each clause.
pub fn parse_filter(f: &str) -> Result<Vec<Clause>, GraphErrorReply> {
    split_top(f, " and ")
        .into_iter()
        .map(|p| parse_clause(p.trim()).ok_or_else(|| unsupported_filter(f)))
        .collect()
}

/// `f` split on `word` (` and `, ` or `, any case) where it is outside quotes and parentheses.
fn split_top<'a>(f: &'a str, word: &str) -> Vec<&'a str> {
    let mut parts = Vec::new();
    let (mut depth, mut quoted, mut start) = (0i32, false, 0usize);
    let bytes = f.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'\'' => quoted = !quoted,
            b'(' if !quoted => depth += 1,
            b')' if !quoted => depth -= 1,
            b' ' if !quoted
                && depth == 0
                && f.get(i..i + word.len()).is_some_and(|w| w.eq_ignore_ascii_case(word)) =>
            {
                parts.push(&f[start..i]);
                start = i + word.len();
                i += word.len() - 1;
            }
            _ => {}
        }
        i += 1;
    }
    parts.push(&f[start..]);
    parts
}

/// `s` without one pair of parentheses that encloses all of it.
fn unwrap_parens(s: &str) -> Option<&str> {
    let inner = s.strip_prefix('(')?.strip_suffix(')')?;
    // `(a) or (b)` starts and ends with parentheses that are not one pair.
    let (mut depth, mut quoted) = (0i32, false);
    for b in inner.bytes() {
        match b {
            b'\'' => quoted = !quoted,
            b'(' if !quoted => depth += 1,
            b')' if !quoted => {
                depth -= 1;
                if depth < 0 {
                    return None;
                }
            }
            _ => {}
        }
    }
    Some(inner)
}

/// Clauses joined by ` or ` (at least two) as one [`Clause::AnyOf`].
fn any_of(alts: Vec<&str>) -> Option<Clause> {
    alts.into_iter().map(|a| parse_clause(a.trim())).collect::<Option<Vec<_>>>().map(Clause::AnyOf)
}

fn parse_clause(c: &str) -> Option<Clause> {
    if let Some(inner) = unwrap_parens(c) {
        let alts = split_top(inner, " or ");
        return if alts.len() == 1 { parse_clause(inner.trim()) } else { any_of(alts) };
    }
    let alts = split_top(c, " or ");
    if alts.len() > 1 {
        return any_of(alts);
    }
    let lower = c.to_ascii_lowercase();
    if let Some(rest) = lower.strip_prefix("assignedlicenses/any(") {
        // any(x:x/skuId eq 6fd2c87f-...) with any lambda variable name
        let (var, body) = rest.strip_suffix(')')?.split_once(':')?;
        let lit = body.trim().strip_prefix(&format!("{}/skuid eq ", var.trim()))?;
        return Some(Clause::HasSku(lit.trim().trim_matches('\'').to_string()));
    }
    if lower.starts_with("startswith(") {
        let args = c["startswith(".len()..].strip_suffix(')')?;
        let (prop, lit) = args.split_once(',')?;
        let Value::String(prefix) = literal(lit.trim())? else { return None };
        return Some(Clause::StartsWith(prop.trim().to_string(), prefix));
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

/// OData's `startsWith`, ignoring case as Graph does on directory strings.
pub fn starts_with(s: &str, prefix: &str) -> bool {
    s.len() >= prefix.len()
        && s.is_char_boundary(prefix.len())
        && s[..prefix.len()].eq_ignore_ascii_case(prefix)
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

fn decode_skiptoken(tok: &str) -> Result<usize, GraphErrorReply> {
    let bad = || GraphErrorReply::bad_request("The specified page token value has expired or is invalid.");
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
        assert!(parse_filter("endswith(displayName,'a')").is_err());
        assert!(parse_filter("displayName ge 'a'").is_err());
    }

    #[test]
    fn parses_startswith_and_or_groups() {
        let f = parse_filter(
            "assignedLicenses/any(x:x/skuId eq 6fd2c87f-b296-42f0-b197-1e91e994b900) and \
             (startsWith(userPrincipalName,'a') or startsWith(userPrincipalName,'''') OR \
             startsWith(userPrincipalName,'b'))",
        )
        .unwrap();
        let starts = |p: &str| Clause::StartsWith("userPrincipalName".into(), p.into());
        assert_eq!(f[1], Clause::AnyOf(vec![starts("a"), starts("'"), starts("b")]));
        // An `and` inside a quoted literal or a group does not split.
        let f = parse_filter("(displayName eq 'a and b') and startsWith(mail,'x')").unwrap();
        assert_eq!(
            f,
            vec![
                Clause::Eq("displayName".into(), Value::String("a and b".into())),
                Clause::StartsWith("mail".into(), "x".into()),
            ]
        );
        assert!(parse_filter("(startsWith(userPrincipalName,'a') or nonsense)").is_err());
    }

    #[test]
    fn startswith_ignores_case() {
        let c = Clause::StartsWith("userPrincipalName".into(), "AD".into());
        let on = |v: &'static str| c.on_string(|_| Some(Value::String(v.into())));
        assert_eq!(on("adele@contoso.com"), Some(true));
        assert_eq!(on("a"), Some(false));
        assert_eq!(on("bob@contoso.com"), Some(false));
    }

    #[test]
    fn skiptoken_round_trips_and_rejects_garbage() {
        assert_eq!(decode_skiptoken(&encode_skiptoken(1234)).unwrap(), 1234);
        assert!(decode_skiptoken("nonsense!").is_err());
    }
}
