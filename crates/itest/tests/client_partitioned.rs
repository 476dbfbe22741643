//! Reading a large SKU's holders as first-character partitions (licswap-core's
//! `graph::holder_partitions`) against the simulator: the same snapshot as the one sequential
//! query, every partition an advanced query, and the sequential read when the counts disagree.
use futures::executor::block_on;
use licswap_core::graph::clock::VirtualClock;
use licswap_core::graph::http::{HttpRequest, HttpResponse, Transport, TransportError};
use licswap_core::graph::{CancelToken, ClientConfig, GraphClient};
use licswap_core::plan::Snapshot;
use licswap_itest::client_config;
use licswap_sim::fixtures::{generate, FIXTURE_EPOCH_MS};
use licswap_sim::{Sim, SimConfig, SimTransport, Tenant};
use std::cell::RefCell;
use std::rc::Rc;

/// The simulator in process, with every request the client sent kept for inspection.
struct Recording {
    inner: SimTransport<VirtualClock>,
    sent: RefCell<Vec<HttpRequest>>,
}

impl Transport for Recording {
    async fn send(&self, req: HttpRequest) -> Result<HttpResponse, TransportError> {
        self.sent.borrow_mut().push(req.clone());
        self.inner.send(req).await
    }
}

struct Load {
    snap: Snapshot,
    sent: Vec<HttpRequest>,
    requests: u64,
}

fn load(tenant: Tenant, config: ClientConfig) -> Load {
    let sim = Rc::new(RefCell::new(Sim::new(tenant, SimConfig::test())));
    let clock = VirtualClock::new(FIXTURE_EPOCH_MS);
    let transport =
        Recording { inner: SimTransport::new(sim, clock.clone()), sent: RefCell::new(Vec::new()) };
    let c = GraphClient::new(transport, clock, config).unwrap();
    let snap = block_on(c.load_snapshot("STANDARDPACK", &CancelToken::new(), &mut |_| {})).unwrap();
    let requests = c.stats().requests;
    let sent = c.transport().sent.borrow().clone();
    Load { snap, sent, requests }
}

fn partitioned() -> ClientConfig {
    ClientConfig { partition_holders_from: Some(1_000), ..client_config() }
}

/// Users sorted by id, so two loads compare whatever order their pages came in.
fn sorted(mut s: Snapshot) -> Snapshot {
    s.users.sort_by(|a, b| a.id.cmp(&b.id));
    s
}

/// A holder query as sent: alone, or as an item of a `$batch` (URL percent-decoded, since
/// Graph's paging links are encoded).
struct Query {
    url: String,
    consistency: Option<String>,
    in_batch: bool,
}

/// The holder queries sent (counts with `$top=1` left out).
fn holder_queries(sent: &[HttpRequest]) -> Vec<Query> {
    let mut out = Vec::new();
    for r in sent {
        if r.url.ends_with("/$batch") {
            let body: serde_json::Value = serde_json::from_str(r.body.as_deref().unwrap_or("{}")).unwrap();
            for item in body["requests"].as_array().into_iter().flatten() {
                let consistency = item["headers"]["ConsistencyLevel"].as_str().map(str::to_string);
                let url = percent_decode(item["url"].as_str().unwrap_or(""));
                out.push(Query { url, consistency, in_batch: true });
            }
        } else {
            let consistency = header(r, "ConsistencyLevel").map(str::to_string);
            out.push(Query { url: percent_decode(&r.url), consistency, in_batch: false });
        }
    }
    out.retain(|q| {
        q.url.contains("/users?") && q.url.contains("assignedLicenses") && !q.url.contains("$top=1&")
    });
    out
}

