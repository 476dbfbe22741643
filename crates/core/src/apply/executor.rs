//! The executor: runs a plan's phases in order, batch by batch, journaling every step.
//!
//! Per batch of up to 20 actions: read the targets back; refuse a target that changed since
//! planning (stale); mark the rest in flight and save the journal; send one `assignLicense` per
//! action; record each outcome and save again. An outcome lost in transit is settled by reading
//! the target back before anything is resent. Between phases, group swaps must have settled.
use super::api::{ApiError, ApiErrorKind, LicenseApi, TargetState};
use super::control::{Control, ControlState};
use super::journal::{plan_hash, EntryState, Journal};
use super::progress::{Progress, RateMeter, RunStatus};
use super::resume::{fingerprint_outside, judge_pending, judge_unknown, Evidence, Readiness};
use super::settle::{settle_group, GroupSettleReport};
use super::store::JournalStore;
use crate::graph::http::Clock;
use crate::graph::model::AssignLicenseBody;
use crate::plan::{fingerprint_user, Action, Plan, Subject, TargetKind};
use futures::stream::{FuturesUnordered, StreamExt};
use std::cell::RefCell;
use std::collections::{HashSet, VecDeque};

#[derive(Clone, Debug, PartialEq)]
pub struct ApplyConfig {
    /// Actions per batch (Graph's `$batch` holds at most 20).
    pub batch_size: usize,
    /// Batches sent concurrently.
    pub max_in_flight: usize,
    /// Tries per action (reads and sends) within one run before giving up on it.
    pub max_attempts: u32,
    /// Extra wait before retrying, times the try number.
    pub retry_delay_ms: u64,
    pub settle_poll_ms: u64,
    pub settle_timeout_ms: u64,
    pub pause_poll_ms: u64,
    /// Refuse to run a plan with blocker findings.
    pub refuse_blockers: bool,
}

impl Default for ApplyConfig {
    fn default() -> Self {
        ApplyConfig {
            batch_size: 20,
            max_in_flight: 4,
            max_attempts: 5,
            retry_delay_ms: 2_000,
            settle_poll_ms: 5_000,
            settle_timeout_ms: 15 * 60_000,
            pause_poll_ms: 250,
            refuse_blockers: true,
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ApplyError {
    /// The journal could not be saved: the run stopped (nothing unsaved was sent).
    Store(String),
    /// The store holds the journal of another plan; finish or clear it first.
    OtherPlan {
        journal_plan: String,
        this_plan: String,
    },
    Blocked(usize),
    BadPlan(String),
}

impl std::fmt::Display for ApplyError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ApplyError::Store(m) => write!(f, "could not save the journal, apply stopped: {m}"),
            ApplyError::OtherPlan { journal_plan, this_plan } => write!(
                f,
                "the saved journal belongs to another plan ({journal_plan}, this one is {this_plan}): \
                 finish or discard it first"
            ),
            ApplyError::Blocked(n) => write!(f, "the plan has {n} blocker(s); resolve them and re-plan"),
            ApplyError::BadPlan(m) => write!(f, "the plan cannot be applied: {m}"),
        }
    }
}

impl std::error::Error for ApplyError {}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum RunOutcome {
    /// Every action is done, failed or stale, and group processing settled.
    Completed,
    Cancelled,
    /// Run again later to finish (see the report's notes).
    Incomplete,
}

/// A target that changed since planning: the UI offers to re-plan it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StaleTarget {
    pub action_id: String,
    pub target: Subject,
    pub planned_fingerprint: String,
    pub now_fingerprint: String,
}

#[derive(Clone, Debug, PartialEq)]
pub struct RunReport {
    pub outcome: RunOutcome,
    pub journal: Journal,
    pub stale: Vec<StaleTarget>,
    pub groups: Vec<GroupSettleReport>,
    /// Actions left pending or with an unknown outcome because Graph could not be reached.
    pub unresolved: Vec<String>,
    pub notes: Vec<String>,
}

