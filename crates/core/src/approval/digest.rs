//! The plan digest: a SHA-256 over a canonical text of what a plan will write, so two plans with
//! the same writes have the same digest and any other plan has another.
//!
//! Canonical text (version 1), one item per line, `\n`-terminated, every id ASCII-lowercased:
//! ```text
//! licswap-plan-digest/1
//! source <source skuIds, sorted, comma-separated> (one for a single swap, several for a bundle)
//! target <target skuIds, sorted, comma-separated>
//! scope <all-holders|users|groups> <sorted, deduplicated ids, comma-separated>
//! options preserve-disabled=<bool> partial-wave=<bool> waived=<sorted plan names/ids>
//! phase <n>                           (n counts non-empty phases from 1, in plan order)
//! <line per action, sorted>           (actions within a phase run in any order)
//! ```
//! An action line is `<kind> <user|group> <target id> add=<skuId>[<sorted disabledPlans>];…
//! remove=<sorted skuIds> fp=<fingerprint>`. Not in the digest: action ids and target names
//! (labels, not writes), findings, coverage and seat counts (read from the tenant, they change
//! when unrelated users change), and the rollback (derived from the writes and not sent by
//! apply). Field separators cannot occur inside ids (GUIDs, UPNs, plan names), and each list
//! is separated by its own character, so two different plans cannot write the same text.
use crate::model::AssignLicenseBody;
use crate::plan::{Action, ActionKind, Plan, PlanRequest, Scope};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::collections::HashMap;
use std::sync::Arc;

const HEADER: &str = "licswap-plan-digest/1";

/// A plan's digest: the full SHA-256 (64 hex digits) and a short code for people.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PlanDigest {
    /// The first 40 bits of the SHA-256 in Crockford base32, as `XXXX-XXXX`: short enough to read
    /// over the phone, long enough that two different plans showing the same code is a one in a
    /// trillion accident (it is a check for people; the full hash is what licswap compares).
    pub short: String,
    /// SHA-256 of the canonical text, lowercase hex.
    pub sha256: String,
}

impl PlanDigest {
    /// The same digest, by its full hash (case-insensitively: people paste hashes in either case).
    pub fn matches(&self, sha256: &str) -> bool {
        self.sha256.eq_ignore_ascii_case(sha256.trim())
    }
}

impl std::fmt::Display for PlanDigest {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}", self.short)
    }
}

/// The digest of what `plan` will write. The canonical text is hashed as it is made, never held
/// whole: at 100,000 users it is megabytes, in a page whose memory never shrinks.
pub fn plan_digest(plan: &Plan) -> PlanDigest {
    let mut hasher = Sha256::new();
    write_canonical(plan, &mut |text: &str| hasher.update(text.as_bytes()));
    let hash = hasher.finalize();
    let sha256 = hex(&hash);
    PlanDigest { short: short_code(&hash), sha256 }
}

/// The text the digest is taken over (public so a reviewer's tooling can show it).
pub fn canonical_text(plan: &Plan) -> String {
    let mut out = String::new();
    write_canonical(plan, &mut |text: &str| out.push_str(text));
    out
}

/// The canonical text, piece by piece, to `emit`.
fn write_canonical(plan: &Plan, emit: &mut dyn FnMut(&str)) {
    let mut head = String::new();
    line(&mut head, HEADER);
    request_lines(&mut head, plan);
    emit(&head);
    let mut n = 0;
    for phase in plan.phases.iter().filter(|p| !p.actions.is_empty()) {
        n += 1;
        emit(&format!("phase {n}\n"));
        PhaseLines::new(&phase.actions).each_sorted(&mut |l| {
            emit(l);
            emit("\n");
        });
    }
}

/// A phase's action lines, written one after another into one text of its exact final size and
/// found by their spans: one allocation per phase rather than one per action. Actions share their
/// bodies, so each body's text is made once.
struct PhaseLines {
    text: String,
    spans: Vec<(usize, usize)>,
}

