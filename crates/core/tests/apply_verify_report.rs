//! Verify after apply, rollback of what was done, and the CSV/JSON report.
mod apply_support;

use apply_support::fake::FakeGraph;
use apply_support::plan::*;
use futures::executor::block_on;
use licswap_core::apply::*;
use licswap_core::graph::clock::VirtualClock;
use licswap_core::plan::{ActionKind, Plan};

fn apply(fake: &FakeGraph, plan: &Plan, store: &MemoryStore) -> RunReport {
    let clock = VirtualClock::new(0);
    let ex = Executor::new(fake, &clock, store, ApplyConfig::default(), Control::new());
    block_on(ex.run(plan, &mut |_| {})).unwrap()
}

#[test]
fn verify_confirms_the_end_state_and_spots_drift() {
    let snap = sample_snapshot();
    let plan = sample_plan(&snap);
    let fake = FakeGraph::from_snapshot(&snap);
    fake.refuse.borrow_mut().insert("u2".into(), (400, "Request_BadRequest".into(), "no seats".into()));
    let report = apply(&fake, &plan, &MemoryStore::new());
    let v = block_on(verify(&fake, &plan, &report.journal, 20));
    assert_eq!(v.items.len(), 4);
    assert_eq!(
        v.items.iter().map(|i| i.action_id.as_str()).collect::<Vec<_>>(),
        ["swap-u1", "swap-u2", "swap-g1", "rm-u4"]
    );
    assert_eq!(v.ok(), 3);
    assert_eq!(v.item("swap-u2").unwrap().outcome, VerifyOutcome::NotApplied("failed".into()));
    // The failed action was read too, and its change is not there: the tenant does not match
    // the plan as a whole.
    assert_eq!(v.not_applied(), 1);
    assert!(!v.all_ok());

    // Someone re-enables Yammer for alice and deletes the group afterwards.
    fake.edit_user("u1", |u| u.license_assignment_states[0].disabled_plans.clear());
    fake.groups.borrow_mut().remove("g1");
    let v = block_on(verify(&fake, &plan, &report.journal, 20));
    match &v.item("swap-u1").unwrap().outcome {
        VerifyOutcome::Mismatch(d) => assert!(d[0].contains("disabled plans"), "{d:?}"),
        o => panic!("{o:?}"),
    }
    match &v.item("swap-g1").unwrap().outcome {
        VerifyOutcome::Error { code, remedy, .. } => {
            assert_eq!(code, "Request_ResourceNotFound");
            assert!(remedy.contains("deleted"), "{remedy}");
        }
        o => panic!("{o:?}"),
    }
    assert_eq!((v.mismatched(), v.errors()), (1, 1));
    assert!(!v.all_ok());
}

#[test]
fn rollback_undoes_only_what_was_done_and_verified() {
    let snap = sample_snapshot();
    let plan = sample_plan(&snap);
    let fake = FakeGraph::from_snapshot(&snap);
    fake.refuse.borrow_mut().insert("u2".into(), (400, "Request_BadRequest".into(), "no".into()));
    let report = apply(&fake, &plan, &MemoryStore::new());
    fake.refuse.borrow_mut().clear();
    let v = block_on(verify(&fake, &plan, &report.journal, 20));

    let rb = rollback_plan(&plan, &report.journal, &v);
    let ids: Vec<&str> = rb.plan.actions().map(|a| a.id.as_str()).collect();
    // In forward phase order: the group goes back to E1 before dave's direct E1 returns.
    assert_eq!(ids, ["rb-swap-u1", "rb-swap-g1", "rb-rm-u4"]);
    assert_eq!(rb.plan.phases.len(), 2);
    assert_eq!(rb.left_out.len(), 1);
    assert_eq!(rb.left_out[0].0, "rb-swap-u2");
    assert_eq!(rb.plan.target.sku_id, E1, "a rollback goes back to the source");

    let store = MemoryStore::new();
    let r = apply(&fake, &rb.plan, &store);
    assert_eq!(r.outcome, RunOutcome::Completed, "{:?}", r.notes);
    assert_eq!(r.journal.counts().done, 3);
    assert_eq!(fake.direct_skus("u1"), [E1]);
    assert_eq!(fake.user("u1").license_assignment_states[0].disabled_plans, [YAMMER]);
    assert_eq!(fake.direct_skus("u2"), [E1], "bob was never swapped, never rolled back");
    assert_eq!(fake.group("g1").assigned_licenses[0].sku_id, E1);
    assert_eq!(fake.direct_skus("u4"), [E1]);
    assert!(fake.user("u4").license_assignment_states.iter().any(|s| s.sku_id == E1 && !s.is_direct()));

    // Without verify, nothing can be rolled back.
    let none = rollback_plan(&plan, &report.journal, &VerifyReport::default());
    assert_eq!(none.plan.actions().count(), 0);
    assert!(none.left_out.iter().any(|(_, why)| why.contains("verify")));
}

