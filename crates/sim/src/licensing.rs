//! License assignment with Graph's semantics: `assignLicense` on a user (atomic add + remove,
//! validated synchronously) and on a group (accepted, then applied to members in the background
//! by group-based licensing, which records per-member errors instead of failing the call).
//!
//! Sources:
//! - user assignLicense: <https://learn.microsoft.com/en-us/graph/api/user-assignlicense?view=graph-rest-1.0>
//! - group assignLicense (202 Accepted): <https://learn.microsoft.com/en-us/graph/api/group-assignlicense?view=graph-rest-1.0>
//! - several licenses each way in one call (a bundle swap: Office 365 E3 + EMS -> Microsoft 365
//!   E3): `addLicenses` and `removeLicenses` are collections (user-assignlicense above), and "the
//!   license assignment removals and new assignments are made simultaneously so that users do not
//!   lose access to their services during license changes or see license conflicts between plans"
//!   (<https://learn.microsoft.com/en-us/entra/identity/users/licensing-groups-change-licenses>).
//!   The assignLicense page does not say what happens when one license of the call cannot be
//!   assigned; the simulator refuses the whole call (all or nothing), checks seats per SKU added,
//!   and judges conflicts and dependencies on the state the whole call leaves
//!   (tests/assign_bundle.rs).
//! - member error states and when they occur:
//!   <https://learn.microsoft.com/en-us/entra/identity/users/licensing-groups-resolve-problems>
//!
//! Every refusal is 400 `Request_BadRequest`, as Graph answers them. Graph does not document its
//! message texts: the usage-location one is Graph's verbatim (as reported by Graph users, e.g.
//! Okta's KB "License assignment cannot be done for user with invalid usage location" and
//! <https://github.com/KelvinTegelaar/CIPP/issues/783>); the others follow Graph's and the admin
//! center's wording as closely as known. Clients must key on status and code, never on messages.
use crate::config::GroupTiming;
use crate::tenant::{
    EntryState, GroupIx, GroupJob, GroupLic, LicError, PlanIx, Processing, SkuIx, StoredLicense, Tenant,
    UserIx,
};
use crate::wire::GraphErrorReply;
use licswap_core::model::{AssignLicenseBody, AssignedLicense};

/// One change to a user's licenses: what they held and had enabled before and after.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HistoryEntry {
    pub at_ms: u64,
    pub user: UserIx,
    pub skus_before: Vec<SkuIx>,
    pub skus_after: Vec<SkuIx>,
    pub plans_before: Vec<PlanIx>,
    pub plans_after: Vec<PlanIx>,
}

/// Apply `f` to a user, keeping consumed units current and recording the change.
pub(crate) fn change_user(t: &mut Tenant, u: UserIx, now: u64, f: impl FnOnce(&mut crate::tenant::UserRec)) {
    let skus_before = t.consumed_skus(u);
    let plans_before = if t.record_history { t.enabled_plans(u) } else { Vec::new() };
    t.remember_user(u, now);
    f(&mut t.users[u as usize]);
    let skus_after = t.consumed_skus(u);
    for &s in skus_before.iter().filter(|s| !skus_after.contains(s)) {
        t.remember_consumed(s, now);
        t.skus[s as usize].consumed -= 1;
    }
    for &s in skus_after.iter().filter(|s| !skus_before.contains(s)) {
        t.remember_consumed(s, now);
        t.skus[s as usize].consumed += 1;
    }
    if t.record_history {
        let plans_after = t.enabled_plans(u);
        if plans_after != plans_before || skus_after != skus_before {
            t.history.push(HistoryEntry {
                at_ms: now,
                user: u,
                skus_before,
                skus_after,
                plans_before,
                plans_after,
            });
        }
    }
}

fn unknown_sku(id: &str) -> GraphErrorReply {
    // Graph's message for a skuId the tenant has no subscription to.
    GraphErrorReply::bad_request(format!("License {id} does not correspond to a valid company License."))
}

