//! Applying what is clear: with `setAsideBlocked`, the users and groups that have a blocker of
//! their own are set aside instead of stopping the whole plan.
//!
//! This only acknowledges them. The planner already gives a blocked user or group no action, and
//! holds back a group's swap while it would harm any member, re-planning the members it touches
//! (see `build`); so the actions, seats and coverage are those of the same plan without the option
//! (tests/set_aside.rs checks that equality). What changes: their blockers become warnings, the
//! plan lists them in `set_aside` with why, and one finding says what was set aside.
//!
//! The re-check is what setting aside cannot do: a group's license applies to every member
//! (Microsoft: "licenses assigned to a group are assigned to all members",
//! https://learn.microsoft.com/entra/fundamentals/concept-group-based-licensing), so a user set
//! aside for a blocker that is not harm (e.g. a license inherited from a group out of scope) is
//! still changed by the swap of another group of the plan. Such users say which group.
//! Plan-wide blockers (seats, an unknown SKU) stay blockers: the first-wave option is for seats.
use super::findings::{finding, sku_subject};
use licswap_core::plan::{ActionKind, Finding, FindingCode, Plan, SetAside, Severity, Snapshot, TargetKind};
use std::collections::HashSet;

/// Sets aside every user and group with a blocker in `plan` (findings already sorted), and says
/// for each user which swapped group of the plan still reaches them.
pub(crate) fn set_aside(plan: &mut Plan, snapshot: &Snapshot) {
    let mut out: Vec<SetAside> = Vec::new();
    for f in plan.findings.iter_mut() {
        if f.severity != Severity::Blocker || f.subject.kind == TargetKind::Sku {
            continue;
        }
        f.severity = Severity::Warning;
        match out.iter_mut().find(|s| s.subject.kind == f.subject.kind && s.subject.id == f.subject.id) {
            Some(s) => {
                s.codes.push(f.code);
                s.why.push(f.message.clone());
            }
            None => out.push(SetAside {
                subject: f.subject.clone(),
                codes: vec![f.code],
                why: vec![f.message.clone()],
                still_covered_by: Vec::new(),
            }),
        }
    }
    if out.is_empty() {
        return;
    }
    let swapped: HashSet<&str> = plan
        .actions()
        .filter(|a| a.kind == ActionKind::Swap && a.target.kind == TargetKind::Group)
        .map(|a| a.target.id.as_str())
        .collect();
    for s in out.iter_mut().filter(|s| s.subject.kind == TargetKind::User) {
        s.still_covered_by = snapshot
            .groups
            .iter()
            .filter(|g| swapped.contains(g.group.id.as_str()))
            .filter(|g| g.member_ids.iter().any(|m| m.eq_ignore_ascii_case(&s.subject.id)))
            .map(|g| g.group.label().to_string())
            .collect();
    }
    let (users, groups) = (
        out.iter().filter(|s| s.subject.kind == TargetKind::User).count(),
        out.iter().filter(|s| s.subject.kind == TargetKind::Group).count(),
    );
    plan.findings.push(summary(plan, users, groups));
    super::findings::sort(&mut plan.findings);
    plan.set_aside = out;
}

fn summary(plan: &Plan, users: usize, groups: usize) -> Finding {
    let n = |k: usize, one: &str, many: &str| format!("{k} {}", if k == 1 { one } else { many });
    finding(
        FindingCode::SetAside,
        Severity::Warning,
        sku_subject(&plan.target.sku_id, &plan.target.sku_part_number),
        format!(
            "{} and {} with a blocker of their own are set aside: they are not changed, and the report lists them as not done",
            n(users, "user", "users"),
            n(groups, "group", "groups")
        ),
        "apply the rest, resolve each set-aside blocker, then plan again for them",
        Vec::new(),
    )
}
