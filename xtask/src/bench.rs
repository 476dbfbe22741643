//! `cargo xtask bench`: builds what the benchmarks need, runs each measurement (every figure a
//! median over repeated runs), prints the table and writes it to BENCHMARKS.md with the machine
//! it ran on. The measurements themselves live in crates/bench (native: load, apply, baseline,
//! planner memory), crates/planner/benches/plan.rs (criterion) and tests/e2e/bench (the browser).
use crate::cmd::{output_of, root};
use crate::{cmd, tools};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Instant;

mod report;

const SIZES: [u64; 3] = [1_000, 10_000, 100_000];

/// What `--only` may name: the planner natively, the browser (bundle, paint, planner in the page),
/// the tenant load (fewest requests), the load at Graph's pace (one query against partitions),
/// apply throughput with its baseline, the preview at 100,000 users, and at a million.
const PARTS: &[&str] = &["native", "browser", "load", "paced", "apply", "preview", "million"];

/// Graph's pace as sim-server models it: each request waits 300 to 800 ms (`--latency-ms`).
const GRAPH_PACE: &str = "300-800";

/// One `RESULT <name> k=v …` line of a measurement.
#[derive(Debug)]
pub struct Res {
    name: String,
    f: BTreeMap<String, String>,
}

impl Res {
    fn get(&self, k: &str) -> &str {
        self.f.get(k).map(String::as_str).unwrap_or("?")
    }

    fn num(&self, k: &str) -> f64 {
        self.get(k).parse().unwrap_or(f64::NAN)
    }
}

fn parse_results(stdout: &str) -> Vec<Res> {
    stdout
        .lines()
        .filter_map(|l| l.strip_prefix("RESULT "))
        .map(|l| {
            let mut it = l.split_whitespace();
            let name = it.next().unwrap_or_default().to_string();
            let f = it.filter_map(|kv| kv.split_once('=')).map(|(k, v)| (k.into(), v.into())).collect();
            Res { name, f }
        })
        .collect()
}

/// Runs a command from the workspace root, stderr to the terminal, and returns its results.
fn measure(program: &str, args: &[String], env: &[(&str, String)], dir: &Path) -> Result<Vec<Res>, String> {
    let line = format!("{program} {}", args.join(" "));
    eprintln!("$ {line}");
    let mut c = Command::new(program);
    c.args(args).current_dir(dir).stderr(Stdio::inherit());
    for (k, v) in env {
        c.env(k, v);
    }
    let out = c.output().map_err(|e| format!("could not start `{line}`: {e}"))?;
    let stdout = String::from_utf8_lossy(&out.stdout);
    print!("{stdout}");
    if !out.status.success() {
        return Err(format!("`{line}` failed ({})", out.status));
    }
    Ok(parse_results(&stdout))
}

fn target_dir() -> PathBuf {
    std::env::var("CARGO_TARGET_DIR").map(PathBuf::from).unwrap_or(root().join("target"))
}

/// criterion's median (ms) for one size, from its estimates.json.
fn criterion_median_ms(users: u64) -> Result<f64, String> {
    let path = target_dir().join(format!("criterion/plan/e1_to_e3/{users}/new/estimates.json"));
    let text = std::fs::read_to_string(&path).map_err(|e| format!("{}: {e}", path.display()))?;
    median_ns(&text).map(|ns| ns / 1e6).map_err(|e| format!("{}: {e}", path.display()))
}

/// `median.point_estimate` of a criterion estimates.json (no JSON parser in xtask).
fn median_ns(estimates: &str) -> Result<f64, String> {
    let median = estimates.find("\"median\"").map(|i| &estimates[i..]).ok_or("no median")?;
    let key = "\"point_estimate\":";
    let pe = median.find(key).map(|i| &median[i + key.len()..]).ok_or("no point_estimate")?;
    let end = pe.find([',', '}']).unwrap_or(pe.len());
    pe[..end].trim().parse::<f64>().map_err(|e| format!("point_estimate: {e}"))
}

