//! The license-health load over the real client against the simulator's demo tenant, and the
//! diagnosis of what it read: one member in each error state Entra records, each explained.
use futures::executor::block_on;
use licswap_core::graph::clock::VirtualClock;
use licswap_core::graph::fake::{json, FakeTransport};
use licswap_core::graph::{GraphClient, GraphError, StaticToken};
use licswap_core::health::{LicenseErrorKind as K, Remedy};
use licswap_core::model::LicenseState;
use licswap_itest::{client_config, sim_client};
use licswap_planner::health::diagnose;
use licswap_sim::{fixtures, SimConfig};
use std::rc::Rc;

#[test]
fn the_demo_tenant_has_one_member_in_each_error_state_each_explained() {
    let (client, _sim) = sim_client(fixtures::demo(), SimConfig::test(), client_config());
    let h = block_on(client.load_health(&mut |_| {})).expect("health load");
    // Every group that assigns a license, and only those.
    assert!(h.snapshot.groups.iter().any(|g| g.group.label() == "Project - PMO"));
    assert!(h.snapshot.groups.iter().all(|g| !g.group.assigned_licenses.is_empty()));
    let r = diagnose(&h);
    let counts: Vec<(K, usize)> = r.counts.iter().map(|c| (c.kind, c.members)).collect();
    assert_eq!(
        counts,
        vec![
            (K::CountViolation, 1),
            (K::MutuallyExclusiveViolation, 1),
            (K::DependencyViolation, 1),
            (K::ProhibitedInUsageLocationViolation, 1),
            (K::UniquenessViolation, 1),
            (K::Other, 1),
        ],
        "{:#?}",
        r.issues
    );
    let exchange = licswap_core::catalog::sku("EXCHANGESTANDARD").unwrap().sku_id;
    let of = |k: K| r.issues.iter().find(|i| i.kind == k).expect("issue of kind");
    assert_eq!(of(K::CountViolation).remedy, Remedy::Seats { sku_id: exchange.into(), short: 1 });
    assert!(of(K::MutuallyExclusiveViolation)
        .what
        .contains("SharePoint (Plan 1) in SharePoint Online (Plan 1) (assigned directly)"));
    assert!(matches!(of(K::MutuallyExclusiveViolation).remedy, Remedy::RemoveDirect { .. }));
    assert!(of(K::DependencyViolation).what.contains("Project - Viewers (SharePoint off)"));
    assert!(of(K::ProhibitedInUsageLocationViolation).what.contains("usage location, CU"));
    // Graph flags exactly the groups with members in error, and lists those members.
    let mut flagged: Vec<&str> =
        r.groups.iter().filter(|g| g.flagged_by_graph).map(|g| g.group.name.as_str()).collect();
    flagged.sort();
    assert_eq!(flagged, vec!["Exchange - Front desk", "Power BI - Partners", "Project - PMO", "Project - Viewers (SharePoint off)"]);
    assert!(r.groups.iter().all(|g| g.flagged_by_graph == (g.members_in_error > 0)));
    assert!(r.notes.is_empty(), "{:?}", r.notes);
}

#[test]
fn a_refused_errors_list_falls_back_to_the_members_states_and_says_so() {
    // Microsoft documents no permission for membersWithLicenseErrors: the sim asks for
    // Group.Read.All, which licswap does not request.
    let config = SimConfig { require_auth: true, ..SimConfig::test() };
    let (client, sim) = sim_client(fixtures::demo(), config, client_config());
    let client_id = sim.borrow().config.clients[0].client_id.clone();
    let scopes = ["User.Read.All", "GroupMember.Read.All", "LicenseAssignment.Read.All"];
    let token = sim.borrow_mut().issue_token(&client_id, &scopes, fixtures::FIXTURE_EPOCH_MS);
    let client = client.with_tokens(Rc::new(StaticToken::new(token)));
    let h = block_on(client.load_health(&mut |_| {})).expect("health load");
    assert!(h.error_lists.is_empty());
    assert_eq!(h.notes.len(), 1);
    assert!(h.notes[0].contains("membersWithLicenseErrors"), "{}", h.notes[0]);
    assert_eq!(diagnose(&h).issues.len(), 6);
}

