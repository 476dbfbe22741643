//! The audit record of a run, for a change ticket: the plan's digest, the approvals it ran
//! under (or the written reason it ran without them), who applied it and when, and, for a
//! rollback, the run it undoes. The report's CSV and JSON carry it beside each action's outcome.
//! Also the `requireApprovalAbove` policy: how many users a plan touches.
use super::chain::{names, Approval};
use super::diff::Change;
use super::digest::PlanDigest;
use crate::apply::{report_csv_with, report_json, Journal, VerifyReport};
use crate::plan::{Plan, TargetKind};
use serde::{Deserialize, Serialize};
use std::collections::HashSet;

/// A finished run, as a rollback names it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RunRef {
    pub digest: String,
    pub digest_sha256: String,
    /// When the undone run started (RFC 3339).
    #[serde(default)]
    pub applied_at: String,
    #[serde(default)]
    pub applied_by: String,
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AuditRecord {
    /// The digest of the plan that ran.
    pub digest: String,
    pub digest_sha256: String,
    /// The digest the approvals name, when the plan that ran is a subset of the approved one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub approved_digest: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub approved_digest_sha256: Option<String>,
    #[serde(default)]
    pub approvals: Vec<Approval>,
    /// What changed between approval and apply and was therefore left out.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub left_out: Vec<Change>,
    /// The written reason to apply the re-plan although it differs from what was approved.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub override_reason: Option<String>,
    /// The signed-in account that applied (Graph's `/me` userPrincipalName).
    #[serde(default)]
    pub applied_by: String,
    /// When the run started (RFC 3339, the admin's clock).
    #[serde(default)]
    pub applied_at: String,
    /// For a rollback: the run it undoes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub undoes: Option<RunRef>,
}

impl AuditRecord {
    pub fn for_plan(digest: &PlanDigest) -> Self {
        AuditRecord { digest: digest.short.clone(), digest_sha256: digest.sha256.clone(), ..Self::default() }
    }

    /// "Alice (Change board) and Bob", or "not approved".
    pub fn approved_by(&self) -> String {
        if self.approvals.is_empty() {
            "not approved".into()
        } else {
            names(&self.approvals)
        }
    }

    pub fn run_ref(&self) -> RunRef {
        RunRef {
            digest: self.digest.clone(),
            digest_sha256: self.digest_sha256.clone(),
            applied_at: self.applied_at.clone(),
            applied_by: self.applied_by.clone(),
        }
    }

    /// The columns the CSV report adds to every row (constant over the run).
    fn columns(&self) -> Vec<(&'static str, String)> {
        vec![
            ("planDigest", format!("{} ({})", self.digest, self.digest_sha256)),
            ("approvedDigest", self.approved_digest.clone().unwrap_or_else(|| self.digest.clone())),
            (
                "approvedBy",
                self.approvals
                    .iter()
                    .map(|a| format!("{} ({}) at {}", a.name, a.role, a.at))
                    .collect::<Vec<_>>()
                    .join("; "),
            ),
            ("overrideReason", self.override_reason.clone().unwrap_or_default()),
            ("appliedBy", self.applied_by.clone()),
            ("appliedAt", self.applied_at.clone()),
            (
                "undoesRun",
                self.undoes
                    .as_ref()
                    .map(|u| format!("{} applied {} by {}", u.digest, u.applied_at, u.applied_by))
                    .unwrap_or_default(),
            ),
        ]
    }
}

/// The report's CSV with the audit columns on every row.
pub fn audit_csv(
    plan: &Plan,
    journal: &Journal,
    verify: Option<&VerifyReport>,
    audit: &AuditRecord,
) -> String {
    report_csv_with(plan, journal, verify, &audit.columns())
}

/// The report's JSON with an `audit` object.
pub fn audit_json(
    plan: &Plan,
    journal: &Journal,
    verify: Option<&VerifyReport>,
    audit: &AuditRecord,
) -> String {
    let mut value: serde_json::Value =
        serde_json::from_str(&report_json(plan, journal, verify)).unwrap_or_else(|_| serde_json::json!({}));
    if let Some(obj) = value.as_object_mut() {
        obj.insert("audit".into(), serde_json::to_value(audit).unwrap_or_default());
    }
    serde_json::to_string_pretty(&value).unwrap_or_default()
}

/// Users whose licenses the plan changes: direct targets and the members of group targets
/// (every user the plan covers), each once.
pub fn users_affected(plan: &Plan) -> usize {
    let mut users: HashSet<String> = plan.coverage_by_user().map(|(u, _)| u.to_ascii_lowercase()).collect();
    users.extend(
        plan.actions()
            .filter(|a| a.target.kind == TargetKind::User)
            .map(|a| a.target.id.to_ascii_lowercase()),
    );
    users.len()
}

/// The policy `requireApprovalAbove: N`: a plan touching more than N users needs an approval.
pub fn approval_required(plan: &Plan, threshold: Option<u64>) -> bool {
    threshold.is_some_and(|n| users_affected(plan) as u64 > n)
}

#[cfg(test)]
mod tests {
    use super::super::chain::{append, ApprovalDraft};
    use super::super::digest::plan_digest;
    use super::super::testkit::two;
    use super::*;
    use crate::plan::Coverage;

    #[test]
    fn the_policy_counts_users_once() {
        let mut p = two();
        assert_eq!(users_affected(&p), 2);
        p.coverage.push(Coverage { user_id: "U1".into(), ..Coverage::default() });
        p.coverage.push(Coverage { user_id: "member9".into(), ..Coverage::default() });
        assert_eq!(users_affected(&p), 3, "a group member counts, a direct target once");
        assert!(!approval_required(&p, None));
        assert!(!approval_required(&p, Some(3)));
        assert!(approval_required(&p, Some(2)));
    }

    #[test]
    fn reports_carry_the_audit() {
        let p = two();
        let d = plan_digest(&p);
        let mut audit = AuditRecord::for_plan(&d);
        audit.approvals.push(
            append(
                &[],
                &d,
                &ApprovalDraft { name: "Alice".into(), role: "CAB".into(), comment: String::new() },
                "2026-11-30T19:00:00Z",
            )
            .unwrap(),
        );
        audit.applied_by = "admin@contoso".into();
        audit.applied_at = "2026-11-30T20:00:00Z".into();
        let journal = Journal::new(&p, 0);
        let json: serde_json::Value = serde_json::from_str(&audit_json(&p, &journal, None, &audit)).unwrap();
        assert_eq!(json["audit"]["digestSha256"], d.sha256);
        assert_eq!(json["audit"]["approvals"][0]["name"], "Alice");
        assert_eq!(json["rows"].as_array().unwrap().len(), 2);
        let csv = audit_csv(&p, &journal, None, &audit);
        let mut lines = csv.lines();
        let header = lines.next().unwrap();
        assert!(header
            .ends_with("planDigest,approvedDigest,approvedBy,overrideReason,appliedBy,appliedAt,undoesRun"));
        let row = lines.next().unwrap();
        assert!(
            row.contains(&d.sha256)
                && row.contains("Alice (CAB) at 2026-11-30T19:00:00Z")
                && row.contains("admin@contoso")
        );
        assert_eq!(csv.lines().count(), 3);
    }
}
