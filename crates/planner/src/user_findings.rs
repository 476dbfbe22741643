//! The findings about one user, one constructor per rule: wording and remedies in one place,
//! kept apart from the evaluation logic in `evaluate.rs`.
use super::evaluate::EvalInputs;
use super::findings::{finding, user_subject};
use licswap_core::model::User;
use licswap_core::plan::{Finding, FindingCode as C, Severity as S};

pub(crate) fn inherited_not_direct(cx: &EvalInputs<'_, '_>, user: &User, name: &str, id: &str) -> Finding {
    finding(
        C::InheritedNotDirect,
        S::Blocker,
        user_subject(user),
        format!(
            "{} inherits {} from group {name} ({id}), which is not in scope: a license inherited \
             from a group cannot be changed on the user",
            user.label(),
            cx.sides.src_label
        ),
        format!("swap the license on group {name}, or add {name} to the scope"),
        Vec::new(),
    )
}

pub(crate) fn usage_location_blocker(user: &User) -> Finding {
    finding(
        C::UsageLocationMissing,
        S::Blocker,
        user_subject(user),
        format!(
            "{} has no usage location: Graph refuses a direct license assignment without one",
            user.label()
        ),
        "set the user's usageLocation (a two-letter country code), then plan again",
        Vec::new(),
    )
}

/// Plans by Microsoft's friendly name with the servicePlanName after it ("Exchange Online (Plan 2)
/// (EXCHANGE_S_ENTERPRISE)"), the name alone when the catalog does not know it.
fn plan_labels(names: &[String]) -> String {
    let label = |n: &String| match licswap_core::catalog::plan_by_name(n) {
        Some(p) if p.friendly != n.as_str() => format!("{} ({n})", p.friendly),
        _ => n.clone(),
    };
    names.iter().map(label).collect::<Vec<_>>().join(", ")
}

pub(crate) fn service_loss(cx: &EvalInputs<'_, '_>, user: &User, lost: Vec<String>) -> Finding {
    finding(
        C::ServiceLoss,
        S::Blocker,
        user_subject(user),
        format!(
            "{} would lose {} (enabled through {}; neither {} nor another license of the user \
             provides them)",
            user.label(),
            plan_labels(&lost),
            cx.sides.src_label,
            cx.sides.tgt_label
        ),
        "waive these plans (options.waivedPlans) if the loss is intended, keep or add a license \
         that provides them, or choose a target that includes them",
        lost,
    )
}

pub(crate) fn service_loss_waived(user: &User, waived: Vec<String>) -> Finding {
    finding(
        C::ServiceLossWaived,
        S::Warning,
        user_subject(user),
        format!("{} loses {} (waived by the request)", user.label(), plan_labels(&waived)),
        "none: the loss was accepted; remove the waiver to keep these services",
        waived,
    )
}

pub(crate) fn mutually_exclusive(cx: &EvalInputs<'_, '_>, user: &User, pairs: Vec<String>) -> Finding {
    finding(
        C::MutuallyExclusive,
        S::Blocker,
        user_subject(user),
        format!(
            "{}'s other licenses enable plans that cannot be enabled together with {}'s: {} \
             (Graph: MutuallyExclusiveViolation)",
            user.label(),
            cx.sides.tgt_label,
            pairs.join(", ")
        ),
        "disable the conflicting plan in the target's disabledPlans, or remove the other license",
        pairs,
    )
}

pub(crate) fn dependent_plan(cx: &EvalInputs<'_, '_>, user: &User, deps: Vec<String>) -> Finding {
    let needs: Vec<&str> =
        deps.iter().flat_map(|d| licswap_core::catalog::dependencies(d).iter().copied()).collect();
    finding(
        C::DependentPlan,
        S::Blocker,
        user_subject(user),
        format!(
            "{} has {} in another license, which needs {}; only {} provides it and {} does not \
             (Graph: DependencyViolation)",
            user.label(),
            deps.join(", "),
            needs.join(" or "),
            cx.sides.src_label,
            cx.sides.tgt_label
        ),
        "give the user a license that provides the required plan first, or remove the dependent \
         license",
        deps,
    )
}

