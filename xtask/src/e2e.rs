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
        .env("LICSWAP_NGINX", crate::tools::nginx_binary().unwrap_or_default())
        .env("LICSWAP_SIM_SERVER", crate::cmd::sim_server_path(&target, false))
        .env("LICSWAP_ARTIFACTS", root.join("tests/e2e/artifacts"))
        .env("LICSWAP_FAULT_ROWS", crate::fault_table::journey_dir()))
}

/// The journeys in tests/e2e/scale (`cargo xtask test --scale`): a million users, previewed and
/// scrolled to the last row, saved as a file.
pub fn run_scale() -> Result<(), String> {
    let root = root();
    let target =
        std::env::var("CARGO_TARGET_DIR").map(std::path::PathBuf::from).unwrap_or(root.join("target"));
    let dir = root.join("tests/e2e/scale");
    let mut files: Vec<String> = std::fs::read_dir(&dir)
        .map_err(|e| format!("tests/e2e/scale: {e}"))?
        .filter_map(|e| e.ok())
        .map(|e| format!("scale/{}", e.file_name().to_string_lossy()))
        .filter(|n| n.ends_with(".test.mjs"))
        .collect();
    files.sort();
    run(Cmd::new("node")
        .args(["--test", "--test-concurrency=1", "--test-reporter=spec"])
        .args(&files)
        .dir(&root.join("tests/e2e"))
        .env("LICSWAP_DIST", root.join(crate::cmd::E2E_DIST))
        .env("LICSWAP_SIM_SERVER", crate::cmd::sim_server_path(&target, true))
        .env("LICSWAP_ARTIFACTS", root.join("tests/e2e/artifacts")))
}

/// The hosting configurations in deploy/ carry the page's own CSP (plus frame-ancestors, which
/// only a header can) and the same hardening headers; nginx's is also exercised for real by
/// tests/e2e/hosting.test.mjs.
#[cfg(test)]
mod deploy_headers {
    use crate::cmd::root;

    fn read(path: &str) -> String {
        std::fs::read_to_string(root().join(path)).unwrap_or_else(|e| panic!("{path}: {e}"))
    }

    fn page_csp() -> String {
        let html = read("index.html");
        let start = html.find("Content-Security-Policy\" content=\"").unwrap() + 34;
        html[start..start + html[start..].find('"').unwrap()].to_string()
    }

    #[test]
    fn every_host_config_sends_the_page_csp_with_frame_ancestors_and_the_hardening_headers() {
        let csp = format!("{}; frame-ancestors 'none'", page_csp());
        // Plain text checks: none of the values has a character JSON would escape.
        let swa = read("deploy/staticwebapp.config.json");
        let nginx = read("deploy/nginx/licswap-headers.conf");
        let netlify = read("deploy/_headers");
        let wanted = [
            ("Content-Security-Policy", csp.as_str()),
            ("X-Frame-Options", "DENY"),
            ("X-Content-Type-Options", "nosniff"),
            ("Referrer-Policy", "no-referrer"),
            ("Strict-Transport-Security", "max-age=63072000; includeSubDomains"),
        ];
        for (name, value) in wanted {
            assert!(swa.contains(&format!("\"{name}\": \"{value}\"")), "staticwebapp.config.json {name}");
            assert!(nginx.contains(&format!("add_header {name} \"{value}\" always;")), "nginx {name}");
            assert!(netlify.contains(&format!("  {name}: {value}\n")), "_headers {name}");
        }
    }
}
