//! JSON `$batch` (https://learn.microsoft.com/graph/json-batching): up to 20 requests in one POST.
//! Each item has its own status, so one batch can hold successes, Graph errors and throttled
//! items. Throttled items (429, or 503/504 for reads) are sent again in a later batch after the
//! longest `Retry-After` among them; items that succeeded or failed for good are never resent.
//! A write whose fate is unknown (a 504, an answer missing from the response, a lost response) is
//! reported as [`GraphError::UnknownOutcome`] and not resent.
use super::cancel::CancelToken;
use super::client::{decode, Call, GraphClient};
use super::error::{GraphError, HttpError};
use super::http::{Clock, Method, Transport};
use super::retry::{classify, parse_retry_after, RetryDecision};
use crate::model::{BatchRequest, BatchRequestItem, BatchResponse, BatchResponseItem};
use futures::stream::{self, StreamExt};
use serde::de::DeserializeOwned;
use serde_json::value::RawValue;
use std::collections::{BTreeMap, HashSet};

/// Graph's limit of requests per `$batch`.
pub const MAX_BATCH: usize = 20;

/// A batch item Graph answered with a 2xx. Its body is the item's JSON text, read as its type by
/// [`BatchItemOk::read`].
#[derive(Clone, Debug)]
pub struct BatchItemOk {
    pub status: u16,
    pub headers: BTreeMap<String, String>,
    pub body: Option<Box<RawValue>>,
}

impl BatchItemOk {
    /// The body read as `D` (a page of users, a count, a group).
    pub fn read<D: DeserializeOwned>(&self, what: &str) -> Result<D, GraphError> {
        let body = self.body.as_ref().ok_or_else(|| GraphError::decode(what, "the answer had no body"))?;
        serde_json::from_str(body.get()).map_err(|e| GraphError::decode(what, e))
    }
}

impl PartialEq for BatchItemOk {
    fn eq(&self, other: &Self) -> bool {
        self.status == other.status
            && self.headers == other.headers
            && self.body.as_deref().map(RawValue::get) == other.body.as_deref().map(RawValue::get)
    }
}

#[derive(Clone, Debug, PartialEq)]
pub struct BatchItemResult {
    pub id: String,
    pub result: Result<BatchItemOk, GraphError>,
}

/// A read inside a batch. `relative_url` is relative to the version root (`/users/{id}?..`).
pub fn get_item(id: impl Into<String>, relative_url: impl Into<String>) -> BatchRequestItem {
    BatchRequestItem {
        id: id.into(),
        method: "GET".into(),
        url: relative_url.into(),
        headers: None,
        body: None,
        depends_on: None,
    }
}

/// A write inside a batch; Graph wants the item's Content-Type when it has a body.
pub fn post_item(
    id: impl Into<String>,
    relative_url: impl Into<String>,
    body: serde_json::Value,
) -> BatchRequestItem {
    let headers = BTreeMap::from([("Content-Type".to_string(), "application/json".to_string())]);
    BatchRequestItem {
        id: id.into(),
        method: "POST".into(),
        url: relative_url.into(),
        headers: Some(headers),
        body: Some(body),
        depends_on: None,
    }
}

fn is_read(item: &BatchRequestItem) -> bool {
    item.method.eq_ignore_ascii_case("GET")
}

fn header<'a>(headers: Option<&'a BTreeMap<String, String>>, name: &str) -> Option<&'a str> {
    headers?.iter().find(|(k, _)| k.eq_ignore_ascii_case(name)).map(|(_, v)| v.as_str())
}

/// Refuses what Graph would refuse for the whole batch: duplicate ids, `dependsOn` across chunks.
fn validate(items: &[BatchRequestItem]) -> Result<(), GraphError> {
    let mut seen = HashSet::new();
    for (i, item) in items.iter().enumerate() {
        if !seen.insert(item.id.as_str()) {
            return Err(GraphError::Invalid(format!("batch item id {:?} is used twice", item.id)));
        }
        let chunk_start = i - i % MAX_BATCH;
        for dep in item.depends_on.iter().flatten() {
            let in_chunk = items[chunk_start..i].iter().any(|o| &o.id == dep);
            if !in_chunk {
                return Err(GraphError::Invalid(format!(
                    "batch item {:?} depends on {dep:?}, which is not earlier in its batch of {MAX_BATCH}",
                    item.id
                )));
            }
        }
    }
    Ok(())
}

