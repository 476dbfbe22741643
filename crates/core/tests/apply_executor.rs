mod apply_support;

use apply_support::fake::FakeGraph;
use apply_support::plan::*;
use futures::executor::block_on;
use licswap_core::apply::*;
use licswap_core::graph::clock::VirtualClock;
use licswap_core::plan::Plan;

fn config() -> ApplyConfig {
    ApplyConfig {
        settle_poll_ms: 1_000,
        settle_timeout_ms: 60_000,
        retry_delay_ms: 100,
        ..ApplyConfig::default()
    }
}

fn run_with(
    fake: &FakeGraph,
    store: &MemoryStore,
    plan: &Plan,
    control: Control,
    on: &mut dyn FnMut(&RunProgress),
) -> Result<RunReport, ApplyError> {
    let clock = VirtualClock::new(1_000);
    let ex = Executor::new(fake, &clock, store, config(), control);
    block_on(ex.run(plan, on))
}

fn run(fake: &FakeGraph, store: &MemoryStore, plan: &Plan) -> RunReport {
    run_with(fake, store, plan, Control::new(), &mut |_| {}).unwrap()
}

fn state<'a>(r: &'a RunReport, id: &str) -> &'a EntryState {
    r.journal.state(id).unwrap()
}

fn assert_swapped_tenant(fake: &FakeGraph) {
    assert_eq!(fake.direct_skus("u1"), [E3]);
    assert_eq!(fake.user("u1").license_assignment_states[0].disabled_plans, [YAMMER]);
    assert_eq!(fake.direct_skus("u2"), [E3]);
    assert_eq!(fake.group("g1").assigned_licenses[0].sku_id, E3);
    assert!(fake.direct_skus("u4").is_empty(), "dave keeps only the inherited E3");
    assert!(fake.user("u4").license_assignment_states.iter().any(|s| s.sku_id == E3));
}

#[test]
fn applies_every_phase_in_order() {
    let snap = sample_snapshot();
    let plan = sample_plan(&snap);
    let fake = FakeGraph::from_snapshot(&snap);
    fake.group_delay_polls.set(2);
    let store = MemoryStore::new();
    let mut events = Vec::new();
    let report = run_with(&fake, &store, &plan, Control::new(), &mut |p| events.push(p.clone())).unwrap();

    assert_eq!(report.outcome, RunOutcome::Completed, "{:?}", report.notes);
    assert_eq!(report.journal.counts().done, 4);
    assert_swapped_tenant(&fake);
    // Dave's direct E1 went only after the group showed E3 Active on every member.
    let log = fake.assigned.borrow().clone();
    assert_eq!(log.iter().position(|t| t == "u4"), Some(3), "{log:?}");
    assert!(fake.group_polls.get() >= 3, "group processing was polled until it settled");
    let g = &report.groups[0];
    assert!(g.settled);
    assert_eq!(g.members.len(), 2);
    assert!(g.members.iter().all(|m| m.outcome == MemberOutcome::Active));
    // The journal in the store is the final one.
    assert_eq!(store.load().unwrap().unwrap(), report.journal);
    // Progress: settling reported, then finished with nothing remaining.
    assert!(events.iter().any(|e| e.status == RunStatus::Settling));
    let last = events.last().unwrap();
    assert_eq!((last.status, last.remaining, last.counts.done), (RunStatus::Finished, 0, 4));
    // Each action sent exactly once.
    for id in ["u1", "u2", "g1", "u4"] {
        assert_eq!(fake.sends_to(id), 1, "{id}");
    }
}

#[test]
fn a_finished_journal_sends_nothing_again() {
    let snap = sample_snapshot();
    let plan = sample_plan(&snap);
    let fake = FakeGraph::from_snapshot(&snap);
    let store = MemoryStore::new();
    run(&fake, &store, &plan);
    let again = run(&fake, &store, &plan);
    assert_eq!(again.outcome, RunOutcome::Completed);
    assert_eq!(fake.assigned.borrow().len(), 4);
}

#[test]
fn a_target_changed_since_planning_is_skipped_and_reported() {
    let snap = sample_snapshot();
    let plan = sample_plan(&snap);
    let fake = FakeGraph::from_snapshot(&snap);
    // Someone gives bob Visio after planning.
    fake.edit_user("u2", |u| {
        u.license_assignment_states.push(direct("c5928f49-12ba-48f7-ada3-0d743a3601d5", &[]))
    });
    let store = MemoryStore::new();
    let report = run(&fake, &store, &plan);
    assert!(matches!(state(&report, "swap-u2"), EntryState::SkippedStale { .. }));
    assert_eq!(fake.sends_to("u2"), 0, "a stale target is never written");
    assert_eq!(report.stale.len(), 1);
    assert_eq!(report.stale[0].target.id, "u2");
    assert_ne!(report.stale[0].now_fingerprint, report.stale[0].planned_fingerprint);
    assert_eq!(state(&report, "swap-u1"), &EntryState::Done);
    assert_eq!(report.outcome, RunOutcome::Completed);
}

