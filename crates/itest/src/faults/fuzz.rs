//! Fuzz harnesses for what licswap reads from outside: shared previews, Graph's answers and
//! pasted user lists. The cargo-fuzz targets in `fuzz/` call these under libFuzzer; the seeded
//! test `faults_fuzz_seeded` runs them on mutated samples in every `cargo test`. Each harness
//! must never panic, and checks what must hold of any answer it gets.
use licswap_core::apply::{GraphLicenseApi, LicenseApi};
use licswap_core::graph::clock::VirtualClock;
use licswap_core::graph::error::HttpError;
use licswap_core::graph::fake::FakeTransport;
use licswap_core::graph::http::{HttpRequest, HttpResponse, Transport, TransportError};
use licswap_core::graph::retry::parse_retry_after;
use licswap_core::graph::{CancelToken, ClientConfig, GraphClient};
use licswap_core::model::{
    AssignLicenseBody, AssignedLicense, BatchResponse, ErrorBody, Group, Page, SubscribedSku, User,
};
use licswap_core::plan::{Subject, TargetKind};
use licswap_core::share;
use licswap_core::userlist::parse_user_list;
use std::cell::RefCell;
use std::collections::{HashSet, VecDeque};
use std::rc::Rc;

// ---------------------------------------------------------------- shared previews

/// `bytes` as the JSON inside a well-formed preview (right prefix, checksum and compression), so
/// the fuzzer reaches the plan decoder instead of stopping at the checksum.
pub fn wrap_preview_json(json: &[u8]) -> String {
    use base64::Engine;
    let mut bytes = licswap_core::hash::fnv1a64(json).to_be_bytes().to_vec();
    bytes.extend(miniz_oxide::deflate::compress_to_vec(json, 1));
    format!("v1.{}", base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes))
}

/// The first byte chooses how the rest is read: as pasted text (link, fragment, text form or
/// file), or as the JSON inside a valid envelope. A preview that decodes must re-encode to the
/// same plan, and redacting it must work.
pub fn share_decode(data: &[u8]) {
    let Some((&mode, rest)) = data.split_first() else { return };
    let text = String::from_utf8_lossy(rest);
    // A small cap keeps each run fast; the limit's own handling is part of what is tested.
    let decoded = match mode % 3 {
        0 => share::decode_any(&text),
        1 => share::decode_with_limit(&wrap_preview_json(rest), 1 << 20),
        _ => share::decode_with_limit(&wrap_preview_json(text.as_bytes()), 1 << 20),
    };
    let Ok(preview) = decoded else { return };
    let again = share::decode(&share::encode(&preview.plan, false)).expect("a decoded plan re-encodes");
    assert_eq!(again.plan, preview.plan, "a decoded plan survives encode + decode");
    let redacted = share::decode(&share::encode(&preview.plan, true)).expect("a redacted plan re-encodes");
    assert!(redacted.redacted);
    assert_eq!(redacted.plan.actions().count(), preview.plan.actions().count());
}

// ---------------------------------------------------------------- approved previews

/// An approved preview as pasted or dropped (file, link, or a plain preview): whatever opens must
/// write back to a file that opens to the same plan, approvals and verdict on them. The verdict
/// that must hold is the approvals' own on the plan: a file whose stated digest is not its plan's
/// is refused when opened, and writing it back states the recomputed digest (libFuzzer found such
/// a file: fuzz/regressions/approved_decode).
pub fn approved_decode(data: &[u8]) {
    use licswap_core::approval::file::decode_any;
    use licswap_core::approval::verify_chain;
    let Ok(opened) = decode_any(&String::from_utf8_lossy(data)) else { return };
    let file = opened.to_file_with(opened.approvals.clone()).to_json();
    let again = decode_any(&file).expect("an opened approved preview writes back to a file that opens");
    assert_eq!(again.preview.plan, opened.preview.plan, "the plan survives the round trip");
    assert_eq!(again.approvals, opened.approvals, "the approvals survive the round trip");
    assert_eq!(again.digest, opened.digest, "the digest is the plan's, recomputed");
    let approvals_hold =
        opened.approvals.is_empty() || verify_chain(&opened.digest, &opened.approvals).is_ok();
    assert_eq!(again.chain_error.is_none(), approvals_hold, "the approvals' verdict on the plan holds");
    if opened.chain_error.is_none() {
        assert!(again.chain_error.is_none(), "an approved preview that opened clean stays clean");
    }
    // The digest hashes its canonical text piece by piece, never made whole: whatever the plan,
    // it must be the SHA-256 of that text.
    use sha2::Digest;
    let text = licswap_core::approval::digest::canonical_text(&opened.preview.plan);
    let hash = sha2::Sha256::digest(text.as_bytes());
    let whole = licswap_core::approval::digest::hex(&hash);
    assert!(opened.digest.matches(&whole), "the digest is the SHA-256 of the plan's canonical text");
}

