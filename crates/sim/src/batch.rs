//! JSON batching: `POST /v1.0/$batch` with at most 20 requests, each answered with its own
//! status, headers and body; `dependsOn` orders requests and a failed dependency fails its
//! dependents with 424. Each request inside is authorized, throttled and fault-injected on its
//! own, so one may get 429 with `Retry-After` while its neighbours succeed.
//! Source: <https://learn.microsoft.com/en-us/graph/json-batching>
use crate::routes::Body;
use crate::sim::{Answer, Caller, Sim};
use crate::wire::{iso8601, GraphErrorReply, Target};
use licswap_core::graph::http::Method;
use licswap_core::model::{BatchRequest, BatchRequestItem};
use serde::Serialize;
use serde_json::{json, Map, Value};

pub const MAX_REQUESTS: usize = 20;

fn validate(batch: &BatchRequest) -> Result<(), GraphErrorReply> {
    if batch.requests.is_empty() {
        return Err(GraphErrorReply::new(400, "BadRequest", "The batch request contains no requests."));
    }
    if batch.requests.len() > MAX_REQUESTS {
        return Err(GraphErrorReply::new(
            400,
            "BadRequest",
            format!("The batch request contains more than {MAX_REQUESTS} requests."),
        ));
    }
    for (i, r) in batch.requests.iter().enumerate() {
        if batch.requests[..i].iter().any(|o| o.id == r.id) {
            return Err(GraphErrorReply::new(
                400,
                "BadRequest",
                format!("Batch request ids must be unique; '{}' is repeated.", r.id),
            ));
        }
        for d in r.depends_on.iter().flatten() {
            if !batch.requests.iter().any(|o| &o.id == d) || d == &r.id {
                return Err(GraphErrorReply::new(
                    400,
                    "BadRequest",
                    format!("Request '{}' depends on unknown request '{d}'.", r.id),
                ));
            }
        }
        if r.url.starts_with("http") || r.url.trim_start_matches('/').starts_with("v1.0") {
            return Err(GraphErrorReply::new(
                400,
                "BadRequest",
                format!("Request '{}' must use a URL relative to the version, e.g. '/users'.", r.id),
            ));
        }
    }
    Ok(())
}

pub(crate) fn run(sim: &mut Sim, caller: &Caller, body: &str, base: &str, now: u64) -> Answer {
    let batch: BatchRequest = match serde_json::from_str(body) {
        Ok(b) => b,
        Err(e) => {
            return GraphErrorReply::new(400, "BadRequest", format!("Invalid batch payload: {e}")).into()
        }
    };
    if let Err(e) = validate(&batch) {
        return e.into();
    }
    let n = batch.requests.len();
    let mut status: Vec<Option<u16>> = vec![None; n];
    let mut out: Vec<ItemResponse> = Vec::with_capacity(n);
    while out.len() < n {
        // Next request whose dependencies are answered, in the order given.
        let Some(i) = (0..n).find(|&i| {
            status[i].is_none()
                && batch.requests[i]
                    .depends_on
                    .iter()
                    .flatten()
                    .all(|d| status[index_of(&batch, d)].is_some())
        }) else {
            return GraphErrorReply::new(400, "BadRequest", "The dependsOn graph of the batch has a cycle.")
                .into();
        };
        let item = &batch.requests[i];
        let failed_dep = item
            .depends_on
            .iter()
            .flatten()
            .any(|d| !status[index_of(&batch, d)].is_some_and(|s| (200..300).contains(&s)));
        let answer = if failed_dep {
            GraphErrorReply::new(
                424,
                "FailedDependency",
                "The request was not run because a request it depends on failed.",
            )
            .into()
        } else {
            inner(sim, caller, item, base, now)
        };
        status[i] = Some(answer.status);
        out.push(item_response(sim, item, answer, now));
    }
    let written = crate::routes::Reply::ok_written(&Responses { responses: out });
    Answer { status: 200, body: written.body, headers: Vec::new() }
}

fn index_of(batch: &BatchRequest, id: &str) -> usize {
    batch.requests.iter().position(|r| r.id == id).unwrap_or(0)
}

fn inner(sim: &mut Sim, caller: &Caller, item: &BatchRequestItem, base: &str, now: u64) -> Answer {
    let Some(method) = Method::parse(&item.method) else {
        return GraphErrorReply::new(400, "BadRequest", format!("Unsupported method '{}'.", item.method))
            .into();
    };
    let has_ct =
        item.headers.as_ref().is_some_and(|h| h.keys().any(|k| k.eq_ignore_ascii_case("content-type")));
    if item.body.is_some() && !has_ct {
        // "If a body is included with the request, the headers object must contain a value for
        // Content-Type." (json-batching)
        return GraphErrorReply::new(
            400,
            "BadRequest",
            "Content-Type header must be specified for a request with a body.",
        )
        .into();
    }
    let url = if item.url.starts_with('/') { item.url.clone() } else { format!("/{}", item.url) };
    let target = Target::parse(&url);
    let segs = target.segments();
    let body = item.body.as_ref().map(crate::wire::json_text);
    let call = crate::routes::Call {
        method: &method,
        segs: &segs,
        target: &target,
        body: body.as_deref(),
        base,
        now,
        group_timing: sim.config.group_timing(),
        eventual: item.headers.as_ref().is_some_and(|h| {
            h.iter().any(|(k, v)| {
                k.eq_ignore_ascii_case("ConsistencyLevel") && v.eq_ignore_ascii_case("eventual")
            })
        }),
        in_batch: true,
    };
    sim.single(caller, &call)
}

/// `{"responses": [...]}`, written as text: the items' bodies are pages of users already
/// written so.
#[derive(Serialize)]
struct Responses {
    responses: Vec<ItemResponse>,
}

/// One item's answer, fields in the order a `Value` map writes them.
#[derive(Serialize)]
struct ItemResponse {
    #[serde(skip_serializing_if = "Option::is_none")]
    body: Option<Body>,
    headers: Map<String, Value>,
    id: String,
    status: u16,
}

fn item_response(sim: &mut Sim, item: &BatchRequestItem, mut a: Answer, now: u64) -> ItemResponse {
    let mut headers = Map::new();
    if let Some(err) = a.body.as_mut().and_then(Body::error_mut) {
        err.insert(
            "innerError".into(),
            json!({ "date": iso8601(now), "request-id": sim.stats.graph_requests.to_string() }),
        );
    }
    if a.body.is_some() {
        headers.insert("Content-Type".into(), Value::String(crate::wire::GRAPH_JSON.into()));
    }
    for (k, v) in a.headers {
        headers.insert(k, Value::String(v));
    }
    ItemResponse { body: a.body, headers, id: item.id.clone(), status: a.status }
}
