//! Rules between service plans, by `servicePlanName` (the same name has the same servicePlanId in
//! nearly every product of Microsoft's reference table; where it does not, the name still names
//! one service). Tables generated from Microsoft's data (`rules_data.rs`, `data.rs`):
//! - Exclusions: the reference's "Service plans that cannot be assigned at the same time"
//!   (https://learn.microsoft.com/en-us/entra/identity/users/licensing-service-plan-reference):
//!   plans of one exclusion group cannot be enabled together (MutuallyExclusiveViolation).
//!   Exchange Online (Plan 1) and (Plan 2) may be assigned together ("Identify and resolve
//!   license assignment problems for a group", section "Conflicting service plans":
//!   https://learn.microsoft.com/en-us/entra/identity/users/licensing-groups-resolve-problems),
//!   and the table agrees. Microsoft lists "the most common" exclusions only: a pair missing here
//!   is not proof that Graph accepts it, and Graph's MutuallyExclusiveViolation is reported as such.
//! - Coverage: families and tiers derived from the plan names plus reviewed cross-family relations
//!   (`gen_catalog.py`, reviewable in `docs/catalog-families.md`).
//! - Dependencies: the add-on prerequisites Microsoft documents ("Manage licenses for products with
//!   prerequisites", https://learn.microsoft.com/en-us/entra/identity/users/licensing-group-advanced,
//!   and each product's service description; the source of each is beside it in `rules_data.rs`).
use super::{plan_by_name, rules_data};

/// Plans that cover `from` (provide at least its service), not counting `from` itself; empty when
/// the catalog knows none or does not know `from`.
pub fn equivalents(from: &str) -> &'static [&'static str] {
    plan_by_name(from).map_or(&[], |p| p.covered_by)
}

/// Does `to` provide the service of `from`? The same plan name always does.
pub fn equivalent(from: &str, to: &str) -> bool {
    from.trim().eq_ignore_ascii_case(to.trim())
        || equivalents(from).iter().any(|p| p.eq_ignore_ascii_case(to.trim()))
}

/// The exclusion groups (Microsoft's `exclusion_group`, e.g. "sharepoint") `plan` is in.
pub fn exclusion_groups(plan: &str) -> impl Iterator<Item = &'static str> + '_ {
    // Trimmed once, not for every row: the demo tenant's start in the page asks this for each of
    // its plans, and the trims were most of the time (wasm not yet optimized then).
    let plan = plan.trim();
    rules_data::EXCLUSIONS.iter().filter(move |(_, p, _)| p.eq_ignore_ascii_case(plan)).map(|(g, _, _)| *g)
}

/// Can `a` and `b` not be enabled together on one user? (A plan never excludes itself.)
pub fn mutually_exclusive(a: &str, b: &str) -> bool {
    !a.trim().eq_ignore_ascii_case(b.trim()) && exclusions(a).any(|x| x.eq_ignore_ascii_case(b.trim()))
}

/// The plans `plan` cannot be enabled together with.
pub fn exclusions(plan: &str) -> impl Iterator<Item = &'static str> + '_ {
    let plan = plan.trim();
    // Microsoft's exclusion table (`crates/core/data/reference/service-plan-exclusions.csv`, from
    // the page cited above): the plans sharing an exclusion group with `plan`. The plan's groups
    // are read once, not again for every row of the table: the simulator and the
    // planner ask this for every plan of a tenant, and the demo tenant's start in the page spent
    // about 20 ms on the repeated scans.
    let mine: Vec<&'static str> = exclusion_groups(plan).collect();
    rules_data::EXCLUSIONS
        .iter()
        .filter_map(move |(g, p, _)| (mine.contains(g) && !p.eq_ignore_ascii_case(plan)).then_some(*p))
}

/// The plans of which `plan` needs at least one enabled on the same user (already widened to
/// every plan that covers one of them); empty when it needs none.
pub fn dependencies(plan: &str) -> &'static [&'static str] {
    let plan = plan.trim(); // once, as in exclusion_groups
    rules_data::DEPENDENCIES.iter().find(|(p, _)| p.eq_ignore_ascii_case(plan)).map_or(&[], |(_, d)| *d)
}
