//! Running processes, and the commands themselves.
use crate::{e2e, tools};
use std::path::{Path, PathBuf};
use std::process::Command;

pub fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().expect("xtask lives in the workspace").to_path_buf()
}

pub struct Cmd(Command, String);

impl Cmd {
    pub fn new(program: &str) -> Self {
        let mut c = Command::new(program);
        c.current_dir(root());
        Cmd(c, program.to_string())
    }
    pub fn args<I: IntoIterator<Item = S>, S: AsRef<std::ffi::OsStr>>(mut self, args: I) -> Self {
        for a in args {
            self.1.push(' ');
            self.1.push_str(&a.as_ref().to_string_lossy());
            self.0.arg(a);
        }
        self
    }
    pub fn arg_path(mut self, path: &Path) -> Self {
        self.1.push(' ');
        self.1.push_str(&path.to_string_lossy());
        self.0.arg(path);
        self
    }
    pub fn dir(mut self, dir: &Path) -> Self {
        self.0.current_dir(dir);
        self
    }
    pub fn env(mut self, k: &str, v: impl AsRef<std::ffi::OsStr>) -> Self {
        self.0.env(k, v);
        self
    }
}

pub fn run(cmd: Cmd) -> Result<(), String> {
    let Cmd(mut c, line) = cmd;
    eprintln!("$ {line}");
    let status = c.status().map_err(|e| format!("could not start `{line}`: {e}"))?;
    if status.success() {
        Ok(())
    } else {
        Err(format!("`{line}` failed ({status})"))
    }
}

/// stdout of a command, or None when it is missing or fails.
pub fn output_of(program: &str, args: &[&str]) -> Option<String> {
    let out = Command::new(program).args(args).output().ok()?;
    out.status.success().then(|| String::from_utf8_lossy(&out.stdout).into_owned())
}

/// The environment of every Trunk call: the pinned tools first on PATH, and the release bundle's
/// size settings (the first-download budget, ARCHITECTURE.md). These rebuild std for wasm32 with `optimize_for_size`, and make every
/// panic a bare trap (no panic messages, no formatting machinery): about -57 KB gzipped. They are
/// nightly cargo/rustc options, allowed on our stable toolchain by RUSTC_BOOTSTRAP; being env vars
/// of this call only, they leave native `cargo build`/`cargo test` untouched. The rustflags add to
/// .cargo/config.toml's wasm32 rustflags (cargo merges both lists). Without std's sources (see
/// tools::ensure_build_tools) the build goes on with the prebuilt std.
fn trunk(args: &[&str]) -> Cmd {
    let cmd = Cmd::new("trunk").args(args).env("PATH", tools::path_with_tools());
    if !tools::std_sources_ready() {
        return cmd;
    }
    cmd.env("RUSTC_BOOTSTRAP", "1")
        .env("CARGO_UNSTABLE_BUILD_STD", tools::BUILD_STD)
        .env("CARGO_UNSTABLE_BUILD_STD_FEATURES", tools::BUILD_STD_FEATURES)
        .env("CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUSTFLAGS", "-Zunstable-options -Cpanic=immediate-abort")
}

fn trunk_build() -> Result<(), String> {
    run(trunk(&["build", "--release", "--offline"]))
}

/// Where the test build goes: beside dist/, never in it, so a release bundle is never the test one.
pub const E2E_DIST: &str = "dist-e2e";

/// The test build: the release profile with the `sim-endpoints` feature (config.json may point it
/// at sim-server on the loopback) and a CSP that lets it connect there. Only the end-to-end suite
/// uses it.
pub fn trunk_build_e2e() -> Result<(), String> {
    run(trunk(&["build", "--release", "--offline", "--features", "sim-endpoints", "--dist", E2E_DIST]))?;
    let index = root().join(E2E_DIST).join("index.html");
    let html = std::fs::read_to_string(&index).map_err(|e| format!("{}: {e}", index.display()))?;
    let patched = loopback_csp(&html)?;
    std::fs::write(&index, patched).map_err(|e| format!("{}: {e}", index.display()))
}

/// The test build's own CSP: the release policy plus sim-server's loopback address in
/// `connect-src` (Graph, token requests) and `form-action`.
pub fn loopback_csp(html: &str) -> Result<String, String> {
    let mut out = html.to_string();
    for directive in ["connect-src 'self'", "form-action 'self'"] {
        if out.matches(directive).count() != 1 {
            return Err(format!("index.html's CSP must have exactly one \"{directive}\""));
        }
        out = out.replace(directive, &format!("{directive} http://127.0.0.1:*"));
    }
    Ok(out)
}

