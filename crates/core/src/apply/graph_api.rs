//! [`LicenseApi`] over licswap's own [`GraphClient`]: what the app and the integration tests run
//! the executor with. Reads and writes go out as JSON `$batch` requests of up to 20; the client
//! retries throttling and transient failures, and what it still cannot do is mapped onto
//! [`ApiErrorKind`] here.
use super::api::{ApiError, GroupProcessing, LicenseApi, TargetState};
use crate::graph::calls::{assign_license_item, reprocess_item};
use crate::graph::cancel::CancelToken;
use crate::graph::client::GraphClient;
use crate::graph::error::GraphError;
use crate::graph::http::{Clock, Transport, TransportError};
use crate::model::{AssignLicenseBody, BatchRequestItem, User};
use crate::plan::{Subject, TargetKind};

pub struct GraphLicenseApi<'a, T, C> {
    pub client: &'a GraphClient<T, C>,
    /// Never cancelled: a run stops through its [`super::Control`] between batches, and a batch
    /// once sent is let finish so that every write in it is recorded.
    cancel: CancelToken,
    /// Graph refused `membersWithLicenseErrors` once: not asked again by this adapter.
    errors_list_refused: std::cell::Cell<bool>,
}

impl<'a, T, C> GraphLicenseApi<'a, T, C> {
    pub fn new(client: &'a GraphClient<T, C>) -> Self {
        GraphLicenseApi {
            client,
            cancel: CancelToken::new(),
            errors_list_refused: std::cell::Cell::new(false),
        }
    }
}

const ERRORS_LIST_REFUSED: &str = "Graph refused the group's membersWithLicenseErrors list to this sign-in \
     (Microsoft documents no permission for it); each member's own license states were used instead";

/// What each call needs when Graph answers 403, from the least-privileged delegated permission
/// of its API page and the roles that may assign licenses:
/// <https://learn.microsoft.com/graph/api/user-get>, <https://learn.microsoft.com/graph/api/group-list-members>,
/// <https://learn.microsoft.com/graph/api/user-assignlicense>, <https://learn.microsoft.com/graph/api/group-assignlicense>.
const READ_USERS: &str = "reading users' licenses needs the delegated permission User.Read.All";
const READ_GROUPS: &str =
    "reading groups and their members needs the delegated permission GroupMember.Read.All";
const WRITE: &str = "assigning licenses needs the delegated permission LicenseAssignment.ReadWrite.All \
                     (admin consent) and a License Administrator, User Administrator or (for groups) \
                     Groups Administrator role";

/// Adds to a 403 which permission or role the refused call needs.
fn needs(mut e: ApiError, what: &str) -> ApiError {
    if e.status == Some(403) && !e.message.contains(what) {
        e.message = format!("{} ({what})", e.message.trim_end_matches('.'));
    }
    e
}

/// How the executor should treat a client error.
pub fn api_error(e: &GraphError) -> ApiError {
    match e {
        GraphError::Http(h) => ApiError::graph(h.status, h.code.clone(), h.message.clone()),
        GraphError::RetriesExhausted { last, .. } => {
            let status = last.status();
            let code = last.graph_code().unwrap_or("RetriesExhausted").to_string();
            ApiError::transient(status, code, e.to_string())
        }
        GraphError::Transport(TransportError::Unreachable(m)) => ApiError::unreachable(m.clone()),
        GraphError::Transport(TransportError::ResponseLost(m)) => ApiError::response_lost(m.clone()),
        GraphError::UnknownOutcome { detail, .. } => ApiError::response_lost(detail.clone()),
        // A 2xx whose body could not be read: the call happened; the executor reads back.
        GraphError::Decode { .. } => ApiError::response_lost(e.to_string()),
        GraphError::Cancelled => ApiError::unreachable("cancelled before it was sent"),
        // Sign-in needed: nothing was sent; the admin signs in and resumes.
        GraphError::Auth(m) => ApiError::transient(Some(401), "AuthenticationRequired", m.clone()),
        GraphError::Invalid(m) => ApiError::graph(400, "Invalid", m.clone()),
    }
}

