//! The fault table: the native fault suite (each scenario test of licswap-itest's `faults_suite`
//! writes its row to `<target dir>/tmp/fault-suite/`) and the browser fault journey
//! (`tests/e2e/journey_faults.test.mjs` writes its row, from sim-server's own counts, to
//! `<target dir>/tmp/fault-journey/`). `cargo xtask test` clears both folders first, prints the
//! native rows after the native tests and both side by side after the end-to-end tests, so the
//! table shows whether or not the test runners captured the tests' output.
use crate::cmd::root;
use std::path::PathBuf;

const COLUMNS: &str = "| scenario | operations | runs | retries | 429s | 5xx | lost responses | settled by read-back | token renewals | crashes | stale refused | failures reported | done | lost | duplicated | service losses |";
const ALIGN: &str = "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|";

fn target_dir() -> PathBuf {
    let target =
        std::env::var_os("CARGO_TARGET_DIR").map(PathBuf::from).unwrap_or_else(|| root().join("target"));
    if target.is_absolute() {
        target
    } else {
        root().join(target)
    }
}

pub fn rows_dir() -> PathBuf {
    target_dir().join("tmp/fault-suite")
}

/// Where the browser fault journey writes its row (passed to node as `LICSWAP_FAULT_ROWS`).
pub fn journey_dir() -> PathBuf {
    target_dir().join("tmp/fault-journey")
}

pub fn clear() {
    let _ = std::fs::remove_dir_all(rows_dir());
    let _ = std::fs::remove_dir_all(journey_dir());
}

fn rows(dir: PathBuf) -> Vec<String> {
    let Ok(entries) = std::fs::read_dir(dir) else { return Vec::new() };
    let mut rows: Vec<String> = entries
        .flatten()
        .filter_map(|e| std::fs::read_to_string(e.path()).ok())
        .map(|r| r.trim().to_string())
        .filter(|r| !r.is_empty())
        .collect();
    rows.sort();
    rows
}

/// The native suite's rows.
pub fn print() {
    let native = rows(rows_dir());
    if native.is_empty() {
        eprintln!("xtask: the fault suite wrote no rows (did licswap-itest's faults_suite run?)");
        return;
    }
    println!("\nFault suite (lost and duplicated must be 0):\n{COLUMNS}\n{ALIGN}");
    native.iter().for_each(|r| println!("{r}"));
}

/// Both tables side by side: one row per scenario, the first column saying which path ran it
/// (native: licswap-core's client and executor on the in-process simulator with a fault
/// transport; browser: the release build in Chromium, FetchTransport, against sim-server).
pub fn print_side_by_side() {
    let (native, browser) = (rows(rows_dir()), rows(journey_dir()));
    if browser.is_empty() {
        eprintln!("xtask: the browser fault journey wrote no row (did journey_faults run?)");
    }
    println!("\nFault table, native suite and browser journey side by side (lost and duplicated must be 0):");
    println!("| path {COLUMNS}\n|---{ALIGN}");
    for r in &native {
        println!("| native {r}");
    }
    for r in &browser {
        println!("| browser {r}");
    }
}
