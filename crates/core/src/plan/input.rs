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

    #[test]
    fn a_request_names_one_sku_or_a_bundle_on_each_side() {
        let one = parse_request(
            r#"{"source":"STANDARDPACK","target":"ENTERPRISEPACK","scope":{"kind":"allHolders"}}"#,
        )
        .unwrap();
        assert_eq!(
            (one.source.as_slice(), one.target.as_slice()),
            (&["STANDARDPACK".to_string()][..], &["ENTERPRISEPACK".to_string()][..])
        );
        // Written back as before bundles: a plain string per side.
        let json = serde_json::to_string(&one).unwrap();
        assert!(json.contains(r#""source":"STANDARDPACK","target":"ENTERPRISEPACK""#), "{json}");

        let bundle = parse_request(
            r#"{"source":["ENTERPRISEPACK","EMS"],"target":["SPE_E3"],"scope":{"kind":"groups","ids":["g1"]}}"#,
        )
        .unwrap();
        assert_eq!(bundle.source.as_slice(), ["ENTERPRISEPACK", "EMS"]);
        assert_eq!(bundle.target.as_slice(), ["SPE_E3"]);
        let again = parse_request(&serde_json::to_string(&bundle).unwrap()).unwrap();
        assert_eq!(again, bundle);
    }

    #[test]
    fn a_bad_bundle_says_which_side_and_what_is_wrong() {
        for (json, says) in [
            (r#"{"source":[],"target":"E3","scope":{"kind":"allHolders"}}"#, "source: an empty list"),
            (r#"{"source":"E1","target":["E3",5],"scope":{"kind":"allHolders"}}"#, "target"),
            (r#"{"source":["E1","e1"],"target":"E3","scope":{"kind":"allHolders"}}"#, "e1 is listed twice"),
            (r#"{"source":{"a":1},"target":"E3","scope":{"kind":"allHolders"}}"#, "source: invalid type"),
        ] {
            let err = parse_request(json).unwrap_err().to_string();
            assert!(err.starts_with("request: ") && err.contains(says), "{json}: {err}");
        }
    }
}
