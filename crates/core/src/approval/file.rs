//! The approved preview: a shared preview plus the approvals of its plan, as a `.json` file (the
//! approvals readable as they are, for a change ticket) or a link (`#/approved/a1.…`).
//!
//! File form:
//! ```json
//! { "licswapApproved": 1,
//!   "digest": "7KQ2-M9XD", "digestSha256": "<64 hex>",
//!   "approvals": [ { "name", "role", "comment", "at", "digest", "prev", "seal" }, … ],
//!   "preview": "v1.…" }
//! ```
//! `preview` is the shared preview's text form (its own checksum, compression and version); the
//! digest is recomputed from the plan inside it when the file is opened, never trusted.
//! Link form: `#/approved/a1.` + base64url (no padding) of raw DEFLATE of the file's JSON.
use super::chain::{verify_chain, Approval, ChainError};
use super::digest::{plan_digest, PlanDigest};
use crate::share::{self, ShareError, SharedPreview, MAX_ENCODED_LEN};
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use serde::{Deserialize, Serialize};

pub const APPROVED_VERSION: u32 = 1;
const LINK_PREFIX: &str = "a1.";
const LINK_ROUTE: &str = "#/approved/";

/// The file's JSON.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ApprovedPreview {
    pub licswap_approved: u32,
    pub digest: String,
    pub digest_sha256: String,
    pub approvals: Vec<Approval>,
    pub preview: String,
}

/// A preview as opened: plain or approved, with the digest recomputed and the chain checked.
#[derive(Clone, Debug, PartialEq)]
pub struct Opened {
    pub preview: SharedPreview,
    /// The preview's text form (to carry it on with a new approval).
    pub encoded: String,
    pub digest: PlanDigest,
    pub approvals: Vec<Approval>,
    /// Why the approvals do not hold, when they do not (the plan is still shown).
    pub chain_error: Option<ChainError>,
}

impl Opened {
    /// Approved by at least one person, and nothing was changed since.
    pub fn is_approved(&self) -> bool {
        !self.approvals.is_empty() && self.chain_error.is_none()
    }

    fn plain(encoded: &str) -> Result<Opened, ShareError> {
        let preview = share::decode(encoded)?;
        let digest = plan_digest(&preview.plan);
        Ok(Opened {
            preview,
            encoded: encoded.trim().to_string(),
            digest,
            approvals: Vec::new(),
            chain_error: None,
        })
    }

    /// The approved-preview file of this plan with `approvals`.
    pub fn to_file_with(&self, approvals: Vec<Approval>) -> ApprovedPreview {
        ApprovedPreview {
            licswap_approved: APPROVED_VERSION,
            digest: self.digest.short.clone(),
            digest_sha256: self.digest.sha256.clone(),
            approvals,
            preview: self.encoded.clone(),
        }
    }
}

impl ApprovedPreview {
    pub fn to_json(&self) -> String {
        serde_json::to_string_pretty(self).unwrap_or_default()
    }

    /// `{base}#/approved/a1.…`.
    pub fn to_link(&self, base_url: &str) -> String {
        let base = base_url.split('#').next().unwrap_or(base_url);
        let json = serde_json::to_vec(self).unwrap_or_default();
        let packed = URL_SAFE_NO_PAD.encode(miniz_oxide::deflate::compress_to_vec(&json, 8));
        format!("{base}{LINK_ROUTE}{LINK_PREFIX}{packed}")
    }

    /// Opens the preview inside and checks the approvals against the plan it really holds.
    pub fn open(&self) -> Result<Opened, ShareError> {
        if self.licswap_approved != APPROVED_VERSION {
            return Err(ShareError::UnknownVersion(format!(
                "approved preview format {}",
                self.licswap_approved
            )));
        }
        let mut opened = Opened::plain(&self.preview)?;
        opened.approvals = self.approvals.clone();
        opened.chain_error = if opened.digest.matches(&self.digest_sha256) {
            verify_chain(&opened.digest, &self.approvals).err()
        } else {
            // The plan inside is not the one the file names: say which approval that voids.
            let name = self.approvals.first().map(|a| a.name.clone()).unwrap_or_default();
            Some(ChainError::OtherPlan { index: 0, name })
        };
        Ok(opened)
    }
}

fn parse_file(json: &str) -> Result<ApprovedPreview, ShareError> {
    serde_json::from_str(json.trim_start_matches('\u{feff}'))
        .map_err(|e| ShareError::BadFile(format!("an approved preview file is not valid ({e})")))
}

/// The encoded part after `#/approved/`, opened.
pub fn decode_link(encoded: &str) -> Result<Opened, ShareError> {
    let text: String = encoded.chars().filter(|c| !c.is_ascii_whitespace()).collect();
    if text.len() > MAX_ENCODED_LEN {
        return Err(ShareError::TooLarge { limit: MAX_ENCODED_LEN });
    }
    let Some(body) = text.strip_prefix(LINK_PREFIX) else {
        let version = text.split('.').next().filter(|v| v.len() <= 8).unwrap_or("none");
        return Err(ShareError::UnknownVersion(version.to_string()));
    };
    let bytes = URL_SAFE_NO_PAD
        .decode(body.trim_end_matches('='))
        .map_err(|e| ShareError::BadBase64(e.to_string()))?;
    let json = miniz_oxide::inflate::decompress_to_vec_with_limit(&bytes, share::DEFAULT_MAX_DECOMPRESSED)
        .map_err(|_| ShareError::Altered("the compressed data is corrupt or too large".into()))?;
    let text = String::from_utf8(json).map_err(|_| ShareError::Altered("not text".into()))?;
    parse_file(&text)?.open()
}

