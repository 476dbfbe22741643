//! The application shell: banner, header, navigation and the screen of the current route.
use crate::routes::Route;
use crate::state::{use_state, AppState, Mode};
use crate::views;
use leptos::prelude::*;
use licswap_sim::fixtures::DEMO_TENANT_NAME;

#[component]
pub fn App() -> impl IntoView {
    let state = AppState::new();
    provide_context(state);
    let read_hash = move || {
        let hash = web_sys::window().and_then(|w| w.location().hash().ok()).unwrap_or_default();
        let route = Route::parse(&hash);
        // `AppState::go` sets the address and the route together; the hashchange that follows
        // names the screen already shown. Setting it again would build that screen a second
        // time, dropping what the admin did on it meanwhile and taking focus back to main.
        if state.route.get_untracked() != route {
            state.route.set(route);
        }
    };
    read_hash();
    let _ = window_event_listener(leptos::ev::hashchange, move |_| read_hash());
    // A tab that closes (or reloads) mid-run keeps its run as at sign-out, bound to this tenant and
    // app registration (see kept_run), so that another tab signed in to them can resume it: Entra
    // may take hours to process a group swap and the apply screen tells the admin they may close
    // the tab meanwhile. A reload finds its own plan first and drops this copy (kept_run::adopt_kept).
    let _ = window_event_listener(leptos::ev::pagehide, move |_| {
        if let Mode::Live { config, signed_in: true } = state.mode.get_untracked() {
            if crate::app_mode::unfinished_run() {
                crate::kept_run::keep_for_later(&config);
            }
        }
    });
    leptos::task::spawn_local(crate::app_mode::start(state));
    // A new screen: move focus to it, so keyboard and screen-reader users start at its top.
    Effect::new(move |prev: Option<()>| {
        state.route.track();
        if prev.is_some() {
            focus_main();
        }
    });

    view! {
        <a
            class="skip-link"
            href="#main"
            on:click={|ev| {
                ev.prevent_default();
                focus_main();
            }}
        >
            "Skip to content"
        </a>
        <Banner />
        <header class="app-header">
            <div class="brand">
                <span class="logo" aria-hidden="true">
                    "⇄"
                </span>
                <div>
                    <p class="app-title">"licswap"</p>
                    <p class="tagline">
                        "Preview and apply Microsoft 365 license swaps with no loss of service"
                    </p>
                </div>
            </div>
            <views::signin::AccountBox />
        </header>
        <Nav />
        <main id="main" tabindex="-1">
            <Notice />
            {move || screen(state.route.get())}
        </main>
    }
}

fn focus_main() {
    use wasm_bindgen::JsCast;
    if let Some(el) = web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.get_element_by_id("main"))
        .and_then(|e| e.dyn_into::<web_sys::HtmlElement>().ok())
    {
        let _ = el.focus();
    }
}

fn screen(route: Route) -> AnyView {
    let state = use_state();
    let shared = matches!(route, Route::SharedPreview(_) | Route::OpenShared | Route::ApprovedLink(_));
    // A shared preview needs no tenant: the mode settling at start-up must not rebuild it (and
    // drop the file a reviewer has just opened).
    let mode = if shared { state.mode.get_untracked() } else { state.mode.get() };
    if mode == Mode::Starting && !shared {
        return view! {
            <p class="loading" role="status">
                "Starting…"
            </p>
        }.into_any();
    }
    if !shared && matches!(mode, Mode::NeedsConfig { .. } | Mode::Live { signed_in: false, .. }) {
        // Nothing can be read before signing in: the sign-in screen stands in for every screen.
        return view! { <views::signin::SignInScreen /> }.into_any();
    }
    match route {
        Route::Overview => later(lazy_overview()),
        r @ (Route::Migrate
        | Route::Preview
        | Route::SharedPreview(_)
        | Route::OpenShared
        | Route::Apply
        | Route::ApprovedLink(_)
        | Route::ApplyApproved
        | Route::Report
        | Route::Health) => later(lazy_screen(r)),
        Route::SignIn => view! { <views::signin::SignInScreen /> }.into_any(),
        Route::NotFound(p) => view! {
            <section>
                <h1>"Page not found"</h1>
                <p>"There is no page “" {p} "”. " <a href="#/">"Go to the tenant overview"</a></p>
            </section>
        }
        .into_any(),
    }
}

