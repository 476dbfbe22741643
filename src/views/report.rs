//! Verify and report: read every applied target back and compare it with the plan; failures with
//! Graph's error and what to do; rollback (previewed first); CSV and JSON export; after a fix of
//! conflicting licenses, reprocessing its members and checking the license health again.
use super::components::{count, plural, ErrorBox, ResolveProblemsLink, Spinner, StatusHint};
use crate::apply_run::{self, journal_for};
use crate::browser;
use crate::health::{self, Reprocess};
use crate::routes::Route;
use crate::state::{use_state, PlanOrigin};
use leptos::prelude::*;
use licswap_core::apply::{report_rows, waived_plans, Journal, ReportRow, VerifyOutcome};
use licswap_core::approval::audit::{audit_csv, audit_json};
use licswap_core::plan::{ActionKind, Plan};
use std::sync::Arc;

#[component]
pub fn ReportScreen() -> impl IntoView {
    let state = use_state();
    crate::apply_run::restore(state);
    move || {
        let plan = state.plan.get();
        let journal = plan.as_ref().and_then(|p| {
            journal_for(p).or_else(|| state.apply.with(|a| a.report.as_ref().map(|r| r.journal.clone())))
        });
        match (plan, journal) {
            (Some(plan), Some(journal)) if state.plan_origin.get() == PlanOrigin::Local => {
                view! { <Report plan={plan} journal={Arc::new(journal)} /> }.into_any()
            }
            _ => view! {
                <section>
                    <h1>"Report"</h1>
                    <p>
                        "Nothing has been applied from the current plan in this browser yet. "
                        <a href="#/apply">"Apply a plan"</a> " first."
                    </p>
                </section>
            }
            .into_any(),
        }
    }
}

