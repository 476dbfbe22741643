//! The typed Graph calls the planner and the apply step need, each asking only for the fields
//! they read.
use super::batch::{get_item, post_item, BatchItemResult};
use super::cancel::CancelToken;
use super::client::GraphClient;
use super::error::GraphError;
use super::http::{Clock, Transport};
use super::request::{
    encode_path_segment, has_sku_filter, require_guid, PathQuery, GROUP_SELECT, MAX_PAGE_SIZE, SKU_SELECT,
    USER_SELECT,
};
use crate::model::{AssignLicenseBody, BatchRequestItem, Group, Page, SubscribedSku, User};
use crate::plan::TargetKind;
use serde::de::DeserializeOwned;
use serde::Deserialize;

/// A directory object read with `$select=id` (group members may be users, groups, devices...).
#[derive(Deserialize)]
struct IdOnly {
    id: String,
    #[serde(rename = "@odata.type", default)]
    odata_type: Option<String>,
}

/// A group member read with the user's license states: any directory object, so its type comes
/// with it.
#[derive(Deserialize)]
struct MemberUser {
    #[serde(flatten)]
    user: User,
    #[serde(rename = "@odata.type", default)]
    odata_type: Option<String>,
}

/// Group-based licensing licenses users only (not devices, contacts, or nested groups' members),
/// so other member types are left out. A member without a type is kept.
fn is_user(odata_type: Option<&str>) -> bool {
    odata_type.is_none_or(|t| t.eq_ignore_ascii_case("#microsoft.graph.user"))
}

