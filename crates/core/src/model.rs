//! Microsoft Graph v1.0 wire types for license assignment, with Graph's own JSON field names
//! (checked against `docs/reference/graph-v1.0-licensing.csdl.xml`). Unknown fields are ignored;
//! a missing required field is a deserialization error naming the field.
//!
//! GUIDs are kept as strings, compared case-insensitively via [`same_id`]. The ids and codes that
//! every user repeats (SKU ids, group ids, error codes, usage locations) are [`SharedStr`]s: one
//! copy for the whole tenant.
pub use crate::shared_str::SharedStr;
use serde::{Deserialize, Serialize};

/// Same id, ASCII case-insensitively, with the common exact match first.
#[inline]
pub fn same_id(a: &str, b: &str) -> bool {
    a.len() == b.len() && (same_bytes(a, b) || a.eq_ignore_ascii_case(b))
}

/// `a == b`, eight bytes at a time: the size-optimized std compares slices a byte at a time,
/// which was a tenth of the planner's time in the page (ids are compared on every lookup).
#[inline]
pub fn same_bytes(a: &str, b: &str) -> bool {
    let (a, b) = (a.as_bytes(), b.as_bytes());
    if a.len() != b.len() {
        return false;
    }
    let (mut x, mut y) = (a.chunks_exact(8), b.chunks_exact(8));
    let word = |c: &[u8]| u64::from_le_bytes(c.try_into().expect("8 bytes"));
    (&mut x).zip(&mut y).all(|(p, q)| word(p) == word(q))
        && x.remainder().iter().zip(y.remainder()).all(|(p, q)| p == q)
}

/// Ids in the order of their lower-case spelling (what sorting by `to_ascii_lowercase` gave),
/// without making that spelling: for sorting thousands of ids read from Graph.
pub fn cmp_id(a: &str, b: &str) -> std::cmp::Ordering {
    a.bytes().map(|c| c.to_ascii_lowercase()).cmp(b.bytes().map(|c| c.to_ascii_lowercase()))
}

/// `a.cmp(b)` by bytes, eight at a time: the size-optimized std compares through a `memcmp` that
/// runs a byte at a time in wasm, and the planner sorts thousands of findings by their ids.
pub fn cmp_bytes(a: &str, b: &str) -> std::cmp::Ordering {
    let (a, b) = (a.as_bytes(), b.as_bytes());
    let (mut x, mut y) = (a.chunks_exact(8), b.chunks_exact(8));
    let word = |c: &[u8]| u64::from_be_bytes(c.try_into().expect("8 bytes"));
    for (p, q) in (&mut x).zip(&mut y) {
        // Words, not the slices: slice equality is the byte-at-a-time memcmp again.
        let (p, q) = (word(p), word(q));
        if p != q {
            return p.cmp(&q);
        }
    }
    // One of the two ran out of whole words: the rest is under 8 bytes on that side.
    let skip = a.len().min(b.len()) / 8 * 8;
    for (p, q) in a[skip..].iter().zip(&b[skip..]) {
        if p != q {
            return p.cmp(q);
        }
    }
    a.len().cmp(&b.len())
}

/// A JSON array as a `Vec` holding no spare room. serde_json does not know an array's length
/// before reading it, so a `Vec` grows as it reads and keeps room for at least four items: a user
/// with one license would carry three empty license states and three empty assigned licenses:
/// nearly half of a large tenant's memory (100,000 users decoded: 124 MB, 68 MB without).
fn exact_vec<'de, D: serde::Deserializer<'de>, T: Deserialize<'de>>(d: D) -> Result<Vec<T>, D::Error> {
    let mut v = Vec::<T>::deserialize(d)?;
    v.shrink_to_fit();
    Ok(v)
}