// ---------------------------------------------------------------- Graph answers

/// Statuses a fuzzed answer can have (the record's first byte picks one).
pub const STATUSES: [u16; 14] = [200, 200, 201, 202, 204, 400, 401, 403, 404, 429, 500, 503, 504, 200];
/// `Retry-After` values a fuzzed answer can carry (the record's second byte picks one).
const RETRY_AFTER: [Option<&str>; 6] = [None, Some("0"), Some("1"), Some("0.25"), Some("-3"), Some("soon")];
/// Separates answers in a fuzz input (0xFF never occurs in UTF-8).
pub const SEPARATOR: u8 = 0xFF;

/// One answer per record: `[status index][header index][body...]`, records separated by 0xFF.
/// Once they run out, every further request finds Graph unreachable.
pub fn parse_answers(data: &[u8]) -> VecDeque<HttpResponse> {
    data.split(|b| *b == SEPARATOR)
        .filter(|r| r.len() >= 2)
        .map(|r| {
            let status = STATUSES[r[0] as usize % STATUSES.len()];
            let mut headers = vec![("Content-Type".to_string(), "application/json".to_string())];
            if let Some(v) = RETRY_AFTER[r[1] as usize % RETRY_AFTER.len()] {
                headers.push(("Retry-After".into(), v.into()));
            }
            HttpResponse { status, headers, body: String::from_utf8_lossy(&r[2..]).into_owned() }
        })
        .collect()
}

/// The inverse of [`parse_answers`], for seed corpora recorded from the simulator.
pub fn encode_answers(answers: &[HttpResponse]) -> Vec<u8> {
    let mut out = Vec::new();
    for (i, a) in answers.iter().enumerate() {
        if i > 0 {
            out.push(SEPARATOR);
        }
        out.push(STATUSES.iter().position(|s| *s == a.status).unwrap_or(5) as u8);
        let ra = a.header("Retry-After");
        out.push(RETRY_AFTER.iter().position(|v| *v == ra).unwrap_or(0) as u8);
        out.extend(a.body.bytes());
    }
    out
}

const DEFAULT_USER: &str = "00000000-0000-4000-8000-000000000001";
const DEFAULT_GROUP: &str = "00000000-0000-4000-8000-000000000002";
const E1: &str = "18181a46-0d4e-45cd-891e-60aabd171b4e";
const E3: &str = "6fd2c87f-b296-42f0-b197-1e91e994b900";

/// What the app asks Graph for, in order: the snapshot load, the executor's read-back, a write
/// and a group's processing. Checks the answers' shape: one result per target, per write.
pub async fn graph_session<T: Transport>(client: &GraphClient<T, VirtualClock>) {
    let snapshot = client.load_snapshot("STANDARDPACK", &CancelToken::new(), &mut |_| {}).await;
    let (user, group) = match &snapshot {
        Ok(s) => (
            s.users.first().map_or(DEFAULT_USER.to_string(), |u| u.id.clone()),
            s.groups.first().map_or(DEFAULT_GROUP.to_string(), |g| g.group.id.clone()),
        ),
        Err(_) => (DEFAULT_USER.to_string(), DEFAULT_GROUP.to_string()),
    };
    let api = GraphLicenseApi::new(client);
    let subject = |kind, id: &str| Subject { kind, id: id.to_string(), name: String::new() };
    let targets = [subject(TargetKind::User, &user), subject(TargetKind::Group, &group)];
    assert_eq!(api.read_targets(&targets).await.len(), 2, "one read-back per target");
    let body = AssignLicenseBody {
        add_licenses: vec![AssignedLicense { sku_id: E3.into(), disabled_plans: vec![] }],
        remove_licenses: vec![E1.into()],
    };
    let writes = [(targets[0].clone(), body.clone()), (targets[1].clone(), body)];
    assert_eq!(api.assign(&writes).await.len(), 2, "one outcome per write");
    let _ = api.read_group_processing(&group).await;
}

/// A client as the executor uses it, on a virtual clock (back-off costs nothing), one request
/// in flight so answers pair with requests in a reproducible order.
pub fn fuzz_client<T: Transport>(transport: T) -> GraphClient<T, VirtualClock> {
    let mut config =
        ClientConfig { base_url: "https://graph.microsoft.com/v1.0".into(), ..ClientConfig::default() };
    config.max_in_flight = 1;
    config.retry.max_attempts = 3;
    GraphClient::new(transport, VirtualClock::new(0), config).expect("valid config")
}