/// A rollback action names the forward action it undoes (`undoes`), and that id is what pairs
/// them: with the ids recorded the rollback is the same as when it was found by target and body
/// (plans made before the ids were recorded, like the sample plan), and an inverse naming an
/// action the plan does not have is left out even though its body would match one.
#[test]
fn rollback_pairs_each_inverse_with_the_forward_action_it_names() {
    let snap = sample_snapshot();
    let mut plan = sample_plan(&snap);
    let fake = FakeGraph::from_snapshot(&snap);
    let report = apply(&fake, &plan, &MemoryStore::new());
    let v = block_on(verify(&fake, &plan, &report.journal, 20));
    let by_body = rollback_plan(&plan, &report.journal, &v);
    for a in plan.rollback.iter_mut().flat_map(|p| &mut p.actions) {
        a.undoes = a.id.strip_prefix("rb-").map(Into::into);
    }
    let by_id = rollback_plan(&plan, &report.journal, &v);
    let ids = |rb: &RollbackPlan| rb.plan.actions().map(|a| a.id.clone()).collect::<Vec<_>>();
    assert_eq!(ids(&by_id), ["rb-swap-u1", "rb-swap-u2", "rb-swap-g1", "rb-rm-u4"]);
    assert_eq!(ids(&by_id), ids(&by_body));
    assert!(by_id.left_out.is_empty(), "{:?}", by_id.left_out);

    let bob = plan.rollback.iter_mut().flat_map(|p| &mut p.actions).find(|a| a.id == "rb-swap-u2").unwrap();
    bob.undoes = Some("swap-u9".into());
    let rb = rollback_plan(&plan, &report.journal, &v);
    assert_eq!(ids(&rb), ["rb-swap-u1", "rb-swap-g1", "rb-rm-u4"]);
    assert_eq!(
        rb.left_out,
        [("rb-swap-u2".to_string(), "no forward action in the plan matches it".to_string())]
    );
}

#[test]
fn rollback_refuses_a_target_changed_after_verify() {
    let snap = sample_snapshot();
    let plan = sample_plan(&snap);
    let fake = FakeGraph::from_snapshot(&snap);
    let report = apply(&fake, &plan, &MemoryStore::new());
    let v = block_on(verify(&fake, &plan, &report.journal, 20));
    let rb = rollback_plan(&plan, &report.journal, &v);
    fake.edit_user("u1", |u| {
        u.license_assignment_states.push(direct("c5928f49-12ba-48f7-ada3-0d743a3601d5", &[]))
    });
    let r = apply(&fake, &rb.plan, &MemoryStore::new());
    assert!(matches!(r.journal.state("rb-swap-u1"), Some(EntryState::SkippedStale { .. })));
    assert_eq!(fake.direct_skus("u1")[0], E3);
}

