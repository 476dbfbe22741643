//! Seats before a group swap. Graph accepts a group's `assignLicense` at once; group licensing
//! then gives each member the target and takes the source away. A member left without a seat
//! gets the target in error (CountViolation) and keeps nothing of the source: a loss of service
//! (https://learn.microsoft.com/en-us/entra/identity/users/licensing-groups-resolve-problems,
//! "Not enough licenses"). A direct swap without a seat is refused whole by Graph, so only group
//! swaps are checked: before one is sent, the target's free seats must cover its members who do
//! not hold the target yet, every direct swap of the plan still to run, and the members of the
//! group swaps already sent that Entra has not processed yet (read again, so members already
//! processed, who show in the free count, are not counted twice). Direct swaps in flight may or
//! may not hold their seat yet: when only they make the difference, the group waits for them. The planner checked seats at preview time; this catches
//! seats that went elsewhere since.
use super::api::{ApiError, LicenseApi};
use super::journal::EntryState;
use super::run::Shared;
use super::store::JournalStore;
use crate::graph::http::Clock;
use crate::model::{same_id, User};
use crate::plan::{Action, TargetKind};
use std::collections::HashSet;

/// What to do with a group swap that is ready to send.
pub(super) enum SeatCheck {
    Send,
    /// Not enough seats: fail the action with this reason (retryable once seats are bought).
    Refuse(String),
    /// The seats or members could not be read now (the error, when Graph gave one): read back
    /// and decide again later.
    Later(Option<ApiError>),
}

/// Ids (lowercase) of the members who do not hold the target yet (or hold it in error).
fn lacking(members: &[User], target_sku: &str) -> HashSet<String> {
    members
        .iter()
        .filter(|m| {
            !m.license_assignment_states
                .iter()
                .any(|s| same_id(&s.sku_id, target_sku) && s.error_code().is_none())
        })
        .map(|m| m.id.to_ascii_lowercase())
        .collect()
}

fn adds_target(action: &Action, target_sku: &str) -> bool {
    action.body.add_licenses.iter().any(|l| same_id(&l.sku_id, target_sku))
}

impl<A: LicenseApi, C: Clock, S: JournalStore> Shared<'_, A, C, S> {
    /// A verdict for each of `ready` (indexes into the plan's actions) that is a group swap adding
    /// a target; actions not listed are sent as usual. A bundle's targets are checked one by one
    /// (each is a SKU of its own, with its own seats) and a group is sent only if every target
    /// says so.
    pub(super) async fn check_group_seats(&self, ready: &[usize]) -> Vec<(usize, SeatCheck)> {
        let mut out: Vec<(usize, SeatCheck)> = Vec::new();
        for target_sku in self.target_skus {
            for (i, verdict) in self.check_group_seats_of(ready, target_sku).await {
                match out.iter_mut().find(|(j, _)| *j == i) {
                    None => out.push((i, verdict)),
                    Some((_, v)) => {
                        // Refuse wins over later, later over send.
                        let rank = |v: &SeatCheck| match v {
                            SeatCheck::Send => 0,
                            SeatCheck::Later(_) => 1,
                            SeatCheck::Refuse(_) => 2,
                        };
                        if rank(&verdict) > rank(v) {
                            *v = verdict;
                        }
                    }
                }
            }
        }
        out
    }

    /// [`Self::check_group_seats`] for one target SKU: seats of groups allowed are reserved.
    async fn check_group_seats_of(&self, ready: &[usize], target_sku: &str) -> Vec<(usize, SeatCheck)> {
        let groups: Vec<usize> = ready
            .iter()
            .copied()
            .filter(|i| {
                let a = self.actions[*i];
                a.target.kind == TargetKind::Group && adds_target(a, target_sku)
            })
            .collect();
        if groups.is_empty() {
            return Vec::new();
        }
        let free = match self.api.free_seats(target_sku).await {
            Ok(Some(n)) => n,
            Ok(None) => return Vec::new(),
            Err(e) => return groups.into_iter().map(|i| (i, SeatCheck::Later(Some(e.clone())))).collect(),
        };
        // Seats are counted per user, not per action: a member of two swapped groups, or a
        // member whose direct source is swapped after the group's (phase 2), takes one seat.
        // Direct swaps adding the target that are not sent yet need one; those in flight may
        // already hold theirs (and then show in `free`), so they only make a verdict wait until
        // they are settled.
        let (mut taken, in_flight) = {
            let j = self.journal.borrow();
            let mut pending = HashSet::new();
            let mut in_flight = HashSet::new();
            let direct = self
                .actions
                .iter()
                .filter(|a| a.target.kind == TargetKind::User && adds_target(a, target_sku));
            for a in direct {
                match j.state(&a.id) {
                    Some(EntryState::Pending) => pending.insert(a.target.id.to_ascii_lowercase()),
                    Some(EntryState::InFlight { .. }) => in_flight.insert(a.target.id.to_ascii_lowercase()),
                    _ => false,
                };
            }
            (pending, in_flight)
        };
        let direct_pending = taken.len();
        // Group swaps already sent (this run or an earlier one) whose members Entra has not all
        // processed yet: each such member still takes a seat, which `free` does not show yet.
        let sent_groups: Vec<usize> = {
            let j = self.journal.borrow();
            (0..self.actions.len())
                .filter(|i| !groups.contains(i))
                .filter(|i| {
                    let a = self.actions[*i];
                    a.target.kind == TargetKind::Group
                        && adds_target(a, target_sku)
                        && matches!(j.state(&a.id), Some(EntryState::Done | EntryState::InFlight { .. }))
                })
                .collect()
        };
        for i in sent_groups {
            match self.api.read_group_processing(&self.actions[i].target.id).await {
                Ok(p) => taken.extend(lacking(&p.members, target_sku)),
                Err(e) => {
                    return groups.into_iter().map(|g| (g, SeatCheck::Later(Some(e.clone())))).collect()
                }
            }
        }
        let mut out = Vec::new();
        for i in groups {
            let action = self.actions[i];
            let members = match self.api.read_group_processing(&action.target.id).await {
                Ok(p) => p.members,
                Err(e) => {
                    out.push((i, SeatCheck::Later(Some(e))));
                    continue;
                }
            };
            let needing = lacking(&members, target_sku);
            let outstanding = taken.len();
            let mut with = taken.clone();
            with.extend(needing.iter().cloned());
            let with_in_flight = with.union(&in_flight).count() as i64;
            if free >= with_in_flight {
                taken = with;
                out.push((i, SeatCheck::Send));
            } else if free >= with.len() as i64 {
                out.push((i, SeatCheck::Later(None)));
            } else {
                out.push((
                    i,
                    SeatCheck::Refuse(format!(
                        "not enough seats of the target ({target_sku}) for this group: {} member(s) need one, {free} free, \
                         {outstanding} users already waiting for one ({direct_pending} through direct swaps \
                         still to run, the rest members of group swaps already sent); sending it would leave \
                         members without either license. Buy or free seats, then retry",
                        needing.len()
                    )),
                ));
            }
        }
        out
    }
}
