//! `$batch`: chunks of 20, mixed answers, per-item retry that never resends a finished item,
//! unknown outcomes for writes, the bound on batches in flight.
use futures::executor::block_on;
use licswap_core::graph::batch::get_item;
use licswap_core::graph::calls::assign_license_item;
use licswap_core::graph::clock::VirtualClock;
use licswap_core::graph::fake::{json, FakeTransport};
use licswap_core::graph::http::{Clock, HttpRequest, HttpResponse};
use licswap_core::graph::{CancelToken, ClientConfig, GraphClient, GraphError};
use licswap_core::model::{AssignLicenseBody, AssignedLicense, BatchRequest};
use licswap_core::plan::TargetKind;
use serde_json::{json as j, Value};
use std::cell::RefCell;
use std::rc::Rc;

fn guid(n: usize) -> String {
    format!("00000000-0000-0000-0000-{n:012}")
}

fn items_of(req: &HttpRequest) -> BatchRequest {
    assert!(req.url.ends_with("/$batch"), "{}", req.url);
    serde_json::from_str(req.body.as_deref().unwrap()).unwrap()
}

fn answer(responses: Vec<Value>) -> HttpResponse {
    json(200, j!({ "responses": responses }))
}

fn client(t: FakeTransport, max_in_flight: usize) -> GraphClient<FakeTransport, VirtualClock> {
    let cfg = ClientConfig {
        base_url: "https://graph.microsoft.com/v1.0".into(),
        max_in_flight,
        ..Default::default()
    };
    GraphClient::new(t, VirtualClock::new(0), cfg).unwrap()
}

#[test]
fn mixed_results_and_only_throttled_items_are_resent() {
    // Item "t" is throttled once (Retry-After 4), "e" is a Graph error, the rest succeed.
    let seen: Rc<RefCell<Vec<Vec<String>>>> = Rc::default();
    let log = seen.clone();
    let t = FakeTransport::new(move |req| {
        let batch = items_of(req);
        log.borrow_mut().push(batch.requests.iter().map(|r| r.id.clone()).collect());
        let first = log.borrow().len() == 1;
        let responses = batch
            .requests
            .iter()
            .rev() // Graph may answer in any order.
            .map(|r| match r.id.as_str() {
                "t" if first => j!({"id": "t", "status": 429, "headers": {"Retry-After": "4"},
                    "body": {"error": {"code": "TooManyRequests", "message": "slow down"}}}),
                "e" => j!({"id": "e", "status": 400, "headers": {"request-id": "rid-e"},
                    "body": {"error": {"code": "Request_BadRequest", "message": "bad sku"}}}),
                id => j!({"id": id, "status": 200, "body": {"id": id}}),
            })
            .collect();
        Ok(answer(responses))
    });
    let c = client(t, 4);
    let items = vec![
        get_item("a", "/users/a"),
        get_item("t", "/users/t"),
        get_item("e", "/users/e"),
        get_item("b", "/users/b"),
    ];
    let out = block_on(c.batch(items, &CancelToken::new())).unwrap();

    let ids: Vec<&str> = out.iter().map(|r| r.id.as_str()).collect();
    assert_eq!(ids, ["a", "t", "e", "b"], "answers come back in the order asked");
    assert_eq!(out[0].result.as_ref().unwrap().read::<serde_json::Value>("a").unwrap(), j!({"id": "a"}));
    assert_eq!(out[1].result.as_ref().unwrap().status, 200);
    let err = out[2].result.as_ref().unwrap_err();
    assert_eq!(
        (err.status(), err.graph_code(), err.request_id()),
        (Some(400), Some("Request_BadRequest"), Some("rid-e"))
    );
    assert!(out[3].result.is_ok());

    assert_eq!(*seen.borrow(), vec![vec!["a", "t", "e", "b"], vec!["t"]]);
    assert_eq!(c.clock().now_ms(), 4_000);
    let s = c.stats();
    assert_eq!((s.requests, s.batches, s.batch_items, s.throttled, s.retries), (2, 2, 5, 1, 1));
}

