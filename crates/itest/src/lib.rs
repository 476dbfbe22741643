//! Shared helpers for the native integration tests in `tests/` (core against the simulator).
pub mod faults;

use licswap_core::graph::clock::VirtualClock;
use licswap_core::graph::{ClientConfig, GraphClient};
use licswap_core::model::same_id;
use licswap_core::plan::Snapshot;
use licswap_sim::fixtures::FIXTURE_EPOCH_MS;
use licswap_sim::{Sim, SimConfig, SimTransport, Tenant};
use std::cell::RefCell;
use std::collections::BTreeSet;
use std::rc::Rc;

pub type SimClient = GraphClient<SimTransport<VirtualClock>, VirtualClock>;

/// The client's configuration for the simulator: Graph's real base URL (the in-process simulator
/// answers any host), default retry and bounds.
pub fn client_config() -> ClientConfig {
    ClientConfig { base_url: "https://graph.microsoft.com/v1.0".into(), ..ClientConfig::default() }
}

/// A simulator for `tenant` and a client talking to it in process, on one virtual clock that
/// starts at the fixtures' epoch.
pub fn sim_client(
    tenant: Tenant,
    sim_config: SimConfig,
    config: ClientConfig,
) -> (SimClient, Rc<RefCell<Sim>>) {
    let sim = Rc::new(RefCell::new(Sim::new(tenant, sim_config)));
    let clock = VirtualClock::new(FIXTURE_EPOCH_MS);
    let transport = SimTransport::new(sim.clone(), clock.clone());
    let client = GraphClient::new(transport, clock, config).expect("valid client config");
    (client, sim)
}

/// The skuId of a SKU part number in a snapshot.
pub fn sku_id(snap: &Snapshot, part: &str) -> String {
    snap.skus
        .iter()
        .find(|s| s.sku_part_number.eq_ignore_ascii_case(part))
        .unwrap_or_else(|| panic!("tenant has no {part}"))
        .sku_id
        .clone()
}

/// Lowercased ids of the users whose assignedLicenses include `sku_id`.
pub fn holders(snap: &Snapshot, sku_id: &str) -> BTreeSet<String> {
    snap.users
        .iter()
        .filter(|u| u.assigned_licenses.iter().any(|l| same_id(&l.sku_id, sku_id)))
        .map(|u| u.id.to_ascii_lowercase())
        .collect()
}

/// Lowercased ids of the groups whose assignedLicenses include `sku_id`.
pub fn assigning_groups(snap: &Snapshot, sku_id: &str) -> BTreeSet<String> {
    snap.groups
        .iter()
        .filter(|g| g.group.assigned_licenses.iter().any(|l| same_id(&l.sku_id, sku_id)))
        .map(|g| g.group.id.to_ascii_lowercase())
        .collect()
}

pub fn ids<'a>(it: impl IntoIterator<Item = &'a String>) -> BTreeSet<String> {
    it.into_iter().map(|s| s.to_ascii_lowercase()).collect()
}