fn user_ids(members: Vec<IdOnly>) -> Vec<String> {
    members.into_iter().filter(|m| is_user(m.odata_type.as_deref())).map(|m| m.id).collect()
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct Organization {
    #[serde(default)]
    pub display_name: Option<String>,
}

pub(crate) fn organization_path() -> String {
    PathQuery::new("/organization").select(&["displayName"]).build()
}

/// The path (below Graph's version) of `GET /subscribedSkus` as this client asks it: the demo
/// answers this very request from a recording (the app's `src/transport/demo_first.rs`).
pub fn skus_path() -> String {
    PathQuery::new("/subscribedSkus").select(SKU_SELECT).build()
}

fn user_path(id: &str) -> String {
    PathQuery::new(format!("/users/{}", encode_path_segment(id))).select(USER_SELECT).build()
}

fn group_path(id: &str) -> String {
    PathQuery::new(format!("/groups/{}", encode_path_segment(id))).select(GROUP_SELECT).build()
}

fn members_path(group_id: &str, page_size: u32) -> String {
    PathQuery::new(format!("/groups/{}/members", encode_path_segment(group_id)))
        .select(&["id"])
        .top(page_size)
        .build()
}

/// The `assignLicense` call for a user or group, as a `$batch` item with the given id: what the
/// executor sends.
pub fn assign_license_item(
    item_id: impl Into<String>,
    kind: TargetKind,
    target_id: &str,
    body: &AssignLicenseBody,
) -> Result<BatchRequestItem, GraphError> {
    let target_id = require_guid("target id", target_id)?;
    let Some(collection) = kind.graph_collection() else {
        return Err(GraphError::Invalid(format!("{target_id} is a SKU; licenses go to users and groups")));
    };
    let json =
        serde_json::to_value(body).map_err(|e| GraphError::Invalid(format!("assignLicense body: {e}")))?;
    Ok(post_item(item_id, format!("/{collection}/{target_id}/assignLicense"), json))
}

/// `POST /users/{id}/reprocessLicenseAssignment` as a `$batch` item: Entra processes every group
/// license of the user again, which clears errors whose cause is gone. Graph documents it for
/// users only (<https://learn.microsoft.com/graph/api/user-reprocesslicenseassignment>), with
/// User.ReadWrite.All as its least-privileged delegated permission, not the license permission.
pub fn reprocess_item(item_id: impl Into<String>, user_id: &str) -> Result<BatchRequestItem, GraphError> {
    let user_id = require_guid("user id", user_id)?;
    Ok(post_item(item_id, format!("/users/{user_id}/reprocessLicenseAssignment"), serde_json::json!({})))
}

/// Reads a successful batch item's body as `D`.
pub fn batch_body<D: DeserializeOwned>(r: &BatchItemResult, what: &str) -> Result<D, GraphError> {
    r.result.as_ref().map_err(Clone::clone)?.read(what)
}

/// The answers of a batch read that were found, in order. A 404 drops its id (deleted since it
/// was listed, or not of the kind read: either way nothing licensed to plan for); any other error
/// fails the whole read.
pub(crate) fn drop_not_found<D>(answers: Vec<(String, Result<D, GraphError>)>) -> Result<Vec<D>, GraphError> {
    let mut found = Vec::with_capacity(answers.len());
    for (_, r) in answers {
        match r {
            Ok(d) => found.push(d),
            Err(e) if e.is_not_found() => {}
            Err(e) => return Err(e),
        }
    }
    Ok(found)
}

impl<T: Transport, C: Clock> GraphClient<T, C> {
    /// `GET /subscribedSkus`: every SKU with its seats and service plans.
    pub async fn list_skus(&self) -> Result<Vec<SubscribedSku>, GraphError> {
        self.get_all(&skus_path(), "the subscribed SKUs", &CancelToken::new(), &mut |_| {}).await
    }

    /// Every user holding `sku_id`, directly or through a group, with their license states.
    /// `on_page` gets the count read so far.
    pub async fn users_with_sku(
        &self,
        sku_id: &str,
        cancel: &CancelToken,
        on_page: &mut dyn FnMut(usize),
    ) -> Result<Vec<User>, GraphError> {
        let sku_id = require_guid("SKU id", sku_id)?;
        let q = PathQuery::new("/users")
            .filter(has_sku_filter(sku_id))
            .select(USER_SELECT)
            .top(self.config.page_size)
            .build();
        self.get_all(&q, &format!("the holders of SKU {sku_id}"), cancel, on_page).await
    }

    /// Every group that assigns `sku_id` (group-based licensing).
    pub(crate) async fn groups_with_sku(
        &self,
        sku_id: &str,
        cancel: &CancelToken,
    ) -> Result<Vec<Group>, GraphError> {
        let sku_id = require_guid("SKU id", sku_id)?;
        let q = PathQuery::new("/groups")
            .filter(has_sku_filter(sku_id))
            .select(GROUP_SELECT)
            .top(self.config.page_size)
            .build();
        self.get_all(&q, &format!("the groups assigning SKU {sku_id}"), cancel, &mut |_| {}).await
    }

    /// The ids of a group's direct user members (group-based licensing does not reach nested
    /// groups' members, so direct members are the ones licensed).
    pub async fn list_group_member_ids(&self, group_id: &str) -> Result<Vec<String>, GraphError> {
        let q = members_path(group_id, self.config.page_size);
        let what = format!("the members of group {group_id}");
        let members: Vec<IdOnly> = self.get_all(&q, &what, &CancelToken::new(), &mut |_| {}).await?;
        Ok(user_ids(members))
    }

    /// A group's user members with their license states in one paged list (999 a page), instead
    /// of one read per member: `GET /groups/{id}/members?$select=id,userPrincipalName,
    /// displayName,licenseAssignmentStates`. `None` when the answer carries no license states at
    /// all (a service that does not return derived-type properties on `members`).
    /// <https://learn.microsoft.com/en-us/graph/api/group-list-members>
    pub async fn members_with_states(&self, group_id: &str) -> Result<Option<Vec<User>>, GraphError> {
        let id = require_guid("group id", group_id)?;
        let q = PathQuery::new(format!("/groups/{}/members", encode_path_segment(id)))
            .select(&["id", "userPrincipalName", "displayName", "licenseAssignmentStates"])
            .top(MAX_PAGE_SIZE)
            .build();
        let what = format!("the members of group {group_id}");
        let members: Vec<MemberUser> = self.get_all(&q, &what, &CancelToken::new(), &mut |_| {}).await?;
        let users: Vec<User> =
            members.into_iter().filter(|m| is_user(m.odata_type.as_deref())).map(|m| m.user).collect();
        if !users.is_empty() && users.iter().all(|u| u.license_assignment_states.is_empty()) {
            return Ok(None);
        }
        Ok(Some(users))
    }

    /// Members whose license from this group is in an error state (read their
    /// `licenseAssignmentStates` with [`GraphClient::users_batch`] for the detail).
    pub async fn members_with_license_errors(&self, group_id: &str) -> Result<Vec<String>, GraphError> {
        let q = PathQuery::new(format!("/groups/{}/membersWithLicenseErrors", encode_path_segment(group_id)))
            .select(&["id"])
            .top(self.config.page_size)
            .build();
        let what = format!("the members with license errors of group {group_id}");
        let members: Vec<IdOnly> = self.get_all(&q, &what, &CancelToken::new(), &mut |_| {}).await?;
        Ok(members.into_iter().map(|m| m.id).collect())
    }

    /// Many users at once through `$batch`, answered per id in the order given (a deleted user is
    /// a 404 error for that id only).
    pub async fn users_batch(
        &self,
        ids: &[String],
        cancel: &CancelToken,
    ) -> Result<Vec<(String, Result<User, GraphError>)>, GraphError> {
        self.read_batch(ids, user_path, "user", cancel).await
    }

    /// Many groups at once through `$batch`, answered per id as [`GraphClient::users_batch`].
    pub async fn groups_batch(
        &self,
        ids: &[String],
        cancel: &CancelToken,
    ) -> Result<Vec<(String, Result<Group, GraphError>)>, GraphError> {
        self.read_batch(ids, group_path, "group", cancel).await
    }

    async fn read_batch<D: DeserializeOwned>(
        &self,
        ids: &[String],
        path: fn(&str) -> String,
        noun: &str,
        cancel: &CancelToken,
    ) -> Result<Vec<(String, Result<D, GraphError>)>, GraphError> {
        let items = ids.iter().enumerate().map(|(n, id)| get_item(n.to_string(), path(id))).collect();
        let answers = self.batch(items, cancel).await?;
        Ok(ids
            .iter()
            .zip(answers)
            .map(|(id, a)| (id.clone(), batch_body(&a, &format!("{noun} {id}"))))
            .collect())
    }

    /// The direct member ids of many groups, every page, with the first pages of 20 groups in each
    /// `$batch` and later pages batched the same way.
    pub(crate) async fn members_batch(
        &self,
        group_ids: &[String],
        cancel: &CancelToken,
        on_round: &mut dyn FnMut(usize),
    ) -> Result<Vec<(String, Result<Vec<String>, GraphError>)>, GraphError> {
        let mut members: Vec<Result<Vec<String>, GraphError>> = vec![Ok(Vec::new()); group_ids.len()];
        // (group index, relative URL of its next page)
        let mut next: Vec<(usize, String)> =
            group_ids.iter().enumerate().map(|(n, g)| (n, members_path(g, self.config.page_size))).collect();
        while !next.is_empty() {
            cancel.check()?;
            let items = next.iter().map(|(n, url)| get_item(n.to_string(), url.clone())).collect();
            let answers = self.batch(items, cancel).await?;
            let mut following = Vec::new();
            for ((n, url), answer) in next.into_iter().zip(answers) {
                let what = format!("the members of group {}", group_ids[n]);
                let page = batch_body::<Page<IdOnly>>(&answer, &what).and_then(|p| {
                    let link =
                        p.next_link.as_deref().map(|l| self.base().relative_in_batch(l)).transpose()?;
                    if link.as_deref() == Some(url.as_str()) {
                        return Err(GraphError::decode(&what, "a page links to itself"));
                    }
                    Ok((p.value, link))
                });
                match (page, &mut members[n]) {
                    (Ok((value, link)), Ok(ids)) => {
                        ids.extend(user_ids(value));
                        following.extend(link.map(|l| (n, l)));
                    }
                    (Err(e), slot) => *slot = Err(e),
                    (Ok(_), Err(_)) => {}
                }
            }
            on_round(members.iter().filter_map(|m| m.as_ref().ok()).map(Vec::len).sum());
            next = following;
        }
        Ok(group_ids.iter().cloned().zip(members).collect())
    }
}
