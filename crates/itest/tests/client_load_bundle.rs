//! The client loads a bundle's sources from the simulator's demo tenant: the holders and groups of
//! Office 365 E3 and of EMS, each user and group once, and the planner plans the move to
//! Microsoft 365 E3 from it.
use futures::executor::block_on;
use licswap_core::graph::CancelToken;
use licswap_core::plan::{PlanOptions, PlanRequest, Scope};
use licswap_itest::{client_config, sim_client};
use licswap_sim::{fixtures, SimConfig};

#[test]
fn a_bundle_loads_every_sources_holders_once_and_plans() {
    let (client, _sim) = sim_client(fixtures::demo(), SimConfig::test(), client_config());
    let sources = vec!["ENTERPRISEPACK".to_string(), "EMS".to_string()];
    let snap =
        block_on(client.load_snapshot_of(&sources, &CancelToken::new(), &mut |_| {})).expect("snapshot");
    let e3 = block_on(client.load_snapshot("ENTERPRISEPACK", &CancelToken::new(), &mut |_| {})).unwrap();
    let ems = block_on(client.load_snapshot("EMS", &CancelToken::new(), &mut |_| {})).unwrap();
    let mut want: Vec<String> =
        e3.users.iter().chain(&ems.users).map(|u| u.id.to_ascii_lowercase()).collect();
    want.sort();
    want.dedup();
    let mut got: Vec<String> = snap.users.iter().map(|u| u.id.to_ascii_lowercase()).collect();
    got.sort();
    assert_eq!(got.len(), snap.users.len(), "each user once");
    assert_eq!(got, want);
    assert!(ems.users.len() >= 3 && e3.users.len() > ems.users.len());
    let groups: Vec<&str> = snap.groups.iter().map(|g| g.group.id.as_str()).collect();
    let mut unique = groups.clone();
    unique.dedup();
    assert_eq!(groups.len(), unique.len(), "each group once");

    let request = PlanRequest {
        source: sources.into(),
        target: "SPE_E3".into(),
        scope: Scope::AllHolders,
        options: PlanOptions::default(),
    };
    let plan = licswap_planner::plan(&snap, &request).expect("plans");
    assert!(!plan.has_blockers(), "{:#?}", plan.findings);
    assert!(plan.actions().any(|a| a.body.remove_licenses.len() == 2), "one call removes both sources");
}
