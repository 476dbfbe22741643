//! `GET /subscribedSkus` (<https://learn.microsoft.com/en-us/graph/api/subscribedsku-list>) and
//! `GET /organization`.
use super::{Call, Reply};
use crate::tenant::Tenant;
use crate::wire::GraphErrorReply;
use serde_json::{json, Value};

const SKU_PROPS: &[&str] = &[
    "accountId",
    "accountName",
    "appliesTo",
    "capabilityStatus",
    "consumedUnits",
    "id",
    "prepaidUnits",
    "servicePlans",
    "skuId",
    "skuPartNumber",
    "subscriptionIds",
];

const ORG_PROPS: &[&str] = &["id", "displayName", "verifiedDomains", "countryLetterCode", "tenantType"];

/// Keep only the `$select`ed properties (and `id`), after checking they exist.
fn select(
    c: &Call,
    type_name: &str,
    known: &[&str],
    objects: Vec<Value>,
) -> Result<Vec<Value>, GraphErrorReply> {
    let q = c.query()?;
    q.check_select(type_name, |p| known.contains(&p))?;
    let Some(sel) = q.select else { return Ok(objects) };
    Ok(objects
        .into_iter()
        .map(|mut o| {
            if let Value::Object(m) = &mut o {
                m.retain(|k, _| k == "id" || sel.iter().any(|s| s == k));
            }
            o
        })
        .collect())
}

pub fn subscribed_skus(t: &Tenant, c: &Call) -> Result<Reply, GraphErrorReply> {
    let value: Vec<Value> = t
        .skus
        .iter()
        .map(|s| {
            json!({
                "accountId": t.tenant_id,
                "accountName": t.name,
                "appliesTo": "User",
                "capabilityStatus": "Enabled",
                "consumedUnits": s.consumed,
                // Graph's subscribedSku id is "{tenantId}_{skuId}".
                "id": format!("{}_{}", t.tenant_id, s.sku_id),
                "skuId": s.sku_id,
                "skuPartNumber": s.part_number,
                "subscriptionIds": [],
                "prepaidUnits": { "enabled": s.prepaid_enabled, "suspended": 0, "warning": s.prepaid_warning, "lockedOut": 0 },
                "servicePlans": s.plans.iter().map(|&p| json!({
                    "servicePlanId": t.plans.ids[p as usize],
                    "servicePlanName": t.plans.names[p as usize],
                    "provisioningStatus": "Success",
                    "appliesTo": "User",
                })).collect::<Vec<_>>(),
            })
        })
        .collect();
    let value = select(c, "subscribedSku", SKU_PROPS, value)?;
    Ok(Reply::ok(json!({ "@odata.context": c.context("subscribedSkus"), "value": value })))
}

pub fn organization(t: &Tenant, c: &Call) -> Result<Reply, GraphErrorReply> {
    let org = json!({
        "id": t.tenant_id,
        "displayName": t.name,
        "countryLetterCode": "US",
        "tenantType": "AAD",
        "verifiedDomains": [{ "name": t.domain, "isDefault": true, "isInitial": true, "type": "Managed" }],
    });
    let value = select(c, "organization", ORG_PROPS, vec![org])?;
    Ok(Reply::ok(json!({ "@odata.context": c.context("organization"), "value": value })))
}
