//! Applying direct swaps on sim-server under its write ceiling: licswap's executor (batched,
//! concurrent), and the way a PowerShell script does it (one `assignLicense` at a time).
use crate::load::{client, load, sku_id};
use crate::server::SimServer;
use crate::transport::HttpTransport;
use licswap_core::apply::{
    ApplyConfig, Control, Executor, GraphLicenseApi, MemoryStore, RunOutcome, RunStatus,
};
use licswap_core::graph::http::{Clock, HttpRequest};
use licswap_core::model::same_id;
use licswap_core::plan::{Action, ActionKind, Plan, PlanOptions, PlanRequest, Scope, TargetKind};
use licswap_planner::plan;
use std::path::Path;
use std::time::{Duration, Instant};

/// The tenant and the simulator's limits for one apply measurement.
#[derive(Clone, Debug)]
pub struct ApplySetup {
    /// Direct swaps to plan (E1 -> E3 for users who hold E1 directly and nothing through groups).
    pub swaps: usize,
    /// Users in the generated tenant; about 35% hold E1 directly only.
    pub tenant_users: usize,
    /// sim-server's write ceiling (`--throttle-per-sec`); the burst is ten seconds' worth.
    pub writes_per_sec: u64,
    /// sim-server's latency per HTTP request (`--latency-ms LO-HI`).
    pub latency_ms: (u64, u64),
    pub seed: u64,
}

impl ApplySetup {
    pub fn burst(&self) -> f64 {
        (self.writes_per_sec * 10) as f64
    }

    /// The share of the ceiling that `n` writes in `secs` reach: `n` over the most writes the
    /// token bucket admits in that time (the full burst, then the sustained rate).
    pub fn fraction_of_ceiling(&self, n: usize, secs: f64) -> f64 {
        n as f64 / (self.burst() + self.writes_per_sec as f64 * secs)
    }

    fn server_args(&self) -> Vec<String> {
        vec![
            "--users".into(),
            self.tenant_users.to_string(),
            "--seed".into(),
            self.seed.to_string(),
            "--throttle-per-sec".into(),
            self.writes_per_sec.to_string(),
            "--latency-ms".into(),
            format!("{}-{}", self.latency_ms.0, self.latency_ms.1),
        ]
    }
}

/// A started sim-server, and the plan of `setup.swaps` direct swaps read from it over HTTP.
pub fn prepare(sim_server: &Path, setup: &ApplySetup) -> Result<(SimServer, Plan), String> {
    let server = SimServer::start(sim_server, &setup.server_args())?;
    let snap = load(&server.graph_base(), "STANDARDPACK", false)?.snapshot;
    let e1 = sku_id(&snap, "STANDARDPACK")?;
    let only_direct: Vec<String> = snap
        .users
        .iter()
        .filter(|u| u.account_enabled == Some(true) && u.usage_location.is_some())
        .filter(|u| u.assigned_licenses.len() == 1 && same_id(&u.assigned_licenses[0].sku_id, &e1))
        .filter(|u| u.license_assignment_states.iter().all(|s| s.assigned_by_group.is_none()))
        .filter(|u| {
            u.license_assignment_states.iter().all(|s| s.error.as_deref().is_none_or(|e| e == "None"))
        })
        .map(|u| u.id.clone())
        .take(setup.swaps)
        .collect();
    if only_direct.len() < setup.swaps {
        return Err(format!(
            "a {}-user tenant has only {} direct-only E1 holders; raise the tenant size",
            setup.tenant_users,
            only_direct.len()
        ));
    }
    let request = PlanRequest {
        source: "STANDARDPACK".into(),
        target: "ENTERPRISEPACK".into(),
        scope: Scope::Users(only_direct),
        options: PlanOptions::default(),
    };
    let p = plan(&snap, &request).map_err(|e| e.to_string())?;
    let direct =
        p.actions().filter(|a| a.kind == ActionKind::Swap && a.target.kind == TargetKind::User).count();
    if direct != setup.swaps || p.actions().count() != setup.swaps {
        return Err(format!("the plan has {direct} direct swaps of {} actions", p.actions().count()));
    }
    Ok((server, p))
}