/// `cargo xtask dist` (the release bundle) or `cargo xtask dist --e2e` (the test build, into
/// dist-e2e/, which the end-to-end tests run against).
pub fn dist_cmd(args: &[String]) -> Result<(), String> {
    match args {
        [] => dist(),
        [a] if a == "--e2e" => {
            tools::ensure_build_tools()?;
            trunk_build_e2e()
        }
        _ => Err("usage: cargo xtask dist [--e2e]".into()),
    }
}

pub fn dist() -> Result<(), String> {
    tools::ensure_build_tools()?;
    trunk_build()
}

pub fn serve(args: &[String]) -> Result<(), String> {
    let mut port = "8080".to_string();
    let mut it = args.iter();
    while let Some(a) = it.next() {
        match a.as_str() {
            "--port" => port = it.next().ok_or("--port needs a number")?.clone(),
            other => return Err(format!("serve: unknown argument {other}")),
        }
    }
    tools::ensure_build_tools()?;
    eprintln!("xtask: serving on http://127.0.0.1:{port}/ (demo tenant unless config.json is present)");
    // No autoreload: its injected inline script is (rightly) blocked by our CSP.
    run(trunk(&[
        "serve",
        "--release",
        "--offline",
        "--no-autoreload",
        "--address",
        "127.0.0.1",
        "--port",
        &port,
    ]))
}

pub fn test(args: &[String]) -> Result<(), String> {
    let native_only = args.iter().any(|a| a == "--native");
    if args.iter().any(|a| a == "--scale") {
        // The journeys at a million users (tests/e2e/scale): minutes each, so never in the
        // default suite; against sim-server built for speed (the `sim-server` profile), which
        // builds the tenant in seconds.
        tools::ensure_build_tools()?;
        tools::ensure_test_tools()?;
        trunk_build_e2e()?;
        build_sim_server(true)?;
        return e2e::run_scale();
    }
    tools::ensure_build_tools()?;
    if !native_only {
        tools::ensure_test_tools()?;
    }
    tools::ensure_leptosfmt()?;
    check_view_format()?;
    crate::fault_table::clear();
    let native = run(Cmd::new("cargo").args(["test", "--workspace", "--all-features", "--no-fail-fast"]));
    crate::fault_table::print();
    native?;
    if native_only {
        return Ok(());
    }
    // Both bundles: the release one (served through nginx with the shipped headers, and checked
    // for its CSP) and the test build every sim-server journey runs against.
    trunk_build()?;
    trunk_build_e2e()?;
    build_sim_server(false)?;
    let e2e = e2e::run_suite();
    crate::fault_table::print_side_by_side();
    e2e
}

/// The app's sources whose `view!` markup leptosfmt formats (rustfmt formats the rest of them).
const VIEW_SOURCES: &str = "src";

/// Fails when a `view!` is not as leptosfmt writes it, naming the command that fixes it.
fn check_view_format() -> Result<(), String> {
    run(Cmd::new("leptosfmt").args(["--check", VIEW_SOURCES]).dir(&root()))
        .map_err(|e| format!("{e}\nthe views are not formatted: run `cargo xtask fmt`"))
}

/// `cargo xtask fmt`: formats the views' markup (leptosfmt) as the test command checks it.
pub fn fmt() -> Result<(), String> {
    tools::ensure_leptosfmt()?;
    run(Cmd::new("leptosfmt").args([VIEW_SOURCES]).dir(&root()))
}

/// sim-server, the simulated Graph tenant over HTTP that end-to-end tests and benches talk to:
/// a debug build, or (`fast`) the `sim-server` profile (the release profile optimized for speed,
/// Cargo.toml) that the benches and the million-user journeys run.
pub fn build_sim_server(fast: bool) -> Result<(), String> {
    let mut args = vec!["build", "-p", "licswap-sim", "--features", "server", "--bin", "sim-server"];
    if fast {
        args.extend(["--profile", "sim-server"]);
    }
    run(Cmd::new("cargo").args(args))
}

/// Where [`build_sim_server`] puts the binary, under the target directory `target`.
pub fn sim_server_path(target: &std::path::Path, fast: bool) -> std::path::PathBuf {
    target.join(if fast { "sim-server" } else { "debug" }).join("sim-server")
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_test_build_csp_adds_the_loopback_to_connect_and_form_action_only() {
        let html = std::fs::read_to_string(super::root().join("index.html")).unwrap();
        let patched = super::loopback_csp(&html).unwrap();
        assert!(!html.contains("127.0.0.1"), "the release page never names the loopback");
        assert!(patched.contains("connect-src 'self' http://127.0.0.1:* https://login.microsoftonline.com"));
        assert!(patched.contains("form-action 'self' http://127.0.0.1:* https://"));
        assert_eq!(patched.matches("127.0.0.1").count(), 2);
    }
}
