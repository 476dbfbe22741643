//! The migration wizard: source and target licenses, who is in scope, options; "Preview" plans.
use super::components::{count, plan_friendly, ErrorBox, Spinner};
use licswap_core::catalog::sku_name;
use super::wizard_scope::ScopePicker;
use crate::state::{use_state, Load, Mode};
use crate::tenant;
use crate::wizard_form::{toggle, waivable_plans};
use leptos::prelude::*;
use licswap_core::model::{same_id, SubscribedSku};

#[component]
pub fn Wizard() -> impl IntoView {
    let state = use_state();
    Effect::new(move |_| {
        if state.mode.get().can_read() && state.skus.get_untracked() == Load::Idle {
            tenant::load_skus(state);
        }
    });
    // Holders and groups of the source feed the scope lists and the preview.
    Effect::new(move |_| {
        let source = state.form.with(|f| f.source.clone());
        if !source.is_empty() && !same_id(&state.snapshot_source.get_untracked(), &source) {
            tenant::load_snapshot(state, source);
        }
    });
    view! {
        <section aria-labelledby="wizard-title">
            <div class="screen-head">
                <div>
                    <p class="eyebrow">"Migration"</p>
                    <h1 id="wizard-title">"Plan a license swap"</h1>
                </div>
            </div>
            {move || match (state.mode.get(), state.skus.get()) {
                (Mode::Live { signed_in: false, .. } | Mode::NeedsConfig { .. }, _) => view! {
                    <p>"Sign in to plan a swap in your tenant. " <a href="#/signin">"Sign in"</a></p>
                }.into_any(),
                (_, Load::Failed(e)) => view! { <ErrorBox title="Could not read the subscriptions" detail=e/> }.into_any(),
                (_, Load::Ready(skus)) => view! { <WizardForm skus=skus/> }.into_any(),
                _ => view! { <Spinner text="Reading subscriptions…"/> }.into_any(),
            }}
        </section>
    }
}

#[component]
fn WizardForm(skus: Vec<SubscribedSku>) -> impl IntoView {
    let state = use_state();
    let skus = StoredValue::new(skus);
    let on_submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        tenant::preview(state);
    };
    view! {
        <form class="wizard" on:submit=on_submit novalidate>
            <fieldset>
                <legend>"1. Licenses"</legend>
                <div class="sku-pickers">
                    <SkuSelect id="source" label="Move users off (source)" skus=skus.get_value()
                        value=Signal::derive(move || state.form.with(|f| f.source.clone()))
                        set=move |v| state.form.update(|f| { f.source = v; f.groups.clear(); f.users.clear(); f.waived.clear(); })/>
                    <span class="arrow" aria-hidden="true">"→"</span>
                    <SkuSelect id="target" label="Move users to (target)" skus=skus.get_value()
                        value=Signal::derive(move || state.form.with(|f| f.target.clone()))
                        set=move |v| state.form.update(|f| { f.target = v; f.waived.clear(); })/>
                </div>
                <SnapshotStatus/>
            </fieldset>
            <ScopePicker/>
            <fieldset>
                <legend>"3. Options"</legend>
                <label class="check">
                    <input type="checkbox" prop:checked=move || state.form.with(|f| f.keep_disabled)
                        on:change=move |ev| state.form.update(|f| f.keep_disabled = event_target_checked(&ev))/>
                    <span>"Keep disabled services disabled"
                        <span class="hint">" — a service switched off under the source stays off under the target's equivalent"</span></span>
                </label>
                <label class="check">
                    <input type="checkbox" prop:checked=move || state.form.with(|f| f.partial_wave)
                        on:change=move |ev| state.form.update(|f| f.partial_wave = event_target_checked(&ev))/>
                    <span>"If seats run short, plan a first wave of what fits"</span>
                </label>
                <label class="check">
                    <input type="checkbox" prop:checked=move || state.form.with(|f| f.set_aside)
                        on:change=move |ev| state.form.update(|f| f.set_aside = event_target_checked(&ev))/>
                    <span>"Set aside users and groups with a blocker, and apply the rest"
                        <span class="hint">" — they are not changed; the preview and the report list them with why"</span></span>
                </label>
                <Waivers skus=skus/>
            </fieldset>
            {move || state.plan_error.get().map(|e| view! { <ErrorBox title="Cannot preview yet" detail=e/> })}
            <div class="actions">
                <button type="submit" disabled=move || !matches!(state.snapshot.get(), Load::Ready(_))>"Preview"</button>
                <span class="muted">"Nothing changes in the tenant until you apply."</span>
            </div>
        </form>
    }
}

