//! `cargo xtask fuzz`: runs the libFuzzer targets in `fuzz/` (cargo-fuzz) from seeds made of the
//! demo tenant, for a set time each, and prints how long each ran and what it found. The stable
//! toolchain builds them with `RUSTC_BOOTSTRAP=1` (cargo-fuzz needs nightly's sanitizer flags).
//! The same harnesses run briefly on every `cargo test` (licswap-itest's faults_fuzz_seeded).
use crate::cmd::{output_of, root, run, Cmd};
use std::time::Instant;

pub const TARGETS: [&str; 6] = ["share_decode", "approved_decode", "graph_parsers", "userlist", "config_json", "stored_journal"];
/// Default time per target: long enough for libFuzzer to get well past the seeds.
const DEFAULT_SECS: u64 = 600;

pub fn fuzz(args: &[String]) -> Result<(), String> {
    let mut secs = DEFAULT_SECS;
    let mut targets: Vec<String> = Vec::new();
    let mut it = args.iter();
    while let Some(a) = it.next() {
        match a.as_str() {
            "--secs" => {
                let v = it.next().ok_or("--secs needs a number")?;
                secs = v.parse().map_err(|_| format!("--secs: not a number: {v}"))?;
            }
            t if TARGETS.contains(&t) => targets.push(t.to_string()),
            other => return Err(format!("fuzz: unknown argument {other} (targets: {})", TARGETS.join(", "))),
        }
    }
    if targets.is_empty() {
        targets = TARGETS.iter().map(|t| t.to_string()).collect();
    }
    ensure_cargo_fuzz()?;
    let corpus = root().join("fuzz/corpus");
    // Seeds from the demo tenant (a shared preview, recorded Graph answers, user lists).
    run(Cmd::new("cargo")
        .args([
            "test",
            "-p",
            "licswap-itest",
            "--test",
            "faults_fuzz_seeded",
            "write_seed_corpus",
            "--",
            "--ignored",
        ])
        .env("LICSWAP_FUZZ_CORPUS", &corpus))?;
    let mut summary = Vec::new();
    let mut failed = Vec::new();
    for t in &targets {
        let start = Instant::now();
        let dir = corpus.join(t);
        // libFuzzer refuses a corpus directory that does not exist (the seed writer makes only
        // those of the harnesses in licswap-itest).
        std::fs::create_dir_all(&dir).map_err(|e| format!("{}: {e}", dir.display()))?;
        // The committed corpus (fuzz/seeds/<target>, minimized from earlier runs) is read too;
        // new finds go to fuzz/corpus/<target>.
        let seeds = root().join("fuzz/seeds").join(t);
        let mut cmd = Cmd::new("cargo").args(["fuzz", "run", "-O", t]).arg_path(&dir);
        if seeds.is_dir() {
            cmd = cmd.arg_path(&seeds);
        }
        let result = run(cmd
            .args(["--", &format!("-max_total_time={secs}"), "-print_final_stats=1"])
            .dir(&root().join("fuzz"))
            .env("RUSTC_BOOTSTRAP", "1"));
        let took = start.elapsed().as_secs();
        let corpus_size = std::fs::read_dir(&dir).map(|d| d.count()).unwrap_or(0);
        let verdict = match &result {
            Ok(()) => "no crash".to_string(),
            Err(_) => {
                failed.push(t.clone());
                format!("CRASH: see fuzz/artifacts/{t}/")
            }
        };
        summary.push(format!("| {t} | {took} s | {corpus_size} inputs | {verdict} |"));
    }
    println!("\n| target | ran | corpus | result |\n|---|---:|---:|---|");
    for line in &summary {
        println!("{line}");
    }
    if failed.is_empty() {
        Ok(())
    } else {
        Err(format!("fuzzing found crashes in {}", failed.join(", ")))
    }
}

fn ensure_cargo_fuzz() -> Result<(), String> {
    if output_of("cargo", &["fuzz", "--version"]).is_none() {
        eprintln!("xtask: installing cargo-fuzz");
        run(Cmd::new("cargo").args(["install", "cargo-fuzz", "--locked"]))?;
    }
    Ok(())
}
