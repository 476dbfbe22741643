//! The wizard's scope step: every holder, chosen groups, chosen users, or a pasted/uploaded list.
use super::components::{count, plural, AlertLine};
use crate::browser;
use crate::state::{use_state, Load};
use crate::wizard_form::{search_users, toggle, FormList, ScopeChoice};
use leptos::prelude::*;
use licswap_core::model::same_id;

#[component]
pub fn ScopePicker() -> impl IntoView {
    let state = use_state();
    // A memo, so ticking a box (which edits the form) does not rebuild the panel under the cursor.
    let choice = Memo::new(move |_| state.form.with(|f| f.scope));
    let radio = move |value: ScopeChoice, label: &'static str| {
        view! {
            <label class="check">
                <input
                    type="radio"
                    name="scope"
                    prop:checked={move || choice.get() == value}
                    on:change={move |_| state.form.update(|f| f.scope = value)}
                />
                <span>{label}</span>
            </label>
        }
    };
    view! {
        <fieldset>
            <legend>"2. Who"</legend>
            <div class="radios">
                {radio(ScopeChoice::AllHolders, "Everyone who holds the source license")}
                {radio(ScopeChoice::Groups, "Members of chosen groups")}
                {radio(ScopeChoice::Users, "Chosen users")}
                {radio(ScopeChoice::List, "A list of users (paste or upload)")}
            </div>
            {move || match choice.get() {
                ScopeChoice::AllHolders => view! { <AllHolders /> }.into_any(),
                ScopeChoice::Groups => view! { <GroupPicker /> }.into_any(),
                ScopeChoice::Users => view! { <UserPicker /> }.into_any(),
                ScopeChoice::List => view! { <ListPicker /> }.into_any(),
            }}
        </fieldset>
    }
}

#[component]
fn AllHolders() -> impl IntoView {
    let state = use_state();
    move || match state.snapshot.get() {
        Load::Ready(s) => view! {
            <p class="hint">
                {format!(
                    "{} direct or inherited holders; inherited ones move with their group's swap.",
                    count(s.users.len() as i64),
                )}
            </p>
        }
        .into_any(),
        _ => view! { <p class="hint">"Choose the source license first."</p> }.into_any(),
    }
}

#[component]
fn GroupPicker() -> impl IntoView {
    let state = use_state();
    move || {
        let Load::Ready(snap) = state.snapshot.get() else {
            return view! { <p class="hint">"Choose the source license to see the groups that assign it."</p> }.into_any();
        };
        if snap.groups.is_empty() {
            return view! { <p class="hint">"No group assigns the source license."</p> }.into_any();
        }
        view! {
            <ul class="plain pick-list" aria-label="Groups that assign the source license">
                {snap
                    .groups
                    .iter()
                    .map(|g| {
                        let id = g.group.id.clone();
                        let tags = [
                            g.group.is_dynamic().then_some("dynamic"),
                            g.group.is_synced().then_some("synced from on-premises"),
                        ];
                        view! {
                            <li>
                                <label class="check">
                                    <ListCheckbox list={FormList::Groups} id={id} />
                                    <span>
                                        {g.group.label().to_string()}
                                        <span class="muted">
                                            " — " {plural(g.member_ids.len(), "member", "members")}
                                        </span>
                                        {tags
                                            .into_iter()
                                            .flatten()
                                            .map(|t| view! { <span class="tag warn">{t}</span> })
                                            .collect_view()}
                                    </span>
                                </label>
                            </li>
                        }
                    })
                    .collect_view()}
            </ul>
        }
        .into_any()
    }
}

