//! Retry, throttling, auth renewal, unknown outcomes and cancellation, against a scripted transport.
use futures::executor::block_on;
use futures::future::{join, LocalBoxFuture};
use licswap_core::graph::calls::assign_license_item;
use licswap_core::graph::clock::VirtualClock;
use licswap_core::graph::fake::{graph_error, json, FakeTransport};
use licswap_core::graph::http::{Clock, HttpResponse, TransportError};
use licswap_core::graph::retry::RetryPolicy;
use licswap_core::graph::{CancelToken, ClientConfig, GraphClient, GraphError, StaticToken, TokenSource};
use licswap_core::model::{AssignLicenseBody, User};
use licswap_core::plan::TargetKind;
use serde_json::json as j;
use std::cell::Cell;
use std::rc::Rc;

const USER: &str = "11111111-1111-1111-1111-111111111111";
const SKU: &str = "22222222-2222-2222-2222-222222222222";

/// One user read on its own: a single GET, the request every retry rule applies to.
async fn get_user<C: Clock>(c: &GraphClient<FakeTransport, C>) -> Result<User, GraphError> {
    c.get(&format!("/users/{USER}"), &format!("user {USER}")).await
}

/// One license write as the executor sends it, an `assignLicense` item in a `$batch`, and its
/// answer.
fn assign(c: &GraphClient<FakeTransport, VirtualClock>) -> Result<(), GraphError> {
    let item = assign_license_item("w", TargetKind::User, USER, &AssignLicenseBody::default()).unwrap();
    let mut out = block_on(c.batch(vec![item], &CancelToken::new())).unwrap();
    out.remove(0).result.map(|_| ())
}

fn config() -> ClientConfig {
    ClientConfig { base_url: "https://graph.microsoft.com/v1.0".into(), ..Default::default() }
}

fn client(
    handler: impl FnMut(usize) -> Result<HttpResponse, TransportError> + 'static,
) -> GraphClient<FakeTransport, VirtualClock> {
    let mut handler = handler;
    let mut n = 0;
    let t = FakeTransport::new(move |_| {
        n += 1;
        handler(n)
    });
    GraphClient::new(t, VirtualClock::new(0), config()).unwrap()
}

fn user_json() -> serde_json::Value {
    j!({"id": USER, "userPrincipalName": "a@contoso.com", "assignedLicenses": [], "licenseAssignmentStates": []})
}

fn throttled(after_secs: u32) -> HttpResponse {
    let mut r = graph_error(429, "TooManyRequests", "Too many requests");
    r.headers.push(("Retry-After".into(), after_secs.to_string()));
    r
}

#[test]
fn throttled_then_success_waits_retry_after() {
    let c = client(|n| Ok(if n == 1 { throttled(7) } else { json(200, user_json()) }));
    let user = block_on(get_user(&c)).unwrap();
    assert_eq!(user.id, USER);
    assert_eq!(c.transport().count(), 2);
    assert_eq!(c.clock().now_ms(), 7_000, "waited exactly Retry-After");
    let s = c.stats();
    assert_eq!((s.requests, s.retries, s.throttled, s.waited_ms), (2, 1, 1, 7_000));
}

#[test]
fn without_retry_after_backs_off_exponentially_within_the_cap() {
    let mut cfg = config();
    cfg.retry =
        RetryPolicy { max_attempts: 5, base_delay_ms: 1_000, max_delay_ms: 3_000, ..RetryPolicy::default() };
    let t = FakeTransport::new(|_| Ok(graph_error(503, "ServiceUnavailable", "try later")));
    let c = GraphClient::new(t, VirtualClock::new(0), cfg).unwrap();
    let err = block_on(get_user(&c)).unwrap_err();
    assert_eq!(c.transport().count(), 5);
    // Waits: [500,1000] + [1000,2000] + [1500,3000] + [1500,3000].
    let waited = c.clock().now_ms();
    assert!((4_500..=9_000).contains(&waited), "waited {waited}");
    match &err {
        GraphError::RetriesExhausted { attempts, last } => {
            assert_eq!(*attempts, 5);
            assert_eq!(last.status(), Some(503));
        }
        other => panic!("expected exhaustion, got {other:?}"),
    }
    assert_eq!(err.graph_code(), Some("ServiceUnavailable"));
    assert_eq!(err.request_id(), Some("req-503-ServiceUnavailable"));
    assert!(err.to_string().starts_with("Gave up after 5 attempts"), "{err}");
}