#[component]
fn Report(plan: Arc<Plan>, journal: Arc<Journal>) -> impl IntoView {
    let state = use_state();
    let plan_sv = StoredValue::new(plan.clone());
    let journal_sv = StoredValue::new_local(journal.clone());
    let status = RwSignal::new(None::<String>);
    let verify = move || state.apply.with(|a| a.verify.clone());
    let export = move |kind: &'static str| {
        let v = verify();
        // The audit record (digest, approvals, who applied, when) rides along in both forms.
        let (body, mime) = plan_sv.with_value(|p| {
            let audit = crate::approval_flow::record_or_new(p);
            journal_sv.with_value(|j| match kind {
                "csv" => (audit_csv(p, j, v.as_deref(), &audit), "text/csv"),
                _ => (audit_json(p, j, v.as_deref(), &audit), "application/json"),
            })
        });
        let name = plan_sv.with_value(|p| format!("licswap-report-{}.{kind}", p.file_slug()));
        status.set(Some(match browser::download(&name, mime, &body) {
            Ok(()) => format!("Saved {name}."),
            Err(e) => format!("Could not save the report: {e}."),
        }));
    };
    let rollback = move |_| {
        let Some(v) = verify() else { return };
        match plan_sv.with_value(|p| apply_run::rollback_of(p, &v)) {
            Ok((rb, left_out)) => {
                // The rollback's own report names the run it undoes.
                let mut undo =
                    licswap_core::approval::AuditRecord::for_plan(&licswap_core::approval::plan_digest(&rb));
                let mut done = plan_sv.with_value(|p| crate::approval_flow::record_or_new(p));
                if done.applied_at.is_empty() {
                    done.applied_at =
                        journal_sv.with_value(|j| crate::approval_flow::iso_of_ms(j.created_ms));
                }
                undo.undoes = Some(done.run_ref());
                crate::approval_flow::bind(&rb, undo);
                if !left_out.is_empty() {
                    state.notice.set(Some(format!(
                        "{} left out of the rollback (not verified as applied).",
                        plural(left_out.len(), "action is", "actions are")
                    )));
                }
                state.plan.set(Some(Arc::new(rb)));
                state.plan_origin.set(PlanOrigin::Local);
                state.apply.set(Default::default());
                state.go(Route::Preview);
            }
            Err(e) => state.notice.set(Some(e)),
        }
    };
    let c = journal.counts();
    let waived = waived_plans(&plan);
    let failures: Vec<_> =
        report_rows(&plan, &journal, None).into_iter().filter(ReportRow::did_not_go_through).collect();
    view! {
        <section aria-labelledby="report-title">
            <div class="screen-head">
                <div>
                    <p class="eyebrow">"Verify and report"</p>
                    <h1 id="report-title">
                        {format!("{} → {}", plan.source_names(), plan.target_names())}
                    </h1>
                </div>
                <div class="actions">
                    <button type="button" class="secondary" on:click={move |_| export("csv")}>
                        "Export CSV"
                    </button>
                    <button type="button" class="secondary" on:click={move |_| export("json")}>
                        "Export JSON"
                    </button>
                    <button
                        type="button"
                        class="secondary"
                        on:click={|_| {
                            if let Some(w) = web_sys::window() {
                                let _ = w.print();
                            }
                        }}
                    >
                        "Print"
                    </button>
                </div>
            </div>
            <StatusHint status={status} />
            <section class="card" aria-labelledby="audit-title">
                <h2 id="audit-title" class="card-title">
                    "Audit record"
                </h2>
                <super::approve::AuditNote plan={plan.clone()} />
                // Each call's outcome, so the printed page is the whole record.
                <details class="audit-rows" open={c.total <= 50}>
                    <summary>{format!("Each call ({})", count(c.total as i64))}</summary>
                    <table class="diff" data-testid="audit-rows">
                        <thead>
                            <tr>
                                <th scope="col">"User or group"</th>
                                <th scope="col">"Call"</th>
                                <th scope="col">"Outcome"</th>
                            </tr>
                        </thead>
                        <tbody>
                            {move || {
                                report_rows(
                                        &plan_sv.get_value(),
                                        &journal_sv.get_value(),
                                        verify().as_deref(),
                                    )
                                    .into_iter()
                                    .take(2000)
                                    .map(|r| {
                                        view! {
                                            <tr>
                                                <td>{r.target_name.clone()}</td>
                                                <td>{r.action.as_str()}</td>
                                                <td>{call_outcome(&r)}</td>
                                            </tr>
                                        }
                                    })
                                    .collect_view()
                            }}
                        </tbody>
                    </table>
                </details>
            </section>
            <dl class="seats card">
                <div>
                    <dt>"Calls"</dt>
                    <dd>{count(c.total as i64)}</dd>
                </div>
                <div>
                    <dt>"Done"</dt>
                    <dd>{count(c.done as i64)}</dd>
                </div>
                <div>
                    <dt>"Failed"</dt>
                    <dd class:bad={c.failed > 0}>{count(c.failed as i64)}</dd>
                </div>
                <div>
                    <dt>"Stale"</dt>
                    <dd>{count(c.stale as i64)}</dd>
                </div>
                <div>
                    <dt>"Not run"</dt>
                    <dd>{count((c.pending + c.in_flight + c.cancelled) as i64)}</dd>
                </div>
            </dl>
            <super::set_aside::SetAsideList plan={plan.clone()} done=true />
            {(!waived.is_empty())
                .then(|| {
                    view! {
                        <h2>"Losses accepted in the preview"</h2>
                        <ul class="plain plan-names" data-testid="waived-plans">
                            {waived
                                .into_iter()
                                .map(|w| {
                                    view! {
                                        <li>
                                            {w.name}" " <span class="mono muted">{w.service_plan_name}</span>
                                        </li>
                                    }
                                })
                                .collect_view()}
                        </ul>
                    }
                })}
            {(!failures.is_empty())
                .then(|| {
                    view! {
                        <h2>"What did not go through"</h2>
                        <ul class="plain findings">
                            {failures
                                .into_iter()
                                .take(500)
                                .map(|r| {
                                    let what_to_do = r.what_to_do().unwrap_or_default();
                                    view! {
                                        <li class="finding bad">
                                            <strong>{r.target_name.clone()}</strong>
                                            <span class="mono muted">{format!(" {} ", r.error_code())}</span>
                                            {r.message.clone()}
                                            <br />
                                            <span class="hint">"What to do: " {what_to_do}</span>
                                        </li>
                                    }
                                })
                                .collect_view()}
                        </ul>
                    }
                })}
            <h2>"Verify"</h2>
            <p class="hint">
                "Reads the user or group of every call of the plan back from the tenant (done, failed or not run alike) and compares it with the plan."
            </p>
            <button
                type="button"
                disabled={move || state.apply.with(|a| a.verifying)}
                on:click={move |_| apply_run::run_verify(state, plan_sv.get_value())}
            >
                "Verify now"
            </button>
            {move || {
                state
                    .apply
                    .with(|a| a.verifying)
                    .then(|| view! { <Spinner text="Reading the targets back…" /> })
            }}
            {move || {
                verify()
                    .map(|v| {
                        let problems: Vec<_> = v
                            .items
                            .iter()
                            .filter(|i| !matches!(i.outcome, VerifyOutcome::Ok))
                            .cloned()
                            .collect();
                        view! {
                            <div
                                class={if v.all_ok() { "ok-box" } else { "error-box" }}
                                role="status"
                                data-testid="verify-summary"
                            >
                                <p class="error-title">
                                    {if v.all_ok() {
                                        "Verified: the tenant matches the plan"
                                    } else {
                                        "Verified, with differences"
                                    }}
                                </p>
                                <p>
                                    {format!(
                                        "{} as planned · {} differ · {} could not be read · {} not applied",
                                        v.ok(),
                                        v.mismatched(),
                                        v.errors(),
                                        v.not_applied(),
                                    )}
                                </p>
                                {(v.applied_despite_journal() > 0)
                                    .then(|| {
                                        view! {
                                            <p>
                                                {format!(
                                                    "{} of them landed although this run's journal did not record them as done (their answer was lost): nothing to redo.",
                                                    v.applied_despite_journal(),
                                                )}
                                            </p>
                                        }
                                    })}
                            </div>
                            <ul class="plain findings">
                                {problems
                                    .into_iter()
                                    .take(500)
                                    .map(|i| {
                                        let cls = if matches!(
                                            i.outcome,
                                            VerifyOutcome::AppliedDespiteJournal(_)
                                        ) {
                                            "finding info"
                                        } else {
                                            "finding bad"
                                        };
                                        let text = match i.outcome {
                                            VerifyOutcome::Mismatch(d) => d.join("; "),
                                            VerifyOutcome::Error { code, message, remedy } => {
                                                format!("{code}: {message}. What to do: {remedy}")
                                            }
                                            VerifyOutcome::NotApplied(j) => {
                                                format!(
                                                    "not applied ({j} in the journal), and the tenant agrees",
                                                )
                                            }
                                            VerifyOutcome::AppliedDespiteJournal(j) => {
                                                format!("the change is there although the journal says {j}")
                                            }
                                            VerifyOutcome::Ok => String::new(),
                                        };
                                        view! {
                                            <li class={cls}>
                                                <strong>{i.target.name}</strong>
                                                " — "
                                                {text}
                                            </li>
                                        }
                                    })
                                    .collect_view()}
                            </ul>
                            <div class="card">
                                <h2 class="card-title">"Roll back"</h2>
                                <p class="hint">
                                    "Puts back the source license, with the services that were disabled, on every target verified as changed. You see the rollback as a preview first; nothing changes until you apply it."
                                </p>
                                <button
                                    type="button"
                                    class="secondary"
                                    disabled={v.ok() == 0}
                                    on:click={rollback}
                                >
                                    "Preview the rollback"
                                </button>
                            </div>
                        }
                    })
            }}
            {plan
                .actions()
                .any(|a| a.kind == ActionKind::RemoveConflictingDirect)
                .then(|| view! { <ReprocessStep plan={plan.clone()} journal={journal.clone()} /> })}
            {move || {
                state
                    .apply
                    .with(|a| a.error.clone())
                    .map(|e| view! { <ErrorBox title="Problem" detail={e} /> })
            }}
        </section>
    }
}

