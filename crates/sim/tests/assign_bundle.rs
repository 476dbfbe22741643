//! `assignLicense` with several licenses each way (a bundle swap): Office 365 E3 + EMS ->
//! Microsoft 365 E3, and the Teams unbundling (Office 365 E5 -> Office 365 E5 EEA (no Teams) +
//! Microsoft Teams EEA), on users and on groups. The call takes every addition and removal at once
//! (<https://learn.microsoft.com/en-us/graph/api/user-assignlicense?view=graph-rest-1.0>:
//! `addLicenses` and `removeLicenses` are collections) and, as
//! <https://learn.microsoft.com/en-us/entra/identity/users/licensing-groups-change-licenses> says,
//! "the license assignment removals and new assignments are made simultaneously": all or nothing,
//! seats checked per SKU, conflicts and dependencies judged on the result.
mod common;
use common::*;
use serde_json::{json, Value};

fn id(part: &str) -> String {
    licswap_core::catalog::sku(part).unwrap().sku_id.to_string()
}

fn plan(name: &str) -> String {
    licswap_core::catalog::plan_by_name(name).unwrap().id.to_string()
}

fn consumed(h: &mut dyn Harness, part: &str) -> i64 {
    let mut c = 0;
    let sku = id(part);
    h.with_sim(&mut |s| c = s.tenant().skus.iter().find(|k| k.sku_id == sku).unwrap().consumed);
    c
}

fn licenses(h: &mut dyn Harness, user: &str) -> Vec<String> {
    let (_, v) = get(h, &format!("/v1.0/users/{user}?$select=assignedLicenses"));
    skus_of(&v)
}

fn sorted(mut v: Vec<String>) -> Vec<String> {
    v.sort();
    v
}

fn unbundle_body(teams_off: &[&str]) -> Value {
    let off: Vec<String> = teams_off.iter().map(|p| plan(p)).collect();
    json!({
        "addLicenses": [
            { "skuId": id("Office_365_w/o_Teams_Bundle_E5"), "disabledPlans": [] },
            { "skuId": id("Microsoft_Teams_EEA_New"), "disabledPlans": off },
        ],
        "removeLicenses": [id("ENTERPRISEPREMIUM")],
    })
}

fn direct_e5_user(h: &mut dyn Harness) -> String {
    user_id(h, &|u| u.department.as_deref() == Some("Research") && u.direct.len() == 1)
}

both!(two_licenses_become_one_in_one_call, demo_config(), |h: &mut dyn Harness| {
    let user = user_id(h, &|u| u.department.as_deref() == Some("Engineering") && u.direct.len() == 2);
    let before = [consumed(h, "ENTERPRISEPACK"), consumed(h, "EMS"), consumed(h, "SPE_E3")];
    let body = json!({
        "addLicenses": [{ "skuId": id("SPE_E3"), "disabledPlans": [] }],
        "removeLicenses": [id("ENTERPRISEPACK"), id("EMS")],
    });
    let (status, v) = post(h, &format!("/v1.0/users/{user}/assignLicense"), &body);
    assert_eq!(status, 200, "{v}");
    assert_eq!(licenses(h, &user), [id("SPE_E3")]);
    let after = [consumed(h, "ENTERPRISEPACK"), consumed(h, "EMS"), consumed(h, "SPE_E3")];
    assert_eq!(after, [before[0] - 1, before[1] - 1, before[2] + 1], "seats per SKU");
    h.with_sim(&mut |s| assert!(s.service_losses().is_empty(), "{:?}", s.service_losses()));
});

both!(one_license_becomes_two_in_one_call, demo_config(), |h: &mut dyn Harness| {
    let user = direct_e5_user(h);
    let (status, v) = post(h, &format!("/v1.0/users/{user}/assignLicense"), &unbundle_body(&["MCOIMP"]));
    assert_eq!(status, 200, "{v}");
    assert_eq!(
        licenses(h, &user),
        sorted(vec![id("Office_365_w/o_Teams_Bundle_E5"), id("Microsoft_Teams_EEA_New")])
    );
    h.with_sim(&mut |s| {
        let changes = s.changes();
        assert_eq!(changes.len(), 1, "one change: Teams never dropped out in between");
        assert!(changes[0].plans_after.contains(&"TEAMS1".to_string()));
        assert!(s.service_losses().is_empty(), "{:?}", s.service_losses());
    });
});