pub struct Executor<'a, A, C, S> {
    pub api: &'a A,
    pub clock: &'a C,
    pub store: &'a S,
    pub config: ApplyConfig,
    pub control: Control,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Need {
    /// Not sent yet: check the target is still as planned, then send.
    Check,
    /// Outcome unknown: read back, then done, resend or stale.
    ReadBack,
}

#[derive(Clone, Copy, Debug)]
struct Item {
    idx: usize,
    tries: u32,
    need: Need,
}

struct Ctx<'p> {
    actions: Vec<&'p Action>,
    journal: RefCell<Journal>,
    target_sku: &'p str,
    /// Lowercase ids of the groups the plan swaps.
    plan_groups: HashSet<String>,
}

#[derive(Default)]
struct JobResult {
    requeue: Vec<Item>,
    stale: Vec<StaleTarget>,
    unresolved: Vec<usize>,
    settled: u64,
    error: Option<ApplyError>,
}

enum Settled {
    Yes,
    No,
    Cancelled,
}

enum PhaseEnd {
    Done,
    Cancelled,
}

impl<'a, A: LicenseApi, C: Clock, S: JournalStore> Executor<'a, A, C, S> {
    pub fn new(api: &'a A, clock: &'a C, store: &'a S, config: ApplyConfig, control: Control) -> Self {
        Executor { api, clock, store, config, control }
    }

    /// Runs (or resumes) `plan`. The journal in the store decides what is left to do.
    pub async fn run(
        &self,
        plan: &Plan,
        on_progress: &mut dyn FnMut(&Progress),
    ) -> Result<RunReport, ApplyError> {
        check_plan(plan, &self.config)?;
        let hash = plan_hash(plan);
        let now = self.clock.now_ms();
        let mut journal = match self.store.load().map_err(|e| ApplyError::Store(e.0))? {
            Some(j) if j.plan_hash == hash => j,
            Some(j) => return Err(ApplyError::OtherPlan { journal_plan: j.plan_hash, this_plan: hash }),
            None => Journal::new(plan, now),
        };
        for a in plan.actions() {
            if !journal.entries.contains_key(&a.id) {
                journal.set(&a.id, EntryState::Pending, now);
            }
        }
        self.store.save(&journal).map_err(|e| ApplyError::Store(e.0))?;

        let plan_groups = plan
            .actions()
            .filter(|a| a.target.kind == TargetKind::Group)
            .map(|a| a.target.id.to_ascii_lowercase())
            .collect();
        let ctx = Ctx {
            actions: plan.actions().collect(),
            journal: RefCell::new(journal),
            target_sku: &plan.target.sku_id,
            plan_groups,
        };
        let first_phase_len = plan.phases.first().map_or(0, |p| p.actions.len());
        self.take_baselines(&ctx, first_phase_len..ctx.actions.len()).await?;
        let mut meter = RateMeter::new(now);
        let mut report = RunReport {
            outcome: RunOutcome::Completed,
            journal: Journal::new(plan, now),
            stale: Vec::new(),
            groups: Vec::new(),
            unresolved: Vec::new(),
            notes: Vec::new(),
        };
        let phases = plan.phases.len();
        let mut start = 0;
        for (pi, phase) in plan.phases.iter().enumerate() {
            let range = start..start + phase.actions.len();
            start = range.end;
            let has_work = range.clone().any(|i| !self.entry_terminal(&ctx, i));
            if !has_work {
                continue;
            }
            match self.settle_groups(&ctx, 0..range.start, &mut report, pi, phases, &meter, on_progress).await
            {
                Settled::Yes => {}
                Settled::No => {
                    report.outcome = RunOutcome::Incomplete;
                    report.notes.push(format!(
                        "phase {} ('{}') did not start: group license processing has not settled yet",
                        pi + 1,
                        phase.title
                    ));
                    break;
                }
                Settled::Cancelled => {
                    self.cancel_pending(&ctx)?;
                    report.outcome = RunOutcome::Cancelled;
                    break;
                }
            }
            match self.run_phase(&ctx, range, pi, phases, &mut meter, &mut report, on_progress).await? {
                PhaseEnd::Done => {}
                PhaseEnd::Cancelled => {
                    self.cancel_pending(&ctx)?;
                    report.outcome = RunOutcome::Cancelled;
                    break;
                }
            }
        }
        if report.outcome == RunOutcome::Completed {
            let all = 0..ctx.actions.len();
            let last = phases.saturating_sub(1);
            match self.settle_groups(&ctx, all, &mut report, last, phases, &meter, on_progress).await {
                Settled::Yes => {}
                Settled::No => {
                    report.notes.push("group license processing has not settled on every member yet".into());
                    report.outcome = RunOutcome::Incomplete;
                }
                // Everything was sent; only the waiting was cut short.
                Settled::Cancelled => {
                    report.notes.push("cancelled while waiting for group license processing".into());
                    report.outcome = RunOutcome::Incomplete;
                }
            }
            if !ctx.journal.borrow().is_finished() {
                report.outcome = RunOutcome::Incomplete;
            }
        }
        report.unresolved = ctx
            .journal
            .borrow()
            .entries
            .iter()
            .filter(|(_, e)| !e.state.is_terminal())
            .map(|(id, _)| id.clone())
            .collect();
        let status =
            if report.outcome == RunOutcome::Cancelled { RunStatus::Cancelled } else { RunStatus::Finished };
        let counts = ctx.journal.borrow().counts();
        on_progress(&meter.progress(self.clock.now_ms(), status, phases.saturating_sub(1), phases, counts));
        report.journal = ctx.journal.into_inner();
        // Compacts the change log into one snapshot.
        self.store.save(&report.journal).map_err(|e| ApplyError::Store(e.0))?;
        Ok(report)
    }