#[test]
fn many_items_go_in_chunks_of_twenty_within_the_in_flight_bound() {
    let t = FakeTransport::new(|req| {
        let batch = items_of(req);
        assert!(batch.requests.len() <= 20);
        Ok(answer(
            batch.requests.iter().map(|r| j!({"id": r.id, "status": 200, "body": {"id": r.url}})).collect(),
        ))
    });
    let c = client(t, 3);
    let items: Vec<_> = (0..205).map(|n| get_item(n.to_string(), format!("/users/{}", guid(n)))).collect();
    let out = block_on(c.batch(items, &CancelToken::new())).unwrap();
    assert_eq!(out.len(), 205);
    assert!(out.iter().enumerate().all(|(n, r)| r.id == n.to_string() && r.result.is_ok()));
    let sizes: Vec<usize> = c.transport().requests().iter().map(|r| items_of(r).requests.len()).collect();
    assert_eq!(sizes.len(), 11);
    assert_eq!(sizes.iter().sum::<usize>(), 205);
    assert_eq!(c.peak_in_flight(), 3, "batches ran concurrently, never more than the bound");
}

#[test]
fn writes_with_unknown_outcome_are_reported_and_not_resent() {
    let body = AssignLicenseBody {
        add_licenses: vec![AssignedLicense { sku_id: guid(9).into(), disabled_plans: vec![] }],
        remove_licenses: vec![guid(8)],
    };
    let t = FakeTransport::new(|req| {
        let batch = items_of(req);
        // "w1" times out at a gateway, "w2" gets no answer at all, "w3" is throttled then done.
        let responses = batch
            .requests
            .iter()
            .filter(|r| r.id != "w2")
            .map(|r| match r.id.as_str() {
                "w1" => j!({"id": "w1", "status": 504}),
                id => j!({"id": id, "status": if batch.requests.len() > 1 { 429 } else { 200 }}),
            })
            .collect();
        Ok(answer(responses))
    });
    let c = client(t, 2);
    let items = vec![
        assign_license_item("w1", TargetKind::User, &guid(1), &body).unwrap(),
        assign_license_item("w2", TargetKind::Group, &guid(2), &body).unwrap(),
        assign_license_item("w3", TargetKind::User, &guid(3), &body).unwrap(),
    ];
    let out = block_on(c.batch(items, &CancelToken::new())).unwrap();
    assert!(matches!(out[0].result, Err(GraphError::UnknownOutcome { .. })), "{:?}", out[0]);
    assert!(matches!(out[1].result, Err(GraphError::UnknownOutcome { .. })), "{:?}", out[1]);
    assert_eq!(out[2].result.as_ref().unwrap().status, 200);
    let reqs = c.transport().requests();
    assert_eq!(reqs.len(), 2);
    let first = items_of(&reqs[0]);
    assert_eq!(first.requests[1].url, format!("/groups/{}/assignLicense", guid(2)));
    assert_eq!(first.requests[0].body, Some(serde_json::to_value(&body).unwrap()));
    assert_eq!(first.requests[0].headers.as_ref().unwrap()["Content-Type"], "application/json");
    assert_eq!(items_of(&reqs[1]).requests.iter().map(|r| r.id.as_str()).collect::<Vec<_>>(), ["w3"]);
}

