//! The benchmark table and BENCHMARKS.md, from the measurements' `RESULT` lines.
use super::Res;

const PLAN_BUDGET_MS: f64 = 60.0;
/// Wasm memory for 100,000 users, the tenant included.
const PLAN_MEMORY_BUDGET: f64 = 80.0 * 1024.0 * 1024.0;
const BUNDLE_BUDGET_GZ: f64 = 300.0 * 1024.0;
/// The first download of a configured tenant (config.json present: no demo simulator needed).
const CONFIGURED_BUNDLE_BUDGET_GZ: f64 = 200.0 * 1024.0;
/// Wizard to rendered preview of 100,000 holders: on localhost, and at Graph's pace.
const PREVIEW_LOCAL_BUDGET_MS: f64 = 1_500.0;
const PREVIEW_PACED_BUDGET_MS: f64 = 20_000.0;
/// A million users: the planner call in the page, and wasm memory + JS heap at the peak.
const MILLION_PLAN_BUDGET_MS: f64 = 1_000.0;
const MILLION_MEMORY_BUDGET: f64 = 800.0 * 1024.0 * 1024.0;
const APPLY_BUDGET: f64 = 0.90;
/// First interactive on localhost, in both modes.
const INTERACTIVE_BUDGET_MS: f64 = 150.0;

fn find<'a>(rs: &'a [Res], name: &str, users: Option<u64>) -> Option<&'a Res> {
    rs.iter().find(|r| r.name == name && users.is_none_or(|u| r.get("users") == u.to_string()))
}

fn kb(bytes: f64) -> String {
    format!("{:.1} KB", bytes / 1024.0)
}

fn mb(bytes: f64) -> String {
    format!("{:.0} MB", bytes / 1024.0 / 1024.0)
}

/// The first of a browser plan row's samples: the page's first planner call, the admin's first
/// preview; "?" when the row has no samples. With the app's warm-up (a throwaway plan of a small
/// cut of the tenant once it is read, src/planning.rs) its time too: without it V8 runs the
/// first call before it has optimized the planner (two to four times the later calls).
fn first_call(b: &Res) -> String {
    let first = match b.get("samples_ms").split(',').next().and_then(|x| x.parse::<f64>().ok()) {
        Some(ms) => format!("{ms:.1} ms"),
        None => "?".into(),
    };
    match warm_up_ms(b) {
        Some(w) => format!("{first}, after the app's warm-up plan of {w:.1} ms"),
        None => first,
    }
}

/// The app's warm-up plan on a result line (src/planning.rs); older lines have none, or NaN.
fn warm_up_ms(r: &Res) -> Option<f64> {
    r.get("warm_up_ms").parse::<f64>().ok().filter(|w| w.is_finite())
}

fn met(ok: bool) -> &'static str {
    if ok {
        "met"
    } else {
        "**missed**"
    }
}

