//! The end of a run: stale targets (with re-plan), group processing per member, notes, and after
//! a conflict fix the pointer to reprocessing its members (on the report).
use super::components::plural;
use crate::state::use_state;
use leptos::prelude::*;
use licswap_core::apply::{report_members_csv, MemberOutcome, RunOutcome, RunReport};
use licswap_core::plan::Plan;
use std::sync::Arc;

#[component]
pub fn RunResult(report: Arc<RunReport>, plan: Arc<Plan>) -> impl IntoView {
    let state = use_state();
    let c = report.journal.counts();
    let (title, class) = match report.outcome {
        RunOutcome::Completed if c.failed == 0 && c.stale == 0 => ("Applied", "ok-box"),
        RunOutcome::Completed => ("Applied, with problems", "error-box"),
        RunOutcome::Cancelled => ("Cancelled", "error-box"),
        // Not a failure: Entra is slow, and the journal resumes the wait.
        RunOutcome::WaitingForGroups => ("Sent: waiting for Entra's group processing", "ok-box"),
        RunOutcome::Incomplete => ("Not finished", "error-box"),
    };
    // A conflict fix is not done until its members are reprocessed: say where that happens.
    let fixes_conflicts = c.done > 0
        && plan.actions().any(|a| a.kind == licswap_core::plan::ActionKind::RemoveConflictingDirect);
    let plan_sv = StoredValue::new(plan);
    let stale = StoredValue::new(report.stale.iter().map(|s| s.target.clone()).collect::<Vec<_>>());
    let retryable = c.cancelled > 0 || c.failed > 0;
    let groups_csv = (!report.groups.is_empty()).then(|| report_members_csv(&report.groups));
    view! {
        <div class={class} role="status">
            <p class="error-title">{title}</p>
            <p>
                {format!(
                    "{} done, {} failed, {} changed since planning (not touched), {} cancelled.",
                    c.done,
                    c.failed,
                    c.stale,
                    c.cancelled,
                )}
            </p>
            {report.notes.iter().map(|n| view! { <p>{crate::text::sentence(n)}</p> }).collect_view()}
        </div>
        {fixes_conflicts
            .then(|| {
                view! {
                    <p class="callout info" data-testid="reprocess-next">
                        "Next: verify, then reprocess these members on the report \
                        (Verify and report) — Entra keeps them in error until they are processed again."
                    </p>
                }
            })}
        {(!report.stale.is_empty())
            .then(|| {
                view! {
                    <div class="card">
                        <h2 class="card-title">
                            {plural(
                                report.stale.len(),
                                "target changed since planning",
                                "targets changed since planning",
                            )}
                        </h2>
                        <p class="hint">
                            "Someone changed these users or groups after the preview was made, so licswap left them alone. Re-plan to include them with their current licenses."
                        </p>
                        <ul>
                            {report
                                .stale
                                .iter()
                                .take(200)
                                .map(|s| view! { <li>{s.target.name.clone()}</li> })
                                .collect_view()}
                        </ul>
                        <button
                            type="button"
                            on:click={move |_| crate::loads::replan(state, stale.get_value())}
                        >
                            "Re-plan these"
                        </button>
                    </div>
                }
            })}
        {(!report.groups.is_empty())
            .then(|| {
                view! {
                    <h2>"Group processing"</h2>
                    <ul class="plain findings">
                        {report
                            .groups
                            .iter()
                            .map(|g| {
                                let errors: Vec<_> = g.errors().cloned().collect();
                                let pending = g
                                    .members
                                    .iter()
                                    .filter(|m| m.outcome == MemberOutcome::Pending)
                                    .count();
                                let active = g
                                    .members
                                    .iter()
                                    .filter(|m| m.outcome == MemberOutcome::Active)
                                    .count();
                                let cls = if !errors.is_empty() {
                                    "finding bad"
                                } else if g.settled {
                                    "finding info"
                                } else {
                                    "finding warn"
                                };
                                view! {
                                    <li class={cls}>
                                        <details open={!errors.is_empty()}>
                                            <summary>
                                                <strong>{g.group_name.clone()}</strong>
                                                <span class="muted">
                                                    {format!(
                                                        " — {active} active, {} in error, {pending} not processed yet{}",
                                                        errors.len(),
                                                        if g.settled { "" } else { " (still processing)" },
                                                    )}
                                                </span>
                                            </summary>
                                            {g.error.clone().map(|e| view! { <p class="bad">{e}</p> })}
                                            {g
                                                .note
                                                .clone()
                                                .map(|n| {
                                                    view! { <p class="hint">{crate::text::sentence(&n)}</p> }
                                                })}
                                            <ul class="finding-items">
                                                {g
                                                    .members
                                                    .iter()
                                                    .take(500)
                                                    .map(|m| {
                                                        let what = match &m.outcome {
                                                            MemberOutcome::Active => "active".to_string(),
                                                            MemberOutcome::Error(e) => format!("error: {e}"),
                                                            MemberOutcome::Pending => "not processed yet".to_string(),
                                                        };
                                                        view! {
                                                            <li>
                                                                {m.name.clone()}
                                                                <span class="muted">{format!(" — {what}")}</span>
                                                            </li>
                                                        }
                                                    })
                                                    .collect_view()}
                                            </ul>
                                        </details>
                                    </li>
                                }
                            })
                            .collect_view()}
                    </ul>
                }
            })}
        <div class="actions">
            <a class="button" href="#/report">
                "Verify and report"
            </a>
            {retryable
                .then(|| {
                    view! {
                        <button
                            type="button"
                            class="secondary"
                            on:click={move |_| crate::apply_run::retry(state, plan_sv.get_value())}
                        >
                            "Retry cancelled and transient failures"
                        </button>
                    }
                })}
            {groups_csv
                .map(|csv| {
                    view! {
                        <button
                            type="button"
                            class="secondary"
                            on:click={move |_| {
                                if let Err(e) = crate::browser::download(
                                    "licswap-group-members.csv",
                                    "text/csv",
                                    &csv,
                                ) {
                                    state.notice.set(Some(e));
                                }
                            }}
                        >
                            "Export group members (CSV)"
                        </button>
                    }
                })}
        </div>
    }
}
