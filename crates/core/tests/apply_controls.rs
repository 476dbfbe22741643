//! Batching, concurrency bound, pause/resume/cancel, progress, journal persistence.
mod apply_support;

use apply_support::fake::FakeGraph;
use apply_support::plan::*;
use futures::executor::block_on;
use licswap_core::apply::*;
use licswap_core::graph::clock::VirtualClock;
use licswap_core::graph::http::Clock;
use licswap_core::model::{AssignLicenseBody, AssignedLicense};
use licswap_core::plan::*;

/// `n` direct E1 holders and a one-phase plan swapping them all to E3.
fn many(n: usize) -> (Snapshot, Plan) {
    let mut snap = sample_snapshot();
    snap.users = (0..n)
        .map(|i| user(&format!("m{i:04}"), &format!("m{i:04}@contoso.com"), vec![direct(E1, &[])]))
        .collect();
    snap.groups.clear();
    let mut plan = sample_plan(&sample_snapshot());
    plan.phases.truncate(1);
    plan.rollback.clear();
    plan.phases[0].actions = snap
        .users
        .iter()
        .map(|u| Action {
            id: format!("swap-{}", u.id).into(),
            kind: ActionKind::Swap,
            target: Subject { kind: TargetKind::User, id: u.id.clone(), name: u.label().into() }.into(),
            body: AssignLicenseBody {
                add_licenses: vec![AssignedLicense { sku_id: E3.into(), disabled_plans: vec![] }],
                remove_licenses: vec![E1.into()],
            }
            .into(),
            fingerprint: fingerprint_user(u).into(),
            undoes: None,
        })
        .collect();
    (snap, plan)
}

fn config(in_flight: usize) -> ApplyConfig {
    ApplyConfig { max_in_flight: in_flight, pause_poll_ms: 100, ..ApplyConfig::default() }
}

#[test]
fn batches_of_twenty_with_bounded_concurrency_and_rate() {
    let (snap, plan) = many(95);
    let fake = FakeGraph::from_snapshot(&snap);
    let store = MemoryStore::new();
    let clock = VirtualClock::new(0);
    let mut events: Vec<RunProgress> = Vec::new();
    let ex = Executor::new(&fake, &clock, &store, config(3), Control::new());
    let report = block_on(ex.run(&plan, &mut |p| {
        clock.advance(500); // each batch "takes" half a second
        events.push(p.clone())
    }))
    .unwrap();
    assert_eq!(report.outcome, RunOutcome::Completed);
    assert_eq!(report.journal.counts().done, 95);
    let sizes = fake.batch_sizes.borrow().clone();
    assert_eq!(sizes, [20, 20, 20, 20, 15]);
    assert_eq!(fake.max_concurrent.get(), 3, "three batches in flight at once, never more");
    assert_eq!(report.journal.batches_sent, 5);
    // Journal saved before and after each batch (plus the initial save).
    assert!(store.saves() > 2 * 5, "{}", store.saves());
    let mid = &events[1];
    assert_eq!(mid.status, RunStatus::Running);
    assert_eq!(mid.counts.done + mid.remaining, 95);
    assert!(mid.rate_per_s > 0.0);
    assert!(mid.eta_ms.is_some());
    let last = events.last().unwrap();
    assert_eq!(last.remaining, 0);
    assert_eq!(last.eta_ms, Some(0));
    // 95 actions over 5 events * 500 ms: 38 per second.
    let expected = 95.0 / (last.elapsed_ms as f64 / 1000.0);
    assert!((last.rate_per_s - expected).abs() < 1e-9);
}

#[test]
fn pause_stops_new_batches_until_resumed() {
    let (snap, plan) = many(60);
    let fake = FakeGraph::from_snapshot(&snap);
    let store = MemoryStore::new();
    let clock = VirtualClock::new(0);
    let control = Control::new();
    let c = control.clone();
    let ex = Executor::new(&fake, &clock, &store, config(1), control);
    let mut paused_at: Option<(usize, u64)> = None;
    let mut resumed = false;
    let report = block_on(ex.run(&plan, &mut |p| match p.status {
        RunStatus::Running if paused_at.is_none() => {
            c.pause();
            paused_at = Some((fake.batch_sizes.borrow().len(), clock.now_ms()));
        }
        RunStatus::Paused => {
            let (batches, _) = paused_at.unwrap();
            assert_eq!(fake.batch_sizes.borrow().len(), batches, "no batch starts while paused");
            assert_eq!(c.state(), ControlState::Pause);
            // The admin comes back later.
            clock.advance(10_000);
            c.resume();
            resumed = true;
        }
        _ => {}
    }))
    .unwrap();
    assert!(resumed);
    assert_eq!(report.outcome, RunOutcome::Completed);
    assert_eq!(report.journal.counts().done, 60);
}

#[test]
fn cancel_leaves_unsent_actions_cancelled_and_a_retry_finishes() {
    let (snap, plan) = many(60);
    let fake = FakeGraph::from_snapshot(&snap);
    let store = MemoryStore::new();
    let clock = VirtualClock::new(0);
    let control = Control::new();
    let c = control.clone();
    let ex = Executor::new(&fake, &clock, &store, config(1), control);
    let report = block_on(ex.run(&plan, &mut |p| {
        if p.status == RunStatus::Running {
            c.cancel();
        }
    }))
    .unwrap();
    assert_eq!(report.outcome, RunOutcome::Cancelled);
    let counts = report.journal.counts();
    assert_eq!((counts.done, counts.cancelled), (20, 40));
    assert_eq!(fake.assigned.borrow().len(), 20);
    // The store agrees, and "retry" runs the rest once.
    let mut j = store.load().unwrap().unwrap();
    assert_eq!(j, report.journal);
    assert_eq!(j.reopen_retryable(0), 40);
    store.save(&j).unwrap();
    let ex = Executor::new(&fake, &clock, &store, config(2), Control::new());
    let report = block_on(ex.run(&plan, &mut |_| {})).unwrap();
    assert_eq!(report.outcome, RunOutcome::Completed);
    assert_eq!(fake.assigned.borrow().len(), 60);
}