/// Resolve `addLicenses` to tenant SKUs and plan indexes; a disabled plan must be one of the SKU's.
fn resolve_adds(t: &Tenant, adds: &[AssignedLicense]) -> Result<Vec<StoredLicense>, GraphErrorReply> {
    let mut out: Vec<StoredLicense> = Vec::new();
    for a in adds {
        let sku = t.skus.iter().position(|s| s.sku_id.eq_ignore_ascii_case(a.sku_id.trim()));
        let sku = sku.ok_or_else(|| unknown_sku(&a.sku_id))? as SkuIx;
        let mut disabled = Vec::new();
        for d in &a.disabled_plans {
            let p = t.plans.by_id(d).filter(|p| t.skus[sku as usize].plans.contains(p));
            let p = p.ok_or_else(|| {
                GraphErrorReply::bad_request(format!(
                    "Service plan {d} is not part of the license {}.",
                    a.sku_id
                ))
            })?;
            disabled.push(p);
        }
        disabled.sort_unstable();
        disabled.dedup();
        if out.iter().any(|l| l.sku == sku) {
            return Err(GraphErrorReply::bad_request(format!(
                "License {} is specified more than once.",
                a.sku_id
            )));
        }
        out.push(StoredLicense { sku, disabled });
    }
    Ok(out)
}

fn resolve_removes(t: &Tenant, removes: &[String]) -> Result<Vec<SkuIx>, GraphErrorReply> {
    removes
        .iter()
        .map(|r| {
            t.skus
                .iter()
                .position(|s| s.sku_id.eq_ignore_ascii_case(r.trim()))
                .map(|i| i as SkuIx)
                .ok_or_else(|| unknown_sku(r))
        })
        .collect()
}

/// First mutually exclusive pair in `after` that is new (at least one side not in `before`).
fn new_conflict(t: &Tenant, before: &[PlanIx], after: &[PlanIx]) -> Option<(PlanIx, PlanIx)> {
    for &p in after {
        for &x in &t.plans.exclusions[p as usize] {
            if after.binary_search(&x).is_ok()
                && (before.binary_search(&p).is_err() || before.binary_search(&x).is_err())
            {
                return Some((p, x));
            }
        }
    }
    None
}

/// First plan in `after` whose dependency is unmet and was met before (or which is new).
fn new_unmet_dependency(t: &Tenant, before: &[PlanIx], after: &[PlanIx]) -> Option<PlanIx> {
    let met =
        |set: &[PlanIx], p: PlanIx| t.plans.requires[p as usize].iter().any(|r| set.binary_search(r).is_ok());
    after.iter().copied().find(|&p| {
        t.plans.has_requirement(p) && !met(after, p) && (before.binary_search(&p).is_err() || met(before, p))
    })
}

fn names(t: &Tenant, plans: &[PlanIx]) -> String {
    plans.iter().map(|&p| t.plans.names[p as usize].as_str()).collect::<Vec<_>>().join(",")
}

