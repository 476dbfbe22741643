//! The plan shape both health fixes share: one SKU's direct license removed from some users, in
//! one phase, with the rollback that gives each back as it was. The cleanup (a group duplicates
//! the license) and the conflict fix (the license conflicts with a group's) differ only in which
//! users, what the findings say and what the seats do.
use licswap_core::plan::Snapshot;
use licswap_core::plan::{
    Action, Coverage, Finding, Phase, Plan, PlanOptions, PlanRequest, Scope, SeatBudget, SkuSummary, PLAN_VERSION,
};

/// What a health fix decided, before it becomes a [`Plan`].
pub(super) struct Removal {
    /// The removed SKU (both the plan's source and its target: nothing is added).
    pub sku: SkuSummary,
    pub title: &'static str,
    /// What each action waits for before it is sent, when anything.
    pub waits_for: Option<String>,
    pub actions: Vec<Action>,
    /// The rollback of each action.
    pub undo: Vec<Action>,
    pub findings: Vec<Finding>,
    pub coverage: Vec<Coverage>,
    pub seats: SeatBudget,
}

impl Removal {
    /// The plan, scoped to the users it changes; empty phases when there is nothing to do.
    pub fn into_plan(self, snap: &Snapshot) -> Plan {
        let ids = self.actions.iter().map(|a| a.target.id.clone()).collect();
        let phase = |title: &str, waits_for, actions: Vec<Action>| {
            if actions.is_empty() {
                Vec::new()
            } else {
                vec![Phase { title: title.into(), waits_for, actions }]
            }
        };
        Plan {
            version: PLAN_VERSION,
            request: PlanRequest {
                source: self.sku.sku_id.clone().into(),
                target: self.sku.sku_id.clone().into(),
                scope: Scope::Users(ids),
                options: PlanOptions::default(),
            },
            source: self.sku.clone(),
            target: self.sku,
            bundle: None,
            set_aside: Vec::new(),
            tenant_name: snap.tenant_name.clone(),
            phases: phase(self.title, self.waits_for, self.actions),
            findings: self.findings,
            seats: self.seats,
            coverage: self.coverage,
            rollback: phase("Give the direct licenses back", None, self.undo),
        }
    }
}
