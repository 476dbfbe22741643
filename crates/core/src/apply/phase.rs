//! One phase of a run: batches of up to 20 actions, a bounded number in flight. Per batch: read
//! the targets back; refuse a target that changed since planning (stale); mark the rest in flight
//! and save; send; record each outcome and save again. An outcome lost in transit is settled by
//! reading the target back before anything is resent.
//!
//! A refusal is read back too before it is believed: in a browser, a POST whose answer was lost
//! on a kept-alive connection is sent again by the browser itself, whatever its method (Chromium,
//! net/http/http_network_transaction.cc, `HttpNetworkTransaction::ShouldResendRequest`: "we
//! resend a request only if we reused a keep-alive connection" and no response header came), so Graph's "400 User does not
//! have a corresponding license." may be its answer to that repeat, after the first call already
//! swapped the user. Reads may lag writes (<https://devblogs.microsoft.com/identity/designing-for-eventual-consistency-for-microsoft-entra/>:
//! "a successful write ... does not guarantee that an immediate read will reflect that change"),
//! so a read-back waits until the write is [`ApplyConfig::read_lag_ms`] old.
use super::api::{ApiError, ApiErrorKind, LicenseApi, TargetState};
use super::control::ControlState;
use super::journal::{EntryState, Journal};
use super::progress::RunStatus;
use super::evidence::{fingerprint_outside, judge_pending, judge_unknown, Evidence, Readiness};
use super::run::{batch_len, ApplyError, Run, Shared, StaleTarget};
use super::seats::SeatCheck;
use super::store::JournalStore;
use crate::graph::http::Clock;
use crate::model::AssignLicenseBody;
use crate::plan::{fingerprint_user, Subject, TargetKind};
use futures::stream::{FuturesUnordered, StreamExt};
use std::collections::VecDeque;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Need {
    /// Not sent yet: check the target is still as planned, then send.
    Check,
    /// Outcome unknown: read back, then done, resend or stale.
    ReadBack,
    /// Graph refused the write (kept in [`Shared::refusals`]): read back, then done if the target
    /// shows the change (the refusal answered a repeat), else failed with Graph's words.
    Confirm,
}

#[derive(Clone, Copy, Debug)]
pub(super) struct Item {
    idx: usize,
    tries: u32,
    need: Need,
}

#[derive(Default)]
pub(super) struct JobResult {
    requeue: Vec<Item>,
    stale: Vec<StaleTarget>,
    /// Gave up for this run, with the last error seen (none: only transient trouble).
    unresolved: Vec<(usize, Option<ApiError>)>,
    settled: u64,
    error: Option<ApplyError>,
}

pub(super) enum PhaseEnd {
    Done,
    Cancelled,
}