#[component]
fn UserPicker() -> impl IntoView {
    let state = use_state();
    let query = RwSignal::new(String::new());
    let results = move || {
        let q = query.get();
        match state.snapshot.get() {
            Load::Ready(s) => search_users(&s, &q, 50)
                .into_iter()
                .map(|u| (u.id.clone(), u.label().to_string(), u.display_name.clone().unwrap_or_default()))
                .collect::<Vec<_>>(),
            _ => Vec::new(),
        }
    };
    let name_of = move |id: &str| {
        match state.snapshot.get_untracked() {
            Load::Ready(s) => s.users.iter().find(|u| same_id(&u.id, id)).map(|u| u.label().to_string()),
            _ => None,
        }
        .unwrap_or_else(|| id.to_string())
    };
    view! {
        <div class="field">
            <label for="user-search">"Search the holders by name or UPN"</label>
            <input
                id="user-search"
                type="search"
                autocomplete="off"
                placeholder="e.g. adele or @contoso.com"
                prop:value={move || query.get()}
                on:input={move |ev| query.set(event_target_value(&ev))}
            />
        </div>
        <ul class="plain pick-list" aria-label="Matching users" aria-live="polite">
            {move || {
                results()
                    .into_iter()
                    .map(|(id, upn, name)| {
                        view! {
                            <li>
                                <label class="check">
                                    <ListCheckbox list={FormList::Users} id={id} />
                                    <span>{upn}<span class="muted">" " {name}</span></span>
                                </label>
                            </li>
                        }
                    })
                    .collect_view()
            }}
        </ul>
        <p class="hint" role="status">
            {move || plural(state.form.with(|f| f.users.len()), "user chosen", "users chosen")}
        </p>
        <ul class="chips" aria-label="Chosen users">
            {move || {
                state
                    .form
                    .with(|f| f.users.clone())
                    .into_iter()
                    .map(|id| {
                        let label = name_of(&id);
                        let aria = format!("Remove {label}");
                        view! {
                            <li class="chip">
                                {label}
                                <button
                                    type="button"
                                    class="link"
                                    aria-label={aria}
                                    on:click={move |_| {
                                        state.form.update(|f| toggle(&mut f.users, &id, false))
                                    }}
                                >
                                    "×"
                                </button>
                            </li>
                        }
                    })
                    .collect_view()
            }}
        </ul>
    }
}

#[component]
fn ListPicker() -> impl IntoView {
    let state = use_state();
    let file_error = RwSignal::new(None::<String>);
    let on_file = move |ev: leptos::ev::Event| {
        leptos::task::spawn_local(async move {
            match browser::read_chosen_file(&ev).await {
                Ok(Some((_, text))) => {
                    file_error.set(None);
                    state.form.update(|f| f.list_text = text);
                }
                Ok(None) => {}
                Err(e) => file_error.set(Some(e)),
            }
        });
    };
    let parsed = Memo::new(move |_| {
        let l = state.form.with(|f| f.parsed_list());
        (l.entries.len(), l.duplicates.len(), l.errors)
    });
    view! {
        <div class="field">
            <label for="user-list">
                "User principal names or object ids"
                <span class="hint">
                    " — one a line, or separated by commas; a CSV export with a UserPrincipalName column works too"
                </span>
            </label>
            <textarea
                id="user-list"
                spellcheck="false"
                prop:value={move || state.form.with(|f| f.list_text.clone())}
                on:input={move |ev| state.form.update(|f| f.list_text = event_target_value(&ev))}
            ></textarea>
        </div>
        <div class="field">
            <label for="user-file">"Or upload a file (.txt or .csv)"</label>
            <input id="user-file" type="file" accept=".txt,.csv,text/plain,text/csv" on:change={on_file} />
        </div>
        <AlertLine error={file_error} />
        {move || {
            let (n, dups, errors) = parsed.get();
            let summary = format!(
                "{} read{}",
                plural(n, "user", "users"),
                if dups > 0 { format!(", {dups} duplicates ignored") } else { String::new() },
            );
            view! {
                <p class="hint" role="status">
                    {summary}
                </p>
                {(!errors.is_empty())
                    .then(|| {
                        view! {
                            <div class="error-box" role="alert">
                                <p class="error-title">
                                    {plural(
                                        errors.len(),
                                        "line was not understood",
                                        "lines were not understood",
                                    )}
                                </p>
                                <ul>
                                    {errors
                                        .into_iter()
                                        .take(50)
                                        .map(|b| {
                                            view! {
                                                <li>
                                                    {format!("Line {}: ", b.line)}<code>{b.text}</code>
                                                    {format!(" — {}", b.reason)}
                                                </li>
                                            }
                                        })
                                        .collect_view()}
                                </ul>
                            </div>
                        }
                    })}
            }
        }}
    }
}

/// A checkbox that keeps `id` in one of the wizard form's lists.
#[component]
pub fn ListCheckbox(list: FormList, id: String) -> impl IntoView {
    let state = use_state();
    let checked = {
        let id = id.clone();
        move || state.form.with(|f| list.holds(f, &id))
    };
    let change = move |ev| {
        let on = event_target_checked(&ev);
        state.form.update(|f| toggle(list.of_mut(f), &id, on))
    };
    view! { <input type="checkbox" prop:checked={checked} on:change={change} /> }
}
