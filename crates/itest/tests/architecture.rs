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
        "std::fs",
        "std::net",
        "std::process",
        "std::env",
        "std::thread",
        "std::io::stdin",
        "Instant::now",
        "SystemTime::now",
        "web_sys",
        "js_sys",
        "gloo",
        "tokio",
        "reqwest",
        "println!",
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
    let allowed: [(&str, &[&str]); 3] =
        [("crates/core", &[]), ("crates/planner", &["licswap-core"]), ("crates/sim", &["licswap-core"])];
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
    // A write is a POST `$batch` item (post_item): the client has no single-call write, so the
    // executor's batches are the only way a license change leaves.
    let writers = ["assign_license_item", "post_item("];
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

/// A module path inside one crate: `["apply", "phase"]` for `src/apply/phase.rs`.
type ModPath = Vec<String>;

/// Each module of the crate whose sources are under `dir` (one file each; `bin/` skipped), with
/// its code (tests and comments left out).
fn modules(dir: &str) -> Vec<(ModPath, String)> {
    let bin = format!("{dir}/bin");
    sources(dir, &[bin.as_str()])
        .into_iter()
        .map(|(file, text)| {
            let rel = file.strip_prefix(dir).unwrap().trim_start_matches('/').trim_end_matches(".rs");
            let mut path: ModPath = rel.split('/').map(str::to_string).collect();
            if matches!(path.last().map(String::as_str), Some("mod" | "lib" | "main")) {
                path.pop();
            }
            (path, code(&text))
        })
        .collect()
}

/// The paths a piece of code names from `crate::`, `super::` or `self::`, made absolute from the
/// module `at`, with `use` groups (`crate::{a::B, c}`) expanded.
fn named_paths(code: &str, at: &ModPath) -> Vec<ModPath> {
    fn ident(s: &[u8], mut i: usize) -> (String, usize) {
        let start = i;
        while i < s.len() && (s[i].is_ascii_alphanumeric() || s[i] == b'_') {
            i += 1;
        }
        (String::from_utf8_lossy(&s[start..i]).into_owned(), i)
    }
    // Parses a use tree at s[i..] under `prefix`; returns the end.
    fn tree(s: &[u8], mut i: usize, prefix: ModPath, out: &mut Vec<ModPath>) -> usize {
        let mut path = prefix;
        loop {
            while i < s.len() && s[i].is_ascii_whitespace() {
                i += 1;
            }
            if i < s.len() && s[i] == b'{' {
                i += 1;
                loop {
                    i = tree(s, i, path.clone(), out);
                    while i < s.len() && (s[i].is_ascii_whitespace() || s[i] == b',') {
                        i += 1;
                    }
                    if i >= s.len() || s[i] == b'}' {
                        return i + 1;
                    }
                }
            }
            let (name, j) = ident(s, i);
            if name.is_empty() {
                out.push(path);
                return i;
            }
            i = j;
            match name.as_str() {
                "super" => {
                    path.pop();
                }
                "self" => {}
                _ => path.push(name),
            }
            if s[i..].starts_with(b"::") {
                i += 2;
            } else {
                out.push(path);
                return i;
            }
        }
    }
    let s = code.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < s.len() {
        let boundary = i == 0 || !(s[i - 1].is_ascii_alphanumeric() || s[i - 1] == b'_' || s[i - 1] == b':');
        let start: Option<(usize, ModPath)> = if !boundary {
            None
        } else if s[i..].starts_with(b"crate::") {
            Some((i + 7, Vec::new()))
        } else if s[i..].starts_with(b"super::") || s[i..].starts_with(b"self::") {
            // The tree resolves `super` (one level up from `at`) and `self` (`at` itself).
            Some((i, at.clone()))
        } else {
            None
        };
        match start {
            Some((j, base)) => i = tree(s, j, base, &mut out).max(i + 1),
            None => i += 1,
        }
    }
    out
}