impl<A: LicenseApi, C: Clock, S: JournalStore> Run<'_, A, C, S> {
    /// Runs the actions at `range` (one phase): batches of up to 20, a bounded number in flight,
    /// unknown outcomes read back first; honours pause and cancel between batches.
    pub(super) async fn run_phase(&mut self, range: std::ops::Range<usize>) -> Result<PhaseEnd, ApplyError> {
        let Run { shared, progress, report } = self;
        let mut queue: VecDeque<Item> = VecDeque::new();
        {
            let j = shared.journal.borrow();
            // Unknown outcomes first: they must be settled before anything else touches Graph.
            for need in [Need::ReadBack, Need::Check] {
                for idx in range.clone() {
                    let state = j.state(&shared.actions[idx].id);
                    let wanted = match need {
                        Need::ReadBack => matches!(state, Some(EntryState::InFlight { .. })),
                        Need::Check => matches!(state, Some(EntryState::Pending)),
                        Need::Confirm => false,
                    };
                    if wanted {
                        queue.push_back(Item { idx, tries: 0, need });
                    }
                }
            }
        }
        let batch_size = batch_len(shared.config.batch_size);
        let mut in_flight = FuturesUnordered::new();
        let mut paused_reported = false;
        loop {
            while in_flight.len() < shared.config.max_in_flight.max(1)
                && shared.control.state() == ControlState::Run
                && !queue.is_empty()
            {
                let n = batch_size.min(queue.len());
                let items: Vec<Item> = queue.drain(..n).collect();
                in_flight.push(shared.job(items));
                paused_reported = false;
            }
            let Some(res) = (if in_flight.is_empty() { None } else { in_flight.next().await }) else {
                if queue.is_empty() {
                    return Ok(PhaseEnd::Done);
                }
                match shared.control.state() {
                    ControlState::Cancel => return Ok(PhaseEnd::Cancelled),
                    ControlState::Pause => {
                        if !paused_reported {
                            progress.emit(shared, RunStatus::Paused, None);
                            paused_reported = true;
                        }
                        shared.clock.sleep(shared.config.pause_poll_ms.max(1)).await;
                    }
                    ControlState::Run => {}
                }
                continue;
            };
            progress.meter.add(res.settled);
            report.stale.extend(res.stale);
            queue.extend(res.requeue);
            if let Some(e) = res.error {
                return Err(e);
            }
            for (idx, last) in res.unresolved {
                let why = match &last {
                    Some(e) if !e.is_retryable() && e.kind != ApiErrorKind::ResponseLost => explain(e),
                    _ => "Graph unreachable or throttled".to_string(),
                };
                report.notes.push(format!(
                    "{}: gave up for this run after {} tries ({why}); run again to finish",
                    shared.actions[idx].id, shared.config.max_attempts
                ));
            }
            progress.emit(shared, RunStatus::Running, None);
        }
    }
}