// Microsoft's exclusion table lists Skype for Business Online (Plan 1), in Teams EEA, with
// (Plan 2), in the no-Teams suite: judged on the result of the call, both on is refused, and
// nothing of the call happens.
both!(a_conflict_in_the_result_refuses_the_whole_call, demo_config(), |h: &mut dyn Harness| {
    let user = direct_e5_user(h);
    let suite = consumed(h, "Office_365_w/o_Teams_Bundle_E5");
    let (status, v) = post(h, &format!("/v1.0/users/{user}/assignLicense"), &unbundle_body(&[]));
    assert_eq!(status, 400, "{v}");
    assert_eq!(error_code(&v), "Request_BadRequest");
    let msg = error_message(&v);
    assert!(msg.contains("mutually exclusive") && msg.contains("MCOIMP") && msg.contains("MCOSTANDARD"), "{msg}");
    assert_eq!(licenses(h, &user), [id("ENTERPRISEPREMIUM")], "nothing changed");
    assert_eq!(consumed(h, "Office_365_w/o_Teams_Bundle_E5"), suite);
});

both!(a_target_without_a_free_seat_refuses_the_whole_call, demo_config(), |h: &mut dyn Harness| {
    let teams = id("Microsoft_Teams_EEA_New");
    h.with_sim(&mut |s| {
        let t = s.tenant_mut();
        let ix = t.sku_ix(&teams).unwrap() as usize;
        t.skus[ix].prepaid_enabled = t.skus[ix].consumed;
    });
    let user = direct_e5_user(h);
    let suite = consumed(h, "Office_365_w/o_Teams_Bundle_E5");
    let (status, v) = post(h, &format!("/v1.0/users/{user}/assignLicense"), &unbundle_body(&["MCOIMP"]));
    assert_eq!(status, 400, "{v}");
    let msg = error_message(&v);
    assert!(msg.contains("does not have any available licenses") && msg.contains(&teams), "{msg}");
    assert_eq!(licenses(h, &user), [id("ENTERPRISEPREMIUM")], "the suite was not added, E5 not removed");
    assert_eq!(consumed(h, "Office_365_w/o_Teams_Bundle_E5"), suite);
});

both!(a_group_unbundles_every_member_in_one_call, demo_config(), |h: &mut dyn Harness| {
    let g = group_id(h, "E5 - Leadership");
    let (status, v) = post(h, &format!("/v1.0/groups/{g}/assignLicense"), &unbundle_body(&["MCOIMP"]));
    assert_eq!(status, 202, "{v}");
    h.wait(400);
    let (_, v) = get(h, &format!("/v1.0/groups/{g}/members?$select=id,licenseAssignmentStates&$top=999"));
    let members = v["value"].as_array().unwrap();
    assert_eq!(members.len(), 3);
    for m in members {
        let states = m["licenseAssignmentStates"].as_array().unwrap();
        let active = |sku: &str| states.iter().any(|s| s["skuId"] == sku && s["state"] == "Active");
        assert!(active(&id("Office_365_w/o_Teams_Bundle_E5")) && active(&id("Microsoft_Teams_EEA_New")), "{m}");
        assert!(!states.iter().any(|s| s["skuId"] == id("ENTERPRISEPREMIUM")), "{m}");
    }
    h.with_sim(&mut |s| assert!(s.service_losses().is_empty(), "{:?}", s.service_losses()));
    // A group's licenses are judged together too: both Skype plans on is refused at once.
    let (status, v) = post(h, &format!("/v1.0/groups/{g}/assignLicense"), &json!({
        "addLicenses": [{ "skuId": id("Microsoft_Teams_EEA_New"), "disabledPlans": [] }],
        "removeLicenses": [],
    }));
    assert_eq!(status, 400, "{v}");
});

// The group assigns Office 365 E3 + EMS; a member also holds EMS directly. The group's swap to
// Microsoft 365 E3 leaves that member's direct EMS beside it (no conflict: the same plans), and
// removing it afterwards loses nothing.
both!(a_group_bundle_then_the_redundant_direct_license, demo_config(), |h: &mut dyn Harness| {
    let g = group_id(h, "E3 + EMS - Engineering");
    let body = json!({
        "addLicenses": [{ "skuId": id("SPE_E3"), "disabledPlans": [] }],
        "removeLicenses": [id("ENTERPRISEPACK"), id("EMS")],
    });
    assert_eq!(post(h, &format!("/v1.0/groups/{g}/assignLicense"), &body).0, 202);
    h.wait(400);
    let mixed = user_id(h, &|u| u.department.as_deref() == Some("Engineering") && u.direct.len() == 1 && !u.inherited.is_empty());
    assert_eq!(licenses(h, &mixed), sorted(vec![id("SPE_E3"), id("EMS")]));
    let remove = json!({ "addLicenses": [], "removeLicenses": [id("EMS")] });
    let (status, v) = post(h, &format!("/v1.0/users/{mixed}/assignLicense"), &remove);
    assert_eq!(status, 200, "{v}");
    assert_eq!(licenses(h, &mixed), [id("SPE_E3")]);
    h.with_sim(&mut |s| assert!(s.service_losses().is_empty(), "{:?}", s.service_losses()));
});
