//! Bad input never panics the simulator: random paths, queries, methods, headers and bodies get
//! an HTTP answer (4xx for nonsense), and the tenant's seat counts stay consistent.
mod common;
use common::*;
use licswap_core::graph::http::{HttpRequest, Method};
use licswap_sim::rng::Rng;
use licswap_sim::SimConfig;

const PIECES: &[&str] = &[
    "/v1.0",
    "/users",
    "/groups",
    "/subscribedSkus",
    "/$batch",
    "/assignLicense",
    "/members",
    "/$ref",
    "/membersWithLicenseErrors",
    "/me",
    "/organization",
    "/common/oauth2/v2.0/token",
    "/x/oauth2/v2.0/authorize",
    "/00000000-0000-0000-0000-000000000000",
    "/%zz",
    "/%2F..",
    "//",
    "/ünïcode",
    "/reprocessLicenseAssignment",
];
const QUERIES: &[&str] = &[
    "$top=0", "$top=-1", "$top=abc", "$top=99999999999999999999", "$select=", "$select=,,,", "$filter=", "$filter=id in (",
    "$filter=assignedLicenses/any(x:x/skuId eq )", "$filter=id eq 'a''b'", "$skiptoken=", "$skiptoken=bGljc3dhcC1zaW06LTE",
    "$skiptoken=bGljc3dhcC1zaW06OTk5OTk5OTk5OTk5OTk5OTk5OTk5", "$count=true", "$orderby=x", "code_challenge_method=weird",
    "client_id=11111111-2222-4333-8444-555555555555&redirect_uri=http%3A%2F%2Flocalhost%3A8080%2F&response_type=code&scope=openid",
];
const BODIES: &[&str] = &[
    "", "{", "null", "[]", "{\"addLicenses\":null,\"removeLicenses\":[]}", "{\"addLicenses\":[{\"skuId\":5}],\"removeLicenses\":[]}",
    "{\"requests\":[{\"id\":\"1\",\"method\":\"GET\",\"url\":\"/users/%zz\"}]}",
    "{\"requests\":[{\"id\":\"1\",\"method\":\"BREW\",\"url\":\"/me\"},{\"id\":\"2\",\"method\":\"GET\",\"url\":\"/me\",\"dependsOn\":[\"2\"]}]}",
    "{\"requests\":[{\"id\":\"a\",\"method\":\"GET\",\"url\":\"/me\",\"dependsOn\":[\"b\"]},{\"id\":\"b\",\"method\":\"GET\",\"url\":\"/me\",\"dependsOn\":[\"a\"]}]}",
    "grant_type=authorization_code&client_id=11111111-2222-4333-8444-555555555555&code=x", "\u{0}\u{1}\u{2}",
    "{\"@odata.id\":\"\"}",
];

#[test]
fn random_requests_never_panic() {
    for auth in [false, true] {
        let mut h = InProc::new(demo_sim(SimConfig { require_auth: auth, ..demo_config() }));
        let mut rng = Rng::new(2026);
        let mut statuses = std::collections::BTreeMap::new();
        let pick = |rng: &mut Rng, xs: &[&'static str]| xs[rng.below(xs.len() as u64) as usize];
        for _ in 0..3_000 {
            // Mostly Graph paths, so the resource handlers (not just the router) see the garbage.
            let mut path = if rng.chance(0.7) { "/v1.0".to_string() } else { String::new() };
            for _ in 0..1 + rng.below(3) {
                path.push_str(pick(&mut rng, &PIECES[1..]));
            }
            if rng.chance(0.2) {
                // A real user id, so per-user routes run.
                let n = h.sim.tenant().users.len() as u64;
                let id = h.sim.tenant().users[rng.below(n) as usize].id.clone();
                path = format!(
                    "/v1.0/users/{id}{}",
                    pick(&mut rng, &["", "/assignLicense", "/reprocessLicenseAssignment"])
                );
            }
            if rng.chance(0.6) {
                path.push('?');
                path.push_str(pick(&mut rng, QUERIES));
            }
            let method = [Method::Get, Method::Post, Method::Patch, Method::Delete, Method::Options]
                [rng.below(5) as usize]
                .clone();
            let mut req = HttpRequest { method, url: path, headers: Vec::new(), body: None };
            if rng.chance(0.5) {
                req.body = Some(pick(&mut rng, BODIES).to_string());
            }
            if rng.chance(0.3) {
                req.headers.push(("Authorization".into(), "Bearer ".into()));
            }
            if rng.chance(0.3) {
                req.headers.push(("Origin".into(), ORIGIN.into()));
            }
            let r = h.send(req.clone());
            assert!((100..600).contains(&r.status), "{req:?} -> {}", r.status);
            *statuses.entry(r.status).or_insert(0) += 1;
            h.wait(rng.below(50));
        }
        // The handlers were reached: successes and several kinds of refusal.
        if !auth {
            assert!(statuses.keys().filter(|s| **s < 300).count() >= 2, "{statuses:?}");
            assert!(statuses.contains_key(&400) && statuses.contains_key(&404), "{statuses:?}");
        } else {
            assert!(statuses.contains_key(&401), "{statuses:?}");
        }
        let mut fresh = h.sim.tenant().clone();
        fresh.recount();
        for (a, b) in h.sim.tenant().skus.iter().zip(&fresh.skus) {
            assert_eq!(a.consumed, b.consumed, "{}", a.part_number);
        }
    }
}
