//! A small hand-made tenant and the plan the planner would make for it (E1 -> E3), so the apply
//! and share tests do not depend on the planner.
use licswap_core::model::{AssignLicenseBody, AssignedLicense, Group, LicenseAssignmentState, User};
use licswap_core::plan::*;

pub const E1: &str = "18181a46-0d4e-45cd-891e-60aabd171b4e";
pub const E3: &str = "6fd2c87f-b296-42f0-b197-1e91e994b900";
pub const YAMMER: &str = "7547a3fe-08ee-4ccb-b430-5077c5041653";

pub fn direct(sku: &str, disabled: &[&str]) -> LicenseAssignmentState {
    LicenseAssignmentState {
        sku_id: sku.into(),
        assigned_by_group: None,
        disabled_plans: disabled.iter().map(|s| s.to_string()).collect(),
        error: Some("None".into()),
        state: Some(licswap_core::model::LicenseState::Active),
        last_updated_date_time: None,
    }
}

pub fn inherited(sku: &str, group: &str) -> LicenseAssignmentState {
    LicenseAssignmentState { assigned_by_group: Some(group.into()), ..direct(sku, &[]) }
}

pub fn user(id: &str, upn: &str, states: Vec<LicenseAssignmentState>) -> User {
    let mut assigned: Vec<AssignedLicense> = Vec::new();
    for s in &states {
        if !assigned.iter().any(|l| l.sku_id == s.sku_id) {
            assigned
                .push(AssignedLicense { sku_id: s.sku_id.clone(), disabled_plans: s.disabled_plans.clone() });
        }
    }
    User {
        id: id.into(),
        user_principal_name: Some(upn.into()),
        display_name: Some(upn.split('@').next().unwrap_or(upn).into()),
        usage_location: Some("US".into()),
        account_enabled: Some(true),
        assigned_licenses: assigned,
        license_assignment_states: states,
    }
}

pub fn group(id: &str, name: &str, sku: &str) -> Group {
    Group {
        id: id.into(),
        display_name: Some(name.into()),
        group_types: vec![],
        membership_rule: None,
        on_premises_sync_enabled: None,
        assigned_licenses: vec![AssignedLicense { sku_id: sku.into(), disabled_plans: vec![] }],
    }
}

/// alice (direct E1, Yammer disabled), bob (direct E1), carol (E1 from Sales Team),
/// dave (E1 direct and from Sales Team); Sales Team (g1) assigns E1 to carol and dave.
pub fn sample_snapshot() -> Snapshot {
    Snapshot {
        tenant_name: Some("Contoso".into()),
        skus: vec![],
        users: vec![
            user("u1", "alice@contoso.com", vec![direct(E1, &[YAMMER])]),
            user("u2", "bob@contoso.com", vec![direct(E1, &[])]),
            user("u3", "carol@contoso.com", vec![inherited(E1, "g1")]),
            user("u4", "dave@contoso.com", vec![direct(E1, &[]), inherited(E1, "g1")]),
        ],
        groups: vec![SnapshotGroup {
            group: group("g1", "Sales Team", E1),
            member_ids: vec!["u3".into(), "u4".into()],
        }],
    }
}

fn subject(kind: TargetKind, id: &str, name: &str) -> Subject {
    Subject { kind, id: id.into(), name: name.into() }
}

fn swap(
    id: &str,
    kind: ActionKind,
    target: Subject,
    add: Option<(&str, &[&str])>,
    remove: &str,
    fp: String,
) -> Action {
    Action {
        id: id.into(),
        kind,
        target: target.into(),
        body: AssignLicenseBody {
            add_licenses: add
                .map(|(sku, d)| {
                    vec![AssignedLicense {
                        sku_id: sku.into(),
                        disabled_plans: d.iter().map(|s| s.to_string()).collect(),
                    }]
                })
                .unwrap_or_default(),
            remove_licenses: vec![remove.into()],
        }
        .into(),
        fingerprint: fp.into(),
        undoes: None,
    }
}

