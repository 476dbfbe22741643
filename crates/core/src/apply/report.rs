//! The apply report for the admin's records: one row per action, as CSV or JSON.
use super::journal::{EntryState, Journal};
use super::settle::{GroupSettleReport, MemberOutcome};
use super::verify::{VerifyOutcome, VerifyReport};
use crate::plan::Plan;
use serde::Serialize;

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ReportRow {
    pub phase: usize,
    pub action_id: String,
    pub action: String,
    pub target_kind: String,
    pub target_id: String,
    pub target_name: String,
    pub state: String,
    pub error_code: String,
    pub message: String,
    /// ok / mismatch / error / empty when not verified.
    pub verified: String,
}

pub fn report_rows(plan: &Plan, journal: &Journal, verify: Option<&VerifyReport>) -> Vec<ReportRow> {
    let mut rows = Vec::new();
    for (pi, phase) in plan.phases.iter().enumerate() {
        for a in &phase.actions {
            let entry = journal.entries.get(&a.id);
            let (error_code, mut message) = match entry.map(|e| &e.state) {
                Some(EntryState::Failed { code, message, .. }) => (code.clone(), message.clone()),
                Some(EntryState::SkippedStale { .. }) => {
                    (String::new(), "changed since planning; not touched (re-plan to include it)".to_string())
                }
                _ => (String::new(), String::new()),
            };
            if let Some(note) = entry.and_then(|e| e.note.as_ref()) {
                message = if message.is_empty() { note.clone() } else { format!("{message}; {note}") };
            }
            let verified = match verify.and_then(|v| v.item(&a.id)).map(|i| &i.outcome) {
                Some(VerifyOutcome::Ok) => "ok".to_string(),
                Some(VerifyOutcome::Mismatch(d)) => format!("mismatch: {}", d.join("; ")),
                Some(VerifyOutcome::Error { code, remedy, .. }) => format!("error {code}: {remedy}"),
                Some(VerifyOutcome::AppliedDespiteJournal(j)) => {
                    format!("ok: the tenant shows the change although the journal says {j}")
                }
                Some(VerifyOutcome::NotApplied(j)) => format!("not applied ({j}): the tenant agrees"),
                None => String::new(),
            };
            rows.push(ReportRow {
                phase: pi + 1,
                action_id: a.id.clone(),
                action: a.kind.as_str().to_string(),
                target_kind: a.target.kind.as_str().to_string(),
                target_id: a.target.id.clone(),
                target_name: a.target.name.clone(),
                state: entry.map_or("unknown", |e| e.state.label()).to_string(),
                error_code,
                message,
                verified,
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
                action: "setAside".into(),
                target_kind: s.subject.kind.as_str().into(),
                target_id: s.subject.id.clone(),
                target_name: s.subject.name.clone(),
                state: "set aside".into(),
                error_code: String::new(),
                message,
                verified: String::new(),
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
    [
        if r.phase == 0 { String::new() } else { r.phase.to_string() },
        r.action_id,
        r.action,
        r.target_kind,
        r.target_id,
        r.target_name,
        r.state,
        r.error_code,
        r.message,
        r.verified,
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