/// A browser cannot read Graph's `Retry-After` (not in its CORS exposed headers): Graph throttles
/// for the rest of its 150 s write window, answering 429 with no readable header; the client
/// waits it out with its own back-off instead of giving up after the short 5xx back-off.
#[test]
fn a_throttle_window_outlasts_the_blind_back_off_without_retry_after() {
    let clock = VirtualClock::new(0);
    let seen = clock.clone();
    let t = FakeTransport::new(move |_| {
        Ok(if seen.now_ms() < 150_000 {
            graph_error(429, "TooManyRequests", "Too many requests")
        } else {
            json(200, user_json())
        })
    });
    let c = GraphClient::new(t, clock, config()).unwrap();
    let user = block_on(get_user(&c)).unwrap();
    assert_eq!(user.id, USER);
    assert!(c.clock().now_ms() >= 150_000);
    assert!(c.stats().throttled >= 3, "{:?}", c.stats());
}

#[test]
fn graph_errors_are_typed_and_not_retried() {
    let c = client(|_| Ok(graph_error(404, "Request_ResourceNotFound", "Resource 'x' does not exist")));
    let err = block_on(get_user(&c)).unwrap_err();
    assert_eq!(c.transport().count(), 1);
    assert!(err.is_not_found());
    assert_eq!(err.graph_code(), Some("Request_ResourceNotFound"));
    assert_eq!(
        err.to_string(),
        "Graph answered 404 (Request_ResourceNotFound): Resource 'x' does not exist (request id req-404-Request_ResourceNotFound)."
    );
}

#[test]
fn a_non_graph_error_body_still_gives_a_readable_error() {
    let c = client(|_| {
        Ok(HttpResponse { status: 502, headers: vec![], body: "<html>Bad gateway</html>".into() })
    });
    let err = block_on(get_user(&c)).unwrap_err();
    assert_eq!(err.status(), Some(502));
    assert_eq!(err.graph_code(), Some("HTTP 502"));
    assert!(err.to_string().contains("Bad gateway"));
}

#[test]
fn malformed_json_is_a_decode_error_naming_what_was_read() {
    let c = client(|_| Ok(HttpResponse { status: 200, headers: vec![], body: "{\"id\": 12".into() }));
    match block_on(get_user(&c)).unwrap_err() {
        GraphError::Decode { what, .. } => assert_eq!(what, format!("user {USER}")),
        other => panic!("expected a decode error, got {other:?}"),
    }
}

#[test]
fn a_write_whose_gateway_timed_out_is_not_resent() {
    let c = client(|_| Ok(graph_error(504, "GatewayTimeout", "upstream timed out")));
    let err = assign(&c).unwrap_err();
    assert_eq!(c.transport().count(), 1);
    assert!(matches!(err, GraphError::UnknownOutcome { .. }), "{err:?}");
    assert!(err.to_string().contains("read it back"), "{err}");
}

#[test]
fn a_write_whose_response_was_lost_is_not_resent_but_a_read_is() {
    let c = client(|_| Err(TransportError::ResponseLost("connection reset".into())));
    let err = assign(&c).unwrap_err();
    assert_eq!(c.transport().count(), 1);
    assert!(matches!(err, GraphError::UnknownOutcome { .. }));

    let c = client(|n| {
        if n < 3 {
            Err(TransportError::ResponseLost("reset".into()))
        } else {
            Ok(json(200, user_json()))
        }
    });
    assert!(block_on(get_user(&c)).is_ok());
    assert_eq!(c.transport().count(), 3);
}

#[test]
fn a_write_that_never_left_is_retried() {
    let c = client(|n| {
        if n == 1 {
            Err(TransportError::Unreachable("connection refused".into()))
        } else {
            Ok(json(200, j!({"responses": [{"id": "w", "status": 200}]})))
        }
    });
    assign(&c).unwrap();
    let reqs = c.transport().requests();
    assert_eq!(reqs.len(), 2);
    assert_eq!(reqs[1].url, "https://graph.microsoft.com/v1.0/$batch");
    let sent: serde_json::Value = serde_json::from_str(reqs[1].body.as_deref().unwrap()).unwrap();
    assert_eq!(sent["requests"][0]["url"], format!("/users/{USER}/assignLicense"));
    assert_eq!(sent["requests"][0]["body"], j!({"addLicenses": [], "removeLicenses": []}));
}

/// A token source that hands out "old" until renewed, then "new".
struct Renewing {
    renewed: Cell<u32>,
    fail: bool,
}

impl TokenSource for Renewing {
    fn token(&self) -> LocalBoxFuture<'_, Result<Option<licswap_core::graph::AccessToken>, GraphError>> {
        let t = if self.renewed.get() == 0 { "old-secret" } else { "new-secret" };
        Box::pin(async move { Ok(Some(licswap_core::graph::AccessToken::new(t))) })
    }

    fn renew(&self) -> LocalBoxFuture<'_, Result<(), GraphError>> {
        Box::pin(async move {
            if self.fail {
                return Err(GraphError::Auth("refresh token expired".into()));
            }
            self.renewed.set(self.renewed.get() + 1);
            Ok(())
        })
    }
}

