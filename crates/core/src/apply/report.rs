//! The apply report for the admin's records: one row per action, as CSV or JSON.
//!
//! A row keeps its facts typed (the journal's state, the action's kind, verify's outcome) for the
//! report screen to decide with; the words the exports write are made from them only at the edge,
//! in [`ReportRow::cells`], and read the same as ever: spreadsheets and scripts key on them.
use super::journal::{EntryState, Journal};
use super::settle::{GroupSettleReport, MemberOutcome};
use super::verify::{failure_remedy, VerifyOutcome, VerifyReport};
use crate::plan::{ActionKind, Plan, TargetKind};
use serde::{Serialize, Serializer};

/// What a row is about: one of the plan's calls, or a user or group the plan set aside.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RowAction {
    Call(ActionKind),
    /// No call was planned for the subject (`setAsideBlocked`).
    SetAside,
}

impl RowAction {
    /// The report's word: the action kind as the plan spells it, or `setAside`.
    pub fn as_str(self) -> &'static str {
        match self {
            RowAction::Call(kind) => kind.as_str(),
            RowAction::SetAside => "setAside",
        }
    }
}

/// Where a row's call stands.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum RowState {
    /// The journal's state of the call.
    Journaled(EntryState),
    /// The journal holds no entry for the call.
    Unknown,
    /// Set aside: no call, so nothing was done.
    SetAside,
}

impl RowState {
    /// The report's word: the journal's label (pending, inFlight, done, failed, stale,
    /// cancelled), `unknown` or `set aside`.
    pub fn as_str(&self) -> &'static str {
        match self {
            RowState::Journaled(state) => state.label(),
            RowState::Unknown => "unknown",
            RowState::SetAside => "set aside",
        }
    }

    /// The target changed after planning and was left untouched.
    pub fn is_stale(&self) -> bool {
        matches!(self, RowState::Journaled(EntryState::SkippedStale { .. }))
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ReportRow {
    /// The plan's phase, from 1; 0 for a subject set aside.
    pub phase: usize,
    pub action_id: String,
    pub action: RowAction,
    pub target_kind: TargetKind,
    pub target_id: String,
    pub target_name: String,
    pub state: RowState,
    /// Graph's message for a failure, why a stale target was not touched, why the subject was set
    /// aside; with the journal's note after it.
    pub message: String,
    /// What verify found; `None` when verify did not run.
    pub verified: Option<VerifyOutcome>,
}

impl ReportRow {
    /// Graph's error code of a failed call; empty otherwise.
    pub fn error_code(&self) -> &str {
        match &self.state {
            RowState::Journaled(EntryState::Failed { code, .. }) => code,
            _ => "",
        }
    }

    /// Verify's finding in words (ok / mismatch / error / not applied), empty when not verified.
    pub fn verified_text(&self) -> String {
        match &self.verified {
            Some(VerifyOutcome::Ok) => "ok".to_string(),
            Some(VerifyOutcome::Mismatch(d)) => format!("mismatch: {}", d.join("; ")),
            Some(VerifyOutcome::Error { code, remedy, .. }) => format!("error {code}: {remedy}"),
            Some(VerifyOutcome::AppliedDespiteJournal(j)) => {
                format!("ok: the tenant shows the change although the journal says {j}")
            }
            Some(VerifyOutcome::NotApplied(j)) => format!("not applied ({j}): the tenant agrees"),
            None => String::new(),
        }
    }

    /// The call did not go through: Graph refused it (or it could not be sent), or its target
    /// changed after planning.
    pub fn did_not_go_through(&self) -> bool {
        !self.error_code().is_empty() || self.state.is_stale()
    }

    /// What the admin can do about a call that did not go through; `None` for any other row.
    pub fn what_to_do(&self) -> Option<String> {
        if self.state.is_stale() {
            return Some("Re-plan: the target changed after the preview was made.".into());
        }
        let code = self.error_code();
        (!code.is_empty()).then(|| failure_remedy(code, &self.message))
    }

    /// The row as the exports write it, column by column (see [`HEADER`]).
    fn cells(&self) -> RowCells<'_> {
        RowCells {
            phase: self.phase,
            action_id: &self.action_id,
            action: self.action.as_str(),
            target_kind: self.target_kind.as_str(),
            target_id: &self.target_id,
            target_name: &self.target_name,
            state: self.state.as_str(),
            error_code: self.error_code(),
            message: &self.message,
            verified: self.verified_text(),
        }
    }
}

