//! The executor: runs a plan's phases in order (each in [`super::phase`]), journaling every step;
//! between phases, the group swaps must have settled.
use super::api::LicenseApi;
use super::control::{Control, ControlState};
use super::journal::{plan_hash, EntryState, Journal, JOURNAL_VERSION};
use super::phase::{Ctx, PhaseEnd};
use super::progress::{Progress, RateMeter, RunStatus};
use super::settle::{settle_group, GroupSettleReport};
use super::store::JournalStore;
use crate::graph::http::Clock;
use crate::plan::{Plan, Subject, TargetKind};
use std::cell::RefCell;
use std::collections::HashSet;

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
    /// How far reads may lag writes: a target is read back (after a lost answer or a refusal)
    /// only once its write is this old, and verify re-reads a difference after this long, so a
    /// stale replica never causes a second write or a "failed" for a change that landed.
    pub read_lag_ms: u64,
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
            read_lag_ms: 5_000,
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
    /// The stored journal was written by a newer licswap.
    JournalVersion(u32),
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
            ApplyError::JournalVersion(v) => write!(
                f,
                "the saved journal has format {v}, newer than this licswap reads ({JOURNAL_VERSION}); open it with a newer licswap"
            ),
        }
    }
}

impl std::error::Error for ApplyError {}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum RunOutcome {
    /// Every action is done, failed or stale, and group processing settled.
    Completed,
    Cancelled,
    /// Everything sent so far landed; Entra is still processing group swaps (which can take
    /// hours). Nothing failed: run again (now or after closing the tab) to resume the wait.
    WaitingForGroups,
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

enum Settled {
    Yes,
    No,
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
            Some(j) if j.version > JOURNAL_VERSION => return Err(ApplyError::JournalVersion(j.version)),
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
            source_sku: &plan.source.sku_id,
            plan_groups,
            refusals: Default::default(),
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
                    report.outcome = RunOutcome::WaitingForGroups;
                    report.notes.push(format!(
                        "phase {} ('{}') waits for Entra to finish processing the group swaps ({}). {WAIT_ADVICE}",
                        pi + 1,
                        phase.title,
                        waiting_summary(&report.groups)
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
            if phases > 1 {
                // A later phase swaps the direct source licenses that held some members' group
                // target in error (E1 beside the group's E3): read those groups again, so the
                // report says where the members ended up, not where they stood in between.
                report.groups.retain(|g| g.errors().next().is_none());
            }
            let all = 0..ctx.actions.len();
            let last = phases.saturating_sub(1);
            match self.settle_groups(&ctx, all, &mut report, last, phases, &meter, on_progress).await {
                Settled::Yes => {}
                Settled::No => {
                    report.notes.push(format!(
                        "Entra is still processing the group swaps ({}). {WAIT_ADVICE}",
                        waiting_summary(&report.groups)
                    ));
                    report.outcome = RunOutcome::WaitingForGroups;
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
            let mut p = meter.progress(self.clock.now_ms(), RunStatus::Settling, phase, phases, counts);
            p.waiting_for = Some(format!(
                "Entra is assigning the new license to the members of '{}'. {WAIT_ADVICE}",
                action.target.name
            ));
            on_progress(&p);
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
}

/// What an admin may do while Entra processes a group swap. Microsoft: processing "could take
/// time"; open a support ticket only after 24 hours for groups of up to 60,000 members
/// (<https://learn.microsoft.com/entra/identity/users/licensing-group-advanced>).
const WAIT_ADVICE: &str = "Group processing in Entra can take minutes to hours. Nothing failed: you may \
     close this tab and come back later; resuming this plan picks the wait up from its journal, and \
     verify can be run at any time.";

/// "'E1 - Sales': 12 of 17 members processed" for each group not settled.
fn waiting_summary(groups: &[GroupSettleReport]) -> String {
    let parts: Vec<String> = groups
        .iter()
        .filter(|g| !g.settled)
        .map(|g| {
            let processed =
                g.members.iter().filter(|m| m.outcome != super::settle::MemberOutcome::Pending).count();
            format!("'{}': {processed} of {} members processed", g.group_name, g.members.len())
        })
        .collect();
    parts.join("; ")
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
