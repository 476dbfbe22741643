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
pub(crate) fn sort(findings: &mut [Finding]) {
    // Two stable passes give the order of one stable sort by the whole key: by (severity, code,
    // kind) with cheap comparisons, then each such run by (subject id, message). Findings about
    // users arrive in snapshot order, so the second pass mostly finds runs already sorted instead
    // of comparing long ids n log n times.
    findings.sort_by_key(|f| (f.severity, f.code, f.subject.kind));
    let mut start = 0;
    while start < findings.len() {
        let head = (findings[start].severity, findings[start].code, findings[start].subject.kind);
        let len = findings[start..]
            .iter()
            .position(|f| (f.severity, f.code, f.subject.kind) != head)
            .unwrap_or(findings.len() - start);
        let by_subject = |a: &Finding, b: &Finding| {
            cmp_bytes(&a.subject.id, &b.subject.id).then_with(|| cmp_bytes(&a.message, &b.message))
        };
        // A run in order already (users listed in id order) costs one comparison per finding;
        // the size-optimized build's merge sort makes n log n of them whatever the order.
        let run = &mut findings[start..start + len];
        if !run.is_sorted_by(|a, b| by_subject(a, b).is_le()) {
            run.sort_by(by_subject);
        }
        start += len;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use licswap_core::plan::FindingCode as C;

    /// The findings' order is one stable sort by severity, code and kind, then by subject id and
    /// message: ids that share their first 16 bytes, ids shorter than 16 bytes, a prefix of
    /// another id, a group among users, several codes and severities, and findings equal but for
    /// the remedy (which the sort does not read: they keep their order).
    #[test]
    fn findings_sort_stably_by_severity_code_kind_and_subject() {
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
