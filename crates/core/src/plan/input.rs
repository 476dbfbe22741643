//! Reading the planner's JSON inputs. Graph's own field names; unknown fields are ignored; a
//! missing or mistyped field is an error that names the field and the object it belongs to (e.g.
//! `snapshot: users[2]: missing field `id``).
use super::types::{PlanError, PlanRequest, Snapshot};
use serde::de::DeserializeOwned;

#[cfg(not(target_arch = "wasm32"))]
fn parse<T: DeserializeOwned>(what: &str, json: &str) -> Result<T, PlanError> {
    let de = &mut serde_json::Deserializer::from_str(json);
    serde_path_to_error::deserialize(de).map_err(|e| {
        let path = e.path().to_string();
        let inner = e.into_inner();
        if path.is_empty() || path == "." {
            PlanError::BadInput(format!("{what}: {inner}"))
        } else {
            PlanError::BadInput(format!("{what}: {path}: {inner}"))
        }
    })
}

/// On wasm32 (no serde_path_to_error there, see Cargo.toml) the error names the field and its
/// line and column instead of the object path.
#[cfg(target_arch = "wasm32")]
fn parse<T: DeserializeOwned>(what: &str, json: &str) -> Result<T, PlanError> {
    serde_json::from_str(json).map_err(|e| PlanError::BadInput(format!("{what}: {e}")))
}

/// A [`Snapshot`] from JSON.
pub fn parse_snapshot(json: &str) -> Result<Snapshot, PlanError> {
    parse("snapshot", json)
}

/// A [`PlanRequest`] from JSON.
pub fn parse_request(json: &str) -> Result<PlanRequest, PlanError> {
    parse("request", json)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_missing_field_names_the_field_and_the_object() {
        let json = r#"{"skus":[],"users":[{"id":"a"},{"userPrincipalName":"b@x"}],"extra":1}"#;
        let err = parse_snapshot(json).unwrap_err().to_string();
        assert!(err.contains("users[1]") && err.contains("`id`"), "{err}");
        let json = r#"{"skus":[{"skuId":"s","servicePlans":[]}],"users":[]}"#;
        let err = parse_snapshot(json).unwrap_err().to_string();
        assert!(err.contains("skus[0]") && err.contains("skuPartNumber"), "{err}");
    }

    #[test]
    fn unknown_fields_are_ignored_and_options_default() {
        let r =
            parse_request(r#"{"source":"E1","target":"E3","scope":{"kind":"allHolders"},"x":2}"#).unwrap();
        assert!(r.options.preserve_disabled_plans && r.options.waived_plans.is_empty());
        let err = parse_request(r#"{"source":"E1","scope":{"kind":"allHolders"}}"#).unwrap_err().to_string();
        assert!(err.contains("target"), "{err}");
    }
}
