//! Writes `crates/core/tests/fixtures/plan_v1.json`, the plan whose serialized shape licswap-core's
//! `plan_shape` test pins (saved journals, shared previews and approved files all carry a plan's
//! JSON). Run only to make a fixture for a new plan version, never to make that test pass:
//! `cargo test -p licswap-planner --test plan_fixture -- --ignored`.
mod plan_support;
use licswap_core::plan::{Scope, Snapshot};
use plan_support::*;

/// A small tenant with one of each kind of holder: direct (with a plan disabled), inherited from
/// a group in scope, both at once (a second phase), and one set aside for a blocker of its own.
fn tenant() -> Snapshot {
    let mut no_location = user("u4", vec![direct("STANDARDPACK", &[])]);
    no_location["usageLocation"] = serde_json::Value::Null;
    snapshot(
        vec![sku("STANDARDPACK", 10, 4), sku("ENTERPRISEPACK", 10, 2)],
        vec![
            user("u1", vec![direct("STANDARDPACK", &["SWAY"])]),
            user("u2", vec![inherited("STANDARDPACK", "g1", &[])]),
            user("u3", vec![direct("STANDARDPACK", &[]), inherited("STANDARDPACK", "g1", &[])]),
            no_location,
        ],
        vec![group("g1", vec![lic("STANDARDPACK", &[])], &["u2", "u3"])],
    )
}

#[test]
#[ignore = "writes the plan_v1 fixture; run by hand for a new plan version"]
fn write_plan_v1_fixture() {
    let mut request = request("STANDARDPACK", "ENTERPRISEPACK", Scope::AllHolders);
    request.options.set_aside_blocked = true;
    let plan = run(&tenant(), &request);
    let json = serde_json::to_string_pretty(&plan).unwrap() + "\n";
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../core/tests/fixtures/plan_v1.json");
    std::fs::write(path, json).unwrap();
}