pub(crate) fn usage_location_warning(user: &User) -> Finding {
    finding(
        C::UsageLocationMissing,
        S::Warning,
        user_subject(user),
        format!(
            "{} has no usage location; group licensing gives the user the directory's location, \
             and fails with ProhibitedInUsageLocationViolation where a service is not offered there",
            user.label()
        ),
        "set the user's usageLocation before the group swap",
        Vec::new(),
    )
}

pub(crate) fn account_disabled(cx: &EvalInputs<'_, '_>, user: &User) -> Finding {
    finding(
        C::AccountDisabled,
        S::Warning,
        user_subject(user),
        format!("{} is a disabled account and will consume a {} seat", user.label(), cx.sides.tgt_label),
        "consider removing the license from the disabled account instead of swapping it",
        Vec::new(),
    )
}

pub(crate) fn existing_error(user: &User, sku: &str, err: &str) -> Finding {
    finding(
        C::ExistingAssignmentError,
        S::Warning,
        user_subject(user),
        format!("{}'s license {sku} is in error state {err} already", user.label()),
        "resolve the error first (Entra admin center, Licenses), or expect it to persist after the swap",
        Vec::new(),
    )
}

pub(crate) fn several_groups(cx: &EvalInputs<'_, '_>, user: &User, src_groups: usize) -> Finding {
    finding(
        C::SeveralGroups,
        S::Warning,
        user_subject(user),
        format!(
            "{} inherits {} from {src_groups} groups: the user keeps it (and its seat) until every \
             one is swapped, and group processing may report MutuallyExclusiveViolation in between",
            user.label(),
            cx.sides.src_label
        ),
        "swap all these groups in the same plan; reprocess the user's licenses if an error remains",
        Vec::new(),
    )
}

pub(crate) fn direct_and_inherited(cx: &EvalInputs<'_, '_>, user: &User, how: &str) -> Finding {
    finding(
        C::DirectAndInherited,
        S::Info,
        user_subject(user),
        format!(
            "{} holds {} both directly and through a group: the group swap comes first, {how}",
            user.label(),
            cx.sides.src_label
        ),
        "wait for the user to show the target Active through the group before phase 2",
        Vec::new(),
    )
}

pub(crate) fn already_has_target(cx: &EvalInputs<'_, '_>, user: &User, held: u32) -> Finding {
    let t = cx.t;
    let which = cx.sides.tgt_names(t, held);
    let seat =
        if held == cx.sides.all_tgts() { "no new seat is needed" } else { "no new seat of it is needed" };
    finding(
        C::AlreadyHasTarget,
        S::Info,
        user_subject(user),
        format!("{} already holds {which}: {seat}", user.label()),
        "none",
        Vec::new(),
    )
}

pub(crate) fn disabled_plans_kept(cx: &EvalInputs<'_, '_>, user: &User, names: Vec<String>) -> Finding {
    finding(
        C::DisabledPlansKept,
        S::Info,
        user_subject(user),
        format!("{} keeps {} disabled under {}", user.label(), names.join(", "), cx.sides.tgt_label),
        "set options.preserveDisabledPlans to false to enable them",
        names,
    )
}

pub(crate) fn partial_holder(cx: &EvalInputs<'_, '_>, user: &User, held: u32) -> Finding {
    let (t, sd) = (cx.t, cx.sides);
    finding(
        C::PartialHolder,
        S::Info,
        user_subject(user),
        format!(
            "{} holds {} but not {}: what the user holds goes, and the user gets {}",
            user.label(),
            sd.src_names(t, held),
            sd.src_names(t, sd.all_srcs() & !held),
            sd.tgt_label
        ),
        "none: a partial holder is swapped like any other holder; check the coverage if the missing \
         source was expected",
        Vec::new(),
    )
}
