//! The preview: blockers first, then warnings and info by rule with the remedy; the seat budget;
//! the steps; every user and group (virtualized); Apply, only when nothing blocks.
use super::components::{count, plan_label, plural, severity_class};
use super::preview_list::SubjectList;
use super::share_panel::SharePanel;
use crate::preview_model::{apply_blocked_reason, code_title, group_findings, lost_plans, FindingGroup};
use crate::routes::Route;
use crate::state::{use_state, PlanOrigin};
use leptos::prelude::*;
use licswap_core::plan::{FindingCode, Plan, Severity};
use std::sync::Arc;

#[component]
pub fn PreviewScreen() -> impl IntoView {
    let state = use_state();
    crate::apply_run::restore(state);
    move || match state.plan.get() {
        Some(plan) => {
            let read_only = state.plan_origin.get() == PlanOrigin::Shared;
            view! { <PlanView plan={plan} read_only={read_only} /> }.into_any()
        }
        None => view! {
            <section>
                <h1>"Preview"</h1>
                <p>
                    "No plan yet. " <a href="#/migrate">"Plan a license swap"</a> " or "
                    <a href="#/open">"open a shared preview"</a> "."
                </p>
            </section>
        }
        .into_any(),
    }
}

/// One plan, from the wizard or from a shared link/file (`read_only`).
#[component]
pub fn PlanView(plan: Arc<Plan>, read_only: bool) -> impl IntoView {
    let groups = group_findings(&plan);
    let n_actions = plan.actions().count();
    let tenant = plan.tenant_name.clone().unwrap_or_default();
    let title = format!("{} → {}", plan.source_names(), plan.target_names());
    let side = |v: Vec<licswap_core::plan::SkuSeats>| {
        v.iter()
            .map(|s| format!("{} ({})", s.sku.sku_part_number, s.sku.sku_id))
            .collect::<Vec<_>>()
            .join(" + ")
    };
    let sub = format!("{} to {}", side(plan.sources()), side(plan.targets()));
    view! {
        <section aria-labelledby="preview-title" class="preview">
            <div class="screen-head">
                <div>
                    <p class="eyebrow">
                        {if read_only { "Shared preview (read-only)" } else { "Preview" }}
                        {(!tenant.is_empty())
                            .then(|| {
                                if read_only {
                                    format!(" · claims to be from {tenant} (not verified)")
                                } else {
                                    format!(" · {tenant}")
                                }
                            })}
                    </p>
                    <h1 id="preview-title">{title}</h1>
                    <p class="muted mono">{sub}</p>
                </div>
                {(!read_only)
                    .then(|| {
                        view! {
                            <a class="button secondary" href="#/migrate">
                                "Change the request"
                            </a>
                        }
                    })}
            </div>
            <ApplyBar plan={plan.clone()} read_only={read_only} />
            // A shared preview shows its digest in the approval panel above it.
            {(!read_only).then(|| view! { <super::approve::LazyDigest plan={plan.clone()} /> })}
            <div class="summary-grid">
                <Seats plan={plan.clone()} />
                <Steps plan={plan.clone()} n_actions={n_actions} />
            </div>
            <h2>"Findings"</h2>
            <FindingList plan={plan.clone()} groups={groups} read_only={read_only} />
            <super::set_aside::SetAsideList plan={plan.clone()} done=false />
            <h2 class="no-print">"Users and groups"</h2>
            <p class="print-only hint">
                "Every user and group, with its exact assignLicense call, is in the preview file (Download .json) and in the report export."
            </p>
            <SubjectList plan={plan.clone()} read_only={read_only} />
            <SharePanel plan={plan.clone()} />
        </section>
    }
}