#[test]
fn a_target_changed_between_phases_is_skipped() {
    let snap = sample_snapshot();
    let plan = sample_plan(&snap);
    let fake = FakeGraph::from_snapshot(&snap);
    // Right after the executor's first read (the baseline of phase 2's targets), someone removes
    // dave's direct E1 by hand; dave is read again in phase 2.
    *fake.after_read.borrow_mut() = Some((
        1,
        Box::new(|f: &FakeGraph| {
            f.edit_user("u4", |u| u.license_assignment_states.retain(|s| !s.is_direct()))
        }),
    ));
    let store = MemoryStore::new();
    let report = run(&fake, &store, &plan);
    assert!(matches!(state(&report, "rm-u4"), EntryState::SkippedStale { .. }));
    assert_eq!(fake.sends_to("u4"), 0);
}

#[test]
fn a_lost_response_is_read_back_not_resent() {
    let snap = sample_snapshot();
    let plan = sample_plan(&snap);
    let fake = FakeGraph::from_snapshot(&snap);
    fake.lose_response.borrow_mut().insert("u1".into());
    let store = MemoryStore::new();
    let report = run(&fake, &store, &plan);
    assert_eq!(state(&report, "swap-u1"), &EntryState::Done);
    assert_eq!(fake.sends_to("u1"), 1, "the effect was visible: not sent twice");
    assert!(report.journal.entries["swap-u1"].note.as_deref().unwrap().contains("unknown"));
    assert_swapped_tenant(&fake);
}

#[test]
fn a_lost_request_is_read_back_then_resent() {
    let snap = sample_snapshot();
    let plan = sample_plan(&snap);
    let fake = FakeGraph::from_snapshot(&snap);
    fake.lose_request.borrow_mut().insert("u2".into());
    let store = MemoryStore::new();
    let report = run(&fake, &store, &plan);
    assert_eq!(state(&report, "swap-u2"), &EntryState::Done);
    assert_eq!(report.journal.entries["swap-u2"].attempts, 2);
    assert_eq!(fake.sends_to("u2"), 1, "reached the tenant once");
    assert_swapped_tenant(&fake);
}

#[test]
fn a_crash_after_sending_resumes_from_the_evidence() {
    let snap = sample_snapshot();
    let plan = sample_plan(&snap);
    let fake = FakeGraph::from_snapshot(&snap);
    let store = MemoryStore::new();
    // Save 1: initial journal; save 2: baselines of phase 2's targets; save 3: in-flight marks
    // of phase 1's batch; save 4 (after the answers) fails: the tab "crashed" between send and
    // save.
    store.fail_after(3);
    let err = run_with(&fake, &store, &plan, Control::new(), &mut |_| {}).unwrap_err();
    assert!(matches!(err, ApplyError::Store(_)));
    let saved = store.load().unwrap().unwrap();
    assert_eq!(saved.counts().in_flight, 3, "{saved:?}");
    assert_eq!(fake.assigned.borrow().len(), 3, "phase 1 reached Graph");
    // Meanwhile bob's swap is undone by another admin: not ours to redo.
    fake.edit_user("u2", |u| {
        u.license_assignment_states =
            vec![direct(E1, &[]), direct("c5928f49-12ba-48f7-ada3-0d743a3601d5", &[])]
    });

    let resumed = MemoryStore::new();
    resumed.put_json(store.json().unwrap());
    let report = run(&fake, &resumed, &plan);
    assert_eq!(state(&report, "swap-u1"), &EntryState::Done);
    assert_eq!(state(&report, "swap-g1"), &EntryState::Done);
    assert!(matches!(state(&report, "swap-u2"), EntryState::SkippedStale { .. }));
    assert_eq!(state(&report, "rm-u4"), &EntryState::Done);
    assert_eq!(fake.sends_to("u1"), 1);
    assert_eq!(fake.sends_to("g1"), 1);
    assert_eq!(fake.sends_to("u2"), 1);
}

#[test]
fn in_flight_at_load_with_nothing_applied_is_resent() {
    let snap = sample_snapshot();
    let plan = sample_plan(&snap);
    let fake = FakeGraph::from_snapshot(&snap);
    let store = MemoryStore::new();
    let mut journal = Journal::new(&plan, 0);
    journal.set("swap-u1", EntryState::InFlight { attempt: 1 }, 0);
    store.save(&journal).unwrap();
    let report = run(&fake, &store, &plan);
    assert_eq!(state(&report, "swap-u1"), &EntryState::Done);
    assert_eq!(report.journal.entries["swap-u1"].attempts, 2);
    assert_eq!(fake.sends_to("u1"), 1);
}

