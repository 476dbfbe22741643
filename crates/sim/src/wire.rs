//! HTTP plumbing shared by every route: URL and form parsing, percent coding, dates, and the
//! response shapes Graph and Entra use.
use licswap_core::graph::http::HttpResponse;
use serde_json::{json, Value};

/// The part of a URL the simulator routes on: the path (scheme and host dropped, never empty)
/// and the decoded query pairs in order.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Target {
    pub path: String,
    pub query: Vec<(String, String)>,
}

impl Target {
    pub fn parse(url: &str) -> Target {
        let rest = match url.find("://") {
            Some(i) => {
                let after = &url[i + 3..];
                match after.find('/') {
                    Some(j) => &after[j..],
                    None => "/",
                }
            }
            None => url,
        };
        let (path, query) = match rest.find('?') {
            Some(i) => (&rest[..i], &rest[i + 1..]),
            None => (rest, ""),
        };
        let path = if path.is_empty() { "/".to_string() } else { percent_decode(path, false) };
        Target { path, query: parse_pairs(query) }
    }

    pub fn param(&self, name: &str) -> Option<&str> {
        self.query.iter().find(|(k, _)| k.eq_ignore_ascii_case(name)).map(|(_, v)| v.as_str())
    }

    pub fn segments(&self) -> Vec<&str> {
        self.path.split('/').filter(|s| !s.is_empty()).collect()
    }
}

/// `a=1&b=two%20words` (also `application/x-www-form-urlencoded`, where `+` is a space).
pub fn parse_pairs(s: &str) -> Vec<(String, String)> {
    s.split('&')
        .filter(|p| !p.is_empty())
        .map(|p| match p.find('=') {
            Some(i) => (percent_decode(&p[..i], true), percent_decode(&p[i + 1..], true)),
            None => (percent_decode(p, true), String::new()),
        })
        .collect()
}

