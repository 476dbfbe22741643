//! Sign-in: the configuration form (client id, tenant, cloud) or the configured tenant's sign-in
//! button, which names the hosts the tokens will go to; and the account box in the header.
use super::components::ErrorBox;
use crate::app_mode;
use crate::auth::flow;
use crate::config::{Cloud, Config};
use crate::state::{use_state, Mode};
use crate::storage::{self, keys, Area};
use leptos::prelude::*;

#[component]
pub fn SignInScreen() -> impl IntoView {
    let state = use_state();
    move || match state.mode.get() {
        Mode::Live { config, signed_in: true } => view! {
            <section>
                <h1>"Signed in"</h1>
                <p>
                    {format!("Signed in to {}. ", config.tenant)}<a href="#/">"Go to the tenant overview"</a>
                </p>
                <SignOutButton />
            </section>
        }
        .into_any(),
        Mode::Live { config, signed_in: false } => view! { <ConfiguredSignIn config={config} /> }.into_any(),
        Mode::NeedsConfig { error } => view! { <ConfigForm error={error} /> }.into_any(),
        _ => view! { <ConfigForm error={None} /> }.into_any(),
    }
}

#[component]
fn ConfiguredSignIn(config: Config) -> impl IntoView {
    let state = use_state();
    let error = RwSignal::new(None::<String>);
    let cfg = StoredValue::new(config.clone());
    // The addresses actually used, not the cloud's name: config.json may name its own (in the test
    // build, sim-server's), and the admin sees where the tokens go before signing in.
    let (sign_in_host, graph_host) = config.effective_hosts();
    let go = move |_| {
        if let Err(e) = flow::sign_in(&cfg.get_value(), crate::config::ScopeSet::READ, &flow::current_hash())
        {
            error.set(Some(e));
        }
    };
    view! {
        <section aria-labelledby="signin-title" class="narrow">
            <h1 id="signin-title">"Sign in"</h1>
            <p>{format!("Tenant {}", config.tenant)}</p>
            <p class="hosts" data-testid="effective-hosts">
                {format!(
                    "Signs in at {sign_in_host} · reads and writes through Microsoft Graph at {graph_host}",
                )}
            </p>
            <p class="hint">
                "licswap asks only to read users, groups and licenses. Permission to change licenses is asked for when you apply."
            </p>
            <div class="actions">
                <button type="button" on:click={go}>
                    "Sign in with Microsoft"
                </button>
                <button
                    type="button"
                    class="secondary"
                    on:click={move |_| {
                        storage::remove(Area::Local, keys::CONFIG);
                        state.mode.set(Mode::NeedsConfig { error: None });
                    }}
                >
                    "Use another tenant or app"
                </button>
                <button type="button" class="link" on:click={move |_| app_mode::use_demo(state)}>
                    "Use the demo tenant"
                </button>
            </div>
            {move || error.get().map(|e| view! { <ErrorBox title="Cannot sign in" detail={e} /> })}
        </section>
    }
}