#[test]
fn throttling_is_retried_then_reported_as_retryable() {
    let snap = sample_snapshot();
    let plan = sample_plan(&snap);
    let fake = FakeGraph::from_snapshot(&snap);
    fake.throttle.borrow_mut().insert("u1".into(), 2);
    fake.throttle.borrow_mut().insert("u2".into(), 50);
    fake.throttle_reads.set(1);
    let store = MemoryStore::new();
    let report = run(&fake, &store, &plan);
    assert_eq!(state(&report, "swap-u1"), &EntryState::Done);
    match state(&report, "swap-u2") {
        EntryState::Failed { code, retryable, .. } => assert!(code == "TooManyRequests" && *retryable),
        s => panic!("{s:?}"),
    }
    assert_eq!(report.outcome, RunOutcome::Completed);
    // The admin presses retry once the throttling is over.
    fake.throttle.borrow_mut().clear();
    let mut journal = store.load().unwrap().unwrap();
    assert_eq!(journal.reopen_retryable(5), 1);
    store.save(&journal).unwrap();
    let report = run(&fake, &store, &plan);
    assert_eq!(state(&report, "swap-u2"), &EntryState::Done);
    assert_swapped_tenant(&fake);
}

#[test]
fn a_refusal_is_recorded_with_graph_code_and_not_retried() {
    let snap = sample_snapshot();
    let plan = sample_plan(&snap);
    let fake = FakeGraph::from_snapshot(&snap);
    let msg = "License assignment cannot be done for user with invalid usage location.";
    fake.refuse.borrow_mut().insert("u2".into(), (400, "Request_BadRequest".into(), msg.into()));
    let store = MemoryStore::new();
    let report = run(&fake, &store, &plan);
    assert_eq!(
        state(&report, "swap-u2"),
        &EntryState::Failed { code: "Request_BadRequest".into(), message: msg.into(), retryable: false }
    );
    assert_eq!(fake.sends_to("u2"), 1);
}

#[test]
fn a_deleted_target_fails_without_sending() {
    let snap = sample_snapshot();
    let plan = sample_plan(&snap);
    let fake = FakeGraph::from_snapshot(&snap);
    fake.users.borrow_mut().remove("u2");
    let report = run(&fake, &MemoryStore::new(), &plan);
    assert!(
        matches!(state(&report, "swap-u2"), EntryState::Failed { code, .. } if code == "Request_ResourceNotFound")
    );
    assert_eq!(fake.sends_to("u2"), 0);
}

#[test]
fn unsettled_group_processing_holds_the_next_phase() {
    let snap = sample_snapshot();
    let plan = sample_plan(&snap);
    let fake = FakeGraph::from_snapshot(&snap);
    fake.group_delay_polls.set(1_000);
    let store = MemoryStore::new();
    let report = run(&fake, &store, &plan);
    // Entra being slow is no failure: the run says it waits, and for what.
    assert_eq!(report.outcome, RunOutcome::WaitingForGroups);
    assert_eq!(report.journal.counts().failed, 0);
    assert_eq!(state(&report, "rm-u4"), &EntryState::Pending);
    assert_eq!(fake.sends_to("u4"), 0, "dave's direct E1 stays until E3 is Active through the group");
    assert!(!report.groups[0].settled);
    assert!(report.groups[0].members.iter().all(|m| m.outcome == MemberOutcome::Pending));
    assert!(report.groups[0].waited_ms >= 60_000);
    assert!(report.notes[0].contains("waits for Entra"), "{:?}", report.notes);
    assert!(report.notes[0].contains("0 of 2 members processed"), "{:?}", report.notes);
    assert!(report.notes[0].contains("close this tab"), "{:?}", report.notes);
    // Later, processing has finished: resume completes phase 2.
    let clock = VirtualClock::new(0);
    let again = {
        // Processing finishes in the tenant (the fake needs one poll to apply it).
        let ex = Executor::new(&fake, &clock, &store, config(), Control::new());
        fake.pending_done("g1");
        block_on(ex.run(&plan, &mut |_| {})).unwrap()
    };
    assert_eq!(again.outcome, RunOutcome::Completed, "{:?}", again.notes);
    assert_swapped_tenant(&fake);
}

#[test]
fn member_errors_are_reported_and_block_that_members_removal() {
    let snap = sample_snapshot();
    let plan = sample_plan(&snap);
    let fake = FakeGraph::from_snapshot(&snap);
    fake.member_errors.borrow_mut().insert("u4".into(), "CountViolation".into());
    let report = run(&fake, &MemoryStore::new(), &plan);
    let g = &report.groups[0];
    assert!(g.settled);
    let dave = g.members.iter().find(|m| m.user_id == "u4").unwrap();
    assert_eq!(dave.outcome, MemberOutcome::Error("CountViolation".into()));
    assert_eq!(g.errors().count(), 1);
    // Without E3 Active, dave's direct E1 is his only working license: never removed.
    assert!(matches!(state(&report, "rm-u4"), EntryState::SkippedStale { .. }));
    assert_eq!(fake.direct_skus("u4"), [E1]);
}

