//! Loading a tenant for a bundle swap (several source SKUs: Office 365 E3 + EMS -> Microsoft 365
//! E3): the holders and groups of each source, read as for one source
//! ([`GraphClient::load_snapshot`]) and merged, each user and group once. A user holding two of
//! the sources is read twice; the first read is kept (both come from the same moment's tenant for
//! any purpose the planner has: every action carries its own fingerprint, and apply re-reads).
use super::cancel::CancelToken;
use super::client::GraphClient;
use super::error::GraphError;
use super::http::{Clock, Transport};
use super::snapshot_load::LoadProgress;
use crate::plan::Snapshot;
use std::collections::HashSet;

impl<T: Transport, C: Clock> GraphClient<T, C> {
    /// [`GraphClient::load_snapshot`] for every SKU of `sources` (skuIds or skuPartNumbers).
    pub async fn load_snapshot_of(
        &self,
        sources: &[String],
        cancel: &CancelToken,
        progress: &mut dyn FnMut(LoadProgress),
    ) -> Result<Snapshot, GraphError> {
        let mut out: Option<Snapshot> = None;
        let mut users: HashSet<String> = HashSet::new();
        let mut groups: HashSet<String> = HashSet::new();
        for source in sources {
            let snap = self.load_snapshot(source, cancel, progress).await?;
            let merged = out.get_or_insert_with(|| Snapshot {
                tenant_name: snap.tenant_name.clone(),
                skus: snap.skus.clone(),
                users: Vec::new(),
                groups: Vec::new(),
            });
            for u in snap.users {
                if users.insert(u.id.to_ascii_lowercase()) {
                    merged.users.push(u);
                }
            }
            for g in snap.groups {
                if groups.insert(g.group.id.to_ascii_lowercase()) {
                    merged.groups.push(g);
                }
            }
        }
        Ok(out.unwrap_or_default())
    }
}