    /// Before anything is sent, reads the targets of later phases that are still as planned and
    /// records what of their state the plan's group swaps will not touch: once those swaps are
    /// processed, the planning fingerprint no longer matches by design, and this baseline tells
    /// our own changes from someone else's. Saved with the journal, so a resume has it too.
    async fn take_baselines(&self, ctx: &Ctx<'_>, range: std::ops::Range<usize>) -> Result<(), ApplyError> {
        if ctx.plan_groups.is_empty() {
            return Ok(());
        }
        let mut todo: Vec<usize> = {
            let j = ctx.journal.borrow();
            range
                .filter(|i| {
                    let a = ctx.actions[*i];
                    a.target.kind == TargetKind::User
                        && j.entries
                            .get(&a.id)
                            .is_some_and(|e| e.state == EntryState::Pending && e.baseline.is_none())
                })
                .collect()
        };
        let batch_size = self.config.batch_size.clamp(1, 20);
        for attempt in 0..self.config.max_attempts.max(1) {
            if todo.is_empty() {
                break;
            }
            if attempt > 0 {
                self.clock.sleep(self.config.retry_delay_ms.saturating_mul(u64::from(attempt))).await;
            }
            let mut retry = Vec::new();
            for chunk in todo.chunks(batch_size) {
                let subjects: Vec<Subject> = chunk.iter().map(|i| ctx.actions[*i].target.clone()).collect();
                let reads = self.api.read_targets(&subjects).await;
                let mut j = ctx.journal.borrow_mut();
                j.reads += 1;
                for (k, idx) in chunk.iter().enumerate() {
                    let action = ctx.actions[*idx];
                    match reads.get(k) {
                        // A target already changed gets no baseline: its phase finds it stale.
                        Some(Ok(TargetState::User(u))) if fingerprint_user(u) == action.fingerprint => {
                            let b = fingerprint_outside(u, &ctx.plan_groups);
                            if let Some(e) = j.entries.get_mut(&action.id) {
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
        self.store.save(&ctx.journal.borrow()).map_err(|e| ApplyError::Store(e.0))
    }

    fn entry_terminal(&self, ctx: &Ctx<'_>, idx: usize) -> bool {
        ctx.journal.borrow().state(&ctx.actions[idx].id).is_some_and(|s| s.is_terminal())
    }

    /// Polls every group action done among `range` that has no settled report yet.
    #[allow(clippy::too_many_arguments)]
    async fn settle_groups(
        &self,
        ctx: &Ctx<'_>,
        range: std::ops::Range<usize>,
        report: &mut RunReport,
        phase: usize,
        phases: usize,
        meter: &RateMeter,
        on_progress: &mut dyn FnMut(&Progress),
    ) -> Settled {
        let mut all_settled = true;
        for i in range {
            let action = ctx.actions[i];
            let done = ctx.journal.borrow().state(&action.id) == Some(&EntryState::Done);
            if action.target.kind != TargetKind::Group || !done {
                continue;
            }
            if report.groups.iter().any(|g| g.action_id == action.id && g.settled) {
                continue;
            }
            if self.control.state() == ControlState::Cancel {
                return Settled::Cancelled;
            }
            let counts = ctx.journal.borrow().counts();
            on_progress(&meter.progress(self.clock.now_ms(), RunStatus::Settling, phase, phases, counts));
            let (poll, timeout) = (self.config.settle_poll_ms, self.config.settle_timeout_ms);
            let r = settle_group(self.api, self.clock, action, poll, timeout, &self.control).await;
            all_settled &= r.settled;
            report.groups.retain(|g| g.action_id != action.id);
            report.groups.push(r);
        }
        if self.control.state() == ControlState::Cancel {
            Settled::Cancelled
        } else if all_settled {
            Settled::Yes
        } else {
            Settled::No
        }
    }

    fn cancel_pending(&self, ctx: &Ctx<'_>) -> Result<(), ApplyError> {
        let now = self.clock.now_ms();
        let mut j = ctx.journal.borrow_mut();
        let ids: Vec<String> = j
            .entries
            .iter()
            .filter(|(_, e)| e.state == EntryState::Pending)
            .map(|(id, _)| id.clone())
            .collect();
        for id in ids {
            j.set(&id, EntryState::Cancelled, now);
        }
        self.store.save(&j).map_err(|e| ApplyError::Store(e.0))
    }

    #[allow(clippy::too_many_arguments)]
    async fn run_phase(
        &self,
        ctx: &Ctx<'_>,
        range: std::ops::Range<usize>,
        phase: usize,
        phases: usize,
        meter: &mut RateMeter,
        report: &mut RunReport,
        on_progress: &mut dyn FnMut(&Progress),
    ) -> Result<PhaseEnd, ApplyError> {
        let mut queue: VecDeque<Item> = VecDeque::new();
        {
            let j = ctx.journal.borrow();
            // Unknown outcomes first: they must be settled before anything else touches Graph.
            for need in [Need::ReadBack, Need::Check] {
                for idx in range.clone() {
                    let state = j.state(&ctx.actions[idx].id);
                    let wanted = match need {
                        Need::ReadBack => matches!(state, Some(EntryState::InFlight { .. })),
                        Need::Check => matches!(state, Some(EntryState::Pending)),
                    };
                    if wanted {
                        queue.push_back(Item { idx, tries: 0, need });
                    }
                }
            }
        }
        let batch_size = self.config.batch_size.clamp(1, 20);
        let mut in_flight = FuturesUnordered::new();
        let mut paused_reported = false;
        loop {
            while in_flight.len() < self.config.max_in_flight.max(1)
                && self.control.state() == ControlState::Run
                && !queue.is_empty()
            {
                let n = batch_size.min(queue.len());
                let items: Vec<Item> = queue.drain(..n).collect();
                in_flight.push(self.job(ctx, items));
                paused_reported = false;
            }
            let Some(res) = (if in_flight.is_empty() { None } else { in_flight.next().await }) else {
                if queue.is_empty() {
                    return Ok(PhaseEnd::Done);
                }
                match self.control.state() {
                    ControlState::Cancel => return Ok(PhaseEnd::Cancelled),
                    ControlState::Pause => {
                        if !paused_reported {
                            let counts = ctx.journal.borrow().counts();
                            on_progress(&meter.progress(
                                self.clock.now_ms(),
                                RunStatus::Paused,
                                phase,
                                phases,
                                counts,
                            ));
                            paused_reported = true;
                        }
                        self.clock.sleep(self.config.pause_poll_ms.max(1)).await;
                    }
                    ControlState::Run => {}
                }
                continue;
            };
            meter.add(res.settled);
            report.stale.extend(res.stale);
            queue.extend(res.requeue);
            if let Some(e) = res.error {
                return Err(e);
            }
            for idx in res.unresolved {
                report.notes.push(format!(
                    "{}: gave up for this run after {} tries (Graph unreachable or throttled); run again to finish",
                    ctx.actions[idx].id, self.config.max_attempts
                ));
            }
            let counts = ctx.journal.borrow().counts();
            on_progress(&meter.progress(self.clock.now_ms(), RunStatus::Running, phase, phases, counts));
        }
    }

    /// One batch: read back, decide, mark in flight, save, send, record, save.
    async fn job(&self, ctx: &Ctx<'_>, items: Vec<Item>) -> JobResult {
        let mut res = JobResult::default();
        let retry = items.iter().map(|i| i.tries).max().unwrap_or(0);
        if retry > 0 {
            self.clock.sleep(self.config.retry_delay_ms.saturating_mul(u64::from(retry))).await;
        }
        let subjects: Vec<Subject> = items.iter().map(|i| ctx.actions[i.idx].target.clone()).collect();
        let reads = self.api.read_targets(&subjects).await;
        let mut send: Vec<Item> = Vec::new();
        {
            let now = self.clock.now_ms();
            let mut j = ctx.journal.borrow_mut();
            j.reads += 1;
            for (k, item) in items.iter().enumerate() {
                let action = ctx.actions[item.idx];
                match reads.get(k) {
                    Some(Ok(state)) => {
                        let baseline = j.entries.get(&action.id).and_then(|e| e.baseline.clone());
                        let r = Readiness {
                            target_sku: ctx.target_sku,
                            plan_groups: &ctx.plan_groups,
                            baseline: baseline.as_deref(),
                        };
                        let evidence = match item.need {
                            Need::Check => judge_pending(action, state, &r),
                            Need::ReadBack => judge_unknown(action, state, &r),
                        };
                        match evidence {
                            Evidence::Ready => send.push(*item),
                            Evidence::Applied => {
                                j.set(&action.id, EntryState::Done, now);
                                j.set_note(&action.id, "outcome was unknown; the target shows the change");
                                res.settled += 1;
                            }
                            Evidence::Changed(now_fingerprint) => {
                                if item.need == Need::ReadBack {
                                    j.set_note(
                                        &action.id,
                                        "outcome was unknown; the target was changed by someone else",
                                    );
                                }
                                j.set(
                                    &action.id,
                                    EntryState::SkippedStale { now_fingerprint: now_fingerprint.clone() },
                                    now,
                                );
                                res.stale.push(StaleTarget {
                                    action_id: action.id.clone(),
                                    target: action.target.clone(),
                                    planned_fingerprint: action.fingerprint.clone(),
                                    now_fingerprint,
                                });
                                res.settled += 1;
                            }
                        }
                    }
                    Some(Err(e)) if e.is_not_found() => {
                        let message = format!("the {} no longer exists: {}", kind_word(action), e.message);
                        j.set(
                            &action.id,
                            EntryState::Failed { code: e.code.clone(), message, retryable: false },
                            now,
                        );
                        res.settled += 1;
                    }
                    _ => self.retry_later(&mut res, *item),
                }
            }
            // In flight, saved, *then* sent: a crash after this point is seen on resume.
            for item in &send {
                let id = &ctx.actions[item.idx].id;
                let attempt = j.entries.get(id).map_or(0, |e| e.attempts) + 1;
                j.set(id, EntryState::InFlight { attempt }, now);
            }
            if !send.is_empty() {
                j.batches_sent += 1;
            }
            let changed: Vec<&str> = items.iter().map(|i| ctx.actions[i.idx].id.as_str()).collect();
            if let Err(e) = self.store.save_changes(&j, &changed) {
                res.error = Some(ApplyError::Store(e.0));
                return res;
            }
        }
        if send.is_empty() {
            return res;
        }
        let batch: Vec<(Subject, AssignLicenseBody)> = send
            .iter()
            .map(|i| (ctx.actions[i.idx].target.clone(), ctx.actions[i.idx].body.clone()))
            .collect();
        let results = self.api.assign(&batch).await;
        let now = self.clock.now_ms();
        let mut j = ctx.journal.borrow_mut();
        for (k, item) in send.iter().enumerate() {
            let id = &ctx.actions[item.idx].id;
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
                    ApiErrorKind::Graph => {
                        let state = EntryState::Failed { code: e.code, message: e.message, retryable: false };
                        j.set(id, state, now);
                        res.settled += 1;
                    }
                    ApiErrorKind::Transient | ApiErrorKind::Unreachable => {
                        if item.tries + 1 >= self.config.max_attempts {
                            j.set(
                                id,
                                EntryState::Failed { code: e.code, message: e.message, retryable: true },
                                now,
                            );
                            res.settled += 1;
                        } else {
                            j.set(id, EntryState::Pending, now);
                            res.requeue.push(Item {
                                idx: item.idx,
                                tries: item.tries + 1,
                                need: Need::Check,
                            });
                        }
                    }
                    // Stays in flight: only a read-back may say what happened.
                    ApiErrorKind::ResponseLost => {
                        self.retry_later(&mut res, Item { need: Need::ReadBack, ..*item });
                    }
                },
            }
        }
        let changed: Vec<&str> = send.iter().map(|i| ctx.actions[i.idx].id.as_str()).collect();
        if let Err(e) = self.store.save_changes(&j, &changed) {
            res.error = Some(ApplyError::Store(e.0));
        }
        res
    }

    fn retry_later(&self, res: &mut JobResult, item: Item) {
        if item.tries + 1 >= self.config.max_attempts {
            res.unresolved.push(item.idx);
        } else {
            res.requeue.push(Item { tries: item.tries + 1, ..item });
        }
    }
}

fn kind_word(action: &Action) -> &'static str {
    match action.target.kind {
        TargetKind::User => "user",
        TargetKind::Group => "group",
        TargetKind::Sku => "SKU",
    }
}

fn check_plan(plan: &Plan, config: &ApplyConfig) -> Result<(), ApplyError> {
    if config.refuse_blockers && plan.has_blockers() {
        return Err(ApplyError::Blocked(plan.blockers().count()));
    }
    let mut ids = HashSet::new();
    for a in plan.actions() {
        if a.id.is_empty() || !ids.insert(a.id.as_str()) {
            return Err(ApplyError::BadPlan(format!("action id '{}' is empty or repeated", a.id)));
        }
        if a.target.kind == TargetKind::Sku {
            return Err(ApplyError::BadPlan(format!("action '{}' targets a SKU, not a user or group", a.id)));
        }
        if a.body.add_licenses.is_empty() && a.body.remove_licenses.is_empty() {
            return Err(ApplyError::BadPlan(format!("action '{}' changes nothing", a.id)));
        }
    }
    Ok(())
}