#[test]
fn nothing_is_sent_when_the_in_flight_marks_cannot_be_saved() {
    let (snap, plan) = many(5);
    let fake = FakeGraph::from_snapshot(&snap);
    let store = MemoryStore::new();
    store.fail_after(1); // the initial save works, the in-flight save does not
    let clock = VirtualClock::new(0);
    let ex = Executor::new(&fake, &clock, &store, config(1), Control::new());
    let err = block_on(ex.run(&plan, &mut |_| {})).unwrap_err();
    assert!(matches!(err, ApplyError::Store(_)), "{err}");
    assert!(fake.assigned.borrow().is_empty());
}

#[test]
fn a_journal_of_another_plan_is_not_reused() {
    let (snap, plan) = many(3);
    let fake = FakeGraph::from_snapshot(&snap);
    let store = MemoryStore::new();
    let other = sample_plan(&sample_snapshot());
    store.save(&Journal::new(&other, 0)).unwrap();
    let clock = VirtualClock::new(0);
    let ex = Executor::new(&fake, &clock, &store, config(1), Control::new());
    assert!(matches!(block_on(ex.run(&plan, &mut |_| {})), Err(ApplyError::OtherPlan { .. })));
    // Nor one written by a newer licswap.
    let mut newer = Journal::new(&plan, 0);
    newer.version = JOURNAL_VERSION + 1;
    store.save(&newer).unwrap();
    assert_eq!(block_on(ex.run(&plan, &mut |_| {})), Err(ApplyError::JournalVersion(JOURNAL_VERSION + 1)));
    assert!(fake.assigned.borrow().is_empty());
}

#[test]
fn plans_with_blockers_or_bad_ids_are_refused() {
    let (snap, mut plan) = many(3);
    let fake = FakeGraph::from_snapshot(&snap);
    let clock = VirtualClock::new(0);
    let store = MemoryStore::new();
    let mut blocked = plan.clone();
    let mut f = sample_plan(&sample_snapshot()).findings[0].clone();
    f.severity = Severity::Blocker;
    blocked.findings.push(f);
    let ex = Executor::new(&fake, &clock, &store, config(1), Control::new());
    assert_eq!(block_on(ex.run(&blocked, &mut |_| {})), Err(ApplyError::Blocked(1)));
    plan.phases[0].actions[1].id = plan.phases[0].actions[0].id.clone();
    assert!(matches!(block_on(ex.run(&plan, &mut |_| {})), Err(ApplyError::BadPlan(_))));
    assert!(fake.assigned.borrow().is_empty());
}

#[test]
fn journal_json_is_versioned_and_round_trips() {
    let plan = sample_plan(&sample_snapshot());
    let mut j = Journal::new(&plan, 7);
    j.set("swap-u1", EntryState::InFlight { attempt: 2 }, 8);
    j.set(
        "swap-u2",
        EntryState::Failed {
            code: "Request_BadRequest".into(),
            message: "no, \"really\"".into(),
            retryable: false,
        },
        9,
    );
    j.set("swap-g1", EntryState::SkippedStale { now_fingerprint: "abc".into() }, 9);
    let json = serde_json::to_string(&j).unwrap();
    let v: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert_eq!(v["version"], JOURNAL_VERSION);
    assert_eq!(v["planHash"], plan_hash(&plan));
    assert_eq!(v["entries"]["swap-u1"]["state"], "inFlight");
    assert_eq!(v["entries"]["swap-u1"]["attempt"], 2);
    assert_eq!(v["entries"]["swap-u1"]["attempts"], 2);
    assert_eq!(v["entries"]["swap-g1"]["nowFingerprint"], "abc");
    let back: Journal = serde_json::from_str(&json).unwrap();
    assert_eq!(back, j);
    let c = back.counts();
    assert_eq!((c.total, c.pending, c.in_flight, c.failed, c.stale), (4, 1, 1, 1, 1));
    // A different plan hashes differently.
    let mut other = plan.clone();
    other.phases[0].actions[0].fingerprint = "0".into();
    assert_ne!(plan_hash(&other), plan_hash(&plan));
}

#[test]
fn batches_append_changes_instead_of_rewriting_the_journal() {
    let (snap, plan) = many(200);
    let fake = FakeGraph::from_snapshot(&snap);
    let store = MemoryStore::new();
    let clock = VirtualClock::new(0);
    let ex = Executor::new(&fake, &clock, &store, config(1), Control::new());
    let mut log_lens = Vec::new();
    let mut mid_run_journal = None;
    let report = block_on(ex.run(&plan, &mut |p| {
        log_lens.push(store.log_len());
        if p.counts.done == 100 {
            mid_run_journal = store.load().unwrap();
        }
    }))
    .unwrap();
    // Two change records per batch (in-flight marks, then answers), none rewritten in full.
    assert_eq!(log_lens[..3], [2, 4, 6]);
    // The log replays to the journal as it was at that point.
    let mid = mid_run_journal.expect("a progress event at 100 done");
    assert_eq!(mid.counts().done, 100);
    assert_eq!(mid.counts().pending, 100);
    // At the end the log is compacted into one snapshot.
    assert_eq!(store.log_len(), 0);
    assert_eq!(store.load().unwrap().unwrap(), report.journal);
    assert_eq!(report.journal.counts().done, 200);
}