impl PhaseLines {
    fn new(actions: &[Action]) -> Self {
        let mut bodies: HashMap<*const AssignLicenseBody, String> = HashMap::new();
        for a in actions {
            bodies.entry(Arc::as_ptr(&a.body)).or_insert_with(|| body_text(&a.body));
        }
        let body = |a: &Action| bodies.get(&Arc::as_ptr(&a.body)).map_or("", String::as_str);
        let size = actions.iter().map(|a| action_line_len(a, body(a))).sum();
        let mut text = String::with_capacity(size);
        let mut spans = Vec::with_capacity(actions.len());
        for a in actions {
            let start = text.len();
            push_action_line(&mut text, a, body(a));
            spans.push((start, text.len()));
        }
        PhaseLines { text, spans }
    }

    /// Each line once, in byte order (actions within a phase run in any order), to `each`.
    fn each_sorted(mut self, each: &mut dyn FnMut(&str)) {
        let text = &self.text;
        let at = |(a, b): (usize, usize)| &text[a..b];
        self.spans.sort_unstable_by(|x, y| at(*x).cmp(at(*y)));
        self.spans.dedup_by(|x, y| at(*x) == at(*y));
        self.spans.iter().for_each(|span| each(at(*span)));
    }
}

fn line(out: &mut String, s: &str) {
    out.push_str(s);
    out.push('\n');
}

fn lower(s: &str) -> String {
    s.trim().to_ascii_lowercase()
}

fn sorted_lower<'a>(items: impl Iterator<Item = &'a String>) -> Vec<String> {
    let mut v: Vec<String> = items.map(|s| lower(s)).collect();
    v.sort_unstable();
    v.dedup();
    v
}

fn request_lines(out: &mut String, plan: &Plan) {
    // The resolved SKU ids, not the request's spelling (an id or a part number).
    let ids = |side: Vec<crate::plan::SkuSeats>| {
        let ids: Vec<String> = side.into_iter().map(|s| s.sku.sku_id).collect();
        sorted_lower(ids.iter()).join(",")
    };
    line(out, &format!("source {}", ids(plan.sources())));
    line(out, &format!("target {}", ids(plan.targets())));
    let PlanRequest { scope, options, .. } = &plan.request;
    let (kind, ids) = match scope {
        Scope::AllHolders => ("all-holders", Vec::new()),
        Scope::Users(ids) => ("users", sorted_lower(ids.iter())),
        Scope::Groups(ids) => ("groups", sorted_lower(ids.iter())),
    };
    line(out, &format!("scope {kind} {}", ids.join(",")));
    line(
        out,
        &format!(
            "options preserve-disabled={} partial-wave={} waived={}",
            options.preserve_disabled_plans,
            options.allow_partial_wave,
            sorted_lower(options.waived_plans.iter()).join(",")
        ),
    );
}

/// The digest's own word for an action's kind. Part of the digest's frozen text (a different word
/// would change every approval's digest), so it keeps its kebab-case spelling rather than
/// [`ActionKind::as_str`].
pub(super) fn kind_word(kind: ActionKind) -> &'static str {
    match kind {
        ActionKind::Swap => "swap",
        ActionKind::RemoveRedundantDirect => "remove-redundant-direct",
        ActionKind::Rollback => "rollback",
        ActionKind::RemoveConflictingDirect => "remove-conflicting-direct",
    }
}

/// `add=<sku>[<plans>];… remove=<skus>`: the assignLicense body, order and case free.
pub(super) fn body_text(body: &AssignLicenseBody) -> String {
    let mut adds: Vec<String> = body
        .add_licenses
        .iter()
        .map(|l| format!("{}[{}]", lower(&l.sku_id), sorted_lower(l.disabled_plans.iter()).join(",")))
        .collect();
    adds.sort_unstable();
    adds.dedup();
    format!("add={} remove={}", adds.join(";"), sorted_lower(body.remove_licenses.iter()).join(","))
}

/// `<kind> <user|group> <target id> <body text> fp=<fingerprint>`, ids in lower case.
fn push_action_line(out: &mut String, a: &Action, body: &str) {
    out.push_str(kind_word(a.kind));
    out.push(' ');
    out.push_str(a.target.kind.as_str());
    out.push(' ');
    push_lower(out, &a.target.id);
    out.push(' ');
    out.push_str(body);
    out.push_str(" fp=");
    push_lower(out, &a.fingerprint);
}

/// The length of [`push_action_line`]'s text (lower case keeps every byte's length).
fn action_line_len(a: &Action, body: &str) -> usize {
    let fixed = "   fp=".len();
    kind_word(a.kind).len() + a.target.kind.as_str().len() + a.target.id.trim().len() + body.len()
        + a.fingerprint.trim().len()
        + fixed
}

