//! Everything about the simulator that a test, the demo or sim-server's command line can change.
use crate::auth::ClientApp;
use crate::throttle::ThrottleConfig;

/// Injected failures, drawn from the simulator's seeded PRNG so a run is reproducible.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Faults {
    /// Probability that a Graph request (or a request inside a `$batch`) fails with a 5xx
    /// before it is processed.
    pub server_error_rate: f64,
    /// Extra latency per request, uniform in `latency_ms.0 ..= latency_ms.1` (transport level).
    pub latency_ms: (u64, u64),
    /// Probability that a request is processed but its response is lost (transport level:
    /// `TransportError::ResponseLost` in process, a closed connection over HTTP).
    pub drop_rate: f64,
}

#[derive(Clone, Debug, PartialEq)]
pub struct SimConfig {
    pub seed: u64,
    /// Graph calls need a valid bearer token with the right scope.
    pub require_auth: bool,
    pub clients: Vec<ClientApp>,
    pub token_lifetime_ms: u64,
    /// Scopes `.default` grants (the app registration's configured permissions).
    pub default_scopes: Vec<String>,
    /// Time from a group change to its members' licenses being processed.
    pub group_delay_ms: u64,
    pub throttle: ThrottleConfig,
    pub faults: Faults,
    /// Reads that lag writes (see `replica.rs`): each Graph GET sees the tenant as it was a lag
    /// drawn uniformly from `lo ..= hi` ms earlier. Off (`(0, 0)`) by default: Microsoft gives no
    /// bound, and existing tests assume read-your-writes.
    pub read_lag_ms: (u64, u64),
    /// `Access-Control-Expose-Headers` on every cross-origin answer: the response headers a page
    /// may read. Graph's, by default ([`GRAPH_EXPOSED_HEADERS`]).
    pub cors_expose_headers: String,
    /// Entra's rule: a member's group license in error stays so until the group is processed
    /// again or the user reprocessed, even when its cause is gone. Off by default only because
    /// existing journeys assert the simulator's older self-healing (a phase-2 direct swap turning
    /// the group's entry Active by itself); sim-server `--errors-stay-until-reprocessed`.
    pub errors_stay_until_reprocessed: bool,
}

/// The headers Graph exposes to browsers, as its documentation's sample responses show them
/// (<https://learn.microsoft.com/en-us/graph/api/profilephoto-get>, "Response":
/// `Access-Control-Expose-Headers: ETag, Location, Preference-Applied, Content-Range, request-id,
/// client-request-id`). `Retry-After` is not among them: a page cannot read a throttled
/// response's `Retry-After` (reported in microsoftgraph/microsoft-graph-docs#17488 and
/// msgraph-sdk-design#76, 2022), nor the `x-ms-throttle-*` headers. Inside a `$batch` answer
/// each item's headers are JSON and stay readable.
pub const GRAPH_EXPOSED_HEADERS: &str =
    "ETag, Location, Preference-Applied, Content-Range, request-id, client-request-id";

/// The client id sim-server and the tests register by default.
pub const DEFAULT_CLIENT_ID: &str = "11111111-2222-4333-8444-555555555555";

impl Default for SimConfig {
    fn default() -> Self {
        SimConfig {
            seed: 1,
            require_auth: true,
            clients: vec![ClientApp {
                client_id: DEFAULT_CLIENT_ID.into(),
                redirect_uris: vec!["http://localhost:8080/".into(), "http://127.0.0.1:8080/".into()],
            }],
            // Entra's default access-token lifetime is 60-90 minutes; take the lower bound.
            token_lifetime_ms: 3_600_000,
            // The permissions the README asks the app registration to list, plus the broader
            // reads older test registrations used.
            default_scopes: vec![
                "User.Read".into(),
                "User.Read.All".into(),
                "GroupMember.Read.All".into(),
                "LicenseAssignment.Read.All".into(),
                "Group.Read.All".into(),
                "Organization.Read.All".into(),
                "LicenseAssignment.ReadWrite.All".into(),
            ],
            group_delay_ms: 5_000,
            throttle: ThrottleConfig::default(),
            faults: Faults::default(),
            read_lag_ms: (0, 0),
            cors_expose_headers: GRAPH_EXPOSED_HEADERS.into(),
            errors_stay_until_reprocessed: false,
        }
    }
}

impl SimConfig {
    /// The in-browser demo: no sign-in, Graph's throttling, a short group-processing delay.
    pub fn demo() -> Self {
        SimConfig { require_auth: false, group_delay_ms: 3_000, ..SimConfig::default() }
    }

    /// Native tests: no sign-in, no throttling, no faults, group processing after 1 s.
    pub fn test() -> Self {
        SimConfig {
            require_auth: false,
            group_delay_ms: 1_000,
            throttle: ThrottleConfig::off(),
            ..SimConfig::default()
        }
    }
}