/// `POST /users/{id}/assignLicense`: all of the call's additions and removals apply together, or
/// none does.
pub fn assign_user(
    t: &mut Tenant,
    u: UserIx,
    body: &AssignLicenseBody,
    now: u64,
) -> Result<(), GraphErrorReply> {
    let adds = resolve_adds(t, &body.add_licenses)?;
    let removes = resolve_removes(t, &body.remove_licenses)?;
    let user = &t.users[u as usize];
    for (&r, id) in removes.iter().zip(&body.remove_licenses) {
        if adds.iter().any(|a| a.sku == r) {
            return Err(GraphErrorReply::bad_request(format!(
                "License {id} cannot be both added and removed."
            )));
        }
        if !user.direct.iter().any(|l| l.sku == r) {
            if user.inherited.iter().any(|g| g.lic.sku == r) {
                // Inherited licenses can only change through the group.
                return Err(GraphErrorReply::bad_request(
                    "User license is inherited from a group membership and it cannot be removed directly from the user.",
                ));
            }
            return Err(GraphErrorReply::bad_request("User does not have a corresponding license."));
        }
    }
    if !adds.is_empty() && user.usage_location.as_deref().is_none_or(|l| l.trim().is_empty()) {
        // A usage location is required before any license can be assigned directly.
        return Err(GraphErrorReply::bad_request(
            "License assignment cannot be done for user with invalid usage location.",
        ));
    }
    let mut direct: Vec<StoredLicense> =
        user.direct.iter().filter(|l| !removes.contains(&l.sku)).cloned().collect();
    for a in &adds {
        match direct.iter_mut().find(|l| l.sku == a.sku) {
            Some(l) => l.disabled = a.disabled.clone(),
            None => direct.push(a.clone()),
        }
    }
    let before_skus = t.consumed_skus(u);
    for a in &adds {
        if !before_skus.contains(&a.sku) && t.available(a.sku) <= 0 {
            return Err(GraphErrorReply::bad_request(format!(
                "Subscription with SKU {} does not have any available licenses.",
                t.skus[a.sku as usize].sku_id
            )));
        }
    }
    let before = t.enabled_plans(u);
    let inherited_ok = user.inherited.iter().filter(|g| g.error.is_none()).map(|g| &g.lic);
    let after = t.plans_of(direct.iter().chain(inherited_ok));
    if let Some((a, b)) = new_conflict(t, &before, &after) {
        return Err(GraphErrorReply::bad_request(format!(
            "License assignment failed because service plans {} are mutually exclusive.",
            names(t, &[a, b])
        )));
    }
    if let Some(p) = new_unmet_dependency(t, &before, &after) {
        return Err(GraphErrorReply::bad_request(format!(
            "License assignment failed because service plan {} depends on the service plan(s) {}.",
            t.plans.names[p as usize],
            names(t, &t.plans.requires[p as usize])
        )));
    }
    // A member's group licenses in error stay so even when this change removed the cause (the
    // conflicting direct license, the seat): Entra processes them again only when the group is
    // processed or someone reprocesses ("you need to trigger the processing of groups that
    // previously failed", licensing-groups-resolve-problems).
    change_user(t, u, now, |user| {
        user.direct = direct;
        user.direct_updated_ms = now;
    });
    if t.heal_errors_on_change {
        retry_errors(t, u, now, None);
    }
    Ok(())
}

/// The simulator's former, kinder behaviour (`Tenant::heal_errors_on_change`, default on because
/// existing journeys count on it; Entra does not do this): re-evaluate a user's group licenses in
/// error whenever the user's licenses change, or another group's processing changed them.
fn retry_errors(t: &mut Tenant, u: UserIx, now: u64, except: Option<GroupIx>) {
    let mut failed: Vec<GroupIx> = t.users[u as usize]
        .inherited
        .iter()
        .filter(|x| x.error.is_some() && Some(x.group) != except)
        .map(|x| x.group)
        .collect();
    failed.dedup();
    for g in failed {
        reconcile_member(t, g, u, now);
    }
}

/// `POST /users/{id}/reprocessLicenseAssignment`: re-evaluate every group license of the user
/// (<https://learn.microsoft.com/en-us/graph/api/user-reprocesslicenseassignment>), the way to
/// clear an error whose cause is gone.
pub fn reprocess_user(t: &mut Tenant, u: UserIx, now: u64) {
    let groups = t.users[u as usize].groups.clone();
    for g in groups {
        reconcile_member(t, g, u, now);
    }
}

