//! The fault suite's table: each scenario test of licswap-itest (`faults_suite`) writes its row
//! to `<target dir>/tmp/fault-suite/`; `cargo xtask test` clears the folder before the tests and
//! prints the rows after them, so the table shows whether or not cargo captured the tests' output.
use crate::cmd::root;
use std::path::PathBuf;

const HEADER: &str = "| scenario | operations | runs | retries | 429s | 5xx | lost responses | settled by read-back | token renewals | crashes | stale refused | failures reported | done | lost | duplicated | service losses |\n|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|";

pub fn rows_dir() -> PathBuf {
    let target =
        std::env::var_os("CARGO_TARGET_DIR").map(PathBuf::from).unwrap_or_else(|| root().join("target"));
    let target = if target.is_absolute() { target } else { root().join(target) };
    target.join("tmp/fault-suite")
}

pub fn clear() {
    let _ = std::fs::remove_dir_all(rows_dir());
}

pub fn print() {
    let Ok(dir) = std::fs::read_dir(rows_dir()) else {
        eprintln!("xtask: the fault suite wrote no rows (did licswap-itest's faults_suite run?)");
        return;
    };
    let mut rows: Vec<String> = dir
        .flatten()
        .filter_map(|e| std::fs::read_to_string(e.path()).ok())
        .map(|r| r.trim().to_string())
        .collect();
    rows.sort();
    println!("\nFault suite (lost and duplicated must be 0):\n{HEADER}");
    for r in rows {
        println!("{r}");
    }
}