#[test]
fn cancel_while_waiting_for_group_processing() {
    let snap = sample_snapshot();
    let plan = sample_plan(&snap);
    let fake = FakeGraph::from_snapshot(&snap);
    fake.group_delay_polls.set(1_000);
    let control = Control::new();
    let c = control.clone();
    let report = run_with(&fake, &MemoryStore::new(), &plan, control, &mut |p| {
        if p.status == RunStatus::Settling {
            c.cancel();
        }
    })
    .unwrap();
    assert_eq!(report.outcome, RunOutcome::Cancelled);
    assert_eq!(state(&report, "swap-g1"), &EntryState::Done);
    assert_eq!(state(&report, "rm-u4"), &EntryState::Cancelled);
    assert_eq!(fake.sends_to("u4"), 0);
    assert!(fake.group_polls.get() <= 1, "stopped polling");
}

/// In a browser, a POST whose answer was lost on a kept-alive connection is sent again by the
/// browser itself; Graph's answer to that repeat is a refusal ("User does not have a
/// corresponding license.": the first copy already swapped the user). The refusal is read back
/// before it is believed: the action is done, once, and says why.
#[test]
fn a_refusal_answering_a_repeat_of_a_landed_call_is_done_not_failed() {
    let snap = sample_snapshot();
    let plan = sample_plan(&snap);
    let fake = FakeGraph::from_snapshot(&snap);
    fake.answer_a_repeat.borrow_mut().insert("u1".into());
    let report = run(&fake, &MemoryStore::new(), &plan);
    assert_eq!(state(&report, "swap-u1"), &EntryState::Done);
    let note = report.journal.entries["swap-u1"].note.clone().unwrap_or_default();
    assert!(note.contains("repeat"), "{note}");
    assert_eq!(report.journal.counts().failed, 0);
    // The executor sent it once (the fake counts the browser's repeat as a second arrival).
    assert_eq!(report.journal.entries["swap-u1"].attempts, 1);
    assert_eq!(fake.sends_to("u1"), 2);
}

/// A refusal that is real (the target shows no change) still fails, with Graph's words.
#[test]
fn a_real_refusal_fails_with_graphs_message_after_the_read_back() {
    let snap = sample_snapshot();
    let plan = sample_plan(&snap);
    let fake = FakeGraph::from_snapshot(&snap);
    let msg = "Subscription with SKU x does not have any available licenses.";
    fake.refuse.borrow_mut().insert("u2".into(), (400, "Request_BadRequest".into(), msg.into()));
    let report = run(&fake, &MemoryStore::new(), &plan);
    match state(&report, "swap-u2") {
        EntryState::Failed { code, message, retryable } => {
            assert_eq!(code, "Request_BadRequest");
            assert_eq!(message, msg);
            assert!(!retryable);
        }
        s => panic!("{s:?}"),
    }
    assert_eq!(fake.sends_to("u2"), 1, "never sent twice");
}

/// A 403 on a read is a missing permission or role: said so, with what to do, and never called
/// "unreachable or throttled"; it is not retried five times either.
#[test]
fn a_forbidden_read_names_the_permission_not_the_network() {
    let snap = sample_snapshot();
    let plan = sample_plan(&snap);
    let fake = FakeGraph::from_snapshot(&snap);
    let denied = (403, "Authorization_RequestDenied".to_string(), "Insufficient privileges to complete the operation.".to_string());
    fake.refuse_reads.borrow_mut().insert("g1".into(), denied);
    let reads_before = fake.read_calls.get();
    let report = run(&fake, &MemoryStore::new(), &plan);
    match state(&report, "swap-g1") {
        EntryState::Failed { code, message, retryable } => {
            assert_eq!(code, "Authorization_RequestDenied");
            assert!(message.contains("Insufficient privileges"), "{message}");
            assert!(message.contains("LicenseAssignment.ReadWrite.All"), "{message}");
            assert!(message.contains("License Administrator"), "{message}");
            assert!(message.contains("admin consent") || message.contains("Grant admin consent"), "{message}");
            assert!(*retryable, "fixable by consent or a role, then retried");
        }
        s => panic!("{s:?}"),
    }
    assert_eq!(fake.sends_to("g1"), 0);
    assert!(report.notes.iter().all(|n| !n.contains("unreachable or throttled")), "{:?}", report.notes);
    assert!(fake.read_calls.get() - reads_before < 8, "not read again and again");
}