#[test]
fn a_malformed_license_state_is_a_clear_error_naming_the_user() {
    let t = FakeTransport::new(|req| {
        let path = req.url.split("/v1.0").nth(1).unwrap_or("");
        if path.starts_with("/$batch") {
            let body: serde_json::Value = serde_json::from_str(req.body.as_deref().unwrap_or("{}")).unwrap();
            let responses: Vec<serde_json::Value> = body["requests"]
                .as_array()
                .unwrap()
                .iter()
                .map(|r| {
                    let url = r["url"].as_str().unwrap();
                    let b = if url.starts_with("/subscribedSkus") {
                        serde_json::json!({"value": [{"skuId": "18181a46-0d4e-45cd-891e-60aabd171b4e", "skuPartNumber": "STANDARDPACK"}]})
                    } else if url.starts_with("/organization") {
                        serde_json::json!({"value": []})
                    } else if url.starts_with("/groups?") {
                        serde_json::json!({"value": [{"id": "99999999-0000-0000-0000-000000000001", "assignedLicenses": [{"skuId": "18181a46-0d4e-45cd-891e-60aabd171b4e"}]}]})
                    } else if url.contains("/members") {
                        serde_json::json!({"value": [{"id": "00000000-0000-0000-0000-000000000001"}]})
                    } else {
                        // A user whose licenseAssignmentStates is not a list.
                        serde_json::json!({"id": "00000000-0000-0000-0000-000000000001", "licenseAssignmentStates": {"error": "CountViolation"}})
                    };
                    serde_json::json!({"id": r["id"], "status": 200, "body": b})
                })
                .collect();
            return Ok(json(200, serde_json::json!({ "responses": responses })));
        }
        Ok(json(404, serde_json::json!({"error": {"code": "NotFound", "message": path}})))
    });
    let clock = VirtualClock::new(0);
    let client = GraphClient::new(t, clock.clone(), client_config()).unwrap();
    let e = block_on(client.load_health(&mut |_| {})).unwrap_err();
    assert!(matches!(e, GraphError::Decode { .. }), "{e:?}");
    let msg = e.to_string();
    assert!(msg.contains("user 00000000-0000-0000-0000-000000000001"), "{msg}");
}

/// The demo's direct licenses that groups duplicate: Office 365 E1 (four Sales members), Project
/// Online Premium (one full duplicate, one whose group turns SharePoint off), Power BI Pro (one).
/// The cleanup plan applies through the executor, verifies, and rolls back to the start.
#[test]
fn direct_to_group_cleanup_applies_verifies_and_rolls_back() {
    use licswap_core::apply::*;
    use licswap_planner::health::{cleanup_candidates, cleanup_plan};
    let (client, sim) = sim_client(fixtures::demo(), SimConfig::test(), client_config());
    let h = block_on(client.load_health(&mut |_| {})).expect("health load");
    let c = cleanup_candidates(&h);
    let of = |part: &str| {
        let id = licswap_core::catalog::sku(part).unwrap().sku_id;
        let v: Vec<_> = c.iter().filter(|x| x.sku_id.eq_ignore_ascii_case(id)).collect();
        (v.iter().filter(|x| x.covered()).count(), v.len())
    };
    assert_eq!(of("STANDARDPACK"), (4, 4));
    assert_eq!(of("PROJECTPREMIUM"), (1, 2));
    assert_eq!(of("POWER_BI_PRO"), (1, 1));
    let kept = c.iter().find(|x| !x.covered()).unwrap();
    assert_eq!(kept.missing, vec!["SharePoint (Plan 2)".to_string()]);

    let before = sim.borrow().snapshot();
    let plan = cleanup_plan(&h, "STANDARDPACK", None).unwrap();
    assert_eq!(plan.actions().count(), 4);
    let clock = VirtualClock::new(fixtures::FIXTURE_EPOCH_MS);
    let api = GraphLicenseApi::new(&client);
    let run = |p: &licswap_core::plan::Plan| {
        let store = MemoryStore::new();
        let ex = Executor::new(&api, &clock, &store, ApplyConfig::default(), Control::new());
        block_on(ex.run(p, &mut |_| {})).expect("run")
    };
    let applied = run(&plan);
    assert_eq!(applied.outcome, RunOutcome::Completed, "{:?}", applied.notes);
    let verified = block_on(verify(&api, &plan, &applied.journal, 20));
    assert!(verified.all_ok(), "{verified:?}");
    // Nobody lost a service: each keeps E1 through Sales, and no seat changed.
    let after = sim.borrow().snapshot();
    let e1 = licswap_itest::sku_id(&after, "STANDARDPACK");
    assert_eq!(licswap_itest::holders(&after, &e1), licswap_itest::holders(&before, &e1));
    let rb = rollback_plan(&plan, &applied.journal, &verified);
    let rolled = run(&rb.plan);
    assert_eq!(rolled.outcome, RunOutcome::Completed, "{:?}", rolled.notes);
    let fp = |s: &licswap_core::plan::Snapshot| {
        s.users.iter().map(|u| (u.id.clone(), licswap_core::plan::fingerprint_user(u))).collect::<Vec<_>>()
    };
    assert_eq!(fp(&sim.borrow().snapshot()), fp(&before));
}

