//! License health, as the app runs it: reads the tenant for the health screen and diagnoses it
//! with the planner, writing the result into the app state. No view code here.
use crate::state::{client, AppState, Load};
use leptos::prelude::Set;
use licswap_core::graph::Progress;
use licswap_core::health::{HealthReport, HealthSnapshot};
use std::sync::Arc;

/// What the health screen shows: the read and its diagnosis (the read stays for the fixes).
#[derive(Debug, PartialEq)]
pub struct HealthData {
    pub snapshot: HealthSnapshot,
    pub report: HealthReport,
}

/// Reads the licensing groups, their members' license states and Graph's error flags, then
/// explains every member in error.
pub fn load(state: AppState) {
    let Some(c) = client() else {
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
                state.health.set(Load::Ready(Arc::new(HealthData { snapshot, report })));
            }
            Err(e) => state.health.set(Load::Failed(e.to_string())),
        }
    });
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
    #[test]
    fn csv_name_is_safe_for_a_file_system() {
        assert_eq!(super::csv_name(Some("Contoso Demo")), "licswap-license-health-contoso-demo.csv");
        assert_eq!(super::csv_name(None), "licswap-license-health-tenant.csv");
    }
}
