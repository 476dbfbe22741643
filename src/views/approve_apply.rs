//! `#/apply-approved`: the admin applies an approved preview. licswap reads the tenant again,
//! re-plans the same request and compares: the same writes -> "Apply what <name> approved";
//! differences -> what changed and why, and a choice: apply only the approved subset, share the
//! new plan for approval, or override with a written reason.
use super::approve::{ApprovalList, DigestBadge};
use super::components::{plural, ErrorBox, Spinner};
use crate::approval_flow::{self, Checked};
use crate::routes::Route;
use crate::state::{use_state, AppState, PlanOrigin};
use leptos::prelude::*;
use licswap_core::approval::chain::names;
use licswap_core::approval::{self, approved_subset, AuditRecord, ChangeKind};
use licswap_core::plan::Plan;
use std::sync::Arc;

#[component]
pub fn ApplyApprovedScreen() -> impl IntoView {
    let state = use_state();
    let result = RwSignal::new_local(None::<Result<Arc<Checked>, String>>);
    match approval_flow::chosen() {
        None => result.set(Some(Err(
            "No approved preview was chosen. Open the approved preview (file or link) first.".into(),
        ))),
        Some(Err(e)) => result.set(Some(Err(e))),
        Some(Ok(o)) if !o.is_approved() => result.set(Some(Err(o.chain_error.map_or_else(
            || "This preview carries no approval.".to_string(),
            |e| crate::text::sentence(&e.to_string()),
        )))),
        Some(Ok(o)) => leptos::task::spawn_local(async move {
            result.set(Some(approval_flow::recheck(state, o).await.map(Arc::new)));
        }),
    }
    view! {
        <section aria-labelledby="approved-title">
            <div class="screen-head">
                <div>
                    <p class="eyebrow">"Apply an approved preview"</p>
                    <h1 id="approved-title">"Check the approved plan against the tenant"</h1>
                </div>
            </div>
            {move || match result.get() {
                None => {
                    view! {
                        <Spinner text="Reading the tenant again and re-planning the approved request…" />
                    }
                        .into_any()
                }
                Some(Err(e)) => {
                    view! {
                        <ErrorBox title="This approved preview cannot be applied" detail={e} />
                        <a class="button secondary" href="#/open">
                            "Open another preview"
                        </a>
                    }
                        .into_any()
                }
                Some(Ok(c)) => view! { <Compared checked={c} /> }.into_any(),
            }}
        </section>
    }
}

/// Makes `plan` the plan on the apply screen, with its audit record.
fn go_apply(state: AppState, plan: Plan, record: AuditRecord) {
    approval_flow::bind(&plan, record);
    state.plan.set(Some(Arc::new(plan)));
    state.plan_origin.set(PlanOrigin::Local);
    state.apply.set(Default::default());
    state.go(Route::Apply);
}

fn approved_record(c: &Checked) -> AuditRecord {
    let mut r = AuditRecord::for_plan(&c.approved.digest);
    r.approvals = c.approved.approvals.clone();
    r
}

/// The record of a plan that is not the approved one (a subset, or the re-plan run on an
/// override): its own digest, and the approvals with the digest they name.
fn derived_record(c: &Checked, plan: &Plan) -> AuditRecord {
    let mut r = AuditRecord::for_plan(&approval::plan_digest(plan));
    r.approved_digest = Some(c.approved.digest.short.clone());
    r.approved_digest_sha256 = Some(c.approved.digest.sha256.clone());
    r.approvals = c.approved.approvals.clone();
    r
}