pub fn bench(args: &[String]) -> Result<(), String> {
    let mut runs = 3u32;
    let mut only: Option<Vec<String>> = None;
    let mut it = args.iter();
    while let Some(a) = it.next() {
        match a.as_str() {
            "--runs" => runs = it.next().and_then(|v| v.parse().ok()).ok_or("--runs needs a number")?,
            "--only" => {
                let list = it.next().ok_or("--only needs a list, e.g. preview,load")?;
                let parts: Vec<String> = list.split(',').map(|p| p.trim().to_string()).collect();
                if let Some(bad) = parts.iter().find(|p| !PARTS.contains(&p.as_str())) {
                    return Err(format!("bench: unknown part {bad} (one of {})", PARTS.join(", ")));
                }
                only = Some(parts);
            }
            other => return Err(format!("bench: unknown argument {other}")),
        }
    }
    let want = |part: &str| only.as_ref().is_none_or(|o| o.iter().any(|p| p == part));
    let started = Instant::now();
    let root = root();
    let target = target_dir();
    tools::ensure_test_tools()?;
    cmd::dist()?;
    cmd::build_sim_server(true)?;
    cmd::run(cmd::Cmd::new("cargo").args(["build", "--release", "-p", "licswap-bench"]))?;
    let sim = cmd::sim_server_path(&target, true).display().to_string();
    let bench_bin = target.join("release/licswap-bench").display().to_string();
    let r = runs.to_string();

    let mut results = Vec::new();
    // Planner, natively: criterion for time, one instrumented run per size for memory.
    if want("native") {
        cmd::run(cmd::Cmd::new("cargo").args(["bench", "-p", "licswap-planner", "--bench", "plan"]))?;
    }
    for n in SIZES.into_iter().filter(|_| want("native")) {
        let ms = criterion_median_ms(n)?;
        let f = [("users".to_string(), n.to_string()), ("median_ms".to_string(), format!("{ms:.2}"))];
        results.push(Res { name: "native-plan".into(), f: f.into() });
        results.extend(measure(
            &bench_bin,
            &["plan-memory".into(), "--users".into(), n.to_string()],
            &[],
            &root,
        )?);
    }

    // The browser: bundle, paint, planner in the page's WASM on the same tenants.
    let snaps = target.join("bench-snapshots");
    std::fs::create_dir_all(&snaps).map_err(|e| format!("{}: {e}", snaps.display()))?;
    for n in SIZES.into_iter().filter(|_| want("browser")) {
        let a =
            ["snapshot".into(), "--users".into(), n.to_string(), "--dir".into(), snaps.display().to_string()];
        measure(&bench_bin, &a, &[], &root)?;
    }
    // The bundle swap (two sources, two targets) at 100,000 users, beside the single swap's row.
    let a = ["snapshot", "--bundle", "--users", "100000", "--dir"].map(String::from);
    measure(&bench_bin, &[a.as_slice(), &[snaps.display().to_string()]].concat(), &[], &root)?;
    let dist = root.join("dist");
    let browser_runs = runs.max(5);
    let node_env = [
        ("LICSWAP_DIST", dist.display().to_string()),
        ("BENCH_SNAPSHOTS", snaps.display().to_string()),
        ("BENCH_RUNS", browser_runs.to_string()),
    ];
    let e2e = root.join("tests/e2e");
    if want("browser") {
        results.extend(measure("node", &["bench/browser.mjs".into()], &node_env, &e2e)?);
    }

    // Graph over HTTP: loading 100k users (fewest requests; then at Graph's pace, one query
    // against partitions), applying 10k direct swaps, the sequential baseline.
    let s = |v: &[&str]| v.iter().map(|x| x.to_string()).collect::<Vec<_>>();
    if want("load") {
        let load = ["load", "--sim", &sim, "--users", "100000", "--runs", &r];
        results.extend(measure(&bench_bin, &s(&load), &[], &root)?);
    }
    if want("paced") {
        // Alternating rounds, one load each: the machine's drift hits both alike.
        for _ in 0..runs {
            for partitioned in [false, true] {
                let mut a = s(&["load", "--sim", &sim, "--users", "100000", "--runs", "1", "--latency", GRAPH_PACE]);
                if partitioned {
                    a.push("--partitioned".into());
                }
                results.extend(measure(&bench_bin, &a, &[], &root)?);
            }
        }
    }
    if want("apply") {
        results.extend(measure(&bench_bin, &s(&["apply", "--sim", &sim, "--runs", &r]), &[], &root)?);
        results.extend(measure(&bench_bin, &s(&["sequential", "--sim", &sim, "--runs", &r]), &[], &root)?);
    }

    // The preview as the admin waits for it, in the test build signed in to sim-server: 100,000
    // users on localhost and at Graph's pace, and a million users on localhost.
    if want("preview") || want("million") {
        cmd::trunk_build_e2e()?;
        let preview = |users: &str, latency: &str, runs: &str| {
            let env = [
                ("LICSWAP_DIST", root.join(cmd::E2E_DIST).display().to_string()),
                ("LICSWAP_SIM_SERVER", sim.clone()),
                ("BENCH_USERS", users.to_string()),
                ("BENCH_LATENCY", latency.to_string()),
                ("BENCH_RUNS", runs.to_string()),
            ];
            measure("node", &["bench/preview.mjs".into()], &env, &e2e)
        };
        if want("preview") {
            results.extend(preview("100000", "", &r)?);
            results.extend(preview("100000", GRAPH_PACE, "1")?);
        }
        if want("million") {
            // As many runs as at 100,000 users: one run of a million users' plan is too noisy to
            // judge a budget on (712 and 1,068 ms in two full runs of the same code).
            results.extend(preview("1000000", "", &r)?);
        }
    }

    let table = report::table(&results, runs, browser_runs);
    println!("\n{table}");
    if only.is_some() {
        // Some rows only: the table above is this run's; BENCHMARKS.md keeps the whole run's.
        eprintln!("xtask: --only ran part of the benchmarks; BENCHMARKS.md left as it was");
        return Ok(());
    }
    let path = root.join("BENCHMARKS.md");
    let existing = std::fs::read_to_string(&path).unwrap_or_default();
    let doc =
        report::document(&table, &machine(), started.elapsed().as_secs(), report::kept_notes(&existing));
    std::fs::write(&path, doc).map_err(|e| format!("BENCHMARKS.md: {e}"))?;
    eprintln!("xtask: wrote BENCHMARKS.md ({} s)", started.elapsed().as_secs());
    Ok(())
}

