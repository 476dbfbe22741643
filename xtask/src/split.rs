//! `cargo xtask split-wasm`: Trunk's post_build hook (Trunk.toml) that splits the app's wasm into
//! the module the overview needs and chunks loaded on demand (Leptos `#[lazy]` screens, the
//! bench hook's planner): the first-download budget (300 KB gzipped, ARCHITECTURE.md) holds only so.
//! Trunk 0.21 has no split step: this redoes wasm-split + wasm-bindgen + wasm-opt from cargo's raw
//! output and replaces Trunk's licswap_bg.wasm and licswap.js in its staging dir before publishing.
//! The raw wasm needs `--emit-relocs` (.cargo/config.toml) for wasm-split to move code.
use crate::cmd::{root, run, Cmd};
use std::path::{Path, PathBuf};

/// The name the bindgen glue and boot.js expect (`licswap.js`, `licswap_bg.wasm`).
const OUT_NAME: &str = "licswap";

/// Features the wasm uses, as Trunk passes them to wasm-opt (binaryen enables fewer by default).
const WASM_OPT_FEATURES: &[&str] = &[
    "--enable-bulk-memory",
    "--enable-nontrapping-float-to-int",
    "--enable-reference-types",
    "--enable-sign-ext",
    "--enable-mutable-globals",
    "--enable-multivalue",
];

/// -Oz until it gains no more (measured -0.5 KB gzipped on the first download over one -Oz pass);
/// the producers and target-features sections serve no browser.
const WASM_OPT_SIZE: &[&str] = &["-Oz", "--converge", "--strip-producers", "--strip-target-features"];

pub fn split_wasm() -> Result<(), String> {
    let staging = std::env::var_os("TRUNK_STAGING_DIR")
        .map(PathBuf::from)
        .ok_or("split-wasm is Trunk's post_build hook (Trunk.toml): TRUNK_STAGING_DIR is not set")?;
    let release = std::env::var("TRUNK_PROFILE").as_deref() == Ok("release");
    let profile = if release { "release" } else { "debug" };
    let raw = target_dir().join("wasm32-unknown-unknown").join(profile).join(format!("{OUT_NAME}.wasm"));
    if !raw.exists() {
        return Err(format!("no {} to split", raw.display()));
    }
    let work = target_dir().join("wasm-split").join(profile);
    let (split, pkg) = (work.join("split"), work.join("pkg"));
    for dir in [&split, &pkg] {
        let _ = std::fs::remove_dir_all(dir);
        std::fs::create_dir_all(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    }
    run(Cmd::new("wasm-split-cli")
        .args(["--target", "web", "--out-name", OUT_NAME])
        .arg_path(&raw)
        .arg_path(&split))?;
    // --keep-lld-exports: the chunks import the main module's functions by their linker names.
    let mut bindgen = Cmd::new("wasm-bindgen")
        .args([
            "--target",
            "web",
            "--keep-lld-exports",
            "--no-typescript",
            "--out-name",
            OUT_NAME,
            "--out-dir",
        ])
        .arg_path(&pkg);
    // LICSWAP_KEEP_NAMES=1: a release build whose wasm keeps its function names, for
    // tests/e2e/bench/profile-plan.mjs (Chromium's profiler names frames from the name section).
    let keep_names = std::env::var_os("LICSWAP_KEEP_NAMES").is_some();
    if !release || keep_names {
        bindgen = bindgen.args(["--keep-debug"]);
    }
    run(bindgen.arg_path(&split.join(format!("{OUT_NAME}.wasm"))))?;
    // The chunks and the loader (__wasm_split.js) go next to the bindgen output (the loader is
    // rewritten once the files are known, below).
    for entry in read_dir(&split)? {
        if entry.file_name() != Some(std::ffi::OsStr::new(&format!("{OUT_NAME}.wasm"))) {
            copy(&entry, &pkg.join(entry.file_name().unwrap_or_default()))?;
        }
    }
    // The pinned wasm-opt (tools/), also when Trunk was started without cargo xtask's PATH.
    let pinned = crate::tools::tools_bin().join("wasm-opt");
    let wasm_opt = if pinned.exists() { pinned.to_string_lossy().into_owned() } else { "wasm-opt".into() };
    for file in read_dir(&pkg)? {
        if release && file.extension().is_some_and(|e| e == "wasm") {
            let opt = file.with_extension("wasm.opt");
            run(Cmd::new(&wasm_opt)
                .args(WASM_OPT_FEATURES)
                .args(WASM_OPT_SIZE)
                .args(if keep_names { &["-g"][..] } else { &[] })
                .arg_path(&file)
                .args(["-o"])
                .arg_path(&opt))?;
            std::fs::rename(&opt, &file).map_err(|e| format!("{}: {e}", file.display()))?;
        }
        copy(&file, &staging.join(file.file_name().unwrap_or_default()))?;
    }
    // The demo's first screen, fetched (one pack) and compiled by early.js when the page has no
    // config.json; the loader instantiates what early.js compiled.
    let loader =
        std::fs::read_to_string(pkg.join("__wasm_split.js")).map_err(|e| format!("__wasm_split.js: {e}"))?;
    let files = crate::split_preload::files_of(&loader, crate::split_preload::DEMO_FIRST_SCREEN)?;
    std::fs::write(staging.join("__wasm_split.js"), crate::split_preload::instantiate_early(&loader)?)
        .map_err(|e| format!("__wasm_split.js: {e}"))?;
    let mut packed = Vec::new();
    for f in &files {
        let bytes = std::fs::read(staging.join(f)).map_err(|e| format!("{f}: {e}"))?;
        packed.push((f.clone(), bytes));
    }
    let (pack_name, pack) = crate::split_preload::pack(&packed);
    std::fs::write(staging.join(&pack_name), pack).map_err(|e| format!("{pack_name}: {e}"))?;
    let lengths: Vec<(String, usize)> = packed.into_iter().map(|(f, b)| (f, b.len())).collect();
    let early = staging.join("early.js");
    let text = std::fs::read_to_string(&early).map_err(|e| format!("{}: {e}", early.display()))?;
    std::fs::write(&early, crate::split_preload::fill(&text, &lengths, &pack_name)?)
        .map_err(|e| format!("{}: {e}", early.display()))?;
    eprintln!("xtask: split the wasm into {} files in {}", read_dir(&pkg)?.len(), staging.display());
    Ok(())
}

/// Cargo's target dir as Trunk's cargo build used it (the hook inherits Trunk's environment).
fn target_dir() -> PathBuf {
    std::env::var_os("CARGO_TARGET_DIR")
        .or_else(|| std::env::var_os("CARGO_BUILD_TARGET_DIR"))
        .map(PathBuf::from)
        .map(|p| if p.is_absolute() { p } else { root().join(p) })
        .unwrap_or_else(|| root().join("target"))
}

fn read_dir(dir: &Path) -> Result<Vec<PathBuf>, String> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .map_err(|e| format!("{}: {e}", dir.display()))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.is_file())
        .collect();
    files.sort();
    Ok(files)
}

fn copy(from: &Path, to: &Path) -> Result<(), String> {
    std::fs::copy(from, to).map(drop).map_err(|e| format!("copy {} to {}: {e}", from.display(), to.display()))
}
