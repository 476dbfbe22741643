//! Approvals: who approved which plan digest, when, in what role, with what comment; chained so
//! that each approval seals the digest and every approval before it.
//!
//! These are attestations, not signatures: licswap has no server and no keys, so anyone can
//! write a file with a name in it, and someone who edits a file can recompute the seals. What the
//! chain does detect is a plan or an approval changed after the fact by anything short of
//! re-running licswap's own sealing: a changed plan no longer has the digest the approvals name,
//! and an edited, reordered or removed approval breaks the seals after it (removing the last one
//! leaves a valid shorter chain: no file can prove what it omits). The UI says so where
//! approvals are made and shown.
use super::digest::PlanDigest;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

/// What a reviewer types in.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ApprovalDraft {
    pub name: String,
    pub role: String,
    pub comment: String,
}

/// One recorded approval.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Approval {
    pub name: String,
    #[serde(default)]
    pub role: String,
    #[serde(default)]
    pub comment: String,
    /// When it was recorded, RFC 3339 in UTC, from the reviewer's clock.
    pub at: String,
    /// The full SHA-256 of the plan digest approved.
    pub digest: String,
    /// The seal of the approval before this one; the digest for the first.
    pub prev: String,
    /// SHA-256 over `prev` and this approval's fields.
    pub seal: String,
}

/// Why a chain of approvals does not hold.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ChainError {
    /// Approval `index` names another digest: the plan changed after it was approved.
    OtherPlan { index: usize, name: String },
    /// Approval `index` does not follow the one before it (one was removed, added or reordered).
    Broken { index: usize, name: String },
    /// Approval `index` was edited after it was recorded.
    Edited { index: usize, name: String },
}

impl std::fmt::Display for ChainError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ChainError::OtherPlan { index, name } => write!(
                f,
                "approval {} ({name}) was given to a different plan: the plan was changed after it was approved",
                index + 1
            ),
            ChainError::Broken { index, name } => write!(
                f,
                "approval {} ({name}) does not follow the approval before it: approvals were removed, added or reordered",
                index + 1
            ),
            ChainError::Edited { index, name } => {
                write!(f, "approval {} ({name}) was edited after it was recorded", index + 1)
            }
        }
    }
}

impl std::error::Error for ChainError {}

/// Why a draft cannot be recorded.
pub fn check_draft(draft: &ApprovalDraft) -> Result<(), String> {
    if draft.name.trim().is_empty() {
        return Err("give your name: an approval says who approved".into());
    }
    if draft.name.chars().count() > 200 || draft.role.chars().count() > 200 {
        return Err("name and role are limited to 200 characters".into());
    }
    if draft.comment.chars().count() > 4000 {
        return Err("the comment is limited to 4,000 characters".into());
    }
    Ok(())
}

fn field(h: &mut Sha256, s: &str) {
    // Length-prefixed: no choice of field contents makes two approvals hash alike.
    h.update((s.len() as u64).to_be_bytes());
    h.update(s.as_bytes());
}

fn seal_of(prev: &str, digest: &str, name: &str, role: &str, comment: &str, at: &str) -> String {
    let mut h = Sha256::new();
    field(&mut h, "licswap-approval/1");
    for s in [prev, digest, name, role, comment, at] {
        field(&mut h, s);
    }
    super::digest::hex(&h.finalize())
}

/// Records an approval of `digest` after `chain`, at `at` (RFC 3339, the caller's clock).
pub fn append(
    chain: &[Approval],
    digest: &PlanDigest,
    draft: &ApprovalDraft,
    at: &str,
) -> Result<Approval, String> {
    check_draft(draft)?;
    let prev = chain.last().map_or_else(|| digest.sha256.clone(), |a| a.seal.clone());
    let (name, role, comment) = (draft.name.trim(), draft.role.trim(), draft.comment.trim());
    Ok(Approval {
        name: name.into(),
        role: role.into(),
        comment: comment.into(),
        at: at.into(),
        digest: digest.sha256.clone(),
        prev: prev.clone(),
        seal: seal_of(&prev, &digest.sha256, name, role, comment, at),
    })
}

/// Checks every approval against the plan's digest and the approval before it.
pub fn verify_chain(digest: &PlanDigest, chain: &[Approval]) -> Result<(), ChainError> {
    let mut prev = digest.sha256.clone();
    for (index, a) in chain.iter().enumerate() {
        let name = a.name.clone();
        if !digest.matches(&a.digest) {
            return Err(ChainError::OtherPlan { index, name });
        }
        if a.prev != prev {
            return Err(ChainError::Broken { index, name });
        }
        if seal_of(&a.prev, &a.digest, &a.name, &a.role, &a.comment, &a.at) != a.seal {
            return Err(ChainError::Edited { index, name });
        }
        prev = a.seal.clone();
    }
    Ok(())
}