/// `POST /groups/{id}/assignLicense`: validates the group's own licenses, records them, and
/// queues processing of every member (the call answers 202 Accepted).
pub fn assign_group(
    t: &mut Tenant,
    g: GroupIx,
    body: &AssignLicenseBody,
    now: u64,
    timing: GroupTiming,
) -> Result<(), GraphErrorReply> {
    if !t.groups[g as usize].security_enabled {
        // Group-based licensing needs a security group or a security-enabled Microsoft 365 group
        // (https://learn.microsoft.com/en-us/entra/fundamentals/concept-group-based-licensing).
        return Err(GraphErrorReply::bad_request(
            "License assignment is only supported on security-enabled groups.",
        ));
    }
    let adds = resolve_adds(t, &body.add_licenses)?;
    let removes = resolve_removes(t, &body.remove_licenses)?;
    let group = &t.groups[g as usize];
    for (&r, id) in removes.iter().zip(&body.remove_licenses) {
        if !group.licenses.iter().any(|l| l.sku == r) {
            return Err(GraphErrorReply::bad_request(format!("License {id} is not assigned to the group.")));
        }
    }
    let mut licenses: Vec<StoredLicense> =
        group.licenses.iter().filter(|l| !removes.contains(&l.sku)).cloned().collect();
    for a in &adds {
        match licenses.iter_mut().find(|l| l.sku == a.sku) {
            Some(l) => l.disabled = a.disabled.clone(),
            None => licenses.push(a.clone()),
        }
    }
    let plans = t.plans_of(licenses.iter());
    if let Some((a, b)) = new_conflict(t, &[], &plans) {
        return Err(GraphErrorReply::bad_request(format!(
            "License assignment failed because service plans {} are mutually exclusive.",
            names(t, &[a, b])
        )));
    }
    // An add-on's prerequisite must be in the same group, when adding the add-on and when
    // removing the prerequisite (licensing-groups-resolve-problems, "License assignment fails
    // because of a missing dependency": "License operation failed. Make sure that the group has
    // necessary services before adding or removing a dependent service. The service Microsoft
    // Workplace Analytics requires Exchange Online (Plan 2) to be enabled as well.").
    if let Some(p) = plans.iter().copied().find(|&p| {
        t.plans.has_requirement(p)
            && !t.plans.requires[p as usize].iter().any(|r| plans.binary_search(r).is_ok())
    }) {
        let needs = t.plans.requires[p as usize]
            .first()
            .map_or("its prerequisite", |&r| t.plans.names[r as usize].as_str());
        return Err(GraphErrorReply::bad_request(format!(
            "License operation failed. Make sure that the group has necessary services before adding or removing a dependent service. The service {} requires {} to be enabled as well.",
            t.plans.names[p as usize], needs
        )));
    }
    t.remember_group(g, now);
    t.groups[g as usize].licenses = licenses;
    queue_group(t, g, now, timing);
    Ok(())
}

/// Queue (or re-queue) background processing of a group, timed by `timing`.
pub fn queue_group(t: &mut Tenant, g: GroupIx, now: u64, timing: GroupTiming) {
    t.jobs.retain(|j| j.group != g);
    let members = t.groups[g as usize].members.len() as u64;
    let (start_ms, due_ms) = match timing.pace {
        None => (now.saturating_add(timing.fixed_ms / 4), now.saturating_add(timing.fixed_ms)),
        Some(p) => {
            // One group after another per tenant (a modelling choice: Microsoft does not say
            // whether groups are processed in parallel), so a busy tenant waits longer.
            let free = t.jobs.iter().map(|j| j.due_ms).max().unwrap_or(now).max(now);
            let start = free.saturating_add(p.scaled(p.queue_ms));
            (start, start.saturating_add(p.scaled(p.per_member_ms.saturating_mul(members))))
        }
    };
    t.jobs.push(GroupJob { group: g, queued_ms: now, start_ms, due_ms, done: 0 });
    set_processing(t, g, Processing::Queued, now);
}

/// A group's `licenseProcessingState`, remembered for lagging reads when it changes.
fn set_processing(t: &mut Tenant, g: GroupIx, p: Processing, now: u64) {
    if t.groups[g as usize].processing != p {
        t.remember_group(g, now);
        t.groups[g as usize].processing = p;
    }
}