#[component]
fn ApplyBar(plan: Arc<Plan>, read_only: bool) -> impl IntoView {
    if read_only {
        return view! {
            <div class="callout info" role="note">
                "This preview was shared with you. It is read-only: nothing can be applied from it here. "
                "You can approve it (above); the admin applies an approved preview signed in, after licswap checks it against the tenant."
            </div>
        }
        .into_any();
    }
    let state = use_state();
    let reason = apply_blocked_reason(&plan);
    let blocked = reason.is_some();
    view! {
        <div class={if blocked { "callout bad" } else { "callout ok" }}>
            <button
                type="button"
                disabled={blocked}
                aria-describedby="apply-reason"
                on:click={move |_| state.go(Route::Apply)}
            >
                "Apply…"
            </button>
            <p id="apply-reason">
                {reason
                    .unwrap_or_else(|| {
                        "No blockers. Apply asks you to confirm before anything changes.".into()
                    })}
            </p>
        </div>
        <super::set_aside::SetAsideOffer plan={plan.clone()} />
    }
    .into_any()
}

#[component]
fn Seats(plan: Arc<Plan>) -> impl IntoView {
    // One card per target SKU (a bundle has several; each has seats of its own), and what the
    // swap frees of each source.
    let sources = plan.sources();
    let freed = if sources.len() == 1 {
        format!("The swap frees {} seats of {}.", count(sources[0].freed), sources[0].sku.name)
    } else {
        let each: Vec<String> =
            sources.iter().map(|s| format!("{} of {}", count(s.freed), s.sku.name)).collect();
        format!("The swap frees {} seats.", each.join(", "))
    };
    plan.targets()
        .into_iter()
        .map(|t| {
            let short = t.left_after < 0;
            let freed = freed.clone();
            view! {
                <div class="card seats-card">
                    <h2 class="card-title">"Seats of " {t.sku.name.clone()}</h2>
                    <dl class="seats">
                        <div>
                            <dt>"Needed"</dt>
                            <dd>{count(t.needed)}</dd>
                        </div>
                        <div>
                            <dt>"Available"</dt>
                            <dd>{count(t.available)}</dd>
                        </div>
                        <div>
                            <dt>"Left after"</dt>
                            <dd class:bad={short}>{count(t.left_after)}</dd>
                        </div>
                    </dl>
                    <p class="hint">{freed}</p>
                </div>
            }
        })
        .collect_view()
}

/// A real plan has a handful of phases; a crafted preview may carry a million. Only this many are
/// put on the page.
const MAX_PHASES_SHOWN: usize = 20;

#[component]
fn Steps(plan: Arc<Plan>, n_actions: usize) -> impl IntoView {
    let hidden = plan.phases.len().saturating_sub(MAX_PHASES_SHOWN);
    view! {
        <div class="card">
            <h2 class="card-title">{format!("Steps ({})", plural(n_actions, "call", "calls"))}</h2>
            <ol class="phases">
                {plan
                    .phases
                    .iter()
                    .take(MAX_PHASES_SHOWN)
                    .map(|p| {
                        view! {
                            <li>
                                <strong>{p.title.clone()}</strong>
                                <span class="muted">
                                    " — "
                                    {plural(p.actions.len(), "assignLicense call", "assignLicense calls")}
                                </span>
                                {p
                                    .waits_for
                                    .clone()
                                    .map(|w| {
                                        view! {
                                            <br />
                                            <span class="hint">"Waits: " {w}</span>
                                        }
                                    })}
                            </li>
                        }
                    })
                    .collect_view()}
            </ol>
            {(hidden > 0)
                .then(|| {
                    view! {
                        <p class="hint">
                            {format!("… and {} more phases, not shown.", count(hidden as i64))}
                        </p>
                    }
                })}
            {plan.phases.is_empty().then(|| view! { <p class="hint">"No call is planned."</p> })}
        </div>
    }
}

