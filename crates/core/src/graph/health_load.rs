//! Loading what the license-health screen needs: the SKUs, every group that assigns a license
//! with its members and their license states, and the groups Graph flags as having members in
//! error with their `membersWithLicenseErrors`.
//!
//! Group licensing errors are recorded on the members of a licensing group, never reported to a
//! call ("Identify and resolve license assignment problems for a group",
//! <https://learn.microsoft.com/entra/identity/users/licensing-groups-resolve-problems>), so the
//! members of the licensing groups are every user who can be in error; reading them all also gives
//! the direct licenses a group duplicates (the direct -> group cleanup).
//!
//! Requests, for S SKUs, G licensing groups, M member pages and U members: 1 (SKUs, the tenant's
//! name and the flagged groups, in one `$batch`) + ceil(S/20) (groups by SKU) + ceil(M/20) per
//! member round + ceil(U/20) (members' states) + ceil(F/20) (the F flagged groups'
//! `membersWithLicenseErrors`, 20 to a `$batch`).
use super::batch::get_item;
use super::calls::{batch_body, drop_not_found, organization_path, skus_path, Organization};
use super::cancel::CancelToken;
use super::client::GraphClient;
use super::error::GraphError;
use super::http::{Clock, Transport};
use super::request::{has_sku_filter, PathQuery, GROUP_SELECT};
use super::snapshot_load::{LoadPhase, LoadProgress};
use crate::health::{GroupErrorList, HealthSnapshot};
use crate::model::{Group, Page, SubscribedSku};
use crate::plan::{Snapshot, SnapshotGroup};
use serde::Deserialize;
use std::collections::HashSet;

/// Microsoft documents no permission for a group's `membersWithLicenseErrors` (only the group
/// resource lists it: <https://learn.microsoft.com/graph/api/resources/group>), so a tenant may
/// refuse it to the permissions licswap asks for; the members' own states are then all there is.
pub const ERRORS_LIST_REFUSED: &str = "Graph refused the groups' membersWithLicenseErrors lists to this \
     sign-in (Microsoft documents no permission for them); the members' own license states were used instead";

#[derive(Deserialize)]
struct IdOnly {
    id: String,
}

/// `GET /groups?$filter=hasMembersWithLicenseErrors eq true`: a filter-only property ("Supports
/// $filter (eq). Not returned on $select", <https://learn.microsoft.com/graph/api/resources/group>),
/// sent without `ConsistencyLevel: eventual`, under which Graph refuses it
/// (microsoftgraph/msgraph-sdk-powershell#2967).
pub(crate) fn flagged_groups_path() -> String {
    PathQuery::new("/groups").filter("hasMembersWithLicenseErrors eq true").select(&["id"]).top(999).build()
}

fn errors_list_path(group_id: &str) -> String {
    PathQuery::new(format!(
        "/groups/{}/membersWithLicenseErrors",
        super::request::encode_path_segment(group_id)
    ))
    .select(&["id"])
    .top(999)
    .build()
}

impl<T: Transport, C: Clock> GraphClient<T, C> {
    /// Reads the tenant for the health screen (see the module's documentation).
    pub async fn load_health(
        &self,
        progress: &mut dyn FnMut(LoadProgress),
    ) -> Result<HealthSnapshot, GraphError> {
        // Nothing supersedes the health screen's one load, so nothing cancels it.
        let cancel = CancelToken::new();
        let mut report = |phase, done: usize, total: Option<u64>| {
            let requests = self.stats().requests;
            progress(LoadProgress { phase, done: done as u64, total, requests });
        };
        report(LoadPhase::Skus, 0, None);
        let items = vec![
            get_item("skus", skus_path()),
            get_item("org", organization_path()),
            get_item("flagged", flagged_groups_path()),
        ];
        let answers = self.batch(items, &cancel).await?;
        let skus: Vec<SubscribedSku> = self
            .rest_of(batch_body(&answers[0], "the subscribed SKUs")?, "the subscribed SKUs", &cancel)
            .await?;
        let tenant_name = batch_body::<Page<Organization>>(&answers[1], "the organization")
            .ok()
            .and_then(|p| p.value.into_iter().next())
            .and_then(|o| o.display_name);
        let what = "the groups with members in license error";
        let flagged: Vec<IdOnly> = self.rest_of(batch_body(&answers[2], what)?, what, &cancel).await?;
        let flagged_groups: Vec<String> = flagged.into_iter().map(|g| g.id).collect();
        report(LoadPhase::Skus, skus.len(), Some(skus.len() as u64));

        report(LoadPhase::Groups, 0, None);
        let groups = self.licensing_groups(&skus, &cancel).await?;
        report(LoadPhase::Groups, groups.len(), Some(groups.len() as u64));

        let ids: Vec<String> = groups.iter().map(|g| g.id.clone()).collect();
        report(LoadPhase::Members, 0, None);
        let members = self.members_batch(&ids, &cancel, &mut |n| report(LoadPhase::Members, n, None)).await?;
        let groups: Vec<SnapshotGroup> = groups
            .into_iter()
            .zip(members)
            .map(|(group, (_, m))| Ok(SnapshotGroup { group, member_ids: m? }))
            .collect::<Result<_, GraphError>>()?;

        let mut seen = HashSet::new();
        let member_ids: Vec<String> = groups
            .iter()
            .flat_map(|g| &g.member_ids)
            .filter(|id| seen.insert(id.to_ascii_lowercase()))
            .cloned()
            .collect();
        report(LoadPhase::OtherMembers, 0, Some(member_ids.len() as u64));
        // Not a user, or deleted since the members were listed: nothing to report.
        let users = drop_not_found(self.users_batch(&member_ids, &cancel).await?)?;
        report(LoadPhase::OtherMembers, users.len(), Some(member_ids.len() as u64));

        let (error_lists, notes) = self.error_lists(&flagged_groups, &cancel).await?;
        report(LoadPhase::Done, users.len(), Some(users.len() as u64));
        Ok(HealthSnapshot {
            snapshot: Snapshot { tenant_name, skus, users, groups },
            flagged_groups,
            error_lists,
            notes,
        })
    }

