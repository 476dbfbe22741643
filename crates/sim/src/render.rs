//! Users and groups as Graph's JSON, property by property, so `$select` builds only what was
//! asked for. Property names are Graph's (checked against the CSDL subset in
//! `docs/reference/graph-v1.0-licensing.csdl.xml`).
use crate::tenant::{EntryState, GroupIx, PlanIx, SkuIx, Tenant, UserIx};
use serde::ser::{SerializeMap, Serializer};
use serde::Serialize;
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

/// Service plan ids as a JSON array of strings, written from the tenant's table.
struct PlanIds<'a>(&'a Tenant, &'a [PlanIx]);

impl Serialize for PlanIds<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_seq(self.1.iter().map(|&p| self.0.plans.ids[p as usize].as_str()))
    }
}

/// One `assignedLicense`. Fields in the order a `Value` map writes them (sorted), so a user
/// written as text and one built as a value read the same.
#[derive(Serialize)]
struct AssignedLicense<'a> {
    #[serde(rename = "disabledPlans")]
    disabled_plans: PlanIds<'a>,
    #[serde(rename = "skuId")]
    sku_id: &'a str,
}

impl<'a> AssignedLicense<'a> {
    fn of(t: &'a Tenant, sku: SkuIx, disabled: &'a [PlanIx]) -> Self {
        AssignedLicense { disabled_plans: PlanIds(t, disabled), sku_id: &t.skus[sku as usize].sku_id }
    }
}

/// The SKUs a user holds through a working assignment, each with the plans disabled in every
/// assignment of it (a plan counts as disabled only if every assignment of that SKU disables it).
pub(crate) fn working_licenses(t: &Tenant, u: UserIx) -> Vec<(SkuIx, Vec<PlanIx>)> {
    let user = &t.users[u as usize];
    let working =
        || user.direct.iter().chain(user.inherited.iter().filter(|g| g.error.is_none()).map(|g| &g.lic));
    let mut skus: Vec<SkuIx> = working().map(|l| l.sku).collect();
    skus.sort_unstable();
    skus.dedup();
    skus.iter()
        .map(|&s| {
            let mut disabled: Option<Vec<PlanIx>> = None;
            for l in working().filter(|l| l.sku == s) {
                disabled = Some(match disabled {
                    None => l.disabled.clone(),
                    Some(d) => d.into_iter().filter(|p| l.disabled.contains(p)).collect(),
                });
            }
            (s, disabled.unwrap_or_default())
        })
        .collect()
}

struct AssignedLicenses<'a>(&'a Tenant, UserIx);

impl Serialize for AssignedLicenses<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let t = self.0;
        let held = working_licenses(t, self.1);
        s.collect_seq(held.iter().map(|(sku, disabled)| AssignedLicense::of(t, *sku, disabled)))
    }
}

/// One `assignedLicense` per SKU the user holds through a working assignment; a plan counts as
/// disabled only if every assignment of that SKU disables it.
pub fn assigned_licenses(t: &Tenant, u: UserIx) -> Value {
    to_value(AssignedLicenses(t, u))
}

/// One `licenseAssignmentState`, fields sorted as a `Value` map writes them.
#[derive(Serialize)]
struct AssignmentState<'a> {
    #[serde(rename = "assignedByGroup")]
    assigned_by_group: Option<&'a str>,
    #[serde(rename = "disabledPlans")]
    disabled_plans: PlanIds<'a>,
    error: &'a str,
    #[serde(rename = "lastUpdatedDateTime")]
    last_updated: String,
    #[serde(rename = "skuId")]
    sku_id: &'a str,
    state: &'a str,
}

struct AssignmentStates<'a>(&'a Tenant, UserIx);