/// Module-level imports of the crate under `dir`: (from, to) with `to` the module that defines
/// the named item, following a folder's `pub use child::Name` re-exports to the child.
fn imports(dir: &str) -> Vec<(ModPath, ModPath)> {
    let mods = modules(dir);
    let known: std::collections::HashMap<ModPath, &String> =
        mods.iter().map(|(p, c)| (p.clone(), c)).collect();
    // Which child of `module` re-exports `name` (`pub use child::{.., name, ..}` or `child::*`).
    let reexport = |module: &ModPath, name: &str| -> Option<ModPath> {
        let code = known.get(module)?;
        for stmt in code.split(';') {
            let stmt = stmt.trim();
            let Some(rest) = stmt.strip_prefix("pub use ") else { continue };
            let Some((child, items)) = rest.split_once("::") else { continue };
            let child = child.trim_start_matches("self::");
            let mut full = module.clone();
            full.push(child.to_string());
            if !known.contains_key(&full) {
                continue;
            }
            let items = items.trim_matches(|c| c == '{' || c == '}');
            let hit = items.split(',').any(|it| {
                let it = it.trim();
                it == "*" || it.rsplit("::").next() == Some(name) || it.ends_with(&format!(" as {name}"))
            });
            if hit {
                return Some(full);
            }
        }
        None
    };
    let mut out = Vec::new();
    for (at, text) in &mods {
        for named in named_paths(text, at) {
            // The longest prefix that is a module, then through re-exports.
            let mut target: ModPath = Vec::new();
            let mut rest = named.as_slice();
            while let Some((head, tail)) = rest.split_first() {
                let mut next = target.clone();
                next.push(head.clone());
                if known.contains_key(&next) {
                    target = next;
                    rest = tail;
                } else if let Some(child) = reexport(&target, head) {
                    target = child;
                } else {
                    break;
                }
            }
            if target != *at {
                out.push((at.clone(), target));
            }
        }
    }
    out
}

/// Import loops among sibling modules: for each folder, its children as nodes, an arrow from A to
/// B when anything inside A names anything inside B. A parent and its own children may name each
/// other (a folder's `mod.rs` re-exports, a child uses its parent's items); siblings may not loop.
fn import_loops(dir: &str) -> Vec<String> {
    use std::collections::{BTreeMap, BTreeSet};
    let mut arrows: BTreeMap<ModPath, BTreeSet<(String, String)>> = BTreeMap::new();
    for (from, to) in imports(dir) {
        let common = from.iter().zip(&to).take_while(|(a, b)| a == b).count();
        if common == from.len() || common == to.len() {
            continue; // one contains the other
        }
        arrows.entry(from[..common].to_vec()).or_default().insert((from[common].clone(), to[common].clone()));
    }
    let mut loops = Vec::new();
    for (folder, edges) in arrows {
        // Depth-first search for a back edge among the folder's children.
        let nodes: BTreeSet<&String> = edges.iter().flat_map(|(a, b)| [a, b]).collect();
        let mut state: BTreeMap<&String, u8> = BTreeMap::new(); // 1 on the stack, 2 done
        fn visit<'a>(
            n: &'a String,
            edges: &'a BTreeSet<(String, String)>,
            state: &mut BTreeMap<&'a String, u8>,
            stack: &mut Vec<&'a String>,
            found: &mut Option<Vec<String>>,
        ) {
            state.insert(n, 1);
            stack.push(n);
            for (_, m) in edges.iter().filter(|(a, _)| a == n) {
                match state.get(m) {
                    Some(1) if found.is_none() => {
                        let at = stack.iter().position(|s| *s == m).unwrap();
                        *found = Some(stack[at..].iter().map(|s| s.to_string()).chain([m.clone()]).collect());
                    }
                    None => visit(m, edges, state, stack, found),
                    _ => {}
                }
            }
            stack.pop();
            state.insert(n, 2);
        }
        for n in nodes {
            let mut found = None;
            if !state.contains_key(n) {
                visit(n, &edges, &mut state, &mut Vec::new(), &mut found);
            }
            if let Some(cycle) = found {
                let place =
                    if folder.is_empty() { dir.to_string() } else { format!("{dir}/{}", folder.join("/")) };
                loops.push(format!("{place}: {}", cycle.join(" -> ")));
            }
        }
    }
    loops
}

#[test]
fn modules_never_import_in_a_loop() {
    // Within a crate, as between crates, imports run one way: in core the Graph wire model sits
    // below the plan, the plan below the Graph client, and apply on top; in the app, state below
    // the modules that change it (app_mode, loads, apply_run), and the views on top. Only a
    // folder and its own children may name each other.
    let mut loops = import_loops("crates/core/src");
    loops.extend(import_loops("src"));
    assert!(loops.is_empty(), "import loops:\n{}", loops.join("\n"));
}

