//! License health: groups with members in error and every member in error, grouped by the kind of
//! problem with counts, each explained with its fix; CSV export; the buttons that plan the fixes
//! licswap can make (conflicting direct licenses, direct licenses a group duplicates). The
//! reading, the explaining and the planning are in `crate::health` and the planner.
use super::components::{plural, ErrorBox, ResolveProblemsLink, Spinner, StatusHint};
use crate::browser;
use crate::health::{self, HealthData};
use crate::state::use_state;
use leptos::prelude::*;
use licswap_core::health::{LicenseErrorKind, MemberIssue};
use std::sync::Arc;

#[component]
pub fn HealthScreen() -> impl IntoView {
    let state = use_state();
    let read = health::action(state);
    Effect::new(move |_| {
        if state.mode.get().can_read() && read.value().with_untracked(Option::is_none) && !read.pending().get_untracked() {
            health::load(state);
        }
    });
    view! {
        <section aria-labelledby="health-title">
            <div class="screen-head">
                <div>
                    <p class="eyebrow">"License health"</p>
                    <h1 id="health-title">"Group licensing errors"</h1>
                </div>
                <div class="actions">
                    <button
                        type="button"
                        class="secondary"
                        disabled={move || { !state.mode.get().can_read() || read.pending().get() }}
                        on:click={move |_| health::load(state)}
                    >
                        "Load again"
                    </button>
                </div>
            </div>
            <p class="muted">
                "Group-based licensing assigns in the background: when it cannot give a member a \
                group's licenses, Entra records the error on the member and keeps it until the member or \
                the group is processed again. " <ResolveProblemsLink />
            </p>
            {move || match (read.pending().get(), read.value().get()) {
                (true, _) | (false, None) => {
                    let what = state
                        .health_progress
                        .get()
                        .unwrap_or_else(|| "Reading licensing groups…".into());
                    view! { <Spinner text={what} /> }.into_any()
                }
                (false, Some(Err(e))) => {
                    view! { <ErrorBox title="Could not read the tenant's license health" detail={e} /> }
                        .into_any()
                }
                (false, Some(Ok(data))) => view! { <Report data={data} /> }.into_any(),
            }}
        </section>
    }
}