/// The markdown table: one row per figure, with its budget where the issue sets one.
pub fn table(rs: &[Res], runs: u32, browser_runs: u32) -> String {
    let mut rows: Vec<[String; 3]> = Vec::new();
    let mut row = |what: String, figure: String, budget: String| rows.push([what, figure, budget]);
    for n in super::SIZES {
        let users = format!("{n}")
            .as_bytes()
            .rchunks(3)
            .rev()
            .map(|c| std::str::from_utf8(c).unwrap_or(""))
            .collect::<Vec<_>>()
            .join(",");
        if let (Some(t), Some(m)) = (find(rs, "native-plan", Some(n)), find(rs, "plan-memory", Some(n))) {
            row(
                format!("Plan {users} users, native (criterion)"),
                format!(
                    "{:.2} ms; planner heap peak {} over the {} tenant; process peak RSS {}",
                    t.num("median_ms"),
                    mb(m.num("planner_heap_peak_bytes")),
                    mb(m.num("snapshot_heap_bytes")),
                    mb(m.num("peak_rss_bytes"))
                ),
                String::new(),
            );
        }
        if let Some(b) = find(rs, "browser-plan", Some(n)) {
            let ms = b.num("median_ms");
            let budget = if n == 100_000 {
                let mem = b.num("wasm_memory_bytes");
                format!(
                    "≤ {PLAN_BUDGET_MS} ms: {}; wasm ≤ {}: {}",
                    met(ms <= PLAN_BUDGET_MS),
                    mb(PLAN_MEMORY_BUDGET),
                    met(mem <= PLAN_MEMORY_BUDGET)
                )
            } else {
                String::new()
            };
            row(
                format!("Plan {users} users, browser WASM ({} actions)", b.get("actions")),
                format!(
                    "{ms:.1} ms (median of the calls; the page's first call {}); wasm memory {} (peak, tenant included); JS heap {}; once per tenant read: decoding the users' pages {:.0} ms, indexing them {:.0} ms",
                    first_call(b),
                    mb(b.num("wasm_memory_bytes")),
                    mb(b.num("js_heap_bytes")),
                    b.num("decode_ms"),
                    b.num("index_ms")
                ),
                budget,
            );
        }
        if let Some(b) = find(rs, "browser-plan-bundle", Some(n)) {
            row(
                format!(
                    "Plan {users} users, bundle swap (Office 365 E5 + EMS E3 -> Microsoft 365 E5 (no Teams) + Teams), browser WASM ({} actions)",
                    b.get("actions")
                ),
                format!(
                    "{:.1} ms; wasm memory {} (peak, tenant included); JS heap {}",
                    b.num("median_ms"),
                    mb(b.num("wasm_memory_bytes")),
                    mb(b.num("js_heap_bytes"))
                ),
                "beside the single swap (no budget of its own)".into(),
            );
        }
    }
    if let Some(b) = find(rs, "bundle", None) {
        // The budget is for what a cold load of the overview downloads; the other screens' chunks
        // (Leptos #[lazy], split by `cargo xtask split-wasm`) load when they are first opened.
        let first = b.num("first_gzip");
        // `prefix` picks the first download's fields (first_*) or every file's.
        let sizes = |prefix: &str, total: &str| {
            let n = |f: &str| kb(b.num(&format!("{prefix}{f}")));
            format!(
                "wasm {} ({} gz), js {} ({} gz): {} gzipped together",
                n("wasm_bytes"),
                n("wasm_gzip"),
                n("js_bytes"),
                n("js_gzip"),
                kb(b.num(total))
            )
        };
        row(
            "Release bundle, first download: wasm + js a cold load of the overview fetches".into(),
            sizes("first_", "first_gzip"),
            format!("≤ 300 KB gz (first download): {}", met(first <= BUNDLE_BUDGET_GZ)),
        );
        row(
            "Release bundle, all files: every .wasm and .js in dist/ (lazily loaded chunks included)".into(),
            sizes("", "total_gzip"),
            "judged on the first download".into(),
        );
    }
    let modes = [("paint", "demo tenant, its subscriptions on screen"), ("paint-configured", "configured tenant, the sign-in button")];
    for (name, mode) in modes {
        if let Some(p) = find(rs, name, None) {
            row(
                format!("First paint / first contentful / first interactive ({mode}; localhost, cold)"),
                format!(
                    "{} ms / {} ms / {} ms",
                    p.get("first_paint_ms"),
                    p.get("first_contentful_paint_ms"),
                    p.get("first_interactive_ms")
                ),
                format!("interactive ≤ 150 ms: {}", met(p.num("first_interactive_ms") <= INTERACTIVE_BUDGET_MS)),
            );
        }
    }
    if let Some(l) = find(rs, "load", None) {
        row(
            "Load a 100,000-user tenant from sim-server".into(),
            format!(
                "{} requests (fewest Graph paging allows: {}), {} ms wall; {} users read",
                l.get("requests"),
                l.get("minimum_requests"),
                l.get("wall_ms"),
                l.get("users_loaded")
            ),
            format!("fewest requests: {}", met(l.num("requests") <= l.num("minimum_requests"))),
        );
    }
    let paced: Vec<&Res> = rs.iter().filter(|r| r.name == "load-paced").collect();
    if !paced.is_empty() {
        let wall = |partitioned: &str| {
            let mut v: Vec<f64> =
                paced.iter().filter(|r| r.get("partitioned") == partitioned).map(|r| r.num("wall_ms")).collect();
            v.sort_by(f64::total_cmp);
            let samples = v.iter().map(|x| format!("{x:.0}")).collect::<Vec<_>>().join(", ");
            (v.get(v.len() / 2).copied().unwrap_or(f64::NAN), samples)
        };
        let requests = |partitioned: &str| {
            paced.iter().find(|r| r.get("partitioned") == partitioned).map_or("?", |r| r.get("requests"))
        };
        let ((one, one_s), (parts, parts_s)) = (wall("false"), wall("true"));
        row(
            "Load 100,000 users at Graph's pace (sim-server --latency-ms 300-800, resource units on), natively".into(),
            format!(
                "one query: {one:.0} ms ({} requests; {one_s}); first-character partitions, 6 in flight: {parts:.0} ms ({} requests; {parts_s})",
                requests("false"),
                requests("true")
            ),
            String::new(),
        );
    }
    for p in rs.iter().filter(|r| r.name == "preview") {
        let total = p.num("total_ms");
        let users = p.num("users");
        let paced = p.get("latency_ms") != "0";
        let memory = p.num("wasm_memory_bytes") + p.num("js_heap_bytes");
        let what = format!(
            "Wizard to rendered preview, {} users, {}",
            if users >= 1e6 { "1,000,000" } else { "100,000" },
            if paced { "at Graph's pace (300-800 ms per request)" } else { "localhost" }
        );
        // The admin's wait for the app (source picked to holders shown, Preview clicked to the
        // first row painted); the scripted walk's wall clock beside it includes Playwright's
        // own steps and polling. Older result lines have no wait: the walk stands for it.
        let wait = if p.get("wait_ms") == "?" { total } else { p.num("wait_ms") };
        // The app's warm-up plan, made while the admin chooses.
        let warm_up = warm_up_ms(p).map_or(String::new(), |w| format!(" after a warm-up of {w:.1} ms"));
        let figure = format!(
            "{wait:.0} ms of waiting for the app ({total:.0} ms for the scripted walk; load {} ms, indexing {} ms, plan {} ms{warm_up}; {} rows); wasm memory {}, JS heap {}",
            p.get("load_ms"),
            p.get("index_ms"),
            p.get("plan_ms"),
            p.get("rows"),
            mb(p.num("wasm_memory_bytes")),
            mb(p.num("js_heap_bytes"))
        );
        let budget = if users >= 1e6 {
            let plan = p.num("plan_ms");
            format!(
                "plan ≤ 1 s: {}; wasm + JS heap ≤ {}: {}",
                met(plan <= MILLION_PLAN_BUDGET_MS),
                mb(MILLION_MEMORY_BUDGET),
                met(memory <= MILLION_MEMORY_BUDGET)
            )
        } else if paced {
            format!("≤ {:.0} s: {}", PREVIEW_PACED_BUDGET_MS / 1000.0, met(wait <= PREVIEW_PACED_BUDGET_MS))
        } else {
            format!("≤ {:.1} s: {}", PREVIEW_LOCAL_BUDGET_MS / 1000.0, met(wait <= PREVIEW_LOCAL_BUDGET_MS))
        };
        row(what, figure, budget);
    }
    if let Some(b) = find(rs, "bundle-configured", None) {
        let first = b.num("first_gzip");
        row(
            "First download, configured tenant (config.json present): wasm + js until the sign-in screen".into(),
            format!("{} gzipped ({})", kb(first), b.get("first_files")),
            format!("≤ 200 KB gz: {}", met(first <= CONFIGURED_BUNDLE_BUDGET_GZ)),
        );
    }
    for (name, what) in [
        ("apply", "Apply 10,000 direct swaps (licswap)"),
        ("sequential", "Same, one request at a time (PowerShell-style baseline)"),
    ] {
        if let Some(a) = find(rs, name, None) {
            let f = a.num("fraction");
            let figure = if name == "apply" {
                format!(
                    "{} ops/s ({} s for {} swaps, the {}-write burst included): {:.0}% of what the {}/s ceiling admits; {} lost",
                    a.get("ops_per_s"),
                    a.get("secs"),
                    a.get("actions_run"),
                    a.get("burst"),
                    f * 100.0,
                    a.get("ceiling_per_s"),
                    a.get("lost_total")
                )
            } else {
                format!(
                    "{} ops/s (measured on {} swaps, {} s): at that pace the {} swaps reach {:.0}% of what the {}/s ceiling admits; {} lost",
                    a.get("ops_per_s"),
                    a.get("actions_run"),
                    a.get("secs"),
                    a.get("swaps"),
                    f * 100.0,
                    a.get("ceiling_per_s"),
                    a.get("lost_total")
                )
            };
            row(
                what.into(),
                figure,
                if name == "apply" {
                    format!("≥ 90%, 0 lost: {}", met(f >= APPLY_BUDGET && a.num("lost_total") == 0.0))
                } else {
                    "baseline".into()
                },
            );
        }
    }
    let mut out = format!(
        "Medians over {runs} runs (browser figures over {browser_runs}; criterion's own sampling natively).\n\n\
         | Measure | Figure | Budget |\n| --- | --- | --- |\n"
    );
    for [a, b, c] in rows {
        out.push_str(&format!("| {a} | {b} | {c} |\n"));
    }
    out
}

