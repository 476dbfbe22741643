//! Views of the simulator for tests and benchmarks: the tenant as licswap-core's planner input,
//! and the service losses in the license history.
use crate::licensing::HistoryEntry;
use crate::render;
use crate::sim::Sim;
use crate::tenant::{GroupIx, Tenant, UserIx};
use licswap_core::catalog;
use licswap_core::model::{Group, SubscribedSku, User};
use licswap_core::plan::{Snapshot, SnapshotGroup};
use serde_json::json;

/// A user who, at some moment, lost a service plan that no plan they kept covers.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ServiceLoss {
    pub at_ms: u64,
    pub user_id: String,
    pub user_principal_name: String,
    /// servicePlanNames lost.
    pub lost: Vec<String>,
}

/// Plans enabled before and not after, and not covered by any plan after (same name or a
/// catalog equivalent such as EXCHANGE_S_STANDARD -> EXCHANGE_S_ENTERPRISE).
pub fn losses_of(t: &Tenant, e: &HistoryEntry) -> Vec<String> {
    let name = |p: &u16| t.plans.names[*p as usize].as_str();
    e.plans_before
        .iter()
        .filter(|p| e.plans_after.binary_search(p).is_err())
        .filter(|p| !e.plans_after.iter().any(|a| catalog::equivalent(name(p), name(a))))
        .map(|p| name(p).to_string())
        .collect()
}

impl Sim {
    /// Every history entry in which a user lost a service.
    pub fn service_losses(&self) -> Vec<ServiceLoss> {
        let t = self.tenant();
        self.history()
            .iter()
            .filter_map(|e| {
                let lost = losses_of(t, e);
                (!lost.is_empty()).then(|| {
                    let u = &t.users[e.user as usize];
                    ServiceLoss {
                        at_ms: e.at_ms,
                        user_id: u.id.clone(),
                        user_principal_name: u.upn.clone(),
                        lost,
                    }
                })
            })
            .collect()
    }

    /// The whole tenant as the planner's input, built from the same JSON Graph would return.
    pub fn snapshot(&self) -> Snapshot {
        snapshot(self.tenant())
    }
}

pub fn snapshot(t: &Tenant) -> Snapshot {
    let skus = t
        .skus
        .iter()
        .map(|s| SubscribedSku {
            id: Some(format!("{}_{}", t.tenant_id, s.sku_id)),
            sku_id: s.sku_id.clone(),
            sku_part_number: s.part_number.clone(),
            applies_to: Some("User".into()),
            capability_status: Some("Enabled".into()),
            consumed_units: s.consumed,
            prepaid_units: licswap_core::model::LicenseUnitsDetail {
                enabled: s.prepaid_enabled,
                ..Default::default()
            },
            service_plans: s
                .plans
                .iter()
                .map(|&p| licswap_core::model::ServicePlanInfo {
                    service_plan_id: t.plans.ids[p as usize].clone(),
                    service_plan_name: t.plans.names[p as usize].clone(),
                    provisioning_status: Some("Success".into()),
                    applies_to: Some("User".into()),
                })
                .collect(),
        })
        .collect();
    let users = (0..t.users.len() as UserIx).map(|u| user(t, u)).collect();
    let groups = (0..t.groups.len() as GroupIx)
        .map(|g| {
            let rec = &t.groups[g as usize];
            let v = json!({
                "id": rec.id,
                "displayName": rec.display_name,
                "groupTypes": rec.group_types,
                "membershipRule": rec.membership_rule,
                "onPremisesSyncEnabled": render::group_prop(t, g, "onPremisesSyncEnabled"),
                "assignedLicenses": render::group_prop(t, g, "assignedLicenses"),
            });
            SnapshotGroup {
                group: serde_json::from_value::<Group>(v).expect("group JSON matches the wire model"),
                member_ids: rec.members.iter().map(|&u| t.users[u as usize].id.clone()).collect(),
            }
        })
        .collect();
    Snapshot { tenant_name: Some(t.name.clone()), skus, users, groups }
}

/// One user as the wire model, from the JSON Graph returns for it.
pub fn user(t: &Tenant, u: UserIx) -> User {
    let v = json!({
        "id": t.users[u as usize].id,
        "userPrincipalName": t.users[u as usize].upn,
        "displayName": t.users[u as usize].display_name,
        "usageLocation": t.users[u as usize].usage_location,
        "accountEnabled": t.users[u as usize].account_enabled,
        "assignedLicenses": render::assigned_licenses(t, u),
        "licenseAssignmentStates": render::assignment_states(t, u),
    });
    serde_json::from_value(v).expect("user JSON matches the wire model")
}

/// A history entry in names: ids, part numbers and plan names instead of indexes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Change {
    pub at_ms: u64,
    pub user_id: String,
    pub user_principal_name: String,
    pub skus_before: Vec<String>,
    pub skus_after: Vec<String>,
    pub plans_before: Vec<String>,
    pub plans_after: Vec<String>,
}

impl Sim {
    /// Every license change so far, in names.
    pub fn changes(&self) -> Vec<Change> {
        let t = self.tenant();
        let skus = |v: &[u16]| v.iter().map(|&s| t.skus[s as usize].part_number.clone()).collect();
        let plans = |v: &[u16]| v.iter().map(|&p| t.plans.names[p as usize].clone()).collect();
        self.history()
            .iter()
            .map(|e| Change {
                at_ms: e.at_ms,
                user_id: t.users[e.user as usize].id.clone(),
                user_principal_name: t.users[e.user as usize].upn.clone(),
                skus_before: skus(&e.skus_before),
                skus_after: skus(&e.skus_after),
                plans_before: plans(&e.plans_before),
                plans_after: plans(&e.plans_after),
            })
            .collect()
    }
}
