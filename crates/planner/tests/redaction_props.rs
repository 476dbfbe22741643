//! "Hide user and group names" over generated tenants: whatever the planner writes (subjects,
//! finding messages and remedies, coverage), a share redacted with the snapshot it was planned from
//! holds no user id, UPN or display name, no group id or name and none of the tenant's domains,
//! in any letter case. Names are random, spaces and non-ASCII letters included (`İ`, `ß`, whose
//! lowercase has another byte length), and the scope is partial so findings name groups that are
//! not in scope (a license inherited from a group outside the scope blocks the user).
use licswap_core::plan::{PlanRequest, Scope, Snapshot};
use licswap_core::share;
use licswap_planner::testgen;
use proptest::prelude::*;

/// Letters a generated name is made of: ASCII plus a few whose case mapping changes length.
const LETTERS: &[char] = &['q', 'x', 'z', 'k', 'v', 'w', 'j', 'İ', 'ß', 'é', 'Ø', 'ǅ'];

fn word(rng: &mut u64, len: usize) -> String {
    (0..len)
        .map(|_| {
            *rng = rng.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
            LETTERS[((*rng >> 33) as usize) % LETTERS.len()]
        })
        .collect()
}

/// A generated tenant whose people, groups and domain have random names.
fn tenant(users: usize, seed: u64) -> Snapshot {
    let mut s = testgen::tenant(users, seed);
    let mut rng = seed | 1;
    let domain = format!("{}.{}", word(&mut rng, 7), word(&mut rng, 3)).to_lowercase();
    for u in &mut s.users {
        let (first, last) = (word(&mut rng, 6), word(&mut rng, 8));
        u.display_name = Some(format!("{first} {last}"));
        u.user_principal_name = Some(format!("{}.{}@{domain}", first, last).to_lowercase());
    }
    for g in &mut s.groups {
        g.group.display_name = Some(format!("#{} {} Team", word(&mut rng, 5), word(&mut rng, 6)));
    }
    s.tenant_name = Some(domain);
    s
}

/// Every string of the snapshot that says who or what: must not survive redaction.
fn secrets(s: &Snapshot) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for u in &s.users {
        out.push(u.id.clone());
        out.extend(u.user_principal_name.clone());
        out.extend(u.display_name.clone());
    }
    for g in &s.groups {
        out.push(g.group.id.clone());
        out.extend(g.group.display_name.clone());
    }
    out.extend(s.tenant_name.clone());
    out
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 24, ..ProptestConfig::default() })]

    #[test]
    fn a_redacted_share_names_no_one(seed in any::<u64>(), users in 20usize..120, pick in 2usize..6, scope_kind in 0u8..3) {
        let snap = tenant(users, seed);
        let mut request: PlanRequest = testgen::e1_to_e3();
        request.scope = match scope_kind {
            // Every pick-th user: many of them inherit E1 from a group that is not in scope.
            0 => Scope::Users(snap.users.iter().step_by(pick).map(|u| u.id.clone()).collect()),
            1 => Scope::Groups(snap.groups.iter().take(1).map(|g| g.group.id.clone()).collect()),
            _ => Scope::AllHolders,
        };
        let plan = licswap_planner::plan(&snap, &request).expect("the generated tenant plans");
        let back = share::decode(&share::encode_redacted(&plan, &snap)).expect("a redacted share decodes");
        prop_assert!(back.redacted);
        let text = serde_json::to_string(&back.plan).unwrap();
        let lower = text.to_lowercase();
        for secret in secrets(&snap) {
            let needle = secret.to_lowercase();
            prop_assert!(!lower.contains(&needle), "{secret:?} survived redaction");
            // Also the UPN's parts and each word of a name: a first name alone is still a name.
            for part in secret.split(['@', ' ', '.', '#']).filter(|p| p.chars().count() >= 5) {
                prop_assert!(!lower.contains(&part.to_lowercase()), "{part:?} (of {secret:?}) survived");
            }
        }
        // Redaction keeps the plan usable for review: same actions, same findings.
        prop_assert_eq!(back.plan.actions().count(), plan.actions().count());
        prop_assert_eq!(back.plan.findings.len(), plan.findings.len());
    }
}

/// The case the review found: a user-scoped plan whose blocker names the group a user inherits the
/// source SKU from. Today's plan-only redaction leaves that group's name and id in the finding.
#[test]
fn an_out_of_scope_group_in_a_finding_is_redacted() {
    let snap = tenant(60, 7);
    let mut request = testgen::e1_to_e3();
    request.scope = Scope::Users(snap.users.iter().map(|u| u.id.clone()).collect());
    let plan = licswap_planner::plan(&snap, &request).unwrap();
    let group = snap
        .groups
        .iter()
        .find(|g| plan.findings.iter().any(|f| f.message.contains(g.group.display_name.as_deref().unwrap())))
        .expect("a finding names a group outside the scope");
    let name = group.group.display_name.clone().unwrap();
    let plan_only = serde_json::to_string(&share::redact(&plan)).unwrap();
    assert!(plan_only.contains(&name), "plan-only redaction misses it (the finding this test guards)");
    let with_snapshot = serde_json::to_string(&share::redact_with_snapshot(&plan, &snap)).unwrap();
    assert!(!with_snapshot.contains(&name) && !with_snapshot.contains(&group.group.id));
}