/// `subscribedSku` (GET /subscribedSkus).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SubscribedSku {
    #[serde(default)]
    pub id: Option<String>,
    pub sku_id: String,
    pub sku_part_number: String,
    #[serde(default)]
    pub applies_to: Option<String>,
    #[serde(default)]
    pub capability_status: Option<String>,
    #[serde(default)]
    pub consumed_units: i64,
    #[serde(default)]
    pub prepaid_units: LicenseUnitsDetail,
    #[serde(default)]
    pub service_plans: Vec<ServicePlanInfo>,
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct LicenseUnitsDetail {
    #[serde(default)]
    pub enabled: i64,
    #[serde(default)]
    pub locked_out: i64,
    #[serde(default)]
    pub suspended: i64,
    #[serde(default)]
    pub warning: i64,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ServicePlanInfo {
    pub service_plan_id: String,
    pub service_plan_name: String,
    #[serde(default)]
    pub provisioning_status: Option<String>,
    #[serde(default)]
    pub applies_to: Option<String>,
}

/// `assignedLicense`: a SKU on a user or group, with the service plans switched off.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AssignedLicense {
    pub sku_id: SharedStr,
    #[serde(default, deserialize_with = "exact_vec")]
    pub disabled_plans: Vec<String>,
}

/// `licenseAssignmentState`: one SKU on a user and where it comes from. `assigned_by_group` is
/// null for a direct assignment, else the id of the group it is inherited from.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct LicenseAssignmentState {
    pub sku_id: SharedStr,
    #[serde(default)]
    pub assigned_by_group: Option<SharedStr>,
    #[serde(default, deserialize_with = "exact_vec")]
    pub disabled_plans: Vec<String>,
    /// Graph: "None", "CountViolation", "MutuallyExclusiveViolation", "DependencyViolation",
    /// "ProhibitedInUsageLocationViolation", "UniquenessViolation", "Other".
    #[serde(default)]
    pub error: Option<SharedStr>,
    #[serde(default)]
    pub state: Option<LicenseState>,
    #[serde(default)]
    pub last_updated_date_time: Option<String>,
}

/// `licenseAssignmentState.state`: whether Graph has the license working for the user. Read and
/// written as Graph's own strings; a value this version does not know is kept as read in
/// [`LicenseState::Other`] and written back unchanged, so a snapshot or plan round-trips.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum LicenseState {
    /// The license works.
    Active,
    /// The license works and the entry carries an error code (`error`). Graph lists this state
    /// without saying when Entra uses it.
    ActiveWithError,
    /// The license does not work and the entry carries no error code. Graph lists this state
    /// without saying when Entra uses it.
    Disabled,
    /// The assignment failed; `error` says why.
    Error,
    /// Anything else Graph may send, spelled as Graph sent it.
    Other(String),
}

impl LicenseState {
    /// Graph's spelling.
    pub fn as_str(&self) -> &str {
        match self {
            LicenseState::Active => "Active",
            LicenseState::ActiveWithError => "ActiveWithError",
            LicenseState::Disabled => "Disabled",
            LicenseState::Error => "Error",
            LicenseState::Other(s) => s,
        }
    }

    /// Reads Graph's spelling exactly; anything else is [`LicenseState::Other`].
    pub fn parse(s: &str) -> Self {
        match s {
            "Active" => LicenseState::Active,
            "ActiveWithError" => LicenseState::ActiveWithError,
            "Disabled" => LicenseState::Disabled,
            "Error" => LicenseState::Error,
            other => LicenseState::Other(other.to_string()),
        }
    }

    /// "Error" in any letter case: Graph's enums are documented in one spelling, but licswap has
    /// always read this one without regard to case, so a differently cased value still counts.
    pub fn is_error(&self) -> bool {
        match self {
            LicenseState::Error => true,
            LicenseState::Other(s) => s.eq_ignore_ascii_case("Error"),
            _ => false,
        }
    }
}

impl From<&str> for LicenseState {
    fn from(s: &str) -> Self {
        LicenseState::parse(s)
    }
}

impl std::fmt::Display for LicenseState {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

impl Serialize for LicenseState {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for LicenseState {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        String::deserialize(deserializer).map(|s| LicenseState::parse(&s))
    }
}

impl LicenseAssignmentState {
    #[inline]
    pub fn is_direct(&self) -> bool {
        self.assigned_by_group.is_none()
    }

