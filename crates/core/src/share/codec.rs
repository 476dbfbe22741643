//! Bytes of the text form: checksum, DEFLATE, base64url; and the guarded way back.
use super::{ShareError, SharedPreview, SHARE_VERSION};
use crate::hash::fnv1a64;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use miniz_oxide::inflate::TINFLStatus;

/// Decompressed JSON above this is refused (DEFLATE expands up to ~1000x: a small link could
/// otherwise make the page allocate gigabytes). A preview of a 100,000-user tenant's swap is
/// well under it; anyone else's preview is untrusted input and gets no more room than that.
pub const DEFAULT_MAX_DECOMPRESSED: usize = 16 * 1024 * 1024;
/// Encoded text above this is refused before any decoding: a file of at most
/// [`DEFAULT_MAX_DECOMPRESSED`] compresses to less, and base64 adds a third.
pub const MAX_ENCODED_LEN: usize = DEFAULT_MAX_DECOMPRESSED / 3 * 4 + 1024;
/// A link longer than this is refused: mail and chat cut links far shorter, and a longer one
/// is not a preview someone sent but a way to make the reviewer's tab work hard.
pub const MAX_LINK_LEN: usize = 2 * 1024 * 1024;

const CHECKSUM_LEN: usize = 8;

fn prefix() -> String {
    format!("v{SHARE_VERSION}.")
}

pub(super) fn encode_preview(preview: &SharedPreview) -> String {
    // Serializing plain data structs to JSON cannot fail (no maps with non-string keys).
    let json = serde_json::to_vec(preview).unwrap_or_default();
    let mut bytes = fnv1a64(&json).to_be_bytes().to_vec();
    bytes.extend(miniz_oxide::deflate::compress_to_vec(&json, 8));
    format!("{}{}", prefix(), URL_SAFE_NO_PAD.encode(bytes))
}

pub(super) fn decode_preview(text: &str, max_decompressed: usize) -> Result<SharedPreview, ShareError> {
    let text = text.trim();
    if text.is_empty() {
        return Err(ShareError::Empty);
    }
    if text.len() > MAX_ENCODED_LEN {
        return Err(ShareError::TooLarge { limit: MAX_ENCODED_LEN });
    }
    let Some(body) = text.strip_prefix(&prefix()) else {
        let version = text.split('.').next().filter(|v| v.len() <= 8 && v.starts_with('v'));
        return Err(ShareError::UnknownVersion(version.unwrap_or("none").to_string()));
    };
    // Tolerate what mail clients and tools do to long strings: line breaks, padding added back.
    let body: String = body.chars().filter(|c| !c.is_ascii_whitespace()).collect();
    let body = body.trim_end_matches('=');
    let bytes = URL_SAFE_NO_PAD.decode(body).map_err(|e| ShareError::BadBase64(e.to_string()))?;
    if bytes.len() <= CHECKSUM_LEN {
        return Err(ShareError::Altered("too short".into()));
    }
    let (sum, deflated) = bytes.split_at(CHECKSUM_LEN);
    let json = miniz_oxide::inflate::decompress_to_vec_with_limit(deflated, max_decompressed).map_err(
        |e| match e.status {
            TINFLStatus::HasMoreOutput => ShareError::TooLarge { limit: max_decompressed },
            TINFLStatus::FailedCannotMakeProgress => ShareError::Altered("the data ends early".into()),
            _ => ShareError::Altered("the compressed data is corrupt".into()),
        },
    )?;
    let expected = u64::from_be_bytes(sum.try_into().unwrap_or([0; CHECKSUM_LEN]));
    if fnv1a64(&json) != expected {
        return Err(ShareError::Altered("checksum mismatch".into()));
    }
    parse_json(&json)
}

/// Only the plan's format version, read without building anything else.
#[derive(serde::Deserialize)]
struct Peek {
    plan: Option<PeekPlan>,
}

#[derive(serde::Deserialize)]
struct PeekPlan {
    version: Option<u64>,
}

fn parse_json(json: &[u8]) -> Result<SharedPreview, ShareError> {
    // The plan version first, so a newer format says so instead of failing on some new field.
    // Typed all the way: no generic JSON tree, which would multiply the memory a hostile preview
    // makes the page spend.
    let peek: Peek = serde_json::from_slice(json)
        .map_err(|e| ShareError::BadJson { path: ".".into(), message: e.to_string() })?;
    if let Some(v) = peek.plan.and_then(|p| p.version) {
        if v > u64::from(crate::plan::PLAN_VERSION) {
            return Err(ShareError::NewerPlan(u32::try_from(v).unwrap_or(u32::MAX)));
        }
    }
    from_slice(json)
}

#[cfg(not(target_arch = "wasm32"))]
fn from_slice(json: &[u8]) -> Result<SharedPreview, ShareError> {
    let mut de = serde_json::Deserializer::from_slice(json);
    serde_path_to_error::deserialize(&mut de)
        .map_err(|e| ShareError::BadJson { path: e.path().to_string(), message: e.inner().to_string() })
}

/// In the page, without the exact path (see Cargo.toml): serde's message still names the field
/// or the variant at fault, e.g. "unknown variant `printer`, expected `user` or `group`". The
/// checksum has passed by now, so this is a link from another version of licswap, not a typo.
#[cfg(target_arch = "wasm32")]
fn from_slice(json: &[u8]) -> Result<SharedPreview, ShareError> {
    serde_json::from_slice(json).map_err(|e| ShareError::BadJson { path: "plan".into(), message: e.to_string() })
}
