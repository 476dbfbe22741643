//! Graph URLs: paths with `$filter`/`$select`/`$top`, percent-encoded, and the checks that keep
//! the client from sending anything it did not mean to (ids that are not GUIDs, paging links that
//! leave the Graph API it was configured with).
use super::error::GraphError;

/// Exactly the user fields the planner and the apply step read.
pub const USER_SELECT: &[&str] = &[
    "id",
    "userPrincipalName",
    "displayName",
    "usageLocation",
    "accountEnabled",
    "assignedLicenses",
    "licenseAssignmentStates",
];

/// Exactly the group fields the planner reads (dynamic rule, on-premises sync, licenses).
pub const GROUP_SELECT: &[&str] =
    &["id", "displayName", "groupTypes", "membershipRule", "onPremisesSyncEnabled", "assignedLicenses"];

/// `subscribedSku` fields: seats and service plans.
pub const SKU_SELECT: &[&str] = &[
    "id",
    "skuId",
    "skuPartNumber",
    "appliesTo",
    "capabilityStatus",
    "consumedUnits",
    "prepaidUnits",
    "servicePlans",
];

/// The largest `$top` Graph accepts for users, groups and group members.
pub const MAX_PAGE_SIZE: u32 = 999;

/// Percent-encodes a query value: everything but RFC 3986 unreserved characters and the OData
/// punctuation Graph's own examples leave as is (`$ ( ) / : , ' =`), so URLs stay readable in logs.
pub fn encode_query_value(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        let keep = b.is_ascii_alphanumeric()
            || matches!(
                b,
                b'-' | b'_' | b'.' | b'~' | b'$' | b'(' | b')' | b'/' | b':' | b',' | b'\'' | b'='
            );
        if keep {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// Encodes one path segment (an id or a UPN).
pub fn encode_path_segment(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~' | b'@') {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

pub fn is_guid(s: &str) -> bool {
    let b = s.as_bytes();
    b.len() == 36
        && b.iter().enumerate().all(|(i, c)| match i {
            8 | 13 | 18 | 23 => *c == b'-',
            _ => c.is_ascii_hexdigit(),
        })
}

/// Ids go into paths and `$filter`s: only GUIDs are accepted, so nothing can be injected.
pub fn require_guid<'a>(what: &str, id: &'a str) -> Result<&'a str, GraphError> {
    if is_guid(id) {
        Ok(id)
    } else {
        Err(GraphError::Invalid(format!("{what} {id:?} is not a GUID")))
    }
}

/// A path relative to the version root (`/users?...`), built piece by piece.
#[derive(Clone, Debug, Default)]
pub struct PathQuery {
    path: String,
    params: Vec<(&'static str, String)>,
}

impl PathQuery {
    pub fn new(path: impl Into<String>) -> Self {
        PathQuery { path: path.into(), params: Vec::new() }
    }

    pub fn filter(mut self, expr: impl Into<String>) -> Self {
        self.params.push(("$filter", expr.into()));
        self
    }

    pub fn select(mut self, fields: &[&str]) -> Self {
        self.params.push(("$select", fields.join(",")));
        self
    }

    pub fn top(mut self, n: u32) -> Self {
        self.params.push(("$top", n.to_string()));
        self
    }

    /// `$count=true`: with `ConsistencyLevel: eventual`, an advanced query that also answers
    /// `@odata.count` (<https://learn.microsoft.com/graph/aad-advanced-queries>).
    pub fn count(mut self) -> Self {
        self.params.push(("$count", "true".into()));
        self
    }

    pub fn build(&self) -> String {
        let mut s = self.path.clone();
        for (i, (k, v)) in self.params.iter().enumerate() {
            s.push(if i == 0 { '?' } else { '&' });
            s.push_str(k);
            s.push('=');
            s.push_str(&encode_query_value(v));
        }
        s
    }
}

/// `assignedLicenses/any(x:x/skuId eq {id})`: works by default on users and groups, with no
/// `ConsistencyLevel: eventual` or `$count` (the "assignedLicenses, eq: Default" row of
/// https://learn.microsoft.com/graph/aad-advanced-queries, and the group resource's
/// "assignedLicenses ... Supports `$filter` (`eq`)"). Staying off advanced queries also keeps the
/// read strongly consistent, which the planner wants.
pub fn has_sku_filter(sku_id: &str) -> String {
    format!("assignedLicenses/any(x:x/skuId eq {sku_id})")
}

/// The Graph API root the client talks to, split so links can be checked and rebased.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BaseUrl {
    /// `https://graph.microsoft.com` or `http://127.0.0.1:8080`; empty for origin-relative.
    origin: String,
    /// `/v1.0`
    root: String,
}

impl BaseUrl {
    pub fn parse(base: &str) -> Result<Self, GraphError> {
        let base = base.trim_end_matches('/');
        let (origin, root) = split_origin(base);
        if !root.starts_with('/') || root.len() < 2 || root.contains(['?', '#']) {
            return Err(GraphError::Invalid(format!(
                "the Graph base URL {base:?} needs a version path such as /v1.0"
            )));
        }
        Ok(BaseUrl { origin: origin.to_string(), root: root.to_string() })
    }

    /// `https://graph.microsoft.com/v1.0`
    pub fn as_string(&self) -> String {
        format!("{}{}", self.origin, self.root)
    }

    /// A path relative to the version root (`/users?..`) as a full URL.
    pub fn url(&self, relative: &str) -> String {
        format!("{}{}{}", self.origin, self.root, relative)
    }

    /// The part of `link` after the version root (`/users?$skiptoken=..`), whatever host it names:
    /// Graph's `@odata.nextLink` is absolute and names Graph's host even behind a proxy or in a
    /// simulator, so the client keeps its own host and never sends its token elsewhere. A link
    /// outside the version root is refused.
    pub fn relative(&self, link: &str) -> Result<String, GraphError> {
        let (_, path) = split_origin(link);
        let rest = path.strip_prefix(self.root.as_str()).filter(|r| r.starts_with(['/', '?']));
        match rest {
            Some(r) => Ok(r.to_string()),
            None => Err(GraphError::Invalid(format!("the link {link:?} is outside {}", self.root))),
        }
    }

    /// As [`BaseUrl::relative`], for a link inside a `$batch` answer, where URLs are relative to
    /// the version root: a link without the version segment (as the simulator writes them) is
    /// taken as already relative. Either way the request goes to the configured host only.
    pub fn relative_in_batch(&self, link: &str) -> Result<String, GraphError> {
        self.relative(link).or_else(|e| {
            let (_, path) = split_origin(link);
            let versioned = path.split('/').nth(1).is_some_and(|seg| seg.starts_with('v') || seg == "beta");
            if path.starts_with('/') && !versioned {
                Ok(path.to_string())
            } else {
                Err(e)
            }
        })
    }
}

/// `("https://host", "/path?q")`; origin is empty for an origin-relative URL.
fn split_origin(url: &str) -> (&str, &str) {
    if let Some(scheme_end) = url.find("://") {
        let after = &url[scheme_end + 3..];
        let path_start = after.find(['/', '?']).map(|i| scheme_end + 3 + i).unwrap_or(url.len());
        (&url[..path_start], &url[path_start..])
    } else {
        ("", url)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn query_is_encoded_but_readable() {
        let q = PathQuery::new("/users")
            .filter(has_sku_filter("18181a46-0d4e-45cd-891e-60aabd171b4e"))
            .select(&["id", "displayName"])
            .top(999)
            .build();
        assert_eq!(
            q,
            "/users?$filter=assignedLicenses/any(x:x/skuId%20eq%2018181a46-0d4e-45cd-891e-60aabd171b4e)\
             &$select=id,displayName&$top=999"
        );
        assert_eq!(encode_query_value("a&b#c+d%"), "a%26b%23c%2Bd%25");
    }

    #[test]
    fn guids_only() {
        assert!(require_guid("user id", "18181a46-0d4e-45cd-891e-60aabd171b4e").is_ok());
        assert!(require_guid("user id", "x) or true").is_err());
        assert!(require_guid("user id", "18181a46-0d4e-45cd-891e-60aabd171b4").is_err());
    }

    #[test]
    fn links_are_rebased_onto_the_configured_host() {
        let b = BaseUrl::parse("http://127.0.0.1:8080/v1.0/").unwrap();
        assert_eq!(b.as_string(), "http://127.0.0.1:8080/v1.0");
        let rel = b.relative("https://graph.microsoft.com/v1.0/users?$skiptoken=abc").unwrap();
        assert_eq!(rel, "/users?$skiptoken=abc");
        assert_eq!(b.url(&rel), "http://127.0.0.1:8080/v1.0/users?$skiptoken=abc");
        assert!(b.relative("https://evil.example/beta/users").is_err());
        assert!(b.relative("https://graph.microsoft.com/v1.0x/users").is_err());
        let local = BaseUrl::parse("/v1.0").unwrap();
        assert_eq!(local.url("/users"), "/v1.0/users");
        assert!(BaseUrl::parse("https://graph.microsoft.com").is_err());
        let g = BaseUrl::parse("https://graph.microsoft.com/v1.0").unwrap();
        assert_eq!(
            g.relative_in_batch("https://graph.microsoft.com/groups/g/members?$skiptoken=a").unwrap(),
            "/groups/g/members?$skiptoken=a"
        );
        assert_eq!(g.relative_in_batch("https://graph.microsoft.com/v1.0/groups/g").unwrap(), "/groups/g");
        assert!(g.relative_in_batch("https://graph.microsoft.com/beta/groups/g").is_err());
    }
}
