//! Every user and group of a plan, filterable, in a virtualized list: rows have a fixed height and
//! only the ones in view are in the DOM, so 100,000 rows scroll smoothly. Selecting a row shows
//! its service coverage and the exact assignLicense bodies.
use super::components::{count, plan_label, plural, severity_class};
use crate::preview_model::{coverage_summary, PreviewRows, Row, RowFilter, ScrollMap, SeverityFilter};
use crate::state::{use_state, Load, PlanOrigin};
use leptos::prelude::*;
use licswap_core::plan::{Plan, Severity, TargetKind};
use std::sync::Arc;

/// Must match `.vrow { height }` in the CSS.
const ROW_H: f64 = 44.0;
const VIEWPORT_H: f64 = 440.0;

/// The list's scroll geometry for `total` rows.
fn list_map(total: usize) -> ScrollMap {
    ScrollMap { total, row_height: ROW_H, viewport: VIEWPORT_H }
}

#[component]
pub fn SubjectList(plan: Arc<Plan>, #[prop(optional)] read_only: bool) -> impl IntoView {
    let state = use_state();
    crate::timing::start("licswap:rows");
    // Names for users the plan lists by id only, from the tenant data when this plan was made here.
    // Never for a shared preview (`read_only`): its ids are someone else's claim, and naming them
    // from the viewer's own tenant would lend it the viewer's real names.
    let snapshot = match (read_only, state.plan_origin.get_untracked(), state.snapshot.get_untracked()) {
        (false, PlanOrigin::Local, Load::Ready(s)) => Some(s),
        _ => None,
    };
    let rows = Arc::new(PreviewRows::build(plan.clone(), snapshot));
    crate::timing::end("licswap:rows");
    let rows_sv = StoredValue::new(rows.clone());
    let plan_sv = StoredValue::new(plan);
    let filter = RwSignal::new(RowFilter::default());
    let shown = Memo::new(move |_| filter.with(|f| rows_sv.with_value(|r| f.apply(r))));
    let scroll = RwSignal::new(0.0f64);
    let selected = RwSignal::new(None::<u32>);
    let geometry = move || list_map(shown.with(|s| s.len()));
    let window = move || geometry().window(scroll.get(), 6);
    let slice = move || {
        let (first, n, _) = window();
        shown.with(|s| {
            s.get(first..first + n)
                .unwrap_or(&[])
                .iter()
                .enumerate()
                .map(|(k, &ri)| (first + k, ri))
                .collect::<Vec<_>>()
        })
    };
    // The detail panel follows the filter: a row the filter hides is no longer shown as selected.
    Effect::new(move |_| {
        // Read the rows first, so the effect tracks them even while nothing is selected.
        let hidden = shown.with(|s| selected.get_untracked().is_some_and(|ri| !s.contains(&ri)));
        if hidden {
            selected.set(None);
        }
    });
    // The listbox's active option, for assistive technology: only a row in the DOM can be named.
    let active_id = move || {
        let ri = selected.get()?;
        slice().iter().any(|&(_, r)| r == ri).then(|| format!("vrow-{ri}"))
    };
    let viewport = NodeRef::<leptos::html::Div>::new();
    // A new filter starts at the top.
    Effect::new(move |_| {
        filter.track();
        scroll.set(0.0);
        if let Some(el) = viewport.get_untracked() {
            el.set_scroll_top(0);
        }
    });
    let sev_select = move |ev: leptos::ev::Event| {
        let v = event_target_value(&ev);
        filter.update(|f| {
            f.severity = match v.as_str() {
                "blocker" => SeverityFilter::Only(Severity::Blocker),
                "warning" => SeverityFilter::Only(Severity::Warning),
                "info" => SeverityFilter::Only(Severity::Info),
                "clean" => SeverityFilter::Clean,
                _ => SeverityFilter::All,
            }
        })
    };
    let kind_select = move |ev: leptos::ev::Event| {
        let v = event_target_value(&ev);
        filter.update(|f| {
            f.kind = match v.as_str() {
                "user" => Some(TargetKind::User),
                "group" => Some(TargetKind::Group),
                _ => None,
            }
        })
    };
    // Arrow keys, Page Up/Down, Home and End move the selection, so 100,000 rows never need
    // 100,000 tab stops.
    let on_key = move |ev: leptos::ev::KeyboardEvent| {
        let len = shown.with_untracked(|s| s.len());
        if len == 0 {
            return;
        }
        let page = (VIEWPORT_H / ROW_H) as usize;
        let pos =
            selected.get_untracked().and_then(|ri| shown.with_untracked(|s| s.iter().position(|&x| x == ri)));
        let next = match (ev.key().as_str(), pos) {
            ("ArrowDown", Some(p)) => (p + 1).min(len - 1),
            ("ArrowUp", Some(p)) => p.saturating_sub(1),
            ("PageDown", Some(p)) => (p + page).min(len - 1),
            ("PageUp", Some(p)) => p.saturating_sub(page),
            ("Home", _) => 0,
            ("End", _) => len - 1,
            ("ArrowDown" | "ArrowUp" | "PageDown" | "PageUp", None) => 0,
            _ => return,
        };
        ev.prevent_default();
        selected.set(shown.with_untracked(|s| s.get(next).copied()));
        if let Some(el) = viewport.get_untracked() {
            let map = list_map(len);
            let view_top = map.top_row(el.scroll_top() as f64);
            let row = next as f64;
            if row < view_top {
                el.set_scroll_top(map.scroll_for(row) as i32);
            } else if row + 1.0 > view_top + VIEWPORT_H / ROW_H {
                el.set_scroll_top(map.scroll_for(row + 1.0 - VIEWPORT_H / ROW_H) as i32);
            }
        }
    };
    let total = rows.rows.len();
    view! {
        <div class="list-tools" role="search">
            <div class="field">
                <label for="f-search">"Search"</label>
                <input
                    id="f-search"
                    type="search"
                    placeholder="Name, UPN or id"
                    on:input={move |ev| filter.update(|f| f.search = event_target_value(&ev))}
                />
            </div>
            <div class="field">
                <label for="f-sev">"Severity"</label>
                <select id="f-sev" on:change={sev_select}>
                    <option value="all">"All"</option>
                    <option value="blocker">"Blockers"</option>
                    <option value="warning">"Warnings"</option>
                    <option value="info">"Info"</option>
                    <option value="clean">"Nothing to report"</option>
                </select>
            </div>
            <div class="field">
                <label for="f-kind">"Kind"</label>
                <select id="f-kind" on:change={kind_select}>
                    <option value="all">"Users and groups"</option>
                    <option value="user">"Users"</option>
                    <option value="group">"Groups"</option>
                </select>
            </div>
            <p class="hint" role="status" data-testid="row-count">
                {move || {
                    format!("{} of {}", count(shown.with(|s| s.len()) as i64), plural(total, "row", "rows"))
                }}
            </p>
        </div>
        <div class="list-and-detail">
            // A listbox whose options are only the rows in view: each carries its position in the
            // whole filtered list (aria-posinset/aria-setsize), and focus stays on the list, which
            // points at the selected row with aria-activedescendant.
            <div
                class="vlist"
                node_ref={viewport}
                tabindex="0"
                role="listbox"
                aria-label="Users and groups in the plan"
                aria-describedby="vlist-keys"
                aria-activedescendant={active_id}
                on:keydown={on_key}
                on:scroll={move |_| {
                    if let Some(el) = viewport.get_untracked() {
                        scroll.set(el.scroll_top() as f64)
                    }
                }}
            >
                <div class="vspacer" style:height={move || format!("{}px", geometry().height())}>
                    <ul
                        class="vrows"
                        role="none"
                        style:transform={move || format!("translateY({}px)", window().2)}
                    >
                        <For each={slice} key={|(pos, ri)| (*pos, *ri)} let((pos, ri))>
                            {
                                let (row, name) = rows_sv
                                    .with_value(|r| {
                                        let row = r.rows[ri as usize].clone();
                                        let name = r.name(&row).to_string();
                                        (row, name)
                                    });
                                let summary = row
                                    .coverage
                                    .and_then(|c| {
                                        plan_sv.with_value(|p| p.coverage.get(c).map(coverage_summary))
                                    });
                                let sev = row.worst;
                                let sev_text = sev.map(Severity::label).unwrap_or("Nothing to report");
                                view! {
                                    <li
                                        class="vrow"
                                        role="option"
                                        id={format!("vrow-{ri}")}
                                        aria-selected={move || {
                                            if selected.get() == Some(ri) { "true" } else { "false" }
                                        }}
                                        aria-posinset={(pos + 1).to_string()}
                                        aria-setsize={move || shown.with(|s| s.len()).to_string()}
                                        on:click={move |_| selected.set(Some(ri))}
                                    >
                                        <span
                                            class={format!("dot {}", severity_class(sev))}
                                            title={sev_text}
                                            aria-hidden="true"
                                        ></span>
                                        <span class="visually-hidden">{format!("{sev_text}: ")}</span>
                                        <span class="vname">{name}</span>
                                        <span class="tag">{row.kind.label()}</span>
                                        <span class="vsum coverage-sum muted">
                                            {summary.unwrap_or_default()}
                                        </span>
                                        <span class="vsum muted">
                                            {plural(row.actions.len(), "call", "calls")}
                                        </span>
                                    </li>
                                }
                            }
                        </For>
                    </ul>
                </div>
            </div>
            <p id="vlist-keys" class="visually-hidden">
                "Use the arrow keys, Page Up, Page Down, Home and End to move through the rows."
            </p>
            <aside class="detail card" aria-label="The selected row">
                {move || match selected.get() {
                    None => {
                        view! {
                            <p class="hint">
                                "Select a row to see its services and the exact assignLicense call."
                            </p>
                        }
                            .into_any()
                    }
                    Some(ri) => {
                        let (row, name, id) = rows_sv
                            .with_value(|r| {
                                let row = r.rows[ri as usize].clone();
                                let (name, id) = (r.name(&row).to_string(), r.id(&row).to_string());
                                (row, name, id)
                            });
                        view! { <Detail row={row} name={name} id={id} plan={plan_sv.get_value()} /> }
                            .into_any()
                    }
                }}
            </aside>
        </div>
    }
}

