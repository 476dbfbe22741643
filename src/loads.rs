//! Reading the tenant: builds the Graph client for the current mode and runs the loads the screens
//! ask for, writing results into the app state. No view code here.
use crate::state::{AppClient, AppState, Load, Mode, SkusResource, NOT_CONNECTED};
use crate::transport::{AppTransport, BrowserClock, DemoTransport, FetchTransport, DEMO_BASE};
use leptos::prelude::*;
use licswap_core::catalog;
use licswap_core::graph::client::ClientConfig;
use licswap_core::model::SubscribedSku;
use licswap_core::plan::{Scope, Subject, TargetKind};
use licswap_sim::fixtures::DEMO_TENANT_NAME;
use std::rc::Rc;
use std::sync::Arc;

/// Builds (or drops) the Graph client for `mode`. Returns the reason when it cannot be built.
pub fn connect(state: AppState, mode: &Mode) -> Result<(), String> {
    let built = match mode {
        Mode::Demo => {
            state.tenant_name.set(Some(DEMO_TENANT_NAME.to_string()));
            let cfg = ClientConfig { base_url: DEMO_BASE.into(), ..ClientConfig::default() };
            // The demo tenant itself is made after the first screen (src/transport/demo.rs).
            let demo = DemoTransport::new();
            demo.prepare_first_screen();
            Some(AppClient::new(AppTransport::Demo(demo), BrowserClock, cfg))
        }
        Mode::Live { config, signed_in: true } => {
            state.tenant_name.set(Some(config.tenant.clone()));
            // Above a few pages of holders, Graph's pace of several hundred milliseconds per page
            // makes one sequential query the slowest part of the preview: read them in
            // partitions side by side (licswap-core's graph::holder_partitions).
            let cfg = ClientConfig::graph_paced(config.graph_base_url());
            Some(
                AppClient::new(AppTransport::Fetch(FetchTransport), BrowserClock, cfg)
                    .map(|c| c.with_tokens(state.session().token_source())),
            )
        }
        Mode::Live { config, .. } => {
            state.tenant_name.set(Some(config.tenant.clone()));
            None
        }
        _ => None,
    };
    state.clear_health();
    match built {
        Some(Ok(c)) => {
            state.set_client(Some(c));
            Ok(())
        }
        Some(Err(e)) => {
            state.set_client(None);
            Err(e.to_string())
        }
        None => {
            state.set_client(None);
            Ok(())
        }
    }
}

/// The tenant's subscriptions (`GET /subscribedSkus`), as a resource: read when a screen first
/// asks, again whenever the Graph connection changes, and on `refetch()` (the Refresh button).
pub fn skus(state: AppState) -> SkusResource {
    state.skus_resource(|| {
        LocalResource::new(move || {
            state.connection.track();
            read_skus(state.client())
        })
    })
}

async fn read_skus(client: Option<Rc<AppClient>>) -> Result<Arc<[SubscribedSku]>, String> {
    let c = client.ok_or_else(|| NOT_CONNECTED.to_string())?;
    let mut skus = c.list_skus().await.map_err(|e| e.to_string())?;
    sort_skus(&mut skus);
    Ok(skus.into())
}

/// The order the screens list subscriptions in: by product name (each looked up once, not at every
/// comparison: the lookup bisects the catalog's names table, on the overview's first screen).
fn sort_skus(skus: &mut [SubscribedSku]) {
    skus.sort_by_cached_key(|s| catalog::sku_name(s).to_ascii_lowercase());
}

/// Reads what the planner needs for `sources` (holders, groups, members of each; one SKU, or a
/// bundle's) into `state.snapshot`.
pub fn load_snapshot(state: AppState, sources: Vec<String>) {
    leptos::task::spawn_local(async move {
        fetch_snapshot(state, sources).await;
    });
}

/// As [`load_snapshot`], awaited; true when the snapshot is ready.
pub async fn fetch_snapshot(state: AppState, sources: Vec<String>) -> bool {
    let source = crate::wizard_form::source_key(&sources);
    let Some(c) = state.client() else {
        state.snapshot.set(Load::Failed(NOT_CONNECTED.into()));
        return false;
    };
    state.snapshot_source.set(source.clone());
    let cancel = state.start_snapshot_load();
    state.snapshot_progress.set(None);
    state.snapshot.set(Load::Loading("Reading the license holders…".into()));
    // The line and bar, with the time left: a million holders take minutes.
    let mut status = crate::load_status::LoadStatus::default();
    let mut progress = |p: licswap_core::graph::snapshot_load::LoadProgress| {
        if let Some(shown) = status.show(p, crate::timing::now().unwrap_or(0.0)) {
            state.snapshot_progress.set(Some(shown));
        }
    };
    crate::timing::start("licswap:load");
    let res = c.load_snapshot_of(&sources, &cancel, &mut progress).await;
    crate::timing::end("licswap:load");
    state.snapshot_progress.set(None);
    // The admin may have picked another source meanwhile, or asked for this one again (either
    // cancelled this load): keep only the current load's data.
    if cancel.is_cancelled() || state.snapshot_source.get_untracked() != source {
        return false;
    }
    match res {
        Ok(mut snap) => {
            if snap.tenant_name.is_none() {
                snap.tenant_name = state.tenant_name.get_untracked();
            }
            // The same order as `skus`, and no change when nothing changed: the wizard's
            // lists are built from these, and an admin moving through them with the arrow keys
            // must not see the options reorder under the cursor.
            let mut fresh = snap.skus.clone();
            sort_skus(&mut fresh);
            let listed = skus(state);
            if listed.with_untracked(|s| !matches!(s, Some(Ok(k)) if **k == *fresh)) {
                listed.set(Some(Ok(fresh.into())));
            }
            // Its users are indexed once, here, not at every plan of them: the wizard plans it
            // for every preview (licswap_planner::Indexed). A snapshot the planner cannot read
            // (a skuId listed twice) fails here, with the message planning would have given.
            crate::timing::start("licswap:index");
            let indexed = licswap_planner::Indexed::new(snap);
            crate::timing::end("licswap:index");
            match indexed {
                Ok(indexed) => {
                    let indexed = Arc::new(indexed);
                    state.snapshot.set(Load::Ready(indexed.clone()));
                    warm_up_later(state, indexed, sources);
                    true
                }
                Err(e) => {
                    state.snapshot.set(Load::Failed(crate::text::sentence(&e.to_string())));
                    false
                }
            }
        }
        Err(e) => {
            state.snapshot.set(Load::Failed(e.to_string()));
            false
        }
    }
}