impl<T: Transport, C: Clock> GraphClient<T, C> {
    /// Runs `items` in batches of 20, several batches in flight, and answers for every item in
    /// the order given. `Err` only for items that could not be sent at all (duplicate ids); a
    /// cancelled run answers [`GraphError::Cancelled`] for each item not yet done, so the caller
    /// still learns which writes went through.
    pub async fn batch(
        &self,
        items: Vec<BatchRequestItem>,
        cancel: &CancelToken,
    ) -> Result<Vec<BatchItemResult>, GraphError> {
        validate(&items)?;
        let chunks: Vec<Vec<BatchRequestItem>> = items.chunks(MAX_BATCH).map(<[_]>::to_vec).collect();
        let mut answered: Vec<(usize, Vec<BatchItemResult>)> = stream::iter(chunks.into_iter().enumerate())
            .map(|(n, chunk)| async move { (n, self.run_chunk(chunk, cancel).await) })
            .buffer_unordered(self.config.max_in_flight.max(1))
            .collect()
            .await;
        answered.sort_by_key(|(n, _)| *n);
        Ok(answered.into_iter().flat_map(|(_, r)| r).collect())
    }

    /// One chunk of at most 20, until every item has a final answer.
    async fn run_chunk(&self, chunk: Vec<BatchRequestItem>, cancel: &CancelToken) -> Vec<BatchItemResult> {
        let mut results: Vec<Option<Result<BatchItemOk, GraphError>>> = vec![None; chunk.len()];
        let mut last_err: Vec<Option<GraphError>> = vec![None; chunk.len()];
        let policy = self.config.retry.clone();
        let mut attempt = 0u32;
        loop {
            let pending: Vec<usize> = (0..chunk.len()).filter(|i| results[*i].is_none()).collect();
            if pending.is_empty() {
                break;
            }
            if cancel.is_cancelled() {
                pending.iter().for_each(|i| results[*i] = Some(Err(GraphError::Cancelled)));
                break;
            }
            attempt += 1;
            if attempt > 1 {
                self.bump(|s| s.retries += pending.len() as u64);
            }
            let (retry_after, throttled) =
                self.send_chunk(&chunk, &pending, &mut results, &mut last_err, cancel).await;
            let still: Vec<usize> = pending.iter().copied().filter(|i| results[*i].is_none()).collect();
            if still.is_empty() {
                break;
            }
            if attempt >= policy.attempts_for(throttled && retry_after.is_none()) {
                for i in still {
                    let last = last_err[i].take().unwrap_or(GraphError::Cancelled);
                    results[i] =
                        Some(Err(GraphError::RetriesExhausted { attempts: attempt, last: Box::new(last) }));
                }
                break;
            }
            let delay = policy.delay_for(attempt, throttled, retry_after, &self.jitter);
            if self.pause(delay, cancel).await.is_err() {
                still.iter().for_each(|i| results[*i] = Some(Err(GraphError::Cancelled)));
                break;
            }
        }
        chunk
            .into_iter()
            .zip(results)
            .map(|(item, r)| BatchItemResult { id: item.id, result: r.unwrap_or(Err(GraphError::Cancelled)) })
            .collect()
    }