#[component]
fn Detail(row: Row, name: String, id: String, plan: Arc<Plan>) -> impl IntoView {
    let cov = row.coverage.and_then(|c| plan.coverage.get(c).cloned());
    let wanted = plan.actions().enumerate().filter(|(i, _)| row.actions.contains(*i));
    let actions: Vec<_> = wanted.map(|(_, a)| a.clone()).collect();
    let findings: Vec<_> = row.findings.iter().filter_map(|i| plan.findings.get(i).cloned()).collect();
    let plans_list = |title: &'static str, class: &'static str, items: Vec<String>| {
        (!items.is_empty()).then(|| {
            view! {
                <h4>{format!("{title} ({})", items.len())}</h4>
                <ul class={format!(
                    "plain plan-names {class}",
                )}>{items.into_iter().map(|p| view! { <li>{plan_label(&p)}</li> }).collect_view()}</ul>
            }
        })
    };
    view! {
        <h3>{name} <span class="tag">{row.kind.label()}</span></h3>
        <p class="muted mono">{id}</p>
        {findings
            .into_iter()
            .map(|f| {
                view! {
                    <p class={format!("finding-line {}", severity_class(Some(f.severity)))}>
                        <strong>{f.severity.label()}": "</strong>
                        {f.message}
                        <br />
                        <span class="hint">"What to do: " {f.remedy}</span>
                    </p>
                }
            })
            .collect_view()}
        {cov
            .map(|c| {
                view! {
                    <div class="coverage">
                        {plans_list("Lost", "bad", c.lost)} {plans_list("Gained", "ok", c.gained)}
                        {plans_list("Kept", "", c.kept)} {plans_list("Waived", "warn", c.waived)}
                        {plans_list("Kept disabled", "", c.kept_disabled)}
                    </div>
                }
            })}
        {actions
            .into_iter()
            .map(|a| {
                let path = a.target.kind.graph_collection().unwrap_or("users");
                let json = serde_json::to_string_pretty(&a.body).unwrap_or_default();
                view! {
                    <details class="call">
                        <summary>
                            {format!("{:?}: POST /{path}/{}/assignLicense", a.kind, a.target.id)}
                        </summary>
                        <pre>{json}</pre>
                    </details>
                }
            })
            .collect_view()}
    }
}