pub struct ApplyRun {
    pub actions: usize,
    pub secs: f64,
    pub requests: u64,
    pub throttled: u64,
    /// Actions not done (failed, stale or left) plus writes the simulator did not record once.
    pub lost: u64,
}

/// licswap's executor with its default settings ($batch of 20, 4 in flight, Retry-After).
pub fn run_executor(sim_server: &Path, setup: &ApplySetup) -> Result<ApplyRun, String> {
    let (server, plan) = prepare(sim_server, setup)?;
    let n = plan.actions().count();
    let c = client(&server.graph_base(), false)?;
    let api = GraphLicenseApi::new(&c);
    let store = MemoryStore::new();
    let clock = *c.clock();
    let cfg = ApplyConfig { refuse_blockers: false, ..ApplyConfig::default() };
    let ex = Executor::new(&api, &clock, &store, cfg, Control::new());
    let start = clock.now_ms();
    let mut done_at = None;
    let report = futures::executor::block_on(ex.run(&plan, &mut |p| {
        if p.status == RunStatus::Running && p.counts.done == n && done_at.is_none() {
            done_at = Some(clock.now_ms());
        }
    }))
    .map_err(|e| format!("{e:?}"))?;
    let end = done_at.unwrap_or_else(|| clock.now_ms());
    let counts = report.journal.counts();
    let writes = server.stats()?["licenseWrites"].as_u64().unwrap_or(0);
    let not_done = (n - counts.done) as u64;
    let lost = not_done + writes.abs_diff(n as u64);
    if report.outcome != RunOutcome::Completed {
        eprintln!("apply: {:?}: {:?}", report.outcome, report.notes);
    }
    let s = c.stats();
    Ok(ApplyRun {
        actions: n,
        secs: (end - start) as f64 / 1000.0,
        requests: s.requests,
        throttled: s.throttled,
        lost,
    })
}

/// The PowerShell way (`Set-MgUserLicense` in a loop): one `POST /users/{id}/assignLicense` at a
/// time, no `$batch`, waiting `Retry-After` on 429 as the Graph SDK's retry handler does. Runs the
/// first `sample` actions of the plan (at this pace the full plan would take minutes).
pub fn run_sequential(sim_server: &Path, setup: &ApplySetup, sample: usize) -> Result<ApplyRun, String> {
    let (server, plan) = prepare(sim_server, setup)?;
    let http = HttpTransport::new();
    let base = server.graph_base();
    let actions: Vec<&Action> = plan.actions().take(sample).collect();
    let (mut requests, mut throttled, mut failed) = (0u64, 0u64, 0u64);
    let start = Instant::now();
    for a in &actions {
        let body = serde_json::to_string(&a.body).map_err(|e| e.to_string())?;
        let url = format!("{base}/users/{}/assignLicense", a.target.id);
        loop {
            requests += 1;
            let resp = http.send_blocking(&HttpRequest::post_json(url.as_str(), body.as_str()));
            match resp {
                Ok(r) if r.status == 429 => {
                    throttled += 1;
                    let secs = r.header("Retry-After").and_then(|s| s.parse::<u64>().ok()).unwrap_or(1);
                    std::thread::sleep(Duration::from_secs(secs));
                }
                Ok(r) if r.is_success() => break,
                _ => {
                    failed += 1;
                    break;
                }
            }
        }
    }
    let secs = start.elapsed().as_secs_f64();
    let writes = server.stats()?["licenseWrites"].as_u64().unwrap_or(0);
    let lost = failed + writes.abs_diff(actions.len() as u64);
    Ok(ApplyRun { actions: actions.len(), secs, requests, throttled, lost })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_ceiling_admits_the_burst_then_the_sustained_rate() {
        let s =
            ApplySetup { swaps: 10_000, tenant_users: 1, writes_per_sec: 200, latency_ms: (0, 0), seed: 1 };
        assert_eq!(s.burst(), 2_000.0);
        // 10,000 writes in 40 s is exactly what the bucket admits: 2,000 + 200/s x 40 s.
        assert!((s.fraction_of_ceiling(10_000, 40.0) - 1.0).abs() < 1e-9);
        assert!((s.fraction_of_ceiling(5_000, 40.0) - 0.5).abs() < 1e-9);
    }
}
