//! Graph v1.0 resources: one function per endpoint, over the tenant. Routing, auth, throttling
//! and faults happen before these are called (see `sim.rs`).
mod directory;
mod groups;
mod users;

use crate::odata::Query;
use crate::tenant::Tenant;
use crate::wire::{GraphErrorReply, Target};
use licswap_core::graph::http::Method;
use serde_json::Value;

/// A successful answer: status, JSON body (none for 204) and extra headers.
#[derive(Clone, Debug, PartialEq)]
pub struct Reply {
    pub status: u16,
    pub body: Option<Value>,
    pub headers: Vec<(String, String)>,
}

impl Reply {
    pub fn ok(body: Value) -> Self {
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
/// `render` builds one item.
pub fn page<I: Copy>(
    c: &Call,
    q: &Query,
    context: String,
    items: impl Iterator<Item = I>,
    matches: impl Fn(I) -> bool,
    render: impl Fn(I) -> Value,
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
        value.push(render(item));
    }
    let mut body = serde_json::Map::new();
    body.insert("@odata.context".into(), Value::String(context));
    if counting {
        body.insert("@odata.count".into(), Value::from(count));
    }
    if let Some(n) = next {
        body.insert("@odata.nextLink".into(), Value::String(crate::odata::next_link(c.base, c.target, n)));
    }
    body.insert("value".into(), Value::Array(value));
    Reply::ok(Value::Object(body))
}

/// `@odata.context` with the selected properties, as Graph writes it: `users(id,displayName)`.
pub fn select_context(set: &str, q: &Query) -> String {
    match &q.select {
        Some(s) => format!("{set}({})", s.join(",")),
        None => set.to_string(),
    }
}