/// Once per page, after the tenant just read is on screen: a throwaway plan of a small tenant cut
/// from it (planning::warm_up), so that the admin's first preview runs the planner's optimized
/// code. Not when a plan has been made already (it warmed the code itself) or another load
/// replaced this one.
fn warm_up_later(state: AppState, tenant: Arc<licswap_planner::Indexed>, sources: Vec<String>) {
    if crate::planning::warmed() {
        return;
    }
    leptos::task::spawn_local(async move {
        // The screen first draws what the load changed (the holders' count, the Preview button).
        gloo_timers::future::TimeoutFuture::new(0).await;
        let current = matches!(state.snapshot.get_untracked(), Load::Ready(s) if Arc::ptr_eq(&s, &tenant));
        if !current || crate::planning::warmed() {
            return;
        }
        let targets = state.form.with_untracked(|f| f.targets());
        let _ = crate::planning::warm_up(tenant.snapshot(), &sources, &targets);
    });
}

/// Reads the tenant again and plans the same swap for `only` (the targets that were stale),
/// or for the whole request when `only` is empty or mixes users and groups.
pub fn replan(state: AppState, only: Vec<Subject>) {
    if let Some(plan) = state.plan.get_untracked() {
        let mut request = plan.request.clone();
        let kinds: Vec<TargetKind> = only.iter().map(|s| s.kind).collect();
        let ids = || only.iter().map(|s| s.id.clone()).collect::<Vec<_>>();
        if !only.is_empty() && kinds.iter().all(|k| *k == TargetKind::User) {
            request.scope = Scope::Users(ids());
        } else if !only.is_empty() && kinds.iter().all(|k| *k == TargetKind::Group) {
            request.scope = Scope::Groups(ids());
        }
        state.form.set(crate::wizard_form::WizardForm::from_request(&request));
    }
    let sources = state.form.with_untracked(|f| f.sources());
    leptos::task::spawn_local(async move {
        if fetch_snapshot(state, sources).await {
            state.apply.set(Default::default());
            preview(state);
        } else if let Load::Failed(e) = state.snapshot.get_untracked() {
            state.notice.set(Some(e));
        }
    });
}

/// Accepts the loss of `plans` (adds them to the waivers of the request `plan` was made from) and
/// plans again: "accept all" on the preview. Each waived plan stays recorded in the new plan
/// (options.waivedPlans, a ServiceLossWaived finding, coverage's `waived`) and in the report.
pub fn waive_and_preview(state: AppState, request: &licswap_core::plan::PlanRequest, plans: &[String]) {
    let mut form = crate::wizard_form::WizardForm::from_request(request);
    for p in plans {
        crate::wizard_form::toggle(&mut form.waived, p, true);
    }
    state.form.set(form);
    preview(state);
}

/// Plans the shown plan's request again with its blocked users and groups set aside (the wizard's
/// choices follow, so that going back shows the option ticked).
pub fn preview_setting_aside(state: AppState) {
    let Some(plan) = state.plan.get_untracked() else { return };
    let mut request = plan.request.clone();
    request.options.set_aside_blocked = true;
    state.form.set(crate::wizard_form::WizardForm::from_request(&request));
    preview(state);
    if let Some(e) = state.plan_error.get_untracked() {
        state.notice.set(Some(e));
    }
}

/// Plans the wizard's request against the loaded snapshot and opens the preview.
pub fn preview(state: AppState) {
    let form = state.form.get_untracked();
    let request = match form.to_request() {
        Ok(r) => r,
        Err(e) => {
            state.plan_error.set(Some(e));
            return;
        }
    };
    let Load::Ready(snap) = state.snapshot.get_untracked() else {
        state.plan_error.set(Some("The tenant data is still loading; try again in a moment.".into()));
        return;
    };
    match crate::planning::plan_timed(&snap, &request) {
        Ok(plan) => {
            state.plan_error.set(None);
            state.plan.set(Some(Arc::new(plan)));
            state.plan_origin.set(crate::state::PlanOrigin::Local);
            // The apply screen's result belongs to the plan it ran: a new plan starts clean (a run
            // still going keeps its status; the apply screen refuses a second plan meanwhile).
            if !state.apply.with_untracked(|a| a.running) {
                state.apply.set(Default::default());
            }
            state.go(crate::routes::Route::Preview);
        }
        Err(e) => state.plan_error.set(Some(e)),
    }
}
