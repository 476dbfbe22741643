//! Apply: a confirmation that says exactly what will change, then progress (counts, rate, time
//! left) with pause, resume and cancel; stale targets with re-plan; group processing per member.
use super::apply_result::RunResult;
use super::components::{count, percent, plural, Bar, ErrorBox};
use crate::apply_run::{self, journal_for, other_unfinished};
use crate::preview_model::apply_blocked_reason;
use crate::state::{use_state, Mode, PlanOrigin};
use leptos::prelude::*;
use licswap_core::apply::RunStatus;
use licswap_core::plan::{ActionKind, Plan, TargetKind};
use std::sync::Arc;

#[component]
pub fn ApplyScreen() -> impl IntoView {
    let state = use_state();
    crate::apply_run::restore(state);
    move || {
        let Some(plan) = state.plan.get() else {
            return view! {
                <section>
                    <h1>"Apply"</h1>
                    <p>
                        "There is no plan to apply. " <a href="#/migrate">"Plan a license swap"</a> " first."
                    </p>
                </section>
            }
            .into_any();
        };
        if state.plan_origin.get() == PlanOrigin::Shared {
            return view! {
                <section>
                    <h1>"Apply"</h1>
                    <p class="callout info">
                        "This is a shared preview: it cannot be applied. Plan the swap in your own tenant to apply it."
                    </p>
                </section>
            }
            .into_any();
        }
        if let Some(reason) = apply_blocked_reason(&plan) {
            return view! {
                <section>
                    <h1>"Apply"</h1>
                    <ErrorBox title="This plan cannot be applied" detail={reason} />
                    <a class="button secondary" href="#/preview">
                        "Back to the preview"
                    </a>
                </section>
            }
            .into_any();
        }
        // The four-eyes policy, unless a run of this plan is already under way.
        if let Some(reason) =
            crate::approval_flow::policy_block(state, &plan).filter(|_| journal_for(&plan).is_none())
        {
            return view! {
                <section>
                    <h1>"Apply"</h1>
                    <ErrorBox title="An approval is required" detail={reason} />
                    <div class="actions">
                        <a class="button" href="#/open">
                            "Open an approved preview"
                        </a>
                        <a class="button secondary" href="#/preview">
                            "Back to the preview (share it from there)"
                        </a>
                    </div>
                </section>
            }
            .into_any();
        }
        view! { <ApplyPlan plan={plan} /> }.into_any()
    }
}

/// What the plan will do, in counts.
fn describe(plan: &Plan) -> Vec<String> {
    let mut users = 0;
    let mut groups = 0;
    let mut cleanups = 0;
    let mut conflicts = 0;
    for a in plan.actions() {
        match (a.kind, a.target.kind) {
            (ActionKind::RemoveRedundantDirect, _) => cleanups += 1,
            (ActionKind::RemoveConflictingDirect, _) => conflicts += 1,
            (_, TargetKind::Group) => groups += 1,
            _ => users += 1,
        }
    }
    let mut out = Vec::new();
    let (sources, targets) = (plan.sources(), plan.targets());
    let (src, tgt) = (plan.source_names(), plan.target_names());
    let (src_parts, tgt_parts) = (Plan::part_numbers(&sources), Plan::part_numbers(&targets));
    let bundle = plan.bundle.is_some();
    if users > 0 {
        out.push(if bundle {
            format!(
                "{} get {tgt} ({tgt_parts}) and lose what they hold of {src} ({src_parts}) in the same call.",
                plural(users, "user", "users"),
            )
        } else {
            format!(
                "{} get {tgt} ({tgt_parts}) and lose {src} ({src_parts}) in the same call.",
                plural(users, "user", "users")
            )
        });
    }
    if groups > 0 {
        out.push(format!(
            "{} switch from {src} to {tgt}; Graph then updates their members in the background.",
            plural(groups, "group", "groups"),
        ));
    }
    let same_product =
        plan.bundle.is_none() && licswap_core::model::same_id(&plan.source.sku_id, &plan.target.sku_id);
    if cleanups > 0 && same_product {
        out.push(format!(
            "{} give up their direct {src} license, which their groups give them in full; each goes only while the group's license reads Active for the user.",
            plural(cleanups, "user", "users"),
        ));
    } else if cleanups > 0 {
        out.push(format!(
            "Then, once Graph has processed their group, {} give up their direct {src} license: swapped for a direct {tgt} where it would conflict with the group's, removed otherwise.",
            plural(cleanups, "user", "users"),
        ));
    }
    if conflicts > 0 {
        out.push(format!(
            "{} lose their direct {src} license, which conflicts with a group's license that gives its services; then reprocess them so the group's license applies.",
            plural(conflicts, "user", "users"),
        ));
    }
    for t in &targets {
        out.push(format!(
            "{} seats of {} will be used ({} available now).",
            count(t.needed),
            t.sku.name,
            count(t.available)
        ));
    }
    out
}