pub fn percent_decode(s: &str, plus_is_space: bool) -> String {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        match b[i] {
            b'%' if i + 2 < b.len() => match (hex_val(b[i + 1]), hex_val(b[i + 2])) {
                (Some(h), Some(l)) => {
                    out.push(h * 16 + l);
                    i += 3;
                    continue;
                }
                _ => out.push(b'%'),
            },
            b'+' if plus_is_space => out.push(b' '),
            c => out.push(c),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

fn hex_val(c: u8) -> Option<u8> {
    match c {
        b'0'..=b'9' => Some(c - b'0'),
        b'a'..=b'f' => Some(c - b'a' + 10),
        b'A'..=b'F' => Some(c - b'A' + 10),
        _ => None,
    }
}

/// Encode a query value (RFC 3986 unreserved characters pass through).
pub fn percent_encode(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for &c in s.as_bytes() {
        if c.is_ascii_alphanumeric() || matches!(c, b'-' | b'_' | b'.' | b'~') {
            out.push(c as char);
        } else {
            out.push_str(&format!("%{c:02X}"));
        }
    }
    out
}

/// A query string as Graph writes its nextLinks: `$` names and `,` lists stay readable.
pub fn encode_pairs(pairs: &[(String, String)]) -> String {
    let enc = |s: &str| percent_encode(s).replace("%24", "$").replace("%2C", ",");
    pairs.iter().map(|(k, v)| format!("{}={}", enc(k), enc(v))).collect::<Vec<_>>().join("&")
}

/// ISO 8601 UTC (`2026-11-24T20:11:21Z`) from milliseconds since the Unix epoch.
pub fn iso8601(ms: u64) -> String {
    let secs = ms / 1000;
    let days = (secs / 86_400) as i64;
    let rem = secs % 86_400;
    // Howard Hinnant's days-to-civil algorithm.
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + if m <= 2 { 1 } else { 0 };
    format!("{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}Z", rem / 3600, (rem / 60) % 60, rem % 60)
}

/// The content type Graph answers JSON with.
pub const GRAPH_JSON: &str =
    "application/json;odata.metadata=minimal;odata.streaming=true;IEEE754Compatible=false;charset=utf-8";

pub fn json_response(status: u16, body: &Value) -> HttpResponse {
    HttpResponse { status, headers: vec![("Content-Type".into(), GRAPH_JSON.into())], body: json_text(body) }
}

/// `v` as compact JSON text, the same text `Value`'s `Display` writes, but written straight into
/// the buffer: `Display` passes every token through a `fmt::Formatter`, and the demo tenant's
/// first answers in the page (wasm, its code not yet optimized) spent milliseconds there.
pub fn json_text(v: &Value) -> String {
    // Writing a `Value` cannot fail (its map keys are strings); the empty text is never reached.
    serde_json::to_string(v).unwrap_or_default()
}

/// Graph's error body: `{"error":{"code","message","innerError":{"date","request-id","client-request-id"}}}`
/// (<https://learn.microsoft.com/en-us/graph/errors>).
pub fn graph_error(status: u16, code: &str, message: &str) -> HttpResponse {
    json_response(status, &json!({ "error": { "code": code, "message": message } }))
}

pub fn empty(status: u16) -> HttpResponse {
    HttpResponse { status, headers: Vec::new(), body: String::new() }
}

pub fn set_header(resp: &mut HttpResponse, name: &str, value: impl Into<String>) {
    let value = value.into();
    match resp.headers.iter_mut().find(|(k, _)| k.eq_ignore_ascii_case(name)) {
        Some(h) => h.1 = value,
        None => resp.headers.push((name.to_string(), value)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_absolute_and_relative_urls() {
        let t = Target::parse("https://graph.microsoft.com/v1.0/users?$top=5&$filter=a%20eq%20b");
        assert_eq!(t.path, "/v1.0/users");
        assert_eq!(t.param("$top"), Some("5"));
        assert_eq!(t.param("$filter"), Some("a eq b"));
        assert_eq!(Target::parse("/v1.0/groups").segments(), vec!["v1.0", "groups"]);
        assert_eq!(Target::parse("http://127.0.0.1:9").path, "/");
    }

    #[test]
    fn json_text_writes_what_display_wrote() {
        let v = serde_json::json!({
            "value": [{ "id": "a\"b\\c", "n": -1.5, "ok": true, "none": null, "é": "\u{1}\n" }],
            "@odata.nextLink": "https://graph.microsoft.com/v1.0/users?$skiptoken=x%20y",
        });
        assert_eq!(json_text(&v), v.to_string());
        assert_eq!(serde_json::from_str::<Value>(&json_text(&v)).unwrap(), v);
    }

    #[test]
    fn formats_dates_and_round_trips_encoding() {
        assert_eq!(iso8601(0), "1970-01-01T00:00:00Z");
        assert_eq!(iso8601(1_795_551_081_000), "2026-11-24T20:11:21Z");
        let s = "a b&c=d/é";
        assert_eq!(percent_decode(&percent_encode(s), false), s);
        assert_eq!(percent_decode("100%", false), "100%");
    }
}

/// The Graph error a simulated route replies with: status, `error.code`, `error.message` (the body
/// Graph sends, built by [`GraphErrorReply::into_response`]).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct GraphErrorReply {
    pub status: u16,
    pub code: String,
    pub message: String,
}

impl GraphErrorReply {
    pub fn new(status: u16, code: &str, message: impl Into<String>) -> Self {
        GraphErrorReply { status, code: code.into(), message: message.into() }
    }

    pub fn bad_request(message: impl Into<String>) -> Self {
        GraphErrorReply::new(400, "Request_BadRequest", message)
    }

    /// Graph's answer for an unknown object id (e.g. GET /users/{id}).
    pub fn not_found(id: &str) -> Self {
        GraphErrorReply::new(
            404,
            "Request_ResourceNotFound",
            format!("Resource '{id}' does not exist or one of its queried reference-property objects are not present."),
        )
    }

    pub fn into_response(self) -> HttpResponse {
        graph_error(self.status, &self.code, &self.message)
    }
}
