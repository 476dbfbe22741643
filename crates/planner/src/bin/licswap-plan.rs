//! licswap-plan: the planner for scripts and pipelines.
//!
//! ```text
//! licswap-plan SNAPSHOT.json REQUEST.json [-o PLAN.json] [--pretty]
//! ```
//! `-` reads that input from stdin. Writes the plan JSON to stdout (or PLAN.json), a one-line
//! summary to stderr. Exit code: 0 no blockers, 1 blockers, 2 bad input (the message names the
//! file, the object and the field).
//!
//! REQUEST.json names the source and target by skuId or skuPartNumber, one SKU or a bundle:
//! `{"source": "STANDARDPACK", "target": "ENTERPRISEPACK", "scope": {"kind": "allHolders"}}` or
//! `{"source": ["ENTERPRISEPACK", "EMS"], "target": ["SPE_E3"], "scope": {"kind": "groups", "ids": ["<group id>"]}}`.
//!
//! With the `testgen` feature, `licswap-plan --generate USERS [SEED]` writes a generated tenant
//! snapshot (see `licswap_planner::testgen`) instead.
use licswap_core::plan::{self, Severity};
use std::io::{Read, Write};
use std::process::ExitCode;

const USAGE: &str = "usage: licswap-plan SNAPSHOT.json REQUEST.json [-o PLAN.json] [--pretty]";

fn read(path: &str) -> Result<String, String> {
    let mut s = String::new();
    if path == "-" {
        std::io::stdin().read_to_string(&mut s).map_err(|e| format!("stdin: {e}"))?;
    } else {
        s = std::fs::read_to_string(path).map_err(|e| format!("{path}: {e}"))?;
    }
    Ok(s)
}

struct Args {
    snapshot: String,
    request: String,
    out: Option<String>,
    pretty: bool,
}

fn args() -> Result<Args, String> {
    let mut pos = Vec::new();
    let (mut out, mut pretty) = (None, false);
    let mut it = std::env::args().skip(1);
    while let Some(a) = it.next() {
        match a.as_str() {
            "-o" | "--output" => out = Some(it.next().ok_or("-o needs a file name")?),
            "--pretty" => pretty = true,
            "-h" | "--help" => return Err(USAGE.into()),
            _ if a.starts_with('-') && a != "-" => return Err(format!("unknown option {a}\n{USAGE}")),
            _ => pos.push(a),
        }
    }
    match <[String; 2]>::try_from(pos) {
        Ok([snapshot, request]) => {
            if snapshot == "-" && request == "-" {
                return Err("only one of SNAPSHOT and REQUEST can be read from stdin".into());
            }
            Ok(Args { snapshot, request, out, pretty })
        }
        Err(_) => Err(USAGE.into()),
    }
}

fn run() -> Result<bool, String> {
    let a = args()?;
    let snapshot = plan::parse_snapshot(&read(&a.snapshot)?).map_err(|e| format!("{}: {e}", a.snapshot))?;
    let request = plan::parse_request(&read(&a.request)?).map_err(|e| format!("{}: {e}", a.request))?;
    let p = licswap_planner::plan(&snapshot, &request).map_err(|e| e.to_string())?;
    let json = if a.pretty { serde_json::to_vec_pretty(&p) } else { serde_json::to_vec(&p) }
        .map_err(|e| format!("cannot encode the plan: {e}"))?;
    match &a.out {
        Some(path) => std::fs::write(path, &json).map_err(|e| format!("{path}: {e}"))?,
        None => {
            let mut out = std::io::stdout().lock();
            out.write_all(&json).and_then(|_| out.write_all(b"\n")).map_err(|e| format!("stdout: {e}"))?;
        }
    }
    let count = |s: Severity| p.findings.iter().filter(|f| f.severity == s).count();
    let seats: Vec<String> = p
        .targets()
        .iter()
        .map(|t| format!("{} {} of {} available", t.sku.sku_part_number, t.needed, t.available))
        .collect();
    eprintln!(
        "{} actions in {} phase(s); seats needed: {}; {} blockers, {} warnings, {} infos",
        p.actions().count(),
        p.phases.len(),
        seats.join(", "),
        count(Severity::Blocker),
        count(Severity::Warning),
        count(Severity::Info)
    );
    Ok(p.has_blockers())
}

#[cfg(feature = "testgen")]
fn generate() -> Option<ExitCode> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args.first().map(String::as_str) != Some("--generate") {
        return None;
    }
    let users = args.get(1).and_then(|n| n.parse().ok()).unwrap_or(100_000);
    let seed = args.get(2).and_then(|n| n.parse().ok()).unwrap_or(1);
    let s = licswap_planner::testgen::tenant(users, seed);
    let mut out = std::io::stdout().lock();
    let ok = serde_json::to_writer(&mut out, &s).is_ok() && out.write_all(b"\n").is_ok();
    Some(if ok { ExitCode::SUCCESS } else { ExitCode::from(2) })
}

#[cfg(not(feature = "testgen"))]
fn generate() -> Option<ExitCode> {
    None
}

fn main() -> ExitCode {
    if let Some(code) = generate() {
        return code;
    }
    match run() {
        Ok(false) => ExitCode::SUCCESS,
        Ok(true) => ExitCode::from(1),
        Err(msg) => {
            eprintln!("licswap-plan: {msg}");
            ExitCode::from(2)
        }
    }
}