#[component]
fn ConfigForm(error: Option<String>) -> impl IntoView {
    let state = use_state();
    let remembered: Config =
        storage::get_json::<Config>(Area::Local, keys::CONFIG).map(Config::remembered).unwrap_or_default();
    let client_id = RwSignal::new(remembered.client_id.clone());
    let tenant = RwSignal::new(remembered.tenant.clone());
    let cloud = RwSignal::new(remembered.cloud);
    let problem = RwSignal::new(error.map(|e| format!("{e} Enter the configuration below instead.")));
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        // The form names no endpoints: the cloud decides them (see Config::remembered).
        let cfg = Config {
            client_id: client_id.get_untracked(),
            tenant: tenant.get_untracked(),
            cloud: cloud.get_untracked(),
            // No endpoints, and no four-eyes policy (the host's, in config.json only).
            ..Config::default()
        };
        match cfg.validated() {
            Ok(cfg) => {
                if let Err(e) = flow::sign_in(&cfg, crate::config::ScopeSet::READ, &flow::current_hash()) {
                    problem.set(Some(e));
                }
            }
            Err(e) => problem.set(Some(crate::text::sentence(&e))),
        }
    };
    let text = |id: &'static str, label: &'static str, hint: &'static str, sig: RwSignal<String>| {
        view! {
            <div class="field">
                <label for={id}>{label}<span class="hint">{hint}</span></label>
                <input
                    id={id}
                    type="text"
                    spellcheck="false"
                    autocomplete="off"
                    prop:value={move || sig.get()}
                    on:input={move |ev| sig.set(event_target_value(&ev))}
                />
            </div>
        }
    };
    view! {
        <section aria-labelledby="signin-title" class="narrow">
            <h1 id="signin-title">"Sign in to your tenant"</h1>
            <p class="muted">
                "licswap runs in your browser and talks to Microsoft Graph directly. It needs an app registration of type Single-page application with this page's address as redirect URI ("
                <code>{crate::browser::page_base()}</code>")."
            </p>
            {move || problem.get().map(|e| view! { <ErrorBox title="Configuration problem" detail={e} /> })}
            <form class="card" on:submit={submit} novalidate>
                {text(
                    "client-id",
                    "Application (client) ID",
                    " — from the app registration's overview",
                    client_id,
                )}
                {text("tenant", "Tenant", " — domain (contoso.onmicrosoft.com) or tenant id", tenant)}
                <div class="field">
                    <label for="cloud">"Cloud"</label>
                    <select
                        id="cloud"
                        on:change={move |ev| {
                            cloud.set(Cloud::from_key(&event_target_value(&ev)).unwrap_or_default())
                        }}
                    >
                        {Cloud::ALL
                            .into_iter()
                            .map(|c| {
                                view! {
                                    <option value={c.key()} selected={move || cloud.get() == c}>
                                        {c.label()}
                                    </option>
                                }
                            })
                            .collect_view()}
                    </select>
                </div>
                <p class="hint">"Remembered in this browser (no password or token is ever stored)."</p>
                <div class="actions">
                    <button type="submit">"Sign in with Microsoft"</button>
                    <button type="button" class="link" on:click={move |_| app_mode::use_demo(state)}>
                        "Use the demo tenant instead"
                    </button>
                </div>
            </form>
        </section>
    }
}

/// Header: who is signed in where, and sign in/out.
#[component]
pub fn AccountBox() -> impl IntoView {
    let state = use_state();
    move || match state.mode.get() {
        Mode::Demo => view! {
            <div class="account">
                <span class="tag warn">"Demo"</span>
                <a href="#/signin">"Sign in"</a>
            </div>
        }
        .into_any(),
        Mode::Live { config, signed_in: true } => view! {
            <div class="account">
                <span>{format!("Signed in · {}", config.tenant)}</span>
                <SignOutButton />
            </div>
        }
        .into_any(),
        Mode::Live { .. } | Mode::NeedsConfig { .. } => view! {
            <div class="account">
                <a class="button" href="#/signin">
                    "Sign in"
                </a>
            </div>
        }
        .into_any(),
        Mode::Starting => view! { <div class="account"></div> }.into_any(),
    }
}

/// Sign out. With an unfinished run in this browser it asks first: by default everything goes;
/// keeping the run is the admin's explicit choice.
#[component]
fn SignOutButton() -> impl IntoView {
    let state = use_state();
    let asking = RwSignal::new(false);
    let click = move |_| {
        if app_mode::unfinished_run() {
            asking.set(true);
        } else {
            app_mode::sign_out(state, false);
        }
    };
    view! {
        <button type="button" class="secondary" on:click={click}>
            "Sign out"
        </button>
        {move || {
            asking
                .get()
                .then(|| {
                    view! {
                        <div class="signout-choice" role="dialog" aria-label="An unfinished run">
                            <p>
                                "A run in this browser has not finished. Signing out removes its plan and journal unless you keep them (for this tenant and app registration, for 3 days)."
                            </p>
                            <button type="button" on:click={move |_| app_mode::sign_out(state, false)}>
                                "Sign out and discard the run"
                            </button>
                            <button
                                type="button"
                                class="secondary"
                                on:click={move |_| app_mode::sign_out(state, true)}
                            >
                                "Sign out and keep the run"
                            </button>
                            <button type="button" class="link" on:click={move |_| asking.set(false)}>
                                "Cancel"
                            </button>
                        </div>
                    }
                })
        }}
    }
}
