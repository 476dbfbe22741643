//! Each kind of group-licensing error, explained for one member in Microsoft's product and plan
//! names, with the concrete fix. The causes and fixes follow "Identify and resolve license
//! assignment problems for a group"
//! (<https://learn.microsoft.com/entra/identity/users/licensing-groups-resolve-problems>); which
//! plans conflict and which need another come from the generated catalog (Microsoft's "Service
//! plans that cannot be assigned at the same time" table and its documented prerequisites).
use super::licenses::{friendly_list, provides, PlanRef, Skus};
use licswap_core::catalog;
use licswap_core::model::User;
use licswap_core::health::{LicenseErrorKind as K, Remedy};
use licswap_core::plan::Subject;
use std::collections::BTreeMap;

/// Where a license comes from.
#[derive(Clone, Debug)]
pub enum Source {
    Direct,
    Group(Subject),
}

impl Source {
    fn words(&self) -> String {
        match self {
            Source::Direct => "assigned directly".into(),
            Source::Group(g) => format!("from group {}", g.name),
        }
    }
}

/// One license: what it is, where from, and the plans it enables.
#[derive(Clone, Debug)]
pub struct Held {
    pub sku_id: String,
    pub product: String,
    pub plans: Vec<PlanRef>,
    pub source: Source,
}

/// A member in error and the licenses around the failure.
pub struct Context<'a> {
    pub user: &'a User,
    /// Where the failed licenses come from (the group, or a direct license).
    pub source: Source,
    /// The licenses that failed (all of the group's: group licensing is all-or-nothing).
    pub failed: Vec<Held>,
    /// The member's other licenses that are not in error.
    pub others: Vec<Held>,
}

impl Context<'_> {
    pub fn group_subject(&self) -> Option<Subject> {
        match &self.source {
            Source::Group(g) => Some(g.clone()),
            Source::Direct => None,
        }
    }

    fn products(&self) -> String {
        let v: Vec<&str> = self.failed.iter().map(|l| l.product.as_str()).collect();
        v.join(" + ")
    }

    fn from(&self) -> String {
        self.source.words()
    }
}

const REPROCESS: &str = "then reprocess the member";

/// The SKUs of the failed licenses that have no free seat (all of them if every one has a seat
/// free now: the shortage was at processing time).
pub fn short_skus<'a>(skus: &Skus, cx: &'a Context) -> Vec<&'a str> {
    let short: Vec<&str> = cx
        .failed
        .iter()
        .filter(|l| skus.free(&l.sku_id).is_some_and(|f| f <= 0))
        .map(|l| l.sku_id.as_str())
        .collect();
    if short.is_empty() {
        cx.failed.iter().map(|l| l.sku_id.as_str()).collect()
    } else {
        short
    }
}

/// (what failed, the fix, the remedy the planner can act on).
pub fn explain(
    kind: K,
    cx: &Context,
    skus: &Skus,
    waiting: &BTreeMap<String, i64>,
) -> (String, String, Remedy) {
    match kind {
        K::CountViolation => count(cx, skus, waiting),
        K::MutuallyExclusiveViolation => conflict(cx),
        K::DependencyViolation => dependency(cx),
        K::ProhibitedInUsageLocationViolation => location(cx),
        K::UniquenessViolation => (
            format!(
                "{} ({}) could not be assigned: Exchange Online found another object using one of the member's \
                 proxy addresses (\"Proxy address is already being used\").",
                cx.products(),
                cx.from()
            ),
            format!(
                "Find the other object with Exchange Online PowerShell (Get-Recipient -Filter \"EmailAddresses -eq \
                 '<address>'\"), remove the duplicate address from one of them, {REPROCESS}."
            ),
            Remedy::Manual,
        ),
        K::Other => (
            format!(
                "{} ({}) could not be assigned and Entra gave no reason (error Other). A \
                 LicenseAssignmentAttributeConcurrencyException (the member is in several groups that assign the \
                 same license) also shows this way, and Entra retries it by itself.",
                cx.products(),
                cx.from()
            ),
            "Reprocess the member; if the error stays, look for the member in the Entra audit log (category \
             License) for the cause."
                .into(),
            Remedy::Reprocess,
        ),
    }
}

fn count(cx: &Context, skus: &Skus, waiting: &BTreeMap<String, i64>) -> (String, String, Remedy) {
    let short = short_skus(skus, cx);
    let Some(sku) = short.first() else {
        return (
            format!("No seat of {} was free for this member.", cx.products()),
            format!("Free or buy a seat, {REPROCESS}."),
            Remedy::Manual,
        );
    };
    let product = skus.product(sku);
    let s = skus.get(sku);
    let (bought, used) = s.map_or((0, 0), |s| (s.prepaid_units.enabled, s.consumed_units));
    let free = skus.free(sku).unwrap_or(0);
    let members = waiting.get(&sku.to_ascii_lowercase()).copied().unwrap_or(1);
    let need = (members - free.max(0)).max(0);
    let what = format!(
        "No seat of {product} was free when Entra processed this member ({}): {bought} bought, {used} in use. \
         {members} member(s) wait for one.",
        cx.from()
    );
    if need == 0 {
        let fix = format!("{free} seat(s) of {product} are free now: reprocess the member.");
        return (what, fix, Remedy::Reprocess);
    }
    let fix = format!(
        "Free {need} seat(s) of {product} (remove it from users who no longer need it) or buy {need} more, {REPROCESS}."
    );
    (what, fix, Remedy::Seats { sku_id: sku.to_string(), short: need })
}

