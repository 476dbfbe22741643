//! Loading a tenant from sim-server over HTTP, as the app does: requests made and wall time,
//! against the fewest requests Graph's paging and `$batch` allow for that tenant.
use crate::transport::{HttpTransport, RealClock};
use licswap_core::graph::{CancelToken, ClientConfig, GraphClient};
use licswap_core::model::same_id;
use licswap_core::plan::Snapshot;
use std::time::Instant;

pub type HttpClient = GraphClient<HttpTransport, RealClock>;

/// A client for sim-server; `partitioned`: configured as the app reads Graph itself
/// ([`ClientConfig::graph_paced`]: the holders of a large SKU in partitions side by side).
pub fn client(graph_base: &str, partitioned: bool) -> Result<HttpClient, String> {
    let config = if partitioned {
        ClientConfig::graph_paced(graph_base)
    } else {
        ClientConfig { base_url: graph_base.to_string(), ..ClientConfig::default() }
    };
    GraphClient::new(HttpTransport::new(), RealClock::default(), config).map_err(|e| e.to_string())
}

pub struct Loaded {
    pub snapshot: Snapshot,
    pub requests: u64,
    pub wall_ms: f64,
    /// The most requests the client had in flight at once.
    pub peak_in_flight: usize,
}

/// One load of what the planner needs to swap `source`, with a fresh client.
pub fn load(graph_base: &str, source: &str, partitioned: bool) -> Result<Loaded, String> {
    let c = client(graph_base, partitioned)?;
    let start = Instant::now();
    let snapshot = futures::executor::block_on(c.load_snapshot(source, &CancelToken::new(), &mut |_| {}))
        .map_err(|e| e.to_string())?;
    let wall_ms = start.elapsed().as_secs_f64() * 1000.0;
    Ok(Loaded { snapshot, requests: c.stats().requests, wall_ms, peak_in_flight: c.peak_in_flight() })
}

/// The fewest requests that read this snapshot: one `$batch` for the SKUs and the tenant's name,
/// the holders in pages of 999 (Graph's largest `$top` for users), the assigning groups in pages
/// of 999, every group's member pages batched 20 to a request (Graph's `$batch` limit), and the
/// members who do not hold the SKU read 20 to a `$batch`.
pub fn minimum_requests(snap: &Snapshot, source_sku_id: &str) -> u64 {
    const PAGE: u64 = 999;
    const BATCH: u64 = 20;
    let holders = snap
        .users
        .iter()
        .filter(|u| u.assigned_licenses.iter().any(|l| same_id(&l.sku_id, source_sku_id)))
        .count() as u64;
    let mut member_requests = 0u64;
    let mut round = 0u64;
    loop {
        // Groups that still have a page to read in this round (every group has a first page).
        let live =
            snap.groups.iter().filter(|g| round == 0 || g.member_ids.len() as u64 > round * PAGE).count()
                as u64;
        if live == 0 {
            break;
        }
        member_requests += live.div_ceil(BATCH);
        round += 1;
    }
    let others = snap.users.len() as u64 - holders;
    1 + holders.div_ceil(PAGE).max(1)
        + (snap.groups.len() as u64).div_ceil(PAGE).max(1)
        + member_requests
        + others.div_ceil(BATCH)
}

/// The skuId of a part number in a snapshot.
pub fn sku_id(snap: &Snapshot, part: &str) -> Result<String, String> {
    snap.skus
        .iter()
        .find(|s| s.sku_part_number.eq_ignore_ascii_case(part))
        .map(|s| s.sku_id.clone())
        .ok_or_else(|| format!("the tenant has no {part}"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use licswap_core::model::{AssignedLicense, Group, User};
    use licswap_core::plan::SnapshotGroup;

    fn user(id: usize, sku: Option<&str>) -> User {
        let mut u: User = serde_json::from_value(serde_json::json!({ "id": format!("u{id}") })).unwrap();
        u.assigned_licenses = sku
            .map(|s| vec![AssignedLicense { sku_id: s.into(), disabled_plans: vec![] }])
            .unwrap_or_default();
        u
    }

    fn group(id: usize) -> Group {
        serde_json::from_value(serde_json::json!({ "id": format!("g{id}") })).unwrap()
    }

    #[test]
    fn the_fewest_requests_follow_page_and_batch_sizes() {
        // 2,000 holders (3 pages), 25 groups of which one has 1,500 members (2 member pages),
        // and 45 members who do not hold the SKU (3 batches of 20).
        let mut users: Vec<User> = (0..2_000).map(|i| user(i, Some("E1"))).collect();
        users.extend((2_000..2_045).map(|i| user(i, None)));
        let groups = (0..25)
            .map(|g| SnapshotGroup {
                group: group(g),
                member_ids: (0..if g == 0 { 1_500 } else { 3 }).map(|i| format!("u{i}")).collect(),
            })
            .collect();
        let snap = Snapshot { tenant_name: None, skus: vec![], users, groups };
        // 1 ($batch: SKUs + name) + 3 holder pages + 1 group page + (2 + 1) member batches + 3.
        assert_eq!(minimum_requests(&snap, "e1"), 1 + 3 + 1 + 3 + 3);
    }
}
