//! `GET /users`, `GET /users/{id | userPrincipalName}`, `POST /users/{id}/assignLicense`.
//! <https://learn.microsoft.com/en-us/graph/api/user-list>,
//! <https://learn.microsoft.com/en-us/graph/api/user-get>,
//! <https://learn.microsoft.com/en-us/graph/api/user-assignlicense> (200 OK with the user).
use super::{page, select_context, Call, Reply};
use crate::licensing;
use crate::odata::{same_value, Clause, Query};
use crate::render::{is_user_prop, object, user_prop, USER_DEFAULT};
use crate::tenant::{Tenant, UserIx};
use crate::wire::ApiError;
use licswap_core::model::AssignLicenseBody;
use serde_json::Value;

pub fn render(t: &Tenant, u: UserIx, q: &Query) -> Value {
    object(q.select.as_deref(), USER_DEFAULT, |p| user_prop(t, u, p))
}

pub fn matches(t: &Tenant, u: UserIx, filter: &[Clause]) -> bool {
    filter.iter().all(|c| match c {
        Clause::HasSku(id) => {
            let user = &t.users[u as usize];
            user.direct
                .iter()
                .map(|l| l.sku)
                .chain(user.inherited.iter().filter(|g| g.error.is_none()).map(|g| g.lic.sku))
                .any(|s| t.skus[s as usize].sku_id.eq_ignore_ascii_case(id))
        }
        Clause::Eq(p, v) => user_prop(t, u, p).is_some_and(|x| same_value(&x, v)),
        Clause::In(p, vs) => user_prop(t, u, p).is_some_and(|x| vs.iter().any(|v| same_value(&x, v))),
    })
}

fn check_filter(filter: &[Clause]) -> Result<(), ApiError> {
    for c in filter {
        if let Clause::Eq(p, _) | Clause::In(p, _) = c {
            if !matches!(
                p.as_str(),
                "id" | "userPrincipalName"
                    | "displayName"
                    | "mail"
                    | "accountEnabled"
                    | "usageLocation"
                    | "department"
            ) {
                return Err(ApiError::new(400, "Request_UnsupportedQuery", format!("Unsupported or invalid query filter clause specified for property '{p}' of resource 'User'.")));
            }
        }
    }
    Ok(())
}

pub fn list(t: &Tenant, c: &Call) -> Result<Reply, ApiError> {
    let q = c.query()?;
    q.check_select("user", is_user_prop)?;
    check_filter(&q.filter)?;
    let ctx = c.context(&select_context("users", &q));
    Ok(page(c, &q, ctx, 0..t.users.len() as UserIx, |u| matches(t, u, &q.filter), |u| render(t, u, &q)))
}

pub fn get(t: &Tenant, c: &Call, id: &str) -> Result<Reply, ApiError> {
    let u = t.user_ix(id).ok_or_else(|| ApiError::not_found(id))?;
    get_one(t, c, u, "users/$entity")
}

pub fn get_one(t: &Tenant, c: &Call, u: UserIx, set: &str) -> Result<Reply, ApiError> {
    let q = c.query()?;
    q.check_select("user", is_user_prop)?;
    let mut v = render(t, u, &q);
    v["@odata.context"] = Value::String(c.context(set));
    Ok(Reply::ok(v))
}

pub fn assign_license(t: &mut Tenant, c: &Call, id: &str) -> Result<Reply, ApiError> {
    let u = t.user_ix(id).ok_or_else(|| ApiError::not_found(id))?;
    let body = parse_body(c)?;
    licensing::assign_user(t, u, &body, c.now)?;
    let mut v = render(t, u, &Query::default());
    v["@odata.context"] = Value::String(c.context("users/$entity"));
    Ok(Reply::ok(v))
}

/// `GET /users/{id}/licenseDetails`: per SKU the user holds, each service plan and whether it
/// is on (https://learn.microsoft.com/en-us/graph/api/user-list-licensedetails).
pub fn license_details(t: &Tenant, c: &Call, id: &str) -> Result<Reply, ApiError> {
    let u = t.user_ix(id).ok_or_else(|| ApiError::not_found(id))?;
    let assigned = crate::render::assigned_licenses(t, u);
    let value: Vec<Value> = assigned
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|l| {
            let sku = t.sku_ix(l["skuId"].as_str()?)?;
            let rec = &t.skus[sku as usize];
            let disabled: Vec<&str> =
                l["disabledPlans"].as_array()?.iter().filter_map(Value::as_str).collect();
            let plans: Vec<Value> = rec
                .plans
                .iter()
                .map(|&p| {
                    let pid = &t.plans.ids[p as usize];
                    let status = if disabled.contains(&pid.as_str()) { "Disabled" } else { "Success" };
                    serde_json::json!({
                        "servicePlanId": pid,
                        "servicePlanName": t.plans.names[p as usize],
                        "provisioningStatus": status,
                        "appliesTo": "User",
                    })
                })
                .collect();
            Some(serde_json::json!({
                "id": format!("{}_{}", t.users[u as usize].id, rec.sku_id),
                "skuId": rec.sku_id,
                "skuPartNumber": rec.part_number,
                "servicePlans": plans,
            }))
        })
        .collect();
    Ok(Reply::ok(serde_json::json!({
        "@odata.context": c.context(&format!("users('{}')/licenseDetails", t.users[u as usize].id)),
        "value": value,
    })))
}

/// 200 OK with the user (<https://learn.microsoft.com/en-us/graph/api/user-reprocesslicenseassignment>).
pub fn reprocess(t: &mut Tenant, c: &Call, id: &str) -> Result<Reply, ApiError> {
    let u = t.user_ix(id).ok_or_else(|| ApiError::not_found(id))?;
    licensing::reprocess_user(t, u, c.now);
    let mut v = render(t, u, &Query::default());
    v["@odata.context"] = Value::String(c.context("users/$entity"));
    Ok(Reply::ok(v))
}

/// Both `addLicenses` and `removeLicenses` are required (possibly empty).
pub fn parse_body(c: &Call) -> Result<AssignLicenseBody, ApiError> {
    let v: Value = c.json_body()?;
    for field in ["addLicenses", "removeLicenses"] {
        if !v.get(field).is_some_and(Value::is_array) {
            return Err(ApiError::bad_request(format!(
                "Invalid value specified for property '{field}' of resource 'assignLicense'."
            )));
        }
    }
    serde_json::from_value(v).map_err(|e| ApiError::bad_request(format!("Invalid request body: {e}")))
}