#[component]
fn SkuSelect(
    id: &'static str,
    label: &'static str,
    skus: Vec<SubscribedSku>,
    #[prop(into)] value: Signal<String>,
    set: impl Fn(String) + 'static,
) -> impl IntoView {
    view! {
        <div class="field">
            <label for=id>{label}</label>
            <select id=id on:change=move |ev| set(event_target_value(&ev))>
                <option value="" selected=move || value.get().is_empty()>"Choose a license…"</option>
                {skus.into_iter().map(|s| {
                    let sid = s.sku_id.clone();
                    let text = format!("{} ({}) — {} of {} assigned", sku_name(&s), s.sku_part_number,
                        count(s.consumed_units), count(s.prepaid_units.enabled));
                    view! { <option value=s.sku_id.clone() selected=move || same_id(&value.get(), &sid)>{text}</option> }
                }).collect_view()}
            </select>
        </div>
    }
}

#[component]
fn SnapshotStatus() -> impl IntoView {
    let state = use_state();
    let no_source = Memo::new(move |_| state.form.with(|f| f.source.is_empty()));
    move || {
        if no_source.get() {
            return None;
        }
        Some(match state.snapshot.get() {
            Load::Loading(t) => view! {
                <Spinner text=t/>
                {move || state.snapshot_progress.get().map(|(done, total)| view! {
                    <progress class="load-progress" max=total.to_string() value=done.to_string()
                        aria-label="Reading the tenant"></progress>
                })}
            }
            .into_any(),
            Load::Failed(e) => view! {
                <ErrorBox title="Could not read the holders of the source license" detail=e/>
                <button type="button" class="secondary" on:click=move |_| {
                    tenant::load_snapshot(state, state.form.get_untracked().source)
                }>"Try again"</button>
            }
            .into_any(),
            Load::Ready(s) => {
                let groups = s.groups.len();
                view! {
                    <p class="muted" role="status">
                        {format!("{} users hold the source license; {} groups assign it. ", count(s.users.len() as i64), groups)}
                        <button type="button" class="link" on:click=move |_| {
                            tenant::load_snapshot(state, state.form.get_untracked().source)
                        }>"Read again"</button>
                    </p>
                }.into_any()
            }
            Load::Idle => view! { <span></span> }.into_any(),
        })
    }
}

#[component]
fn Waivers(skus: StoredValue<Vec<SubscribedSku>>) -> impl IntoView {
    let state = use_state();
    let plans = Memo::new(move |_| {
        let (s, t) = state.form.with(|f| (f.source.clone(), f.target.clone()));
        skus.with_value(|k| waivable_plans(k, &s, &t))
    });
    move || {
        let plans = plans.get();
        if plans.is_empty() {
            return None;
        }
        let all = plans.clone();
        let n = plans.len();
        Some(view! {
            <fieldset class="nested waivers">
                <legend>"Service plans the target does not include"</legend>
                <p class="hint">"Users who have these today would lose them. Tick a plan to accept its loss (waive it); otherwise the preview blocks."</p>
                <p class="actions">
                    <button type="button" class="secondary"
                        on:click=move |_| state.form.update(|f| for p in &all { toggle(&mut f.waived, p, true) })>
                        {format!("Accept all {n} losses")}</button>
                    <button type="button" class="link"
                        on:click=move |_| state.form.update(|f| f.waived.clear())>"Accept none"</button>
                </p>
                <ul class="plain columns">
                    {plans.into_iter().map(|p| {
                        let name = p.clone();
                        let name2 = p.clone();
                        let friendly = plan_friendly("", &p);
                        view! {
                            <li><label class="check">
                                <input type="checkbox"
                                    prop:checked=move || state.form.with(|f| f.waived.iter().any(|w| w == &name))
                                    on:change=move |ev| { let on = event_target_checked(&ev); state.form.update(|f| toggle(&mut f.waived, &name2, on)) }/>
                                <span>{friendly.map(|f| view! { <span class="plan-friendly">{f}" "</span> })}<span class="mono muted">{p}</span></span>
                            </label></li>
                        }
                    }).collect_view()}
                </ul>
            </fieldset>
        })
    }
}
