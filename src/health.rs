//! License health, as the app runs it: reads the tenant for the health screen and diagnoses it
//! with the planner (a Leptos action the app state keeps: its value is the last result); plans
//! the fixes (direct licenses a group duplicates, direct licenses that conflict with a group's)
//! and, once a conflict fix is applied, reprocesses its members. No view code here.
//!
//! Why the reprocessing: Entra keeps a member's group license in error until the member is
//! processed again, even once the cause is gone ("you need to trigger the processing": "Identify
//! and resolve license assignment problems for a group",
//! <https://learn.microsoft.com/entra/identity/users/licensing-groups-resolve-problems>); Graph's
//! per-user trigger is `reprocessLicenseAssignment`
//! (<https://learn.microsoft.com/graph/api/user-reprocesslicenseassignment>).
use crate::routes::Route;
use crate::state::{AppState, HealthAction, PlanOrigin, NOT_CONNECTED};
use leptos::prelude::{Action, GetUntracked, Set, Update};
use licswap_core::apply::{EntryState, GraphLicenseApi, Journal};
use licswap_core::graph::LoadProgress;
use licswap_core::health::HealthReport;
use licswap_core::model::LicenseState;
use licswap_core::plan::{ActionKind, Plan, Subject};
use std::sync::Arc;

pub use crate::health_data::{HealthData, Reprocess};

/// Opens a health fix's plan in the preview, with a clean apply screen and reprocess step.
fn open_plan(state: AppState, plan: licswap_core::plan::Plan) {
    state.plan_error.set(None);
    state.plan.set(Some(Arc::new(plan)));
    state.plan_origin.set(PlanOrigin::Local);
    state.apply.set(Default::default());
    state.reprocess.set(Reprocess::Idle);
    state.go(Route::Preview);
}

/// Plans removing the direct licenses of `sku_id` that groups fully cover, and opens the preview
/// (then apply, verify and rollback as for any plan).
pub fn plan_cleanup(state: AppState, data: &HealthData, sku_id: &str) {
    match licswap_planner::health::cleanup_plan(&data.snapshot, sku_id, None) {
        Ok(plan) => open_plan(state, plan),
        Err(e) => state.notice.set(Some(format!("Could not plan the cleanup: {e}."))),
    }
}

/// Plans removing the direct licenses of `sku_id` that conflict with a group's license its
/// members are in MutuallyExclusiveViolation for, and opens the preview (then apply, verify and
/// rollback as for any plan; the report then offers to reprocess them).
pub fn plan_fix_conflicts(state: AppState, data: &HealthData, sku_id: &str) {
    match licswap_planner::health::fix_conflicts_plan(&data.snapshot, &data.report, sku_id, None) {
        Ok(plan) if plan.actions().next().is_none() => state.notice.set(Some(
            "Nothing to plan: no member in this conflict still holds the direct license. Load the health again."
                .into(),
        )),
        Ok(plan) => open_plan(state, plan),
        Err(e) => state.notice.set(Some(format!("Could not plan the fix: {e}."))),
    }
}


/// The members to reprocess after `plan` ran: those whose conflicting direct license the journal
/// records as removed (a member whose removal failed or was not run keeps the conflict, and
/// reprocessing would only record the same error again).
pub fn reprocess_targets(plan: &Plan, journal: &Journal) -> Vec<Subject> {
    plan.actions()
        .filter(|a| a.kind == ActionKind::RemoveConflictingDirect)
        .filter(|a| matches!(journal.state(&a.id), Some(EntryState::Done)))
        .map(|a| (*a.target).clone())
        .collect()
}

/// Members sent per `$batch` (Graph's limit), and so per progress step.
const REPROCESS_BATCH: usize = 20;

