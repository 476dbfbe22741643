//! Installs the toolchain pieces the build and the tests need, only when missing or at the wrong
//! version. Trunk is told to run offline (Trunk.toml), so these are the only tools it may use.
use crate::cmd::{output_of, root, run, Cmd};

/// Trunk's last release that builds with this machine's rustc (1.95).
const TRUNK_VERSION: &str = "0.21.14";

/// std is rebuilt for the wasm bundle (see cmd.rs `trunk`) with these crates and features.
pub const BUILD_STD: &str = "std,panic_abort";
pub const BUILD_STD_FEATURES: &str = "optimize_for_size";

/// Whether std's sources and crates are at hand, so the wasm build can rebuild std for size.
static STD_SOURCES: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);

pub fn std_sources_ready() -> bool {
    STD_SOURCES.load(std::sync::atomic::Ordering::Relaxed)
}

pub fn ensure_build_tools() -> Result<(), String> {
    ensure_wasm_target()?;
    // Without them the bundle is only bigger (about 57 KB gzipped), not broken: build on.
    match ensure_std_sources() {
        Ok(()) => STD_SOURCES.store(true, std::sync::atomic::Ordering::Relaxed),
        Err(e) => eprintln!("xtask: warning: building the wasm with the prebuilt std (bigger bundle): {e}"),
    }
    let bindgen = wasm_bindgen_version()?;
    let trunk_toml =
        std::fs::read_to_string(root().join("Trunk.toml")).map_err(|e| format!("Trunk.toml: {e}"))?;
    if !trunk_toml.contains(&format!("wasm_bindgen = \"{bindgen}\"")) {
        return Err(format!(
            "Trunk.toml's [tools] wasm_bindgen must be \"{bindgen}\", the version in Cargo.lock"
        ));
    }
    ensure_cargo_tool("trunk", "trunk", TRUNK_VERSION)?;
    ensure_cargo_tool("wasm-bindgen", "wasm-bindgen-cli", &bindgen)?;
    ensure_wasm_split()?;
    ensure_wasm_opt()
}

/// wasm-split-cli, which Trunk's post_build hook (`cargo xtask split-wasm`) runs. It prints no
/// version, so cargo's own record of installed crates tells whether this one is there.
const WASM_SPLIT_VERSION: &str = "0.2.4";

fn ensure_wasm_split() -> Result<(), String> {
    let installed = output_of("cargo", &["install", "--list"]).unwrap_or_default();
    let listed =
        installed.lines().any(|l| l.starts_with(&format!("wasm_split_cli_support v{WASM_SPLIT_VERSION}:")));
    if listed && output_of("wasm-split-cli", &["--help"]).is_some() {
        return Ok(());
    }
    eprintln!(
        "xtask: installing wasm_split_cli_support {WASM_SPLIT_VERSION} (wasm-split-cli; a few minutes)"
    );
    let install = |locked: bool| {
        let mut args = vec!["install", "wasm_split_cli_support", "--version", WASM_SPLIT_VERSION];
        args.extend(["--features", "build-binary"]);
        if locked {
            args.push("--locked");
        }
        run(Cmd::new("cargo").args(args))
    };
    install(true).or_else(|_| install(false))
}

/// The build's own tools folder (npm packages), put first on PATH for Trunk.
pub fn tools_bin() -> std::path::PathBuf {
    root().join("tools/node_modules/.bin")
}

/// PATH with [`tools_bin`] first, so Trunk finds the pinned wasm-opt before any other.
pub fn path_with_tools() -> std::ffi::OsString {
    let mut paths = vec![tools_bin()];
    paths.extend(std::env::split_paths(&std::env::var_os("PATH").unwrap_or_default()));
    std::env::join_paths(paths).unwrap_or_default()
}

fn ensure_wasm_opt() -> Result<(), String> {
    if !tools_bin().join("wasm-opt").exists() {
        eprintln!("xtask: installing wasm-opt (binaryen, npm) into tools/");
        npm_ci(&root().join("tools"))?;
    }
    Ok(())
}

fn npm_ci(dir: &std::path::Path) -> Result<(), String> {
    run(Cmd::new("npm").args(["ci", "--no-audit", "--no-fund", "--loglevel=error"]).dir(dir))
}

/// leptosfmt: rustfmt does not reach inside `view!`, so the test command checks the views with it
/// (`cargo xtask test`, leptosfmt.toml; `cargo xtask fmt` rewrites them).
const LEPTOSFMT_VERSION: &str = "0.1.33";

pub fn ensure_leptosfmt() -> Result<(), String> {
    ensure_cargo_tool("leptosfmt", "leptosfmt", LEPTOSFMT_VERSION)
}