impl Serialize for AssignmentStates<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let (t, user) = (self.0, &self.0.users[self.1 as usize]);
        let direct = user.direct.iter().map(|l| AssignmentState {
            assigned_by_group: None,
            disabled_plans: PlanIds(t, &l.disabled),
            error: "None",
            last_updated: crate::wire::iso8601(user.direct_updated_ms),
            sku_id: &t.skus[l.sku as usize].sku_id,
            state: "Active",
        });
        let inherited = user.inherited.iter().map(|g| {
            let (state, error) = match (g.shown, g.error) {
                (Some(EntryState::ActiveWithError(e)), _) => ("ActiveWithError", e.as_str()),
                (Some(EntryState::Disabled), _) => ("Disabled", "None"),
                (None, Some(e)) => ("Error", e.as_str()),
                (None, None) => ("Active", "None"),
            };
            AssignmentState {
                assigned_by_group: Some(&t.groups[g.group as usize].id),
                disabled_plans: PlanIds(t, &g.lic.disabled),
                error,
                last_updated: crate::wire::iso8601(g.updated_ms),
                sku_id: &t.skus[g.lic.sku as usize].sku_id,
                state,
            }
        });
        s.collect_seq(direct.chain(inherited))
    }
}

/// `licenseAssignmentStates`: one entry per direct license and per group that assigns one
/// (<https://learn.microsoft.com/en-us/graph/api/resources/licenseassignmentstate>).
pub fn assignment_states(t: &Tenant, u: UserIx) -> Value {
    to_value(AssignmentStates(t, u))
}

/// One `assignedPlan`, fields sorted as a `Value` map writes them.
#[derive(Serialize)]
struct AssignedPlan<'a> {
    #[serde(rename = "capabilityStatus")]
    capability_status: &'a str,
    service: &'a str,
    #[serde(rename = "servicePlanId")]
    service_plan_id: &'a str,
}

/// A user property as the tenant holds it, borrowed: written as JSON text for a page of users
/// (`UserJson`), or built as a `Value` for one user and for filters (`user_prop`). One list of
/// properties serves both.
enum UserProp<'a> {
    Str(&'a str),
    OptStr(Option<&'a str>),
    Bool(bool),
    NoPhones,
    Null,
    Licenses,
    States,
    Plans,
}

fn user_prop_ref<'a>(t: &'a Tenant, u: UserIx, name: &str) -> Option<UserProp<'a>> {
    let user = &t.users[u as usize];
    let opt = |s: &'a Option<String>| UserProp::OptStr(s.as_deref());
    Some(match name {
        "id" => UserProp::Str(&user.id),
        "userPrincipalName" | "mail" => UserProp::Str(&user.upn),
        "displayName" => UserProp::Str(&user.display_name),
        "givenName" => opt(&user.given_name),
        "surname" => opt(&user.surname),
        "jobTitle" => opt(&user.job_title),
        "department" => opt(&user.department),
        "usageLocation" => opt(&user.usage_location),
        "accountEnabled" => UserProp::Bool(user.account_enabled),
        "businessPhones" => UserProp::NoPhones,
        "assignedLicenses" => UserProp::Licenses,
        "licenseAssignmentStates" => UserProp::States,
        "assignedPlans" => UserProp::Plans,
        n if USER_NULL.contains(&n) => UserProp::Null,
        _ => return None,
    })
}

/// One property of one user, serializable.
struct PropJson<'a>(&'a Tenant, UserIx, UserProp<'a>);

impl Serialize for PropJson<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let (t, u) = (self.0, self.1);
        match &self.2 {
            UserProp::Str(v) => s.serialize_str(v),
            UserProp::OptStr(v) => v.serialize(s),
            UserProp::Bool(b) => s.serialize_bool(*b),
            UserProp::NoPhones => s.collect_seq(std::iter::empty::<&str>()),
            UserProp::Null => s.serialize_unit(),
            UserProp::Licenses => AssignedLicenses(t, u).serialize(s),
            UserProp::States => AssignmentStates(t, u).serialize(s),
            UserProp::Plans => s.collect_seq(t.enabled_plans(u).iter().map(|&p| AssignedPlan {
                capability_status: "Enabled",
                service: &t.plans.names[p as usize],
                service_plan_id: &t.plans.ids[p as usize],
            })),
        }
    }
}

