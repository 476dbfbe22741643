//! An in-memory LicenseApi with fault injection: lost responses, lost requests, throttling,
//! refusals, targets changed behind the executor's back, slow group processing.
use licswap_core::apply::{ApiError, GroupProcessing, LicenseApi, TargetState};
use licswap_core::model::{
    AssignLicenseBody, AssignedLicense, Group, LicenseAssignmentState, LicenseState, User,
};
use licswap_core::plan::Snapshot;
use licswap_core::plan::{Subject, TargetKind};
use std::cell::{Cell, RefCell};
use std::collections::{BTreeMap, HashMap, HashSet};
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};

/// Returns Pending once, so concurrent batches really interleave.
struct YieldNow(bool);
impl Future for YieldNow {
    type Output = ();
    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        if self.0 {
            Poll::Ready(())
        } else {
            self.0 = true;
            cx.waker().wake_by_ref();
            Poll::Pending
        }
    }
}

#[derive(Default)]
pub struct FakeGraph {
    pub users: RefCell<BTreeMap<String, User>>,
    pub groups: RefCell<BTreeMap<String, (Group, Vec<String>)>>,
    /// Target id of every assignLicense request that reached the tenant (applied or refused).
    pub assigned: RefCell<Vec<String>>,
    pub batch_sizes: RefCell<Vec<usize>>,
    pub read_calls: Cell<usize>,
    pub concurrent: Cell<usize>,
    pub max_concurrent: Cell<usize>,
    /// Applied, then the response is lost (once per id).
    pub lose_response: RefCell<HashSet<String>>,
    /// Not applied, and the response is lost (once per id).
    pub lose_request: RefCell<HashSet<String>>,
    /// Throttled this many more times (id -> n).
    pub throttle: RefCell<HashMap<String, u32>>,
    /// The next n read_targets calls fail as throttled.
    pub throttle_reads: Cell<u32>,
    /// Refused with (status, code, message).
    pub refuse: RefCell<HashMap<String, (u16, String, String)>>,
    /// Applied, but the answer that arrives is Graph's refusal of a second copy of the call
    /// (a browser resent the POST after the first answer was lost), once per id.
    pub answer_a_repeat: RefCell<HashSet<String>>,
    /// Reads of these targets are refused with (status, code, message).
    pub refuse_reads: RefCell<HashMap<String, (u16, String, String)>>,
    /// Polls before a group's change reaches its members.
    pub group_delay_polls: Cell<u32>,
    pending_groups: RefCell<HashMap<String, u32>>,
    /// Members whose group assignment ends in this error.
    pub member_errors: RefCell<HashMap<String, String>>,
    pub group_polls: Cell<usize>,
    /// Run once after the n-th read_targets call (to change a target behind the executor's back).
    #[allow(clippy::type_complexity)]
    pub after_read: RefCell<Option<(usize, Box<dyn FnOnce(&FakeGraph)>)>>,
}

pub fn recompute(u: &mut User) {
    let mut assigned: Vec<AssignedLicense> = Vec::new();
    for s in &u.license_assignment_states {
        if !assigned.iter().any(|l| l.sku_id == s.sku_id) {
            assigned
                .push(AssignedLicense { sku_id: s.sku_id.clone(), disabled_plans: s.disabled_plans.clone() });
        }
    }
    u.assigned_licenses = assigned;
}

impl FakeGraph {
    pub fn from_snapshot(s: &Snapshot) -> Self {
        let g = FakeGraph::default();
        for u in &s.users {
            g.users.borrow_mut().insert(u.id.clone(), u.clone());
        }
        for sg in &s.groups {
            g.groups.borrow_mut().insert(sg.group.id.clone(), (sg.group.clone(), sg.member_ids.clone()));
        }
        g
    }

    pub fn user(&self, id: &str) -> User {
        self.users.borrow()[id].clone()
    }

    pub fn group(&self, id: &str) -> Group {
        self.groups.borrow()[id].0.clone()
    }

