//! One scenario: a generated tenant, an E1 -> E3 plan of every holder, interference from other
//! admins after the preview, then apply runs (page loads) until the journal is finished: each
//! run may crash at a seeded request; a run that ends with retryable failures is followed by the
//! admin's "retry failed" (`reopen_retryable`) and another run, as the app offers.
use super::check::{check_run, Outcome};
use super::rig::{run_until_crash, Bursts, FaultTransport, SimSignIn};
use super::Row;
use licswap_core::apply::{
    ApplyConfig, Control, EntryState, Executor, GraphLicenseApi, JournalStore, MemoryStore, RunOutcome,
};
use licswap_core::graph::clock::VirtualClock;
use licswap_core::graph::http::Clock;
use licswap_core::graph::{ClientConfig, GraphClient};
use licswap_core::model::{AssignLicenseBody, AssignedLicense};
use licswap_core::plan::{ActionKind, Plan, PlanOptions, PlanRequest, Scope, TargetKind};
use licswap_planner::plan;
use licswap_sim::fixtures::{self, FIXTURE_EPOCH_MS};
use licswap_sim::rng::Rng;
use licswap_sim::tenant::StoredLicense;
use licswap_sim::{licensing, Sim, SimConfig};
use std::cell::RefCell;
use std::collections::HashMap;
use std::rc::Rc;

/// What other admins do between the preview and the apply.
#[derive(Clone, Debug, PartialEq)]
pub enum Interference {
    None,
    /// This fraction of the direct swaps' users is changed by someone else: half get the swap done
    /// by hand, half get E3 added beside E1.
    Stale {
        fraction: f64,
    },
    /// The target SKU's seats are cut so that only this fraction of the direct swaps still fits
    /// (another admin used them, or the subscription shrank).
    SeatsCut {
        keep_fraction: f64,
    },
}

#[derive(Clone, Debug)]
pub struct Scenario {
    pub name: &'static str,
    pub seed: u64,
    /// Users in the generated tenant (about 43% of them become operations).
    pub users: usize,
    pub sim: SimConfig,
    pub bursts: Option<Bursts>,
    /// Graph requires tokens (with the simulator's token lifetime); the client renews through
    /// the token endpoint with the refresh token.
    pub sign_in: bool,
    /// Page crashes at seeded requests, each followed by a reload that resumes from the journal.
    pub crashes: usize,
    pub interference: Interference,
    /// Page loads at most (crashes included) before the scenario gives up.
    pub max_runs: usize,
}

impl Scenario {
    pub fn new(name: &'static str, seed: u64) -> Self {
        Scenario {
            name,
            seed,
            users: 2_600,
            sim: SimConfig { seed, ..SimConfig::test() },
            bursts: None,
            sign_in: false,
            crashes: 0,
            interference: Interference::None,
            max_runs: 8,
        }
    }
}

const E1: &str = "STANDARDPACK";
const E3: &str = "ENTERPRISEPACK";

fn make_plan(sim: &Sim) -> Plan {
    let request = PlanRequest {
        source: E1.into(),
        target: E3.into(),
        scope: Scope::AllHolders,
        options: PlanOptions::default(),
    };
    plan(&sim.snapshot(), &request).expect("plan")
}

/// Someone else changes targets after the preview; returns each changed target's own licenses
/// as they left them.
fn interfere(s: &Scenario, sim: &mut Sim, plan: &Plan, now: u64) -> HashMap<String, Vec<StoredLicense>> {
    let mut changed = HashMap::new();
    let mut rng = Rng::new(s.seed ^ 0x0DD5);
    let direct: Vec<_> =
        plan.actions().filter(|a| a.kind == ActionKind::Swap && a.target.kind == TargetKind::User).collect();
    match s.interference {
        Interference::None => {}
        Interference::Stale { fraction } => {
            let e3 = sim.tenant().skus[sim.tenant().sku_ix(E3).unwrap() as usize].sku_id.clone();
            for a in direct {
                if !rng.chance(fraction) {
                    continue;
                }
                let t = sim.tenant_mut();
                let u = t.user_ix(&a.target.id).expect("target exists");
                let by_hand = if rng.chance(0.5) {
                    AssignLicenseBody::clone(&a.body)
                } else {
                    let add = AssignedLicense { sku_id: e3.as_str().into(), disabled_plans: vec![] };
                    AssignLicenseBody { add_licenses: vec![add], remove_licenses: vec![] }
                };
                // A change Graph refuses (say, no usage location) is no change.
                if licensing::assign_user(t, u, &by_hand, now).is_err() {
                    continue;
                }
                changed.insert(
                    format!("users/{}", a.target.id.to_ascii_lowercase()),
                    t.users[u as usize].direct.clone(),
                );
            }
        }
        Interference::SeatsCut { keep_fraction } => {
            let t = sim.tenant_mut();
            let e3 = t.sku_ix(E3).unwrap() as usize;
            let keep = (direct.len() as f64 * keep_fraction) as i64;
            t.skus[e3].prepaid_enabled = t.skus[e3].consumed + keep;
        }
    }
    changed
}