pub fn sample_plan(snap: &Snapshot) -> Plan {
    let fu = |id: &str| fingerprint_user(snap.users.iter().find(|u| u.id == id).unwrap());
    let fg = fingerprint_group(&snap.groups[0].group);
    let alice = subject(TargetKind::User, "u1", "alice@contoso.com");
    let bob = subject(TargetKind::User, "u2", "bob@contoso.com");
    let dave = subject(TargetKind::User, "u4", "dave@contoso.com");
    let sales = subject(TargetKind::Group, "g1", "Sales Team");
    let phase1 = Phase {
        title: "Swap E1 for E3".into(),
        waits_for: None,
        actions: vec![
            swap("swap-u1", ActionKind::Swap, alice.clone(), Some((E3, &[YAMMER])), E1, fu("u1")),
            swap("swap-u2", ActionKind::Swap, bob.clone(), Some((E3, &[])), E1, fu("u2")),
            swap("swap-g1", ActionKind::Swap, sales.clone(), Some((E3, &[])), E1, fg.clone()),
        ],
    };
    let phase2 = Phase {
        title: "Remove redundant direct E1".into(),
        waits_for: Some("group processing must show E3 Active on every member first".into()),
        actions: vec![swap("rm-u4", ActionKind::RemoveRedundantDirect, dave.clone(), None, E1, fu("u4"))],
    };
    let rollback = vec![
        Phase {
            title: "Restore direct E1".into(),
            waits_for: None,
            actions: vec![{
                // Restores the direct license only: E3 stays inherited from the group.
                let mut a =
                    swap("rb-rm-u4", ActionKind::Rollback, dave.clone(), Some((E1, &[])), E3, String::new());
                std::sync::Arc::make_mut(&mut a.body).remove_licenses.clear();
                a
            }],
        },
        Phase {
            title: "Swap back to E1".into(),
            waits_for: None,
            actions: vec![
                swap(
                    "rb-swap-u1",
                    ActionKind::Rollback,
                    alice.clone(),
                    Some((E1, &[YAMMER])),
                    E3,
                    String::new(),
                ),
                swap("rb-swap-u2", ActionKind::Rollback, bob.clone(), Some((E1, &[])), E3, String::new()),
                swap("rb-swap-g1", ActionKind::Rollback, sales.clone(), Some((E1, &[])), E3, String::new()),
            ],
        },
    ];
    let sku = |id: &str, part: &str| SkuSummary {
        sku_id: id.into(),
        sku_part_number: part.into(),
        name: part.into(),
    };
    Plan {
        version: PLAN_VERSION,
        request: PlanRequest {
            source: "STANDARDPACK".into(),
            target: "ENTERPRISEPACK".into(),
            scope: Scope::Users(vec!["alice@contoso.com".into(), "u2".into()]),
            options: PlanOptions::default(),
        },
        source: sku(E1, "STANDARDPACK"),
        target: sku(E3, "ENTERPRISEPACK"),
        bundle: None,
        tenant_name: Some("Contoso".into()),
        phases: vec![phase1, phase2],
        findings: vec![
            Finding {
                code: FindingCode::DisabledPlansKept,
                severity: Severity::Info,
                subject: alice.clone(),
                message: "Yammer stays disabled for alice@contoso.com.".into(),
                remedy: String::new(),
                plans: vec!["YAMMER_ENTERPRISE".into()],
            },
            Finding {
                code: FindingCode::DirectAndInherited,
                severity: Severity::Info,
                subject: dave.clone(),
                message:
                    "dave@contoso.com has E1 directly and from group 'Sales Team'; the group swap runs first."
                        .into(),
                remedy: "Nothing to do.".into(),
                plans: vec![],
            },
        ],
        seats: SeatBudget { needed: 4, available: 10, left_after: 6, source_freed: 4 },
        coverage: vec![Coverage {
            user_id: "u1".into(),
            user: "alice@contoso.com".into(),
            kept: vec!["EXCHANGE_S_STANDARD".into()],
            gained: vec![],
            lost: vec![],
            waived: vec![],
            kept_disabled: vec!["YAMMER_ENTERPRISE".into()],
            ..Coverage::default()
        }],
        rollback,
        set_aside: Vec::new(),
    }
}