/// Facts about the machine for the report.
fn machine() -> Vec<(&'static str, String)> {
    let read = |p: &str| std::fs::read_to_string(p).unwrap_or_default();
    let cpuinfo = read("/proc/cpuinfo");
    let cpu = cpuinfo
        .lines()
        .find(|l| l.starts_with("model name"))
        .and_then(|l| l.split_once(':'))
        .map(|(_, v)| v.trim().to_string())
        .unwrap_or_else(|| "unknown".into());
    let mem_kb: u64 = read("/proc/meminfo")
        .lines()
        .find(|l| l.starts_with("MemTotal:"))
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|v| v.parse().ok())
        .unwrap_or(0);
    let cores = std::thread::available_parallelism().map(|n| n.get()).unwrap_or(0);
    let trim = |s: Option<String>| s.unwrap_or_else(|| "unknown".into()).trim().to_string();
    vec![
        ("date (UTC)", trim(output_of("date", &["-u", "+%Y-%m-%d %H:%M"]))),
        ("commit", trim(output_of("git", &["rev-parse", "--short", "HEAD"]))),
        ("CPU", cpu),
        ("cores (nproc)", cores.to_string()),
        ("memory", format!("{:.1} GiB", mem_kb as f64 / 1024.0 / 1024.0)),
        ("load average at the end", trim(Some(read("/proc/loadavg")))),
        ("rustc", trim(output_of("rustc", &["--version"]))),
        ("browser", trim(output_of("chromium", &["--version"]))),
        ("node", trim(output_of("node", &["--version"]))),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn result_lines_parse_into_fields() {
        let out = "noise\nRESULT load users=100 requests=7 wall_ms=12.5\nRESULT bundle total_gzip=9\n";
        let rs = parse_results(out);
        assert_eq!(rs.len(), 2);
        assert_eq!((rs[0].name.as_str(), rs[0].get("requests"), rs[0].num("wall_ms")), ("load", "7", 12.5));
        assert_eq!(rs[1].get("missing"), "?");
        assert!(rs[1].num("missing").is_nan());
    }

    #[test]
    fn criterion_median_is_read_from_estimates() {
        let json = r#"{"mean":{"confidence_interval":{"lower_bound":1.0},"point_estimate":5.0},
            "median":{"confidence_interval":{"lower_bound":2.0,"upper_bound":4.0},"point_estimate":3.5e6,"standard_error":1.0}}"#;
        assert_eq!(median_ns(json), Ok(3.5e6));
        assert!(median_ns("{}").is_err());
    }

    #[test]
    fn regenerating_keeps_the_hand_written_notes() {
        let old = format!("# Benchmarks\nold table\n{}\n## Why\nanalysis\n", report::NOTES_MARKER);
        let notes = report::kept_notes(&old);
        assert!(notes.starts_with(report::NOTES_MARKER) && notes.ends_with("analysis\n"));
        let doc = report::document("| new |", &[("cores (nproc)", "2".into())], 5, notes);
        assert!(doc.contains("| new |") && !doc.contains("old table") && doc.ends_with("analysis\n"));
        assert_eq!(report::kept_notes("no marker"), "");
    }

    #[test]
    fn the_table_flags_missed_budgets() {
        let rs = parse_results(
            "RESULT bundle first_wasm_bytes=1 first_wasm_gzip=400000 first_js_bytes=1 first_js_gzip=1 \
             first_gzip=400001 wasm_bytes=1 wasm_gzip=1 js_bytes=1 js_gzip=1 total_gzip=2\n\
             RESULT apply fraction=0.95 lost_total=0 ops_per_s=1 secs=1 actions_run=1 burst=1 ceiling_per_s=1\n",
        );
        let t = report::table(&rs, 3, 5);
        assert!(t.contains("≤ 300 KB gz (first download): **missed**"), "{t}");
        assert!(t.contains("≥ 90%, 0 lost: met"), "{t}");
    }

    #[test]
    fn the_bundle_budget_is_judged_on_the_first_download_only() {
        let rs = parse_results(
            "RESULT bundle first_wasm_bytes=1 first_wasm_gzip=250000 first_js_bytes=1 first_js_gzip=20000 \
             first_gzip=270000 wasm_bytes=1 wasm_gzip=500000 js_bytes=1 js_gzip=30000 total_gzip=530000\n",
        );
        let t = report::table(&rs, 3, 5);
        assert!(t.contains("≤ 300 KB gz (first download): met"), "{t}");
        assert!(t.contains("263.7 KB gzipped together") && t.contains("517.6 KB gzipped together"), "{t}");
        assert!(!t.contains("**missed**"), "{t}");
    }

    #[test]
    fn the_preview_row_shows_the_apps_warm_up_when_the_line_has_one() {
        let line = |warm: &str| {
            parse_results(&format!(
                "RESULT preview users=100000 latency_ms=0 total_ms=1400 wait_ms=990 load_ms=800 index_ms=16.0 \
                 plan_ms=55.1 {warm}rows_ms=20 wasm_memory_bytes=1000 js_heap_bytes=1 rows=78121\n"
            ))
        };
        let t = report::table(&line("warm_up_ms=16.3 "), 3, 5);
        assert!(t.contains("plan 55.1 ms after a warm-up of 16.3 ms; 78121 rows"), "{t}");
        for older in ["", "warm_up_ms=NaN "] {
            let t = report::table(&line(older), 3, 5);
            assert!(t.contains("plan 55.1 ms; 78121 rows") && t.contains("≤ 1.5 s: met"), "{t}");
        }
    }

    #[test]
    fn the_plan_row_is_judged_on_the_median_and_shows_the_first_call_and_the_warm_up() {
        let rs = parse_results(
            "RESULT browser-plan users=100000 actions=7 median_ms=58.2 samples_ms=121.0,58.2,57.0,60.1,55.5 \
             decode_ms=1 index_ms=1 wasm_memory_bytes=1000 js_heap_bytes=1\n",
        );
        let t = report::table(&rs, 3, 5);
        assert!(t.contains("58.2 ms (median of the calls; the page's first call 121.0 ms)"), "{t}");
        assert!(t.contains("≤ 60 ms: met"), "{t}");
        let warm = parse_results(
            "RESULT browser-plan users=100000 actions=7 median_ms=55.0 samples_ms=56.1,55.0,54.2 warm_up_ms=15.2\n",
        );
        let t = report::table(&warm, 3, 5);
        assert!(t.contains("the page's first call 56.1 ms, after the app's warm-up plan of 15.2 ms)"), "{t}");
        let slow = parse_results("RESULT browser-plan users=100000 actions=7 median_ms=60.8 samples_ms=\n");
        let t = report::table(&slow, 3, 5);
        assert!(t.contains("first call ?") && t.contains("≤ 60 ms: **missed**"), "{t}");
    }
}