/// Move group jobs forward to `now`. A job waits in the queue until its start, then processes
/// its members at an even pace, so members' states change one by one while the group shows
/// ProcessingInProgress, and all are done at the due time.
pub fn advance(t: &mut Tenant, now: u64) {
    if t.jobs.is_empty() {
        return;
    }
    let mut jobs = std::mem::take(&mut t.jobs);
    jobs.sort_by_key(|j| j.due_ms);
    for job in &mut jobs {
        let g = job.group;
        let n = t.groups[g as usize].members.len();
        let start = job.start_ms.min(job.due_ms);
        let target = if now >= job.due_ms {
            n
        } else if now <= start {
            0
        } else {
            (n as u128 * (now - start) as u128 / (job.due_ms - start) as u128) as usize
        };
        let at = now.min(job.due_ms);
        while job.done < target.min(n) {
            let u = t.groups[g as usize].members[job.done];
            if reconcile_member(t, g, u, at) && t.heal_errors_on_change {
                retry_errors(t, u, at, Some(g));
            }
            job.done += 1;
        }
        if now >= job.due_ms {
            finish_group(t, g, job.due_ms);
        } else if job.done > 0 || now >= start + (job.due_ms - start) / 2 {
            set_processing(t, g, Processing::InProgress, at);
        }
    }
    jobs.retain(|j| j.due_ms > now);
    // Jobs queued while these ran (none today) stay queued too.
    jobs.append(&mut t.jobs);
    t.jobs = jobs;
}

/// Apply a group's licenses to each member now (fixtures use this to start settled).
pub fn process_group(t: &mut Tenant, g: GroupIx, now: u64) {
    let members = t.groups[g as usize].members.clone();
    for u in members {
        if reconcile_member(t, g, u, now) && t.heal_errors_on_change {
            retry_errors(t, u, now, Some(g));
        }
    }
    finish_group(t, g, now);
}

/// Members who left lose the group's licenses; the group's processing is complete.
fn finish_group(t: &mut Tenant, g: GroupIx, now: u64) {
    for u in std::mem::take(&mut t.groups[g as usize].departed) {
        if !t.groups[g as usize].members.contains(&u) {
            change_user(t, u, now, |user| user.inherited.retain(|x| x.group != g));
            if t.heal_errors_on_change {
                retry_errors(t, u, now, None);
            }
        }
    }
    set_processing(t, g, Processing::Complete, now);
}

/// Bring one member's licenses from group `g` in line with the group's: all of them, or, if any
/// cannot be assigned, none. Returns whether anything changed.
fn reconcile_member(t: &mut Tenant, g: GroupIx, u: UserIx, now: u64) -> bool {
    let wanted = t.groups[g as usize].licenses.clone();
    let user = &t.users[u as usize];
    let old: Vec<GroupLic> = user.inherited.iter().filter(|x| x.group == g).cloned().collect();
    let others: Vec<StoredLicense> = user
        .direct
        .iter()
        .cloned()
        .chain(user.inherited.iter().filter(|x| x.group != g && x.error.is_none()).map(|x| x.lic.clone()))
        .collect();
    let location = user.usage_location.clone();
    let duplicate_proxy = user.duplicate_proxy_address;
    let mut next: Vec<GroupLic> = Vec::new();
    for lic in wanted {
        if let Some(o) = old.iter().find(|o| o.lic == lic && o.error.is_none()) {
            next.push(o.clone());
            continue;
        }
        let ok_here: Vec<&StoredLicense> =
            others.iter().chain(next.iter().filter(|n| n.error.is_none()).map(|n| &n.lic)).collect();
        let holds_seat = ok_here.iter().any(|l| l.sku == lic.sku)
            || old.iter().any(|o| o.lic.sku == lic.sku && o.error.is_none());
        let error = if !holds_seat && t.available(lic.sku) <= 0 {
            Some(LicError::CountViolation)
        } else if prohibited(t, &lic, location.as_deref()) {
            Some(LicError::ProhibitedInUsageLocationViolation)
        } else if duplicate_proxy && has_exchange(t, &lic) {
            Some(LicError::UniquenessViolation)
        } else {
            let after = t.plans_of(ok_here.iter().copied().chain(std::iter::once(&lic)));
            let own = t.plans_of(std::iter::once(&lic));
            let base = t.plans_of(ok_here.iter().copied());
            if new_conflict(t, &base, &after).is_some_and(|(a, b)| own.contains(&a) || own.contains(&b)) {
                Some(LicError::MutuallyExclusiveViolation)
            } else if own.iter().any(|&p| {
                t.plans.has_requirement(p)
                    && !t.plans.requires[p as usize].iter().any(|r| after.binary_search(r).is_ok())
            }) {
                Some(LicError::DependencyViolation)
            } else {
                None
            }
        };
        next.push(GroupLic { group: g, lic, error, updated_ms: now, shown: None });
    }
    // All or nothing: "If Microsoft Entra ID can't assign one of the products because of business
    // logic problems, it won't assign the other licenses in the group either"
    // (licensing-groups-resolve-problems). Which code the other products' entries carry is not
    // documented; they carry the first failure's.
    if let Some(first) = next.iter().find_map(|n| n.error) {
        for n in &mut next {
            n.error.get_or_insert(first);
        }
    }
    for n in &mut next {
        if let Some(o) = old.iter().find(|o| o.lic == n.lic && o.error == n.error) {
            n.updated_ms = o.updated_ms;
        }
    }
    if next == old {
        return false;
    }
    change_user(t, u, now, |user| {
        user.inherited.retain(|x| x.group != g);
        user.inherited.extend(next);
    });
    true
}

