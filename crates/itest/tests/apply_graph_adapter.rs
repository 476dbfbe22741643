//! GraphLicenseApi (the executor's view of Graph) over the real client and the simulator.
use futures::executor::block_on;
use licswap_core::apply::*;
use licswap_core::graph::client::{ClientConfig, GraphClient};
use licswap_core::graph::clock::VirtualClock;
use licswap_core::graph::http::Clock;
use licswap_core::model::{AssignLicenseBody, AssignedLicense};
use licswap_core::plan::{Subject, TargetKind};
use licswap_sim::{fixtures, Sim, SimConfig, SimTransport};
use std::cell::RefCell;
use std::rc::Rc;

type Client = GraphClient<SimTransport<VirtualClock>, VirtualClock>;

fn client() -> (Rc<RefCell<Sim>>, Client) {
    let sim = Rc::new(RefCell::new(Sim::new(fixtures::demo(), SimConfig::test())));
    let clock = VirtualClock::new(fixtures::FIXTURE_EPOCH_MS);
    let config = ClientConfig { base_url: "/v1.0".into(), ..ClientConfig::default() };
    (sim.clone(), GraphClient::new(SimTransport::new(sim, clock.clone()), clock, config).unwrap())
}

fn subject(kind: TargetKind, id: &str) -> Subject {
    Subject { kind, id: id.into(), name: id.into() }
}

#[test]
fn reads_answer_in_order_with_per_target_errors() {
    let (sim, client) = client();
    let snap = sim.borrow().snapshot();
    let api = GraphLicenseApi::new(&client);
    let (u0, g0) = (snap.users[0].id.clone(), snap.groups[0].group.id.clone());
    let missing = "00000000-0000-4000-8000-000000000001";
    let targets =
        [subject(TargetKind::Group, &g0), subject(TargetKind::User, &u0), subject(TargetKind::User, missing)];
    let r = block_on(api.read_targets(&targets));
    assert_eq!(r.len(), 3);
    assert!(matches!(&r[0], Ok(TargetState::Group(g)) if g.id == g0));
    match &r[1] {
        Ok(TargetState::User(u)) => {
            assert_eq!(u.id, u0);
            assert_eq!(
                TargetState::User(u.clone()).fingerprint(),
                licswap_core::plan::fingerprint_user(&snap.users[0])
            );
        }
        other => panic!("{other:?}"),
    }
    let e = r[2].as_ref().unwrap_err();
    assert!(e.is_not_found() && e.kind == ApiErrorKind::Graph, "{e:?}");
}

#[test]
fn assign_reports_each_item_and_refuses_bad_ids_locally() {
    let (sim, client) = client();
    let snap = sim.borrow().snapshot();
    let api = GraphLicenseApi::new(&client);
    let e1 = "18181a46-0d4e-45cd-891e-60aabd171b4e";
    let holder = snap
        .users
        .iter()
        .find(|u| {
            u.license_assignment_states.iter().any(|s| s.sku_id == e1 && s.is_direct())
                && u.usage_location.is_some()
        })
        .unwrap();
    let remove_e1 = AssignLicenseBody { add_licenses: vec![], remove_licenses: vec![e1.into()] };
    let bogus_sku = AssignLicenseBody {
        add_licenses: vec![AssignedLicense {
            sku_id: "00000000-0000-4000-8000-00000000abcd".into(),
            disabled_plans: vec![],
        }],
        remove_licenses: vec![],
    };
    let batch = [
        (subject(TargetKind::User, "not-a-guid"), remove_e1.clone()),
        (subject(TargetKind::User, &holder.id), remove_e1),
        (subject(TargetKind::User, &holder.id), bogus_sku),
    ];
    let r = block_on(api.assign(&batch));
    assert_eq!(r.len(), 3);
    assert_eq!(r[0].as_ref().unwrap_err().code, "Invalid");
    assert!(r[1].is_ok(), "{:?}", r[1]);
    let e = r[2].as_ref().unwrap_err();
    assert_eq!((e.kind, e.status), (ApiErrorKind::Graph, Some(400)), "{e:?}");
    assert_eq!(sim.borrow().stats.license_writes, 1);
}

