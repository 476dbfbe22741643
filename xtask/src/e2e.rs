//! The end-to-end suite: node's test runner drives the release build in headless Chromium
//! (playwright-core with Debian's Chromium) against sim-server. The harness in tests/e2e/lib
//! starts the static server and sim-server itself, on 127.0.0.1 ports it picks.
use crate::cmd::{root, run, Cmd};

pub fn run_suite() -> Result<(), String> {
    let root = root();
    let target =
        std::env::var("CARGO_TARGET_DIR").map(std::path::PathBuf::from).unwrap_or(root.join("target"));
    let mut files: Vec<String> = std::fs::read_dir(root.join("tests/e2e"))
        .map_err(|e| format!("tests/e2e: {e}"))?
        .filter_map(|e| e.ok())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".test.mjs"))
        .collect();
    files.sort();
    if files.is_empty() {
        return Err("no end-to-end tests found in tests/e2e".into());
    }
    // One browser at a time: the machine has two cores, and the tests measure nothing.
    run(Cmd::new("node")
        .args(["--test", "--test-concurrency=1", "--test-reporter=spec"])
        .args(&files)
        .dir(&root.join("tests/e2e"))
        .env("LICSWAP_DIST", root.join(crate::cmd::E2E_DIST))
        .env("LICSWAP_RELEASE_DIST", root.join("dist"))
        .env("LICSWAP_SIM_SERVER", target.join("debug/sim-server"))
        .env("LICSWAP_ARTIFACTS", root.join("tests/e2e/artifacts"))
        .env("LICSWAP_FAULT_ROWS", crate::fault_table::journey_dir()))
}
