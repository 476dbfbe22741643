//! Everything about the simulator that a test, the demo or sim-server's command line can change.

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
    /// Time from a group change to its members' licenses being processed, whatever the group's
    /// size (the simulator's quick default; see `group_pace` for Entra's pace).
    pub group_delay_ms: u64,
    /// Group processing at a pace that grows with the group (`GroupPace::entra()`), instead of
    /// the fixed `group_delay_ms`. Off by default: existing tests expect seconds.
    pub group_pace: Option<GroupPace>,
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
    /// again or the user reprocessed, even when its cause is gone ("you need to trigger the
    /// processing": "Identify and resolve license assignment problems for a group",
    /// <https://learn.microsoft.com/entra/identity/users/licensing-groups-resolve-problems>; the
    /// per-user trigger: <https://learn.microsoft.com/graph/api/user-reprocesslicenseassignment>).
    /// Off by default only because existing journeys assert the simulator's older self-healing (a
    /// phase-2 direct swap turning the group's entry Active by itself); sim-server
    /// `--errors-stay-until-reprocessed`.
    pub errors_stay_until_reprocessed: bool,
    /// Inside `$batch`, a throttled item's `Retry-After` is the exact wait as a decimal ("0.334"),
    /// as Graph sends it (microsoftgraph/microsoft-graph-docs#3877). Off by default: whole seconds,
    /// which the apply-throughput test's pacing expects (with exact waits it reaches 64% of the
    /// write ceiling instead of 90%).
    pub decimal_batch_retry_after: bool,
}

/// How long group-based licensing takes to process a group of `n` members.
///
/// Microsoft publishes no rate. What it does say: processing "could take time", and "If you see
/// your changes take more than 24 hours to process group size of 60K users or less, open a
/// support ticket" (<https://learn.microsoft.com/en-us/entra/identity/users/licensing-group-advanced>,
/// "Limitations and known issues"). [`GroupPace::entra`] takes that as the pace a client must
/// survive: 86,400 s / 60,000 members = 1.44 s per member, after a wait in the queue (one
/// minute, an assumption). Groups are processed one after another per tenant. `scale` divides
/// every duration, so tests can run Entra's pace at 1/1000th (a 60,000-member group in 86 s).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct GroupPace {
    pub queue_ms: u64,
    pub per_member_ms: u64,
    /// Time divisor (1 = real time).
    pub scale: u64,
}

impl GroupPace {
    pub fn entra() -> Self {
        GroupPace { queue_ms: 60_000, per_member_ms: 1_440, scale: 1 }
    }

    /// The same pace, `factor` times faster.
    pub fn faster(self, factor: u64) -> Self {
        GroupPace { scale: self.scale.saturating_mul(factor.max(1)), ..self }
    }

    pub(crate) fn scaled(&self, ms: u64) -> u64 {
        ms / self.scale.max(1)
    }

    /// From the change to the last member processed, for a group of `members` with an empty queue.
    pub fn duration_ms(&self, members: usize) -> u64 {
        self.scaled(self.queue_ms) + self.scaled(self.per_member_ms.saturating_mul(members as u64))
    }
}

/// What queuing a group needs to know: the fixed delay, or the pace.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct GroupTiming {
    pub fixed_ms: u64,
    pub pace: Option<GroupPace>,
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
                // Asked only to reprocess members (the README lists it; least privileged for
                // https://learn.microsoft.com/graph/api/user-reprocesslicenseassignment).
                "User.ReadWrite.All".into(),
            ],
            group_delay_ms: 5_000,
            group_pace: None,
            throttle: ThrottleConfig::default(),
            faults: Faults::default(),
            read_lag_ms: (0, 0),
            cors_expose_headers: GRAPH_EXPOSED_HEADERS.into(),
            errors_stay_until_reprocessed: false,
            decimal_batch_retry_after: false,
        }
    }
}

impl SimConfig {
    pub fn group_timing(&self) -> GroupTiming {
        GroupTiming { fixed_ms: self.group_delay_ms, pace: self.group_pace }
    }

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

/// An app registration with SPA redirect URIs.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ClientApp {
    pub client_id: String,
    pub redirect_uris: Vec<String>,
}

/// Graph's throttling limits as configured (the model itself, with its sources, is in `throttle`).
#[derive(Clone, Debug, PartialEq)]
pub struct ThrottleConfig {
    pub enabled: bool,
    /// Resource units per window per app+tenant (0 = by tenant size, as documented).
    pub resource_units: u64,
    pub resource_window_ms: u64,
    /// Writes per window per app+tenant.
    pub writes: u64,
    pub write_window_ms: u64,
}

impl Default for ThrottleConfig {
    fn default() -> Self {
        ThrottleConfig {
            enabled: true,
            resource_units: 0,
            resource_window_ms: 10_000,
            writes: 3_000,
            write_window_ms: 150_000,
        }
    }
}

impl ThrottleConfig {
    pub fn off() -> Self {
        ThrottleConfig { enabled: false, ..Self::default() }
    }

    /// A write ceiling of `per_sec` writes per second with a 10-second burst (benchmarks state
    /// their throughput as a fraction of this).
    pub fn writes_per_sec(per_sec: u64) -> Self {
        ThrottleConfig { writes: per_sec * 10, write_window_ms: 10_000, ..Self::default() }
    }

    /// The sustained write ceiling, in writes per second.
    pub fn write_ceiling_per_sec(&self) -> f64 {
        self.writes as f64 * 1000.0 / self.write_window_ms as f64
    }

    pub fn resource_quota(&self, tenant_users: usize) -> u64 {
        if self.resource_units > 0 {
            self.resource_units
        } else if tenant_users < 50 {
            3_500
        } else if tenant_users <= 500 {
            5_000
        } else {
            8_000
        }
    }
}
