//! Paging through `@odata.nextLink`, the exact URLs sent, and the snapshot load against a small
//! scripted tenant.
use futures::executor::block_on;
use licswap_core::graph::clock::VirtualClock;
use licswap_core::graph::fake::{json, FakeTransport};
use licswap_core::graph::http::{HttpRequest, HttpResponse};
use licswap_core::graph::{CancelToken, ClientConfig, GraphClient, GraphError, LoadPhase, LoadProgress};
use serde_json::{json as j, Value};

const E1: &str = "18181a46-0d4e-45cd-891e-60aabd171b4e";
const GROUP: &str = "99999999-0000-0000-0000-000000000001";

fn uid(n: usize) -> String {
    format!("00000000-0000-0000-0000-{n:012}")
}

fn query_param<'a>(url: &'a str, name: &str) -> Option<&'a str> {
    url.split_once('?')?.1.split('&').find_map(|kv| kv.strip_prefix(name)?.strip_prefix('='))
}

/// Pages `items` by `top`, with absolute nextLinks naming Graph's host (as Graph does).
fn page(items: &[Value], path: &str, url: &str, top: usize) -> Value {
    let skip: usize = query_param(url, "$skiptoken").map(|s| s.parse().unwrap()).unwrap_or(0);
    let end = (skip + top).min(items.len());
    let mut body = j!({ "value": items[skip..end] });
    if end < items.len() {
        body["@odata.nextLink"] = j!(format!("https://graph.microsoft.com/v1.0{path}?$skiptoken={end}"));
    }
    body
}

fn skus() -> Value {
    j!({"value": [{"skuId": E1, "skuPartNumber": "STANDARDPACK", "consumedUnits": 25,
        "prepaidUnits": {"enabled": 30}, "servicePlans": []}]})
}

/// 25 holders of E1 (two of them through GROUP), GROUP with those two plus one member whose
/// license is in error, and a device.
fn tenant(req: &HttpRequest) -> HttpResponse {
    let path = req.url.trim_start_matches("http://127.0.0.1:9/v1.0");
    let holders: Vec<Value> = (0..25)
        .map(|n| {
            let by_group = if n < 2 { j!(GROUP) } else { Value::Null };
            j!({"id": uid(n), "userPrincipalName": format!("u{n}@contoso.com"),
                "assignedLicenses": [{"skuId": E1, "disabledPlans": []}],
                "licenseAssignmentStates": [{"skuId": E1, "assignedByGroup": by_group, "state": "Active"}]})
        })
        .collect();
    let members = vec![
        j!({"@odata.type": "#microsoft.graph.user", "id": uid(0)}),
        j!({"@odata.type": "#microsoft.graph.device", "id": "device-1"}),
        j!({"@odata.type": "#microsoft.graph.user", "id": uid(1)}),
        j!({"@odata.type": "#microsoft.graph.user", "id": uid(100)}),
    ];
    if path.starts_with("/subscribedSkus") {
        return json(200, skus());
    }
    if path.starts_with("/users?") {
        return json(200, page(&holders, "/users", path, 10));
    }
    if path.starts_with("/groups?") {
        return json(
            200,
            j!({"value": [{"id": GROUP, "displayName": "E1 users",
            "assignedLicenses": [{"skuId": E1, "disabledPlans": []}]}]}),
        );
    }
    if path == "/$batch" {
        let batch: Value = serde_json::from_str(req.body.as_deref().unwrap()).unwrap();
        let responses: Vec<Value> = batch["requests"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| {
                let url = r["url"].as_str().unwrap();
                let body = if url.starts_with("/subscribedSkus") {
                    skus()
                } else if url.starts_with("/organization") {
                    j!({"value": [{"id": "t", "displayName": "Fake Tenant"}]})
                } else if url.starts_with(&format!("/groups/{GROUP}/members")) {
                    page(&members, &format!("/groups/{GROUP}/members"), url, 3)
                } else if url.starts_with(&format!("/users/{}", uid(100))) {
                    j!({"id": uid(100), "licenseAssignmentStates": [{"skuId": E1, "assignedByGroup": GROUP,
                        "state": "Error", "error": "CountViolation"}]})
                } else {
                    return j!({"id": r["id"], "status": 404, "body": {"error": {"code": "Request_ResourceNotFound", "message": url}}});
                };
                j!({"id": r["id"], "status": 200, "body": body})
            })
            .collect();
        return json(200, j!({ "responses": responses }));
    }
    json(404, j!({"error": {"code": "NotFound", "message": path}}))
}

fn client() -> GraphClient<FakeTransport, VirtualClock> {
    let cfg = ClientConfig { base_url: "http://127.0.0.1:9/v1.0".into(), ..Default::default() };
    GraphClient::new(FakeTransport::new(|r| Ok(tenant(r))), VirtualClock::new(0), cfg).unwrap()
}

#[test]
fn holders_are_paged_with_the_exact_query_and_the_links_kept_on_our_host() {
    let c = client();
    let mut seen = Vec::new();
    let users = block_on(c.users_with_sku(E1, &CancelToken::new(), &mut |n| seen.push(n))).unwrap();
    assert_eq!(users.len(), 25);
    assert_eq!(seen, [10, 20, 25]);
    let urls: Vec<String> = c.transport().requests().into_iter().map(|r| r.url).collect();
    assert_eq!(
        urls[0],
        format!(
            "http://127.0.0.1:9/v1.0/users?$filter=assignedLicenses/any(x:x/skuId%20eq%20{E1})\
             &$select=id,userPrincipalName,displayName,usageLocation,accountEnabled,assignedLicenses,\
             licenseAssignmentStates&$top=999"
        )
    );
    assert_eq!(urls[1], "http://127.0.0.1:9/v1.0/users?$skiptoken=10");
    assert_eq!(urls[2], "http://127.0.0.1:9/v1.0/users?$skiptoken=20");
    assert!(c.transport().requests().iter().all(|r| r.header("ConsistencyLevel").is_none()));
}