#[component]
fn Compared(checked: Arc<Checked>) -> impl IntoView {
    let state = use_state();
    let c = StoredValue::new(checked.clone());
    let who = names(&checked.approved.approvals);
    let first = checked.approved.approvals.first().map(|a| a.name.clone()).unwrap_or_default();
    let digest = checked.approved.digest.clone();
    let header = view! {
        <div class="card">
            <p>
                <strong>{format!("Approved by {who}")}</strong>
            </p>
            <ApprovalList approvals={checked.approved.approvals.clone()} />
            <DigestBadge digest={digest.clone()} label="Approved digest" />
        </div>
    };
    if checked.diff.is_identical() {
        let apply = move |_| {
            c.with_value(|c| go_apply(state, c.approved.preview.plan.clone(), approved_record(c)));
        };
        return view! {
            {header}
            <div class="ok-box" role="status" data-testid="approved-check">
                <p class="error-title">"The tenant still matches the approval"</p>
                <p>
                    {format!(
                        "Re-planned just now: the same {} as approved, target by target.",
                        plural(checked.diff.approved_total, "call", "calls"),
                    )}
                </p>
            </div>
            <div class="actions">
                <button type="button" on:click={apply}>
                    {format!("Apply what {first} approved (digest {})", digest.short)}
                </button>
            </div>
        }
        .into_any();
    }
    let d = &checked.diff;
    let kept = d.same.len();
    let reason = RwSignal::new(String::new());
    let subset = move |_| {
        c.with_value(|c| {
            let plan = approved_subset(&c.approved.preview.plan, &c.diff);
            let mut r = derived_record(c, &plan);
            r.left_out = c.diff.changes.clone();
            go_apply(state, plan, r);
        })
    };
    let reshare = move |_| {
        c.with_value(|c| {
            state.plan.set(Some(Arc::new(c.fresh.clone())));
            state.plan_origin.set(PlanOrigin::Local);
        });
        state.go(Route::Preview);
    };
    let override_ok = move || reason.with(|r| r.trim().chars().count() >= 10);
    let override_apply = move |_| {
        c.with_value(|c| {
            let mut r = derived_record(c, &c.fresh);
            r.override_reason = Some(reason.get_untracked().trim().to_string());
            go_apply(state, c.fresh.clone(), r);
        })
    };
    let label = |k: ChangeKind| match k {
        ChangeKind::Added => "Added",
        ChangeKind::Dropped => "Dropped",
        ChangeKind::Changed => "Changed",
    };
    view! {
        {header}
        <div class="error-box" role="status" data-testid="approved-check">
            <p class="error-title">"The tenant changed since the approval"</p>
            <p>
                {format!(
                    "{} of the {} approved calls are still exactly as approved · {} added · {} dropped · {} changed",
                    kept,
                    d.approved_total,
                    d.count(ChangeKind::Added),
                    d.count(ChangeKind::Dropped),
                    d.count(ChangeKind::Changed),
                )}
            </p>
        </div>
        <table class="diff" data-testid="approved-diff">
            <thead>
                <tr>
                    <th scope="col">"Change"</th>
                    <th scope="col">"User or group"</th>
                    <th scope="col">"Why"</th>
                </tr>
            </thead>
            <tbody>
                {d
                    .changes
                    .iter()
                    .take(1000)
                    .map(|ch| {
                        view! {
                            <tr>
                                <td>{label(ch.kind)}</td>
                                <td>{ch.target.name.clone()}</td>
                                <td>{ch.reason.clone()}</td>
                            </tr>
                        }
                    })
                    .collect_view()}
            </tbody>
        </table>
        <div class="card">
            <h2 class="card-title">"What to do"</h2>
            <div class="actions">
                <button type="button" disabled={kept == 0} on:click={subset}>
                    {format!("Apply only the approved subset ({kept} of {})", d.approved_total)}
                </button>
                <button type="button" class="secondary" on:click={reshare}>
                    "Re-share the new plan for approval"
                </button>
            </div>
            <details class="override">
                <summary>"Override: apply the new plan without a new approval"</summary>
                <div class="field">
                    <label for="override-reason">
                        "Why (written into the audit record; at least 10 characters)"
                    </label>
                    <textarea
                        id="override-reason"
                        on:input={move |ev| reason.set(event_target_value(&ev))}
                    ></textarea>
                </div>
                <button
                    type="button"
                    class="danger"
                    disabled={move || !override_ok()}
                    on:click={override_apply}
                >
                    "Apply the new plan with this reason"
                </button>
            </details>
        </div>
    }
    .into_any()
}
