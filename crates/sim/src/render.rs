//! Users and groups as Graph's JSON, property by property, so `$select` builds only what was
//! asked for. Property names are Graph's (checked against the CSDL subset in
//! `docs/reference/graph-v1.0-licensing.csdl.xml`).
use crate::tenant::{EntryState, GroupIx, SkuIx, StoredLicense, Tenant, UserIx};
use serde_json::{json, Map, Value};

/// Returned when a user is read without `$select`
/// (<https://learn.microsoft.com/en-us/graph/api/user-list?view=graph-rest-1.0#optional-query-parameters>).
pub const USER_DEFAULT: &[&str] = &[
    "businessPhones",
    "displayName",
    "givenName",
    "jobTitle",
    "mail",
    "mobilePhone",
    "officeLocation",
    "preferredLanguage",
    "surname",
    "userPrincipalName",
    "id",
];

/// Real user properties the simulator does not model: selectable, always null.
const USER_NULL: &[&str] = &[
    "city",
    "companyName",
    "country",
    "createdDateTime",
    "employeeId",
    "onPremisesImmutableId",
    "onPremisesSyncEnabled",
    "userType",
    "mobilePhone",
    "officeLocation",
    "preferredLanguage",
];

/// Returned when a group is read without `$select`; `assignedLicenses`,
/// `licenseProcessingState` and `hasMembersWithLicenseErrors` are returned only on `$select`
/// (<https://learn.microsoft.com/en-us/graph/api/resources/group?view=graph-rest-1.0#properties>).
pub const GROUP_DEFAULT: &[&str] = &[
    "id",
    "createdDateTime",
    "description",
    "displayName",
    "groupTypes",
    "mail",
    "mailEnabled",
    "mailNickname",
    "membershipRule",
    "membershipRuleProcessingState",
    "onPremisesSyncEnabled",
    "securityEnabled",
    "visibility",
];

fn lic_json(t: &Tenant, l: &StoredLicense) -> Value {
    json!({ "disabledPlans": t.plan_ids(&l.disabled), "skuId": t.skus[l.sku as usize].sku_id })
}

/// One `assignedLicense` per SKU the user holds through a working assignment; a plan counts as
/// disabled only if every assignment of that SKU disables it.
pub fn assigned_licenses(t: &Tenant, u: UserIx) -> Value {
    let user = &t.users[u as usize];
    let working: Vec<&StoredLicense> = user
        .direct
        .iter()
        .chain(user.inherited.iter().filter(|g| g.error.is_none()).map(|g| &g.lic))
        .collect();
    let mut skus: Vec<SkuIx> = working.iter().map(|l| l.sku).collect();
    skus.sort_unstable();
    skus.dedup();
    let out: Vec<Value> = skus
        .iter()
        .map(|&s| {
            let mut disabled: Option<Vec<u16>> = None;
            for l in working.iter().filter(|l| l.sku == s) {
                disabled = Some(match disabled {
                    None => l.disabled.clone(),
                    Some(d) => d.into_iter().filter(|p| l.disabled.contains(p)).collect(),
                });
            }
            lic_json(t, &StoredLicense { sku: s, disabled: disabled.unwrap_or_default() })
        })
        .collect();
    Value::Array(out)
}

/// `licenseAssignmentStates`: one entry per direct license and per group that assigns one
/// (<https://learn.microsoft.com/en-us/graph/api/resources/licenseassignmentstate>).
pub fn assignment_states(t: &Tenant, u: UserIx) -> Value {
    let user = &t.users[u as usize];
    let mut out = Vec::new();
    for l in &user.direct {
        out.push(json!({
            "assignedByGroup": null,
            "state": "Active",
            "error": "None",
            "skuId": t.skus[l.sku as usize].sku_id,
            "disabledPlans": t.plan_ids(&l.disabled),
            "lastUpdatedDateTime": crate::wire::iso8601(user.direct_updated_ms),
        }));
    }
    for g in &user.inherited {
        let (state, error) = match (g.shown, g.error) {
            (Some(EntryState::ActiveWithError(e)), _) => ("ActiveWithError", e.as_str()),
            (Some(EntryState::Disabled), _) => ("Disabled", "None"),
            (None, Some(e)) => ("Error", e.as_str()),
            (None, None) => ("Active", "None"),
        };
        out.push(json!({
            "assignedByGroup": t.groups[g.group as usize].id,
            "state": state,
            "error": error,
            "skuId": t.skus[g.lic.sku as usize].sku_id,
            "disabledPlans": t.plan_ids(&g.lic.disabled),
            "lastUpdatedDateTime": crate::wire::iso8601(g.updated_ms),
        }));
    }
    Value::Array(out)
}