/// After a conflict fix: Entra keeps the members in error until they are processed again, so the
/// next step is reprocessing them (asking for User.ReadWrite.All first when needed), then reading
/// the health again to see the errors gone. The work is `crate::health`'s.
#[component]
fn ReprocessStep(plan: Arc<Plan>, journal: Arc<Journal>) -> impl IntoView {
    let state = use_state();
    let members = health::reprocess_targets(&plan, &journal);
    let n = members.len();
    let plan_sv = StoredValue::new(plan);
    let members_sv = StoredValue::new(members);
    let busy = move || matches!(state.reprocess.get(), Reprocess::Running { .. });
    view! {
        <section class="card reprocess-step" aria-labelledby="reprocess-title" data-testid="reprocess">
            <h2 id="reprocess-title" class="card-title">
                "Reprocess the members"
            </h2>
            <p class="hint">
                "Entra keeps a member's group license in error until the member is processed again, \
                even once the conflicting direct license is gone. Reprocessing asks Entra to assign the group's \
                licenses now. It needs the permission User.ReadWrite.All: the first time, Entra asks for your \
                consent and brings you back here; press the button again then. licswap drops the permission \
                when the reprocessing is done. " <ResolveProblemsLink />
            </p>
            {(n == 0)
                .then(|| {
                    view! {
                        <p>
                            "No direct license of this plan is recorded as removed yet: apply the plan first."
                        </p>
                    }
                })}
            <div class="actions">
                {(n > 0)
                    .then(|| {
                        view! {
                            <button
                                type="button"
                                disabled={busy}
                                on:click={move |_| health::reprocess(
                                    state,
                                    &plan_sv.get_value(),
                                    members_sv.get_value(),
                                )}
                            >
                                {format!("Reprocess {n} member(s)")}
                            </button>
                        }
                    })}
                <button
                    type="button"
                    class="secondary"
                    disabled={busy}
                    on:click={move |_| health::check_again(state)}
                >
                    "Check license health again"
                </button>
            </div>
            {move || match state.reprocess.get() {
                Reprocess::Idle => None,
                Reprocess::Running { done, total } => {
                    Some(
                        view! { <Spinner text={format!("Reprocessing: {done} of {total} answered…")} /> }
                            .into_any(),
                    )
                }
                Reprocess::Done { ok, failed } if failed.is_empty() => {
                    Some(
                        view! {
                            <div class="ok-box" role="status" data-testid="reprocess-result">
                                <p class="error-title">{format!("Reprocessed {ok} member(s)")}</p>
                                <p>
                                    "Entra is assigning the group's licenses again: check the license health to see the errors gone \
                                     (a member still in error has another problem, explained there)."
                                </p>
                            </div>
                        }
                            .into_any(),
                    )
                }
                Reprocess::Done { ok, failed } => {
                    Some(
                        view! {
                            <div class="error-box" role="alert" data-testid="reprocess-result">
                                <p class="error-title">
                                    {format!("Reprocessed {ok} member(s); {} refused", failed.len())}
                                </p>
                                <ul>
                                    {failed
                                        .into_iter()
                                        .map(|(who, why)| {
                                            view! {
                                                <li>
                                                    <strong>{who}</strong>
                                                    " — "
                                                    {why}
                                                </li>
                                            }
                                        })
                                        .collect_view()}
                                </ul>
                            </div>
                        }
                            .into_any(),
                    )
                }
                Reprocess::Failed(e) => {
                    Some(view! { <ErrorBox title="Could not reprocess" detail={e} /> }.into_any())
                }
            }}
        </section>
    }
}

/// A call's outcome in the audit table: its state, Graph's error code and what verify found,
/// those there are, joined.
fn call_outcome(r: &ReportRow) -> String {
    let verified = r.verified_text();
    [r.state.as_str(), r.error_code(), verified.as_str()]
        .into_iter()
        .filter(|s| !s.is_empty())
        .collect::<Vec<_>>()
        .join(" · ")
}
