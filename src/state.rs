//! The app's shared state: which mode it runs in, what was loaded, the current request and plan,
//! the apply screen's run. Signals hold plain data; the handles that are not `Send` (the Graph
//! client, the sign-in session, the running apply's controls) are local stored values beside them,
//! as the page has one thread.
use crate::auth::session::Session;
use crate::config::Config;
use crate::routes::Route;
use crate::transport::{AppTransport, BrowserClock};
use crate::wizard_form::WizardForm;
use leptos::prelude::*;
use licswap_core::apply::{Control, RunProgress, RunReport, VerifyReport};
use licswap_core::graph::CancelToken;
use licswap_core::model::SubscribedSku;
use licswap_core::plan::{Plan, Snapshot};
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

/// Something loaded from the tenant.
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

pub type AppClient = licswap_core::graph::client::GraphClient<AppTransport, BrowserClock>;

#[derive(Clone, Copy)]
pub struct AppState {
    pub route: RwSignal<Route>,
    pub mode: RwSignal<Mode>,
    /// Shown in the header and banner.
    pub tenant_name: RwSignal<Option<String>>,
    pub skus: RwSignal<Load<Vec<SubscribedSku>>>,
    /// What was read for the wizard's source SKU (holders, groups): reused by the preview.
    pub snapshot: RwSignal<Load<Arc<Snapshot>>>,
    /// The source SKU `snapshot` was read for.
    pub snapshot_source: RwSignal<String>,
    /// While `snapshot` loads: (done, total) of the phase in progress, for a progress bar.
    pub snapshot_progress: RwSignal<Option<(u64, u64)>>,
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
    /// The license-health screen's read and diagnosis.
    pub health: RwSignal<Load<Arc<crate::health_data::HealthData>>>,
    /// Reprocessing the members of an applied conflict fix (the report screen).
    pub reprocess: RwSignal<crate::health_data::Reprocess>,
}

impl AppState {
    pub fn new() -> Self {
        AppState {
            route: RwSignal::new(Route::Overview),
            mode: RwSignal::new(Mode::Starting),
            tenant_name: RwSignal::new(None),
            skus: RwSignal::new(Load::Idle),
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
            health: RwSignal::new(Load::Idle),
            reprocess: RwSignal::new(Default::default()),
        }
    }

    /// The Graph connection of the current mode, once there is one.
    pub fn client(&self) -> Option<Rc<AppClient>> {
        self.client.get_value()
    }

    pub fn set_client(&self, client: Option<AppClient>) {
        self.client.set_value(client.map(Rc::new));
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
        self.form.set(WizardForm::default());
        self.skus.set(Load::Idle);
        self.apply.set(ApplyStatus::default());
        self.reprocess.set(Default::default());
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
