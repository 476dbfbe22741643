//! `POST /v1.0/$batch`: at most 20 requests, per-request status/headers/body, dependsOn, and
//! per-request throttling.
mod common;
use common::*;
use licswap_sim::{SimConfig, ThrottleConfig};
use serde_json::{json, Value};

fn batch(h: &mut dyn Harness, requests: Value) -> (u16, Value) {
    post(h, "/v1.0/$batch", &json!({ "requests": requests }))
}

fn assign_item(id: &str, user: &str) -> Value {
    json!({"id": id, "method": "POST", "url": format!("/users/{user}/assignLicense"),
           "headers": {"Content-Type": "application/json"}, "body": swap_body(E3, E1)})
}

fn direct_e1_users(h: &mut dyn Harness) -> Vec<String> {
    let mut ids = Vec::new();
    h.with_sim(&mut |s| {
        ids = s
            .tenant()
            .users
            .iter()
            .filter(|u| {
                u.department.as_deref() == Some("Operations")
                    && u.usage_location.is_some()
                    && u.inherited.is_empty()
            })
            .map(|u| u.id.clone())
            .collect()
    });
    ids
}

both!(each_request_gets_its_own_answer, demo_config(), |h: &mut dyn Harness| {
    let users = direct_e1_users(h);
    let sales_member = user_id(h, &|u| u.department.as_deref() == Some("Sales") && u.direct.is_empty());
    let (status, v) = batch(
        h,
        json!([
            assign_item("1", &users[0]),
            assign_item("2", &sales_member),
            {"id": "3", "method": "GET", "url": "/subscribedSkus"},
            {"id": "4", "method": "GET", "url": "users/00000000-0000-0000-0000-000000000000"},
            {"id": "5", "method": "GET", "url": "/users?$top=2&$select=id"},
        ]),
    );
    assert_eq!(status, 200);
    let by_id = |id: &str| v["responses"].as_array().unwrap().iter().find(|r| r["id"] == id).unwrap().clone();
    assert_eq!(by_id("1")["status"], 200);
    assert_eq!(by_id("2")["status"], 400);
    assert!(by_id("2")["body"]["error"]["message"].as_str().unwrap().contains("inherited"));
    assert_eq!(by_id("3")["status"], 200);
    assert!(by_id("3")["body"]["value"].is_array());
    assert_eq!(by_id("4")["status"], 404);
    assert!(by_id("1")["headers"]["Content-Type"].as_str().unwrap().starts_with("application/json"));
    // Paged answers inside a batch carry absolute nextLinks with the version.
    let next = by_id("5")["body"]["@odata.nextLink"]
        .as_str()
        .unwrap_or_else(|| panic!("{}", by_id("5")))
        .to_string();
    assert!(next.starts_with(&format!("{}/v1.0/users?", h.base())), "{next}");
    assert_eq!(h.send(licswap_core::graph::http::HttpRequest::get(next)).status, 200);
});

both!(depends_on_orders_and_fails_dependents, demo_config(), |h: &mut dyn Harness| {
    let users = direct_e1_users(h);
    let bad = json!({"id": "a", "method": "POST", "url": "/users/nobody/assignLicense", "headers": {"Content-Type": "application/json"}, "body": swap_body(E3, E1)});
    let mut after_bad = assign_item("b", &users[0]);
    after_bad["dependsOn"] = json!(["a"]);
    let mut after_good = assign_item("d", &users[1]);
    after_good["dependsOn"] = json!(["c"]);
    let (_, v) = batch(h, json!([after_good, bad, after_bad, assign_item("c", &users[2])]));
    let r = v["responses"].as_array().unwrap();
    let status = |id: &str| r.iter().find(|x| x["id"] == id).unwrap()["status"].as_u64().unwrap();
    assert_eq!((status("a"), status("b"), status("c"), status("d")), (404, 424, 200, 200));
    let pos = |id: &str| r.iter().position(|x| x["id"] == id).unwrap();
    assert!(pos("c") < pos("d"), "a dependency runs first");
});