pub fn user_prop(t: &Tenant, u: UserIx, name: &str) -> Option<Value> {
    user_prop_ref(t, u, name).map(|p| to_value(PropJson(t, u, p)))
}

/// A user as Graph writes it, straight to JSON text: the selected properties or the defaults
/// (`USER_DEFAULT`, from user-list's "Optional query parameters"), as [`object`] builds them,
/// optionally typed (`@odata.type` in a list of directory objects, as in group-list-members'
/// example response, <https://learn.microsoft.com/graph/api/group-list-members>). `id` is written
/// even when not selected, as `object` always has: Microsoft's `$select` page
/// (<https://learn.microsoft.com/graph/query-parameters#select>) does not say whether Graph adds
/// it, and licswap always selects it, so the app works either way. Properties come in the order
/// asked (Graph's examples use their own order; member order carries no meaning in JSON). A page
/// of 999 users built as `Value`s first cost most of the simulator's time in a large read.
pub struct UserJson<'a> {
    pub t: &'a Tenant,
    pub u: UserIx,
    pub select: Option<&'a [String]>,
    pub odata_type: Option<&'static str>,
}

impl Serialize for UserJson<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let (t, u) = (self.t, self.u);
        let mut m = s.serialize_map(None)?;
        if let Some(ty) = self.odata_type {
            m.serialize_entry("@odata.type", ty)?;
        }
        let mut entry = |name: &str| match user_prop_ref(t, u, name) {
            Some(p) => m.serialize_entry(name, &PropJson(t, u, p)),
            None => Ok(()),
        };
        match self.select {
            Some(sel) => {
                // A property selected twice is written once, as a map keeps it.
                for (i, name) in sel.iter().enumerate() {
                    if !sel[..i].contains(name) {
                        entry(name)?;
                    }
                }
                if !sel.iter().any(|n| n == "id") {
                    entry("id")?;
                }
            }
            None => USER_DEFAULT.iter().try_for_each(|name| entry(name))?,
        }
        m.end()
    }
}

/// A value of a type whose serialization cannot fail (no map with non-string keys).
pub(crate) fn to_value(v: impl Serialize) -> Value {
    serde_json::to_value(v).unwrap_or(Value::Null)
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
        "assignedLicenses" => to_value(
            group.licenses.iter().map(|l| AssignedLicense::of(t, l.sku, &l.disabled)).collect::<Vec<_>>(),
        ),
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

#[cfg(test)]
mod tests {
    use super::*;

    /// A user written as text reads as the same JSON as the user built property by property
    /// into a map: for the defaults, a selection without `id`, and one naming a property twice
    /// or naming one the simulator does not know.
    #[test]
    fn a_user_written_as_text_is_the_user_built_as_a_value() {
        let t = crate::fixtures::demo();
        let selects: [Option<&[&str]>; 4] = [
            None,
            Some(&["displayName", "assignedLicenses", "licenseAssignmentStates", "assignedPlans"]),
            Some(&["id", "mail", "id", "accountEnabled", "usageLocation", "businessPhones", "city"]),
            Some(&["userPrincipalName", "noSuchProperty"]),
        ];
        let users_with_states = (0..t.users.len() as UserIx)
            .filter(|&u| !t.users[u as usize].inherited.is_empty() && !t.users[u as usize].direct.is_empty())
            .count();
        assert!(users_with_states > 0, "the demo tenant has users holding licenses both ways");
        for sel in selects {
            let sel: Option<Vec<String>> = sel.map(|s| s.iter().map(|p| p.to_string()).collect());
            for u in 0..t.users.len() as UserIx {
                let built = object(sel.as_deref(), USER_DEFAULT, |p| user_prop(&t, u, p));
                let json = UserJson { t: &t, u, select: sel.as_deref(), odata_type: None };
                let written: Value = serde_json::from_str(&serde_json::to_string(&json).unwrap()).unwrap();
                assert_eq!(written, built, "user {u}, select {sel:?}");
            }
        }
    }
}
