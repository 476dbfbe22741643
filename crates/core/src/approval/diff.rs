//! An approved plan against a fresh re-plan of the same request: which targets were added,
//! dropped or changed, with the reason in the admin's terms, and the approved subset (the
//! approved actions whose writes are still exactly the same), which is what may run without a
//! new approval.
use super::digest::{body_text, kind_word};
use crate::plan::{Action, FindingCode, Plan, Severity, Subject, TargetKind};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, HashSet};

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum ChangeKind {
    /// In the re-plan only: not approved, not run.
    Added,
    /// In the approved plan only: nothing to run for it now.
    Dropped,
    /// In both, with another write or another starting state: not run.
    Changed,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Change {
    pub kind: ChangeKind,
    pub target: Subject,
    pub reason: String,
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PlanDiff {
    /// Ids of the approved plan's actions that the re-plan writes exactly alike.
    pub same: Vec<String>,
    pub approved_total: usize,
    pub changes: Vec<Change>,
}

impl PlanDiff {
    pub fn is_identical(&self) -> bool {
        self.changes.is_empty()
    }

    pub fn count(&self, kind: ChangeKind) -> usize {
        self.changes.iter().filter(|c| c.kind == kind).count()
    }
}

/// Actions are matched by what they act on: kind of call, kind of target and target id.
type Key = (&'static str, &'static str, String);

fn key(a: &Action) -> Key {
    (kind_word(a.kind), a.target.kind.as_str(), a.target.id.to_ascii_lowercase())
}

/// Each action with its (non-empty) phase number.
fn index(plan: &Plan) -> BTreeMap<Key, (usize, &Action)> {
    let mut out = BTreeMap::new();
    let phases = plan.phases.iter().filter(|p| !p.actions.is_empty());
    for (n, phase) in phases.enumerate() {
        for a in &phase.actions {
            out.insert(key(a), (n, a));
        }
    }
    out
}

/// Why the re-plan has nothing for `who`: its own finding first, then the plan's seats.
fn why_dropped(fresh: &Plan, who: &Subject) -> String {
    let own = fresh
        .findings
        .iter()
        .filter(|f| f.subject.kind == who.kind && f.subject.id.eq_ignore_ascii_case(&who.id))
        .min_by_key(|f| f.severity);
    if let Some(f) = own {
        return format!("{} now: {}", severity_word(f.severity), f.message);
    }
    let seats = fresh
        .findings
        .iter()
        .find(|f| matches!(f.code, FindingCode::SeatsInsufficient | FindingCode::PartialWave));
    if let Some(f) = seats {
        return format!("seats: {}", f.message);
    }
    match who.kind {
        TargetKind::Group => format!("the group no longer assigns {}", fresh.source.name),
        _ => format!("no longer holds {} here (changed, or out of scope)", fresh.source.name),
    }
}

fn severity_word(s: Severity) -> &'static str {
    match s {
        Severity::Blocker => "blocked",
        Severity::Warning => "a warning",
        Severity::Info => "noted",
    }
}

/// Compares what `approved` writes with what `fresh` (the same request, planned again from the
/// tenant as it is now) writes.
pub fn compare(approved: &Plan, fresh: &Plan) -> PlanDiff {
    let (old, new) = (index(approved), index(fresh));
    let mut diff = PlanDiff { approved_total: old.len(), ..PlanDiff::default() };
    for (k, (phase, a)) in &old {
        match new.get(k) {
            None => diff.changes.push(Change {
                kind: ChangeKind::Dropped,
                target: (*a.target).clone(),
                reason: why_dropped(fresh, &a.target),
            }),
            Some((p2, b)) => {
                let same_body = body_text(&a.body) == body_text(&b.body);
                let same_state = a.fingerprint.eq_ignore_ascii_case(&b.fingerprint);
                if same_body && same_state && phase == p2 {
                    diff.same.push(a.id.to_string());
                    continue;
                }
                let reason = if !same_state {
                    "stale target: its licenses changed since the approval".to_string()
                } else if !same_body {
                    format!(
                        "the call differs now: approved {}, now {}",
                        body_text(&a.body),
                        body_text(&b.body)
                    )
                } else {
                    format!("moved from step {} to step {}", phase + 1, p2 + 1)
                };
                diff.changes.push(Change { kind: ChangeKind::Changed, target: (*b.target).clone(), reason });
            }
        }
    }
    for (k, (_, b)) in &new {
        if !old.contains_key(k) {
            let reason = match b.target.kind {
                TargetKind::Group => format!("a group newly assigning {}", fresh.source.name),
                _ => format!("a new holder of {}: not in the approved plan", fresh.source.name),
            };
            diff.changes.push(Change { kind: ChangeKind::Added, target: (*b.target).clone(), reason });
        }
    }
    diff.changes.sort_by(|x, y| (x.kind as u8, &x.target.name).cmp(&(y.kind as u8, &y.target.name)));
    diff
}

/// The approved plan reduced to the actions `diff` found unchanged, with their rollback and
/// the findings about them: what may run on the strength of the approval.
pub fn approved_subset(approved: &Plan, diff: &PlanDiff) -> Plan {
    let keep: HashSet<&str> = diff.same.iter().map(String::as_str).collect();
    let mut plan = approved.clone();
    for phase in &mut plan.phases {
        phase.actions.retain(|a| keep.contains(a.id.as_str()));
    }
    plan.phases.retain(|p| !p.actions.is_empty());
    let targets: HashSet<(TargetKind, String)> =
        plan.actions().map(|a| (a.target.kind, a.target.id.to_ascii_lowercase())).collect();
    let kept = |s: &Subject| targets.contains(&(s.kind, s.id.to_ascii_lowercase()));
    for phase in &mut plan.rollback {
        phase.actions.retain(|a| kept(&a.target));
    }
    plan.rollback.retain(|p| !p.actions.is_empty());
    plan.findings.retain(|f| {
        if f.subject.kind == TargetKind::Sku {
            f.severity != Severity::Blocker
        } else {
            kept(&f.subject)
        }
    });
    plan
}

#[cfg(test)]
mod tests {
    use super::super::digest::plan_digest;
    use super::super::testkit::{action, plan, two};
    use super::*;
    use crate::plan::Finding;
    use std::sync::Arc;

    #[test]
    fn the_same_writes_are_identical() {
        let mut fresh = two();
        fresh.phases[0].actions.reverse();
        fresh.phases[0].actions[0].id = "renumbered".into();
        fresh.seats.available -= 1;
        let d = compare(&two(), &fresh);
        assert!(d.is_identical());
        assert_eq!(d.same.len(), 2);
        assert_eq!(approved_subset(&two(), &d), two());
    }

    #[test]
    fn added_dropped_and_changed_each_say_why() {
        let approved = plan(vec![
            action("a1", "u1", &["p1"], "f1"),
            action("a2", "u2", &[], "f2"),
            action("a3", "u3", &[], "f3"),
            action("a4", "u4", &[], "f4"),
        ]);
        let mut fresh = plan(vec![
            action("b1", "U1", &["p1"], "F1"),    // the same
            action("b2", "u2", &[], "f2-edited"), // stale
            action("b4", "u4", &["p9"], "f4"),    // another body
            action("b5", "u5", &[], "f5"),        // new holder
        ]);
        fresh.findings.push(Finding {
            code: FindingCode::NotAHolder,
            severity: Severity::Warning,
            subject: Subject { kind: TargetKind::User, id: "U3".into(), name: "u3@contoso".into() },
            message: "does not hold Office 365 E1".into(),
            remedy: String::new(),
            plans: vec![],
        });
        let d = compare(&approved, &fresh);
        assert!(!d.is_identical());
        assert_eq!(d.same, vec!["a1".to_string()]);
        assert_eq!(
            (d.count(ChangeKind::Added), d.count(ChangeKind::Dropped), d.count(ChangeKind::Changed)),
            (1, 1, 2)
        );
        let reason = |id: &str| {
            d.changes.iter().find(|c| c.target.id.eq_ignore_ascii_case(id)).unwrap().reason.clone()
        };
        assert!(reason("u2").contains("stale target"), "{}", reason("u2"));
        assert!(reason("u4").contains("differs"), "{}", reason("u4"));
        assert!(reason("u3").contains("does not hold"), "{}", reason("u3"));
        assert!(reason("u5").contains("new holder"), "{}", reason("u5"));

        let subset = approved_subset(&approved, &d);
        let ids: Vec<&str> = subset.actions().map(|a| a.id.as_str()).collect();
        assert_eq!(ids, ["a1"], "only what is still exactly as approved");
        assert_ne!(plan_digest(&subset), plan_digest(&approved));
    }

    #[test]
    fn a_drop_for_seats_says_seats() {
        let approved = two();
        let mut fresh = plan(vec![action("a1", "u1", &["p1", "p2"], "00ff")]);
        fresh.findings.push(Finding {
            code: FindingCode::PartialWave,
            severity: Severity::Warning,
            subject: Subject { kind: TargetKind::Sku, id: "s".into(), name: "E3".into() },
            message: "only 1 of 2 users fit".into(),
            remedy: String::new(),
            plans: vec![],
        });
        let d = compare(&approved, &fresh);
        assert_eq!(d.changes.len(), 1);
        assert!(d.changes[0].reason.starts_with("seats:"));
        let subset = approved_subset(&approved, &d);
        assert_eq!(subset.actions().count(), 1);
        assert!(Arc::ptr_eq(&subset.phases[0].actions[0].body, &approved.phases[0].actions[0].body));
    }
}
