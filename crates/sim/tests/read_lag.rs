//! Reads that lag writes (`SimConfig::read_lag_ms`): a read right after a write may show the
//! tenant as it was before it; writes are always checked against the current tenant; off by
//! default (read-your-writes). Source: "Designing for eventual consistency for Microsoft Entra"
//! (devblogs.microsoft.com/identity, March 2026).
mod common;
use common::*;
use licswap_sim::SimConfig;
use serde_json::json;

fn lagging(ms: u64) -> SimConfig {
    SimConfig { read_lag_ms: (ms, ms), ..demo_config() }
}

fn licenses(h: &mut dyn Harness, id: &str) -> Vec<String> {
    let (status, v) = get(h, &format!("/v1.0/users/{id}?$select=assignedLicenses"));
    assert_eq!(status, 200, "{v}");
    skus_of(&v)
}

fn consumed_e3(h: &mut dyn Harness) -> i64 {
    let (_, v) = get(h, "/v1.0/subscribedSkus");
    v["value"].as_array().unwrap().iter().find(|s| s["skuId"] == E3).unwrap()["consumedUnits"]
        .as_i64()
        .unwrap()
}

both!(reads_see_their_writes_by_default, demo_config(), |h: &mut dyn Harness| {
    let id = user_id(h, &is_plain_e1);
    let (status, _) = post(h, &format!("/v1.0/users/{id}/assignLicense"), &swap_body(E3, E1));
    assert_eq!(status, 200);
    assert_eq!(licenses(h, &id), vec![E3.to_string()]);
});

both!(a_read_inside_the_lag_shows_the_state_before_the_write, lagging(2_000), |h: &mut dyn Harness| {
    let id = user_id(h, &is_plain_e1);
    let e3_before = consumed_e3(h);
    let (status, _) = post(h, &format!("/v1.0/users/{id}/assignLicense"), &swap_body(E3, E1));
    assert_eq!(status, 200);
    assert_eq!(licenses(h, &id), vec![E1.to_string()], "a read right after shows the old licenses");
    assert_eq!(consumed_e3(h), e3_before, "seat counts lag too");
    h.wait(1_999);
    assert_eq!(licenses(h, &id), vec![E1.to_string()]);
    h.wait(1);
    assert_eq!(licenses(h, &id), vec![E3.to_string()], "after the lag the write shows");
    assert_eq!(consumed_e3(h), e3_before + 1);
});

both!(a_resent_write_is_judged_on_the_current_tenant, lagging(5_000), |h: &mut dyn Harness| {
    // What a client that trusts a stale read-back would do: resend a swap that already landed.
    let id = user_id(h, &is_plain_e1);
    let path = format!("/v1.0/users/{id}/assignLicense");
    assert_eq!(post(h, &path, &swap_body(E3, E1)).0, 200);
    assert_eq!(licenses(h, &id), vec![E1.to_string()], "stale");
    let (status, v) = post(h, &path, &swap_body(E3, E1));
    assert_eq!(status, 400);
    assert_eq!(error_message(&v), "User does not have a corresponding license.");
});

both!(reads_inside_a_batch_lag_too, lagging(1_000), |h: &mut dyn Harness| {
    let id = user_id(h, &is_plain_e1);
    let body = json!({"requests": [
        {"id": "w", "method": "POST", "url": format!("/users/{id}/assignLicense"),
         "headers": {"Content-Type": "application/json"}, "body": swap_body(E3, E1)},
        {"id": "r", "method": "GET", "url": format!("/users/{id}?$select=assignedLicenses"), "dependsOn": ["w"]},
    ]});
    let (status, v) = post(h, "/v1.0/$batch", &body);
    assert_eq!(status, 200);
    let r = v["responses"].as_array().unwrap().iter().find(|r| r["id"] == "r").unwrap();
    assert_eq!(skus_of(&r["body"]), vec![E1.to_string()]);
});

both!(group_changes_lag_for_readers, lagging(3_000), |h: &mut dyn Harness| {
    let sales = group_id(h, "E1 - Sales");
    let (status, _) = post(h, &format!("/v1.0/groups/{sales}/assignLicense"), &swap_body(E3, E1));
    assert_eq!(status, 202);
    let read = |h: &mut dyn Harness| {
        let (_, v) = get(h, &format!("/v1.0/groups/{sales}?$select=assignedLicenses,licenseProcessingState"));
        (skus_of(&v), v["licenseProcessingState"]["state"].as_str().unwrap().to_string())
    };
    assert_eq!(read(h), (vec![E1.to_string()], "ProcessingComplete".to_string()));
    h.wait(3_000);
    let (skus, _) = read(h);
    assert_eq!(skus, vec![E3.to_string()]);
    // Processing completes 300 ms after the write (demo_config); the reader sees it 3 s later.
    h.wait(400);
    assert_eq!(read(h).1, "ProcessingComplete");
});

#[test]
fn versions_are_dropped_once_no_read_can_see_them() {
    let mut h = InProc::new(demo_sim(lagging(1_000)));
    let id = user_id(&mut h, &is_plain_e1);
    post(&mut h, &format!("/v1.0/users/{id}/assignLicense"), &swap_body(E3, E1));
    assert!(h.sim.tenant().lagging_versions() > 0);
    h.wait(1_001);
    get(&mut h, "/v1.0/organization");
    assert_eq!(h.sim.tenant().lagging_versions(), 0);
}

#[cfg(feature = "server")]
#[test]
fn sim_server_turns_lagging_reads_on_and_off_through_the_faults_endpoint() {
    let mut h = common::http::OverHttp::new(demo_sim(demo_config()));
    let (status, _) = post(&mut h, "/_sim/faults", &json!({"readLagMs": [1_000, 1_000]}));
    assert_eq!(status, 200);
    let id = user_id(&mut h, &is_plain_e1);
    assert_eq!(post(&mut h, &format!("/v1.0/users/{id}/assignLicense"), &swap_body(E3, E1)).0, 200);
    assert_eq!(licenses(&mut h, &id), vec![E1.to_string()]);
    post(&mut h, "/_sim/faults", &json!({}));
    assert_eq!(licenses(&mut h, &id), vec![E3.to_string()], "off again: read-your-writes");
}