pub fn ensure_test_tools() -> Result<(), String> {
    if output_of("chromium", &["--version"]).is_none() || output_of("chromedriver", &["--version"]).is_none()
    {
        apt_install(&["chromium", "chromium-driver"])?;
    }
    // The end-to-end suite serves dist/ through Debian's nginx with deploy/nginx's headers.
    if nginx_binary().is_none() {
        apt_install(&["nginx"])?;
    }
    let e2e = root().join("tests/e2e");
    // Every package of tests/e2e/package.json: a checkout from before one was added installs it.
    if ["playwright-core", "axe-core"].iter().any(|p| !e2e.join("node_modules").join(p).exists()) {
        eprintln!("xtask: installing the end-to-end test dependencies (npm ci)");
        npm_ci(&e2e)?;
    }
    Ok(())
}

/// Debian's nginx (in /usr/sbin, which a user's PATH may lack).
pub fn nginx_binary() -> Option<std::path::PathBuf> {
    ["/usr/sbin/nginx", "/usr/bin/nginx"].into_iter().map(std::path::PathBuf::from).find(|p| p.exists())
}

fn ensure_wasm_target() -> Result<(), String> {
    let installed = output_of("rustup", &["target", "list", "--installed"]).unwrap_or_default();
    if !installed.lines().any(|l| l.trim() == "wasm32-unknown-unknown") {
        run(Cmd::new("rustup").args(["target", "add", "wasm32-unknown-unknown"]))?;
    }
    Ok(())
}

/// Rebuilding std needs its sources (rustup's rust-src) and the crates std depends on, which
/// Trunk's offline build cannot download: fetch them here when they are not in cargo's cache yet.
fn ensure_std_sources() -> Result<(), String> {
    let installed = output_of("rustup", &["component", "list", "--installed"]).unwrap_or_default();
    if !installed.lines().any(|l| l.trim() == "rust-src") {
        run(Cmd::new("rustup").args(["component", "add", "rust-src"]))?;
    }
    let fetch = |offline: bool| {
        let mut args = vec!["fetch", "--target", "wasm32-unknown-unknown"];
        if offline {
            args.push("--offline");
        }
        Cmd::new("cargo")
            .args(args)
            .env("RUSTC_BOOTSTRAP", "1")
            .env("CARGO_UNSTABLE_BUILD_STD", BUILD_STD)
            .env("CARGO_UNSTABLE_BUILD_STD_FEATURES", BUILD_STD_FEATURES)
    };
    run(fetch(true)).or_else(|_| {
        eprintln!("xtask: downloading the crates std depends on (for the size-optimized wasm build)");
        run(fetch(false))
    })
}

/// wasm-bindgen-cli must match the `wasm-bindgen` crate in Cargo.lock exactly, or the generated
/// glue does not fit the compiled module.
pub fn wasm_bindgen_version() -> Result<String, String> {
    let lock = std::fs::read_to_string(root().join("Cargo.lock")).map_err(|e| format!("Cargo.lock: {e}"))?;
    let mut lines = lock.lines();
    while let Some(line) = lines.next() {
        if line == "name = \"wasm-bindgen\"" {
            if let Some(v) = lines.next().and_then(|l| l.strip_prefix("version = \"")) {
                return Ok(v.trim_end_matches('"').to_string());
            }
        }
    }
    Err("Cargo.lock has no wasm-bindgen package".into())
}

fn ensure_cargo_tool(bin: &str, krate: &str, version: &str) -> Result<(), String> {
    let have = output_of(bin, &["--version"]).unwrap_or_default();
    if have.split_whitespace().any(|w| w == version) {
        return Ok(());
    }
    eprintln!(
        "xtask: installing {krate} {version} (found: {})",
        if have.is_empty() { "none" } else { have.trim() }
    );
    // --locked first (the tool's own tested lockfile); when a crate in that lockfile has since been
    // yanked (wasm-bindgen-cli 0.2.130's webpki-roots 1.0.11 was), resolve afresh instead.
    run(Cmd::new("cargo").args(["install", "--locked", krate, "--version", version]))
        .or_else(|_| run(Cmd::new("cargo").args(["install", krate, "--version", version])))
}

fn apt_install(pkgs: &[&str]) -> Result<(), String> {
    eprintln!("xtask: installing {} from Debian", pkgs.join(" "));
    let sudo: &[&str] =
        if output_of("id", &["-u"]).map(|s| s.trim() == "0").unwrap_or(false) { &[] } else { &["sudo"] };
    let apt = |args: &[&str]| {
        let mut all: Vec<&str> = sudo.to_vec();
        all.push("apt-get");
        all.extend_from_slice(args);
        Cmd::new(all[0]).args(&all[1..]).env("DEBIAN_FRONTEND", "noninteractive")
    };
    run(apt(&["update", "-qq"]))?;
    let mut args = vec!["install", "-y", "-qq", "--no-install-recommends"];
    args.extend_from_slice(pkgs);
    run(apt(&args))
}