#[component]
fn Banner() -> impl IntoView {
    let state = use_state();
    move || match state.mode.get() {
        Mode::Demo => Some(view! {
            <div class="demo-banner" role="status">
                <strong>"Demo tenant"</strong>
                " — "
                {DEMO_TENANT_NAME}
                ": simulated data, nothing leaves this page and no sign-in is needed. "
                <a href="#/signin">"Use your own tenant"</a>
            </div>
        }),
        _ => None,
    }
}

#[component]
fn Nav() -> impl IntoView {
    let state = use_state();
    let tab = move |name: &'static str, href: &'static str, label: &'static str| {
        view! {
            <li>
                <a href={href} aria-current={move || (state.route.get().tab() == name).then_some("page")}>
                    {label}
                </a>
            </li>
        }
    };
    view! {
        <nav class="steps" aria-label="Steps">
            <ol>
                {tab("overview", "#/", "Tenant")} {tab("migrate", "#/migrate", "Migrate")}
                {tab("preview", "#/preview", "Preview")} {tab("apply", "#/apply", "Apply")}
                {tab("report", "#/report", "Report")}
            </ol>
        </nav>
    }
}

#[component]
fn Notice() -> impl IntoView {
    let state = use_state();
    move || {
        state.notice.get().map(|msg| {
            view! {
                <div class="notice" role="alert">
                    <p>{msg}</p>
                    <button type="button" class="link" on:click={move |_| state.notice.set(None)}>
                        "Dismiss"
                    </button>
                </div>
            }
        })
    }
}

/// A screen whose code is a lazily loaded chunk (Leptos `#[lazy]`, split by `cargo xtask
/// split-wasm`): the first download holds only the shell and sign-in (the first-download budget,
/// ARCHITECTURE.md). Each `lazy_*` below must stay its own function: that is the unit the split
/// moves.
fn later(f: impl std::future::Future<Output = AnyView> + Send + 'static) -> AnyView {
    view! {
        <Suspense fallback={|| {
            view! {
                <p class="loading" role="status">
                    "Loading…"
                </p>
            }
        }}>{Suspend::new(f)}</Suspense>
    }
        .into_any()
}

/// The overview: the first screen of the demo and of a signed-in admin, a split unit of its own
/// so that it loads little.
#[lazy]
fn lazy_overview() -> AnyView {
    view! { <views::overview::Overview /> }.into_any()
}

/// Loads the overview's split file without drawing it (before the app mounts: first_screen.rs).
pub async fn preload_overview() {
    __preload_lazy_overview().await
}

/// Every other screen, as one split unit. wasm-split makes a chunk for every set of units that
/// share code, so one unit per screen (ten units) cut the app into 139 wasm files, most under 2 KB:
/// the demo's first screen fetched and instantiated over 60 of them in two waves. One unit for
/// the screens after the overview leaves far fewer chunks, at the price of loading every screen's
/// code with the first of them.
#[lazy]
fn lazy_screen(route: Route) -> AnyView {
    match route {
        Route::Migrate => view! { <views::wizard::Wizard /> }.into_any(),
        Route::Preview => view! { <views::preview::PreviewScreen /> }.into_any(),
        Route::SharedPreview(enc) => view! { <views::share::SharedLink encoded={enc} /> }.into_any(),
        Route::OpenShared => view! { <views::share::OpenShared /> }.into_any(),
        Route::Apply => view! { <views::apply::ApplyScreen /> }.into_any(),
        Route::ApprovedLink(enc) => view! { <views::share::ApprovedLink encoded={enc} /> }.into_any(),
        Route::ApplyApproved => view! { <views::approve_apply::ApplyApprovedScreen /> }.into_any(),
        Route::Report => view! { <views::report::ReportScreen /> }.into_any(),
        Route::Health => view! { <views::health::HealthScreen /> }.into_any(),
        // `screen` sends only the routes above here (the overview has its own unit).
        Route::Overview | Route::SignIn | Route::NotFound(_) => ().into_any(),
    }
}
