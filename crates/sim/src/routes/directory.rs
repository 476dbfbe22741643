//! `GET /subscribedSkus` (https://learn.microsoft.com/en-us/graph/api/subscribedsku-list) and
//! `GET /organization`.
use super::{Call, Reply};
use crate::tenant::Tenant;
use crate::wire::ApiError;
use serde_json::{json, Value};

pub fn subscribed_skus(t: &Tenant, c: &Call) -> Result<Reply, ApiError> {
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
    Ok(Reply::ok(json!({ "@odata.context": c.context("subscribedSkus"), "value": value })))
}

pub fn organization(t: &Tenant, c: &Call) -> Result<Reply, ApiError> {
    Ok(Reply::ok(json!({
        "@odata.context": c.context("organization"),
        "value": [{
            "id": t.tenant_id,
            "displayName": t.name,
            "verifiedDomains": [{ "name": t.domain, "isDefault": true, "isInitial": true, "type": "Managed" }],
        }],
    })))
}