both!(batch_limits_and_shape_errors, demo_config(), |h: &mut dyn Harness| {
    let many: Vec<Value> =
        (0..21).map(|i| json!({"id": i.to_string(), "method": "GET", "url": "/me"})).collect();
    let (status, v) = batch(h, Value::Array(many));
    assert_eq!(status, 400);
    assert!(error_message(&v).contains("20"));
    let twenty: Vec<Value> =
        (0..20).map(|i| json!({"id": i.to_string(), "method": "GET", "url": "/me"})).collect();
    assert_eq!(batch(h, Value::Array(twenty)).0, 200);
    let (status, _) = batch(
        h,
        json!([{"id": "1", "method": "GET", "url": "/me"}, {"id": "1", "method": "GET", "url": "/me"}]),
    );
    assert_eq!(status, 400, "duplicate ids");
    let (status, _) = batch(h, json!([{"id": "1", "method": "GET", "url": "/me", "dependsOn": ["9"]}]));
    assert_eq!(status, 400, "unknown dependency");
    let users = direct_e1_users(h);
    let no_ct = json!({"id": "1", "method": "POST", "url": format!("/users/{}/assignLicense", users[0]), "body": swap_body(E3, E1)});
    let (status, v) = batch(h, json!([no_ct]));
    assert_eq!(status, 200);
    assert_eq!(v["responses"][0]["status"], 400, "a body needs a Content-Type header");
});

fn throttled_config() -> SimConfig {
    SimConfig {
        throttle: ThrottleConfig { writes: 5, write_window_ms: 10_000, ..ThrottleConfig::default() },
        ..demo_config()
    }
}

both!(requests_inside_a_batch_are_throttled_one_by_one, throttled_config(), |h: &mut dyn Harness| {
    let users = direct_e1_users(h);
    let items: Vec<Value> =
        users.iter().take(8).enumerate().map(|(i, u)| assign_item(&i.to_string(), u)).collect();
    let (status, v) = batch(h, Value::Array(items));
    assert_eq!(status, 200);
    let r = v["responses"].as_array().unwrap();
    assert_eq!(r.iter().filter(|x| x["status"] == 200).count(), 5);
    let throttled: Vec<&Value> = r.iter().filter(|x| x["status"] == 429).collect();
    assert_eq!(throttled.len(), 3);
    for t in throttled {
        let secs: f64 = t["headers"]["Retry-After"].as_str().unwrap().parse().unwrap();
        assert!(secs > 0.0 && secs <= 10.0);
        assert_eq!(t["body"]["error"]["code"], "TooManyRequests");
    }
    h.with_sim(&mut |s| assert_eq!(s.stats.throttled, 3));
});

both!(retry_after_inside_a_batch_can_be_decimal, SimConfig {
    throttle: ThrottleConfig { writes: 3, write_window_ms: 1_000, ..ThrottleConfig::default() },
    decimal_batch_retry_after: true,
    ..demo_config()
}, |h: &mut dyn Harness| {
    // microsoftgraph/microsoft-graph-docs#3877: items carry e.g. "Retry-After": "0.249".
    let users = direct_e1_users(h);
    let items: Vec<Value> = users.iter().take(4).enumerate().map(|(i, u)| assign_item(&i.to_string(), u)).collect();
    let (_, v) = batch(h, Value::Array(items));
    let t = v["responses"].as_array().unwrap().iter().find(|x| x["status"] == 429).unwrap().clone();
    assert_eq!(t["headers"]["Retry-After"], "0.334", "a third of a second until the next write token");
    // Outside a batch the header stays whole seconds.
    let r = h.send(licswap_core::graph::http::HttpRequest::post_json(
        url(h, &format!("/v1.0/users/{}/assignLicense", users[5])),
        swap_body(E3, E1).to_string(),
    ));
    assert_eq!((r.status, r.header("Retry-After")), (429, Some("1")));
});