#[component]
fn Report(data: Arc<HealthData>) -> impl IntoView {
    let state = use_state();
    let r = &data.report;
    let status = RwSignal::new(None::<String>);
    let csv_data = data.clone();
    let export = move |_| {
        let name = health::csv_name(state.tenant_name.get_untracked().as_deref());
        status.set(Some(match browser::download(&name, "text/csv", &health::csv(&csv_data.report)) {
            Ok(()) => format!("Saved {name}."),
            Err(e) => format!("Could not save the list: {e}."),
        }));
    };
    let notes = r.notes.clone();
    let cleanup = view! { <Cleanup data={data.clone()} /> };
    if r.issues.is_empty() && r.groups.is_empty() {
        return view! {
            <p class="ok" data-testid="health-clean">
                "No member of any licensing group is in a licensing error."
            </p>
            <Notes notes={notes} />
            {cleanup}
        }
        .into_any();
    }
    let kinds: Vec<(LicenseErrorKind, usize)> = r.counts.iter().map(|c| (c.kind, c.members)).collect();
    view! {
        <div class="actions">
            <button type="button" class="secondary" on:click={export}>
                "Export CSV"
            </button>
        </div>
        <StatusHint status={status} />
        <Notes notes={notes} />
        <section class="card" aria-labelledby="health-kinds">
            <h2 id="health-kinds" class="card-title">
                {format!("{} in error", plural(r.issues.len(), "member", "members"))}
            </h2>
            <ul class="health-counts" data-testid="health-counts">
                {kinds
                    .into_iter()
                    .map(|(k, n)| {
                        view! {
                            <li data-kind={k.code()}>
                                <a
                                    href={format!("#/health")}
                                    on:click={move |ev| {
                                        ev.prevent_default();
                                        scroll_to(k.code());
                                    }}
                                >
                                    {k.title()}
                                </a>
                                " "
                                <span class="mono muted">{k.code()}</span>
                                ": "
                                <strong>{n}</strong>
                            </li>
                        }
                    })
                    .collect_view()}
            </ul>
        </section>
        <section class="card" aria-labelledby="health-groups">
            <h2 id="health-groups" class="card-title">
                "Groups with members in error"
            </h2>
            <table class="diff" data-testid="health-groups">
                <thead>
                    <tr>
                        <th scope="col">"Group"</th>
                        <th scope="col">"Members in error"</th>
                        <th scope="col">"Flagged by Graph"</th>
                    </tr>
                </thead>
                <tbody>
                    {r
                        .groups
                        .iter()
                        .map(|g| {
                            view! {
                                <tr>
                                    <td>{g.group.name.clone()}</td>
                                    <td>{g.members_in_error}</td>
                                    <td>{if g.flagged_by_graph { "yes" } else { "no" }}</td>
                                </tr>
                            }
                        })
                        .collect_view()}
                </tbody>
            </table>
        </section>
        {LicenseErrorKind::ALL
            .into_iter()
            .filter_map(|k| {
                let issues: Vec<MemberIssue> = r.issues.iter().filter(|i| i.kind == k).cloned().collect();
                let fixes = (k == LicenseErrorKind::MutuallyExclusiveViolation && !data.conflicts.is_empty())
                    .then(|| view! { <ConflictFixes data={data.clone()} /> });
                (!issues.is_empty())
                    .then(|| {
                        view! {
                            <KindSection kind={k} issues={issues}>
                                {fixes}
                            </KindSection>
                        }
                    })
            })
            .collect_view()}
        {cleanup}
    }
    .into_any()
}

/// Direct licenses a group also gives: per product, who can lose the direct one (the groups give
/// every service it gives) and who cannot (what is missing), and the button that plans it.
#[component]
fn Cleanup(data: Arc<HealthData>) -> impl IntoView {
    let state = use_state();
    let by_sku = data.cleanup_by_sku();
    let data_sv = StoredValue::new(data);
    view! {
        <section class="card" aria-labelledby="cleanup-title" data-testid="cleanup">
            <h2 id="cleanup-title" class="card-title">
                "Direct licenses that groups duplicate"
            </h2>
            <p class="muted">
                "A license assigned both directly and through a group consumes one seat; the direct \
                one stays when the user leaves the group. It can go once the groups give every service it \
                gives and the group's license reads Active for the user. "
                <a
                    href="https://learn.microsoft.com/entra/identity/users/licensing-groups-migrate-users"
                    target="_blank"
                    rel="noopener noreferrer"
                >
                    "Microsoft: migrate users to group licensing"
                </a>
            </p>
            {by_sku
                .is_empty()
                .then(|| view! { <p>"No user holds a license both directly and through a group."</p> })}
            {by_sku
                .into_iter()
                .map(|(sku_id, product, list)| {
                    let covered = list.iter().filter(|c| c.covered()).count();
                    let title = format!("{product}: {} of {} can go", covered, list.len());
                    view! {
                        <div class="cleanup-sku" data-sku={sku_id.clone()}>
                            <h3>{title}</h3>
                            <ul>
                                {list
                                    .into_iter()
                                    .map(|c| {
                                        let groups = c
                                            .groups
                                            .iter()
                                            .map(|g| g.name.clone())
                                            .collect::<Vec<_>>()
                                            .join(", ");
                                        let status = if c.covered() {
                                            "covered: the direct license can go".to_string()
                                        } else if let Some(n) = &c.not_active {
                                            format!("stays: {n}")
                                        } else {
                                            format!("stays: the groups do not give {}", c.missing.join(", "))
                                        };
                                        view! {
                                            <li data-covered={c.covered().to_string()}>
                                                <strong>{c.user.name.clone()}</strong>
                                                " — groups: "
                                                {groups}
                                                " — "
                                                {status}
                                            </li>
                                        }
                                    })
                                    .collect_view()}
                            </ul>
                            {(covered > 0)
                                .then(|| {
                                    let sku = sku_id.clone();
                                    view! {
                                        <button
                                            type="button"
                                            on:click={move |_| {
                                                data_sv.with_value(|d| health::plan_cleanup(state, d, &sku))
                                            }}
                                        >
                                            {format!(
                                                "Plan removing {} direct {} license(s)",
                                                covered,
                                                product,
                                            )}
                                        </button>
                                    }
                                })}
                        </div>
                    }
                })
                .collect_view()}
        </section>
    }
}

