//! The migration wizard: source and target licenses, who is in scope, options; "Preview" plans.
use super::components::{count, plan_friendly, plural, ErrorBox, Spinner};
use super::wizard_scope::{ListCheckbox, ScopePicker};
use crate::state::{use_state, Load, Mode};
use crate::loads;
use crate::wizard_form::{toggle, waivable_plans, FormList};
use leptos::prelude::*;
use licswap_core::catalog::sku_name;
use licswap_core::model::{same_id, SubscribedSku};

#[component]
pub fn Wizard() -> impl IntoView {
    let state = use_state();
    let skus = loads::skus(state);
    // Holders and groups of the source(s) feed the scope lists and the preview.
    Effect::new(move |_| {
        let (sources, key) = state.form.with(|f| (f.sources(), f.source_key()));
        if !sources.is_empty() && state.snapshot_source.get_untracked() != key {
            loads::load_snapshot(state, sources);
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
            {move || match (state.mode.get(), skus.get()) {
                (Mode::Live { signed_in: false, .. } | Mode::NeedsConfig { .. }, _) => {
                    view! {
                        <p>"Sign in to plan a swap in your tenant. " <a href="#/signin">"Sign in"</a></p>
                    }
                        .into_any()
                }
                (Mode::Starting, _) | (_, None) => {
                    view! { <Spinner text="Reading subscriptions…" /> }.into_any()
                }
                (_, Some(Err(e))) => {
                    view! { <ErrorBox title="Could not read the subscriptions" detail={e} /> }.into_any()
                }
                (_, Some(Ok(skus))) => view! { <WizardForm skus={skus.to_vec()} /> }.into_any(),
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
        loads::preview(state);
    };
    view! {
        <form class="wizard" on:submit={on_submit} novalidate>
            <fieldset>
                <legend>"1. Licenses"</legend>
                <div class="sku-pickers">
                    <SkuSide side={Side::Source} skus={skus} />
                    <span class="arrow" aria-hidden="true">
                        "→"
                    </span>
                    <SkuSide side={Side::Target} skus={skus} />
                </div>
                <MoveSummary skus={skus} />
                <SnapshotStatus />
            </fieldset>
            <ScopePicker />
            <fieldset>
                <legend>"3. Options"</legend>
                <label class="check">
                    <input
                        type="checkbox"
                        prop:checked={move || state.form.with(|f| f.keep_disabled)}
                        on:change={move |ev| {
                            state.form.update(|f| f.keep_disabled = event_target_checked(&ev))
                        }}
                    />
                    <span>
                        "Keep disabled services disabled"
                        <span class="hint">
                            " — a service switched off under the source stays off under the target's equivalent"
                        </span>
                    </span>
                </label>
                <label class="check">
                    <input
                        type="checkbox"
                        prop:checked={move || state.form.with(|f| f.partial_wave)}
                        on:change={move |ev| {
                            state.form.update(|f| f.partial_wave = event_target_checked(&ev))
                        }}
                    />
                    <span>"If seats run short, plan a first wave of what fits"</span>
                </label>
                <label class="check">
                    <input
                        type="checkbox"
                        prop:checked={move || state.form.with(|f| f.set_aside)}
                        on:change={move |ev| state.form.update(|f| f.set_aside = event_target_checked(&ev))}
                    />
                    <span>
                        "Set aside users and groups with a blocker, and apply the rest"
                        <span class="hint">
                            " — they are not changed; the preview and the report list them with why"
                        </span>
                    </span>
                </label>
                <Waivers skus={skus} />
            </fieldset>
            {move || {
                state.plan_error.get().map(|e| view! { <ErrorBox title="Cannot preview yet" detail={e} /> })
            }}
            <div class="actions">
                <button type="submit" disabled={move || !matches!(state.snapshot.get(), Load::Ready(_))}>
                    "Preview"
                </button>
                <span class="muted">"Nothing changes in the tenant until you apply."</span>
            </div>
        </form>
    }
}

/// One side of the swap: the source licenses or the target licenses.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Side {
    Source,
    Target,
}

impl Side {
    fn list(self, f: &crate::wizard_form::WizardForm) -> &Vec<String> {
        match self {
            Side::Source => &f.source,
            Side::Target => &f.target,
        }
    }

    fn list_mut(self, f: &mut crate::wizard_form::WizardForm) -> &mut Vec<String> {
        match self {
            Side::Source => &mut f.source,
            Side::Target => &mut f.target,
        }
    }

    fn id(self, i: usize) -> String {
        let base = if self == Side::Source { "source" } else { "target" };
        if i == 0 {
            base.to_string()
        } else {
            format!("{base}-{}", i + 1)
        }
    }

    fn label(self, i: usize) -> &'static str {
        match (self, i) {
            (Side::Source, 0) => "Move users off (source)",
            (Side::Source, _) => "and off (another source)",
            (Side::Target, 0) => "Move users to (target)",
            (Side::Target, _) => "and to (another target)",
        }
    }
}

/// The pickers of one side: one license, and "add another" for a bundle (Office 365 E3 + EMS ->
/// Microsoft 365 E3; Office 365 E5 -> E5 (no Teams) + Teams).
#[component]
fn SkuSide(side: Side, skus: StoredValue<Vec<SubscribedSku>>) -> impl IntoView {
    let state = use_state();
    let shown = Memo::new(move |_| state.form.with(|f| side.list(f).len().max(1)));
    let set = move |i: usize, v: String| {
        state.form.update(|f| {
            let list = side.list_mut(f);
            if list.len() <= i {
                list.resize(i + 1, String::new());
            }
            list[i] = v;
            if side == Side::Source {
                f.groups.clear();
                f.users.clear();
            }
            f.waived.clear();
        })
    };
    let remove = move |i: usize| {
        state.form.update(|f| {
            let list = side.list_mut(f);
            if i < list.len() {
                list.remove(i);
            }
            if side == Side::Source {
                f.groups.clear();
                f.users.clear();
            }
            f.waived.clear();
        })
    };
    let add_label =
        if side == Side::Source { "+ Add another source license" } else { "+ Add another target license" };
    view! {
        <div class="sku-side">
            {move || {
                (0..shown.get())
                    .map(|i| {
                        let value = Signal::derive(move || {
                            state.form.with(|f| side.list(f).get(i).cloned().unwrap_or_default())
                        });
                        view! {
                            <div class="sku-row">
                                <SkuSelect
                                    id={side.id(i)}
                                    label={side.label(i)}
                                    skus={skus.get_value()}
                                    value={value}
                                    set={move |v| set(i, v)}
                                />
                                {(i > 0)
                                    .then(|| {
                                        view! {
                                            <button
                                                type="button"
                                                class="link remove-sku"
                                                on:click={move |_| remove(i)}
                                            >
                                                "Remove"
                                            </button>
                                        }
                                    })}
                            </div>
                        }
                    })
                    .collect_view()
            }}
            <button
                type="button"
                class="link add-sku"
                disabled={move || state.form.with(|f| side.list(f).first().is_none_or(|s| s.is_empty()))}
                on:click={move |_| {
                    state
                        .form
                        .update(|f| {
                            let list = side.list_mut(f);
                            if list.is_empty() {
                                list.push(String::new());
                            }
                            list.push(String::new());
                        })
                }}
            >
                {add_label}
            </button>
        </div>
    }
}

#[component]
fn SkuSelect(
    id: String,
    label: &'static str,
    skus: Vec<SubscribedSku>,
    #[prop(into)] value: Signal<String>,
    set: impl Fn(String) + 'static,
) -> impl IntoView {
    view! {
        <div class="field">
            <label for={id.clone()}>{label}</label>
            <select id={id} on:change={move |ev| set(event_target_value(&ev))}>
                <option value="" selected={move || value.get().is_empty()}>
                    "Choose a license…"
                </option>
                {skus
                    .into_iter()
                    .map(|s| {
                        let sid = s.sku_id.clone();
                        let text = format!(
                            "{} ({}) — {} of {} assigned",
                            sku_name(&s),
                            s.sku_part_number,
                            count(s.consumed_units),
                            count(s.prepaid_units.enabled),
                        );
                        view! {
                            <option value={s.sku_id.clone()} selected={move || same_id(&value.get(), &sid)}>
                                {text}
                            </option>
                        }
                    })
                    .collect_view()}
            </select>
        </div>
    }
}

/// The move in plain words, and the free seats of each target, once both sides are chosen.
#[component]
fn MoveSummary(skus: StoredValue<Vec<SubscribedSku>>) -> impl IntoView {
    let state = use_state();
    let sides = Memo::new(move |_| state.form.with(|f| (f.sources(), f.targets())));
    move || {
        let (sources, targets) = sides.get();
        if sources.is_empty() || targets.is_empty() {
            return None;
        }
        let find = |id: &String| skus.with_value(|k| k.iter().find(|s| same_id(&s.sku_id, id)).cloned());
        let names = |ids: &[String]| {
            ids.iter()
                .map(|i| find(i).map_or_else(|| i.clone(), |s| sku_name(&s)))
                .collect::<Vec<_>>()
                .join(" + ")
        };
        let bundle = sources.len() > 1 || targets.len() > 1;
        let how = if bundle {
            "Each user and group gives up every one of these source licenses it holds and gets every target, in one \
             change per user or group, so no service drops out in between. Holders of only some of the sources \
             are moved too."
        } else {
            "Each user and group gives up the source and gets the target in one change."
        };
        let seats: Vec<SubscribedSku> = targets.iter().filter_map(find).collect();
        Some(view! {
            <div class="move-summary" role="status">
                <p class="move-statement">
                    <strong>{names(&sources)}</strong>
                    " → "
                    <strong>{names(&targets)}</strong>
                </p>
                <p class="hint">{how}</p>
                <ul class="plain seat-summary">
                    {seats
                        .into_iter()
                        .map(|s| {
                            let free = s.prepaid_units.enabled - s.consumed_units;
                            view! {
                                <li>
                                    {format!(
                                        "{}: {} free seats ({} of {} assigned)",
                                        sku_name(&s),
                                        count(free),
                                        count(s.consumed_units),
                                        count(s.prepaid_units.enabled),
                                    )}
                                </li>
                            }
                        })
                        .collect_view()}
                </ul>
            </div>
        })
    }
}

#[component]
fn SnapshotStatus() -> impl IntoView {
    let state = use_state();
    let no_source = Memo::new(move |_| state.form.with(|f| f.sources().is_empty()));
    let bar = move || state.snapshot_progress.with(|p| p.as_ref().and_then(|s| s.bar)).unwrap_or_default();
    let has_bar =
        Memo::new(move |_| state.snapshot_progress.with(|p| p.as_ref().is_some_and(|s| s.bar.is_some())));
    move || {
        if no_source.get() {
            return None;
        }
        Some(match state.snapshot.get() {
            Load::Loading(first) => view! {
                // The line and the bar follow the load's reports; nothing else here is redrawn.
                <Spinner text={move || {
                    state
                        .snapshot_progress
                        .with(|p| p.as_ref().map_or_else(|| first.clone(), |s| s.line.clone()))
                }} />
                {move || {
                    has_bar
                        .get()
                        .then(|| {
                            view! {
                                <progress
                                    class="load-progress"
                                    max={move || bar().1.to_string()}
                                    value={move || bar().0.to_string()}
                                    aria-label="Reading the tenant"
                                ></progress>
                            }
                        })
                }}
            }
            .into_any(),
            Load::Failed(e) => view! {
                <ErrorBox title="Could not read the holders of the source license" detail={e} />
                <button
                    type="button"
                    class="secondary"
                    on:click={move |_| { loads::load_snapshot(state, state.form.get_untracked().sources()) }}
                >
                    "Try again"
                </button>
            }
            .into_any(),
            Load::Ready(s) => {
                let groups = s.groups.len();
                view! {
                    <p class="muted" role="status">
                        {if state.form.with_untracked(|f| f.sources().len()) > 1 {
                            format!(
                                "{} users hold one of the source licenses; {} one. ",
                                count(s.users.len() as i64),
                                plural(groups, "group assigns", "groups assign"),
                            )
                        } else {
                            format!(
                                "{} users hold the source license; {} it. ",
                                count(s.users.len() as i64),
                                plural(groups, "group assigns", "groups assign"),
                            )
                        }}
                        <button
                            type="button"
                            class="link"
                            on:click={move |_| {
                                loads::load_snapshot(state, state.form.get_untracked().sources())
                            }}
                        >
                            "Read again"
                        </button>
                    </p>
                }
                .into_any()
            }
            Load::Idle => view! { <span></span> }.into_any(),
        })
    }
}

#[component]
fn Waivers(skus: StoredValue<Vec<SubscribedSku>>) -> impl IntoView {
    let state = use_state();
    let plans = Memo::new(move |_| {
        let (s, t) = state.form.with(|f| (f.sources(), f.targets()));
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
                <p class="hint">
                    "Users who have these today would lose them. Tick a plan to accept its loss (waive it); otherwise the preview blocks."
                </p>
                <p class="actions">
                    <button
                        type="button"
                        class="secondary"
                        on:click={move |_| {
                            state
                                .form
                                .update(|f| {
                                    for p in &all {
                                        toggle(&mut f.waived, p, true)
                                    }
                                })
                        }}
                    >
                        {format!("Accept all {n} losses")}
                    </button>
                    <button
                        type="button"
                        class="link"
                        on:click={move |_| state.form.update(|f| f.waived.clear())}
                    >
                        "Accept none"
                    </button>
                </p>
                <ul class="plain columns">
                    {plans
                        .into_iter()
                        .map(|p| {
                            let name = p.clone();
                            let friendly = plan_friendly("", &p);
                            view! {
                                <li>
                                    <label class="check">
                                        <ListCheckbox list={FormList::Waived} id={name} />
                                        <span>
                                            {friendly
                                                .map(|f| view! { <span class="plan-friendly">{f}" "</span> })}
                                            <span class="mono muted">{p}</span>
                                        </span>
                                    </label>
                                </li>
                            }
                        })
                        .collect_view()}
                </ul>
            </fieldset>
        })
    }
}