/// A row in words: the JSON export's object and the CSV's cells.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct RowCells<'a> {
    phase: usize,
    action_id: &'a str,
    action: &'a str,
    target_kind: &'a str,
    target_id: &'a str,
    target_name: &'a str,
    state: &'a str,
    error_code: &'a str,
    message: &'a str,
    verified: String,
}

/// A row serializes as the export writes it.
impl Serialize for ReportRow {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        self.cells().serialize(serializer)
    }
}

pub fn report_rows(plan: &Plan, journal: &Journal, verify: Option<&VerifyReport>) -> Vec<ReportRow> {
    let mut rows = Vec::new();
    for (pi, phase) in plan.phases.iter().enumerate() {
        for a in &phase.actions {
            let entry = journal.entries.get(&*a.id);
            let mut message = match entry.map(|e| &e.state) {
                Some(EntryState::Failed { message, .. }) => message.clone(),
                Some(EntryState::SkippedStale { .. }) => {
                    "changed since planning; not touched (re-plan to include it)".to_string()
                }
                _ => String::new(),
            };
            if let Some(note) = entry.and_then(|e| e.note.as_ref()) {
                message = if message.is_empty() { note.clone() } else { format!("{message}; {note}") };
            }
            rows.push(ReportRow {
                phase: pi + 1,
                action_id: a.id.to_string(),
                action: RowAction::Call(a.kind),
                target_kind: a.target.kind,
                target_id: a.target.id.clone(),
                target_name: a.target.name.clone(),
                state: entry.map_or(RowState::Unknown, |e| RowState::Journaled(e.state.clone())),
                message,
                verified: verify.and_then(|v| v.item(&a.id)).map(|i| i.outcome.clone()),
            });
        }
    }
    rows
}

/// The users and groups the plan set aside, as report rows: not done (no call was planned for
/// them), with why, and for a user the groups whose swap still reaches them.
pub fn set_aside_rows(plan: &Plan) -> Vec<ReportRow> {
    plan.set_aside
        .iter()
        .map(|s| {
            let mut message = s.why.join("; ");
            if !s.still_covered_by.is_empty() {
                message.push_str(&format!(
                    "; still changed through the swap of {} (a group's license applies to every member)",
                    s.still_covered_by.join(", ")
                ));
            }
            ReportRow {
                phase: 0,
                action_id: String::new(),
                action: RowAction::SetAside,
                target_kind: s.subject.kind,
                target_id: s.subject.id.clone(),
                target_name: s.subject.name.clone(),
                state: RowState::SetAside,
                message,
                verified: None,
            }
        })
        .collect()
}

/// The set-aside list alone, for the preview's export (same columns as the report).
pub fn set_aside_csv(plan: &Plan) -> String {
    let mut out = String::new();
    push_row(&mut out, HEADER.iter().map(|s| s.to_string()));
    for r in set_aside_rows(plan) {
        push_row(&mut out, row_cells(r));
    }
    out
}

fn row_cells(r: ReportRow) -> impl Iterator<Item = String> {
    let c = r.cells();
    [
        if c.phase == 0 { String::new() } else { c.phase.to_string() },
        c.action_id.to_string(),
        c.action.to_string(),
        c.target_kind.to_string(),
        c.target_id.to_string(),
        c.target_name.to_string(),
        c.state.to_string(),
        c.error_code.to_string(),
        c.message.to_string(),
        c.verified,
    ]
    .into_iter()
}

const HEADER: [&str; 10] = [
    "phase",
    "actionId",
    "action",
    "targetKind",
    "targetId",
    "targetName",
    "state",
    "errorCode",
    "message",
    "verified",
];

/// RFC 4180 CSV (CRLF line ends), every field quoted when needed, and cells that a spreadsheet
/// would run as a formula (leading `=`, `+`, `-`, `@`, tab, CR) prefixed with `'`: names and
/// Graph messages come from the tenant, not from us.
pub fn report_csv(plan: &Plan, journal: &Journal, verify: Option<&VerifyReport>) -> String {
    report_csv_with(plan, journal, verify, &[])
}