impl<A: LicenseApi, C: Clock, S: JournalStore> Shared<'_, A, C, S> {
    /// Before anything is sent, reads the targets of later phases that are still as planned and
    /// records what of their state the plan's group swaps will not touch: once those swaps are
    /// processed, the planning fingerprint no longer matches by design, and this baseline tells
    /// our own changes from someone else's. Saved with the journal, so a resume has it too.
    pub(super) async fn take_baselines(&self, range: std::ops::Range<usize>) -> Result<(), ApplyError> {
        if self.plan_groups.is_empty() {
            return Ok(());
        }
        let mut todo: Vec<usize> = {
            let j = self.journal.borrow();
            range
                .filter(|i| {
                    let a = self.actions[*i];
                    a.target.kind == TargetKind::User
                        && j.entries
                            .get(&*a.id)
                            .is_some_and(|e| e.state == EntryState::Pending && e.baseline.is_none())
                })
                .collect()
        };
        let batch_size = batch_len(self.config.batch_size);
        for attempt in 0..self.config.max_attempts.max(1) {
            if todo.is_empty() {
                break;
            }
            if attempt > 0 {
                self.clock.sleep(self.config.retry_delay_ms.saturating_mul(u64::from(attempt))).await;
            }
            let mut retry = Vec::new();
            for chunk in todo.chunks(batch_size) {
                let reads = self.api.read_targets(&self.targets(chunk.iter().copied())).await;
                let mut j = self.journal.borrow_mut();
                j.reads += 1;
                for (k, idx) in chunk.iter().enumerate() {
                    let action = self.actions[*idx];
                    match reads.get(k) {
                        // A target already changed gets no baseline: its phase finds it stale.
                        Some(Ok(TargetState::User(u))) if fingerprint_user(u) == action.fingerprint => {
                            let b = fingerprint_outside(u, &self.plan_groups);
                            if let Some(e) = j.entries.get_mut(&*action.id) {
                                e.baseline = Some(b);
                            }
                        }
                        Some(Err(e)) if e.is_retryable() || e.kind == ApiErrorKind::ResponseLost => {
                            retry.push(*idx)
                        }
                        _ => {}
                    }
                }
            }
            todo = retry;
        }
        self.save()
    }

    /// One batch: read back and judge, check seats, mark in flight and save, send and record.
    async fn job(&self, items: Vec<Item>) -> JobResult {
        let mut res = JobResult::default();
        self.wait_for_read_lag(&items).await;
        let mut send = self.read_back_and_judge(&items, &mut res).await;
        self.check_seats(&mut send, &mut res).await;
        if let Err(e) = self.mark_in_flight_and_save(&items, &send) {
            res.error = Some(e);
            return res;
        }
        if !send.is_empty() {
            self.send_and_record(&send, &mut res).await;
        }
        res
    }

    /// Waits before a retry (longer each try), and until every write to be read back is older
    /// than the read lag: a read-back is only evidence once the write can show in it.
    async fn wait_for_read_lag(&self, items: &[Item]) {
        let retry = items.iter().map(|i| i.tries).max().unwrap_or(0);
        let mut wait = self.config.retry_delay_ms.saturating_mul(u64::from(retry));
        {
            let now = self.clock.now_ms();
            let j = self.journal.borrow();
            for item in items.iter().filter(|i| i.need != Need::Check) {
                let sent = j.entries.get(&*self.actions[item.idx].id).map_or(0, |e| e.updated_ms);
                wait = wait.max((sent + self.config.read_lag_ms).saturating_sub(now));
            }
        }
        if wait > 0 {
            self.clock.sleep(wait).await;
        }
    }

    /// Reads every target of the batch and judges it against the plan: what is ready to send is
    /// returned; what already shows the change, changed under us, vanished or was refused is
    /// settled in the journal (not saved yet); what could not be read is retried later.
    async fn read_back_and_judge(&self, items: &[Item], res: &mut JobResult) -> Vec<Item> {
        let reads = self.api.read_targets(&self.targets(items.iter().map(|i| i.idx))).await;
        let mut send: Vec<Item> = Vec::new();
        let now = self.clock.now_ms();
        let mut j = self.journal.borrow_mut();
        j.reads += 1;
        for (k, item) in items.iter().enumerate() {
            let action = self.actions[item.idx];
            match reads.get(k) {
                Some(Ok(state)) => {
                    if self.judge(&mut j, *item, state, now, res) {
                        send.push(*item);
                    }
                }
                Some(Err(e)) if e.is_not_found() => {
                    let message = format!("the {} no longer exists: {}", action.target.kind.label(), e.message);
                    j.set(
                        &action.id,
                        EntryState::Failed { code: e.code.clone(), message, retryable: false },
                        now,
                    );
                    res.settled += 1;
                }
                // Graph refused the read (a missing permission or role, a bad request): not
                // worth repeating. An action not sent yet fails with Graph's words; one whose
                // write may have landed stays unresolved until it can be read.
                Some(Err(e)) if !e.is_retryable() && e.kind != ApiErrorKind::ResponseLost => {
                    if item.need == Need::Check {
                        let state =
                            EntryState::Failed { code: e.code.clone(), message: explain(e), retryable: true };
                        j.set(&action.id, state, now);
                        res.settled += 1;
                    } else {
                        j.set_note(&action.id, format!("could not be read back: {}", explain(e)));
                        res.unresolved.push((item.idx, Some(e.clone())));
                    }
                }
                Some(Err(e)) => self.retry_later(res, *item, Some(e.clone())),
                None => self.retry_later(res, *item, None),
            }
        }
        send
    }

    /// Judges one target read back: true when its action is ready to send; otherwise its
    /// outcome is recorded in `j`.
    fn judge(&self, j: &mut Journal, item: Item, state: &TargetState, now: u64, res: &mut JobResult) -> bool {
        let action = self.actions[item.idx];
        let baseline = j.entries.get(&*action.id).and_then(|e| e.baseline.clone());
        let r = Readiness {
            target_skus: self.target_skus,
            plan_groups: &self.plan_groups,
            baseline: baseline.as_deref(),
        };
        let evidence = match item.need {
            Need::Check => judge_pending(action, state, &r),
            Need::ReadBack => judge_unknown(action, state, &r),
            Need::Confirm => match judge_unknown(action, state, &r) {
                Evidence::Applied => Evidence::Applied,
                _ => {
                    let e = self
                        .refusals
                        .borrow_mut()
                        .remove(&item.idx)
                        .unwrap_or_else(|| ApiError::graph(400, "Refused", "Graph refused the call"));
                    let state = EntryState::Failed {
                        code: e.code.clone(),
                        message: explain(&e),
                        retryable: forbidden(&e),
                    };
                    j.set(&action.id, state, now);
                    res.settled += 1;
                    return false;
                }
            },
        };
        match evidence {
            // Nothing writes what was not planned here (guard.rs).
            Evidence::Ready => {
                match super::guard::check_write(self.source_skus, self.target_skus, action, state) {
                    Ok(()) => return true,
                    Err(refusal) => {
                        let code = super::guard::REFUSED_CODE.to_string();
                        let message = refusal.to_string();
                        j.set(&action.id, EntryState::Failed { code, message, retryable: false }, now);
                        res.settled += 1;
                    }
                }
            }
            Evidence::Applied => {
                j.set(&action.id, EntryState::Done, now);
                let note = if item.need == Need::Confirm {
                    self.refusals.borrow_mut().remove(&item.idx);
                    "Graph's answer was a refusal of a repeat of this call (the first answer was lost and the browser sent it again); the target shows the change"
                } else {
                    "outcome was unknown; the target shows the change"
                };
                j.set_note(&action.id, note);
                res.settled += 1;
            }
            Evidence::Changed(now_fingerprint) => {
                if item.need == Need::ReadBack {
                    j.set_note(&action.id, "outcome was unknown; the target was changed by someone else");
                }
                j.set(&action.id, EntryState::SkippedStale { now_fingerprint: now_fingerprint.clone() }, now);
                res.stale.push(StaleTarget {
                    action_id: action.id.to_string(),
                    target: Subject::clone(&action.target),
                    planned_fingerprint: action.fingerprint.to_string(),
                    now_fingerprint,
                });
                res.settled += 1;
            }
        }
        false
    }

    /// Takes out of `send` the group swaps the target's free seats cannot cover now: refused
    /// (not enough seats) or retried later (seats or members unreadable, or a direct swap in
    /// flight makes the difference).
    async fn check_seats(&self, send: &mut Vec<Item>, res: &mut JobResult) {
        let ready: Vec<usize> = send.iter().map(|i| i.idx).collect();
        let seat_checks = self.check_group_seats(&ready).await;
        let now = self.clock.now_ms();
        let mut j = self.journal.borrow_mut();
        for (idx, check) in seat_checks {
            let Some(pos) = send.iter().position(|i| i.idx == idx) else { continue };
            match check {
                SeatCheck::Send => {}
                SeatCheck::Refuse(message) => {
                    send.remove(pos);
                    let code = "NotEnoughSeats".to_string();
                    j.set(&self.actions[idx].id, EntryState::Failed { code, message, retryable: true }, now);
                    res.settled += 1;
                }
                SeatCheck::Later(e) => {
                    let item = send.remove(pos);
                    self.retry_later(res, item, e);
                }
            }
        }
    }

    /// Marks what is about to be sent in flight and saves the batch's entries. In flight, saved,
    /// *then* sent: a crash after this point is seen on resume.
    fn mark_in_flight_and_save(&self, items: &[Item], send: &[Item]) -> Result<(), ApplyError> {
        let now = self.clock.now_ms();
        let mut j = self.journal.borrow_mut();
        for item in send {
            let id = &self.actions[item.idx].id;
            let attempt = j.entries.get(&**id).map_or(0, |e| e.attempts) + 1;
            j.set(id, EntryState::InFlight { attempt }, now);
        }
        if !send.is_empty() {
            j.batches_sent += 1;
        }
        let changed: Vec<&str> = items.iter().map(|i| self.actions[i.idx].id.as_str()).collect();
        self.store.save_changes(&j, &changed).map_err(|e| ApplyError::Store(e.0))
    }

    /// Sends the batch's writes in one call and records each answer, then saves.
    async fn send_and_record(&self, send: &[Item], res: &mut JobResult) {
        let batch: Vec<(Subject, AssignLicenseBody)> = send
            .iter()
            .map(|i| {
                let action = self.actions[i.idx];
                (Subject::clone(&action.target), AssignLicenseBody::clone(&action.body))
            })
            .collect();
        let results = self.api.assign(&batch).await;
        let now = self.clock.now_ms();
        let mut j = self.journal.borrow_mut();
        for (k, item) in send.iter().enumerate() {
            let id = &self.actions[item.idx].id;
            let result = results
                .get(k)
                .cloned()
                .unwrap_or_else(|| Err(ApiError::response_lost("missing from the batch answer")));
            match result {
                Ok(()) => {
                    j.set(id, EntryState::Done, now);
                    res.settled += 1;
                }
                Err(e) => match e.kind {
                    // A refusal that could answer a repeat of a call that already landed stays
                    // in flight until a read-back confirms it.
                    ApiErrorKind::Graph if may_answer_a_repeat(&e) => {
                        self.refusals.borrow_mut().insert(item.idx, e.clone());
                        self.retry_later(res, Item { need: Need::Confirm, ..*item }, Some(e));
                    }
                    ApiErrorKind::Graph => {
                        let retryable = forbidden(&e);
                        let state =
                            EntryState::Failed { code: e.code.clone(), message: explain(&e), retryable };
                        j.set(id, state, now);
                        res.settled += 1;
                    }
                    ApiErrorKind::Transient | ApiErrorKind::Unreachable => {
                        if item.tries + 1 >= self.config.max_attempts {
                            j.set(
                                id,
                                EntryState::Failed {
                                    code: e.code.clone(),
                                    message: explain(&e),
                                    retryable: true,
                                },
                                now,
                            );
                            res.settled += 1;
                        } else {
                            // Graph gives no promise that a throttled or failed write did
                            // nothing, so it stays in flight and is read back, never re-checked
                            // as if unsent (its own change would then look like someone else's).
                            res.requeue.push(Item {
                                idx: item.idx,
                                tries: item.tries + 1,
                                need: Need::ReadBack,
                            });
                        }
                    }
                    // Stays in flight: only a read-back may say what happened.
                    ApiErrorKind::ResponseLost => {
                        self.retry_later(res, Item { need: Need::ReadBack, ..*item }, Some(e));
                    }
                },
            }
        }
        let changed: Vec<&str> = send.iter().map(|i| self.actions[i.idx].id.as_str()).collect();
        if let Err(e) = self.store.save_changes(&j, &changed) {
            res.error = Some(ApplyError::Store(e.0));
        }
    }

    fn retry_later(&self, res: &mut JobResult, item: Item, last: Option<ApiError>) {
        if item.tries + 1 >= self.config.max_attempts {
            res.unresolved.push((item.idx, last));
        } else {
            res.requeue.push(Item { tries: item.tries + 1, ..item });
        }
    }
}

/// A refusal Graph may have given to a repeat of a call that had already taken effect: a 400
/// (assignLicense's "User does not have a corresponding license." once the source is gone) or a
/// 409. A 401/403/404/429 says nothing about an earlier copy of the call.
fn may_answer_a_repeat(e: &ApiError) -> bool {
    matches!(e.status, Some(400 | 409))
}

/// Missing permission or role: fixable by consent or a role, so worth retrying afterwards.
fn forbidden(e: &ApiError) -> bool {
    matches!(e.status, Some(401 | 403))
}

/// Graph's words, and for a refusal of permission, what is missing and how to get it.
pub(super) fn explain(e: &ApiError) -> String {
    if e.status == Some(403) {
        format!("{} — {}", e.message, super::verify::remedy(e))
    } else {
        e.message.clone()
    }
}