    pub fn sends_to(&self, id: &str) -> usize {
        self.assigned.borrow().iter().filter(|t| *t == id).count()
    }

    pub fn direct_skus(&self, id: &str) -> Vec<String> {
        self.user(id)
            .license_assignment_states
            .iter()
            .filter(|s| s.is_direct())
            .map(|s| s.sku_id.to_string())
            .collect()
    }

    /// Group processing that was delayed finishes at the next poll.
    pub fn pending_done(&self, group_id: &str) {
        if let Some(n) = self.pending_groups.borrow_mut().get_mut(group_id) {
            *n = 0;
        }
    }

    pub fn edit_user(&self, id: &str, f: impl FnOnce(&mut User)) {
        let mut users = self.users.borrow_mut();
        let u = users.get_mut(id).unwrap();
        f(u);
        recompute(u);
    }

    fn apply(&self, s: &Subject, body: &AssignLicenseBody) -> Result<(), ApiError> {
        match s.kind {
            TargetKind::User => {
                let mut users = self.users.borrow_mut();
                let u = users
                    .get_mut(&s.id)
                    .ok_or_else(|| ApiError::graph(404, "Request_ResourceNotFound", "no user"))?;
                u.license_assignment_states
                    .retain(|st| !(st.is_direct() && body.remove_licenses.iter().any(|r| r == &st.sku_id)));
                for add in &body.add_licenses {
                    u.license_assignment_states.retain(|st| !(st.is_direct() && st.sku_id == add.sku_id));
                    u.license_assignment_states.push(LicenseAssignmentState {
                        sku_id: add.sku_id.clone(),
                        assigned_by_group: None,
                        disabled_plans: add.disabled_plans.clone(),
                        error: Some("None".into()),
                        state: Some(LicenseState::Active),
                        last_updated_date_time: None,
                    });
                }
                recompute(u);
            }
            TargetKind::Group | TargetKind::Sku => {
                let mut groups = self.groups.borrow_mut();
                let (g, _) = groups
                    .get_mut(&s.id)
                    .ok_or_else(|| ApiError::graph(404, "Request_ResourceNotFound", "no group"))?;
                g.assigned_licenses.retain(|l| !body.remove_licenses.iter().any(|r| *r == l.sku_id));
                for add in &body.add_licenses {
                    g.assigned_licenses.retain(|l| l.sku_id != add.sku_id);
                    g.assigned_licenses.push(add.clone());
                }
                self.pending_groups.borrow_mut().insert(s.id.clone(), self.group_delay_polls.get());
            }
        }
        Ok(())
    }

    fn read_one(&self, t: &Subject) -> Result<TargetState, ApiError> {
        let missing = || ApiError::graph(404, "Request_ResourceNotFound", "Resource does not exist");
        match t.kind {
            TargetKind::User => self.users.borrow().get(&t.id).cloned().map(TargetState::User).ok_or_else(missing),
            _ => self.groups.borrow().get(&t.id).map(|(g, _)| TargetState::Group(g.clone())).ok_or_else(missing),
        }
    }

    /// Group licensing reaches the members: their inherited states follow the group's licenses.
    fn process_group(&self, group_id: &str) {
        let (group, members) = self.groups.borrow()[group_id].clone();
        let mut users = self.users.borrow_mut();
        for m in &members {
            let Some(u) = users.get_mut(m) else { continue };
            u.license_assignment_states.retain(|s| s.assigned_by_group.as_deref() != Some(group_id));
            for l in &group.assigned_licenses {
                let err = self.member_errors.borrow().get(m).cloned();
                u.license_assignment_states.push(LicenseAssignmentState {
                    sku_id: l.sku_id.clone(),
                    assigned_by_group: Some(group_id.into()),
                    disabled_plans: l.disabled_plans.clone(),
                    state: Some(if err.is_some() { LicenseState::Error } else { LicenseState::Active }),
                    error: Some(err.as_deref().unwrap_or("None").into()),
                    last_updated_date_time: None,
                });
            }
            recompute(u);
        }
    }
}