/// [`lower`] written into `out`.
fn push_lower(out: &mut String, s: &str) {
    s.trim().chars().for_each(|c| out.push(c.to_ascii_lowercase()));
}

pub(super) fn hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut s = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        s.push(DIGITS[usize::from(b >> 4)] as char);
        s.push(DIGITS[usize::from(b & 15)] as char);
    }
    s
}

/// Crockford's base32 (no I, L, O, U: nothing to misread), 8 symbols from the first 5 bytes.
fn short_code(hash: &[u8]) -> String {
    const ALPHABET: &[u8; 32] = b"0123456789ABCDEFGHJKMNPQRSTVWXYZ";
    let mut bits: u64 = 0;
    for b in &hash[..5] {
        bits = (bits << 8) | u64::from(*b);
    }
    let mut s = String::with_capacity(9);
    for i in 0..8 {
        if i == 4 {
            s.push('-');
        }
        let v = (bits >> (35 - 5 * i)) & 31;
        s.push(ALPHABET[v as usize] as char);
    }
    s
}

#[cfg(test)]
mod tests {
    use super::super::testkit::{action, plan, two};
    use super::*;
    use crate::model::AssignedLicense;
    use crate::plan::{Phase, Subject, TargetKind};
    use std::sync::Arc;

    /// The digest of the planner-made plan that licswap-core's shape test pins, as the first
    /// version (a text of one string per line, joined, then hashed) computed it: approvals
    /// recorded then must still match. The text is hashed as it is made now, never held whole.
    #[test]
    fn the_digest_of_a_planner_made_plan_is_unchanged_and_is_the_hash_of_its_text() {
        let plan: Plan = serde_json::from_str(include_str!("../../tests/fixtures/plan_v1.json")).unwrap();
        let d = plan_digest(&plan);
        assert_eq!(d.sha256, "e4a419e22a520ac4c785ddfe985218bbac7e020f4aafec7cfde7dbf3237ce802");
        assert_eq!(d.sha256, hex(&Sha256::digest(canonical_text(&plan).as_bytes())));
    }

    #[test]
    fn the_short_code_is_the_start_of_the_hash() {
        let d = plan_digest(&two());
        assert_eq!(d.sha256.len(), 64);
        assert_eq!(d.short.len(), 9);
        assert_eq!(&d.short[4..5], "-");
        assert!(d.short.chars().all(|c| c == '-' || "0123456789ABCDEFGHJKMNPQRSTVWXYZ".contains(c)));
        // Known vector: the 5 bytes 0x00 0x44 0x32 0x14 0xc7 are 00000 00001 00010 00011 00100 00101 00110 00111.
        assert_eq!(short_code(&[0x00, 0x44, 0x32, 0x14, 0xc7, 0xff]), "0123-4567");
        assert!(d.matches(&d.sha256.to_uppercase()));
    }

    #[test]
    fn stable_under_order_spelling_and_labels() {
        let base = plan_digest(&two());
        // Actions in another order, ids in another case, other action ids and names.
        let mut p = plan(vec![action("x9", "U2", &[], "0ABC"), action("x8", "U1", &["P2", "p1"], "00FF")]);
        Arc::make_mut(&mut p.phases[0].actions[0].target).name = "renamed@contoso".into();
        p.request.source = "18181A46-0D4E-45CD-891E-60AABD171B4E".into();
        p.phases[0].title = "Another title".into();
        assert_eq!(plan_digest(&p), base);
        // What the snapshot says about everyone else: seats, findings, coverage, the rollback.
        let mut q = two();
        q.seats.available = 3;
        q.tenant_name = Some("Contoso Ltd".into());
        q.findings.push(crate::plan::Finding {
            code: crate::plan::FindingCode::AccountDisabled,
            severity: crate::plan::Severity::Warning,
            subject: Subject { kind: TargetKind::User, id: "u7".into(), name: "u7".into() },
            message: "disabled".into(),
            remedy: String::new(),
            plans: vec![],
        });
        q.rollback = q.phases.clone();
        assert_eq!(plan_digest(&q), base);
        // An empty phase is not a write.
        let mut r = two();
        r.phases.insert(0, Phase { title: "nothing".into(), waits_for: None, actions: vec![] });
        assert_eq!(plan_digest(&r), base);
    }

