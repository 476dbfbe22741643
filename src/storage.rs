//! Browser storage. localStorage holds configuration, the apply journal and a run the admin chose
//! to keep at sign-out (never a token); sessionStorage holds this tab's sign-in state (PKCE
//! verifier, tokens) and the plan being applied. Storage can be
//! missing or full (private windows, quotas): every call degrades to "nothing stored".
use web_sys::Storage;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Area {
    /// Survives the tab: configuration, journal.
    Local,
    /// This tab only: PKCE verifier and state, tokens.
    Session,
}

fn area(a: Area) -> Option<Storage> {
    let w = web_sys::window()?;
    match a {
        Area::Local => w.local_storage().ok().flatten(),
        Area::Session => w.session_storage().ok().flatten(),
    }
}

pub fn get(a: Area, key: &str) -> Option<String> {
    area(a)?.get_item(key).ok().flatten()
}

/// Returns false when the browser refused (quota, disabled storage).
pub fn set(a: Area, key: &str, value: &str) -> bool {
    area(a).map(|s| s.set_item(key, value).is_ok()).unwrap_or(false)
}

pub fn remove(a: Area, key: &str) {
    if let Some(s) = area(a) {
        let _ = s.remove_item(key);
    }
}

pub fn get_json<T: serde::de::DeserializeOwned>(a: Area, key: &str) -> Option<T> {
    serde_json::from_str(&get(a, key)?).ok()
}

pub fn set_json<T: serde::Serialize>(a: Area, key: &str, value: &T) -> bool {
    match serde_json::to_string(value) {
        Ok(s) => set(a, key, &s),
        Err(_) => false,
    }
}

pub mod keys {
    /// The sign-in form's configuration (no secrets).
    pub const CONFIG: &str = "licswap.config";
    /// The apply journal of the plan being applied.
    pub const JOURNAL: &str = "licswap.journal";
    /// sessionStorage: the plan being applied, so a reload or the consent redirect resumes it.
    /// (Earlier builds kept it in localStorage under the same key; sign-out removes that too.)
    pub const APPLY_PLAN: &str = "licswap.applyPlan";
    /// An unfinished run kept at sign-out at the admin's choice, bound to tenant and client.
    pub const KEPT_RUN: &str = "licswap.keptRun";
    /// sessionStorage: PKCE verifier, state and where to return, during a redirect.
    pub const PENDING_AUTH: &str = "licswap.pendingAuth";
    /// sessionStorage: the tokens of this tab.
    pub const TOKENS: &str = "licswap.tokens";
    /// The audit record (digest, approver names, who applied) of the plan being applied.
    pub const APPLY_AUDIT: &str = "licswap.applyAudit";
    /// sessionStorage: the approved preview chosen for apply (plan with names, approvals).
    pub const APPROVED_PREVIEW: &str = "licswap.approvedPreview";
}
