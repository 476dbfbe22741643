//! The users and groups a plan sets aside (the "set aside what is blocked" option): in the preview
//! with an export, in the report as not done; and the offer to set them aside when they block
//! Apply. What counts is decided by the planner and preview_model; this only shows it.
use super::components::{count, plural, StatusHint};
use crate::browser;
use crate::preview_model::blocked_subjects;
use crate::state::use_state;
use leptos::prelude::*;
use licswap_core::apply::set_aside_csv;
use licswap_core::plan::{Plan, TargetKind};
use std::sync::Arc;

/// A long list is cut here on the page; the export holds every entry.
const MAX_SHOWN: usize = 200;

/// "Set aside N users and M groups": shown under a blocked Apply when the blockers are users' and
/// groups' own (seats are the first wave's business).
#[component]
pub fn SetAsideOffer(plan: Arc<Plan>) -> impl IntoView {
    let state = use_state();
    let (users, groups) = blocked_subjects(&plan);
    (users + groups > 0 && !plan.request.options.set_aside_blocked).then(|| {
        let what = [(users, "user", "users"), (groups, "group", "groups")]
            .iter()
            .filter(|(n, ..)| *n > 0)
            .map(|&(n, one, many)| plural(n, one, many))
            .collect::<Vec<_>>()
            .join(" and ");
        view! {
            <p class="set-aside-offer">
                <button
                    type="button"
                    class="secondary"
                    on:click={move |_| crate::loads::preview_setting_aside(state)}
                >
                    {format!("Set aside the {what} with a blocker and apply the rest")}
                </button>
                <span class="hint">
                    " They are not changed; the preview and the report list them with why."
                </span>
            </p>
        }
    })
}

/// The plan's set-aside list. `done` titles it for the report ("not done") rather than the preview.
#[component]
pub fn SetAsideList(plan: Arc<Plan>, done: bool) -> impl IntoView {
    if plan.set_aside.is_empty() {
        return None;
    }
    let status = RwSignal::new(None::<String>);
    let plan_sv = StoredValue::new(plan.clone());
    let export = move |_| {
        let (name, body) = plan_sv.with_value(|p| {
            (
                format!("licswap-set-aside-{}-to-{}.csv", p.source.sku_part_number, p.target.sku_part_number),
                set_aside_csv(p),
            )
        });
        status.set(Some(match browser::download(&name, "text/csv", &body) {
            Ok(()) => format!("Saved {name}."),
            Err(e) => format!("Could not save the list: {e}."),
        }));
    };
    let n = plan.set_aside.len();
    let title = if done { "Set aside: not done" } else { "Set aside: not changed by this plan" };
    Some(view! {
        <section class="card set-aside" aria-labelledby="set-aside-title" data-testid="set-aside">
            <div class="card-head">
                <h2 id="set-aside-title" class="card-title">
                    {format!("{title} ({})", count(n as i64))}
                </h2>
                <button type="button" class="secondary" on:click={export}>
                    "Export CSV"
                </button>
            </div>
            <StatusHint status={status} />
            <ul class="plain findings">
                {plan
                    .set_aside
                    .iter()
                    .take(MAX_SHOWN)
                    .map(|s| {
                        view! {
                            <li class="finding warn">
                                <strong>{s.subject.name.clone()}</strong>
                                <span class="muted">
                                    {if s.subject.kind == TargetKind::Group { " (group)" } else { "" }}
                                </span>
                                " — "
                                {s.why.join(" ")}
                                {(!s.still_covered_by.is_empty())
                                    .then(|| {
                                        view! {
                                            <br />
                                            <span class="hint">
                                                {format!(
                                                    "Still changed through the swap of {}: a group's license applies to every member.",
                                                    s.still_covered_by.join(", "),
                                                )}
                                            </span>
                                        }
                                    })}
                            </li>
                        }
                    })
                    .collect_view()}
            </ul>
            {(n > MAX_SHOWN)
                .then(|| {
                    view! {
                        <p class="hint">
                            {format!("… and {} more in the export.", count((n - MAX_SHOWN) as i64))}
                        </p>
                    }
                })}
        </section>
    })
}
