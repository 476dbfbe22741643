//! The plan shape both health fixes share: one SKU's direct license removed from some users, in
//! one phase, with the rollback that gives each back as it was. The cleanup (a group duplicates
//! the license) and the conflict fix (the license conflicts with a group's) differ only in which
//! users, what the findings say and what the seats do.
use licswap_core::plan::Snapshot;
use crate::actions::action_id;
use crate::rollback::{inverse, inverse_body, Own};
use licswap_core::model::{AssignLicenseBody, LicenseAssignmentState, User};
use licswap_core::plan::{
    fingerprint_user, Action, ActionKind, Coverage, Finding, Phase, Plan, PlanOptions, PlanRequest, Scope, SeatBudget,
    SkuSummary, Subject, PLAN_VERSION,
};
use std::sync::Arc;

/// One user's removal of a direct license (`body` removes it) and the rollback that gives it
/// back with the disabled plans `held` had (none when the user held it no longer).
pub(super) fn remove_direct(
    kind: ActionKind,
    id_prefix: &str,
    subject: &Subject,
    user: &User,
    body: &Arc<AssignLicenseBody>,
    held: Option<&LicenseAssignmentState>,
) -> (Action, Action) {
    let a = Action {
        id: action_id(&[id_prefix, &user.id]),
        kind,
        target: Arc::new(subject.clone()),
        body: body.clone(),
        fingerprint: fingerprint_user(user).into(),
        undoes: None,
    };
    let own: Vec<Own<'_>> = held.map(|d| Own { sku_id: &d.sku_id, disabled: &d.disabled_plans }).into_iter().collect();
    let undo = inverse(&a, Arc::new(inverse_body(&own, &a.body)));
    (a, undo)
}

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
