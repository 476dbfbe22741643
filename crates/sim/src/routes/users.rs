//! `GET /users`, `GET /users/{id | userPrincipalName}`, `POST /users/{id}/assignLicense`.
//! <https://learn.microsoft.com/en-us/graph/api/user-list>,
//! <https://learn.microsoft.com/en-us/graph/api/user-get>,
//! <https://learn.microsoft.com/en-us/graph/api/user-assignlicense> (200 OK with the user).
use super::{page, select_context, Call, Reply};
use crate::licensing;
use crate::odata::{starts_with, Clause, Query};
use crate::render::{is_user_prop, user_prop, UserJson};
use crate::tenant::{Tenant, UserIx};
use crate::wire::GraphErrorReply;
use licswap_core::model::AssignLicenseBody;
use serde_json::Value;

pub fn render(t: &Tenant, u: UserIx, q: &Query) -> Value {
    crate::render::to_value(written(t, u, q, None))
}

/// A user of a page, written as JSON text when the page is (`@odata.type` in lists of directory
/// objects).
pub fn written<'a>(t: &'a Tenant, u: UserIx, q: &'a Query, odata_type: Option<&'static str>) -> UserJson<'a> {
    UserJson { t, u, select: q.select.as_deref(), odata_type }
}

/// The filter as a test on users, with its SKU ids resolved to the tenant's indices once rather
/// than compared as text for every license of every user: with `$count`, every page of a read
/// tests every user of the tenant.
pub fn matcher<'a>(t: &'a Tenant, filter: &'a [Clause]) -> impl Fn(UserIx) -> bool + 'a {
    let mut resolved: Vec<Resolved<'a>> = filter.iter().map(|c| resolve(t, c)).collect();
    // `and` is the same in any order (a logical operator of `$filter`,
    // https://learn.microsoft.com/graph/filter-query-parameter): the license test goes last, as
    // nearly every user a partitioned read looks at holds the SKU, while a name test turns most
    // of them away.
    resolved.sort_by_key(|r| matches!(r, Resolved::Sku(_)));
    move |u| resolved.iter().all(|r| test(t, u, r))
}

enum Resolved<'a> {
    /// `assignedLicenses/any(...)` on the SKU at this index (`None`: the tenant has no such SKU).
    Sku(Option<usize>),
    /// `startsWith` on the userPrincipalName (or mail, which the simulator's users take from
    /// it: the simulator's own simplification, not Graph's), with the prefix's first byte in
    /// lower case (`None` for an empty prefix). Graph supports `startsWith` on both by default
    /// and compares case-insensitively (the user table of
    /// <https://learn.microsoft.com/graph/aad-advanced-queries>; the `userPrincipalName` and
    /// `mail` properties of <https://learn.microsoft.com/graph/api/resources/user>). A
    /// partitioned read's counts test every user of the tenant against such clauses, 65 times:
    /// which property, and the prefix's first letter, are found here once instead.
    UpnStarts(Option<u8>, &'a str),
    Any(Vec<Resolved<'a>>),
    Other(&'a Clause),
}

fn resolve<'a>(t: &Tenant, c: &'a Clause) -> Resolved<'a> {
    match c {
        Clause::HasSku(id) => Resolved::Sku(t.skus.iter().position(|s| s.sku_id.eq_ignore_ascii_case(id))),
        Clause::StartsWith(p, prefix) if p == "userPrincipalName" || p == "mail" => {
            Resolved::UpnStarts(prefix.as_bytes().first().map(u8::to_ascii_lowercase), prefix)
        }
        Clause::AnyOf(cs) => Resolved::Any(cs.iter().map(|c| resolve(t, c)).collect()),
        other => Resolved::Other(other),
    }
}

fn test(t: &Tenant, u: UserIx, r: &Resolved) -> bool {
    let user = &t.users[u as usize];
    match r {
        Resolved::Sku(None) => false,
        Resolved::Sku(Some(sku)) => user
            .direct
            .iter()
            .map(|l| l.sku)
            .chain(user.inherited.iter().filter(|g| g.error.is_none()).map(|g| g.lic.sku))
            .any(|s| s as usize == *sku),
        Resolved::Any(rs) => rs.iter().any(|r| test(t, u, r)),
        // The user's name is read in place rather than as a JSON value.
        Resolved::UpnStarts(first, prefix) => {
            // startsWith ignores letter case as Graph's string comparisons on directory objects do
            // (`starts_with`; `check_filter` cites the advanced-query table): the first letters
            // are compared folded, and only a name whose first letter matches is read.
            match (*first, t.upn_head(u)) {
                (Some(want), Some(head)) if want != head => false,
                // A one-byte prefix is the folded first byte itself: the name need not be read
                // (a partitioned read's counts ask one character at a time). The first bytes are
                // kept by the tenant: a name changes only through `Tenant::set_upn`.
                (Some(_), Some(_)) if prefix.len() == 1 => true,
                _ => starts_with(&user.upn, prefix),
            }
        }
        Resolved::Other(c) => c.on_string(|p| user_prop(t, u, p)).unwrap_or(false),
    }
}