/// [`report_csv`] with `extra` columns (name, value) that hold the same value on every row: the
/// run's audit record (plan digest, approvals, who applied), so each row stands on its own.
pub fn report_csv_with(
    plan: &Plan,
    journal: &Journal,
    verify: Option<&VerifyReport>,
    extra: &[(&str, String)],
) -> String {
    let mut out = String::new();
    push_row(&mut out, HEADER.iter().chain(extra.iter().map(|(name, _)| name)).map(|s| s.to_string()));
    for r in report_rows(plan, journal, verify).into_iter().chain(set_aside_rows(plan)) {
        push_row(&mut out, row_cells(r).chain(extra.iter().map(|(_, value)| value.clone())));
    }
    out
}

fn push_row(out: &mut String, cells: impl Iterator<Item = String>) {
    let cells: Vec<String> = cells.map(|c| csv_field(&c)).collect();
    out.push_str(&cells.join(","));
    out.push_str("\r\n");
}

pub fn csv_field(value: &str) -> String {
    let neutral = match value.chars().next() {
        Some('=' | '+' | '-' | '@' | '\t' | '\r') => format!("'{value}"),
        _ => value.to_string(),
    };
    if neutral.contains([',', '"', '\n', '\r', ';']) || neutral.starts_with(' ') || neutral.ends_with(' ') {
        format!("\"{}\"", neutral.replace('"', "\"\""))
    } else {
        neutral
    }
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct JsonReport<'a> {
    plan_hash: &'a str,
    source: &'a str,
    target: &'a str,
    /// Microsoft's product names of source and target.
    source_name: &'a str,
    target_name: &'a str,
    /// The service plans whose loss the admin accepted, by id and friendly name.
    waived_plans: Vec<WaivedPlan>,
    counts: super::journal::Counts,
    rows: Vec<ReportRow>,
}

/// A waived service plan: its servicePlanName and Microsoft's friendly name (the name again when
/// the catalog does not know it).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct WaivedPlan {
    pub service_plan_name: String,
    pub name: String,
}

/// The plan's accepted losses (options.waivedPlans) with their friendly names.
pub fn waived_plans(plan: &Plan) -> Vec<WaivedPlan> {
    plan.request
        .options
        .waived_plans
        .iter()
        .map(|n| WaivedPlan {
            service_plan_name: n.clone(),
            name: crate::catalog::plan_by_name(n).map_or_else(|| n.clone(), |p| p.friendly.to_string()),
        })
        .collect()
}

pub fn report_json(plan: &Plan, journal: &Journal, verify: Option<&VerifyReport>) -> String {
    // A bundle names every SKU of a side, joined with " + " (one SKU reads as before).
    let (source, target) = (Plan::part_numbers(&plan.sources()), Plan::part_numbers(&plan.targets()));
    let (source_name, target_name) = (plan.source_names(), plan.target_names());
    let report = JsonReport {
        plan_hash: &journal.plan_hash,
        source: &source,
        target: &target,
        source_name: &source_name,
        target_name: &target_name,
        waived_plans: waived_plans(plan),
        counts: journal.counts(),
        rows: report_rows(plan, journal, verify).into_iter().chain(set_aside_rows(plan)).collect(),
    };
    serde_json::to_string_pretty(&report).unwrap_or_default()
}

/// Each group member's outcome after the group swaps (one row per member): what Graph's
/// group-based licensing did for them.
pub fn report_members_csv(groups: &[GroupSettleReport]) -> String {
    let mut out = String::new();
    let header = ["groupId", "groupName", "userId", "user", "outcome", "error"];
    push_row(&mut out, header.iter().map(|s| s.to_string()));
    for g in groups {
        for m in &g.members {
            let (outcome, error) = match &m.outcome {
                MemberOutcome::Active => ("active", String::new()),
                MemberOutcome::Error(code) => ("error", code.clone()),
                MemberOutcome::Pending => ("pending", String::new()),
            };
            push_row(
                &mut out,
                [
                    g.group_id.clone(),
                    g.group_name.clone(),
                    m.user_id.clone(),
                    m.name.clone(),
                    outcome.to_string(),
                    error,
                ]
                .into_iter(),
            );
        }
    }
    out
}
