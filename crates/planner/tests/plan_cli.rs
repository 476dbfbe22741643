//! The `licswap-plan` binary: exit codes 0 (no blockers), 1 (blockers), 2 (bad input, with a
//! message naming the file, the object and the field), `-` for stdin, `-o` for the output.
mod plan_support;
use plan_support::*;
use std::io::Write;
use std::process::{Command, Stdio};

fn bin() -> Command {
    Command::new(env!("CARGO_BIN_EXE_licswap-plan"))
}

fn write(dir: &std::path::Path, name: &str, body: &str) -> String {
    let p = dir.join(name);
    std::fs::write(&p, body).unwrap();
    p.to_string_lossy().into_owned()
}

fn tmpdir(tag: &str) -> std::path::PathBuf {
    let d = std::env::temp_dir().join(format!("licswap-plan-cli-{tag}-{}", std::process::id()));
    std::fs::create_dir_all(&d).unwrap();
    d
}

fn snapshot_json(e3_seats: i64) -> String {
    let s = snapshot(
        vec![sku("STANDARDPACK", 5, 1), sku("ENTERPRISEPACK", e3_seats, 0)],
        vec![user("u1", vec![direct("STANDARDPACK", &[])])],
        vec![],
    );
    serde_json::to_string(&s).unwrap()
}

const REQUEST: &str = r#"{"source":"STANDARDPACK","target":"ENTERPRISEPACK","scope":{"kind":"allHolders"}}"#;

#[test]
fn clean_plan_exits_0_and_writes_the_plan() {
    let d = tmpdir("clean");
    let (s, r) = (write(&d, "s.json", &snapshot_json(5)), write(&d, "r.json", REQUEST));
    let out = d.join("plan.json");
    let st = bin().args([&s, &r, "-o", out.to_str().unwrap()]).status().unwrap();
    assert_eq!(st.code(), Some(0));
    let p: licswap_core::plan::Plan = serde_json::from_slice(&std::fs::read(&out).unwrap()).unwrap();
    assert_eq!(p.actions().next().map(|a| a.id.as_str()), Some("swap:user:u1"));
}

#[test]
fn blockers_exit_1_and_stdin_works() {
    let d = tmpdir("blocked");
    let r = write(&d, "r.json", REQUEST);
    let mut child = bin()
        .args(["-", &r])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child.stdin.take().unwrap().write_all(snapshot_json(0).as_bytes()).unwrap();
    let out = child.wait_with_output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    let p: licswap_core::plan::Plan = serde_json::from_slice(&out.stdout).unwrap();
    assert!(p.findings.iter().any(|f| f.code == licswap_core::plan::FindingCode::SeatsInsufficient));
}

#[test]
fn bad_input_exits_2_naming_the_field_and_object() {
    let d = tmpdir("bad");
    let s = write(&d, "s.json", r#"{"skus":[],"users":[{"id":"a"},{"displayName":"no id"}]}"#);
    let r = write(&d, "r.json", REQUEST);
    let out = bin().args([&s, &r]).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("s.json") && err.contains("users[1]") && err.contains("`id`"), "{err}");
    let s = write(&d, "ok.json", &snapshot_json(5));
    let r = write(&d, "r2.json", r#"{"source":"STANDARDPACK","scope":{"kind":"allHolders"}}"#);
    let out = bin().args([&s, &r]).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("target"));
    assert_eq!(bin().output().unwrap().status.code(), Some(2), "usage");
}

/// A bundle request: Office 365 E3 + Enterprise Mobility + Security E3 -> Microsoft 365 E3.
#[test]
fn a_bundle_request_plans_one_call_per_user() {
    let d = tmpdir("bundle");
    let s = snapshot(
        vec![sku("ENTERPRISEPACK", 5, 1), sku("EMS", 5, 1), sku("SPE_E3", 5, 0)],
        vec![user("u1", vec![direct("ENTERPRISEPACK", &[]), direct("EMS", &[])])],
        vec![],
    );
    let s = write(&d, "s.json", &serde_json::to_string(&s).unwrap());
    let r = write(
        &d,
        "r.json",
        r#"{"source":["ENTERPRISEPACK","EMS"],"target":["SPE_E3"],"scope":{"kind":"allHolders"}}"#,
    );
    let out = bin().args([&s, &r]).output().unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    let p: licswap_core::plan::Plan = serde_json::from_slice(&out.stdout).unwrap();
    let a: Vec<_> = p.actions().collect();
    assert_eq!(a.len(), 1);
    assert_eq!(a[0].body.remove_licenses, [sku_id("ENTERPRISEPACK"), sku_id("EMS")]);
    assert_eq!(p.sources().len(), 2);

    let r = write(
        &d,
        "r2.json",
        r#"{"source":["ENTERPRISEPACK",""],"target":"SPE_E3","scope":{"kind":"allHolders"}}"#,
    );
    let out = bin().args([&s, &r]).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("r2.json") && err.contains("source") && err.contains("SKU 2 of the list is empty"),
        "{err}"
    );
}