    /// The rest of a collection whose first page came in a `$batch`.
    async fn rest_of<D: serde::de::DeserializeOwned>(
        &self,
        first: Page<D>,
        what: &str,
        cancel: &CancelToken,
    ) -> Result<Vec<D>, GraphError> {
        let mut all = first.value;
        if let Some(link) = first.next_link {
            let rest = self.base().relative_in_batch(&link)?;
            all.extend(self.get_all::<D>(&rest, what, cancel, &mut |_| {}).await?);
        }
        Ok(all)
    }

    /// Every group that assigns one of the tenant's SKUs: one `assignedLicenses/any` filter per
    /// SKU (Graph has no "assigns any license" filter without advanced queries), 20 to a `$batch`.
    async fn licensing_groups(
        &self,
        skus: &[SubscribedSku],
        cancel: &CancelToken,
    ) -> Result<Vec<Group>, GraphError> {
        let items = skus
            .iter()
            .enumerate()
            .map(|(n, s)| {
                let q = PathQuery::new("/groups")
                    .filter(has_sku_filter(&s.sku_id))
                    .select(GROUP_SELECT)
                    .top(self.config.page_size)
                    .build();
                get_item(n.to_string(), q)
            })
            .collect();
        let answers = self.batch(items, cancel).await?;
        let mut seen = HashSet::new();
        let mut groups = Vec::new();
        for (sku, answer) in skus.iter().zip(answers) {
            let what = format!("the groups assigning {}", sku.sku_part_number);
            let page: Page<Group> = batch_body(&answer, &what)?;
            for g in self.rest_of(page, &what, cancel).await? {
                if seen.insert(g.id.to_ascii_lowercase()) {
                    groups.push(g);
                }
            }
        }
        Ok(groups)
    }

    /// `membersWithLicenseErrors` of each flagged group, first pages 20 to a `$batch` (a refusal
    /// inside a batch is an answer, not a failed request the browser logs); when Graph refuses
    /// any, a note says the members' states were used instead.
    async fn error_lists(
        &self,
        flagged: &[String],
        cancel: &CancelToken,
    ) -> Result<(Vec<GroupErrorList>, Vec<String>), GraphError> {
        if flagged.is_empty() {
            return Ok((Vec::new(), Vec::new()));
        }
        let items =
            flagged.iter().enumerate().map(|(n, g)| get_item(n.to_string(), errors_list_path(g))).collect();
        let answers = self.batch(items, cancel).await?;
        let mut lists = Vec::new();
        for (g, answer) in flagged.iter().zip(answers) {
            let what = format!("the members with license errors of group {g}");
            match batch_body::<Page<IdOnly>>(&answer, &what) {
                Ok(page) => {
                    let m = self.rest_of(page, &what, cancel).await?;
                    lists.push(GroupErrorList {
                        group_id: g.clone(),
                        member_ids: m.into_iter().map(|m| m.id).collect(),
                    });
                }
                Err(e) if e.status() == Some(403) => {
                    return Ok((Vec::new(), vec![ERRORS_LIST_REFUSED.into()]))
                }
                Err(e) => return Err(e),
            }
        }
        Ok((lists, Vec::new()))
    }
}
