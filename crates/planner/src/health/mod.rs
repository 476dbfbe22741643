//! License health: from what was read ([`HealthSnapshot`]) to the health screen's report
//! ([`HealthReport`]): every member whose group licenses are in error, grouped by kind, each
//! explained in Microsoft's product and plan names with its concrete fix. Pure: no I/O.
//!
//! Source: "Identify and resolve license assignment problems for a group"
//! (<https://learn.microsoft.com/entra/identity/users/licensing-groups-resolve-problems>): the
//! problems, their codes and their fixes; every fix ends with processing the member again
//! ("you need to trigger the processing of groups that previously failed"), which Graph offers per
//! user as `reprocessLicenseAssignment`
//! (<https://learn.microsoft.com/graph/api/user-reprocesslicenseassignment>).
mod cleanup;
mod explain;
mod fix;
mod licenses;
mod removal;
#[cfg(test)]
mod tests;

pub use cleanup::{cleanup_candidates, cleanup_plan, CleanupCandidate};
pub use fix::{conflict_fixes, fix_conflicts_plan, ConflictFix};
use explain::{explain, Context, Held, Source};
use licenses::Skus;
use licswap_core::model::{same_id, LicenseAssignmentState, User};
use licswap_core::health::{
    state_error, GroupHealth, HealthReport, HealthSnapshot, KindCount, LicenseErrorKind, MemberIssue,
};
use licswap_core::plan::{SnapshotGroup, Subject, TargetKind};
use std::collections::BTreeMap;

/// Explains every member in error. Members are those of the licensing groups read; a member in
/// error through a group that was not read still gets an issue (with the products from their own
/// license states).
pub fn diagnose(h: &HealthSnapshot) -> HealthReport {
    let snap = &h.snapshot;
    let skus = Skus::new(&snap.skus);
    let group_of = |id: &str| snap.groups.iter().find(|g| same_id(&g.group.id, id));

    // Pass 1: each (user, group) in error, with the facts its explanation needs.
    let mut found: Vec<(Context, LicenseErrorKind, Vec<&LicenseAssignmentState>)> = Vec::new();
    for user in &snap.users {
        let mut by_source: Vec<(Option<&str>, Vec<(&LicenseAssignmentState, LicenseErrorKind)>)> = Vec::new();
        for s in &user.license_assignment_states {
            let Some(kind) = state_error(s) else { continue };
            let src = s.assigned_by_group.as_deref();
            match by_source
                .iter_mut()
                .find(|(k, _)| k.zip(src).map_or(k.is_none() && src.is_none(), |(a, b)| same_id(a, b)))
            {
                Some((_, v)) => v.push((s, kind)),
                None => by_source.push((src, vec![(s, kind)])),
            }
        }
        for (src, failed) in by_source {
            // All-or-nothing: the group's products fail together; which code the others carry is
            // not documented, so the most specific code among them is the one explained.
            let kind = failed.iter().map(|(_, k)| *k).min().unwrap_or(LicenseErrorKind::Other);
            let group = src.and_then(group_of);
            let cx = context(&skus, user, src, group, &failed, &|id| group_subject(id, group_of(id)));
            found.push((cx, kind, failed.into_iter().map(|(s, _)| s).collect()));
        }
    }

    // Seats: how many members wait for each SKU that has none free.
    let mut waiting: BTreeMap<String, i64> = BTreeMap::new();
    for (cx, kind, _) in &found {
        if *kind == LicenseErrorKind::CountViolation {
            for sku in explain::short_skus(&skus, cx) {
                *waiting.entry(sku.to_ascii_lowercase()).or_default() += 1;
            }
        }
    }

    let mut issues: Vec<MemberIssue> = found
        .iter()
        .map(|(cx, kind, failed)| {
            let (what, fix, remedy) = explain(*kind, cx, &skus, &waiting);
            let first = failed.first();
            MemberIssue {
                user: Subject {
                    kind: TargetKind::User,
                    id: cx.user.id.clone(),
                    name: cx.user.label().to_string(),
                },
                group: cx.group_subject(),
                products: cx.failed.iter().map(|l| l.product.clone()).collect(),
                kind: *kind,
                code: first
                    .and_then(|s| s.error.as_deref().map(str::to_string))
                    .unwrap_or_else(|| kind.code().to_string()),
                state: first.and_then(|s| s.state.clone()),
                what,
                fix,
                remedy,
            }
        })
        .collect();
    issues.sort_by(|a, b| {
        (a.kind, a.group.as_ref().map(|g| g.name.to_lowercase()), a.user.name.to_lowercase()).cmp(&(
            b.kind,
            b.group.as_ref().map(|g| g.name.to_lowercase()),
            b.user.name.to_lowercase(),
        ))
    });

    let counts = LicenseErrorKind::ALL
        .into_iter()
        .map(|kind| KindCount { kind, members: issues.iter().filter(|i| i.kind == kind).count() })
        .filter(|c| c.members > 0)
        .collect();

    let mut groups: Vec<GroupHealth> = Vec::new();
    for i in &issues {
        let Some(g) = &i.group else { continue };
        match groups.iter_mut().find(|x| same_id(&x.group.id, &g.id)) {
            Some(x) => x.members_in_error += 1,
            None => {
                groups.push(GroupHealth { group: g.clone(), members_in_error: 1, flagged_by_graph: false })
            }
        }
    }
    for id in &h.flagged_groups {
        match groups.iter_mut().find(|x| same_id(&x.group.id, id)) {
            Some(x) => x.flagged_by_graph = true,
            None => groups.push(GroupHealth {
                group: group_subject(id, group_of(id)),
                members_in_error: 0,
                flagged_by_graph: true,
            }),
        }
    }
    groups.sort_by(|a, b| b.members_in_error.cmp(&a.members_in_error).then(a.group.name.cmp(&b.group.name)));

    let mut notes = h.notes.clone();
    for g in groups.iter().filter(|g| g.flagged_by_graph && g.members_in_error == 0) {
        notes.push(format!(
            "Graph flags group {} as having members with license errors, but none of its members' license \
             states shows one: its processing may still be running; load again later.",
            g.group.name
        ));
    }
    for list in &h.error_lists {
        let unseen = list
            .member_ids
            .iter()
            .filter(|m| {
                !issues.iter().any(|i| {
                    same_id(&i.user.id, m) && i.group.as_ref().is_some_and(|g| same_id(&g.id, &list.group_id))
                })
            })
            .count();
        if unseen > 0 {
            let name = group_subject(&list.group_id, group_of(&list.group_id)).name;
            notes.push(format!(
                "Graph lists {unseen} member(s) of group {name} with license errors whose own license states show \
                 none from that group (a read may lag the other); load again later."
            ));
        }
    }
    HealthReport { counts, groups, issues, notes }
}