/// Does `lic` enable an Exchange Online plan (whose mailbox needs unique proxy addresses)?
fn has_exchange(t: &Tenant, lic: &StoredLicense) -> bool {
    t.skus[lic.sku as usize]
        .plans
        .iter()
        .any(|&p| !lic.disabled.contains(&p) && t.plans.names[p as usize].starts_with("EXCHANGE_S_"))
}

/// Show user `u`'s entries from group `g` as `state` (licenseassignmentstate's ActiveWithError
/// and Disabled, for clients to be tested against); processing the member again clears it.
pub fn show_entry_state(t: &mut Tenant, u: UserIx, g: GroupIx, state: EntryState, now: u64) {
    change_user(t, u, now, |user| {
        for x in user.inherited.iter_mut().filter(|x| x.group == g) {
            x.shown = Some(state);
            x.error = match state {
                EntryState::ActiveWithError(_) => None,
                EntryState::Disabled => Some(LicError::Other),
            };
            x.updated_ms = now;
        }
    });
}

/// A LicenseAssignmentAttributeConcurrencyException: processing group `g` for member `u` collided
/// with another group assigning the same license to them. The entries fail with `Other`, and
/// Entra retries by itself (licensing-groups-resolve-problems,
/// "LicenseAssignmentAttributeConcurrencyException in audit logs": "Microsoft Entra ID retries
/// processing"); here the group is queued again.
pub fn concurrency_exception(t: &mut Tenant, u: UserIx, g: GroupIx, now: u64, timing: GroupTiming) {
    change_user(t, u, now, |user| {
        for x in user.inherited.iter_mut().filter(|x| x.group == g) {
            x.error = Some(LicError::Other);
            x.shown = None;
            x.updated_ms = now;
        }
    });
    queue_group(t, g, now, timing);
}

/// Is a service of `lic` not offered in the member's usage location? A member without one gets
/// the tenant's country, as group licensing does (licensing-groups-resolve-problems, "Usage
/// location isn't allowed").
fn prohibited(t: &Tenant, lic: &StoredLicense, location: Option<&str>) -> bool {
    let Some(loc) = location else { return false };
    let sku = &t.skus[lic.sku as usize];
    t.prohibited_locations.iter().any(|(what, country)| {
        country.eq_ignore_ascii_case(loc)
            && (sku.part_number.eq_ignore_ascii_case(what)
                || sku.plans.iter().any(|&p| {
                    !lic.disabled.contains(&p) && t.plans.names[p as usize].eq_ignore_ascii_case(what)
                }))
    })
}