#[test]
fn a_rejected_token_is_renewed_once() {
    let t = FakeTransport::new(|req| {
        Ok(match req.header("Authorization") {
            Some("Bearer new-secret") => json(200, user_json()),
            _ => graph_error(401, "InvalidAuthenticationToken", "Access token has expired"),
        })
    });
    let tokens = Rc::new(Renewing { renewed: Cell::new(0), fail: false });
    let c = GraphClient::new(t, VirtualClock::new(0), config()).unwrap().with_tokens(tokens.clone());
    block_on(get_user(&c)).unwrap();
    assert_eq!(tokens.renewed.get(), 1);
    assert_eq!(c.transport().count(), 2);

    // A renewal that fails is the caller's error, and no token shows in it.
    let t = FakeTransport::new(|_| Ok(graph_error(401, "InvalidAuthenticationToken", "expired")));
    let tokens = Rc::new(Renewing { renewed: Cell::new(0), fail: true });
    let c = GraphClient::new(t, VirtualClock::new(0), config()).unwrap().with_tokens(tokens);
    let err = block_on(get_user(&c)).unwrap_err();
    assert!(matches!(err, GraphError::Auth(_)), "{err:?}");
    assert!(!format!("{err} {err:?} {c:?}").contains("secret"));
}

#[test]
fn a_token_rejected_twice_is_an_error_not_a_loop() {
    let t = FakeTransport::new(|_| Ok(graph_error(401, "InvalidAuthenticationToken", "expired")));
    let tokens = Rc::new(Renewing { renewed: Cell::new(0), fail: false });
    let c = GraphClient::new(t, VirtualClock::new(0), config()).unwrap().with_tokens(tokens);
    let err = block_on(get_user(&c)).unwrap_err();
    assert_eq!(err.status(), Some(401));
    assert_eq!(c.transport().count(), 2);
}

#[test]
fn the_static_token_is_sent_and_never_shown() {
    let t = FakeTransport::new(|_| {
        Ok(graph_error(403, "Authorization_RequestDenied", "Insufficient privileges"))
    });
    let tokens = StaticToken::new("eyJ-very-secret");
    let c = GraphClient::new(t, VirtualClock::new(0), config()).unwrap().with_tokens(Rc::new(tokens.clone()));
    let err = block_on(get_user(&c)).unwrap_err();
    assert_eq!(c.transport().requests()[0].header("Authorization"), Some("Bearer eyJ-very-secret"));
    let shown = format!("{err} {err:?} {c:?} {tokens:?} {:?}", c.transport().requests());
    assert!(!shown.contains("very-secret"), "{shown}");
}

/// A clock whose sleeps never end by themselves: only cancellation can end one.
#[derive(Clone, Default)]
struct StuckClock;

impl Clock for StuckClock {
    fn now_ms(&self) -> u64 {
        0
    }

    async fn sleep(&self, _ms: u64) {
        futures::future::pending::<()>().await
    }
}

#[test]
fn cancelling_ends_a_back_off_sleep() {
    let t = FakeTransport::new(|_| Ok(throttled(3600)));
    let c = GraphClient::new(t, StuckClock, config()).unwrap();
    let token = CancelToken::new();
    let cancel_soon = async {
        // Let the request go out and the back-off start first.
        for _ in 0..5 {
            yield_now().await;
        }
        token.cancel();
    };
    let (result, ()) = block_on(join(c.users_with_sku(SKU, &token, &mut |_| {}), cancel_soon));
    assert_eq!(result.unwrap_err(), GraphError::Cancelled);
    assert_eq!(c.transport().count(), 1);

    // Nothing is sent under a cancelled token; a call with a fresh one goes out.
    assert!(block_on(c.users_with_sku(SKU, &token, &mut |_| {})).unwrap_err().is_cancelled());
    assert_eq!(c.transport().count(), 1);
    let fresh = CancelToken::new();
    let _ = block_on(join(c.users_with_sku(SKU, &fresh, &mut |_| {}), async { fresh.cancel() }));
    assert_eq!(c.transport().count(), 2);
}

async fn yield_now() {
    let mut yielded = false;
    futures::future::poll_fn(|cx| {
        if yielded {
            std::task::Poll::Ready(())
        } else {
            yielded = true;
            cx.waker().wake_by_ref();
            std::task::Poll::Pending
        }
    })
    .await
}