    /// Sends the pending items of a chunk once; fills final answers into `results` and returns the
    /// longest `Retry-After` among the items left to retry, and whether any of them was throttled.
    async fn send_chunk(
        &self,
        chunk: &[BatchRequestItem],
        pending: &[usize],
        results: &mut [Option<Result<BatchItemOk, GraphError>>],
        last_err: &mut [Option<GraphError>],
        cancel: &CancelToken,
    ) -> (Option<u64>, bool) {
        let pending_ids: HashSet<&str> = pending.iter().map(|i| chunk[*i].id.as_str()).collect();
        let requests: Vec<BatchRequestItem> = pending
            .iter()
            .map(|i| {
                let mut item = chunk[*i].clone();
                // A dependency that already succeeded is not resent, so the link to it is dropped.
                item.depends_on = item
                    .depends_on
                    .map(|d| d.into_iter().filter(|x| pending_ids.contains(x.as_str())).collect::<Vec<_>>())
                    .filter(|d| !d.is_empty());
                item
            })
            .collect();
        let all_reads = requests.iter().all(is_read);
        let body = match serde_json::to_string(&BatchRequest { requests }) {
            Ok(b) => b,
            Err(e) => {
                let err = GraphError::Invalid(format!("batch could not be encoded: {e}"));
                pending.iter().for_each(|i| results[*i] = Some(Err(err.clone())));
                return (None, false);
            }
        };
        self.bump(|s| {
            s.batches += 1;
            s.batch_items += pending.len() as u64
        });
        let what = format!("a batch of {} requests", pending.len());
        let call = Call {
            method: Method::Post,
            relative: "/$batch",
            body: Some(&body),
            idempotent: all_reads,
            what: &what,
            eventual: false,
        };
        let resp = match self.send(&call, cancel).await {
            Ok(r) => r,
            Err(GraphError::UnknownOutcome { detail, .. }) => {
                // The writes may have run; the reads can simply be asked again.
                for i in pending {
                    if is_read(&chunk[*i]) {
                        last_err[*i] =
                            Some(GraphError::UnknownOutcome { what: what.clone(), detail: detail.clone() });
                    } else {
                        results[*i] = Some(Err(unknown(&chunk[*i], &detail)));
                    }
                }
                return (None, false);
            }
            Err(e) => {
                pending.iter().for_each(|i| results[*i] = Some(Err(e.clone())));
                return (None, false);
            }
        };
        let outer_request_id = resp.header("request-id").map(str::to_string);
        let parsed: BatchResponse = match decode(&resp.body, "the $batch response") {
            Ok(p) => p,
            Err(e) => {
                for i in pending {
                    let item = &chunk[*i];
                    let err = if is_read(item) {
                        e.clone()
                    } else {
                        unknown(item, "the batch response was unreadable")
                    };
                    results[*i] = Some(Err(err));
                }
                return (None, false);
            }
        };
        let mut by_id: BTreeMap<String, _> = parsed.responses.into_iter().map(|r| (r.id.clone(), r)).collect();
        let mut retry_after: Option<u64> = None;
        let mut throttled = false;
        for i in pending {
            let item = &chunk[*i];
            let Some(mut r) = by_id.remove(item.id.as_str()) else {
                if is_read(item) {
                    last_err[*i] = Some(GraphError::decode("the $batch response", "an answer was missing"));
                } else {
                    results[*i] = Some(Err(unknown(item, "Graph's batch response had no answer for it")));
                }
                continue;
            };
            // Graph's error for this item, with its own request id or else the batch's.
            let error = |r: &BatchResponseItem| {
                let request_id = header(r.headers.as_ref(), "request-id").or(outer_request_id.as_deref());
                HttpError::from_parts(r.status, request_id, r.body.as_deref().map_or("", RawValue::get))
            };
            match classify(r.status, is_read(item)) {
                RetryDecision::Success => {
                    results[*i] = Some(Ok(BatchItemOk {
                        status: r.status,
                        headers: r.headers.take().unwrap_or_default(),
                        body: r.body.take(),
                    }))
                }
                RetryDecision::Fail => {
                    results[*i] = Some(Err(error(&r).into()))
                }
                RetryDecision::Unknown => {
                    results[*i] = Some(Err(unknown(item, &error(&r).to_string())));
                }
                RetryDecision::Retry => {
                    if r.status == 429 {
                        self.bump(|s| s.throttled += 1);
                        throttled = true;
                    }
                    if let Some(ms) = parse_retry_after(header(r.headers.as_ref(), "Retry-After")) {
                        retry_after = Some(retry_after.unwrap_or(0).max(ms));
                    }
                    last_err[*i] = Some(error(&r).into());
                }
            }
        }
        (retry_after, throttled)
    }
}

fn unknown(item: &BatchRequestItem, detail: &str) -> GraphError {
    GraphError::UnknownOutcome { what: format!("{} {}", item.method, item.url), detail: detail.to_string() }
}