/// Feeds fuzzed answers to the real client and executor adapter, and each answer's body to the
/// wire-type decoders directly.
pub fn graph_parsers(data: &[u8]) {
    let answers = parse_answers(data);
    for a in &answers {
        let b = a.body.as_str();
        let _ = serde_json::from_str::<Page<User>>(b);
        let _ = serde_json::from_str::<Page<Group>>(b);
        let _ = serde_json::from_str::<Page<SubscribedSku>>(b);
        let _ = serde_json::from_str::<BatchResponse>(b);
        let _ = serde_json::from_str::<ErrorBody>(b);
        let e = HttpError::from_parts(a.status, a.header("request-id"), b);
        assert_eq!(e.status, a.status);
        assert!(e.message.chars().count() <= 260, "error messages are cut short");
        let _ = parse_retry_after(Some(b));
    }
    let queue = RefCell::new(answers);
    let transport = FakeTransport::new(move |_req: &HttpRequest| {
        queue
            .borrow_mut()
            .pop_front()
            .ok_or_else(|| TransportError::Unreachable("the fuzz input has no more answers".into()))
    });
    let client = fuzz_client(transport);
    futures::executor::block_on(graph_session(&client));
}

/// A transport that records the simulator's answers (for seed corpora).
pub struct Recorder<T> {
    pub inner: T,
    pub answers: Rc<RefCell<Vec<HttpResponse>>>,
}

impl<T: Transport> Transport for Recorder<T> {
    async fn send(&self, req: HttpRequest) -> Result<HttpResponse, TransportError> {
        let r = self.inner.send(req).await;
        if let Ok(resp) = &r {
            self.answers.borrow_mut().push(resp.clone());
        }
        r
    }
}

// ---------------------------------------------------------------- user lists

/// Any text parses; entries are distinct (case-insensitively), point at real lines, and the
/// list of values, one a line, parses back to itself.
pub fn userlist(data: &[u8]) {
    let text = String::from_utf8_lossy(data);
    let list = parse_user_list(&text);
    let lines = text.lines().count().max(1);
    let mut seen = HashSet::new();
    for e in &list.entries {
        assert!(seen.insert(e.value.to_lowercase()), "duplicate entry {:?}", e.value);
        assert!(e.line >= 1 && e.line <= lines, "entry line {} of {lines}", e.line);
        assert!(!e.value.trim().is_empty() && e.value.trim() == e.value, "entry {:?}", e.value);
    }
    for b in &list.errors {
        assert!(b.line >= 1 && b.line <= lines, "error line {} of {lines}", b.line);
        assert!(!b.reason.is_empty());
    }
    // A value starting with `#` (a valid UPN character, reachable through `Name <#x@y>`) reads as
    // a commented-out line when pasted bare: by design, so it is left out of the round trip.
    let plain: Vec<String> = list.values().into_iter().filter(|v| !v.starts_with('#')).collect();
    let again = parse_user_list(&plain.join("\n"));
    assert_eq!(again.values(), plain, "the values parse back to themselves");
}

// ---------------------------------------------------------------- seeds and mutation

/// Valid inputs for each harness, made from the demo tenant: where fuzzing starts.
pub struct Seeds {
    pub share_decode: Vec<Vec<u8>>,
    pub approved_decode: Vec<Vec<u8>>,
    pub graph_parsers: Vec<Vec<u8>>,
    pub userlist: Vec<Vec<u8>>,
}