/// Reprocesses `members` (after the consent step for User.ReadWrite.All when the token lacks it:
/// the browser then leaves for Entra and comes back to the report, `plan` kept for it), with
/// progress in `state.reprocess`; the extra permission is dropped again when done.
pub fn reprocess(state: AppState, plan: &Plan, members: Vec<Subject>) {
    if members.is_empty() {
        let none = "No member of this plan had its direct license removed.";
        state.reprocess.set(Reprocess::Failed(none.into()));
        return;
    }
    let Some(c) = state.client() else {
        state.reprocess.set(Reprocess::Failed(NOT_CONNECTED.into()));
        return;
    };
    if !crate::app_mode::ensure_reprocess_consent(state, plan) {
        return;
    }
    let total = members.len();
    state.reprocess.set(Reprocess::Running { done: 0, total });
    leptos::task::spawn_local(async move {
        let api = GraphLicenseApi::new(&*c);
        let mut failed = Vec::new();
        for (n, chunk) in members.chunks(REPROCESS_BATCH).enumerate() {
            let ids: Vec<String> = chunk.iter().map(|m| m.id.clone()).collect();
            for (m, r) in chunk.iter().zip(api.reprocess_users(&ids).await) {
                if let Err(e) = r {
                    failed.push((m.name.clone(), crate::text::sentence(&e.to_string())));
                }
            }
            let done = (n * REPROCESS_BATCH + chunk.len()).min(total);
            state.reprocess.update(|r| *r = Reprocess::Running { done, total });
        }
        // Done: no token of this tab keeps User.ReadWrite.All.
        state.session().drop_write_scope().await;
        state.reprocess.set(Reprocess::Done { ok: total - failed.len(), failed });
    });
}

/// Reads the health again and opens its screen (after a fix, to see it took).
pub fn check_again(state: AppState) {
    load(state);
    state.go(Route::Health);
}

/// The health read as a Leptos action: the screen dispatches it when first shown, "Load again"
/// and "check again" dispatch it anew; its value is the last result, its `pending()` the spinner.
pub fn action(state: AppState) -> HealthAction {
    state.health_action(|| Action::new_local(move |_: &()| read(state)))
}

/// Reads the health again (the screen's spinner shows what is being read).
pub fn load(state: AppState) {
    state.health_progress.set(None);
    action(state).dispatch_local(());
}

/// Reads the licensing groups, their members' license states and Graph's error flags, then
/// explains every member in error.
async fn read(state: AppState) -> Result<Arc<HealthData>, String> {
    let c = state.client().ok_or_else(|| NOT_CONNECTED.to_string())?;
    let connection = state.connection.get_untracked();
    let mut progress = |p: LoadProgress| {
        let total = p.total.map(|t| format!(" of {t}")).unwrap_or_default();
        state.health_progress.set(Some(format!("{}: {}{total}…", p.phase, p.done)));
    };
    let read = c.load_health(&mut progress).await;
    // Signed out or switched tenant meanwhile: this read belongs to a connection that is gone.
    if state.connection.get_untracked() != connection {
        return Err("The connection to the tenant changed during the read: load again.".into());
    }
    let snapshot = read.map_err(|e| e.to_string())?;
    let report = licswap_planner::health::diagnose(&snapshot);
    let cleanup = licswap_planner::health::cleanup_candidates(&snapshot);
    let conflicts = licswap_planner::health::conflict_fixes(&snapshot, &report);
    Ok(Arc::new(HealthData { snapshot, report, cleanup, conflicts }))
}

/// The CSV export: one row per member issue (who, which group and products, Graph's code, what
/// failed and the fix), neutralised against spreadsheet formulas like the apply report's.
pub fn csv(report: &HealthReport) -> String {
    use licswap_core::apply::csv_field;
    let mut out = String::from("user,user id,group,group id,products,error,state,problem,what failed,fix\r\n");
    for i in &report.issues {
        let cells = [
            i.user.name.as_str(),
            i.user.id.as_str(),
            i.group.as_ref().map_or("(direct license)", |g| g.name.as_str()),
            i.group.as_ref().map_or("", |g| g.id.as_str()),
            &i.products.join(" + "),
            i.code.as_str(),
            i.state.as_ref().map_or("", LicenseState::as_str),
            i.kind.title(),
            i.what.as_str(),
            i.fix.as_str(),
        ];
        let row: Vec<String> = cells.iter().map(|c| csv_field(c)).collect();
        out.push_str(&row.join(","));
        out.push_str("\r\n");
    }
    out
}