/// "Alice (Change board)" and "Alice (Change board) and Bob": for headings and buttons.
pub fn names(chain: &[Approval]) -> String {
    let one =
        |a: &Approval| if a.role.is_empty() { a.name.clone() } else { format!("{} ({})", a.name, a.role) };
    match chain {
        [] => String::new(),
        [a] => one(a),
        [rest @ .., last] => {
            format!("{} and {}", rest.iter().map(one).collect::<Vec<_>>().join(", "), one(last))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::digest::plan_digest;
    use super::super::testkit::two;
    use super::*;

    fn draft(name: &str) -> ApprovalDraft {
        ApprovalDraft { name: name.into(), role: "Change board".into(), comment: "ok for Friday".into() }
    }

    fn chain_of_three() -> (PlanDigest, Vec<Approval>) {
        let d = plan_digest(&two());
        let mut chain = Vec::new();
        for (n, at) in [
            ("Alice", "2026-11-30T19:00:00Z"),
            ("Bob", "2026-11-30T19:05:00Z"),
            ("Chen", "2026-11-30T19:09:00Z"),
        ] {
            let a = append(&chain, &d, &draft(n), at).unwrap();
            chain.push(a);
        }
        (d, chain)
    }

    #[test]
    fn a_recorded_chain_verifies() {
        let (d, chain) = chain_of_three();
        assert_eq!(verify_chain(&d, &chain), Ok(()));
        assert_eq!(chain[0].prev, d.sha256);
        assert_eq!(chain[1].prev, chain[0].seal);
        assert_eq!(names(&chain), "Alice (Change board), Bob (Change board) and Chen (Change board)");
        assert_eq!(verify_chain(&d, &[]), Ok(()));
    }

    #[test]
    fn every_edit_is_detected() {
        let (d, chain) = chain_of_three();
        let edited = |f: &dyn Fn(&mut Vec<Approval>)| {
            let mut c = chain.clone();
            f(&mut c);
            verify_chain(&d, &c)
        };
        assert!(matches!(
            edited(&|c: &mut Vec<Approval>| c[1].name = "Mallory".into()),
            Err(ChainError::Edited { index: 1, .. })
        ));
        assert!(matches!(
            edited(&|c: &mut Vec<Approval>| c[0].comment.push('!')),
            Err(ChainError::Edited { index: 0, .. })
        ));
        assert!(matches!(
            edited(&|c: &mut Vec<Approval>| c[2].at = "2026-12-01T00:00:00Z".into()),
            Err(ChainError::Edited { index: 2, .. })
        ));
        assert!(matches!(
            edited(&|c: &mut Vec<Approval>| c[1].role = "CIO".into()),
            Err(ChainError::Edited { index: 1, .. })
        ));
        assert!(matches!(
            edited(&|c: &mut Vec<Approval>| {
                c.remove(1);
            }),
            Err(ChainError::Broken { index: 1, .. })
        ));
        assert!(matches!(
            edited(&|c: &mut Vec<Approval>| c.swap(0, 1)),
            Err(ChainError::Broken { index: 0, .. })
        ));
        assert!(matches!(
            edited(&|c: &mut Vec<Approval>| c[0].seal = "0".repeat(64)),
            Err(ChainError::Edited { index: 0, .. })
        ));
        let other = PlanDigest { short: "X".into(), sha256: "ab".repeat(32) };
        assert!(matches!(
            edited(&|c: &mut Vec<Approval>| c[0].digest = other.sha256.clone()),
            Err(ChainError::OtherPlan { index: 0, .. })
        ));
    }

    #[test]
    fn a_changed_plan_no_longer_carries_its_approvals() {
        let (_, chain) = chain_of_three();
        let mut p = two();
        std::sync::Arc::make_mut(&mut p.phases[0].actions[0].body).add_licenses[0].disabled_plans.clear();
        let err = verify_chain(&plan_digest(&p), &chain).unwrap_err();
        assert!(matches!(err, ChainError::OtherPlan { index: 0, .. }));
        assert!(err.to_string().contains("changed after it was approved"));
    }

    #[test]
    fn an_approval_needs_a_name() {
        let d = plan_digest(&two());
        assert!(append(&[], &d, &ApprovalDraft { name: "  ".into(), ..Default::default() }, "t").is_err());
        let a = append(&[], &d, &ApprovalDraft { name: " Ann ".into(), ..Default::default() }, "t").unwrap();
        assert_eq!(a.name, "Ann");
    }
}
