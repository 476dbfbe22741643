//! License health, as the app runs it: reads the tenant for the health screen and diagnoses it
//! with the planner, writing the result into the app state. No view code here.
use crate::routes::Route;
use crate::state::{AppState, Load, PlanOrigin};
use leptos::prelude::Set;
use licswap_core::graph::Progress;
use licswap_core::health::HealthReport;
use std::sync::Arc;

pub use crate::health_data::HealthData;

/// Plans removing the direct licenses of `sku_id` that groups fully cover, and opens the preview
/// (then apply, verify and rollback as for any plan).
pub fn plan_cleanup(state: AppState, data: &HealthData, sku_id: &str) {
    match licswap_planner::health::cleanup_plan(&data.snapshot, sku_id, None) {
        Ok(plan) => {
            state.plan_error.set(None);
            state.plan.set(Some(Arc::new(plan)));
            state.plan_origin.set(PlanOrigin::Local);
            state.apply.set(Default::default());
            state.go(Route::Preview);
        }
        Err(e) => state.notice.set(Some(format!("Could not plan the cleanup: {e}."))),
    }
}

/// Reads the licensing groups, their members' license states and Graph's error flags, then
/// explains every member in error.
pub fn load(state: AppState) {
    let Some(c) = state.client() else {
        state.health.set(Load::Failed("Not connected to a tenant: sign in first.".into()));
        return;
    };
    state.health.set(Load::Loading("Reading licensing groups…".into()));
    leptos::task::spawn_local(async move {
        let mut progress = |p: Progress| {
            let total = p.total.map(|t| format!(" of {t}")).unwrap_or_default();
            state.health.set(Load::Loading(format!("{}: {}{total}…", p.phase, p.done)));
        };
        match c.load_health(&mut progress).await {
            Ok(snapshot) => {
                let report = licswap_planner::health::diagnose(&snapshot);
                let cleanup = licswap_planner::health::cleanup_candidates(&snapshot);
                state.health.set(Load::Ready(Arc::new(HealthData { snapshot, report, cleanup })));
            }
            Err(e) => state.health.set(Load::Failed(e.to_string())),
        }
    });
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
            i.state.as_deref().unwrap_or(""),
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
    use licswap_core::health::{HealthReport, LicenseErrorKind, MemberIssue, Remedy};
    use licswap_core::plan::{Subject, TargetKind};

    #[test]
    fn csv_has_a_row_per_issue_quoted_and_formula_safe() {
        let issue = MemberIssue {
            user: Subject { kind: TargetKind::User, id: "u1".into(), name: "=a@contoso.com".into() },
            group: Some(Subject { kind: TargetKind::Group, id: "g1".into(), name: "Sales, EMEA".into() }),
            products: vec!["Office 365 E3".into(), "Power BI Pro".into()],
            kind: LicenseErrorKind::CountViolation,
            code: "CountViolation".into(),
            state: Some("Error".into()),
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