#[test]
fn group_processing_lists_members_with_states_in_one_page() {
    let (sim, client) = client();
    let snap = sim.borrow().snapshot();
    let api = GraphLicenseApi::new(&client);
    let g = snap.groups.iter().max_by_key(|g| g.member_ids.len()).unwrap();
    let before = client.stats().requests;
    let gp = block_on(api.read_group_processing(&g.group.id)).unwrap();
    assert_eq!(client.stats().requests - before, 2, "one members page and one membersWithLicenseErrors page");
    assert_eq!(gp.members.len(), g.member_ids.len());
    // Each member as the tenant has it (some demo members are not processed yet: no states).
    for m in &gp.members {
        let u = snap.users.iter().find(|u| u.id == m.id).unwrap();
        assert_eq!(m.license_assignment_states, u.license_assignment_states, "{}", u.id);
    }
    assert!(
        gp.members.iter().filter(|m| !m.license_assignment_states.is_empty()).count()
            > g.member_ids.len() / 2
    );
}

/// Signed in with exactly the permissions licswap asks for (src/config.rs), on a simulator that
/// refuses a group's membersWithLicenseErrors to them (Microsoft documents no permission for it):
/// group processing is still read, from the members' own license states, and the report says
/// so. With Group.Read.All (the other possible answer) the errors list is read as usual.
#[test]
fn group_processing_is_read_on_either_answer_for_members_with_license_errors() {
    let read = |scopes: &[&str]| {
        let cfg = SimConfig { require_auth: true, ..SimConfig::test() };
        let sim = Rc::new(RefCell::new(Sim::new(fixtures::demo(), cfg)));
        let clock = VirtualClock::new(fixtures::FIXTURE_EPOCH_MS);
        let client_id = sim.borrow().config.clients[0].client_id.clone();
        let token = sim.borrow_mut().issue_token(&client_id, scopes, clock.now_ms());
        let config = ClientConfig { base_url: "/v1.0".into(), ..ClientConfig::default() };
        let client = GraphClient::new(SimTransport::new(sim.clone(), clock.clone()), clock, config)
            .unwrap()
            .with_tokens(Rc::new(licswap_core::graph::StaticToken::new(token)));
        let snap = sim.borrow().snapshot();
        let group =
            snap.groups.iter().find(|g| g.group.display_name.as_deref() == Some("E1 - Sales")).unwrap();
        let api = GraphLicenseApi::new(&client);
        let gp = block_on(api.read_group_processing(&group.group.id)).expect("group processing read");
        (gp, group.member_ids.len())
    };
    let app = ["User.Read.All", "GroupMember.Read.All", "LicenseAssignment.ReadWrite.All"];
    let (gp, members) = read(&app);
    assert_eq!(gp.members.len(), members);
    assert!(gp.members.iter().all(|m| !m.license_assignment_states.is_empty()));
    let note = gp.note.expect("the fallback is said");
    assert!(note.contains("membersWithLicenseErrors") && note.contains("license states"), "{note}");

    let (gp, members) = read(&["User.Read.All", "Group.Read.All", "LicenseAssignment.ReadWrite.All"]);
    assert_eq!(gp.members.len(), members);
    assert_eq!(gp.note, None);
}

/// A write refused for lack of permission names the permission and the roles.
#[test]
fn a_forbidden_write_names_what_it_needs() {
    let cfg = SimConfig { require_auth: true, ..SimConfig::test() };
    let sim = Rc::new(RefCell::new(Sim::new(fixtures::demo(), cfg)));
    let clock = VirtualClock::new(fixtures::FIXTURE_EPOCH_MS);
    let client_id = sim.borrow().config.clients[0].client_id.clone();
    let read_only = ["User.Read.All", "GroupMember.Read.All", "LicenseAssignment.Read.All"];
    let token = sim.borrow_mut().issue_token(&client_id, &read_only, clock.now_ms());
    let config = ClientConfig { base_url: "/v1.0".into(), ..ClientConfig::default() };
    let client = GraphClient::new(SimTransport::new(sim.clone(), clock.clone()), clock, config)
        .unwrap()
        .with_tokens(Rc::new(licswap_core::graph::StaticToken::new(token)));
    let snap = sim.borrow().snapshot();
    let api = GraphLicenseApi::new(&client);
    let body = AssignLicenseBody { add_licenses: vec![], remove_licenses: vec![] };
    let r = block_on(api.assign(&[(subject(TargetKind::User, &snap.users[0].id), body)]));
    let e = r[0].as_ref().unwrap_err();
    assert_eq!((e.status, e.kind), (Some(403), ApiErrorKind::Graph), "{e:?}");
    assert!(e.message.contains("LicenseAssignment.ReadWrite.All"), "{e}");
    assert!(e.message.contains("License Administrator"), "{e}");
}