pub fn user_prop(t: &Tenant, u: UserIx, name: &str) -> Option<Value> {
    let user = &t.users[u as usize];
    let opt = |s: &Option<String>| s.clone().map_or(Value::Null, Value::String);
    Some(match name {
        "id" => Value::String(user.id.clone()),
        "userPrincipalName" => Value::String(user.upn.clone()),
        "displayName" => Value::String(user.display_name.clone()),
        "givenName" => opt(&user.given_name),
        "surname" => opt(&user.surname),
        "mail" => Value::String(user.upn.clone()),
        "jobTitle" => opt(&user.job_title),
        "department" => opt(&user.department),
        "usageLocation" => opt(&user.usage_location),
        "accountEnabled" => Value::Bool(user.account_enabled),
        "businessPhones" => json!([]),
        "assignedLicenses" => assigned_licenses(t, u),
        "licenseAssignmentStates" => assignment_states(t, u),
        "assignedPlans" => {
            let plans = t.enabled_plans(u);
            Value::Array(
                plans
                    .iter()
                    .map(|&p| json!({"capabilityStatus": "Enabled", "servicePlanId": t.plans.ids[p as usize], "service": t.plans.names[p as usize]}))
                    .collect(),
            )
        }
        n if USER_NULL.contains(&n) => Value::Null,
        _ => return None,
    })
}

pub fn is_user_prop(name: &str) -> bool {
    USER_DEFAULT.contains(&name)
        || USER_NULL.contains(&name)
        || matches!(
            name,
            "department"
                | "usageLocation"
                | "accountEnabled"
                | "assignedLicenses"
                | "licenseAssignmentStates"
                | "assignedPlans"
        )
}

pub fn group_prop(t: &Tenant, g: GroupIx, name: &str) -> Option<Value> {
    let group = &t.groups[g as usize];
    let dynamic = group.group_types.iter().any(|x| x == "DynamicMembership");
    Some(match name {
        "id" => Value::String(group.id.clone()),
        "displayName" => Value::String(group.display_name.clone()),
        "description" => group.description.clone().map_or(Value::Null, Value::String),
        "groupTypes" => json!(group.group_types),
        "membershipRule" => group.membership_rule.clone().map_or(Value::Null, Value::String),
        "membershipRuleProcessingState" => {
            if dynamic {
                json!("On")
            } else {
                Value::Null
            }
        }
        // Graph reports null, not false, for a cloud-only group.
        "onPremisesSyncEnabled" => {
            if group.on_premises_sync_enabled {
                json!(true)
            } else {
                Value::Null
            }
        }
        "mailEnabled" => json!(group.mail_enabled),
        "securityEnabled" => json!(group.security_enabled),
        "mail" | "mailNickname" | "createdDateTime" | "visibility" => Value::Null,
        "assignedLicenses" => Value::Array(group.licenses.iter().map(|l| lic_json(t, l)).collect()),
        "licenseProcessingState" => json!({ "state": group.processing.as_str() }),
        // Filter-only: "not returned" on GET or $select (group resource,
        // hasMembersWithLicenseErrors: "Supports $filter (eq). Not returned on $select"); see
        // routes/groups.rs for the filter.
        "hasMembersWithLicenseErrors" => return None,
        _ => return None,
    })
}

pub fn is_group_prop(name: &str) -> bool {
    GROUP_DEFAULT.contains(&name)
        || matches!(name, "assignedLicenses" | "licenseProcessingState" | "hasMembersWithLicenseErrors")
}

pub fn has_license_errors(t: &Tenant, g: GroupIx) -> bool {
    t.groups[g as usize].members.iter().any(|&u| member_has_error(t, g, u))
}

pub fn member_has_error(t: &Tenant, g: GroupIx, u: UserIx) -> bool {
    t.users[u as usize].inherited.iter().any(|x| x.group == g && x.error.is_some())
}

/// An object with the selected properties (always with `id`, as Graph does), else the defaults.
pub fn object(select: Option<&[String]>, defaults: &[&str], prop: impl Fn(&str) -> Option<Value>) -> Value {
    let mut m = Map::new();
    match select {
        Some(sel) => {
            for s in sel {
                if let Some(v) = prop(s) {
                    m.insert(s.clone(), v);
                }
            }
            if !m.contains_key("id") {
                m.insert("id".into(), prop("id").unwrap_or(Value::Null));
            }
        }
        None => {
            for s in defaults {
                if let Some(v) = prop(s) {
                    m.insert((*s).to_string(), v);
                }
            }
        }
    }
    Value::Object(m)
}