#[component]
fn ApplyPlan(plan: Arc<Plan>) -> impl IntoView {
    let state = use_state();
    let plan_sv = StoredValue::new(plan.clone());
    let understood = RwSignal::new(false);
    let total = plan.actions().count();
    let tenant = state.tenant_name.get_untracked().unwrap_or_else(|| "the tenant".into());
    let demo = state.mode.get_untracked() == Mode::Demo;
    let start = move |_| {
        let plan = plan_sv.get_value();
        if crate::app_mode::ensure_write_consent(state, &plan) {
            crate::approval_flow::on_apply_start(state, &plan);
            apply_run::start(state, plan);
        }
    };
    let existing = journal_for(&plan).map(|j| j.counts());
    let approved_by =
        crate::approval_flow::record_for(&plan).and_then(|r| r.approvals.first().map(|a| a.name.clone()));
    let other = other_unfinished(&plan);
    let idle = move || state.apply.with(|a| !a.running && a.report.is_none());
    view! {
        <section aria-labelledby="apply-title">
            <div class="screen-head">
                <div>
                    <p class="eyebrow">"Apply"</p>
                    <h1 id="apply-title">{format!("{} → {}", plan.source_names(), plan.target_names())}</h1>
                </div>
            </div>
            {other
                .map(|j| {
                    view! {
                        <div class="error-box" role="alert">
                            <p class="error-title">"Another plan's run is unfinished in this browser"</p>
                            <p>
                                {format!(
                                    "{} of its {} calls are done. Starting this plan discards that journal: reopen the other plan to resume it instead.",
                                    j.counts().done,
                                    j.counts().total,
                                )}
                            </p>
                            <button
                                type="button"
                                class="secondary"
                                on:click={move |_| {
                                    apply_run::discard();
                                    state.apply.update(|a| a.error = None);
                                }}
                            >
                                "Discard the other run's journal"
                            </button>
                        </div>
                    }
                })}
            <Show when={idle}>
                <div class="card confirm">
                    <h2 class="card-title">
                        {format!(
                            "This changes licenses in {tenant}{}",
                            if demo { " (the simulated demo tenant)" } else { "" },
                        )}
                    </h2>
                    <ul>
                        {describe(&plan_sv.get_value())
                            .into_iter()
                            .map(|l| view! { <li>{l}</li> })
                            .collect_view()}
                    </ul>
                    <super::approve::AuditNote plan={plan_sv.get_value()} />
                    <p class="hint">
                        {format!(
                            "{} assignLicense calls in {}, sent in batches of 20. Each target is read first: one that changed since planning is left untouched and listed for re-planning.",
                            count(total as i64),
                            plural(plan_sv.with_value(|p| p.phases.len()), "step", "steps"),
                        )}
                    </p>
                    {existing
                        .map(|c| {
                            view! {
                                <p class="callout info">
                                    {format!(
                                        "This plan was started before in this browser: {} done, {} failed, {} left. Applying resumes it without repeating anything.",
                                        c.done,
                                        c.failed,
                                        c.pending + c.in_flight,
                                    )}
                                </p>
                            }
                        })}
                    <label class="check">
                        <input
                            type="checkbox"
                            prop:checked={move || understood.get()}
                            on:change={move |ev| understood.set(event_target_checked(&ev))}
                        />
                        <span>"I have reviewed the preview and want to make these changes"</span>
                    </label>
                    <div class="actions">
                        <button type="button" disabled={move || !understood.get()} on:click={start}>
                            {match (existing.is_some(), approved_by.clone()) {
                                (true, _) => "Resume applying".to_string(),
                                (false, Some(name)) => format!("Apply what {name} approved"),
                                (false, None) => "Apply now".to_string(),
                            }}
                        </button>
                        <a class="button secondary" href="#/preview">
                            "Back to the preview"
                        </a>
                    </div>
                </div>
            </Show>
            {move || {
                state
                    .apply
                    .with(|a| a.error.clone())
                    .map(|e| view! { <ErrorBox title="Apply stopped" detail={e} /> })
            }}
            <RunProgressCard />
            {move || {
                state
                    .apply
                    .with(|a| a.report.clone())
                    .map(|r| view! { <RunResult report={r} plan={plan_sv.get_value()} /> })
            }}
        </section>
    }
}