#[test]
fn the_repository_explains_itself() {
    // A reader has only this repository: no reference to a tracker's issue numbers and no
    // path outside the tree (the team's shared folder). Reasons are given in the product's terms,
    // and reference data lives in the repository with its provenance (docs/reference,
    // crates/core/data/reference).
    let mut files = Vec::new();
    for dir in ["src", "crates", "xtask", "tools", "tests/e2e", "docs", ".cargo", "fuzz/fuzz_targets"] {
        let mut todo = vec![root().join(dir)];
        while let Some(d) = todo.pop() {
            for entry in std::fs::read_dir(&d).unwrap_or_else(|e| panic!("{}: {e}", d.display())) {
                let path = entry.unwrap().path();
                let name = path.file_name().unwrap().to_string_lossy().to_string();
                if path.is_dir() {
                    if !["node_modules", "artifacts", "target"].contains(&name.as_str()) {
                        todo.push(path);
                    }
                } else if [".rs", ".toml", ".md", ".mjs", ".js", ".py", ".json"]
                    .iter()
                    .any(|e| name.ends_with(e))
                    && !name.ends_with("-lock.json")
                {
                    files.push(path);
                }
            }
        }
    }
    for top in
        ["Cargo.toml", "Trunk.toml", "README.md", "ARCHITECTURE.md", "BENCHMARKS.md", "boot.js", "index.html"]
    {
        files.push(root().join(top));
    }
    for path in files {
        let text = std::fs::read_to_string(&path).unwrap_or_default().to_ascii_lowercase();
        let rel = path.strip_prefix(root()).unwrap().display().to_string();
        // Spelled in two parts, so this file does not match itself.
        for needle in [concat!("../", "shared"), concat!("shared/", "reference"), concat!("design", ".md")] {
            assert!(!text.contains(needle), "{rel} points outside the repository ({needle})");
        }
        for (at, _) in text.match_indices("issue") {
            let after = text[at + 5..].trim_start_matches([' ', '#']);
            assert!(
                !after.starts_with(|c: char| c.is_ascii_digit()),
                "{rel} cites a tracker number ({}): give the reason instead",
                &text[at..(at + 12).min(text.len())]
            );
        }
    }
}

#[test]
fn the_loop_finder_sees_a_loop() {
    // The checker itself: a sibling pair naming each other is a loop, through a re-export too.
    let at: ModPath = vec!["apply".into(), "phase".into()];
    let named = named_paths("use super::{executor::Run, RunReport};\nuse crate::plan::{Plan, x::Y};", &at);
    assert!(named.contains(&vec!["apply".into(), "executor".into(), "Run".into()]), "{named:?}");
    assert!(named.contains(&vec!["apply".into(), "RunReport".into()]), "{named:?}");
    assert!(named.contains(&vec!["plan".into(), "x".into(), "Y".into()]), "{named:?}");
}

/// The app files a fuzz target compiles on its own (`#[path]` in fuzz/fuzz_targets) must not lean
/// on the rest of the app or on browser APIs: a move that does breaks `cargo xtask fuzz` without
/// breaking any build of the app (config.json's reading once moved into config.rs that way).
#[test]
fn files_the_fuzz_targets_compile_alone_stay_alone() {
    let targets = root().join("fuzz/fuzz_targets");
    let mut checked = 0;
    for entry in std::fs::read_dir(&targets).expect("fuzz/fuzz_targets") {
        let text = std::fs::read_to_string(entry.expect("entry").path()).expect("fuzz target");
        for line in text.lines().filter(|l| l.trim_start().starts_with("#[path")) {
            let rel = line.split('"').nth(1).expect("#[path = \"…\"]");
            let file = targets.join(rel);
            let body = code(&std::fs::read_to_string(&file).expect("the file a fuzz target includes"));
            for word in ["crate::", "web_sys", "gloo_net", "leptos", "wasm_bindgen", "js_sys"] {
                assert!(
                    !body.contains(word),
                    "{} (compiled alone by a fuzz target) uses {word}",
                    file.display()
                );
            }
            checked += 1;
        }
    }
    assert!(checked >= 2, "config.rs and journal_codec.rs are compiled alone by fuzz targets");
}

#[test]
fn the_app_links_no_test_double_and_only_the_demo_simulator() {
    // The browser app needs the simulator's tenant and Graph routes for its demo, nothing else:
    // the workspace takes licswap-sim without its `full` feature (Entra, throttling, faults), and
    // the app turns on neither `full` nor licswap-core's `test-support` (fake transport, virtual
    // clock, in-memory store). Test crates opt in on their own.
    let manifest = std::fs::read_to_string(root().join("Cargo.toml")).unwrap();
    let sim_dep = manifest
        .lines()
        .find(|l| l.starts_with("licswap-sim = "))
        .expect("licswap-sim in [workspace.dependencies]");
    assert!(sim_dep.contains("default-features = false"), "{sim_dep}");
    let app_deps = manifest.split("\n[dependencies]").nth(1).expect("the app's [dependencies]");
    let app_deps = app_deps.split("\n[").next().unwrap_or("");
    for feature in ["\"full\"", "\"test-support\"", "\"server\""] {
        assert!(!app_deps.contains(feature), "the app's dependencies enable {feature}");
    }
    let core = std::fs::read_to_string(root().join("crates/core/src/graph/mod.rs")).unwrap();
    for double in ["pub mod fake;", "pub mod clock;"] {
        let gated = format!("#[cfg(any(test, feature = \"test-support\"))]\n{double}");
        assert!(core.contains(&gated), "graph/{double} is a test double: behind test-support");
    }
}