/// The user properties the simulator filters on, by operator: `eq`/`in`, and `startsWith` (the
/// "Default" cells of the user table in <https://learn.microsoft.com/graph/aad-advanced-queries>).
fn check_filter(filter: &[Clause]) -> Result<(), GraphErrorReply> {
    const EQ: &[&str] =
        &["id", "userPrincipalName", "displayName", "mail", "accountEnabled", "usageLocation", "department"];
    const STARTS: &[&str] = &["userPrincipalName", "displayName", "mail", "givenName", "surname"];
    fn check(c: &Clause) -> Result<(), GraphErrorReply> {
        let refuse = |p: &str| {
            Err(GraphErrorReply::new(
                400,
                "Request_UnsupportedQuery",
                format!(
                    "Unsupported or invalid query filter clause specified for property '{p}' of resource 'User'."
                ),
            ))
        };
        match c {
            Clause::Eq(p, _) | Clause::In(p, _) if !EQ.contains(&p.as_str()) => refuse(p),
            Clause::StartsWith(p, _) if !STARTS.contains(&p.as_str()) => refuse(p),
            Clause::AnyOf(cs) => cs.iter().try_for_each(check),
            _ => Ok(()),
        }
    }
    filter.iter().try_for_each(check)
}

pub fn list(t: &Tenant, c: &Call) -> Result<Reply, GraphErrorReply> {
    let q = c.query()?;
    q.check_select("user", is_user_prop)?;
    check_filter(&q.filter)?;
    let ctx = c.context(&select_context("users", &q));
    let test = matcher(t, &q.filter);
    Ok(page(c, &q, ctx, 0..t.users.len() as UserIx, test, |u| written(t, u, &q, None)))
}

pub fn get(t: &Tenant, c: &Call, id: &str) -> Result<Reply, GraphErrorReply> {
    let u = t.user_ix(id).ok_or_else(|| GraphErrorReply::not_found(id))?;
    get_one(t, c, u, "users/$entity")
}

pub fn get_one(t: &Tenant, c: &Call, u: UserIx, set: &str) -> Result<Reply, GraphErrorReply> {
    let q = c.query()?;
    q.check_select("user", is_user_prop)?;
    let mut v = render(t, u, &q);
    v["@odata.context"] = Value::String(c.context(set));
    Ok(Reply::ok(v))
}

pub fn assign_license(t: &mut Tenant, c: &Call, id: &str) -> Result<Reply, GraphErrorReply> {
    let u = t.user_ix(id).ok_or_else(|| GraphErrorReply::not_found(id))?;
    let body = parse_body(c)?;
    licensing::assign_user(t, u, &body, c.now)?;
    let mut v = render(t, u, &Query::default());
    v["@odata.context"] = Value::String(c.context("users/$entity"));
    Ok(Reply::ok(v))
}

/// `GET /users/{id}/licenseDetails`: per SKU the user holds, each service plan and whether it
/// is on (https://learn.microsoft.com/en-us/graph/api/user-list-licensedetails).
pub fn license_details(t: &Tenant, c: &Call, id: &str) -> Result<Reply, GraphErrorReply> {
    let u = t.user_ix(id).ok_or_else(|| GraphErrorReply::not_found(id))?;
    // The same licenses as the user's assignedLicenses, read from the tenant rather than back
    // from their JSON.
    let value: Vec<Value> = crate::render::working_licenses(t, u)
        .into_iter()
        .map(|(sku, disabled)| {
            let rec = &t.skus[sku as usize];
            let plans: Vec<Value> = rec
                .plans
                .iter()
                .map(|&p| {
                    let status = if disabled.contains(&p) { "Disabled" } else { "Success" };
                    serde_json::json!({
                        "servicePlanId": t.plans.ids[p as usize],
                        "servicePlanName": t.plans.names[p as usize],
                        "provisioningStatus": status,
                        "appliesTo": "User",
                    })
                })
                .collect();
            serde_json::json!({
                "id": format!("{}_{}", t.users[u as usize].id, rec.sku_id),
                "skuId": rec.sku_id,
                "skuPartNumber": rec.part_number,
                "servicePlans": plans,
            })
        })
        .collect();
    Ok(Reply::ok(serde_json::json!({
        "@odata.context": c.context(&format!("users('{}')/licenseDetails", t.users[u as usize].id)),
        "value": value,
    })))
}

/// 200 OK with the user (<https://learn.microsoft.com/en-us/graph/api/user-reprocesslicenseassignment>).
pub fn reprocess(t: &mut Tenant, c: &Call, id: &str) -> Result<Reply, GraphErrorReply> {
    let u = t.user_ix(id).ok_or_else(|| GraphErrorReply::not_found(id))?;
    licensing::reprocess_user(t, u, c.now);
    let mut v = render(t, u, &Query::default());
    v["@odata.context"] = Value::String(c.context("users/$entity"));
    Ok(Reply::ok(v))
}

/// Both `addLicenses` and `removeLicenses` are required (possibly empty).
pub fn parse_body(c: &Call) -> Result<AssignLicenseBody, GraphErrorReply> {
    let v: Value = c.json_body()?;
    for field in ["addLicenses", "removeLicenses"] {
        if !v.get(field).is_some_and(Value::is_array) {
            return Err(GraphErrorReply::bad_request(format!(
                "Invalid value specified for property '{field}' of resource 'assignLicense'."
            )));
        }
    }
    serde_json::from_value(v).map_err(|e| GraphErrorReply::bad_request(format!("Invalid request body: {e}")))
}