    /// An error state Graph reports (anything but "None"/absent).
    #[inline]
    pub fn error_code(&self) -> Option<&str> {
        self.error.as_deref().filter(|e| !e.is_empty() && *e != "None")
    }
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct User {
    pub id: String,
    #[serde(default)]
    pub user_principal_name: Option<String>,
    #[serde(default)]
    pub display_name: Option<String>,
    #[serde(default)]
    pub usage_location: Option<SharedStr>,
    #[serde(default)]
    pub account_enabled: Option<bool>,
    #[serde(default, deserialize_with = "exact_vec")]
    pub assigned_licenses: Vec<AssignedLicense>,
    #[serde(default, deserialize_with = "exact_vec")]
    pub license_assignment_states: Vec<LicenseAssignmentState>,
}

impl User {
    /// The best human name for messages: UPN, else display name, else id.
    #[inline]
    pub fn label(&self) -> &str {
        self.user_principal_name.as_deref().or(self.display_name.as_deref()).unwrap_or(&self.id)
    }
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Group {
    pub id: String,
    #[serde(default)]
    pub display_name: Option<String>,
    #[serde(default)]
    pub group_types: Vec<String>,
    #[serde(default)]
    pub membership_rule: Option<String>,
    #[serde(default)]
    pub on_premises_sync_enabled: Option<bool>,
    #[serde(default)]
    pub assigned_licenses: Vec<AssignedLicense>,
}

impl Group {
    pub fn is_dynamic(&self) -> bool {
        self.group_types.iter().any(|t| t == "DynamicMembership")
    }

    pub fn is_synced(&self) -> bool {
        self.on_premises_sync_enabled == Some(true)
    }

