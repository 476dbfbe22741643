//! Tenant overview: every subscribed SKU with its seats and service plans.
use super::card_html::sku_card_static;
use super::components::{count, percent, plan_friendly_names, plural, Bar, ErrorBox, Spinner};
use crate::state::{use_state, Mode, SkusResource};
use crate::loads;
use leptos::prelude::*;
use licswap_core::model::{ServicePlanInfo, SubscribedSku};
use std::sync::Arc;

#[component]
pub fn Overview() -> impl IntoView {
    let state = use_state();
    // Read once per connection; the refresh button reads again.
    let skus = loads::skus(state);
    let name = move || state.tenant_name.get().unwrap_or_else(|| "Your tenant".into());
    view! {
        <section aria-labelledby="overview-title">
            <div class="screen-head">
                <div>
                    <p class="eyebrow">"Tenant overview"</p>
                    <h1 id="overview-title" data-testid="tenant-name">
                        {name}
                    </h1>
                </div>
                <div class="actions">
                    <button
                        type="button"
                        class="secondary"
                        disabled={move || !state.mode.get().can_read()}
                        on:click={move |_| skus.refetch()}
                    >
                        "Refresh"
                    </button>
                    <a class="button secondary" href="#/open">
                        "Open a shared preview"
                    </a>
                    <a class="button secondary" href="#/health">
                        "License health"
                    </a>
                    <a class="button" href="#/migrate">
                        "Plan a license swap"
                    </a>
                </div>
            </div>
            {move || match state.mode.get() {
                Mode::Live { signed_in: false, .. } | Mode::NeedsConfig { .. } => {
                    view! {
                        <p>"Sign in to see this tenant's licenses. " <a href="#/signin">"Sign in"</a></p>
                    }
                        .into_any()
                }
                Mode::Starting => view! { <Spinner text="Loading subscriptions…" /> }.into_any(),
                _ => view! { <SkuList skus={skus} /> }.into_any(),
            }}
        </section>
    }
}

#[component]
fn SkuList(skus: SkusResource) -> impl IntoView {
    move || match skus.get() {
        None => view! { <Spinner text="Loading subscriptions…" /> }.into_any(),
        Some(Err(e)) => {
            view! { <ErrorBox title="Could not read the tenant's subscriptions" detail={e} /> }.into_any()
        }
        Some(Ok(skus)) if skus.is_empty() => {
            view! { <p>"This tenant has no subscriptions."</p> }.into_any()
        }
        Some(Ok(skus)) => view! {
            <p class="muted">
                {format!(
                    "{} subscriptions. Seats: purchased = enabled prepaid units; assigned = consumed units.",
                    skus.len(),
                )}
            </p>
            <ul class="sku-list" aria-label="Subscriptions">
                {(0..skus.len()).map(|at| view! { <SkuCard skus={skus.clone()} at={at} /> }).collect_view()}
            </ul>
        }
        .into_any(),
    }
}

/// The card of `skus[at]`, which it shares with the other cards rather than holding a copy.
#[component]
fn SkuCard(skus: Arc<[SubscribedSku]>, at: usize) -> impl IntoView {
    let sku = &skus[at];
    let purchased = sku.prepaid_units.enabled;
    let assigned = sku.consumed_units;
    let pct = percent(assigned, purchased);
    let tone = if purchased < assigned {
        "bad"
    } else if pct >= 90.0 {
        "warn"
    } else {
        ""
    };
    let label = format!("{} of {} seats assigned", count(assigned), count(purchased));
    // Name, part number, status and seats never change: one piece of HTML (see card_html.rs).
    let head_and_seats = sku_card_static(sku);
    let sku_attr = sku.sku_part_number.clone();
    let n_plans = sku.service_plans.len();
    // The list of plans is built when it is first opened: a tenant's cards hold hundreds of plans
    // (the demo's eleven subscriptions 263), and building them all before the first card shows
    // would hold back the overview's first screen. A click on the summary comes before the list
    // opens, so the list is there when it does; `toggle` covers any other way of opening it.
    let opened = RwSignal::new(false);
    // Friendly names come with the full catalog, loaded when the list is first opened.
    let friendly = RwSignal::new(Vec::<Option<String>>::new());
    let open_list = move || {
        if !opened.get_untracked() {
            opened.set(true);
        }
    };
    let load_names = {
        let skus = skus.clone();
        move |_| {
            open_list();
            if friendly.with_untracked(Vec::is_empty) {
                let plans = &skus[at].service_plans;
                let pairs =
                    plans.iter().map(|p| (p.service_plan_id.clone(), p.service_plan_name.clone())).collect();
                leptos::task::spawn_local(async move { friendly.set(plan_friendly_names(pairs).await) });
            }
        }
    };
    let plans = move || skus[at].service_plans.clone();
    view! {
        <li class="card sku-card" data-sku={sku_attr}>
            <div class="sku-static" inner_html={head_and_seats}></div>
            <Bar percent={pct} label={label} tone={tone} />
            <details class="plans" on:toggle={load_names}>
                <summary on:click={move |_| open_list()}>
                    {plural(n_plans, "service plan", "service plans")}
                </summary>
                {move || { opened.get().then(|| view! { <PlanList plans={plans()} friendly={friendly} /> }) }}
            </details>
        </li>
    }
}

/// A card's service plans, with Microsoft's friendly names once the catalog has come.
#[component]
fn PlanList(plans: Vec<ServicePlanInfo>, friendly: RwSignal<Vec<Option<String>>>) -> impl IntoView {
    view! {
        <ul>
            {plans
                .into_iter()
                .enumerate()
                .map(|(i, p)| {
                    let friendly = move || friendly.with(|n| n.get(i).cloned().flatten());
                    let status = p.provisioning_status.clone().unwrap_or_default();
                    view! {
                        <li>
                            <span class="mono">{p.service_plan_name.clone()}</span>
                            {move || friendly().map(|f| view! { <span class="muted">" — " {f}</span> })}
                            {(!status.is_empty() && status != "Success")
                                .then(|| view! { <span class="tag">{status}</span> })}
                        </li>
                    }
                })
                .collect_view()}
        </ul>
    }
}
