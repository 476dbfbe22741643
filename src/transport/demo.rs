//! The demo tenant, in the page: requests are answered by an in-memory tenant, nothing leaves
//! the browser, no sign-in.
//!
//! TEMPORARY: until licswap-sim's `SimTransport` lands, this answers `/subscribedSkus` from the
//! core catalog so the screens can be built; everything else is a 501.
use licswap_core::catalog;
use licswap_core::graph::http::{HttpRequest, HttpResponse, TransportError};
use serde_json::json;

#[derive(Clone, Default)]
pub struct DemoTransport;

impl DemoTransport {
    pub fn new() -> Self {
        DemoTransport
    }

    pub async fn send(&self, req: HttpRequest) -> Result<HttpResponse, TransportError> {
        let path = req.url.split('?').next().unwrap_or("");
        let (status, body) = if path.ends_with("/subscribedSkus") {
            let skus: Vec<_> = ["STANDARDPACK", "ENTERPRISEPACK", "SPE_E3"]
                .iter()
                .filter_map(|p| catalog::sku(p))
                .enumerate()
                .map(|(i, s)| {
                    json!({"skuId": s.sku_id, "skuPartNumber": s.part_number, "appliesTo": "User",
                       "capabilityStatus": "Enabled", "consumedUnits": 40 - 15 * i as i64,
                       "prepaidUnits": {"enabled": 50, "lockedOut": 0, "suspended": 0, "warning": 0},
                       "servicePlans": s.plans.iter().map(|p| json!({"servicePlanId": p.id,
                          "servicePlanName": p.name, "provisioningStatus": "Success", "appliesTo": "User"}))
                          .collect::<Vec<_>>()})
                })
                .collect();
            (200, json!({ "value": skus }).to_string())
        } else {
            (501, json!({"error": {"code": "NotImplemented", "message": "demo tenant pending"}}).to_string())
        };
        Ok(HttpResponse { status, headers: vec![("Content-Type".into(), "application/json".into())], body })
    }
}
