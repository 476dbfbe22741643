//! Loading a tenant for the planner: SKUs, the holders of the source SKU with their license states,
//! the groups that assign it with their members, in as few requests as paging and `$batch` allow.
//!
//! Requests, for H holders, G groups assigning the source, M member pages and X group members who
//! are not holders (their group license is in error, or still processing):
//! 1 (SKUs and the tenant's name, in one `$batch`) + ceil(H/999) (holders) + ceil(G/999) (groups) + ceil(M/20) per member round
//! + ceil(X/20) (those members). Holders are paged while the groups and members are read.
use super::batch::get_item;
use super::calls::{batch_body, drop_not_found, organization_path, skus_path, Organization};
use super::cancel::CancelToken;
use super::client::GraphClient;
use super::error::GraphError;
use super::http::{Clock, Transport};
use crate::model::{cmp_id, same_id, Group, Page, SubscribedSku, User};
use crate::plan::fastmap::{CiKey, FastSet};
use crate::plan::{Snapshot, SnapshotGroup};
use std::cell::RefCell;
use std::fmt;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LoadPhase {
    Skus,
    /// Users holding the source SKU.
    Holders,
    /// Groups assigning the source SKU.
    Groups,
    /// Member ids of those groups.
    Members,
    /// Group members who do not show the SKU (license in error or pending).
    OtherMembers,
    Done,
}

impl fmt::Display for LoadPhase {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            LoadPhase::Skus => "Reading subscriptions",
            LoadPhase::Holders => "Reading license holders",
            LoadPhase::Groups => "Reading licensing groups",
            LoadPhase::Members => "Reading group members",
            LoadPhase::OtherMembers => "Reading group members without the license",
            LoadPhase::Done => "Loaded",
        })
    }
}

/// One progress report: `done` of `total` (when known) items of a phase, and the requests sent
/// so far.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct LoadProgress {
    pub phase: LoadPhase,
    pub done: u64,
    pub total: Option<u64>,
    pub requests: u64,
}

impl LoadProgress {
    /// Seconds left in this phase at the pace so far, `elapsed_ms` after the phase began; `None`
    /// until there is a total and something done to judge the pace by.
    pub fn eta_secs(&self, elapsed_ms: f64) -> Option<u64> {
        let total = self.total?;
        if self.done == 0 || elapsed_ms <= 0.0 || self.done >= total {
            return None;
        }
        let left = (total - self.done) as f64 * elapsed_ms / self.done as f64 / 1000.0;
        Some(left.ceil() as u64)
    }
}

/// Finds a SKU by skuId or skuPartNumber, case-insensitively.
pub fn find_sku<'a>(skus: &'a [SubscribedSku], name: &str) -> Option<&'a SubscribedSku> {
    skus.iter().find(|s| same_id(&s.sku_id, name) || s.sku_part_number.eq_ignore_ascii_case(name))
}

impl<T: Transport, C: Clock> GraphClient<T, C> {
    /// Reads what the planner needs to swap `source` (a skuId or skuPartNumber). A SKU the tenant
    /// does not have gives a snapshot with the SKUs only, for the planner to report.
    pub async fn load_snapshot(
        &self,
        source: &str,
        cancel: &CancelToken,
        progress: &mut dyn FnMut(LoadProgress),
    ) -> Result<Snapshot, GraphError> {
        let sink = RefCell::new(progress);
        let report = |phase, done: usize, total: Option<u64>| {
            let requests = self.stats().requests;
            let mut f = sink.borrow_mut();
            (*f)(LoadProgress { phase, done: done as u64, total, requests });
        };

        report(LoadPhase::Skus, 0, None);
        let (skus, tenant_name) = self.skus_and_tenant_name(cancel).await?;
        report(LoadPhase::Skus, skus.len(), Some(skus.len() as u64));
        let Some(sku) = find_sku(&skus, source) else {
            report(LoadPhase::Done, 0, Some(0));
            return Ok(Snapshot { tenant_name, skus, users: Vec::new(), groups: Vec::new() });
        };
        let sku_id = sku.sku_id.clone();
        // consumedUnits counts the users holding the SKU: a good total for the progress bar.
        let expected = u64::try_from(sku.consumed_units).ok();

        let holders = async {
            report(LoadPhase::Holders, 0, expected);
            let mut tell = |n| report(LoadPhase::Holders, n, expected);
            let large = self.config.partition_holders_from.is_some_and(|from| expected.unwrap_or(0) >= from);
            if large {
                if let Ok(users) = self.users_with_sku_partitioned(&sku_id, cancel, &mut tell).await? {
                    return Ok(users);
                }
                // Counts that do not add up: the one query below reads every holder whatever
                // their names.
            }
            self.users_with_sku(&sku_id, cancel, &mut tell).await
        };
        let groups = self.groups_with_members(&sku_id, cancel, &report);
        // The first failure ends both: no point reading groups for a load that already failed.
        let (mut users, mut groups) = futures::try_join!(holders, groups)?;

        // A holder may inherit the SKU from a group the group query did not return (it changed in
        // between): read those groups too, so every assignedByGroup resolves.
        // Ids are compared case-insensitively without making lower-case copies (`CiKey`,
        // `cmp_id`): at 100,000 holders the copies were 44 ms of the load in the page.
        let known: FastSet<CiKey<'_>> = groups.iter().map(|g| CiKey(g.group.id.as_str())).collect();
        let mut missing: Vec<String> = users
            .iter()
            .flat_map(|u| &u.license_assignment_states)
            .filter(|s| same_id(&s.sku_id, &sku_id))
            .filter_map(|s| s.assigned_by_group.as_deref())
            .filter(|g| !known.contains(&CiKey(g)))
            .map(str::to_string)
            .collect();
        missing.sort_by(|a, b| cmp_id(a, b));
        missing.dedup_by(|a, b| same_id(a, b));
        if !missing.is_empty() {
            groups.extend(self.groups_by_id(&missing, cancel).await?);
        }

        let holder_ids: FastSet<CiKey<'_>> = users.iter().map(|u| CiKey(u.id.as_str())).collect();
        let mut others: Vec<String> = groups
            .iter()
            .flat_map(|g| &g.member_ids)
            .filter(|id| !holder_ids.contains(&CiKey(id)))
            .cloned()
            .collect();
        others.sort_by(|a, b| cmp_id(a, b));
        others.dedup_by(|a, b| same_id(a, b));
        if !others.is_empty() {
            report(LoadPhase::OtherMembers, 0, Some(others.len() as u64));
            users.extend(self.members_not_holding(&others, cancel).await?);
            report(LoadPhase::OtherMembers, others.len(), Some(others.len() as u64));
        }
        report(LoadPhase::Done, users.len(), Some(users.len() as u64));
        Ok(Snapshot { tenant_name, skus, users, groups })
    }