#[test]
fn throttling_that_never_ends_is_exhaustion_for_those_items_only() {
    let t = FakeTransport::new(|req| {
        let batch = items_of(req);
        Ok(answer(
            batch
                .requests
                .iter()
                .map(|r| {
                    if r.id == "slow" {
                        j!({"id": "slow", "status": 503, "body": {"error": {"code": "ServiceUnavailable", "message": "busy"}}})
                    } else {
                        j!({"id": r.id, "status": 204})
                    }
                })
                .collect(),
        ))
    });
    let c = client(t, 1);
    let out = block_on(
        c.batch(vec![get_item("ok", "/users/x"), get_item("slow", "/users/y")], &CancelToken::new()),
    )
    .unwrap();
    assert_eq!(out[0].result.as_ref().unwrap().status, 204);
    match &out[1].result {
        Err(GraphError::RetriesExhausted { attempts: 6, last }) => {
            assert_eq!(last.graph_code(), Some("ServiceUnavailable"))
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(c.transport().count(), 6);
}

#[test]
fn an_unreadable_batch_response_fails_reads_as_decode_and_writes_as_unknown() {
    let t =
        FakeTransport::new(|_| Ok(HttpResponse { status: 200, headers: vec![], body: "not json".into() }));
    let c = client(t, 1);
    let w = assign_license_item("w", TargetKind::User, &guid(1), &AssignLicenseBody::default()).unwrap();
    let out = block_on(c.batch(vec![get_item("r", "/users/x"), w], &CancelToken::new())).unwrap();
    assert!(matches!(out[0].result, Err(GraphError::Decode { .. })));
    assert!(matches!(out[1].result, Err(GraphError::UnknownOutcome { .. })));
}

#[test]
fn cancelling_answers_cancelled_for_what_was_not_done() {
    let t = FakeTransport::new(|req| {
        let b = items_of(req);
        Ok(answer(b.requests.iter().map(|r| j!({"id": r.id, "status": 200})).collect()))
    });
    let c = client(t, 1);
    let cancelled = CancelToken::new();
    cancelled.cancel();
    let out = block_on(c.batch(vec![get_item("a", "/users/a")], &cancelled)).unwrap();
    assert_eq!(out[0].result, Err(GraphError::Cancelled));
    assert_eq!(c.transport().count(), 0);
}

#[test]
fn invalid_batches_are_refused_before_sending() {
    let c = client(FakeTransport::new(|_| unreachable!()), 1);
    let dup =
        block_on(c.batch(vec![get_item("a", "/users/a"), get_item("a", "/users/b")], &CancelToken::new()));
    assert!(matches!(dup, Err(GraphError::Invalid(_))));
    let mut late = get_item("b", "/users/b");
    late.depends_on = Some(vec!["later".into()]);
    let dep = block_on(c.batch(vec![late, get_item("later", "/users/c")], &CancelToken::new()));
    assert!(matches!(dep, Err(GraphError::Invalid(_))));
    assert!(assign_license_item("x", TargetKind::User, "not-a-guid", &AssignLicenseBody::default()).is_err());
}

#[test]
fn users_are_read_back_in_batches_with_per_id_answers() {
    let t = FakeTransport::new(|req| {
        let b = items_of(req);
        Ok(answer(
            b.requests
                .iter()
                .map(|r| {
                    let id = r.url.trim_start_matches("/users/").split('?').next().unwrap().to_string();
                    assert!(r.url.contains("$select=id,userPrincipalName,"), "{}", r.url);
                    if id.ends_with('7') {
                        j!({"id": r.id, "status": 404, "body": {"error": {"code": "Request_ResourceNotFound", "message": "gone"}}})
                    } else {
                        j!({"id": r.id, "status": 200, "body": {"id": id, "licenseAssignmentStates": []}})
                    }
                })
                .collect(),
        ))
    });
    let c = client(t, 2);
    let ids: Vec<String> = (0..30).map(guid).collect();
    let out = block_on(c.users_batch(&ids, &CancelToken::new())).unwrap();
    assert_eq!(c.transport().count(), 2);
    for (n, (id, user)) in out.iter().enumerate() {
        assert_eq!(id, &guid(n));
        match user {
            Ok(u) => assert_eq!(&u.id, id),
            Err(e) => {
                assert!(id.ends_with('7'));
                assert!(e.is_not_found());
            }
        }
    }
    assert_eq!(out.iter().filter(|(_, u)| u.is_err()).count(), 3);
}

#[test]
fn the_bound_holds_across_operations_running_at_once() {
    let t = FakeTransport::new(|req| {
        if req.url.ends_with("/$batch") {
            let b = items_of(req);
            Ok(answer(
                b.requests.iter().map(|r| j!({"id": r.id, "status": 200, "body": {"id": "x"}})).collect(),
            ))
        } else {
            Ok(json(200, j!({"id": "x"})))
        }
    });
    let c = client(t, 2);
    let reads: Vec<_> = (0..100).map(|n| get_item(n.to_string(), format!("/users/{}", guid(n)))).collect();
    let ids: Vec<String> = (0..100).map(guid).collect();
    let never = CancelToken::new();
    let one_user = format!("/users/{}", guid(1));
    let (a, b, one) = block_on(futures::future::join3(
        c.batch(reads, &never),
        c.users_batch(&ids, &never),
        c.get::<serde_json::Value>(&one_user, "a user"),
    ));
    assert!(a.unwrap().iter().all(|r| r.result.is_ok()));
    assert!(b.unwrap().iter().all(|(_, u)| u.is_ok()));
    assert!(one.is_ok());
    assert_eq!(c.transport().count(), 11);
    assert_eq!(c.peak_in_flight(), 2);
}