#[test]
fn a_sku_id_that_is_not_a_guid_is_refused() {
    let c = client();
    assert!(matches!(
        block_on(c.users_with_sku("E1) or (true", &CancelToken::new(), &mut |_| {})),
        Err(GraphError::Invalid(_))
    ));
    assert_eq!(c.transport().count(), 0);
}

#[test]
fn a_link_to_another_api_or_to_itself_stops_paging() {
    let t = FakeTransport::new(|_| {
        Ok(json(200, j!({"value": [], "@odata.nextLink": "https://evil.example/steal"})))
    });
    let c = GraphClient::new(t, VirtualClock::new(0), ClientConfig::default()).unwrap();
    assert!(matches!(block_on(c.list_group_member_ids(GROUP)), Err(GraphError::Invalid(_))));
    assert_eq!(c.transport().count(), 1);

    let t = FakeTransport::new(|req| {
        let rel = req.url.trim_start_matches("https://graph.microsoft.com/v1.0");
        Ok(json(
            200,
            j!({"value": [{"id": "x"}], "@odata.nextLink": format!("https://graph.microsoft.com/v1.0{rel}")}),
        ))
    });
    let c = GraphClient::new(t, VirtualClock::new(0), ClientConfig::default()).unwrap();
    assert!(matches!(block_on(c.list_group_member_ids(GROUP)), Err(GraphError::Decode { .. })));
}

#[test]
fn the_snapshot_holds_holders_groups_members_and_members_in_error() {
    let c = client();
    let mut reports: Vec<LoadProgress> = Vec::new();
    let snap =
        block_on(c.load_snapshot("standardpack", &CancelToken::new(), &mut |p| reports.push(p))).unwrap();
    assert_eq!(snap.skus.len(), 1);
    assert_eq!(snap.tenant_name.as_deref(), Some("Fake Tenant"));
    assert_eq!(snap.groups.len(), 1);
    let g = &snap.groups[0];
    assert_eq!(g.member_ids, [uid(0), uid(1), uid(100)], "users only, every page");
    assert_eq!(snap.users.len(), 26, "25 holders and the member whose license is in error");
    assert_eq!(
        snap.users.last().unwrap().license_assignment_states[0].error.as_deref(),
        Some("CountViolation")
    );
    // 1 batch for SKUs and name + 3 holder pages + 1 groups + 2 member batches (2 pages) + 1 batch for the member in error.
    assert_eq!(c.stats().requests, 8);
    assert_eq!(reports.last().unwrap().phase, LoadPhase::Done);
    let holders: Vec<&LoadProgress> = reports.iter().filter(|p| p.phase == LoadPhase::Holders).collect();
    assert_eq!(holders.last().unwrap().done, 25);
    assert_eq!(holders.last().unwrap().total, Some(25), "total from the SKU's consumedUnits");
}

#[test]
fn an_unknown_sku_gives_the_skus_only() {
    let c = client();
    let snap = block_on(c.load_snapshot("ENTERPRISEPACK", &CancelToken::new(), &mut |_| {})).unwrap();
    assert_eq!(snap.skus.len(), 1);
    assert!(snap.users.is_empty() && snap.groups.is_empty());
    assert_eq!(c.stats().requests, 1);
}

#[test]
fn skus_are_paged_after_the_first_batch_and_a_refused_name_is_no_failure() {
    let sku = |n: usize| j!({"skuId": uid(n), "skuPartNumber": format!("SKU{n}"), "servicePlans": []});
    let t = FakeTransport::new(move |req| {
        Ok(if req.url.ends_with("/$batch") {
            json(
                200,
                j!({"responses": [
                    {"id": "org", "status": 403, "body": {"error": {"code": "Authorization_RequestDenied", "message": "no"}}},
                    {"id": "skus", "status": 200, "body": {"value": [sku(1)],
                        "@odata.nextLink": "https://graph.microsoft.com/v1.0/subscribedSkus?$skiptoken=2"}},
                ]}),
            )
        } else if req.url.contains("/subscribedSkus") {
            json(200, j!({"value": [sku(2)]}))
        } else {
            json(200, j!({"value": []}))
        })
    });
    let c = GraphClient::new(t, VirtualClock::new(0), ClientConfig::default()).unwrap();
    let snap = block_on(c.load_snapshot("SKU2", &CancelToken::new(), &mut |_| {})).unwrap();
    assert_eq!(snap.tenant_name, None);
    assert_eq!(snap.skus.len(), 2);
    let urls: Vec<String> = c.transport().requests().into_iter().map(|r| r.url).collect();
    assert_eq!(urls[1], "https://graph.microsoft.com/v1.0/subscribedSkus?$skiptoken=2");
    // SKU2 was found on the second page: its holders and groups were read.
    assert_eq!(urls.len(), 4);
    assert!(urls[2..].iter().all(|u| u.contains(&format!("skuId%20eq%20{}", uid(2)))), "{urls:?}");
}
