//! The typed Graph calls the planner and the apply step need, each asking only for the fields
//! they read.
use super::batch::{get_item, post_item, BatchItemResult};
use super::cancel::CancelToken;
use super::client::GraphClient;
use super::error::GraphError;
use super::http::{Clock, Transport};
use crate::model::{AssignLicenseBody, BatchRequestItem, Group, Page, SubscribedSku, User};
use super::request::{
    encode_path_segment, has_sku_filter, require_guid, PathQuery, GROUP_SELECT, SKU_SELECT, USER_SELECT,
};
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

/// Group-based licensing licenses users only (not devices, contacts, or nested groups' members),
/// so other member types are left out. A member without a type is kept.
fn user_ids(members: Vec<IdOnly>) -> Vec<String> {
    members
        .into_iter()
        .filter(|m| m.odata_type.as_deref().is_none_or(|t| t.eq_ignore_ascii_case("#microsoft.graph.user")))
        .map(|m| m.id)
        .collect()
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

pub(crate) fn skus_path() -> String {
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
    let ok = r.result.as_ref().map_err(Clone::clone)?;
    let body = ok.body.clone().ok_or_else(|| GraphError::decode(what, "the answer had no body"))?;
    serde_json::from_value(body).map_err(|e| GraphError::decode(what, e))
}

impl<T: Transport, C: Clock> GraphClient<T, C> {
    /// `GET /subscribedSkus`: every SKU with its seats and service plans.
    pub async fn list_skus(&self) -> Result<Vec<SubscribedSku>, GraphError> {
        self.get_all(&skus_path(), "the subscribed SKUs", &mut |_| {}).await
    }

    /// The tenant's display name (`GET /organization`), for titles and shared previews.
    pub async fn tenant_name(&self) -> Result<Option<String>, GraphError> {
        let cancel = self.cancel_token();
        let page: Page<Organization> =
            self.get_json(&organization_path(), "the organization", &cancel).await?;
        Ok(page.value.into_iter().next().and_then(|o| o.display_name))
    }

    /// Every user holding `sku_id`, directly or through a group, with their license states.
    /// `on_page` gets the count read so far.
    pub async fn list_users_with_sku(
        &self,
        sku_id: &str,
        on_page: &mut dyn FnMut(usize),
    ) -> Result<Vec<User>, GraphError> {
        let cancel = self.cancel_token();
        self.users_with_sku(sku_id, &cancel, on_page).await
    }

    pub(crate) async fn users_with_sku(
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
        self.get_all_with(&q, &format!("the holders of SKU {sku_id}"), cancel, on_page).await
    }

    /// Every group that assigns `sku_id` (group-based licensing).
    pub async fn list_groups_with_sku(&self, sku_id: &str) -> Result<Vec<Group>, GraphError> {
        let cancel = self.cancel_token();
        self.groups_with_sku(sku_id, &cancel).await
    }

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
        self.get_all_with(&q, &format!("the groups assigning SKU {sku_id}"), cancel, &mut |_| {}).await
    }

    pub async fn get_user(&self, id: &str) -> Result<User, GraphError> {
        let cancel = self.cancel_token();
        self.get_json(&user_path(id), &format!("user {id}"), &cancel).await
    }

    pub async fn get_group(&self, id: &str) -> Result<Group, GraphError> {
        let cancel = self.cancel_token();
        self.get_json(&group_path(id), &format!("group {id}"), &cancel).await
    }

    /// The ids of a group's direct user members (group-based licensing does not reach nested
    /// groups' members, so direct members are the ones licensed).
    pub async fn list_group_member_ids(&self, group_id: &str) -> Result<Vec<String>, GraphError> {
        let q = members_path(group_id, self.config.page_size);
        let members: Vec<IdOnly> =
            self.get_all(&q, &format!("the members of group {group_id}"), &mut |_| {}).await?;
        Ok(user_ids(members))
    }

    /// Members whose license from this group is in an error state (read their
    /// `licenseAssignmentStates` with [`GraphClient::get_users_batch`] for the detail).
    pub async fn members_with_license_errors(&self, group_id: &str) -> Result<Vec<String>, GraphError> {
        let q = PathQuery::new(format!("/groups/{}/membersWithLicenseErrors", encode_path_segment(group_id)))
            .select(&["id"])
            .top(self.config.page_size)
            .build();
        let what = format!("the members with license errors of group {group_id}");
        let members: Vec<IdOnly> = self.get_all(&q, &what, &mut |_| {}).await?;
        Ok(members.into_iter().map(|m| m.id).collect())
    }

    /// `POST /users/{id}/assignLicense`. Graph answers with the user; the apply step reads license
    /// states back separately, so only success is reported.
    pub async fn assign_license_user(&self, id: &str, body: &AssignLicenseBody) -> Result<(), GraphError> {
        self.assign_license(TargetKind::User, id, body).await
    }

    /// `POST /groups/{id}/assignLicense`; Graph then processes the members asynchronously.
    pub async fn assign_license_group(&self, id: &str, body: &AssignLicenseBody) -> Result<(), GraphError> {
        self.assign_license(TargetKind::Group, id, body).await
    }

    async fn assign_license(
        &self,
        kind: TargetKind,
        id: &str,
        body: &AssignLicenseBody,
    ) -> Result<(), GraphError> {
        let item = assign_license_item("1", kind, id, body)?;
        let json = item.body.map(|b| b.to_string()).unwrap_or_default();
        let what =
            format!("the license change on {} {id}", if kind == TargetKind::User { "user" } else { "group" });
        let cancel = self.cancel_token();
        self.post_write(&item.url, &json, &what, &cancel).await.map(|_| ())
    }

    /// Many users at once through `$batch`, answered per id in the order given (a deleted user is
    /// a 404 error for that id only).
    pub async fn get_users_batch(
        &self,
        ids: &[String],
    ) -> Result<Vec<(String, Result<User, GraphError>)>, GraphError> {
        let cancel = self.cancel_token();
        self.users_batch(ids, &cancel).await
    }

    pub(crate) async fn users_batch(
        &self,
        ids: &[String],
        cancel: &CancelToken,
    ) -> Result<Vec<(String, Result<User, GraphError>)>, GraphError> {
        self.read_batch(ids, user_path, "user", cancel).await
    }

    pub async fn get_groups_batch(
        &self,
        ids: &[String],
    ) -> Result<Vec<(String, Result<Group, GraphError>)>, GraphError> {
        let cancel = self.cancel_token();
        self.groups_batch(ids, &cancel).await
    }

    pub(crate) async fn groups_batch(
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
        let answers = self.batch_with(items, cancel).await?;
        Ok(ids
            .iter()
            .zip(answers)
            .map(|(id, a)| (id.clone(), batch_body(&a, &format!("{noun} {id}"))))
            .collect())
    }

    /// The direct member ids of many groups, every page, with the first pages of 20 groups in each
    /// `$batch` and later pages batched the same way.
    pub async fn group_member_ids_batch(
        &self,
        group_ids: &[String],
    ) -> Result<Vec<(String, Result<Vec<String>, GraphError>)>, GraphError> {
        let cancel = self.cancel_token();
        self.members_batch(group_ids, &cancel, &mut |_| {}).await
    }

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
            let answers = self.batch_with(items, cancel).await?;
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
