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
        PhaseLines::new(&phase.actions).each_sorted(emit);
    }
}

/// A phase's action lines, sorted and written without being made: a million-user plan's lines
/// are over 100 MB, in a page whose memory never shrinks. Each line is read as the pieces it is
/// made of ([`Line`]); per action only its body's number and whether its ids need lower-casing
/// are kept. Actions share their bodies, so each body's text is made once.
struct PhaseLines<'a> {
    actions: &'a [Action],
    bodies: Vec<String>,
    /// Per action: its body's position in `bodies`.
    body_of: Vec<u32>,
    /// Per action: bit 0, its target id has an upper-case letter; bit 1, its fingerprint has;
    /// bit 2, its target id has white space around it; bit 3, its fingerprint has. Both are
    /// rare, and finding them anew in each comparison of the sort (`str::trim` reads characters,
    /// not bytes) was a quarter of a 100,000-user plan's digest in a CPU profile of the page.
    flags: Vec<u8>,
}

const ID_UPPER: u8 = 1;
const FP_UPPER: u8 = 2;
const ID_SPACED: u8 = 4;
const FP_SPACED: u8 = 8;

impl<'a> PhaseLines<'a> {
    fn new(actions: &'a [Action]) -> Self {
        let mut known: HashMap<*const AssignLicenseBody, u32> = HashMap::new();
        let mut bodies = Vec::new();
        let body_of = actions
            .iter()
            .map(|a| {
                *known.entry(Arc::as_ptr(&a.body)).or_insert_with(|| {
                    bodies.push(body_text(&a.body));
                    (bodies.len() - 1) as u32
                })
            })
            .collect();
        let flags = |s: &str, upper: u8, spaced: u8| {
            let t = s.trim();
            (if t.bytes().any(|b| b.is_ascii_uppercase()) { upper } else { 0 })
                | (if t.len() != s.len() { spaced } else { 0 })
        };
        let flags = actions
            .iter()
            .map(|a| flags(&a.target.id, ID_UPPER, ID_SPACED) | flags(&a.fingerprint, FP_UPPER, FP_SPACED))
            .collect();
        PhaseLines { actions, bodies, body_of, flags }
    }

    fn line(&self, k: usize) -> Line<'_> {
        let a = &self.actions[k];
        let body = self.bodies.get(self.body_of[k] as usize).map_or("", String::as_str);
        let f = self.flags[k];
        let trimmed = |s: &'a str, spaced: u8| if f & spaced != 0 { s.trim() } else { s };
        Line {
            parts: [
                kind_word(a.kind),
                " ",
                a.target.kind.as_str(),
                " ",
                trimmed(&a.target.id, ID_SPACED),
                " ",
                body,
                " fp=",
                trimmed(&a.fingerprint, FP_SPACED),
            ],
            lower: (u16::from(f & ID_UPPER != 0) << 4) | (u16::from(f & FP_UPPER != 0) << 8),
        }
    }

    /// Each line once, in byte order (actions within a phase run in any order), to `emit`. The
    /// sort compares each line's first 16 bytes ([`Line::head`], read once per line) and reads
    /// the lines themselves only where those are the same.
    fn each_sorted(self, emit: &mut dyn FnMut(&str)) {
        let mut order: Vec<([u8; 16], u32)> =
            (0..self.actions.len()).map(|k| (self.line(k).head(), k as u32)).collect();
        order.sort_unstable_by(|(hx, x), (hy, y)| {
            hx.cmp(hy).then_with(|| self.line(*x as usize).cmp(&self.line(*y as usize)))
        });
        // Lines whose heads differ are different lines: only equal heads read the lines.
        order.dedup_by(|(hx, x), (hy, y)| {
            hx == hy && self.line(*x as usize).cmp(&self.line(*y as usize)).is_eq()
        });
        for (_, k) in order {
            self.line(k as usize).write(emit);
            emit("\n");
        }
    }
}

/// An action's line (`<kind> <user|group> <target id> <body text> fp=<fingerprint>`) as its
/// pieces; the pieces whose bit is set in `lower` are to be read in lower case.
struct Line<'a> {
    parts: [&'a str; 9],
    lower: u16,
}