/// The CSV export's file name.
pub fn csv_name(tenant: Option<&str>) -> String {
    let t: String = tenant
        .unwrap_or("tenant")
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c.to_ascii_lowercase() } else { '-' })
        .collect();
    format!("licswap-license-health-{}.csv", t.trim_matches('-'))
}

#[cfg(test)]
mod tests {
    use licswap_core::apply::{EntryState, Journal};
    use licswap_core::health::{HealthReport, HealthSnapshot, LicenseErrorKind, MemberIssue, Remedy};
    use licswap_core::plan::{Subject, TargetKind};

    /// The demo tenant's conflict (direct SharePoint Online (Plan 1) beside group Project - PMO's
    /// Project Online Premium): offered once, planned, and reprocessed only once its removal is done.
    #[test]
    fn the_demo_conflict_is_offered_planned_and_reprocessed_once_removed() {
        let snapshot = licswap_sim::inspect::snapshot(&licswap_sim::fixtures::demo());
        let h = HealthSnapshot { snapshot, ..Default::default() };
        let report = licswap_planner::health::diagnose(&h);
        let fixes = licswap_planner::health::conflict_fixes(&h, &report);
        assert_eq!(fixes.len(), 1, "{fixes:?}");
        assert_eq!((fixes[0].product.as_str(), fixes[0].members.len()), ("SharePoint Online (Plan 1)", 1));
        let plan = licswap_planner::health::fix_conflicts_plan(&h, &report, &fixes[0].sku_id, None).unwrap();
        let mut journal = Journal::new(&plan, 0);
        assert!(super::reprocess_targets(&plan, &journal).is_empty(), "nothing removed yet");
        let action = plan.actions().next().unwrap().id.clone();
        journal.set(&action, EntryState::Failed { code: "x".into(), message: "y".into(), retryable: false }, 1);
        assert!(super::reprocess_targets(&plan, &journal).is_empty(), "a failed removal keeps the conflict");
        journal.set(&action, EntryState::Done, 2);
        assert_eq!(super::reprocess_targets(&plan, &journal), fixes[0].members);
    }

    #[test]
    fn csv_has_a_row_per_issue_quoted_and_formula_safe() {
        let issue = MemberIssue {
            user: Subject { kind: TargetKind::User, id: "u1".into(), name: "=a@contoso.com".into() },
            group: Some(Subject { kind: TargetKind::Group, id: "g1".into(), name: "Sales, EMEA".into() }),
            products: vec!["Office 365 E3".into(), "Power BI Pro".into()],
            kind: LicenseErrorKind::CountViolation,
            code: "CountViolation".into(),
            state: Some(licswap_core::model::LicenseState::Error),
            what: "No seat of \"Office 365 E3\"".into(),
            fix: "Buy 1".into(),
            remedy: Remedy::Reprocess,
        };
        let r = HealthReport { issues: vec![issue], ..Default::default() };
        let csv = super::csv(&r);
        let lines: Vec<&str> = csv.split("\r\n").filter(|l| !l.is_empty()).collect();
        assert_eq!(lines.len(), 2);
        assert_eq!(
            lines[1],
            "'=a@contoso.com,u1,\"Sales, EMEA\",g1,Office 365 E3 + Power BI Pro,CountViolation,Error,Not enough licenses,\"No seat of \"\"Office 365 E3\"\"\",Buy 1"
        );
    }

    #[test]
    fn csv_name_is_safe_for_a_file_system() {
        assert_eq!(super::csv_name(Some("Contoso Demo")), "licswap-license-health-contoso-demo.csv");
        assert_eq!(super::csv_name(None), "licswap-license-health-tenant.csv");
    }
}
