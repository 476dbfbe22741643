//! Four eyes in the page: the approved preview the admin is about to apply (kept in this tab
//! across the sign-in and consent redirects), the re-read and re-plan that checks it against the
//! tenant as it is now, the audit record bound to the plan that runs, and the
//! `requireApprovalAbove` policy. The rules themselves (digest, chain, diff) are licswap-core's.
use crate::state::{AppState, Load, Mode};
use crate::storage::{self, Area};
use leptos::prelude::*;
use licswap_core::apply::plan_hash;
use licswap_core::approval::{self, file::ApprovedPreview, AuditRecord, Opened, PlanDiff};
use licswap_core::model::User;
use licswap_core::plan::Plan;
use serde::{Deserialize, Serialize};

/// sessionStorage (this tab only): the approved preview file chosen for apply.
const APPROVED_KEY: &str = storage::keys::APPROVED_PREVIEW;
/// localStorage, beside the plan being applied: the audit record of that plan's run.
const AUDIT_KEY: &str = storage::keys::APPLY_AUDIT;

/// The current time, RFC 3339 UTC, from the browser's clock.
pub fn now_iso() -> String {
    js_sys::Date::new_0().to_iso_string().as_string().unwrap_or_default()
}

/// A journal time (ms since 1970) as RFC 3339.
pub fn iso_of_ms(ms: u64) -> String {
    js_sys::Date::new(&wasm_bindgen::JsValue::from_f64(ms as f64))
        .to_iso_string()
        .as_string()
        .unwrap_or_default()
}

/// Remembers the approved preview to apply and returns false when the browser refused.
pub fn choose_for_apply(file: &ApprovedPreview) -> bool {
    storage::set(Area::Session, APPROVED_KEY, &file.to_json())
}

/// The approved preview chosen for apply, opened again (digest recomputed, chain checked).
pub fn chosen() -> Option<Result<Opened, String>> {
    let text = storage::get(Area::Session, APPROVED_KEY)?;
    Some(approval::file::decode_any(&text).map_err(|e| crate::text::sentence(&e.to_string())))
}

#[derive(Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct Binding {
    plan_hash: String,
    record: AuditRecord,
}

/// The audit record bound to `plan` (made when it was chosen for apply), if any.
pub fn record_for(plan: &Plan) -> Option<AuditRecord> {
    let b: Binding = storage::get_json(Area::Local, AUDIT_KEY)?;
    (b.plan_hash == plan_hash(plan)).then_some(b.record)
}

/// Binds `record` to `plan`: the apply and report screens of that plan show and export it.
pub fn bind(plan: &Plan, record: AuditRecord) -> bool {
    storage::set_json(Area::Local, AUDIT_KEY, &Binding { plan_hash: plan_hash(plan), record })
}

/// The record of `plan`, or a fresh one with only its digest.
pub fn record_or_new(plan: &Plan) -> AuditRecord {
    record_for(plan).unwrap_or_else(|| AuditRecord::for_plan(&approval::plan_digest(plan)))
}

/// The policy's threshold, from config.json (none in the demo tenant).
pub fn threshold(state: AppState) -> Option<u64> {
    match state.mode.get_untracked() {
        Mode::Live { config, .. } => config.require_approval_above,
        _ => None,
    }
}

/// Why the policy stops `plan`, if it does: over the threshold with neither an approval nor a
/// written override bound to it. A rollback is not stopped: it puts back what a run changed,
/// and waiting for a second person would prolong a loss of service.
pub fn policy_block(state: AppState, plan: &Plan) -> Option<String> {
    let n = threshold(state)?;
    if !approval::approval_required(plan, Some(n)) {
        return None;
    }
    let record = record_for(plan);
    if record
        .as_ref()
        .is_some_and(|r| !r.approvals.is_empty() || r.override_reason.is_some() || r.undoes.is_some())
    {
        return None;
    }
    Some(format!(
        "This plan changes {} users; your organisation's policy (requireApprovalAbove: {n} in config.json) requires an approval first. \
         Share the preview for approval, then open the approved preview here and apply it.",
        approval::users_affected(plan)
    ))
}

/// Called when a run starts: stamps who applied and when on the plan's audit record.
pub fn on_apply_start(state: AppState, plan: &Plan) {
    let mut record = record_or_new(plan);
    if record.applied_at.is_empty() {
        record.applied_at = now_iso();
    }
    bind(plan, record);
    let Some(c) = state.client() else { return };
    let plan = plan.clone();
    leptos::task::spawn_local(async move {
        // GET /me: User.Read.All (asked to preview) covers it.
        // https://learn.microsoft.com/graph/api/user-get
        let me = c.get::<User>("/me?$select=id,userPrincipalName,displayName", "the signed-in admin").await;
        let who = match me {
            Ok(u) => u.user_principal_name.or(u.display_name).unwrap_or(u.id),
            Err(_) => "the signed-in admin (Graph did not say who)".into(),
        };
        let mut record = record_or_new(&plan);
        if record.applied_by.is_empty() {
            record.applied_by = who;
            bind(&plan, record);
        }
    });
}

/// The approved plan against the tenant now.
pub struct Checked {
    pub approved: Opened,
    pub fresh: Plan,
    pub diff: PlanDiff,
}

/// Re-reads the tenant, checks it is the one the plan was made for, re-plans the same request
/// and compares the writes.
pub async fn recheck(state: AppState, approved: Opened) -> Result<Checked, String> {
    let plan = &approved.preview.plan;
    if approved.preview.redacted {
        return Err("This preview has pseudonyms instead of names: it cannot be applied. Ask for an approval of a preview with names.".into());
    }
    if !crate::loads::fetch_snapshot(state, plan.sources().into_iter().map(|s| s.sku.sku_id).collect()).await {
        return Err(match state.snapshot.get_untracked() {
            Load::Failed(e) => crate::text::sentence(&e),
            _ => "The tenant could not be read.".into(),
        });
    }
    let Load::Ready(snap) = state.snapshot.get_untracked() else {
        return Err("The tenant could not be read.".into());
    };
    let here = snap.tenant_name.clone().unwrap_or_default();
    let made_for = plan.tenant_name.clone().unwrap_or_default();
    if !here.trim().eq_ignore_ascii_case(made_for.trim()) {
        return Err(format!(
            "This plan was made for the tenant “{made_for}”, and you are signed in to “{here}”. Sign in to “{made_for}” to apply it."
        ));
    }
    let fresh = snap.plan(&plan.request).map_err(|e| crate::text::sentence(&e.to_string()))?;
    let diff = approval::compare(plan, &fresh);
    Ok(Checked { approved, fresh, diff })
}
