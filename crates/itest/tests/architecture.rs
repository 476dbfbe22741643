//! The structural invariants ARCHITECTURE.md states, checked on the source tree itself: the core
//! and the planner do no I/O, layers never import upward, and only the apply executor's Graph
//! adapter writes licenses. (Behavioural invariants are enforced where ARCHITECTURE.md says.)
use std::path::{Path, PathBuf};

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// Every `.rs` file under `dir`, with its text, skipping the `skip` sub-folders.
fn sources(dir: &str, skip: &[&str]) -> Vec<(String, String)> {
    let mut out = Vec::new();
    let mut todo = vec![root().join(dir)];
    while let Some(d) = todo.pop() {
        for entry in std::fs::read_dir(&d).unwrap_or_else(|e| panic!("{}: {e}", d.display())) {
            let path = entry.unwrap().path();
            let rel = path.strip_prefix(root()).unwrap().to_string_lossy().replace('\\', "/");
            if skip.iter().any(|s| rel.starts_with(s)) {
                continue;
            }
            if path.is_dir() {
                todo.push(path);
            } else if rel.ends_with(".rs") {
                out.push((rel, std::fs::read_to_string(&path).unwrap()));
            }
        }
    }
    assert!(!out.is_empty(), "no sources under {dir}");
    out
}

/// The code of a file without its `#[cfg(test)]` tail and without comment lines.
fn code(text: &str) -> String {
    let text = text.split("#[cfg(test)]\nmod tests").next().unwrap_or(text);
    text.lines().filter(|l| !l.trim_start().starts_with("//")).collect::<Vec<_>>().join("\n")
}

/// The package names in a crate's `[dependencies]` tables (not dev- or build-dependencies).
fn dependencies(krate: &str) -> Vec<String> {
    let toml = std::fs::read_to_string(root().join(krate).join("Cargo.toml")).unwrap();
    let mut out = Vec::new();
    let mut inside = false;
    for line in toml.lines() {
        let line = line.trim();
        if line.starts_with('[') {
            inside = line.ends_with("dependencies]") && !line.contains("dev-") && !line.contains("build-");
            continue;
        }
        if inside && !line.starts_with('#') {
            if let Some((name, _)) = line.split_once('=') {
                out.push(name.trim().split('.').next().unwrap().to_string());
            }
        }
    }
    out
}

#[test]
fn the_core_and_the_planner_do_no_io() {
    // The command line (planner's src/bin) reads files and prints; the library never does.
    let forbidden = [
        "std::fs", "std::net", "std::process", "std::env", "std::thread", "std::io::stdin", "Instant::now",
        "SystemTime::now", "web_sys", "js_sys", "gloo", "tokio", "reqwest", "println!",
    ];
    for dir in ["crates/core/src", "crates/planner/src"] {
        for (file, text) in sources(dir, &["crates/planner/src/bin"]) {
            let code = code(&text);
            for f in forbidden {
                assert!(!code.contains(f), "{file} uses {f}: the core and the planner do no I/O");
            }
        }
    }
    for krate in ["crates/core", "crates/planner"] {
        for dep in dependencies(krate) {
            assert!(
                !["web-sys", "js-sys", "gloo-net", "gloo-timers", "tokio", "reqwest", "hyper", "ureq"]
                    .contains(&dep.as_str()),
                "{krate} depends on {dep}, an I/O crate"
            );
        }
    }
}

#[test]
fn layers_never_import_upward() {
    // core at the bottom; planner and simulator above it, side by side; app, tests, bench on top.
    let allowed: [(&str, &[&str]); 3] = [
        ("crates/core", &[]),
        ("crates/planner", &["licswap-core"]),
        ("crates/sim", &["licswap-core"]),
    ];
    for (krate, ours) in allowed {
        for dep in dependencies(krate).into_iter().filter(|d| d.starts_with("licswap")) {
            assert!(ours.contains(&dep.as_str()), "{krate} depends on {dep}: layers never import upward");
        }
    }
}

#[test]
fn only_the_executor_writes_licenses() {
    // Every license write is an assignLicense call. Its request is built in graph/calls.rs; the
    // apply executor's adapter (apply/graph_api.rs) is the only code that sends it, so every
    // write is journaled, fingerprint-checked and resumable.
    // A write is a POST: a `$batch` item (post_item) or a single call.
    let writers = ["assign_license_item", "assign_license_user", "assign_license_group", "post_item("];
    let allowed = [
        "crates/core/src/graph/calls.rs",
        "crates/core/src/graph/batch.rs",
        "crates/core/src/apply/graph_api.rs",
    ];
    let mut files = sources("src", &[]);
    files.extend(sources("crates/core/src", &[]));
    files.extend(sources("crates/planner/src", &[]));
    for (file, text) in files {
        if allowed.contains(&file.as_str()) {
            continue;
        }
        let code = code(&text);
        for w in writers {
            assert!(!code.contains(w), "{file} writes licenses ({w}): only the apply executor writes");
        }
    }
}
