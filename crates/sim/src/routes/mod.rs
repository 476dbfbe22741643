//! Graph v1.0 resources: one function per endpoint, over the tenant. Routing, auth, throttling
//! and faults happen before these are called (see `sim.rs`).
mod directory;
mod groups;
mod users;

use crate::odata::Query;
use crate::tenant::Tenant;
use crate::wire::{GraphErrorReply, Target};
use licswap_core::graph::http::Method;
use serde::{Serialize, Serializer};
use serde_json::value::RawValue;
use serde_json::{Map, Value};

/// A JSON body: built as a value, or already written as text. Pages of users are written
/// straight from the tenant: building 999 users a page as values first was most of the
/// simulator's time in a large read.
#[derive(Clone, Debug)]
pub enum Body {
    Value(Value),
    Text(Box<RawValue>),
}

impl Body {
    /// The `error` object of an error answer (always built as a value), to add `innerError` to.
    pub fn error_mut(&mut self) -> Option<&mut Map<String, Value>> {
        match self {
            Body::Value(v) => v.get_mut("error")?.as_object_mut(),
            Body::Text(_) => None,
        }
    }

    pub fn into_text(self) -> String {
        match self {
            Body::Value(v) => crate::wire::json_text(&v),
            Body::Text(raw) => Box::<str>::from(raw).into_string(),
        }
    }

    /// The body as a value (tests and the in-process demo read it so).
    pub fn to_value(&self) -> Value {
        match self {
            Body::Value(v) => v.clone(),
            Body::Text(raw) => serde_json::from_str(raw.get()).unwrap_or(Value::Null),
        }
    }
}

impl PartialEq for Body {
    fn eq(&self, other: &Self) -> bool {
        self.to_value() == other.to_value()
    }
}

impl Serialize for Body {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            Body::Value(v) => v.serialize(s),
            Body::Text(raw) => raw.serialize(s),
        }
    }
}

/// A successful answer: status, JSON body (none for 204) and extra headers.
#[derive(Clone, Debug, PartialEq)]
pub struct Reply {
    pub status: u16,
    pub body: Option<Body>,
    pub headers: Vec<(String, String)>,
}

impl Reply {
    pub fn ok(body: Value) -> Self {
        Reply { status: 200, body: Some(Body::Value(body)), headers: Vec::new() }
    }

    /// 200 with a body written as text by serializing `body` (it cannot fail: no map in it
    /// has keys other than strings).
    pub fn ok_written(body: &impl Serialize) -> Self {
        let body = match serde_json::value::to_raw_value(body) {
            Ok(raw) => Body::Text(raw),
            Err(e) => {
                let message = e.to_string();
                Body::Value(serde_json::json!({ "error": { "code": "InternalError", "message": message } }))
            }
        };
        Reply { status: 200, body: Some(body), headers: Vec::new() }
    }
}

/// What a resource handler can see of the request.
pub struct Call<'a> {
    pub method: &'a Method,
    /// Path segments after `/v1.0`.
    pub segs: &'a [&'a str],
    pub target: &'a Target,
    pub body: Option<&'a str>,
    /// `https://host` the request came to, for `@odata.context` and `@odata.nextLink`.
    pub base: &'a str,
    pub now: u64,
    pub group_timing: crate::config::GroupTiming,
    /// The request carried `ConsistencyLevel: eventual` (advanced queries).
    pub eventual: bool,
    /// The request is one item of a `$batch` (throttling answers it differently, `gates.rs`).
    #[cfg_attr(not(feature = "full"), allow(dead_code))]
    pub in_batch: bool,
}

impl Call<'_> {
    pub fn query(&self) -> Result<Query, GraphErrorReply> {
        let mut q = Query::parse(self.target)?;
        if q.count && !self.eventual {
            // `$count=true` on directory objects is an advanced query that needs
            // `ConsistencyLevel: eventual`; without it Graph silently ignores the parameter (no
            // `@odata.count`). Only the `/$count` path segment is refused with 400 "$count is
            // not currently supported." (https://learn.microsoft.com/en-us/graph/aad-advanced-queries).
            q.count = false;
        }
        Ok(q)
    }

    pub fn context(&self, what: &str) -> String {
        format!("{}/v1.0/$metadata#{what}", self.base)
    }

    pub fn json_body<T: serde::de::DeserializeOwned>(&self) -> Result<T, GraphErrorReply> {
        let raw = self.body.unwrap_or("");
        serde_json::from_str(raw).map_err(|e| GraphErrorReply::bad_request(format!("Invalid request body: {e}")))
    }
}