/// A minimal RFC 4180 reader, to check the writer against.
fn parse_csv(s: &str) -> Vec<Vec<String>> {
    let (mut rows, mut row, mut cell, mut quoted) = (vec![], vec![], String::new(), false);
    let mut chars = s.chars().peekable();
    while let Some(c) = chars.next() {
        match (quoted, c) {
            (true, '"') if chars.peek() == Some(&'"') => {
                chars.next();
                cell.push('"');
            }
            (true, '"') => quoted = false,
            (true, c) => cell.push(c),
            (false, '"') => quoted = true,
            (false, ',') => row.push(std::mem::take(&mut cell)),
            (false, '\r') => {}
            (false, '\n') => {
                row.push(std::mem::take(&mut cell));
                rows.push(std::mem::take(&mut row));
            }
            (false, c) => cell.push(c),
        }
    }
    rows
}

#[test]
fn csv_report_escapes_and_neutralises_formulas() {
    let snap = sample_snapshot();
    let mut plan = sample_plan(&snap);
    // A hostile display name and a Graph message with quotes, commas and a newline.
    std::sync::Arc::make_mut(&mut plan.phases[0].actions[2].target).name =
        "=HYPERLINK(\"http://x\",\"click\")".into();
    let fake = FakeGraph::from_snapshot(&snap);
    fake.refuse
        .borrow_mut()
        .insert("u2".into(), (400, "Request_BadRequest".into(), "bad, \"very\"\nbad".into()));
    let report = apply(&fake, &plan, &MemoryStore::new());
    let v = block_on(verify(&fake, &plan, &report.journal, 20));
    let csv = report_csv(&plan, &report.journal, Some(&v));
    let rows = parse_csv(&csv);
    assert_eq!(rows.len(), 5);
    assert_eq!(rows[0][..4], ["phase", "actionId", "action", "targetKind"]);
    assert!(rows.iter().all(|r| r.len() == 10), "{rows:?}");
    let bob = rows.iter().find(|r| r[1] == "swap-u2").unwrap();
    assert_eq!(
        (bob[6].as_str(), bob[7].as_str(), bob[8].as_str()),
        ("failed", "Request_BadRequest", "bad, \"very\"\nbad")
    );
    let group = rows.iter().find(|r| r[1] == "swap-g1").unwrap();
    assert_eq!(group[5], "'=HYPERLINK(\"http://x\",\"click\")");
    assert_eq!(group[9], "ok");
    for (input, out) in
        [("-1+2", "'-1+2"), ("+x", "'+x"), ("@SUM(A1)", "'@SUM(A1)"), ("plain", "plain"), ("a;b", "\"a;b\"")]
    {
        assert_eq!(csv_field(input), out);
    }

    let json: serde_json::Value =
        serde_json::from_str(&report_json(&plan, &report.journal, Some(&v))).unwrap();
    assert_eq!(json["counts"]["done"], 3);
    assert_eq!(json["rows"].as_array().unwrap().len(), 4);
    assert_eq!(json["rows"][1]["errorCode"], "Request_BadRequest");
    assert_eq!(
        json["rows"][2]["targetName"], "=HYPERLINK(\"http://x\",\"click\")",
        "JSON keeps the raw value"
    );
    assert_eq!(json["sourceName"], plan.source.name.as_str());
    assert_eq!(json["targetName"], plan.target.name.as_str());
    assert_eq!(json["waivedPlans"], serde_json::json!([]));

    // Accepted losses are reported by id and by Microsoft's friendly name.
    let mut waived = plan.clone();
    waived.request.options.waived_plans = vec!["EXCHANGE_S_ENTERPRISE".into(), "NOT_A_PLAN".into()];
    let json: serde_json::Value =
        serde_json::from_str(&report_json(&waived, &report.journal, Some(&v))).unwrap();
    assert_eq!(
        json["waivedPlans"],
        serde_json::json!([
            {"servicePlanName": "EXCHANGE_S_ENTERPRISE", "name": "Exchange Online (Plan 2)"},
            {"servicePlanName": "NOT_A_PLAN", "name": "NOT_A_PLAN"},
        ])
    );
}