/// A member in MutuallyExclusiveViolation (direct SharePoint Online (Plan 1) beside the PMO
/// group's Project Online Premium): the fix plan removes the direct license, and, as in Entra, the
/// error stays until the member is reprocessed; then the member is clean and holds Project.
#[test]
fn a_conflict_is_fixed_by_plan_then_reprocess_and_verified_clean() {
    use licswap_core::apply::*;
    use licswap_planner::health::fix_conflicts_plan;
    let config = SimConfig { errors_stay_until_reprocessed: true, ..SimConfig::test() };
    let (client, _sim) = sim_client(fixtures::demo(), config, client_config());
    let h = block_on(client.load_health(&mut |_| {})).unwrap();
    let r = diagnose(&h);
    let issue = r.issues.iter().find(|i| i.kind == K::MutuallyExclusiveViolation).unwrap().clone();
    let plan = fix_conflicts_plan(&h, &r, "SHAREPOINTSTANDARD", None).unwrap();
    assert_eq!(plan.actions().count(), 1);
    assert!(plan.findings.iter().any(|f| f.message.contains("Until Entra processes group Project - PMO")));
    let clock = VirtualClock::new(fixtures::FIXTURE_EPOCH_MS);
    let api = GraphLicenseApi::new(&client);
    let store = MemoryStore::new();
    let ex = Executor::new(&api, &clock, &store, ApplyConfig::default(), Control::new());
    let applied = block_on(ex.run(&plan, &mut |_| {})).unwrap();
    assert_eq!(applied.outcome, RunOutcome::Completed, "{:?}", applied.notes);
    assert!(block_on(verify(&api, &plan, &applied.journal, 20)).all_ok());
    // Entra keeps the member in error although the cause is gone.
    let still = diagnose(&block_on(client.load_health(&mut |_| {})).unwrap());
    assert!(still.issues.iter().any(|i| i.user.id == issue.user.id && i.kind == K::MutuallyExclusiveViolation));
    let done = block_on(api.reprocess_users(std::slice::from_ref(&issue.user.id)));
    assert!(done.iter().all(Result::is_ok), "{done:?}");
    let h = block_on(client.load_health(&mut |_| {})).unwrap();
    let after = diagnose(&h);
    assert!(after.issues.iter().all(|i| i.user.id != issue.user.id), "{:#?}", after.issues);
    let project = licswap_core::catalog::sku("PROJECTPREMIUM").unwrap().sku_id;
    let u = h.snapshot.users.iter().find(|u| u.id == issue.user.id).unwrap();
    assert!(u.license_assignment_states.iter().any(|s| s.sku_id.eq_ignore_ascii_case(project) && s.state == Some(LicenseState::Active)));
}

/// Reprocessing asks for User.ReadWrite.All (Graph's least-privileged permission for it), which
/// the license permission does not give; the refusal says what is needed.
#[test]
fn reprocess_without_user_readwrite_all_names_the_permission() {
    use licswap_core::apply::GraphLicenseApi;
    let config = SimConfig { require_auth: true, ..SimConfig::test() };
    let (client, sim) = sim_client(fixtures::demo(), config, client_config());
    let client_id = sim.borrow().config.clients[0].client_id.clone();
    let scopes = ["User.Read.All", "GroupMember.Read.All", "LicenseAssignment.ReadWrite.All"];
    let token = sim.borrow_mut().issue_token(&client_id, &scopes, fixtures::FIXTURE_EPOCH_MS);
    let client = client.with_tokens(Rc::new(StaticToken::new(token)));
    let user = sim.borrow().snapshot().users[1].id.clone();
    let api = GraphLicenseApi::new(&client);
    let r = block_on(api.reprocess_users(&[user]));
    let e = r[0].as_ref().unwrap_err();
    assert_eq!(e.status, Some(403));
    assert!(e.message.contains("User.ReadWrite.All"), "{}", e.message);
}