    /// The SKUs and the tenant's name in one `$batch`. The name is a nicety: if it cannot be read
    /// (no permission), the load goes on without it.
    async fn skus_and_tenant_name(
        &self,
        cancel: &CancelToken,
    ) -> Result<(Vec<SubscribedSku>, Option<String>), GraphError> {
        let items = vec![get_item("skus", skus_path()), get_item("org", organization_path())];
        let answers = self.batch(items, cancel).await?;
        let what = "the subscribed SKUs";
        let page: Page<SubscribedSku> = batch_body(&answers[0], what)?;
        let mut skus = page.value;
        if let Some(link) = page.next_link {
            let rest = self.base().relative_in_batch(&link)?;
            skus.extend(self.get_all::<SubscribedSku>(&rest, what, cancel, &mut |_| {}).await?);
        }
        let name = batch_body::<Page<Organization>>(&answers[1], "the organization")
            .ok()
            .and_then(|p| p.value.into_iter().next())
            .and_then(|o| o.display_name);
        Ok((skus, name))
    }

    async fn groups_with_members(
        &self,
        sku_id: &str,
        cancel: &CancelToken,
        report: &dyn Fn(LoadPhase, usize, Option<u64>),
    ) -> Result<Vec<SnapshotGroup>, GraphError> {
        report(LoadPhase::Groups, 0, None);
        let groups = self.groups_with_sku(sku_id, cancel).await?;
        report(LoadPhase::Groups, groups.len(), Some(groups.len() as u64));
        self.attach_members(groups, cancel, report).await
    }

    async fn attach_members(
        &self,
        groups: Vec<Group>,
        cancel: &CancelToken,
        report: &dyn Fn(LoadPhase, usize, Option<u64>),
    ) -> Result<Vec<SnapshotGroup>, GraphError> {
        let ids: Vec<String> = groups.iter().map(|g| g.id.clone()).collect();
        report(LoadPhase::Members, 0, None);
        let members = self.members_batch(&ids, cancel, &mut |n| report(LoadPhase::Members, n, None)).await?;
        groups
            .into_iter()
            .zip(members)
            .map(|(group, (_, m))| Ok(SnapshotGroup { group, member_ids: m? }))
            .collect()
    }

    async fn groups_by_id(
        &self,
        ids: &[String],
        cancel: &CancelToken,
    ) -> Result<Vec<SnapshotGroup>, GraphError> {
        // A group deleted since the holder was read has nothing to plan for.
        let groups = drop_not_found(self.groups_batch(ids, cancel).await?)?;
        self.attach_members(groups, cancel, &|_, _, _| {}).await
    }

    async fn members_not_holding(
        &self,
        ids: &[String],
        cancel: &CancelToken,
    ) -> Result<Vec<User>, GraphError> {
        // Not a user (a device or nested group), or deleted since: not licensed by it.
        drop_not_found(self.users_batch(ids, cancel).await?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(done: u64, total: Option<u64>) -> LoadProgress {
        LoadProgress { phase: LoadPhase::Holders, done, total, requests: 0 }
    }

    #[test]
    fn the_estimate_follows_the_pace_so_far() {
        // A quarter in 10 s: three quarters left, 30 s.
        assert_eq!(at(25_000, Some(100_000)).eta_secs(10_000.0), Some(30));
        assert_eq!(at(1, Some(3)).eta_secs(1.0), Some(1), "a fraction of a second rounds up");
        assert_eq!(at(0, Some(100)).eta_secs(5_000.0), None, "no pace yet");
        assert_eq!(at(50, None).eta_secs(5_000.0), None, "no total");
        assert_eq!(at(100, Some(100)).eta_secs(5_000.0), None, "done");
    }
}
