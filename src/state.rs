//! The app's shared state: which mode it runs in, what was loaded, the current request and plan,
//! the apply screen's run. Signals hold plain data; the handles that are not `Send` (the Graph
//! client, the sign-in session, the running apply's controls) are local stored values beside them,
//! as the page has one thread. Loads that are plain reads are Leptos resources and actions
//! (`crate::loads`); this module only keeps them.
use crate::auth::session::Session;
use crate::config::Config;
use crate::routes::Route;
use crate::transport::{AppTransport, BrowserClock};
use crate::wizard_form::WizardForm;
use leptos::prelude::*;
use licswap_core::apply::{Control, RunProgress, RunReport, VerifyReport};
use licswap_core::graph::CancelToken;
use licswap_core::model::SubscribedSku;
use licswap_core::plan::Plan;
use licswap_planner::Indexed;
use std::rc::Rc;
use std::sync::Arc;

/// How the app reaches a tenant.
#[derive(Clone, Debug, PartialEq)]
pub enum Mode {
    /// Reading config.json, or finishing a sign-in redirect.
    Starting,
    /// No configuration: the in-page demo tenant.
    Demo,
    /// A real tenant (or sim-server) is configured; `signed_in` once a token is held.
    Live { config: Config, signed_in: bool },
    /// No usable configuration: the sign-in form, with the problem when there was one.
    NeedsConfig { error: Option<String> },
}

impl Mode {
    pub fn can_read(&self) -> bool {
        matches!(self, Mode::Demo | Mode::Live { signed_in: true, .. })
    }
}

/// The holders' snapshot, which is loaded by hand rather than as a resource: its load says what it
/// is reading as it goes (a million holders take minutes), is cancelled when the admin picks
/// other sources, and is also started by the preview's "plan again".
#[derive(Clone, Debug, PartialEq)]
pub enum Load<T> {
    Idle,
    Loading(String),
    Ready(T),
    Failed(String),
}

/// Where the plan on the preview screen comes from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum PlanOrigin {
    /// Planned here from the tenant: can be applied.
    Local,
    /// Opened from a shared link or file: read-only.
    Shared,
}

/// The apply screen's state.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct ApplyStatus {
    pub running: bool,
    pub paused: bool,
    pub progress: Option<RunProgress>,
    pub report: Option<Arc<RunReport>>,
    pub error: Option<String>,
    pub verify: Option<Arc<VerifyReport>>,
    pub verifying: bool,
}

/// What a screen says when it needs the tenant and there is no Graph connection.
pub const NOT_CONNECTED: &str = "Not connected to a tenant: sign in first.";

/// The subscriptions, by product name, or why they could not be read. Shared, not copied, by each
/// read: a screen's read of a resource clones its value, and a tenant's subscriptions hold hundreds
/// of service plans (the overview's first screen reads them once per card).
pub type SkusResource = LocalResource<Result<Arc<[SubscribedSku]>, String>>;

/// The license-health screen's read and diagnosis, or why it failed.
pub type HealthAction = Action<(), Result<Arc<crate::health_data::HealthData>, String>>;

pub type AppClient = licswap_core::graph::client::GraphClient<AppTransport, BrowserClock>;

#[derive(Clone, Copy)]
pub struct AppState {
    pub route: RwSignal<Route>,
    pub mode: RwSignal<Mode>,
    /// Shown in the header and banner.
    pub tenant_name: RwSignal<Option<String>>,
    /// Bumped whenever the Graph client changes: resources that read the tenant track it.
    pub connection: RwSignal<u64>,
    /// The tenant's subscriptions (`crate::loads::skus`), once a screen has asked for them.
    skus: StoredValue<Option<SkusResource>, LocalStorage>,
    /// The app's root owner: resources made on a screen's first use live as long as the app.
    owner: StoredValue<Owner, LocalStorage>,
    /// What was read for the wizard's source SKU (holders, groups): reused by the preview.
    pub snapshot: RwSignal<Load<Arc<Indexed>>>,
    /// The source SKU `snapshot` was read for.
    pub snapshot_source: RwSignal<String>,
    /// While `snapshot` loads: its progress line and bar (`crate::load_status`). Apart from
    /// `snapshot`, which changes only when a load starts and ends: what reads `snapshot` is not
    /// redrawn at every report.
    pub snapshot_progress: RwSignal<Option<crate::load_status::Shown>>,
    /// Stops the snapshot load in progress, while there is one.
    snapshot_load: StoredValue<Option<CancelToken>, LocalStorage>,
    /// The wizard's choices, kept while moving between screens.
    pub form: RwSignal<WizardForm>,
    /// Why the last preview could not be planned.
    pub plan_error: RwSignal<Option<String>>,
    pub plan: RwSignal<Option<Arc<Plan>>>,
    pub plan_origin: RwSignal<PlanOrigin>,
    /// A message for the whole page (sign-in failures, ...), shown with role="alert".
    pub notice: RwSignal<Option<String>>,
    /// Local (not `Sync`): the journal inside caches its counts in a `Cell`.
    pub apply: RwSignal<ApplyStatus, LocalStorage>,
    /// The Graph connection of the current mode, once there is one.
    client: StoredValue<Option<Rc<AppClient>>, LocalStorage>,
    /// Pause, resume and cancel of the run in progress, while there is one.
    pub control: StoredValue<Option<Control>, LocalStorage>,
    /// This tab's sign-in (tokens and their renewal).
    session: StoredValue<Rc<Session>, LocalStorage>,
    /// The license-health screen's read and diagnosis (`crate::health::action`), once asked for.
    health: StoredValue<Option<HealthAction>, LocalStorage>,
    /// While the health read runs: what it is reading.
    pub health_progress: RwSignal<Option<String>>,
    /// Reprocessing the members of an applied conflict fix (the report screen).
    pub reprocess: RwSignal<crate::health_data::Reprocess>,
}

