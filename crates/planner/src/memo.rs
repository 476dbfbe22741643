//! Users with the same evaluation inputs get the same outcome: the same action, coverage profile
//! and findings, but for the user named in the findings' wording. A tenant has a few hundred
//! distinct combinations of licenses, disabled plans, groups and flags, so the planner evaluates
//! each combination once and only words the findings per user.
use super::evaluate::{Eval, EvalInputs, Verdict};
use super::rows::{DecodedLicense, Via};
use super::user_findings as uf;
use licswap_core::plan::fastmap::FastMap;
use licswap_core::plan::Finding;

/// A user finding, without the user.
#[derive(Clone)]
pub(crate) enum Rec {
    UsageLocationBlocker,
    ServiceLoss(Vec<String>),
    ServiceLossWaived(Vec<String>),
    MutuallyExclusive(Vec<String>),
    DependentPlan(Vec<String>),
    UsageLocationWarning,
    AccountDisabled,
    /// One finding per license in an error state (read from the user: the error text is theirs).
    ExistingErrors,
    SeveralGroups(usize),
    DirectAndInherited(&'static str),
    /// The targets (bits by position) the user held before.
    AlreadyHasTarget(u32),
    DisabledPlansKept(Vec<String>),
    /// A bundle's sources (bits by position) the user holds: not all of them.
    PartialHolder(u32),
}

/// What the evaluation of one combination of inputs found.
pub(crate) struct Outcome {
    pub verdict: Verdict,
    pub recs: Vec<Rec>,
    /// In-scope groups whose swap changes the user.
    pub swapping: Vec<u32>,
}

pub(crate) type Memo = FastMap<Key, Outcome>;

/// A memo key ([`key`]): compared word by word. `Vec<u64>`'s own equality is a `memcmp`, which
/// the size-optimized wasm build runs a byte at a time (2 to 3 ms of a 100,000-user plan in the
/// page, for a hundred thousand lookups of a few words each).
#[derive(Default)]
pub(crate) struct Key(Vec<u64>);

impl std::hash::Hash for Key {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        self.0.hash(state);
    }
}

impl PartialEq for Key {
    fn eq(&self, other: &Self) -> bool {
        self.0.len() == other.0.len() && self.0.iter().zip(&other.0).all(|(a, b)| a == b)
    }
}

impl Eq for Key {}

/// Everything [`super::evaluate`] reads about a user, but the wording: flags, the in-scope groups
/// the user is a member of, and each license's SKU, origin (group by index; a group the snapshot
/// does not have is out of scope whatever its id) and disabled plans (an interned set: sets
/// spelled differently get different ids, which only costs a second evaluation). Error states
/// only add findings, worded from the user ([`Rec::ExistingErrors`]).
pub(crate) fn key(
    Key(out): &mut Key,
    flags: u8,
    lics: &[DecodedLicense],
    member_of: &[u32],
    no_direct: bool,
) {
    out.clear();
    let head = u64::from(no_direct)
        | u64::from(flags) << 1
        | (lics.len() as u64) << 16
        | (member_of.len() as u64) << 40;
    out.push(head);
    out.extend(member_of.iter().map(|&g| u64::from(g)));
    out.extend(lics.iter().map(|l| u64::from(l.sku) | u64::from(l.group) << 32));
    out.extend(lics.iter().map(|l| u64::from(l.disabled)));
}

impl Outcome {
    /// The outcome for `user`, with findings worded for them.
    pub fn eval(&self, cx: &EvalInputs<'_, '_>, ui: u32, lics: &[DecodedLicense]) -> Eval {
        let t = cx.t;
        let user = &t.users[ui as usize];
        // Room for one finding per record (errors may add more): a vector grown from empty
        // takes room for four at its first push, and most users with findings have one.
        let mut findings: Vec<Finding> = Vec::with_capacity(self.recs.len());
        for a in lics.iter().filter(|a| a.sku().is_some_and(|k| cx.sides.src(k).is_some())) {
            if let Via::Group(g) = a.via() {
                if !g.is_some_and(|g| cx.groups[g as usize].in_scope) {
                    // Only licenseAssignmentStates name groups.
                    let s = &user.license_assignment_states[a.at as usize];
                    let id = s.assigned_by_group.as_deref().unwrap_or_default();
                    let name = g.map_or(id, |g| t.groups[g as usize].label());
                    findings.push(uf::inherited_not_direct(cx, user, name, id));
                }
            }
        }
        for r in &self.recs {
            findings.push(match r {
                Rec::UsageLocationBlocker => uf::usage_location_blocker(user),
                Rec::ServiceLoss(v) => uf::service_loss(cx, user, v.clone()),
                Rec::ServiceLossWaived(v) => uf::service_loss_waived(user, v.clone()),
                Rec::MutuallyExclusive(v) => uf::mutually_exclusive(cx, user, v.clone()),
                Rec::DependentPlan(v) => uf::dependent_plan(cx, user, v.clone()),
                Rec::UsageLocationWarning => uf::usage_location_warning(user),
                Rec::AccountDisabled => uf::account_disabled(cx, user),
                Rec::ExistingErrors => {
                    // Only licenseAssignmentStates carry errors (rows read from them).
                    let states = &user.license_assignment_states;
                    for a in lics.iter().filter(|a| a.error) {
                        if let Some(err) = states[a.at as usize].error_code() {
                            let sku = a.sku().map_or("an unknown SKU", |k| t.skus[k].label());
                            findings.push(uf::existing_error(user, sku, err));
                        }
                    }
                    continue;
                }
                Rec::SeveralGroups(n) => uf::several_groups(cx, user, *n),
                Rec::DirectAndInherited(how) => uf::direct_and_inherited(cx, user, how),
                Rec::AlreadyHasTarget(m) => uf::already_has_target(cx, user, *m),
                Rec::PartialHolder(m) => uf::partial_holder(cx, user, *m),
                Rec::DisabledPlansKept(v) => uf::disabled_plans_kept(cx, user, v.clone()),
            });
        }
        Eval { verdict: self.verdict, findings, via_groups: !self.swapping.is_empty() }
    }
}
