//! The executor: runs a plan's phases in order (each in [`super::phase`]), journaling every step;
//! between phases, the group swaps must have settled. The run itself is a [`Run`] value.
use super::api::LicenseApi;
use super::control::{Control, ControlState};
use super::journal::{plan_hash, EntryState, Journal, JOURNAL_VERSION};
use super::phase::PhaseEnd;
use super::progress::{RateMeter, RunProgress, RunStatus};
use super::run::{ApplyConfig, ApplyError, Reporter, Run, RunOutcome, RunReport, Shared};
use super::settle::{settle_group, GroupSettleReport, MemberOutcome};
use super::store::JournalStore;
use crate::graph::http::Clock;
use crate::plan::{Plan, TargetKind};
use std::cell::RefCell;
use std::collections::HashSet;

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
        on_progress: &mut dyn FnMut(&RunProgress),
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
            if !journal.entries.contains_key(&*a.id) {
                journal.set(&a.id, EntryState::Pending, now);
            }
        }
        self.store.save(&journal).map_err(|e| ApplyError::Store(e.0))?;

        let source_skus: Vec<String> = plan.sources().into_iter().map(|s| s.sku.sku_id).collect();
        let target_skus: Vec<String> = plan.targets().into_iter().map(|s| s.sku.sku_id).collect();
        let plan_groups = plan
            .actions()
            .filter(|a| a.target.kind == TargetKind::Group)
            .map(|a| a.target.id.to_ascii_lowercase())
            .collect();
        let shared = Shared {
            api: self.api,
            clock: self.clock,
            store: self.store,
            config: &self.config,
            control: &self.control,
            actions: plan.actions().collect(),
            journal: RefCell::new(journal),
            target_skus: &target_skus,
            source_skus: &source_skus,
            plan_groups,
            refusals: Default::default(),
        };
        let first_phase_len = plan.phases.first().map_or(0, |p| p.actions.len());
        shared.take_baselines(first_phase_len..shared.actions.len()).await?;
        let phases = plan.phases.len();
        let mut run = Run {
            shared,
            progress: Reporter { meter: RateMeter::new(now), on_progress, phase: 0, phases },
            report: RunReport {
                outcome: RunOutcome::Completed,
                journal: Journal::new(plan, now),
                stale: Vec::new(),
                groups: Vec::new(),
                unresolved: Vec::new(),
                notes: Vec::new(),
            },
        };
        let mut start = 0;
        for (pi, phase) in plan.phases.iter().enumerate() {
            let range = start..start + phase.actions.len();
            start = range.end;
            let has_work = range.clone().any(|i| !run.shared.is_terminal(i));
            if !has_work {
                continue;
            }
            run.progress.phase = pi;
            match run.settle_groups(0..range.start).await {
                Settled::Yes => {}
                Settled::No => {
                    run.report.outcome = RunOutcome::WaitingForGroups;
                    run.report.notes.push(format!(
                        "phase {} ('{}') waits for Entra to finish processing the group swaps ({}). {WAIT_ADVICE}",
                        pi + 1,
                        phase.title,
                        waiting_summary(&run.report.groups)
                    ));
                    break;
                }
                Settled::Cancelled => {
                    run.shared.cancel_pending()?;
                    run.report.outcome = RunOutcome::Cancelled;
                    break;
                }
            }
            match run.run_phase(range).await? {
                PhaseEnd::Done => {}
                PhaseEnd::Cancelled => {
                    run.shared.cancel_pending()?;
                    run.report.outcome = RunOutcome::Cancelled;
                    break;
                }
            }
        }
        if run.report.outcome == RunOutcome::Completed {
            if phases > 1 {
                // A later phase swaps the direct source licenses that held some members' group
                // target in error (E1 beside the group's E3): read those groups again, so the
                // report says where the members ended up, not where they stood in between.
                run.report.groups.retain(|g| g.errors().next().is_none());
            }
            run.progress.phase = phases.saturating_sub(1);
            match run.settle_groups(0..run.shared.actions.len()).await {
                Settled::Yes => {}
                Settled::No => {
                    run.report.notes.push(format!(
                        "Entra is still processing the group swaps ({}). {WAIT_ADVICE}",
                        waiting_summary(&run.report.groups)
                    ));
                    run.report.outcome = RunOutcome::WaitingForGroups;
                }
                // Everything was sent; only the waiting was cut short.
                Settled::Cancelled => {
                    run.report.notes.push("cancelled while waiting for group license processing".into());
                    run.report.outcome = RunOutcome::Incomplete;
                }
            }
            if !run.shared.journal.borrow().is_finished() {
                run.report.outcome = RunOutcome::Incomplete;
            }
        }
        run.finish()
    }
}

impl<A: LicenseApi, C: Clock, S: JournalStore> Run<'_, A, C, S> {
    /// Polls every group action done among `range` that has no settled report yet.
    async fn settle_groups(&mut self, range: std::ops::Range<usize>) -> Settled {
        let mut all_settled = true;
        for i in range {
            let action = self.shared.actions[i];
            let done = self.shared.journal.borrow().state(&action.id) == Some(&EntryState::Done);
            if action.target.kind != TargetKind::Group || !done {
                continue;
            }
            if self.report.groups.iter().any(|g| g.action_id == action.id && g.settled) {
                continue;
            }
            if self.shared.control.state() == ControlState::Cancel {
                return Settled::Cancelled;
            }
            let waiting_for = format!(
                "Entra is assigning the new license to the members of '{}'. {WAIT_ADVICE}",
                action.target.name
            );
            self.progress.emit(&self.shared, RunStatus::Settling, Some(waiting_for));
            let (poll, timeout) = (self.shared.config.settle_poll_ms, self.shared.config.settle_timeout_ms);
            let (api, clock, control) = (self.shared.api, self.shared.clock, self.shared.control);
            let r = settle_group(api, clock, action, poll, timeout, control).await;
            all_settled &= r.settled;
            self.report.groups.retain(|g| g.action_id != action.id);
            self.report.groups.push(r);
        }
        if self.shared.control.state() == ControlState::Cancel {
            Settled::Cancelled
        } else if all_settled {
            Settled::Yes
        } else {
            Settled::No
        }
    }

    /// The report's last touches: what is left unresolved, the last progress line, and the
    /// journal saved whole (which compacts its change log into one snapshot).
    fn finish(self) -> Result<RunReport, ApplyError> {
        let Run { shared, mut progress, mut report } = self;
        report.unresolved = shared
            .journal
            .borrow()
            .entries
            .iter()
            .filter(|(_, e)| !e.state.is_terminal())
            .map(|(id, _)| id.clone())
            .collect();
        let status =
            if report.outcome == RunOutcome::Cancelled { RunStatus::Cancelled } else { RunStatus::Finished };
        progress.phase = progress.phases.saturating_sub(1);
        progress.emit(&shared, status, None);
        shared.save()?;
        report.journal = shared.journal.into_inner();
        Ok(report)
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
            let processed = g.members.iter().filter(|m| m.outcome != MemberOutcome::Pending).count();
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
