//! The plan writes every user's id as the snapshot spells it. Ids that are GUIDs in lower case
//! (Graph's spelling) are written from the planner's index of GUIDs; any other id (upper case,
//! not a GUID) from the user's own string. Actions, their subjects, rollbacks and coverage lists
//! all name users by id, and apply finds users by them.
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