fn conflict(cx: &Context) -> (String, String, Remedy) {
    for mine in &cx.failed {
        for p in &mine.plans {
            for other in &cx.others {
                let Some(q) = other.plans.iter().find(|q| catalog::mutually_exclusive(&p.name, &q.name))
                else {
                    continue;
                };
                let what = format!(
                    "{} in {} ({}) cannot be enabled together with {} in {} ({}).",
                    p.friendly(),
                    mine.product,
                    mine.source.words(),
                    q.friendly(),
                    other.product,
                    other.source.words()
                );
                return match &other.source {
                    Source::Direct => {
                        // The direct license can go when what the group gives enables every plan it
                        // enables; otherwise only the conflicting plan is turned off.
                        let group_plans: Vec<PlanRef> =
                            cx.failed.iter().flat_map(|l| l.plans.clone()).collect();
                        if other.plans.iter().all(|x| provides(&group_plans, x)) {
                            let fix = format!(
                                "Remove the direct {} license: {} gives every service it enables; {REPROCESS}.",
                                other.product,
                                cx.products()
                            );
                            (what, fix, Remedy::RemoveDirect { sku_id: other.sku_id.clone() })
                        } else {
                            let fix = format!(
                                "Turn off {} in the member's direct {} license (its other services stay), {REPROCESS}.",
                                q.friendly(),
                                other.product
                            );
                            (
                                what,
                                fix,
                                Remedy::DisableDirectPlan {
                                    sku_id: other.sku_id.clone(),
                                    plan_id: q.id.clone(),
                                },
                            )
                        }
                    }
                    Source::Group(g) => {
                        let fix = format!(
                            "Turn off {} in the {} license of group {}, or take the member out of one of the two groups; {REPROCESS}.",
                            q.friendly(),
                            other.product,
                            g.name
                        );
                        (what, fix, Remedy::Manual)
                    }
                };
            }
        }
    }
    (
        format!(
            "{} ({}) conflicts with another of the member's licenses in a way Microsoft's exclusion table does not \
             list (it lists the most common conflicts only).",
            cx.products(),
            cx.from()
        ),
        format!("Compare the services of {} with the member's other licenses and turn the duplicate one off, {REPROCESS}.", cx.products()),
        Remedy::Manual,
    )
}

fn dependency(cx: &Context) -> (String, String, Remedy) {
    let all: Vec<PlanRef> = cx.others.iter().chain(&cx.failed).flat_map(|l| l.plans.clone()).collect();
    let has = |set: &[PlanRef], names: &[&str]| {
        set.iter().any(|p| names.iter().any(|n| n.eq_ignore_ascii_case(&p.name)))
    };
    // A plan of the failed license whose prerequisite nothing enables.
    for mine in &cx.failed {
        for p in &mine.plans {
            let deps = catalog::dependencies(&p.name);
            if !deps.is_empty() && !has(&all, deps) {
                let what = format!(
                    "{} in {} ({}) needs {}, which none of the member's licenses enables.",
                    p.friendly(),
                    mine.product,
                    mine.source.words(),
                    friendly_list(deps)
                );
                let fix = match &mine.source {
                    Source::Group(g) => format!(
                        "Enable {} in the license of group {} (Microsoft requires an add-on's prerequisite in the same \
                         group), {REPROCESS}.",
                        friendly_list(deps),
                        g.name
                    ),
                    Source::Direct => format!("Give the member {} too, {REPROCESS}.", friendly_list(deps)),
                };
                return (what, fix, Remedy::Manual);
            }
        }
    }
    // A plan of another license that depends on a plan only the failed licenses give: Microsoft's
    // documented case, "when Microsoft Entra ID attempts to remove the underlying service plan".
    let others_only: Vec<PlanRef> = cx.others.iter().flat_map(|l| l.plans.clone()).collect();
    for other in &cx.others {
        for q in &other.plans {
            let deps = catalog::dependencies(&q.name);
            if !deps.is_empty() && !has(&others_only, deps) && has(&all, deps) {
                let what = format!(
                    "{} in {} ({}) depends on {}, which only {} ({}) gives this member: the group license cannot be \
                     removed or changed without it.",
                    q.friendly(),
                    other.product,
                    other.source.words(),
                    friendly_list(deps),
                    cx.products(),
                    cx.from()
                );
                let fix = format!(
                    "Give the member {} through another license, or turn off {} in {}; then the group's change can \
                     be processed: reprocess the member.",
                    friendly_list(deps),
                    q.friendly(),
                    other.product
                );
                return (what, fix, Remedy::Manual);
            }
        }
    }
    (
        format!(
            "{} ({}) failed on a service that needs another; the catalog knows no such prerequisite among the \
             member's licenses.",
            cx.products(),
            cx.from()
        ),
        format!("Check which add-on of the member needs a service of {}, {REPROCESS}.", cx.products()),
        Remedy::Manual,
    )
}

fn location(cx: &Context) -> (String, String, Remedy) {
    let loc = cx.user.usage_location.as_deref().map(str::trim).filter(|l| !l.is_empty());
    let where_ = match loc {
        Some(l) => format!("the member's usage location, {l}"),
        None => {
            "the tenant's country (the member has no usage location, so Entra used the directory's)".into()
        }
    };
    let group = match &cx.source {
        Source::Group(g) => format!("take the member out of group {}", g.name),
        Source::Direct => "remove the license".into(),
    };
    (
        format!(
            "A service of {} ({}) is not offered in {where_}. Microsoft does not publish, as data, which service is \
             withheld where.",
            cx.products(),
            cx.from()
        ),
        format!(
            "If {} is not where the member works, correct the usage location and reprocess the member; otherwise {group}.",
            loc.unwrap_or("that")
        ),
        Remedy::UsageLocation,
    )
}