/// The report's rows stay typed for the report screen: which calls did not go through and what to
/// do about each, decided from the journal's state, not from the words the export writes.
#[test]
fn report_rows_say_what_did_not_go_through_and_what_to_do() {
    let snap = sample_snapshot();
    let plan = sample_plan(&snap);
    let fake = FakeGraph::from_snapshot(&snap);
    fake.refuse.borrow_mut().insert("u2".into(), (400, "Request_BadRequest".into(), "no usage location".into()));
    let mut journal = apply(&fake, &plan, &MemoryStore::new()).journal;
    journal.entries.get_mut("swap-g1").unwrap().state = EntryState::SkippedStale { now_fingerprint: "x".into() };
    journal.entries.get_mut("rm-u4").unwrap().state =
        EntryState::Failed { code: ApiError::UNREACHABLE.into(), message: "offline".into(), retryable: true };
    let rows = report_rows(&plan, &journal, None);
    let row = |id: &str| rows.iter().find(|r| r.action_id == id).unwrap();

    let done = row("swap-u1");
    assert_eq!((done.action, done.state.as_str(), done.error_code()), (RowAction::Call(ActionKind::Swap), "done", ""));
    assert!(!done.did_not_go_through() && done.what_to_do().is_none());
    let refused = row("swap-u2");
    assert_eq!(refused.error_code(), "Request_BadRequest");
    assert!(refused.did_not_go_through());
    assert_eq!(refused.what_to_do().unwrap(), failure_remedy("Request_BadRequest", "no usage location"));
    assert!(refused.what_to_do().unwrap().contains("usage location"));
    let stale = row("swap-g1");
    assert!(stale.state.is_stale() && stale.did_not_go_through());
    assert!(stale.what_to_do().unwrap().starts_with("Re-plan"));
    let offline = row("rm-u4");
    assert_eq!(offline.what_to_do().unwrap(), remedy(&ApiError::unreachable("offline")));
}

#[test]
fn member_outcomes_csv_has_a_row_per_member() {
    let snap = sample_snapshot();
    let plan = sample_plan(&snap);
    let fake = FakeGraph::from_snapshot(&snap);
    fake.member_errors.borrow_mut().insert("u4".into(), "CountViolation".into());
    let report = apply(&fake, &plan, &MemoryStore::new());
    let rows = parse_csv(&report_members_csv(&report.groups));
    assert_eq!(rows[0], ["groupId", "groupName", "userId", "user", "outcome", "error"]);
    assert_eq!(rows.len(), 3);
    assert_eq!(rows[1], ["g1", "Sales Team", "u3", "carol@contoso.com", "active", ""]);
    assert_eq!(rows[2], ["g1", "Sales Team", "u4", "dave@contoso.com", "error", "CountViolation"]);
}

/// Verify looks at every action, whatever the journal says: a change the journal records as
/// failed (its answer was misread) but that the tenant shows is reported as there.
#[test]
fn verify_reads_actions_the_journal_calls_failed() {
    let snap = sample_snapshot();
    let plan = sample_plan(&snap);
    let fake = FakeGraph::from_snapshot(&snap);
    let mut journal = apply(&fake, &plan, &MemoryStore::new()).journal;
    let failed = EntryState::Failed { code: "Request_BadRequest".into(), message: "x".into(), retryable: false };
    journal.set("swap-u1", failed, 1);
    let reads = fake.read_calls.get();
    let v = block_on(verify(&fake, &plan, &journal, 20));
    assert!(fake.read_calls.get() > reads);
    assert_eq!(v.item("swap-u1").unwrap().outcome, VerifyOutcome::AppliedDespiteJournal("failed".into()));
    assert_eq!((v.ok(), v.applied_despite_journal(), v.not_applied()), (4, 1, 0));
    assert!(v.all_ok(), "the tenant matches the plan for every action");
}
