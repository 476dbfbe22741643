//! What the executor needs from Microsoft Graph, as a small trait, so the state machine is tested
//! against fakes and runs against the real client (through an adapter) unchanged.
use crate::model::{AssignLicenseBody, Group, User};
use crate::plan::{fingerprint_group, fingerprint_user, Subject};
use std::future::Future;

/// A target as read back from Graph (`GET /users/{id}?$select=id,userPrincipalName,
/// assignedLicenses,licenseAssignmentStates`, `GET /groups/{id}?$select=id,displayName,
/// assignedLicenses`).
#[derive(Clone, Debug, PartialEq)]
pub enum TargetState {
    User(User),
    Group(Group),
}

impl TargetState {
    /// The same digest the planner stamped on the action.
    pub fn fingerprint(&self) -> String {
        match self {
            TargetState::User(u) => fingerprint_user(u),
            TargetState::Group(g) => fingerprint_group(g),
        }
    }
}

/// A group's license processing as Graph reports it: its members with their
/// `licenseAssignmentStates`, and the ids in `GET /groups/{id}/membersWithLicenseErrors`.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct GroupProcessing {
    pub members: Vec<User>,
    pub members_with_license_errors: Vec<String>,
    /// Said when the errors list could not be read and the members' own license states were
    /// all there was to go on.
    pub note: Option<String>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ApiErrorKind {
    /// Graph answered with an error: the request was refused, nothing changed.
    Graph,
    /// Throttled (429) or a transient 5xx even after the client's retries: not applied, may be
    /// retried later.
    Transient,
    /// The request never left (network down, CORS): not applied.
    Unreachable,
    /// The request may or may not have reached Graph: the outcome is unknown until the target is
    /// read back.
    ResponseLost,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ApiError {
    pub kind: ApiErrorKind,
    /// HTTP status, when there was a response.
    pub status: Option<u16>,
    /// Graph's `error.code` (e.g. `Request_ResourceNotFound`), or a licswap code.
    pub code: String,
    pub message: String,
}

impl ApiError {
    /// licswap's code for a request that never left (network down, CORS).
    pub const UNREACHABLE: &'static str = "Unreachable";
    /// Graph's code for a user or group that does not exist.
    pub const NOT_FOUND: &'static str = "Request_ResourceNotFound";

    pub fn graph(status: u16, code: impl Into<String>, message: impl Into<String>) -> Self {
        ApiError {
            kind: ApiErrorKind::Graph,
            status: Some(status),
            code: code.into(),
            message: message.into(),
        }
    }

    pub fn transient(status: Option<u16>, code: impl Into<String>, message: impl Into<String>) -> Self {
        ApiError { kind: ApiErrorKind::Transient, status, code: code.into(), message: message.into() }
    }

    pub fn unreachable(message: impl Into<String>) -> Self {
        ApiError {
            kind: ApiErrorKind::Unreachable,
            status: None,
            code: Self::UNREACHABLE.into(),
            message: message.into(),
        }
    }

    pub fn response_lost(message: impl Into<String>) -> Self {
        ApiError {
            kind: ApiErrorKind::ResponseLost,
            status: None,
            code: "ResponseLost".into(),
            message: message.into(),
        }
    }

    /// The target no longer exists (deleted since planning).
    pub fn is_not_found(&self) -> bool {
        self.status == Some(404) || self.code == Self::NOT_FOUND
    }

    /// Not applied and worth trying again later.
    pub fn is_retryable(&self) -> bool {
        matches!(self.kind, ApiErrorKind::Transient | ApiErrorKind::Unreachable)
    }
}

impl std::fmt::Display for ApiError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.status {
            Some(s) => write!(f, "{} ({s}): {}", self.code, self.message),
            None => write!(f, "{}: {}", self.code, self.message),
        }
    }
}

/// Graph operations the executor uses. Every method answers one result per input, in input
/// order (an adapter that gets fewer answers fills in [`ApiError::response_lost`] for writes).
/// An implementation maps each call onto one JSON `$batch` (at most 20 requests) and does its own
/// retrying of 429/5xx; what it still cannot do comes back as [`ApiErrorKind::Transient`].
pub trait LicenseApi {
    fn read_targets(&self, targets: &[Subject]) -> impl Future<Output = Vec<Result<TargetState, ApiError>>>;

    /// `POST /users/{id}/assignLicense` or `POST /groups/{id}/assignLicense`, one per entry.
    fn assign(
        &self,
        batch: &[(Subject, AssignLicenseBody)],
    ) -> impl Future<Output = Vec<Result<(), ApiError>>>;

    fn read_group_processing(
        &self,
        group_id: &str,
    ) -> impl Future<Output = Result<GroupProcessing, ApiError>>;

    /// Free seats of `sku_id` now (`prepaidUnits.enabled - consumedUnits`), or `None` when this
    /// API cannot tell: the executor then sends group swaps without its seat check.
    fn free_seats(&self, sku_id: &str) -> impl Future<Output = Result<Option<i64>, ApiError>> {
        let _ = sku_id;
        async { Ok(None) }
    }
}