fn duration(ms: u64) -> String {
    let s = ms / 1000;
    if s >= 3600 {
        format!("{}h {:02}m", s / 3600, (s % 3600) / 60)
    } else if s >= 60 {
        format!("{}m {:02}s", s / 60, s % 60)
    } else {
        format!("{s}s")
    }
}

#[component]
fn RunProgressCard() -> impl IntoView {
    let state = use_state();
    move || {
        let (running, paused, progress) = state.apply.with(|a| (a.running, a.paused, a.progress.clone()));
        let controls = move || {
            running.then(|| view! {
                <div class="actions">
                    {if paused {
                        view! {
                            <button type="button" on:click={move |_| apply_run::resume(state)}>
                                "Resume"
                            </button>
                        }
                            .into_any()
                    } else {
                        view! {
                            <button
                                type="button"
                                class="secondary"
                                on:click={move |_| apply_run::pause(state)}
                            >
                                "Pause"
                            </button>
                        }
                            .into_any()
                    }} <button type="button" class="danger" on:click={move |_| apply_run::cancel(state)}>
                        "Cancel"
                    </button>
                    <span class="hint">
                        "The journal is saved after every batch: closing or reloading this page resumes where it stopped."
                    </span>
                </div>
            })
        };
        let Some(p) = progress else {
            return running.then(|| {
                view! {
                    <div class="card run">
                        <h2 class="card-title">
                            "Starting: reading every target to check it is as planned…"
                        </h2>
                        {controls()}
                    </div>
                }
                .into_any()
            });
        };
        let c = p.counts;
        let settled = c.done + c.failed + c.stale + c.cancelled;
        let status = match (p.status, paused && running) {
            (_, true) => "Paused: batches already sent finish, nothing new starts",
            (RunStatus::Running, _) => "Applying",
            (RunStatus::Paused, _) => "Paused",
            (RunStatus::Settling, _) => "Waiting for Entra to process the group changes",
            (RunStatus::Finished, _) => "Finished",
            (RunStatus::Cancelled, _) => "Cancelled",
        };
        let pct = percent(settled as i64, c.total as i64);
        Some(
            view! {
                <div class="card run" aria-labelledby="run-title">
                    <h2 id="run-title" class="card-title">
                        {status}
                    </h2>
                    <Bar
                        percent={pct}
                        label={format!("{settled} of {} calls settled", c.total)}
                        tone="big"
                        role="progressbar"
                    />
                    <p class="run-counts" role="status" aria-live="polite" data-testid="apply-progress">
                        {format!(
                            "{} of {} settled · {} done · {} failed · {} stale · {} left",
                            count(settled as i64),
                            count(c.total as i64),
                            count(c.done as i64),
                            count(c.failed as i64),
                            count(c.stale as i64),
                            count(p.remaining as i64),
                        )}
                    </p>
                    <p class="hint">
                        {format!(
                            "Step {} of {} · {:.1} calls/s · elapsed {}{}",
                            p.phase + 1,
                            p.phases.max(1),
                            p.rate_per_s,
                            duration(p.elapsed_ms),
                            p
                                .eta_ms
                                .filter(|_| p.remaining > 0)
                                .map(|e| format!(" · about {} left", duration(e)))
                                .unwrap_or_default(),
                        )}
                    </p>
                    {p
                        .waiting_for
                        .clone()
                        .filter(|_| p.status == RunStatus::Settling)
                        .map(|w| {
                            view! {
                                <p class="callout info" data-testid="waiting-for">
                                    {w}
                                </p>
                            }
                        })}
                    {controls()}
                </div>
            }
            .into_any(),
        )
    }
}
