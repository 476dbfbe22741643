//! Scale checks on a generated 100,000-user tenant. Ignored by default (slow in debug builds);
//! run with `cargo test -p licswap-sim --release --test scale -- --ignored --nocapture`.
mod common;
use common::*;
use licswap_sim::fixtures::generate;
use licswap_sim::{Sim, SimConfig};
use std::time::Instant;

#[test]
#[ignore]
fn hundred_thousand_users_build_read_and_swap() {
    let t0 = Instant::now();
    let tenant = generate(1, 100_000);
    let built = t0.elapsed();
    assert_eq!(tenant.users.len(), 100_001);
    let mut h = InProc::new(Sim::new(tenant, SimConfig { group_delay_ms: 1_000, ..SimConfig::test() }));

    let t1 = Instant::now();
    let mut next = Some(url(&h, &format!("/v1.0/users?$top=999&$select=id,assignedLicenses,licenseAssignmentStates&$filter=assignedLicenses/any(x:x/skuId eq {E1})")));
    let mut holders = 0;
    while let Some(link) = next {
        let r = h.send(licswap_core::graph::http::HttpRequest::get(link));
        let v = parse(&r);
        holders += v["value"].as_array().unwrap().len();
        next = v["@odata.nextLink"].as_str().map(String::from);
    }
    let read = t1.elapsed();

    let t2 = Instant::now();
    let mut direct = Vec::new();
    h.with_sim(&mut |s| {
        direct = s
            .tenant()
            .users
            .iter()
            .filter(|u| is_plain_generated(u))
            .take(10_000)
            .map(|u| u.id.clone())
            .collect()
    });
    let mut ok = 0;
    for chunk in direct.chunks(20) {
        let requests: Vec<serde_json::Value> = chunk
            .iter()
            .enumerate()
            .map(|(i, u)| {
                serde_json::json!({
            "id": i.to_string(), "method": "POST", "url": format!("/users/{u}/assignLicense"),
            "headers": {"Content-Type": "application/json"}, "body": swap_body(E3, E1)})
            })
            .collect();
        let (_, v) = post(&mut h, "/v1.0/$batch", &serde_json::json!({ "requests": requests }));
        ok += v["responses"].as_array().unwrap().iter().filter(|r| r["status"] == 200).count();
    }
    let swaps = t2.elapsed();

    let t3 = Instant::now();
    let g = h.sim.tenant().groups[0].id.clone();
    let members = h.sim.tenant().groups[0].members.len();
    assert_eq!(post(&mut h, &format!("/v1.0/groups/{g}/assignLicense"), &swap_body(E3, E1)).0, 202);
    h.wait(1_000);
    h.sim.advance(h.now);
    let group = t3.elapsed();
    assert!(!h.sim.processing_pending());
    println!(
        "100k: build {built:?}; read {holders} E1 holders in {read:?}; {ok} direct swaps in 500 batches in {swaps:?}; \
         group of {members} processed in {group:?}; history {} entries; losses {}",
        h.sim.history().len(),
        h.sim.service_losses().len()
    );
    assert_eq!(ok, direct.len());
}

fn is_plain_generated(u: &licswap_sim::tenant::UserRec) -> bool {
    u.inherited.is_empty()
        && u.direct.len() == 1
        && u.direct[0].sku == 0
        && u.usage_location.is_some()
        && u.department.as_deref() == Some("Staff")
}