    #[test]
    fn sensitive_to_every_write() {
        let base = plan_digest(&two());
        let changed = |f: &dyn Fn(&mut Plan)| {
            let mut p = two();
            f(&mut p);
            plan_digest(&p)
        };
        fn body(p: &mut Plan) -> &mut crate::model::AssignLicenseBody {
            Arc::make_mut(&mut p.phases[0].actions[0].body)
        }
        let variants: Vec<(&str, PlanDigest)> = vec![
            (
                "a disabled plan added",
                changed(&|p: &mut Plan| body(p).add_licenses[0].disabled_plans.push("p3".into())),
            ),
            (
                "a disabled plan dropped",
                changed(&|p: &mut Plan| {
                    body(p).add_licenses[0].disabled_plans.pop();
                }),
            ),
            (
                "another added SKU",
                changed(&|p: &mut Plan| {
                    body(p).add_licenses[0].sku_id = "c7df2760-2c81-4ef7-b578-5b5392b571df".into()
                }),
            ),
            (
                "a second added SKU",
                changed(&|p: &mut Plan| {
                    body(p).add_licenses.push(AssignedLicense { sku_id: "x".into(), disabled_plans: vec![] })
                }),
            ),
            ("nothing removed", changed(&|p: &mut Plan| body(p).remove_licenses.clear())),
            (
                "another target",
                changed(&|p: &mut Plan| Arc::make_mut(&mut p.phases[0].actions[0].target).id = "u3".into()),
            ),
            (
                "a group, not a user",
                changed(&|p: &mut Plan| {
                    Arc::make_mut(&mut p.phases[0].actions[0].target).kind = TargetKind::Group
                }),
            ),
            (
                "another kind",
                changed(&|p: &mut Plan| p.phases[0].actions[0].kind = ActionKind::RemoveRedundantDirect),
            ),
            (
                "another fingerprint",
                changed(&|p: &mut Plan| p.phases[0].actions[0].fingerprint = "00fe".into()),
            ),
            (
                "an action fewer",
                changed(&|p: &mut Plan| {
                    p.phases[0].actions.pop();
                }),
            ),
            (
                "a later step",
                changed(&|p: &mut Plan| {
                    let a = p.phases[0].actions.pop().unwrap();
                    p.phases.push(Phase { title: "then".into(), waits_for: None, actions: vec![a] });
                }),
            ),
            ("another target SKU", changed(&|p: &mut Plan| p.target.sku_id = "x".into())),
            (
                "a second target (a bundle)",
                changed(&|p: &mut Plan| {
                    let mut targets = p.targets();
                    let mut second = targets[0].clone();
                    second.sku.sku_id = "x".into();
                    targets.push(second);
                    p.bundle = Some(crate::plan::Bundle { sources: p.sources(), targets });
                }),
            ),
            (
                "another scope",
                changed(&|p: &mut Plan| p.request.scope = Scope::Users(vec!["u1".into(), "u2".into()])),
            ),
            ("a waiver", changed(&|p: &mut Plan| p.request.options.waived_plans.push("SWAY".into()))),
            (
                "disabled plans not preserved",
                changed(&|p: &mut Plan| p.request.options.preserve_disabled_plans = false),
            ),
        ];
        let mut seen = std::collections::HashSet::new();
        seen.insert(base.sha256.clone());
        for (what, d) in variants {
            assert_ne!(d, base, "{what} must change the digest");
            assert!(seen.insert(d.sha256), "{what} collides with another variant");
        }
    }

    #[test]
    fn list_boundaries_cannot_be_moved() {
        // Plans {a,b} and {ab} disabled, or the scope [u1,u2] and [u1u2]: different texts.
        let a = plan(vec![action("a", "u1", &["a", "b"], "1")]);
        let b = plan(vec![action("a", "u1", &["ab"], "1")]);
        assert_ne!(plan_digest(&a), plan_digest(&b));
        let mut c = two();
        c.request.scope = Scope::Users(vec!["u1".into(), "u2".into()]);
        let mut d = two();
        d.request.scope = Scope::Users(vec!["u1u2".into()]);
        assert_ne!(plan_digest(&c), plan_digest(&d));
    }
}