pub fn seeds() -> Seeds {
    use licswap_core::plan::{PlanOptions, PlanRequest, Scope};
    use licswap_planner::plan;
    use licswap_sim::{fixtures, Sim, SimConfig, SimTransport};
    let request = PlanRequest {
        source: "STANDARDPACK".into(),
        target: "ENTERPRISEPACK".into(),
        scope: Scope::AllHolders,
        options: PlanOptions::default(),
    };
    let demo_plan = plan(&Sim::demo().snapshot(), &request).expect("the demo plans");
    let text = share::encode(&demo_plan, false);
    let redacted = share::encode(&demo_plan, true);
    let json =
        serde_json::to_vec(&share::SharedPreview { redacted: false, plan: demo_plan }).unwrap_or_default();
    let mut share_decode = vec![
        [&[0u8][..], text.as_bytes()].concat(),
        [&[0u8][..], share::to_link("https://licswap.example/", &redacted).as_bytes()].concat(),
        [&[0u8][..], share::to_file(&text).as_bytes()].concat(),
        [&[1u8][..], &json].concat(),
    ];
    share_decode.push([&[0u8][..], b"v1.AAAA"].concat());

    // An approved preview of the demo plan with two approvals in a chain, as file and link; and
    // one whose second approval was edited after it was recorded.
    let approved_decode = {
        use licswap_core::approval::chain::{append, ApprovalDraft};
        let opened = licswap_core::approval::file::decode_any(&text).expect("the demo preview opens");
        let draft =
            |name: &str| ApprovalDraft { name: name.into(), role: "CAB".into(), comment: "ok".into() };
        let first = append(&[], &opened.digest, &draft("Ana"), "2026-11-30T10:00:00Z").expect("an approval");
        let second =
            append(std::slice::from_ref(&first), &opened.digest, &draft("Ben"), "2026-11-30T11:00:00Z")
                .expect("a second");
        let file = opened.to_file_with(vec![first.clone(), second.clone()]);
        let mut edited = second;
        edited.comment = "changed later".into();
        vec![
            file.to_json().into_bytes(),
            file.to_link("https://licswap.example/").into_bytes(),
            opened.to_file_with(vec![first, edited]).to_json().into_bytes(),
            share::to_file(&text).into_bytes(),
        ]
    };

    let mut graph_parsers = Vec::new();
    for (seed, faults) in [(1, 0.0), (2, 0.3)] {
        let config = SimConfig {
            seed,
            faults: licswap_sim::Faults { server_error_rate: faults, ..Default::default() },
            ..SimConfig::test()
        };
        let sim = Rc::new(RefCell::new(Sim::new(fixtures::demo(), config)));
        let answers = Rc::new(RefCell::new(Vec::new()));
        let clock = VirtualClock::new(fixtures::FIXTURE_EPOCH_MS);
        let recorder = Recorder { inner: SimTransport::new(sim, clock), answers: answers.clone() };
        futures::executor::block_on(graph_session(&fuzz_client(recorder)));
        graph_parsers.push(encode_answers(&answers.borrow()));
    }

    let userlist = [
        "adele@contoso.com\nalex@contoso.com, megan@contoso.com; Megan@Contoso.com\n# comment\n",
        "Jane Doe <jane@contoso.com>; \"Doe, John\" <john@contoso.com>",
        "DisplayName,UserPrincipalName,Department\n\"Vance, Adele\",adele@contoso.com,Sales\nAlex,alex@contoso.com,\n",
        "\u{feff}ObjectId;Name\n6fd2c87f-b296-42f0-b197-1e91e994b900;x\nnot-a-guid;y\n",
        "guest_outlook.com#EXT#@contoso.onmicrosoft.com # a guest\nbad entry here\n@nobody\n",
    ]
    .iter()
    .map(|s| s.as_bytes().to_vec())
    .collect();
    Seeds { share_decode, approved_decode, graph_parsers, userlist }
}

/// A small deterministic mutator (bit flips, byte edits, splices, truncation) for the seeded
/// runs; libFuzzer does far better, this only has to be reproducible and quick.
pub struct Mutator(u64);

impl Mutator {
    pub fn new(seed: u64) -> Self {
        Mutator(seed ^ 0x9E37_79B9_7F4A_7C15)
    }

    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    fn below(&mut self, n: usize) -> usize {
        if n == 0 {
            0
        } else {
            (self.next() % n as u64) as usize
        }
    }

    /// A mutant of `input`, sometimes spliced with `other`.
    pub fn mutate(&mut self, input: &[u8], other: &[u8]) -> Vec<u8> {
        let mut v = input.to_vec();
        const INTERESTING: &[&[u8]] = &[
            b"\"", b"{", b"}", b"[", b"]", b",", b"null", b"-1", b"1e999", b"\\u0000", b"\n", b"#", b"<",
            b";",
        ];
        for _ in 0..1 + self.below(4) {
            let at = self.below(v.len() + 1);
            match self.below(7) {
                0 if !v.is_empty() => {
                    let i = self.below(v.len());
                    v[i] ^= 1 << self.below(8);
                }
                1 if !v.is_empty() => {
                    let i = self.below(v.len());
                    v[i] = self.next() as u8;
                }
                2 => v.insert(at, self.next() as u8),
                3 if !v.is_empty() => {
                    let end = (at + 1 + self.below(16)).min(v.len());
                    v.drain(at.min(v.len() - 1)..end);
                }
                4 => {
                    let word = INTERESTING[self.below(INTERESTING.len())];
                    v.splice(at..at, word.iter().copied());
                }
                5 if !other.is_empty() => {
                    let from = self.below(other.len());
                    let len = self.below(other.len() - from + 1);
                    v.splice(at..at, other[from..from + len].iter().copied());
                }
                _ => v.truncate(at),
            }
        }
        v
    }
}