fn percent_decode(s: &str) -> String {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        match (b[i], s.get(i + 1..i + 3).and_then(|h| u8::from_str_radix(h, 16).ok())) {
            (b'%', Some(v)) => {
                out.push(v);
                i += 3;
            }
            (c, _) => {
                out.push(c);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

fn header<'a>(r: &'a HttpRequest, name: &str) -> Option<&'a str> {
    r.headers.iter().find(|(k, _)| k.eq_ignore_ascii_case(name)).map(|(_, v)| v.as_str())
}

#[test]
fn partitions_read_the_same_snapshot_as_the_one_query() {
    let one = load(generate(3, 12_000), client_config());
    let parts = load(generate(3, 12_000), partitioned());
    assert_eq!(sorted(parts.snap), sorted(one.snap));
    let queries = holder_queries(&parts.sent);
    // Several queries, each a `startsWith` partition sent as an advanced query.
    let firsts = queries.iter().filter(|q| !q.url.contains("skiptoken")).count();
    // Up to one `$batch` of queries (20), more than the first characters' heaviest alone needs.
    assert!((9..=20).contains(&firsts), "{firsts} partition queries");
    let mut pages = 0;
    for q in &queries {
        assert!(q.url.contains("startsWith(userPrincipalName,") || q.url.contains("skiptoken"), "{}", q.url);
        assert!(q.url.contains("$count=true") || q.url.contains("skiptoken"), "{}", q.url);
        assert_eq!(q.consistency.as_deref(), Some("eventual"), "{}", q.url);
        assert!(q.in_batch, "every page of a partition is read inside a $batch: {}", q.url);
        pages += 1;
    }
    // The counts: 44 first characters and the total, 20 to a `$batch`; then one `$batch` per
    // round, each carrying the next page of every partition still unfinished: far fewer
    // requests than pages.
    let batches = |sent: &[HttpRequest]| sent.iter().filter(|r| r.url.ends_with("/$batch")).count();
    let rounds = batches(&parts.sent) - batches(&one.sent) - 3;
    assert!(rounds >= 2 && rounds * 4 <= pages, "{rounds} rounds for {pages} pages");
    assert!(parts.requests < one.requests, "{} requests in partitions, {} with one query", parts.requests, one.requests);
    println!("12,000 users: {} requests in partitions ({pages} pages in {rounds} rounds), {} with one query", parts.requests, one.requests);
}

#[test]
fn the_one_query_reads_the_holders_when_the_counts_disagree() {
    // A holder whose name starts with a character outside the documented set: no partition
    // finds them, so the per-character counts fall one short of the total.
    let tenant = || {
        let mut t = generate(4, 3_000);
        let odd = t.users.iter().position(|u| u.upn.starts_with("adele") && !u.direct.is_empty()).unwrap();
        let renamed = format!("+{}", t.users[odd].upn);
        t.set_upn(odd as u32, renamed);
        t
    };
    let l = load(tenant(), partitioned());
    assert_eq!(sorted(l.snap.clone()), sorted(load(tenant(), client_config()).snap));
    assert!(l
        .snap
        .users
        .iter()
        .any(|u| u.user_principal_name.as_deref().is_some_and(|n| n.starts_with('+'))));
    let queries = holder_queries(&l.sent);
    assert!(!queries.is_empty());
    assert!(queries.iter().all(|q| !q.url.contains("startsWith")), "no partition was paged");
    assert!(queries.iter().all(|q| q.consistency.is_none()), "the one query stays strongly consistent");
}

#[test]
fn small_skus_keep_the_one_query() {
    let l = load(generate(5, 500), partitioned());
    let no_counts = |r: &HttpRequest| !r.body.as_deref().unwrap_or("").contains("startsWith");
    assert!(l.sent.iter().all(no_counts), "no counts asked for");
    let queries = holder_queries(&l.sent);
    assert!(!queries.is_empty() && queries.iter().all(|q| !q.url.contains("startsWith")));
}

/// The simulator in process, with every `@odata.count` it answers multiplied by a billion: the
/// parts still add up to the total, but no tenant is that large.
struct Inflated(SimTransport<VirtualClock>);

impl Transport for Inflated {
    async fn send(&self, req: HttpRequest) -> Result<HttpResponse, TransportError> {
        let mut resp = self.0.send(req).await?;
        let key = "\"@odata.count\":";
        let mut out = String::with_capacity(resp.body.len());
        let mut rest = resp.body.as_str();
        while let Some(at) = rest.find(key) {
            let digits = rest[at + key.len()..].bytes().take_while(u8::is_ascii_digit).count();
            out.push_str(&rest[..at + key.len() + digits]);
            if digits > 0 {
                out.push_str("000000000");
            }
            rest = &rest[at + key.len() + digits..];
        }
        out.push_str(rest);
        resp.body = out;
        Ok(resp)
    }
}

#[test]
fn counts_out_of_reason_do_not_size_the_read() {
    // Each partition's list is sized from its count, within a bound (tested with the sizing, in
    // holder_partitions): with counts a billion times too large the read still finds everyone,
    // no more and no fewer.
    let tenant = || generate(4, 3_000);
    let sim = Rc::new(RefCell::new(Sim::new(tenant(), SimConfig::test())));
    let clock = VirtualClock::new(FIXTURE_EPOCH_MS);
    let c = GraphClient::new(Inflated(SimTransport::new(sim, clock.clone())), clock, partitioned()).unwrap();
    let snap = block_on(c.load_snapshot("STANDARDPACK", &CancelToken::new(), &mut |_| {})).unwrap();
    assert_eq!(sorted(snap), sorted(load(tenant(), client_config()).snap));
}
