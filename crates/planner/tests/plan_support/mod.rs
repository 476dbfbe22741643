//! Small Graph-shaped fixtures for the planner tests: JSON as Graph returns it, parsed with the
//! planner's own reader, with real skuIds and servicePlanIds from the built-in catalog.
#![allow(dead_code)]
use licswap_core::catalog;
use licswap_core::plan::{self, Plan, PlanOptions, PlanRequest, Scope, Snapshot};
use serde_json::{json, Value};

pub fn sku_id(part: &str) -> &'static str {
    catalog::sku(part).unwrap_or_else(|| panic!("{part} in catalog")).sku_id
}

pub fn plan_id(name: &str) -> &'static str {
    catalog::plan_by_name(name).unwrap_or_else(|| panic!("{name} in catalog")).id
}

fn ids(names: &[&str]) -> Vec<&'static str> {
    names.iter().map(|n| plan_id(n)).collect()
}

/// A `subscribedSku` with the catalog's plans.
pub fn sku(part: &str, enabled: i64, consumed: i64) -> Value {
    let d = catalog::sku(part).unwrap();
    let plans: Vec<Value> = d
        .plans
        .iter()
        .map(|p| json!({"servicePlanId": p.id, "servicePlanName": p.name, "provisioningStatus": "Success", "appliesTo": "User"}))
        .collect();
    json!({"skuId": d.sku_id, "skuPartNumber": d.part_number, "consumedUnits": consumed, "capabilityStatus": "Enabled",
           "prepaidUnits": {"enabled": enabled, "suspended": 0, "warning": 0, "lockedOut": 0}, "servicePlans": plans})
}

/// A direct `licenseAssignmentState`.
pub fn direct(part: &str, disabled: &[&str]) -> Value {
    json!({"skuId": sku_id(part), "assignedByGroup": null, "disabledPlans": ids(disabled), "error": "None", "state": "Active"})
}

/// An inherited `licenseAssignmentState`.
pub fn inherited(part: &str, group: &str, disabled: &[&str]) -> Value {
    json!({"skuId": sku_id(part), "assignedByGroup": group, "disabledPlans": ids(disabled), "error": "None", "state": "Active"})
}

/// An `assignedLicense` (for groups).
pub fn lic(part: &str, disabled: &[&str]) -> Value {
    json!({"skuId": sku_id(part), "disabledPlans": ids(disabled)})
}

/// A user with `licenseAssignmentStates` and the `assignedLicenses` Graph derives from them (one per
/// SKU; a plan is disabled only if every assignment of the SKU disables it).
pub fn user(id: &str, states: Vec<Value>) -> Value {
    let mut assigned: Vec<(String, Vec<String>)> = Vec::new();
    for s in &states {
        let sku = s["skuId"].as_str().unwrap().to_string();
        let dis: Vec<String> =
            s["disabledPlans"].as_array().unwrap().iter().map(|v| v.as_str().unwrap().to_string()).collect();
        match assigned.iter_mut().find(|(k, _)| *k == sku) {
            Some((_, d)) => d.retain(|p| dis.contains(p)),
            None => assigned.push((sku, dis)),
        }
    }
    let assigned: Vec<Value> =
        assigned.into_iter().map(|(k, d)| json!({"skuId": k, "disabledPlans": d})).collect();
    json!({"id": id, "userPrincipalName": format!("{id}@contoso.example"), "displayName": id.to_uppercase(),
           "usageLocation": "US", "accountEnabled": true, "assignedLicenses": assigned, "licenseAssignmentStates": states})
}

pub fn group(id: &str, licenses: Vec<Value>, members: &[&str]) -> Value {
    json!({"id": id, "displayName": format!("Group {id}"), "groupTypes": [], "membershipRule": null,
           "onPremisesSyncEnabled": null, "assignedLicenses": licenses, "memberIds": members})
}

pub fn snapshot(skus: Vec<Value>, users: Vec<Value>, groups: Vec<Value>) -> Snapshot {
    let v = json!({"tenantName": "Contoso", "skus": skus, "users": users, "groups": groups});
    plan::parse_snapshot(&v.to_string()).expect("fixture parses")
}

pub fn request(src: &str, tgt: &str, scope: Scope) -> PlanRequest {
    PlanRequest { source: src.into(), target: tgt.into(), scope, options: PlanOptions::default() }
}

pub fn all(src: &str, tgt: &str) -> PlanRequest {
    request(src, tgt, Scope::AllHolders)
}

pub fn run(s: &Snapshot, r: &PlanRequest) -> Plan {
    licswap_planner::plan(s, r).expect("plans")
}

pub fn codes(p: &Plan) -> Vec<(plan::FindingCode, plan::Severity, String)> {
    p.findings.iter().map(|f| (f.code, f.severity, f.subject.id.clone())).collect()
}

pub fn has(p: &Plan, code: plan::FindingCode, sev: plan::Severity, subject: &str) -> bool {
    p.findings.iter().any(|f| f.code == code && f.severity == sev && f.subject.id == subject)
}

pub fn action<'p>(p: &'p Plan, id: &str) -> Option<&'p plan::Action> {
    p.actions().find(|a| a.id == id)
}
