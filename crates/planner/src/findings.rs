//! Building findings: one constructor per severity keeps codes and severities consistent, and the
//! final order (blockers, warnings, infos; then by code, subject) stable.
use super::resolve::Indexes;
use licswap_core::model::{cmp_bytes, Group, User};
use licswap_core::plan::{Finding, FindingCode, Severity, Subject, TargetKind};

pub(crate) fn user_subject(u: &User) -> Subject {
    Subject { kind: TargetKind::User, id: u.id.clone(), name: u.label().to_string() }
}

/// [`user_subject`] of user `u` of the snapshot, with `id` as the caller wrote it from the
/// planner's index ([`Indexes::write_user_id`]) rather than read again from the user's string.
pub(crate) fn indexed_user_subject(t: &Indexes<'_>, u: u32, id: String) -> Subject {
    Subject { kind: TargetKind::User, id, name: t.users[u as usize].label().to_string() }
}

pub(crate) fn group_subject(g: &Group) -> Subject {
    Subject { kind: TargetKind::Group, id: g.id.clone(), name: g.label().to_string() }
}

pub(crate) fn sku_subject(sku_id: &str, part_number: &str) -> Subject {
    Subject { kind: TargetKind::Sku, id: sku_id.to_string(), name: part_number.to_string() }
}

/// A subject the snapshot does not hold (a listed id that was not found).
pub(crate) fn missing_subject(kind: TargetKind, id: &str) -> Subject {
    Subject { kind, id: id.to_string(), name: id.to_string() }
}

pub(crate) fn finding(
    code: FindingCode,
    severity: Severity,
    subject: Subject,
    message: String,
    remedy: impl Into<String>,
    plans: Vec<String>,
) -> Finding {
    Finding { code, severity, subject, message, remedy: remedy.into(), plans }
}

/// Is this a finding that means "applying the swap would harm the subject" (as opposed to "the
/// swap cannot reach the subject")? Harm holds back every action that would cause it.
pub(crate) fn is_harm(code: FindingCode) -> bool {
    matches!(code, FindingCode::ServiceLoss | FindingCode::MutuallyExclusive | FindingCode::DependentPlan)
}

#[inline(never)] // a frame of its own in profiles (it runs once per plan)
pub(crate) fn sort(findings: &mut Vec<Finding>) {
    // One stable order by (severity, code, kind, subject id, message). The findings are not
    // compared or moved while sorting: a key per finding is (its first fields and its subject
    // id's first 16 bytes, beside each other), and only keys that tie read the findings. At a
    // million users (80,000 findings, 50,000 of one code in random GUID order) sorting the
    // findings themselves, twice, was a tenth of the plan.
    let mut order: Vec<(u32, [u64; 2], u32)> =
        findings.iter().enumerate().map(|(i, f)| (head(f), id_prefix(&f.subject.id), i as u32)).collect();
    let by_subject = |a: &Finding, b: &Finding| {
        cmp_bytes(&a.subject.id, &b.subject.id).then_with(|| cmp_bytes(&a.message, &b.message))
    };
    // Already in order (a plan of users listed in id order, mostly): nothing to move.
    let ordered = |a: &(u32, [u64; 2], u32), b: &(u32, [u64; 2], u32)| {
        (a.0, a.1)
            .cmp(&(b.0, b.1))
            .then_with(|| by_subject(&findings[a.2 as usize], &findings[b.2 as usize]))
            // The index last: equal findings keep their order, as a stable sort keeps them.
            .then(a.2.cmp(&b.2))
    };
    if order.is_sorted_by(|a, b| ordered(a, b).is_le()) {
        return;
    }
    order.sort_unstable_by(ordered);
    // Moved once, into a new list. (Permuting the slice in place by swaps trapped in the wasm
    // build, in dlmalloc's size check on free; natively and under valgrind it ran clean.)
    let mut taken: Vec<Option<Finding>> = std::mem::take(findings).into_iter().map(Some).collect();
    *findings = order.iter().filter_map(|o| taken[o.2 as usize].take()).collect();
}

/// Severity, code and subject kind in one number, in that order of significance.
fn head(f: &Finding) -> u32 {
    (f.severity as u32) << 16 | (f.code as u32) << 8 | f.subject.kind as u32
}

/// The first 16 bytes of `id` as two big-endian numbers (zeros past its end): `a`'s are below
/// `b`'s only when `cmp_bytes(a, b)` is Less, so they order GUIDs by their first 16 characters.
fn id_prefix(id: &str) -> [u64; 2] {
    let mut b = [0u8; 16];
    let n = id.len().min(16);
    b[..n].copy_from_slice(&id.as_bytes()[..n]);
    let word = |c: &[u8]| u64::from_be_bytes(c.try_into().expect("8 bytes"));
    [word(&b[..8]), word(&b[8..])]
}

#[cfg(test)]
mod tests {
    use super::*;
    use licswap_core::plan::FindingCode as C;

    /// The keyed sort gives the order of the stable sorts it replaced (by severity, code and
    /// kind, then by subject id and message): ids that share their first 16 bytes, ids shorter
    /// than 16 bytes, a prefix of another id, a group among users, several codes and severities,
    /// and findings equal but for the remedy (which the sort does not read: they keep their order).
    #[test]
    fn sorting_by_keys_is_the_stable_sort_by_severity_code_kind_and_subject() {
        let ids = [
            "6fd2c87f-b296-42f0-b197-1e91e994b900",
            "6fd2c87f-b296-42f0-b197-1e91e994b8ff",
            "6fd2c87f-b296-42",
            "6fd2c87f-b296-4",
            "0a",
            "",
            "ffffffff-0000-0000-0000-000000000000",
            "6FD2C87F-B296-42F0-B197-1E91E994B900",
        ];
        let codes = [
            (C::DirectAndInherited, Severity::Info),
            (C::ServiceLoss, Severity::Blocker),
            (C::SeveralGroups, Severity::Warning),
        ];
        let mut seed = 7u64;
        let mut next = || {
            seed = seed.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
            (seed >> 33) as usize
        };
        let mut all: Vec<Finding> = (0..600)
            .map(|i| {
                let (code, severity) = codes[next() % codes.len()];
                let kind = [TargetKind::User, TargetKind::Group][usize::from(next() % 5 == 0)];
                let id = ids[next() % ids.len()];
                let subject = Subject { kind, id: id.into(), name: id.into() };
                finding(code, severity, subject, ["a", "b"][next() % 2].into(), i.to_string(), Vec::new())
            })
            .collect();
        let mut expected = all.clone();
        expected.sort_by_key(|f| (f.severity, f.code, f.subject.kind));
        expected.sort_by(|a, b| {
            (a.severity, a.code, a.subject.kind)
                .cmp(&(b.severity, b.code, b.subject.kind))
                .then_with(|| cmp_bytes(&a.subject.id, &b.subject.id))
                .then_with(|| cmp_bytes(&a.message, &b.message))
        });
        sort(&mut all);
        let key =
            |f: &Finding| (f.code, f.subject.kind, f.subject.id.clone(), f.message.clone(), f.remedy.clone());
        assert_eq!(all.iter().map(key).collect::<Vec<_>>(), expected.iter().map(key).collect::<Vec<_>>());
        let again = all.clone();
        sort(&mut all);
        assert_eq!(all, again, "sorted findings stay as they are");
    }
}