impl LicenseApi for FakeGraph {
    async fn read_targets(&self, targets: &[Subject]) -> Vec<Result<TargetState, ApiError>> {
        YieldNow(false).await;
        self.read_calls.set(self.read_calls.get() + 1);
        let hook = {
            let mut slot = self.after_read.borrow_mut();
            match slot.take() {
                Some((n, f)) if n == self.read_calls.get() => Some(f),
                other => {
                    *slot = other;
                    None
                }
            }
        };
        if self.throttle_reads.get() > 0 {
            self.throttle_reads.set(self.throttle_reads.get() - 1);
            return targets
                .iter()
                .map(|_| Err(ApiError::transient(Some(429), "TooManyRequests", "slow down")))
                .collect();
        }
        let out = targets
            .iter()
            .map(|t| {
                if let Some((status, code, msg)) = self.refuse_reads.borrow().get(&t.id) {
                    return Err(ApiError::graph(*status, code.clone(), msg.clone()));
                }
                self.read_one(t)
            })
            .collect();
        if let Some(f) = hook {
            f(self);
        }
        out
    }

    async fn assign(&self, batch: &[(Subject, AssignLicenseBody)]) -> Vec<Result<(), ApiError>> {
        self.concurrent.set(self.concurrent.get() + 1);
        self.max_concurrent.set(self.max_concurrent.get().max(self.concurrent.get()));
        self.batch_sizes.borrow_mut().push(batch.len());
        YieldNow(false).await;
        let mut out = Vec::new();
        for (s, body) in batch {
            if let Some(n) = self.throttle.borrow_mut().get_mut(&s.id).filter(|n| **n > 0) {
                *n -= 1;
                out.push(Err(ApiError::transient(Some(429), "TooManyRequests", "throttled")));
                continue;
            }
            if self.lose_request.borrow_mut().remove(&s.id) {
                out.push(Err(ApiError::response_lost("timeout")));
                continue;
            }
            self.assigned.borrow_mut().push(s.id.clone());
            if let Some((status, code, msg)) = self.refuse.borrow().get(&s.id) {
                out.push(Err(ApiError::graph(*status, code.clone(), msg.clone())));
                continue;
            }
            let r = self.apply(s, body);
            if r.is_ok() && self.answer_a_repeat.borrow_mut().remove(&s.id) {
                self.assigned.borrow_mut().push(s.id.clone());
                let msg = "User does not have a corresponding license.";
                out.push(Err(ApiError::graph(400, "Request_BadRequest", msg)));
                continue;
            }
            if r.is_ok() && self.lose_response.borrow_mut().remove(&s.id) {
                out.push(Err(ApiError::response_lost("connection reset")));
                continue;
            }
            out.push(r);
        }
        self.concurrent.set(self.concurrent.get() - 1);
        out
    }

    async fn read_group_processing(&self, group_id: &str) -> Result<GroupProcessing, ApiError> {
        self.group_polls.set(self.group_polls.get() + 1);
        let left = self.pending_groups.borrow().get(group_id).copied();
        match left {
            Some(0) => {
                self.pending_groups.borrow_mut().remove(group_id);
                self.process_group(group_id);
            }
            Some(n) => {
                self.pending_groups.borrow_mut().insert(group_id.into(), n - 1);
            }
            None => {}
        }
        let processed = !self.pending_groups.borrow().contains_key(group_id);
        let members = self.groups.borrow().get(group_id).map(|(_, m)| m.clone()).unwrap_or_default();
        let users = self.users.borrow();
        Ok(GroupProcessing {
            members: members.iter().filter_map(|m| users.get(m).cloned()).collect(),
            members_with_license_errors: members
                .iter()
                .filter(|m| processed && self.member_errors.borrow().contains_key(*m))
                .cloned()
                .collect(),
            note: None,
        })
    }
}