impl AppState {
    pub fn new() -> Self {
        AppState {
            route: RwSignal::new(Route::Overview),
            mode: RwSignal::new(Mode::Starting),
            tenant_name: RwSignal::new(None),
            connection: RwSignal::new(0),
            skus: StoredValue::new_local(None),
            owner: StoredValue::new_local(Owner::current().unwrap_or_default()),
            snapshot: RwSignal::new(Load::Idle),
            snapshot_source: RwSignal::new(String::new()),
            snapshot_progress: RwSignal::new(None),
            snapshot_load: StoredValue::new_local(None),
            form: RwSignal::new(WizardForm::default()),
            plan_error: RwSignal::new(None),
            plan: RwSignal::new(None),
            plan_origin: RwSignal::new(PlanOrigin::Local),
            notice: RwSignal::new(None),
            apply: RwSignal::new_local(ApplyStatus::default()),
            client: StoredValue::new_local(None),
            control: StoredValue::new_local(None),
            session: StoredValue::new_local(Rc::new(Session::default())),
            health: StoredValue::new_local(None),
            health_progress: RwSignal::new(None),
            reprocess: RwSignal::new(Default::default()),
        }
    }

    /// The Graph connection of the current mode, once there is one.
    pub fn client(&self) -> Option<Rc<AppClient>> {
        self.client.get_value()
    }

    pub fn set_client(&self, client: Option<AppClient>) {
        self.client.set_value(client.map(Rc::new));
        self.connection.update(|n| *n += 1);
    }

    /// The subscriptions resource, made by `make` on first use.
    pub fn skus_resource(&self, make: impl FnOnce() -> SkusResource) -> SkusResource {
        self.app_owned(self.skus, make)
    }

    /// The health read, made by `make` on first use.
    pub fn health_action(&self, make: impl FnOnce() -> HealthAction) -> HealthAction {
        self.app_owned(self.health, make)
    }

    /// Drops the health read's result (the connection changed).
    pub fn clear_health(&self) {
        if let Some(a) = self.health.get_value() {
            a.clear();
        }
    }

    /// The handle kept in `slot`, made by `make` under the app's owner on first use: a screen's
    /// owner would dispose of it when the admin leaves the screen, and making it on first use keeps
    /// its code in the chunk of the screens that use it, out of the first download.
    fn app_owned<T: Copy + 'static>(
        &self,
        slot: StoredValue<Option<T>, LocalStorage>,
        make: impl FnOnce() -> T,
    ) -> T {
        if let Some(made) = slot.get_value() {
            return made;
        }
        let made = self.owner.with_value(|o| o.with(make));
        slot.set_value(Some(made));
        made
    }

    /// A new snapshot load's token. The load still running, if any, is for a source the admin has
    /// left: it is cancelled, so that it stops reading the tenant instead of competing with the
    /// new one for the client's requests in flight.
    pub fn start_snapshot_load(&self) -> CancelToken {
        let token = CancelToken::new();
        if let Some(stale) = self.snapshot_load.try_update_value(|t| t.replace(token.clone())).flatten() {
            stale.cancel();
        }
        token
    }

    /// This tab's sign-in.
    pub fn session(&self) -> Rc<Session> {
        self.session.get_value()
    }

    /// Forgets everything read from or planned for the tenant (at sign-out and when switching to
    /// the demo tenant): the plan and its run, what was loaded, the wizard's choices.
    pub fn forget_tenant_data(&self) {
        self.plan.set(None);
        self.plan_origin.set(PlanOrigin::Local);
        self.plan_error.set(None);
        self.snapshot.set(Load::Idle);
        self.snapshot_source.set(String::new());
        if let Some(skus) = self.skus.get_value() {
            skus.set(None);
        }
        self.clear_health();
        self.form.set(WizardForm::default());
        self.apply.set(ApplyStatus::default());
        self.reprocess.set(Default::default());
        // The tenant's SKU and group ids, shared while its data was decoded, go with it.
        licswap_core::model::SharedStr::forget_pool();
    }

    pub fn go(&self, route: Route) {
        navigate(&route);
        self.route.set(route);
    }
}

pub fn use_state() -> AppState {
    expect_context::<AppState>()
}

/// Sets `location.hash`, which also records the step in the history.
pub fn navigate(route: &Route) {
    if let Some(w) = web_sys::window() {
        let _ = w.location().set_hash(&route.href());
    }
}
