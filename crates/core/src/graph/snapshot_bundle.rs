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
use super::repeats::drop_repeats;
use crate::plan::Snapshot;

impl<T: Transport, C: Clock> GraphClient<T, C> {
    /// [`GraphClient::load_snapshot`] for every SKU of `sources` (skuIds or skuPartNumbers).
    pub async fn load_snapshot_of(
        &self,
        sources: &[String],
        cancel: &CancelToken,
        progress: &mut dyn FnMut(LoadProgress),
    ) -> Result<Snapshot, GraphError> {
        let mut out: Option<Snapshot> = None;
        for source in sources {
            let snap = self.load_snapshot(source, cancel, progress).await?;
            let merged = out.get_or_insert_with(|| Snapshot {
                tenant_name: snap.tenant_name.clone(),
                skus: snap.skus.clone(),
                users: Vec::new(),
                groups: Vec::new(),
            });
            merge(&mut merged.users, snap.users, |u| &u.id);
            merge(&mut merged.groups, snap.groups, |g| &g.group.id);
        }
        Ok(out.unwrap_or_default())
    }
}

/// Appends the items of `from` whose id (ASCII case-insensitively) neither `into` nor an earlier
/// item of `from` has ([`drop_repeats`]; `into` has no repeats of its own).
fn merge<X>(into: &mut Vec<X>, from: Vec<X>, id: impl Fn(&X) -> &String) {
    into.extend(from);
    drop_repeats(into, |x| id(x).as_str());
}

#[cfg(test)]
mod tests {
    use super::merge;

    /// Each id once, ASCII case-insensitively, the first read kept, in the order read.
    #[test]
    fn merging_keeps_the_first_of_each_id_in_order() {
        let mut into: Vec<(String, u8)> = vec![("A1".into(), 0), ("b2".into(), 0)];
        let from =
            vec![("c3".into(), 1), ("a1".into(), 1), ("C3".into(), 2), ("d4".into(), 1), ("B2".into(), 1)];
        merge(&mut into, from, |x| &x.0);
        let got: Vec<(&str, u8)> = into.iter().map(|(i, n)| (i.as_str(), *n)).collect();
        assert_eq!(got, [("A1", 0), ("b2", 0), ("c3", 1), ("d4", 1)]);
        let mut empty: Vec<(String, u8)> = Vec::new();
        merge(&mut empty, vec![("x".into(), 1), ("X".into(), 2)], |x| &x.0);
        assert_eq!(empty, [("x".to_string(), 1)]);
    }
}