/// Whatever was pasted or dropped: an approved file or link, or a plain preview (file, link or
/// text form), which opens with no approvals.
pub fn decode_any(input: &str) -> Result<Opened, ShareError> {
    let input = input.trim();
    if input.len() > MAX_ENCODED_LEN + 1024 {
        return Err(ShareError::TooLarge { limit: MAX_ENCODED_LEN });
    }
    if input.starts_with('{') || input.starts_with('\u{feff}') {
        let value: serde_json::Value = serde_json::from_str(input.trim_start_matches('\u{feff}'))
            .map_err(|e| ShareError::BadFile(format!("not JSON ({e})")))?;
        if value.get("licswapApproved").is_some() {
            return parse_file(input)?.open();
        }
        let preview = share::decode_file(input)?;
        let encoded = value.get("data").and_then(|d| d.as_str()).unwrap_or_default().to_string();
        let digest = plan_digest(&preview.plan);
        return Ok(Opened { preview, encoded, digest, approvals: Vec::new(), chain_error: None });
    }
    if let Some((_, rest)) = input.split_once(LINK_ROUTE) {
        return decode_link(rest);
    }
    match share::from_link(input) {
        Some(encoded) => Opened::plain(encoded),
        None => Opened::plain(input),
    }
}

#[cfg(test)]
mod tests {
    use super::super::chain::{append, ApprovalDraft};
    use super::super::testkit::two;
    use super::*;

    fn approved() -> (ApprovedPreview, Opened) {
        let encoded = share::encode(&two(), false);
        let opened = decode_any(&encoded).unwrap();
        let a = append(
            &[],
            &opened.digest,
            &ApprovalDraft { name: "Alice".into(), ..Default::default() },
            "2026-11-30T19:00:00Z",
        )
        .unwrap();
        (opened.to_file_with(vec![a]), opened)
    }

    #[test]
    fn file_and_link_round_trip() {
        let (file, opened) = approved();
        let from_file = decode_any(&file.to_json()).unwrap();
        assert!(from_file.is_approved());
        assert_eq!(from_file.digest, opened.digest);
        assert_eq!(from_file.preview.plan, two());
        let link = file.to_link("https://app.example/#/preview/x");
        assert!(link.starts_with("https://app.example/#/approved/a1."));
        let from_link = decode_any(&link).unwrap();
        assert!(from_link.is_approved());
        assert_eq!(from_link.approvals, file.approvals);
        // A plain preview file or link opens with no approvals.
        let plain = decode_any(&share::to_file(&opened.encoded)).unwrap();
        assert!(!plain.is_approved() && plain.chain_error.is_none());
        assert_eq!(plain.digest, opened.digest);
    }

    #[test]
    fn a_plan_swapped_inside_the_file_is_detected() {
        let (mut file, _) = approved();
        let mut other = two();
        other.phases[0].actions.pop();
        file.preview = share::encode(&other, false);
        let opened = decode_any(&file.to_json()).unwrap();
        assert!(!opened.is_approved());
        assert!(matches!(opened.chain_error, Some(ChainError::OtherPlan { .. })));
        // Also when the file's digest fields are rewritten to match the new plan.
        file.digest_sha256 = plan_digest(&other).sha256;
        let opened = decode_any(&file.to_json()).unwrap();
        assert!(matches!(opened.chain_error, Some(ChainError::OtherPlan { .. })));
    }

    proptest::proptest! {
        /// Whatever arrives (any text, or an approved file with a byte changed anywhere), opening
        /// it is an error or a preview whose approvals were checked, never a panic; and a changed
        /// file never passes as approved unless the change left the approvals' content alone.
        #[test]
        fn bad_input_is_an_error_never_a_panic(text in ".{0,400}", at in 0usize..4000, byte in 32u8..127) {
            let _ = decode_any(&text);
            let _ = decode_any(&format!("{{\"licswapApproved\": 1, {text}"));
            let (file, _) = approved();
            let mut json = file.to_json().into_bytes();
            let i = at % json.len();
            let changed = json[i] != byte;
            json[i] = byte;
            if let Ok(text) = String::from_utf8(json) {
                if let Ok(opened) = decode_any(&text) {
                    if changed && opened.is_approved() {
                        // Only whitespace or escapes that decode to the same values can do that.
                        let again: ApprovedPreview = serde_json::from_str(&text).unwrap();
                        proptest::prop_assert_eq!(again.approvals, file.approvals);
                    }
                }
            }
        }
    }

    #[test]
    fn an_edited_approval_is_detected_and_garbage_is_an_error() {
        let (mut file, _) = approved();
        file.approvals[0].name = "Mallory".into();
        assert!(matches!(decode_any(&file.to_json()).unwrap().chain_error, Some(ChainError::Edited { .. })));
        assert!(decode_any("{\"licswapApproved\": 1}").is_err());
        assert!(decode_any("https://x/#/approved/a1.!!!").is_err());
        assert!(decode_any("https://x/#/approved/zz").is_err());
        let (file, _) = approved();
        let link = file.to_link("https://x/");
        assert!(decode_any(&link[..link.len() - 10]).is_err(), "a cut link");
    }
}
