//! Where the plan of a run is kept between pages. While signed in it lives in this tab's
//! sessionStorage (a reload or the write-consent redirect resumes it; a script elsewhere on the
//! origin cannot plant one in this tab, and no other tab or later visitor sees it). At sign-out the
//! admin may keep an unfinished run: then it goes to localStorage bound to the tenant and the app
//! registration, with an expiry, and comes back only to the same tenant and client before then.
//! Nothing else of a run outlives sign-out.
use crate::config::Config;
use crate::storage::{self, keys, Area};
use licswap_core::plan::Plan;
use licswap_core::share;
use serde::{Deserialize, Serialize};

/// How long a run kept at sign-out waits for the admin to come back to it.
pub const KEEP_FOR_MS: u64 = 72 * 60 * 60 * 1000;

/// An unfinished run kept at sign-out, and for whom.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct KeptRun {
    pub tenant: String,
    pub client_id: String,
    pub expires_at_ms: u64,
    /// The plan, in the shared-preview encoding (names included: it never leaves the browser).
    pub plan: String,
}

impl KeptRun {
    /// Whether this kept run may come back for `cfg` at `now_ms`.
    pub fn belongs_to(&self, cfg: &Config, now_ms: u64) -> bool {
        now_ms < self.expires_at_ms
            && self.tenant.eq_ignore_ascii_case(&cfg.tenant)
            && self.client_id.eq_ignore_ascii_case(&cfg.client_id)
    }
}

fn now() -> u64 {
    js_sys::Date::now().max(0.0) as u64
}

/// Keeps the plan being applied for this tab. False when the browser refused (quota).
pub fn remember(plan: &Plan) -> bool {
    storage::set(Area::Session, keys::APPLY_PLAN, &share::encode(plan, false))
}

/// The plan this tab is applying, or the run kept at sign-out for `cfg` (None in the demo).
pub fn recall(cfg: Option<&Config>) -> Option<Plan> {
    let text = storage::get(Area::Session, keys::APPLY_PLAN).or_else(|| {
        let kept: KeptRun = storage::get_json(Area::Local, keys::KEPT_RUN)?;
        cfg.filter(|c| kept.belongs_to(c, now())).map(|_| kept.plan)
    })?;
    // This browser's own plan, not someone's preview: room for a 100,000-user run (the storage
    // quota bounds what can be stored at all).
    share::decode_with_limit(&text, 128 * 1024 * 1024).ok().map(|p| p.plan)
}

/// At sign-out, when the admin chose to: keeps this tab's unfinished run for `cfg`. False when
/// there is none or the browser refused.
pub fn keep_for_later(cfg: &Config) -> bool {
    let Some(plan) = storage::get(Area::Session, keys::APPLY_PLAN) else { return false };
    let kept = KeptRun {
        tenant: cfg.tenant.clone(),
        client_id: cfg.client_id.clone(),
        expires_at_ms: now() + KEEP_FOR_MS,
        plan,
    };
    storage::set_json(Area::Local, keys::KEPT_RUN, &kept)
}

/// Drops a kept run that has expired (and its journal): called at start-up.
pub fn drop_expired() {
    let kept: Option<KeptRun> = storage::get_json(Area::Local, keys::KEPT_RUN);
    let expired = match &kept {
        Some(k) => k.expires_at_ms <= now(),
        // Unreadable: nothing can use it.
        None => storage::get(Area::Local, keys::KEPT_RUN).is_some(),
    };
    if expired {
        forget_all();
    }
}

/// Everything of a run in this browser: the tab's plan, a kept run, the journal, the approved
/// preview chosen for it and its audit record (which names the approvers). The plan stored in
/// localStorage by earlier builds (`licswap.applyPlan`) goes too.
pub fn forget_all() {
    storage::remove(Area::Session, keys::APPLY_PLAN);
    storage::remove(Area::Local, keys::APPLY_PLAN);
    storage::remove(Area::Local, keys::KEPT_RUN);
    storage::remove(Area::Session, keys::APPROVED_PREVIEW);
    storage::remove(Area::Local, keys::APPLY_AUDIT);
    crate::journal_store::remove_all();
}

/// A run kept in localStorage is no longer needed once it is this tab's again.
pub fn adopt_kept() {
    if storage::get(Area::Session, keys::APPLY_PLAN).is_none() {
        if let Some(kept) = storage::get_json::<KeptRun>(Area::Local, keys::KEPT_RUN) {
            storage::set(Area::Session, keys::APPLY_PLAN, &kept.plan);
        }
    }
    storage::remove(Area::Local, keys::KEPT_RUN);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_kept_run_comes_back_only_to_its_tenant_and_client_before_it_expires() {
        let cfg = crate::config::parse_config(r#"{"clientId":"C1","tenant":"contoso.onmicrosoft.com"}"#).unwrap();
        let kept = KeptRun {
            tenant: "Contoso.onmicrosoft.com".into(),
            client_id: "c1".into(),
            expires_at_ms: 1000,
            plan: String::new(),
        };
        assert!(kept.belongs_to(&cfg, 999));
        assert!(!kept.belongs_to(&cfg, 1000), "expired");
        let other_tenant = crate::config::parse_config(r#"{"clientId":"C1","tenant":"fabrikam.onmicrosoft.com"}"#).unwrap();
        let other_client = crate::config::parse_config(r#"{"clientId":"C2","tenant":"contoso.onmicrosoft.com"}"#).unwrap();
        assert!(!kept.belongs_to(&other_tenant, 0));
        assert!(!kept.belongs_to(&other_client, 0));
    }
}