/// Everything from this line on in BENCHMARKS.md is written by hand (analysis of the figures) and
/// kept when the file is regenerated.
pub const NOTES_MARKER: &str = "<!-- Notes below are written by hand; cargo xtask bench keeps them. -->";

/// The hand-written notes of an existing BENCHMARKS.md, marker included ("" when none).
pub fn kept_notes(existing: &str) -> &str {
    existing.find(NOTES_MARKER).map_or("", |i| &existing[i..])
}

pub fn document(table: &str, machine: &[(&str, String)], secs: u64, notes: &str) -> String {
    let mut m = String::new();
    for (k, v) in machine {
        m.push_str(&format!("- {k}: {v}\n"));
    }
    format!(
        "# Benchmarks\n\n\
         Written by `cargo xtask bench` ({secs} s for the whole run, builds included). Re-run it to \
         refresh this file.\n\n{table}\n## Machine\n\n{m}\n{METHOD}\n{notes}"
    )
}

const METHOD: &str = "## How each figure is measured

- **Planning, native**: `crates/planner/benches/plan.rs` (criterion, 20 samples) on
  `licswap_planner::testgen::tenant(N, 1)`, Office 365 E1 -> E3 for every holder. Memory: `licswap-bench
  plan-memory`, one run under a counting allocator (the planner's own heap peak above the tenant)
  and the process's peak RSS (`VmHWM`, reset before the call).
- **Planning, browser**: the release build in headless Chromium; the same tenants (written by
  `licswap-bench snapshot` as Graph pages of SKUs, users and groups, plus member lists) are fetched
  by the page and handed to `licswap_bench_plan` (src/bench_hook.rs, exported by the release
  build: 3 KB raw, under 0.1 KB gzipped), the users as Graph's pages of 999, which it decodes one
  at a time as the app reads Graph (timed on its own: decoding the users' pages); then it indexes
  them once, as the app does when it has read a tenant (`licswap_planner::Indexed`: the users'
  GUIDs and license rows, which every plan of the tenant reads; timed on its own: indexing); it
  makes the app's warm-up, as the app does once it has read a tenant (a throwaway plan of a small
  cut of the tenant, its first 1,000 users: src/planning.rs; shown beside the first call), and
  times only the planner call with `performance.now()`. The planner is in a lazily loaded chunk
  (`#[lazy]`): a call with an empty tenant loads it first, and the clock runs inside the chunk in
  any case. Memory: the wasm linear memory after the runs (it never shrinks, so it is its peak,
  the parsed tenant included) and `performance.memory.usedJSHeapSize` after `gc()`
  (`--enable-precise-memory-info`, `--expose-gc`; it holds the pages' JSON text).
- **Bundle**: the release build in dist/ (wasm split by `cargo xtask split-wasm` after trunk, then
  wasm-opt), raw and gzip -9 per file. First download: the `.wasm` and `.js` files the browser
  fetches on a cold load of the overview (its network log, until the first subscription card
  shows and the network is idle: in demo mode that includes the simulator's files, asked for once
  the first screen is painted); all files: every `.wasm` and `.js` in dist/.
- **Paint**: a fresh browser context per run (cold cache), the app served from 127.0.0.1; first
  paint and first contentful paint from `performance.getEntriesByType('paint')`; first interactive
  is when the demo tenant's overview shows its first subscription card (a MutationObserver
  installed before any of the page's scripts), i.e. the app is booted, has read the tenant's
  subscriptions (the demo tenant's first answer is a recording, src/transport/demo_first.rs; its
  simulator loads after that screen) and answers clicks; configured (config.json present), when
  the sign-in button is there. The demo paints its shell with the subscriptions (src/first_screen.rs),
  so its first contentful paint is the subscriptions' paint, after the mark. The mark
  tells the bench through a Playwright binding and the bench waits for the navigation only until
  it commits: waiting with `page.waitForFunction` made Playwright evaluate its own script in the
  page, about 10 ms of the main thread during the app's start. 15 cold loads per mode at least
  (the median of the first screens, which vary by tens of milliseconds from one load to the next).
- **Load**: `licswap-bench load`: licswap-core's `GraphClient::load_snapshot` over real HTTP
  (ureq, up to 4 requests in flight) against `sim-server --users 100000` with Graph's throttling;
  the fewest requests are one `$batch` for SKUs and tenant name, holders and groups in pages of
  999, member pages 20 to a `$batch`, and members without the SKU 20 to a `$batch`.
- **Wizard to rendered preview**: `tests/e2e/bench/preview.mjs`: the test build in headless
  Chromium, signed in to `sim-server --users N` built for speed (Cargo.toml's `sim-server`
  profile; at Graph's pace: `--latency-ms 300-800`, resource units on), Office 365 E1 -> E3 for
  all holders. The first figure is what the admin waits for the app: from picking the source
  (the holders' read starts) to the holders' count on screen, plus from clicking Preview to the
  frame that paints the first row, taken in the page by listeners installed before its scripts;
  the budget is judged on it. The scripted
  walk's wall clock is beside it: it adds the admin's own steps (choosing the target, ticking the
  first wave) as Playwright performs them, and Playwright's polling. Load, indexing (the users,
  once the tenant is read), plan and rows are the page's own User Timing entries (`src/timing.rs`).
  On localhost, at 100,000 users and at a million, each figure is the median of the runs (a
  million users' plan took 712 and 1,068 ms in single runs of the same code); at Graph's pace,
  one run.
- **Apply**: `licswap-bench apply`: a fresh `sim-server --users 30000` per run; the tenant is read
  over HTTP, 10,000 users holding E1 directly (and nothing through a group) are planned E1 -> E3,
  and licswap-core's executor runs the plan with its defaults ($batch of 20, 4 in flight, journal,
  Retry-After). Graph's write limit (3,000 per 150 s = 20 writes/s per app and tenant) and request
  latency are modelled at ten times Graph's pace so a run takes under a minute: sim-server's
  ceiling is 200 writes/s with a 10-second burst (`--throttle-per-sec 200`), and each HTTP request
  (a `$batch` counts once) waits 15-25 ms (`--latency-ms 15-25`, standing for 150-250 ms at
  Graph's pace). The fraction is the writes done over the most the token bucket admits in the
  same time (burst + ceiling x seconds); lost = actions not done + writes sim-server did not
  record exactly once.
- **Baseline**: `licswap-bench sequential`: the same plan done as a PowerShell script does it
  (`Set-MgUserLicense` in a loop): one `POST /users/{id}/assignLicense` at a time, no `$batch`,
  waiting Retry-After on 429. It is measured on the first 500 swaps and its rate extrapolated to
  the 10,000 with the same fraction formula (the full run would take minutes at that pace).
";
