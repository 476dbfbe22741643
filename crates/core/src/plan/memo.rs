//! Users with the same evaluation inputs get the same outcome: the same action, coverage profile
//! and findings, but for the user named in the findings' wording. A tenant has a few hundred
//! distinct combinations of licenses, disabled plans, groups and flags, so the planner evaluates
//! each combination once and only words the findings per user.
use super::evaluate::{Ctx, Eval, Verdict};
use super::fastmap::FastMap;
use super::resolve::{Decoded, Via};
use super::types::Finding;
use super::user_findings as uf;
use crate::graph::model::User;

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
    AlreadyHasTarget,
    DisabledPlansKept(Vec<String>),
}

/// What the evaluation of one combination of inputs found.
pub(crate) struct Outcome {
    pub verdict: Verdict,
    pub recs: Vec<Rec>,
    /// In-scope groups whose swap changes the user.
    pub swapping: Vec<u32>,
}

pub(crate) type Memo = FastMap<Vec<u64>, Outcome>;

/// Everything [`super::evaluate`] reads about a user, but the wording: flags, the in-scope groups
/// the user is a member of, and each license's SKU, origin (group by index; a group the snapshot
/// does not have is out of scope whatever its id) and disabled plans. Error states only add
/// findings, worded from the user ([`Rec::ExistingErrors`]).
#[cfg_attr(licswap_speed, optimize(speed))]
pub(crate) fn key(
    out: &mut Vec<u64>,
    words: usize,
    user: &User,
    dec: &Decoded<'_>,
    member_of: &[u32],
    no_direct: bool,
) {
    out.clear();
    let no_location =
        user.usage_location.as_deref().is_none_or(|l| l.bytes().all(|b| b.is_ascii_whitespace()));
    let disabled_account = user.account_enabled == Some(false);
    let errors = dec.asgs.iter().any(|a| a.error.is_some());
    let flags = u64::from(no_direct)
        | u64::from(no_location) << 1
        | u64::from(disabled_account) << 2
        | u64::from(errors) << 3
        | (dec.asgs.len() as u64) << 8
        | (member_of.len() as u64) << 32;
    out.push(flags);
    out.extend(member_of.iter().map(|&g| u64::from(g)));
    for a in &dec.asgs {
        let sku = a.sku.map_or(0, |k| k as u64 + 1);
        let via = match a.via {
            Via::Direct => 0,
            Via::Group(None, _) => 1,
            Via::Group(Some(g), _) => u64::from(g) + 2,
        };
        out.push(sku | via << 32);
        out.extend_from_slice(dec.disabled_of(a, words));
    }
}

impl Outcome {
    /// The outcome for `user`, with findings worded for them.
    #[cfg_attr(licswap_speed, optimize(speed))]
    pub fn eval(&self, cx: &Ctx<'_, '_>, user: &User, dec: &Decoded<'_>) -> Eval {
        let t = cx.t;
        let mut findings: Vec<Finding> = Vec::new();
        for a in dec.asgs.iter().filter(|a| a.sku == Some(cx.src)) {
            if let Via::Group(g, id) = a.via {
                if !g.is_some_and(|g| cx.groups[g as usize].in_scope) {
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
                    for a in &dec.asgs {
                        if let Some(err) = a.error {
                            let sku = a.sku.map_or("an unknown SKU", |k| t.skus[k].label());
                            findings.push(uf::existing_error(user, sku, err));
                        }
                    }
                    continue;
                }
                Rec::SeveralGroups(n) => uf::several_groups(cx, user, *n),
                Rec::DirectAndInherited(how) => uf::direct_and_inherited(cx, user, how),
                Rec::AlreadyHasTarget => uf::already_has_target(cx, user),
                Rec::DisabledPlansKept(v) => uf::disabled_plans_kept(cx, user, v.clone()),
            });
        }
        Eval { verdict: self.verdict, findings, via_groups: !self.swapping.is_empty() }
    }
}
