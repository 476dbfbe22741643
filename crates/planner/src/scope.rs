//! Which users and groups a request is about: resolves the scope's ids, reports the ones that do
//! not exist or do not hold the source, and lists the users to evaluate with the in-scope groups
//! each belongs to.
use super::findings::{finding, group_subject, missing_subject, user_subject};
use super::resolve::Indexes;
use super::rows::Via;
use super::sides::Sides;
use super::user_index::{guid, GroupMembers};
use licswap_core::model::same_id;
use licswap_core::plan::{Finding, FindingCode as C, Scope, Severity as S, TargetKind};
use std::collections::HashSet;

pub(crate) struct Resolved<'a> {
    /// Per snapshot group: in scope and assigns the source.
    pub group_in_scope: Vec<bool>,
    /// Users to evaluate (indices into the snapshot's users), in snapshot order.
    pub users: Vec<u32>,
    /// Per evaluated user: in-scope groups the user is a member of (flat; see [`Resolved::member_of`]).
    member_groups: Vec<u32>,
    member_offsets: Vec<u32>,
    /// Per group: member ids the snapshot has no user for (they still take a seat).
    pub unknown_members: Vec<Vec<&'a str>>,
}

#[inline(never)] // a frame of its own in profiles (it runs once per plan)
pub(crate) fn resolve<'a>(
    t: &Indexes<'a>,
    sides: &Sides,
    scope: &'a Scope,
    findings: &mut Vec<Finding>,
) -> Resolved<'a> {
    let src_ids: Vec<&str> = sides.srcs.iter().map(|&k| t.skus[k].sku.sku_id.as_str()).collect();
    let src_name =
        if sides.srcs.len() > 1 { format!("any of {}", sides.src_label) } else { sides.src_label.clone() };
    let ng = t.groups.len();
    let group_holds = |g: usize| {
        t.groups[g].assigned_licenses.iter().any(|l| src_ids.iter().any(|s| same_id(&l.sku_id, s)))
    };
    let holds = |u: u32| sides.srcs.iter().any(|&k| t.rows.holds(t, u, k));
    let mut group_in_scope = vec![false; ng];
    let mut listed_users: Vec<u32> = Vec::new();
    match scope {
        Scope::AllHolders => (0..ng).for_each(|g| group_in_scope[g] = group_holds(g)),
        Scope::Groups(ids) => {
            for id in ids {
                match t.group(id.trim()) {
                    None => findings.push(finding(
                        C::NotFound,
                        S::Blocker,
                        missing_subject(TargetKind::Group, id),
                        format!("group {id} is not in the snapshot"),
                        "check the group id, or reload the tenant",
                        Vec::new(),
                    )),
                    Some(g) if !group_holds(g as usize) => findings.push(finding(
                        C::NotAHolder,
                        S::Warning,
                        group_subject(t.groups[g as usize]),
                        format!(
                            "group {} does not assign {src_name}: nothing to swap",
                            t.groups[g as usize].label()
                        ),
                        "remove the group from the scope",
                        Vec::new(),
                    )),
                    Some(g) => group_in_scope[g as usize] = true,
                }
            }
        }
        Scope::Users(ids) => {
            let mut seen = HashSet::new();
            for id in ids {
                match t.user(id.trim()) {
                    None => findings.push(finding(
                        C::NotFound,
                        S::Blocker,
                        missing_subject(TargetKind::User, id),
                        format!("user {id} is not in the snapshot"),
                        "check the user id or userPrincipalName, or reload the tenant",
                        Vec::new(),
                    )),
                    Some(u) if !holds(u) => findings.push(finding(
                        C::NotAHolder,
                        S::Warning,
                        user_subject(&t.users[u as usize]),
                        format!("{} does not hold {src_name}: nothing to swap", t.users[u as usize].label()),
                        "remove the user from the scope",
                        Vec::new(),
                    )),
                    Some(u) => {
                        if seen.insert(u) {
                            listed_users.push(u);
                        }
                    }
                }
            }
        }
    }

    // Evaluated users: the listed ones, or holders / members / inheritors of in-scope groups.
    const NONE: u32 = u32::MAX;
    let mut pos_of = vec![NONE; t.users.len()];
    let mut users = Vec::new();
    fn add(u: u32, users: &mut Vec<u32>, pos_of: &mut [u32]) {
        if pos_of[u as usize] == NONE {
            pos_of[u as usize] = users.len() as u32;
            users.push(u);
        }
    }
    let any_group = group_in_scope.iter().any(|&b| b);
    match scope {
        Scope::Users(_) => listed_users.iter().for_each(|&u| add(u, &mut users, &mut pos_of)),
        _ => {
            for i in 0..t.users.len() as u32 {
                let holder = matches!(scope, Scope::AllHolders) && holds(i);
                let inherits_in_scope = !holder
                    && any_group
                    && t.rows.lics(i).iter().any(|l| {
                        l.sku().is_some_and(|k| sides.src(k).is_some())
                            && matches!(l.via(), Via::Group(Some(g)) if group_in_scope[g as usize])
                    });
                if holder || inherits_in_scope {
                    add(i, &mut users, &mut pos_of);
                }
            }
        }
    }
    let mut unknown_members = vec![Vec::new(); ng];
    let mut member_pairs = Vec::new();
    let mut inheritors = inheritors(t, &group_in_scope);
    for g in (0..ng).filter(|&g| group_in_scope[g]) {
        let own = inheritors.as_mut().map(|by_group| GroupMembers::new(std::mem::take(&mut by_group[g])));
        for m in t.group_members[g] {
            let found = own.as_ref().and_then(|own| guid(m).and_then(|g| own.find(g)));
            match found.or_else(|| t.user(m)) {
                Some(u) => {
                    add(u, &mut users, &mut pos_of);
                    member_pairs.push((pos_of[u as usize], g as u32));
                }
                None => unknown_members[g].push(m.as_str()),
            }
        }
    }
    // Flat adjacency (one allocation, not one per member): bucket by user (counting, not
    // sorting), groups ascending within a user, duplicates dropped.
    let mut member_offsets = vec![0u32; users.len() + 1];
    for &(pos, _) in &member_pairs {
        member_offsets[pos as usize + 1] += 1;
    }
    for i in 0..users.len() {
        member_offsets[i + 1] += member_offsets[i];
    }
    let mut fill = member_offsets.clone();
    let mut member_groups = vec![0u32; member_pairs.len()];
    for &(pos, g) in &member_pairs {
        member_groups[fill[pos as usize] as usize] = g;
        fill[pos as usize] += 1;
    }
    // Groups were visited in ascending order, so each user's run is sorted; drop repeats (a member
    // listed twice) and close the gaps.
    let mut w = 0usize;
    let mut start = 0usize;
    for i in 0..users.len() {
        let end = member_offsets[i + 1] as usize;
        let run_start = w;
        for r in start..end {
            let g = member_groups[r];
            if w == run_start || member_groups[w - 1] != g {
                member_groups[w] = g;
                w += 1;
            }
        }
        start = end;
        member_offsets[i + 1] = w as u32;
    }
    member_groups.truncate(w);
    Resolved { group_in_scope, users, member_groups, member_offsets, unknown_members }
}

/// Per in-scope group: its inheritors as (GUID, user row), in user order, read from the rows in
/// one pass over the users (see [`GroupMembers`]); `None` when the ids are not all GUIDs.
fn inheritors(t: &Indexes<'_>, in_scope: &[bool]) -> Option<Vec<Vec<(u128, u32)>>> {
    let guids = t.guids()?;
    let mut by_group = vec![Vec::new(); in_scope.len()];
    for (u, &g) in guids.iter().enumerate() {
        for l in t.rows.lics(u as u32) {
            if let Via::Group(Some(k)) = l.via() {
                if in_scope[k as usize] {
                    by_group[k as usize].push((g, u as u32));
                }
            }
        }
    }
    Some(by_group)
}

impl Resolved<'_> {
    /// The in-scope groups evaluated user `pos` is a member of.
    pub fn member_of(&self, pos: usize) -> &[u32] {
        &self.member_groups[self.member_offsets[pos] as usize..self.member_offsets[pos + 1] as usize]
    }
}