/// Runs the scenario and checks it; the row for the table and the checks' findings.
pub fn run_scenario(s: &Scenario) -> (Row, Outcome) {
    let mut tenant = fixtures::generate(s.seed, s.users);
    tenant.record_history = true;
    tenant.add_sku(E3, s.users as i64 * 2).expect("catalog SKU");
    let sim = Rc::new(RefCell::new(Sim::new(tenant, s.sim.clone())));
    let clock = VirtualClock::new(FIXTURE_EPOCH_MS);
    let plan = make_plan(&sim.borrow());
    let operations = plan.actions().count();
    let untouchable = interfere(s, &mut sim.borrow_mut(), &plan, clock.now_ms());
    let sign_in = s.sign_in.then(|| SimSignIn::sign_in(sim.clone(), clock.clone()).expect("sign-in"));

    let mut rng = Rng::new(s.seed ^ 0xC4A5);
    let mut row = Row { scenario: s.name.into(), operations, ..Row::default() };
    let mut store = MemoryStore::new();
    let config = ApplyConfig { refuse_blockers: false, ..ApplyConfig::default() };
    let mut finished = false;
    let mut retry_rounds = 0;
    for run in 0..s.max_runs {
        row.runs += 1;
        let mut transport = FaultTransport::new(sim.clone(), clock.clone(), s.bursts);
        let crash = row.crashes < s.crashes;
        if crash {
            // Somewhere in what is left: about two requests (a read-back and a write) per batch
            // of 20 operations still open, plus the group processing reads.
            let open = store
                .load()
                .ok()
                .flatten()
                .map_or(operations, |j| j.entries.values().filter(|e| !e.state.is_terminal()).count());
            let requests = 2 * open.div_ceil(20) as u64 + 4;
            transport = transport.crash_at(1 + rng.below(requests), rng.chance(0.5));
        }
        let (crashed, lost) = (transport.crashed(), transport.lost_responses());
        let client_config = ClientConfig {
            base_url: "/v1.0".into(),
            jitter_seed: s.seed ^ run as u64,
            ..ClientConfig::default()
        };
        let mut client = GraphClient::new(transport, clock.clone(), client_config).expect("client");
        if let Some(tokens) = &sign_in {
            client = client.with_tokens(tokens.clone());
        }
        let api = GraphLicenseApi::new(&client);
        let ex = Executor::new(&api, &clock, &store, config.clone(), Control::new());
        let result = run_until_crash(ex.run(&plan, &mut |_| {}), &crashed);
        row.retries += client.stats().retries;
        row.lost_responses += lost.get();
        match result {
            None => {
                row.crashes += 1;
                // The reload reads the journal back from storage, as a new page would.
                let saved = store.json();
                store = MemoryStore::new();
                if let Some(json) = saved {
                    store.put_json(json);
                }
            }
            Some(Err(e)) => panic!("{}: run {run} stopped: {e}", s.name),
            Some(Ok(report)) => {
                let retryable = report
                    .journal
                    .entries
                    .values()
                    .any(|e| matches!(e.state, EntryState::Failed { retryable: true, .. }));
                // The admin's "retry failed" twice at most: what still fails then stays reported.
                if report.outcome == RunOutcome::Completed && (!retryable || retry_rounds >= 2) {
                    finished = true;
                    break;
                }
                if report.outcome == RunOutcome::Completed {
                    retry_rounds += 1;
                }
                let mut j = store.load().expect("load").expect("journal");
                j.reopen_retryable(clock.now_ms());
                store.save(&j).expect("save");
            }
        }
    }
    // Let any group processing still queued finish before reading the tenant.
    clock.advance(3_600_000);
    sim.borrow_mut().advance(clock.now_ms());
    let journal = store.load().expect("load").expect("journal");
    row.retries += journal.entries.values().map(|e| u64::from(e.attempts.saturating_sub(1))).sum::<u64>();
    row.read_back = journal
        .entries
        .values()
        .filter(|e| {
            e.note.as_deref().is_some_and(|n| {
                n.starts_with("outcome was unknown") || n.starts_with("Graph's answer was a refusal")
            })
        })
        .count();
    let sim = sim.borrow();
    row.throttled = sim.stats.throttled;
    row.server_errors = sim.stats.injected_5xx;
    row.token_renewals = sign_in.map_or(0, |t| t.renewals.get());
    let mut outcome = check_run(&plan, &journal, &sim, &untouchable);
    if !finished {
        outcome.problems.push(format!("not finished after {} page loads", s.max_runs));
    }
    row.done = outcome.done;
    row.failed = outcome.failed;
    row.stale = outcome.stale;
    row.lost = outcome.lost;
    row.duplicated = outcome.duplicated;
    row.service_losses = outcome.service_losses;
    (row, outcome)
}
