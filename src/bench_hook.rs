//! The planner benchmark's hook into the release build (`cargo xtask bench`, see
//! tests/e2e/bench/browser.mjs): the page hands in a tenant generated natively (licswap-bench
//! `snapshot`, the same tenant as the native criterion bench), and only the planner call is
//! timed. The tenant comes as Graph pages (`{"value":[…]}` of subscribedSkus, users and groups),
//! which the app's Graph client already decodes, plus group members as text: the hook adds no
//! decoder and no generator to the bundle (3 KB raw, under 0.1 KB gzipped, measured).
//! The planner itself is called through a `#[lazy]` function, so it lives in a chunk loaded on
//! demand (the first-download budget, ARCHITECTURE.md: the first download keeps only what the
//! overview needs); the page makes one
//! warm-up call first, which loads that chunk, and only the planner call is ever timed.
use leptos::prelude::lazy;
use licswap_core::model::{Group, Page, SubscribedSku, User};
use licswap_core::plan::{PlanOptions, PlanRequest, Scope, Snapshot, SnapshotGroup};
use wasm_bindgen::prelude::*;

fn page<T: serde::de::DeserializeOwned>(json: &str, what: &str) -> Result<Vec<T>, JsValue> {
    serde_json::from_str::<Page<T>>(json)
        .map(|p| p.value)
        .map_err(|e| JsValue::from_str(&format!("{what}: {e}")))
}

/// The users, from Graph-sized pages handed over one at a time: the wasm heap holds one page's
/// text beside the decoded users, as when the app reads Graph, and never the whole tenant's JSON.
fn user_pages(pages: Vec<JsValue>) -> Result<Vec<User>, JsValue> {
    // Sized once, as the app sizes each partition from Graph's count.
    let mut users = Vec::with_capacity(pages.len() * 999);
    for p in pages {
        let text = p.as_string().ok_or_else(|| JsValue::from_str("users: a page is not text"))?;
        users.extend(page::<User>(&text, "users")?);
    }
    Ok(users)
}

/// Plans Office 365 E1 -> E3 for every holder `runs` times, after the app's warm-up; returns
/// `{"decodeMs":D,"warmUpMs":W,"indexMs":I,"actions":N,"timesMs":[…]}` (W null without a warm-up:
/// a tenant with no SKU to move to).
/// With `bundle`, the bundle swap of testgen's bundle tenant instead: Office 365 E5 + Enterprise
/// Mobility + Security E3 -> Microsoft 365 E5 EEA (no Teams) + Microsoft Teams EEA (two sources,
/// two targets; crates/bench checks the request is testgen's).
/// `users` is a list of pages (`{"value":[…]}` of up to 999 users each, as Graph sends them).
/// `members` has one line per group, its member ids separated by spaces, in `groups` order.
/// Decoding and indexing (licswap_planner::Indexed, as the app does once the tenant is read)
/// happen before the first timed run, and are timed on their own: the runs time only the plan.
/// Returns a Promise: the planner's chunk may have to be fetched first (not timed).
#[wasm_bindgen]
pub async fn licswap_bench_plan(
    skus: String,
    users: Vec<JsValue>,
    groups: String,
    members: String,
    runs: u32,
    bundle: Option<bool>,
) -> Result<String, JsValue> {
    let mut lines = members.lines();
    let groups = page::<Group>(&groups, "groups")?
        .into_iter()
        .map(|group| {
            let member_ids = lines.next().unwrap_or("").split_whitespace().map(str::to_string).collect();
            SnapshotGroup { group, member_ids }
        })
        .collect();
    let now = || web_sys::window().and_then(|w| w.performance()).map_or(0.0, |p| p.now());
    // Decoding the users is timed on its own (`decodeMs`): it is most of what the page does with
    // a large tenant's pages as they arrive.
    let start = now();
    let users = user_pages(users)?;
    let decode_ms = now() - start;
    let snapshot = Snapshot { tenant_name: None, skus: page::<SubscribedSku>(&skus, "skus")?, users, groups };
    // The app's warm-up, as the app makes it once it has read a tenant (src/loads.rs): a
    // throwaway plan of a small cut of the tenant, then the admin's moment before the first
    // preview (see ADMIN_PAUSE_MS), in which the browser optimizes the planner's code.
    let bundle = bundle.unwrap_or(false);
    let (snapshot, warmed) = warm_up_on(snapshot, bundle).await;
    let warm_up_ms = match warmed.map_err(|e| JsValue::from_str(&e))? {
        Some(ms) => {
            gloo_timers::future::TimeoutFuture::new(ADMIN_PAUSE_MS).await;
            format!("{ms:.3}")
        }
        None => "null".into(),
    };
    let out = plan_runs(snapshot, bundle, runs).await.map_err(|e| JsValue::from_str(&e))?;
    Ok(format!("{{\"decodeMs\":{decode_ms:.3},\"warmUpMs\":{warm_up_ms},{}", &out[1..]))
}