fn scroll_to(id: &str) {
    if let Some(el) =
        web_sys::window().and_then(|w| w.document()).and_then(|d| d.get_element_by_id(&format!("kind-{id}")))
    {
        el.scroll_into_view();
    }
}

#[component]
fn Notes(notes: Vec<String>) -> impl IntoView {
    (!notes.is_empty()).then(|| {
        view! {
            <ul class="notes" data-testid="health-notes">
                {notes.into_iter().map(|n| view! { <li>{n}</li> }).collect_view()}
            </ul>
        }
    })
}

/// Per product, the button that plans removing the direct licenses that conflict with a group's
/// (the members then need reprocessing, offered on the report after applying).
#[component]
fn ConflictFixes(data: Arc<HealthData>) -> impl IntoView {
    let state = use_state();
    let fixes = data.conflicts.clone();
    let data_sv = StoredValue::new(data);
    view! {
        <div class="conflict-fixes" data-testid="conflict-fixes">
            <p class="hint">
                "Entra never resolves a conflict by itself: removing the direct license is your decision. \
                After applying, reprocess the members (offered on the report) so Entra assigns the group's license."
            </p>
            <div class="actions">
                {fixes
                    .into_iter()
                    .map(|f| {
                        let sku = f.sku_id.clone();
                        view! {
                            <button
                                type="button"
                                data-sku={f.sku_id.clone()}
                                on:click={move |_| {
                                    data_sv.with_value(|d| health::plan_fix_conflicts(state, d, &sku))
                                }}
                            >
                                {format!(
                                    "Plan the fix: remove the direct {} license of {} member(s)",
                                    f.product,
                                    f.members.len(),
                                )}
                            </button>
                        }
                    })
                    .collect_view()}
            </div>
        </div>
    }
}

#[component]
fn KindSection(
    kind: LicenseErrorKind,
    issues: Vec<MemberIssue>,
    #[prop(optional)] children: Option<Children>,
) -> impl IntoView {
    let id = format!("kind-{}", kind.code());
    let title_id = format!("{id}-title");
    view! {
        <section class="card health-kind" id={id} data-kind={kind.code()} aria-labelledby={title_id.clone()}>
            <h2 id={title_id.clone()} class="card-title">
                {format!("{} ({})", kind.title(), issues.len())}
            </h2>
            <ul class="health-issues">
                {issues
                    .into_iter()
                    .map(|i| {
                        view! {
                            <li class="health-issue" data-user={i.user.name.clone()}>
                                <p>
                                    <strong>{i.user.name.clone()}</strong>
                                    {i.group.as_ref().map(|g| format!(" — group {}", g.name))}
                                    " — "
                                    {i.products.join(" + ")}
                                    " "
                                    <span class="tag">{i.code.clone()}</span>
                                </p>
                                <p class="what">{i.what.clone()}</p>
                                <p class="fix">
                                    <span class="label">"Fix: "</span>
                                    {i.fix.clone()}
                                </p>
                            </li>
                        }
                    })
                    .collect_view()}
            </ul>
            {children.map(|c| c())}
        </section>
    }
}
