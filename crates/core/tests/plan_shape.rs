//! The plan's serialized shape is an API boundary: saved journals are keyed by `plan_hash`, taken
//! over the plan's JSON; a page reload restores the kept plan from its JSON; shared previews and
//! approved files carry it to another browser, maybe of another licswap version. A plan written
//! by this version (`fixtures/plan_v1.json`, made by the planner: see its `plan_fixture` test)
//! must read, write back to the very same text and hash to the same key.
use licswap_core::apply::plan_hash;
use licswap_core::plan::{Plan, PLAN_VERSION};

const FIXTURE: &str = include_str!("fixtures/plan_v1.json");

/// `plan_hash` of the fixture when it was made.
const PINNED_PLAN_HASH: &str = "e9ac4525c5129d83";

const BOUNDARY: &str = "the plan's serialized shape is an API boundary (journal keys, kept plans, shared \
     previews and approved files): renaming, reordering or retyping a serialized field of Plan orphans \
     saved journals and breaks files already handed out. Keep the shape, or bump PLAN_VERSION, add a \
     migration from version 1, and a fixture for the new version";

#[test]
fn a_version_1_plan_reads_and_writes_back_unchanged() {
    let plan: Plan = serde_json::from_str(FIXTURE).unwrap_or_else(|e| panic!("{BOUNDARY}: {e}"));
    assert_eq!(plan.version, 1);
    assert_eq!(PLAN_VERSION, 1, "a new plan version needs its own fixture and a migration test");
    let written = serde_json::to_string_pretty(&plan).unwrap() + "\n";
    if written != FIXTURE {
        let (mut now, mut was) = (written.lines(), FIXTURE.lines());
        let line = (1..).find(|_| now.next() != was.next()).unwrap_or(0);
        let (now, was) = (written.lines().nth(line - 1), FIXTURE.lines().nth(line - 1));
        panic!(
            "{BOUNDARY}.\nLine {line} of fixtures/plan_v1.json reads {was:?}, the plan now writes {now:?}"
        );
    }
}

#[test]
fn a_version_1_plan_keeps_its_journal_key() {
    let plan: Plan = serde_json::from_str(FIXTURE).unwrap_or_else(|e| panic!("{BOUNDARY}: {e}"));
    assert_eq!(plan_hash(&plan), PINNED_PLAN_HASH, "{BOUNDARY}: plan_hash changed");
}

/// The fixture holds every part of a plan the shape test is meant to guard, so a rename anywhere
/// shows: both phases with their actions, rollback actions naming what they undo, findings,
/// coverage, seats and a subject set aside.
#[test]
fn the_fixture_holds_every_part_of_a_plan() {
    let plan: Plan = serde_json::from_str(FIXTURE).unwrap();
    assert_eq!(plan.phases.len(), 2);
    assert!(plan.rollback.iter().flat_map(|p| &p.actions).all(|a| a.undoes.is_some()));
    assert!(plan.phases.iter().flat_map(|p| &p.actions).all(|a| a.undoes.is_none()));
    assert!(!plan.findings.is_empty() && !plan.coverage.is_empty() && !plan.set_aside.is_empty());
    assert!(plan.seats.needed > 0 && plan.tenant_name.is_some());
}
