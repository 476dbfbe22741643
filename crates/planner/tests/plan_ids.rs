//! The plan writes every user's id as the snapshot spells it. Ids that are GUIDs in lower case
//! (Graph's spelling) are written from the planner's index of GUIDs; any other id (upper case,
//! not a GUID) from the user's own string. Actions, their subjects, rollbacks and coverage lists
//! all name users by id, and apply finds users by them.
use licswap_core::model::LicenseAssignmentState;
use licswap_core::plan::{Snapshot, TargetKind};
use licswap_planner::testgen;
use std::collections::{HashMap, HashSet};

/// Renames users whose position `pick` chooses, in the users and in the groups' member lists.
fn rename(s: &mut Snapshot, pick: impl Fn(usize) -> bool, to: impl Fn(&str) -> String) {
    let mut renamed = HashMap::new();
    for (_, u) in s.users.iter_mut().enumerate().filter(|(i, _)| pick(*i)) {
        let new = to(&u.id);
        renamed.insert(std::mem::replace(&mut u.id, new.clone()), new);
    }
    for m in s.groups.iter_mut().flat_map(|g| g.member_ids.iter_mut()) {
        if let Some(new) = renamed.get(m.as_str()) {
            m.clone_from(new);
        }
    }
}

fn assert_ids_as_spelled(s: &Snapshot) -> usize {
    let p = licswap_planner::plan(s, &testgen::e1_to_e3()).expect("plans");
    let ids: HashSet<&str> = s.users.iter().map(|u| u.id.as_str()).collect();
    let mut named = 0;
    for a in p.phases.iter().chain(&p.rollback).flat_map(|ph| &ph.actions) {
        if a.target.kind == TargetKind::User {
            assert!(ids.contains(a.target.id.as_str()), "{} is no user's id", a.target.id);
            assert!(a.id.ends_with(&format!(":user:{}", a.target.id)), "{}", a.id);
            named += 1;
        }
    }
    let also = p.coverage.iter().flat_map(|c| c.also.iter().chain([c.user_id.as_str()]));
    for id in also {
        assert!(ids.contains(id), "coverage names {id}, no user's id");
        named += 1;
    }
    named
}

#[test]
fn users_are_named_by_their_ids_as_spelled() {
    let mut s = testgen::tenant(600, 3);
    assert!(assert_ids_as_spelled(&s) > 600, "actions, rollbacks and coverage name users");
    // A third of the ids in upper case: GUIDs still, but not Graph's spelling.
    rename(&mut s, |i| i % 3 == 0, |id| id.to_uppercase());
    assert_ids_as_spelled(&s);
    // One id that is no GUID: every id is then indexed as text.
    rename(&mut s, |i| i == 1, |id| format!("user-{id}"));
    assert_ids_as_spelled(&s);
}

/// Members are found whether or not they hold a license from their group yet: most among the
/// group's inheritors (licenseAssignmentStates), the rest (members Entra has not processed yet)
/// through the index of every user. The plan is the one the index of every user alone gives:
/// the same tenant with one more user, licenseless, whose id is no GUID (so every id is looked
/// up as text, the way every member was looked up before).
#[test]
fn members_are_found_with_or_without_the_groups_license_yet() {
    let mut s = testgen::tenant(800, 5);
    let mut unprocessed = HashSet::new();
    for (k, id) in s.groups.iter().flat_map(|g| g.member_ids.iter()).enumerate() {
        if k % 4 == 0 {
            unprocessed.insert(id.clone());
        }
    }
    for u in s.users.iter_mut().filter(|u| unprocessed.contains(&u.id)) {
        u.license_assignment_states.retain(|st| st.assigned_by_group.is_none());
        u.assigned_licenses = testgen::assigned_from(&u.license_assignment_states);
    }
    assert!(unprocessed.len() > 100);
    // Some members in a second group too (and inheriting from it): a member's groups matter.
    let n = s.groups.len();
    for g in 0..n {
        let twice: Vec<String> = s.groups[g].member_ids.iter().step_by(10).cloned().collect();
        let next = (g + 1) % n;
        let next_id = s.groups[next].group.id.clone();
        for id in twice {
            s.groups[next].member_ids.push(id.clone());
            let u = s.users.iter_mut().find(|u| u.id == id).expect("a member is a user");
            let states = &mut u.license_assignment_states;
            if let Some(st) = states.iter().find(|st| st.assigned_by_group.is_some()).cloned() {
                let from_next = Some(next_id.as_str().into());
                states.push(LicenseAssignmentState { assigned_by_group: from_next, ..st });
            }
        }
    }
    let by_guid = licswap_planner::plan(&s, &testgen::e1_to_e3()).expect("plans");
    let mut text = s.clone();
    let mut nobody = text.users[0].clone();
    nobody.id = "not-a-guid".into();
    nobody.user_principal_name = Some("nobody@contoso.example".into());
    nobody.license_assignment_states.clear();
    nobody.assigned_licenses.clear();
    text.users.push(nobody);
    let by_text = licswap_planner::plan(&text, &testgen::e1_to_e3()).expect("plans");
    assert!(by_guid.actions().count() > 200);
    assert_eq!(serde_json::to_value(&by_guid).ok(), serde_json::to_value(&by_text).ok());
}