pub fn dispatch(t: &mut Tenant, c: &Call) -> Result<Reply, GraphErrorReply> {
    match (c.method, c.segs) {
        (Method::Get, ["subscribedSkus"]) => directory::subscribed_skus(t, c),
        (Method::Get, ["organization"]) => directory::organization(t, c),
        (Method::Get, ["me"]) => match t.admin {
            Some(u) => users::get_one(t, c, u, "users/$entity"),
            None => Err(GraphErrorReply::not_found("me")),
        },
        (Method::Get, ["users"]) => users::list(t, c),
        (Method::Get, ["users", id]) => users::get(t, c, id),
        (Method::Get, ["users", id, "licenseDetails"]) => users::license_details(t, c, id),
        (Method::Post, ["users", id, "assignLicense"]) => users::assign_license(t, c, id),
        (Method::Post, ["users", id, "reprocessLicenseAssignment"]) => users::reprocess(t, c, id),
        (Method::Get, ["groups"]) => groups::list(t, c),
        (Method::Get, ["groups", id]) => groups::get(t, c, id),
        (Method::Get, ["groups", id, "members"]) => groups::members(t, c, id, false),
        (Method::Get, ["groups", id, "membersWithLicenseErrors"]) => groups::members(t, c, id, true),
        (Method::Post, ["groups", id, "assignLicense"]) => groups::assign_license(t, c, id),
        // Graph v1.0 binds reprocessLicenseAssignment to users only (docs/reference's CSDL,
        // user-reprocesslicenseassignment; there is no group page): a group is reprocessed from
        // the admin center's "Reprocess" button, or member by member through the user action.
        (Method::Post, ["groups", _, "reprocessLicenseAssignment"]) => Err(GraphErrorReply::new(
            400,
            "BadRequest",
            "Resource not found for the segment 'reprocessLicenseAssignment'.",
        )),
        (Method::Post, ["groups", id, "members", "$ref"]) => groups::add_member(t, c, id),
        (Method::Delete, ["groups", id, "members", uid, "$ref"]) => groups::remove_member(t, c, id, uid),
        _ => Err(no_route(c)),
    }
}

fn no_route(c: &Call) -> GraphErrorReply {
    let known =
        matches!(c.segs.first(), Some(&"users" | &"groups" | &"subscribedSkus" | &"organization" | &"me"));
    if known {
        GraphErrorReply::new(405, "Request_BadRequest", "Specified HTTP method is not allowed for the request uri.")
    } else {
        GraphErrorReply::new(
            400,
            "BadRequest",
            format!("Resource not found for the segment '{}'.", c.segs.first().unwrap_or(&"")),
        )
    }
}

/// A page of `items` from `q.skip`, with `@odata.nextLink` when more remain. `matches` filters,
/// `render` gives one item as something serializable; the page is written as text.
pub fn page<I: Copy, R: Serialize>(
    c: &Call,
    q: &Query,
    context: String,
    items: impl Iterator<Item = I>,
    matches: impl Fn(I) -> bool,
    render: impl Fn(I) -> R,
) -> Reply {
    let mut value = Vec::new();
    let mut next = None;
    // `@odata.count` is answered with the first page only. Graph's pages show it on the
    // response to a `$count=true` request (https://learn.microsoft.com/graph/aad-advanced-queries);
    // whether the pages behind `@odata.nextLink` repeat it is not documented, and licswap reads
    // it from first pages only. Counting on every page would make each page of a large
    // partitioned read test every user of the tenant again.
    let counting = q.count && q.skip == 0;
    // Items before the skiptoken are not looked at again (unless $count needs every match), so
    // reading a whole collection page by page stays linear.
    let mut count = 0usize;
    let start = if counting { 0 } else { q.skip };
    for (at, item) in (start..).zip(items.skip(start)) {
        if !matches(item) {
            continue;
        }
        count += 1;
        if at < q.skip {
            continue;
        }
        if value.len() == q.top {
            next.get_or_insert(at);
            if !counting {
                break;
            }
            continue;
        }
        value.push(item);
    }
    Reply::ok_written(&PageJson {
        context,
        count: counting.then_some(count),
        next_link: next.map(|n| crate::odata::next_link(c.base, c.target, n)),
        value: Items(&value, &render),
    })
}

/// A page's JSON: `@odata.context`, `@odata.count` (first page of a `$count=true` request),
/// `@odata.nextLink`, then `value`, the order of Graph's own examples
/// (<https://learn.microsoft.com/graph/paging>, <https://learn.microsoft.com/graph/aad-advanced-queries>)
/// and of the `Value` map it replaced. A JSON object's member order carries no meaning (RFC 8259,
/// section 4), and licswap reads these by name.
#[derive(Serialize)]
#[serde(bound(serialize = "Items<'a, I, F>: Serialize"))]
struct PageJson<'a, I, F> {
    #[serde(rename = "@odata.context")]
    context: String,
    #[serde(rename = "@odata.count", skip_serializing_if = "Option::is_none")]
    count: Option<usize>,
    #[serde(rename = "@odata.nextLink", skip_serializing_if = "Option::is_none")]
    next_link: Option<String>,
    value: Items<'a, I, F>,
}

/// A page's items, rendered one at a time as they are written.
struct Items<'a, I, F>(&'a [I], &'a F);

impl<I: Copy, R: Serialize, F: Fn(I) -> R> Serialize for Items<'_, I, F> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_seq(self.0.iter().map(|&i| (self.1)(i)))
    }
}

/// `@odata.context` with the selected properties, as Graph writes it: `users(id,displayName)`.
pub fn select_context(set: &str, q: &Query) -> String {
    match &q.select {
        Some(s) => format!("{set}({})", s.join(",")),
        None => set.to_string(),
    }
}