    #[inline]
    pub fn label(&self) -> &str {
        self.display_name.as_deref().unwrap_or(&self.id)
    }
}

/// The body of `POST /users/{id}/assignLicense` and `POST /groups/{id}/assignLicense`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AssignLicenseBody {
    pub add_licenses: Vec<AssignedLicense>,
    pub remove_licenses: Vec<String>,
}

/// A page of a collection: `{"value": [...], "@odata.nextLink": "..."}`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Page<T> {
    pub value: Vec<T>,
    #[serde(rename = "@odata.nextLink", default, skip_serializing_if = "Option::is_none")]
    pub next_link: Option<String>,
}

/// Graph's error body: `{"error":{"code":"...","message":"...","innerError":{...}}}`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ErrorBody {
    pub error: ErrorDetail,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ErrorDetail {
    pub code: String,
    pub message: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub inner_error: Option<InnerError>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub struct InnerError {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub request_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub date: Option<String>,
}

/// One request inside a JSON `$batch` (`POST /$batch`, at most 20).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct BatchRequestItem {
    pub id: String,
    pub method: String,
    /// Relative to the version root, e.g. `/users/{id}/assignLicense`.
    pub url: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub headers: Option<std::collections::BTreeMap<String, String>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub body: Option<serde_json::Value>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub depends_on: Option<Vec<String>>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct BatchRequest {
    pub requests: Vec<BatchRequestItem>,
}

/// One answer of a `$batch`. Its body stays JSON text until the caller reads it as its type: a
/// batch of pages holds up to twenty pages of 999 users, and a `serde_json::Value` of each would
/// take several times the text's memory on the way to the typed users.
#[derive(Debug, Serialize, Deserialize)]
pub struct BatchResponseItem {
    pub id: String,
    pub status: u16,
    #[serde(default)]
    pub headers: Option<std::collections::BTreeMap<String, String>>,
    #[serde(default)]
    pub body: Option<Box<serde_json::value::RawValue>>,
}

#[derive(Debug, Serialize, Deserialize)]
pub struct BatchResponse {
    pub responses: Vec<BatchResponseItem>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cmp_bytes_is_slice_order() {
        let ids =
            ["", "a", "abcdefgh", "abcdefgi", "abcdefghi", "abcdefghj", "Abcdefghi", "abcdefgh\u{e9}", "abcdefg"];
        for a in ids {
            for b in ids {
                assert_eq!(cmp_bytes(a, b), a.cmp(b), "{a:?} {b:?}");
            }
        }
    }

    /// `cmp_id` sorts as a key of the lower-case spelling did, `[`, `_` and `` ` `` (between the
    /// upper- and lower-case letters) included, and no two spellings of one id differ.
    #[test]
    fn cmp_id_is_the_order_of_the_lower_case_spelling() {
        let ids = ["", "a", "A", "ab", "aB", "_b", "[b", "`b", "Zb", "zb", "6FD2C87F", "6fd2c87f-b", "\u{e9}"];
        for a in ids {
            for b in ids {
                assert_eq!(cmp_id(a, b), a.to_ascii_lowercase().cmp(&b.to_ascii_lowercase()), "{a:?} {b:?}");
            }
        }
    }

    #[test]
    fn same_bytes_is_slice_equality() {
        let ids = ["", "a", "abcdefgh", "abcdefgi", "abcdefghi", "abcdefghj", "Abcdefghi", "abcdefgh\u{e9}"];
        for a in ids {
            for b in ids {
                assert_eq!(same_bytes(a, b), a == b, "{a:?} {b:?}");
            }
        }
    }

    /// A decoded user's lists hold exactly what was read: no spare room per user, which is what
    /// a tenant of 100,000 users in the page is mostly made of.
    #[test]
    fn decoded_lists_hold_no_spare_room() {
        let page: Page<User> = serde_json::from_str(
            r#"{"value":[{"id":"u1","assignedLicenses":[{"skuId":"s1","disabledPlans":["p1"]}],
                "licenseAssignmentStates":[{"skuId":"s1","disabledPlans":["p1","p2","p3","p4","p5"],"error":"None","state":"Active"}]}]}"#,
        )
        .unwrap();
        let u = &page.value[0];
        assert_eq!((u.assigned_licenses.len(), u.assigned_licenses.capacity()), (1, 1));
        assert_eq!((u.license_assignment_states.len(), u.license_assignment_states.capacity()), (1, 1));
        assert_eq!(u.assigned_licenses[0].disabled_plans.capacity(), 1);
        assert_eq!(u.license_assignment_states[0].disabled_plans.capacity(), 5);
    }

    /// Graph's four documented values and one it may add later read as themselves and write back
    /// byte for byte, alone and inside a license state; null and absent stay `None`.
    #[test]
    fn license_states_round_trip_as_graph_spells_them() {
        let cases = [
            ("Active", LicenseState::Active),
            ("ActiveWithError", LicenseState::ActiveWithError),
            ("Disabled", LicenseState::Disabled),
            ("Error", LicenseState::Error),
            ("PendingInput", LicenseState::Other("PendingInput".into())),
            ("active", LicenseState::Other("active".into())),
        ];
        for (text, state) in cases {
            let json = format!("\"{text}\"");
            assert_eq!(serde_json::from_str::<LicenseState>(&json).unwrap(), state, "{text}");
            assert_eq!(serde_json::to_string(&state).unwrap(), json, "{text}");
            assert_eq!(state.as_str(), text);
            let wire = format!(
                r#"{{"skuId":"s","assignedByGroup":null,"disabledPlans":[],"error":"None","state":"{text}","lastUpdatedDateTime":null}}"#
            );
            let read: LicenseAssignmentState = serde_json::from_str(&wire).unwrap();
            assert_eq!(read.state.as_ref(), Some(&state), "{text}");
            assert_eq!(serde_json::to_string(&read).unwrap(), wire, "{text}");
        }
        for wire in [r#"{"skuId":"s"}"#, r#"{"skuId":"s","state":null}"#] {
            let read: LicenseAssignmentState = serde_json::from_str(wire).unwrap();
            assert_eq!(read.state, None);
        }
        assert!(LicenseState::Error.is_error() && LicenseState::Other("ERROR".into()).is_error());
        assert!(!LicenseState::ActiveWithError.is_error() && !LicenseState::Active.is_error());
    }
}