impl Line<'_> {
    /// Byte order of the whole lines (as `str` compares), piece by piece.
    fn cmp(&self, other: &Line<'_>) -> std::cmp::Ordering {
        use std::cmp::Ordering::*;
        let (mut i, mut at_a, mut j, mut at_b) = (0usize, 0usize, 0usize, 0usize);
        loop {
            while i < 9 && at_a == self.parts[i].len() {
                (i, at_a) = (i + 1, 0);
            }
            while j < 9 && at_b == other.parts[j].len() {
                (j, at_b) = (j + 1, 0);
            }
            if i == 9 || j == 9 {
                return (i == 9).cmp(&(j == 9)).reverse();
            }
            let (a, b) = (&self.parts[i].as_bytes()[at_a..], &other.parts[j].as_bytes()[at_b..]);
            let n = a.len().min(b.len());
            let (a, b) = (&a[..n], &b[..n]);
            let order = if (self.lower >> i) & 1 == 0 && (other.lower >> j) & 1 == 0 {
                a.cmp(b)
            } else {
                a.iter().map(u8::to_ascii_lowercase).cmp(b.iter().map(u8::to_ascii_lowercase))
            };
            if order != Equal {
                return order;
            }
            (at_a, at_b) = (at_a + n, at_b + n);
        }
    }

    /// The line's first 16 bytes as it reads (lower-cased where it is), zero bytes after a
    /// shorter line: two lines whose heads differ are in the order of their heads (a zero byte
    /// sorts a line before any longer line it begins, as `str` order does).
    fn head(&self) -> [u8; 16] {
        let mut head = [0u8; 16];
        let mut at = 0;
        for (i, part) in self.parts.iter().enumerate() {
            for &b in part.as_bytes().iter().take(16 - at) {
                head[at] = if (self.lower >> i) & 1 == 1 { b.to_ascii_lowercase() } else { b };
                at += 1;
            }
            if at == 16 {
                break;
            }
        }
        head
    }

    fn write(&self, emit: &mut dyn FnMut(&str)) {
        for (i, part) in self.parts.iter().enumerate() {
            if (self.lower >> i) & 1 == 1 {
                emit(&part.to_ascii_lowercase());
            } else {
                emit(part);
            }
        }
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

/// `bytes` in lower-case hexadecimal, as digests are shown and compared.
pub fn hex(bytes: &[u8]) -> String {
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

    /// The first version's way to the text: every line made as a string, sorted, repeats dropped.
    fn reference_text(plan: &Plan) -> String {
        let mut out = String::new();
        line(&mut out, HEADER);
        request_lines(&mut out, plan);
        for (n, phase) in plan.phases.iter().filter(|p| !p.actions.is_empty()).enumerate() {
            line(&mut out, &format!("phase {}", n + 1));
            let mut lines: Vec<String> = phase
                .actions
                .iter()
                .map(|a| {
                    let (kind, target) = (kind_word(a.kind), a.target.kind.as_str());
                    let body = body_text(&a.body);
                    format!("{kind} {target} {} {body} fp={}", lower(&a.target.id), lower(&a.fingerprint))
                })
                .collect();
            lines.sort_unstable();
            lines.dedup();
            lines.iter().for_each(|l| line(&mut out, l));
        }
        out
    }

    /// Lines are compared piece by piece without being made: the order must still be the whole
    /// lines' byte order, whatever the pieces' lengths and letter case, and repeats (the same write
    /// in other letters' case) must still go.
    #[test]
    fn lines_sort_and_repeat_as_the_whole_lines_do() {
        let mut actions = Vec::new();
        // Ids in either case, with white space around them, and alike beyond a line's first 16
        // bytes (the sort's first key).
        let users = [
            "u1",
            "U1",
            "u10",
            "u1 ",
            " u10",
            "a",
            "B",
            "b0",
            "ab",
            "a-b",
            "zz",
            "Zz",
            "0a1b2c3d-0000-4000-8000-000000000002",
            "0A1B2C3D-0000-4000-8000-000000000001",
            "0a1b2c3d-0000-4000-8000-000000000001",
        ];
        for (n, user) in users.iter().enumerate() {
            for fp in ["00ff", "00FF", "0abc", "f"] {
                let mut a = action(&format!("a{n}{fp}"), user, &[], fp);
                if n % 3 == 0 {
                    a.kind = ActionKind::RemoveRedundantDirect;
                }
                actions.push(a.clone());
                actions.push(action(&format!("b{n}{fp}"), user, &["P2", "p1"], fp));
            }
        }
        let p = plan(actions);
        assert_eq!(canonical_text(&p), reference_text(&p));
        assert_eq!(plan_digest(&p).sha256, hex(&Sha256::digest(reference_text(&p).as_bytes())));
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