/// Between the holders' count on screen (the warm-up follows it at once) and the click on Preview,
/// an admin takes longer than this. Chromium optimizes the planner's code on other threads and
/// installs it between tasks: at 100,000 users the first timed call took 104 to 118 ms after a
/// pause of 0 or 20 ms, 64 to 71 ms after 100 or 500 ms, and the calls after it 39 to 48 ms.
const ADMIN_PAUSE_MS: u32 = 300;

/// The benchmark's request: Office 365 E1 -> E3, or with `bundle` the bundle swap, for every holder.
fn bench_request(bundle: bool) -> PlanRequest {
    if bundle {
        PlanRequest {
            source: ["ENTERPRISEPREMIUM", "EMS"].into(),
            target: ["O365_w/o_Teams_Bundle_M5", "Microsoft_Teams_EEA_New"].into(),
            scope: Scope::AllHolders,
            options: PlanOptions::default(),
        }
    } else {
        PlanRequest {
            source: "STANDARDPACK".into(),
            target: "ENTERPRISEPACK".into(),
            scope: Scope::AllHolders,
            options: PlanOptions::default(),
        }
    }
}

/// The app's warm-up on `snapshot` (src/planning.rs), timed; the snapshot comes back for the
/// timed runs. In a lazily loaded unit of its own, as the runs are: the first download keeps
/// none of the benchmark's code beyond its entry point. None: no SKU to move to, no warm-up.
#[lazy]
fn warm_up_on(snapshot: Snapshot, bundle: bool) -> (Snapshot, Result<Option<f64>, String>) {
    let request = bench_request(bundle);
    let (sources, targets) = (request.source.as_slice(), request.target.as_slice());
    let Some(perf) = web_sys::window().and_then(|w| w.performance()) else {
        return (snapshot, Err("no performance".into()));
    };
    let start = perf.now();
    let warmed = crate::planning::warm_up(&snapshot, sources, targets);
    let ms = perf.now() - start;
    (snapshot, warmed.transpose().map(|planned| planned.map(|_| ms)))
}

/// The timed runs, in the planner's lazily loaded chunk: the clock starts only after it is loaded.
#[lazy]
fn plan_runs(snapshot: Snapshot, bundle: bool, runs: u32) -> Result<String, String> {
    let request = bench_request(bundle);
    let perf = web_sys::window().and_then(|w| w.performance()).ok_or_else(|| "no performance".to_string())?;
    let start = perf.now();
    let tenant = licswap_planner::Indexed::new(snapshot).map_err(|e| e.to_string())?;
    let index_ms = perf.now() - start;
    let mut times = Vec::new();
    let mut actions = 0;
    for _ in 0..runs.max(1) {
        let start = perf.now();
        let plan = tenant.plan(&request).map_err(|e| e.to_string())?;
        times.push(perf.now() - start);
        actions = plan.actions().count();
    }
    let times: Vec<String> = times.iter().map(|t| format!("{t:.3}")).collect();
    Ok(format!("{{\"indexMs\":{index_ms:.3},\"actions\":{actions},\"timesMs\":[{}]}}", times.join(",")))
}
