//! Shared migration previews: a plan packed into a link fragment (`#/preview/...`, which browsers
//! never send to a server) or a small `.json` file, opened by a reviewer without signing in.
//!
//! Text form: `v1.` + base64url (no padding) of `checksum (8 bytes, FNV-1a 64 of the JSON, big
//! endian) || raw DEFLATE of the JSON`. The checksum catches a link cut short by a mail client or
//! edited by hand; it is not a signature (anyone can re-encode a plan), so a preview proves
//! nothing about who made it. A plan never holds a token, so neither does a preview.
mod codec;
mod redact;

pub use codec::{DEFAULT_MAX_DECOMPRESSED, MAX_ENCODED_LEN, MAX_LINK_LEN};
pub use redact::{redact, redact_with_snapshot};

use crate::plan::Plan;
use serde::{Deserialize, Serialize};

/// Current text-form version (the `v1.` prefix).
pub const SHARE_VERSION: u32 = 1;

/// What a preview link or file carries.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SharedPreview {
    /// True when user and group names were replaced by pseudonyms: such a plan can be reviewed
    /// but not applied (its targets no longer name real objects).
    pub redacted: bool,
    pub plan: Plan,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ShareError {
    Empty,
    /// A `vN.` prefix this build does not know (or no prefix at all).
    UnknownVersion(String),
    TooLarge {
        limit: usize,
    },
    BadBase64(String),
    /// Checksum mismatch, truncated or corrupt compressed data.
    Altered(String),
    /// The JSON does not describe a plan; `path` names the field (`plan.phases[0].actions`).
    BadJson {
        path: String,
        message: String,
    },
    /// A `.json` file that is not a licswap preview file.
    BadFile(String),
    /// A plan format newer than this build understands.
    NewerPlan(u32),
}

impl std::fmt::Display for ShareError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ShareError::Empty => write!(f, "the preview is empty"),
            ShareError::UnknownVersion(v) => write!(
                f,
                "unknown preview format '{v}': it was made by another version of licswap (this one reads v{SHARE_VERSION})"
            ),
            ShareError::TooLarge { limit } => {
                write!(f, "the preview is larger than {} MiB and was not opened", limit / (1024 * 1024))
            }
            ShareError::BadBase64(m) => {
                write!(f, "this preview was altered or truncated (it is not valid base64url: {m})")
            }
            ShareError::Altered(m) => write!(f, "this preview was altered or truncated ({m})"),
            ShareError::BadJson { path, message } => {
                write!(f, "the preview's plan is not valid at '{path}': {message}")
            }
            ShareError::BadFile(m) => write!(f, "not a licswap preview file: {m}"),
            ShareError::NewerPlan(v) => write!(
                f,
                "the preview holds a plan of format {v}, newer than this licswap understands ({}); open it with a newer licswap",
                crate::plan::PLAN_VERSION
            ),
        }
    }
}

impl std::error::Error for ShareError {}

/// Packs a plan into the text form, redacting user and group names first when asked.
pub fn encode(plan: &Plan, redact_names: bool) -> String {
    let preview = if redact_names {
        SharedPreview { redacted: true, plan: redact(plan) }
    } else {
        SharedPreview { redacted: false, plan: plan.clone() }
    };
    codec::encode_preview(&preview)
}

/// Packs a plan with every name and id of `snapshot` (the tenant data it was planned from)
/// replaced by pseudonyms: the form to share with someone who must not see who is in it.
pub fn encode_redacted(plan: &Plan, snapshot: &crate::plan::Snapshot) -> String {
    codec::encode_preview(&SharedPreview { redacted: true, plan: redact_with_snapshot(plan, snapshot) })
}

/// Reads the text form (not a link nor a file: see [`decode_any`]).
pub fn decode(text: &str) -> Result<SharedPreview, ShareError> {
    codec::decode_preview(text, DEFAULT_MAX_DECOMPRESSED)
}

/// As [`decode`], with a caller-chosen cap on the decompressed JSON size.
pub fn decode_with_limit(text: &str, max_decompressed: usize) -> Result<SharedPreview, ShareError> {
    codec::decode_preview(text, max_decompressed)
}

/// A link's encoded part (`#/preview/...`): refused above [`MAX_LINK_LEN`] before any decoding.
pub fn decode_link(encoded: &str) -> Result<SharedPreview, ShareError> {
    if encoded.len() > MAX_LINK_LEN {
        return Err(ShareError::TooLarge { limit: MAX_LINK_LEN });
    }
    decode(encoded)
}

/// Links longer than this are hard to send by mail or chat: the file is the better form.
pub const LONG_LINK: usize = 8_000;

/// `{base}#/preview/{encoded}`; any fragment already on `base` is dropped.
pub fn to_link(base_url: &str, encoded: &str) -> String {
    let base = base_url.split('#').next().unwrap_or(base_url);
    format!("{base}#/preview/{encoded}")
}

/// The encoded part of a preview link (or of a bare `#/preview/...` fragment).
pub fn from_link(link: &str) -> Option<&str> {
    let (_, rest) = link.split_once("#/preview/")?;
    Some(rest.trim())
}

/// The `.json` file form: `{"licswapPreview": 1, "data": "v1...."}`.
#[derive(Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct PreviewFile {
    licswap_preview: u32,
    data: String,
}

pub fn to_file(encoded: &str) -> String {
    let file = PreviewFile { licswap_preview: SHARE_VERSION, data: encoded.to_string() };
    serde_json::to_string_pretty(&file).unwrap_or_default()
}

pub fn decode_file(json: &str) -> Result<SharedPreview, ShareError> {
    if json.len() > MAX_ENCODED_LEN + 1024 {
        return Err(ShareError::TooLarge { limit: MAX_ENCODED_LEN });
    }
    let file: PreviewFile = serde_json::from_str(json.trim_start_matches('\u{feff}')).map_err(|e| {
        ShareError::BadFile(format!("expected {{\"licswapPreview\": 1, \"data\": \"...\"}} ({e})"))
    })?;
    if file.licswap_preview != SHARE_VERSION {
        return Err(ShareError::UnknownVersion(format!("file format {}", file.licswap_preview)));
    }
    decode(&file.data)
}

/// Whatever the reviewer pasted or dropped: a link, a `#/preview/` fragment, the text form, or
/// the `.json` file's content.
pub fn decode_any(input: &str) -> Result<SharedPreview, ShareError> {
    let input = input.trim();
    if input.starts_with('{') || input.starts_with('\u{feff}') {
        return decode_file(input);
    }
    match from_link(input) {
        Some(encoded) => decode_link(encoded),
        None => decode(input),
    }
}