#[component]
fn FindingList(plan: Arc<Plan>, groups: Vec<FindingGroup>, read_only: bool) -> impl IntoView {
    if groups.is_empty() {
        return view! { <p class="ok-box">"Nothing to report: every user keeps every service."</p> }
            .into_any();
    }
    let blockers =
        groups.iter().filter(|g| g.severity == Severity::Blocker).map(|g| g.items.len()).sum::<usize>();
    let warnings =
        groups.iter().filter(|g| g.severity == Severity::Warning).map(|g| g.items.len()).sum::<usize>();
    view! {
        <p class="muted">
            {format!(
                "{} · {}",
                plural(blockers, "blocker", "blockers"),
                plural(warnings, "warning", "warnings"),
            )}
        </p>
        <ul class="plain findings">
            {groups
                .into_iter()
                .map(|g| {
                    let sev = g.severity;
                    let n = g.items.len();
                    let shown: Vec<_> = g.items.iter().take(10).map(|&i| plan.findings[i].clone()).collect();
                    view! {
                        <li
                            class={format!("finding {}", severity_class(Some(sev)))}
                            data-code={format!("{:?}", g.code)}
                        >
                            <details open={sev == Severity::Blocker}>
                                <summary>
                                    <span class={format!(
                                        "tag {}",
                                        severity_class(Some(sev)),
                                    )}>{sev.label()}</span>
                                    <strong>{code_title(g.code)}</strong>
                                    <span class="muted">
                                        {format!(" — {}", plural(n, "case", "cases"))}
                                    </span>
                                </summary>
                                <div class="remedy">
                                    {g
                                        .remedies
                                        .into_iter()
                                        .map(|r| {
                                            view! {
                                                <p>
                                                    <strong>"What to do: "</strong>
                                                    {r}
                                                </p>
                                            }
                                        })
                                        .collect_view()}
                                </div>
                                {(g.code == FindingCode::ServiceLoss && !read_only)
                                    .then(|| view! { <WaiveAll plan={plan.clone()} /> })}
                                <ul class="finding-items">
                                    {shown
                                        .into_iter()
                                        .map(|f| {
                                            view! {
                                                <li>
                                                    <strong>{f.subject.name}</strong>
                                                    ": "
                                                    {f.message}
                                                    {(!f.plans.is_empty())
                                                        .then(|| {
                                                            view! {
                                                                <span class="muted">
                                                                    {format!(
                                                                        " [{}]",
                                                                        f
                                                                            .plans
                                                                            .iter()
                                                                            .map(|p| plan_label(p))
                                                                            .collect::<Vec<_>>()
                                                                            .join(", "),
                                                                    )}
                                                                </span>
                                                            }
                                                        })}
                                                </li>
                                            }
                                        })
                                        .collect_view()}
                                    {(n > 10)
                                        .then(|| {
                                            view! {
                                                <li class="muted">
                                                    {format!(
                                                        "…and {} more (filter the list below)",
                                                        count((n - 10) as i64),
                                                    )}
                                                </li>
                                            }
                                        })}
                                </ul>
                            </details>
                        </li>
                    }
                })
                .collect_view()}
        </ul>
    }
    .into_any()
}

/// The plans a service-loss finding names, by Microsoft's friendly names, and one action that
/// accepts the loss of all of them (each is still recorded as waived in the new plan).
#[component]
fn WaiveAll(plan: Arc<Plan>) -> impl IntoView {
    let state = use_state();
    let lost = lost_plans(&plan);
    let n = lost.len();
    let request = plan.request.clone();
    let waive = lost.clone();
    view! {
        <div class="waive-all" data-testid="waive-all">
            <p>
                <strong>{format!("Plans these users would lose ({n}):")}</strong>
            </p>
            <ul class="plain plan-names">
                {lost.iter().map(|p| view! { <li>{plan_label(p)}</li> }).collect_view()}
            </ul>
            <button
                type="button"
                class="secondary"
                on:click={move |_| crate::loads::waive_and_preview(state, &request, &waive)}
            >
                {format!("Accept the loss of all {n} and preview again")}
            </button>
        </div>
    }
}
