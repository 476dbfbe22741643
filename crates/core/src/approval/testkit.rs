//! Small plans for the approval tests.
use crate::model::{AssignLicenseBody, AssignedLicense};
use crate::plan::{
    Action, ActionKind, Phase, Plan, PlanOptions, PlanRequest, Scope, SeatBudget, SkuSummary, Subject,
    TargetKind,
};
use std::sync::Arc;

pub fn action(id: &str, user: &str, disabled: &[&str], fp: &str) -> Action {
    Action {
        id: id.into(),
        kind: ActionKind::Swap,
        target: Arc::new(Subject {
            kind: TargetKind::User,
            id: user.into(),
            name: format!("{user}@contoso"),
        }),
        body: Arc::new(AssignLicenseBody {
            add_licenses: vec![AssignedLicense {
                sku_id: "6FD2C87F-B296-42F0-B197-1E91E994B900".into(),
                disabled_plans: disabled.iter().map(|s| s.to_string()).collect(),
            }],
            remove_licenses: vec!["18181a46-0d4e-45cd-891e-60aabd171b4e".into()],
        }),
        fingerprint: fp.into(),
        undoes: None,
    }
}

pub fn plan(actions: Vec<Action>) -> Plan {
    let sku = |id: &str, part: &str| SkuSummary {
        sku_id: id.into(),
        sku_part_number: part.into(),
        name: part.into(),
    };
    Plan {
        version: crate::plan::PLAN_VERSION,
        request: PlanRequest {
            source: "STANDARDPACK".into(),
            target: "ENTERPRISEPACK".into(),
            scope: Scope::AllHolders,
            options: PlanOptions::default(),
        },
        source: sku("18181a46-0d4e-45cd-891e-60aabd171b4e", "STANDARDPACK"),
        target: sku("6fd2c87f-b296-42f0-b197-1e91e994b900", "ENTERPRISEPACK"),
        bundle: None,
        tenant_name: Some("Contoso".into()),
        phases: vec![Phase { title: "Swap".into(), waits_for: None, actions }],
        findings: vec![],
        seats: SeatBudget { needed: 2, available: 10, left_after: 8, source_freed: 2 },
        coverage: vec![],
        rollback: vec![],
        set_aside: vec![],
    }
}

pub fn two() -> Plan {
    plan(vec![action("a1", "u1", &["p1", "p2"], "00ff"), action("a2", "u2", &[], "0abc")])
}