impl<T: Transport, C: Clock> LicenseApi for GraphLicenseApi<'_, T, C> {
    async fn read_targets(&self, targets: &[Subject]) -> Vec<Result<TargetState, ApiError>> {
        let mut out: Vec<Result<TargetState, ApiError>> = targets
            .iter()
            .map(|_| Err(ApiError::graph(400, "Invalid", "a SKU is not a user or group")))
            .collect();
        for (kind, permission) in [(TargetKind::User, READ_USERS), (TargetKind::Group, READ_GROUPS)] {
            let (at, ids): (Vec<usize>, Vec<String>) = targets
                .iter()
                .enumerate()
                .filter(|(_, t)| t.kind == kind)
                .map(|(i, t)| (i, t.id.clone()))
                .unzip();
            if ids.is_empty() {
                continue;
            }
            let read: Result<Vec<Result<TargetState, GraphError>>, GraphError> = if kind == TargetKind::User {
                let rs = self.client.users_batch(&ids, &self.cancel).await;
                rs.map(|rs| rs.into_iter().map(|(_, r)| r.map(TargetState::User)).collect())
            } else {
                let rs = self.client.groups_batch(&ids, &self.cancel).await;
                rs.map(|rs| rs.into_iter().map(|(_, r)| r.map(TargetState::Group)).collect())
            };
            match read {
                Ok(rs) => {
                    for (i, r) in at.iter().zip(rs) {
                        out[*i] = r.map_err(|e| needs(api_error(&e), permission));
                    }
                }
                Err(e) => {
                    let e = needs(api_error(&e), permission);
                    at.iter().for_each(|i| out[*i] = Err(e.clone()));
                }
            }
        }
        out
    }

    async fn assign(&self, batch: &[(Subject, AssignLicenseBody)]) -> Vec<Result<(), ApiError>> {
        let built = batch
            .iter()
            .enumerate()
            .map(|(i, (s, body))| assign_license_item(i.to_string(), s.kind, &s.id, body))
            .collect();
        self.post_all(built, WRITE).await
    }

    /// The members' license states, and the group's `membersWithLicenseErrors`. Microsoft
    /// documents no permission for that navigation property (there is no v1.0 API page for it;
    /// only the group resource lists it: <https://learn.microsoft.com/graph/api/resources/group>),
    /// so a tenant may refuse it under the permissions licswap asks for (GroupMember.Read.All).
    /// When refused, the members' own `licenseAssignmentStates` (state and error per license,
    /// <https://learn.microsoft.com/graph/api/resources/licenseassignmentstate>) are all there is
    /// to go on, and the report says so.
    async fn read_group_processing(&self, group_id: &str) -> Result<GroupProcessing, ApiError> {
        let members = match self
            .client
            .members_with_states(group_id)
            .await
            .map_err(|e| needs(api_error(&e), READ_GROUPS))?
        {
            Some(m) => m,
            None => self.members_one_by_one(group_id).await.map_err(|e| needs(e, READ_GROUPS))?,
        };
        if self.errors_list_refused.get() {
            return Ok(GroupProcessing {
                members,
                members_with_license_errors: Vec::new(),
                note: Some(ERRORS_LIST_REFUSED.into()),
            });
        }
        let (members_with_license_errors, note) =
            match self.client.members_with_license_errors(group_id).await {
                Ok(ids) => (ids, None),
                Err(e) if e.status() == Some(403) => {
                    self.errors_list_refused.set(true);
                    (Vec::new(), Some(ERRORS_LIST_REFUSED.to_string()))
                }
                Err(e) => return Err(api_error(&e)),
            };
        Ok(GroupProcessing { members, members_with_license_errors, note })
    }

    async fn free_seats(&self, sku_id: &str) -> Result<Option<i64>, ApiError> {
        let skus = self.client.list_skus().await.map_err(|e| api_error(&e))?;
        Ok(skus
            .iter()
            .find(|s| crate::model::same_id(&s.sku_id, sku_id))
            .map(|s| s.prepaid_units.enabled - s.consumed_units))
    }
}

/// What reprocessing needs when Graph answers 403
/// (<https://learn.microsoft.com/graph/api/user-reprocesslicenseassignment>).
const REPROCESS: &str = "reprocessing a user's licenses needs the delegated permission User.ReadWrite.All \
                         (admin consent) and a License Administrator, User Administrator or Directory Writers role";

impl<T: Transport, C: Clock> GraphLicenseApi<'_, T, C> {
    /// Reprocesses the users' group licenses, 20 to a `$batch`, answered per user in order. Not
    /// journaled like a license write: reprocessing changes no assignment (Entra re-evaluates the
    /// group licenses already there), so sending it again is harmless.
    pub async fn reprocess_users(&self, user_ids: &[String]) -> Vec<Result<(), ApiError>> {
        let built = user_ids.iter().enumerate().map(|(i, id)| reprocess_item(i.to_string(), id)).collect();
        self.post_all(built, REPROCESS).await
    }

    /// Sends the POSTs `built` in one `$batch` (an entry that could not be built is refused
    /// without sending) and answers each in order, naming `permission` on a 403.
    async fn post_all(
        &self,
        built: Vec<Result<BatchRequestItem, GraphError>>,
        permission: &str,
    ) -> Vec<Result<(), ApiError>> {
        let mut out: Vec<Option<Result<(), ApiError>>> = vec![None; built.len()];
        let mut items = Vec::new();
        let mut sent = Vec::new();
        for (i, item) in built.into_iter().enumerate() {
            match item {
                Ok(item) => {
                    items.push(item);
                    sent.push(i);
                }
                Err(e) => out[i] = Some(Err(api_error(&e))),
            }
        }
        if !items.is_empty() {
            match self.client.batch(items, &self.cancel).await {
                Ok(answers) => {
                    for (i, a) in sent.iter().zip(answers) {
                        out[*i] = Some(a.result.map(|_| ()).map_err(|e| api_error(&e)));
                    }
                }
                // Refused before sending (duplicate ids): nothing went out.
                Err(e) => sent.iter().for_each(|i| out[*i] = Some(Err(api_error(&e)))),
            }
        }
        out.into_iter()
            .map(|r| {
                r.unwrap_or_else(|| Err(ApiError::response_lost("no answer")))
                    .map_err(|e| needs(e, permission))
            })
            .collect()
    }

    /// The members with their license states one `$batch` read at a time, for a service whose
    /// member list carries no license states.
    async fn members_one_by_one(&self, group_id: &str) -> Result<Vec<User>, ApiError> {
        let ids = self.client.list_group_member_ids(group_id).await.map_err(|e| api_error(&e))?;
        let mut members = Vec::with_capacity(ids.len());
        for (id, r) in self.client.users_batch(&ids, &self.cancel).await.map_err(|e| api_error(&e))? {
            match r {
                Ok(u) => members.push(u),
                // A member removed meanwhile is no longer licensed by the group.
                Err(e) if e.is_not_found() => {}
                Err(e) => return Err(ApiError { message: format!("member {id}: {e}"), ..api_error(&e) }),
            }
        }
        Ok(members)
    }
}