fn group_subject(id: &str, g: Option<&SnapshotGroup>) -> Subject {
    Subject {
        kind: TargetKind::Group,
        id: id.to_string(),
        name: g.map_or(id, |g| g.group.label()).to_string(),
    }
}

/// The member's licenses around the failed ones: what the group wanted to give (from the group,
/// else from the member's failed states) and every other license the member holds without error.
fn context<'a>(
    skus: &Skus,
    user: &'a User,
    src: Option<&str>,
    group: Option<&'a SnapshotGroup>,
    failed: &[(&LicenseAssignmentState, LicenseErrorKind)],
    name_of: &dyn Fn(&str) -> Subject,
) -> Context<'a> {
    let held = |sku_id: &str, disabled: &[String], source: Source| Held {
        sku_id: sku_id.to_string(),
        product: skus.product(sku_id),
        plans: skus.enabled(sku_id, disabled),
        source,
    };
    let this = match (src, group) {
        (Some(_), Some(g)) => Source::Group(group_subject(&g.group.id, Some(g))),
        (Some(id), None) => Source::Group(name_of(id)),
        (None, _) => Source::Direct,
    };
    let failed_lics: Vec<Held> = match group.filter(|g| !g.group.assigned_licenses.is_empty()) {
        Some(g) => g
            .group
            .assigned_licenses
            .iter()
            .map(|l| held(&l.sku_id, &l.disabled_plans, this.clone()))
            .collect(),
        None => failed.iter().map(|(s, _)| held(&s.sku_id, &s.disabled_plans, this.clone())).collect(),
    };
    let others = user
        .license_assignment_states
        .iter()
        .filter(|s| state_error(s).is_none())
        .filter(|s| match (src, s.assigned_by_group.as_deref()) {
            (Some(a), Some(b)) => !same_id(a, b),
            (None, None) => false,
            _ => true,
        })
        .map(|s| {
            let source = match s.assigned_by_group.as_deref() {
                None => Source::Direct,
                Some(g) => Source::Group(name_of(g)),
            };
            held(&s.sku_id, &s.disabled_plans, source)
        })
        .collect();
    Context { user, source: this, failed: failed_lics, others }
}
