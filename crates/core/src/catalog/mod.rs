//! The licensing catalog, generated from Microsoft's own tables by `crates/core/data/gen_catalog.py`
//! (inputs and their provenance in `crates/core/data/reference/`): every product (SKU) and every
//! service plan of "Product names and service plan identifiers for licensing" with Microsoft's
//! names, each plan's service family and tier, and the rules between plans that Graph enforces or
//! that matter for a swap: which plans cover another ([`equivalents`]), which cannot be enabled
//! together ([`exclusions`]), which need another ([`dependencies`]).
//!
//! A tenant's own `subscribedSkus` stay authoritative for which plans a SKU holds; the catalog adds
//! names and rules. Lookups are ASCII case-insensitive binary searches over the generated tables.
//!
//! Size: the full tables are about 50 KB gzipped in the wasm build. They are reached only through
//! the lookup functions, which the planner and the lazily loaded screens call, so they land in a
//! lazily loaded chunk. The overview (the first screen) reads product names from a names-only
//! table ([`sku_display_name`]), and the demo tenant names its products by their generated statics
//! ([`products`]`::SKU_*`), so the first module carries neither the full SKU nor the full plan table.
#[rustfmt::skip]
mod data;
#[rustfmt::skip]
mod names_data;
mod rules;
#[rustfmt::skip]
mod rules_data;

pub use rules::{dependencies, equivalent, equivalents, exclusion_groups, exclusions, mutually_exclusive};

/// The generated per-product statics (`SKU_ENTERPRISEPACK`, ...): naming one pulls only that
/// product and its plans into a wasm module, unlike [`sku`], which searches all of them.
pub mod products {
    pub use super::data::*;
}

use crate::model::SubscribedSku;
use std::cmp::Ordering;

/// A product (SKU) as Microsoft's reference lists it.
#[derive(Debug, PartialEq, Eq)]
pub struct SkuDef {
    /// Graph `skuId` (lowercase GUID).
    pub sku_id: &'static str,
    /// Graph `skuPartNumber`, e.g. `ENTERPRISEPACK`.
    pub part_number: &'static str,
    /// Product display name, e.g. "Office 365 E3".
    pub name: &'static str,
    pub plans: &'static [&'static PlanDef],
}

/// A service plan as Microsoft's reference lists it.
#[derive(Debug, PartialEq, Eq)]
pub struct PlanDef {
    /// Graph `servicePlanId` (lowercase GUID).
    pub id: &'static str,
    /// Graph `servicePlanName`, e.g. `EXCHANGE_S_ENTERPRISE`.
    pub name: &'static str,
    /// Microsoft's friendly name, e.g. "Exchange Online (Plan 2)".
    pub friendly: &'static str,
    /// Service family (1-based index into [`families`]), 0 when the plan is a family of its own.
    pub family: u16,
    /// Tier within the family: 1 frontline (K/F), 2 E1/Plan 1, 3 E3/Plan 2, 4 E5/Plan 3; 0 when
    /// the plan has no family.
    pub tier: u8,
    /// Names of the plans that provide this plan's service (same family at an equal or higher
    /// tier, or a reviewed cross-family relation, closed transitively), itself not included.
    pub covered_by: &'static [&'static str],
}

impl SkuDef {
    /// The plan of this SKU with the given name (case-insensitive).
    pub fn plan(&self, name: &str) -> Option<&'static PlanDef> {
        self.plans.iter().find(|p| p.name.eq_ignore_ascii_case(name)).copied()
    }
}

/// Every SKU the catalog knows, sorted by skuId.
pub fn skus() -> &'static [&'static SkuDef] {
    data::SKUS
}

/// Every service plan, sorted by servicePlanId.
pub fn plans() -> &'static [&'static PlanDef] {
    data::PLANS
}

/// The service families' names (plan names with the tier word as `*`, e.g. `EXCHANGE_S_*`).
pub fn families() -> &'static [&'static str] {
    data::FAMILIES
}

/// `a` against `b` ASCII case-insensitively (both folded to upper case, as the generator sorts).
fn cmp_ci(a: &str, b: &str) -> Ordering {
    a.bytes().map(|c| c.to_ascii_uppercase()).cmp(b.bytes().map(|c| c.to_ascii_uppercase()))
}

/// A SKU by `skuId` or `skuPartNumber`, case-insensitive. Microsoft's table gives one part number
/// (`MCOPSTN5`) two skuIds: by part number, the first by skuId is returned.
pub fn sku(id_or_part_number: &str) -> Option<&'static SkuDef> {
    let key = id_or_part_number.trim();
    if let Ok(i) = data::SKUS.binary_search_by(|s| cmp_ci(s.sku_id, key)) {
        return Some(data::SKUS[i]);
    }
    let order = data::SKUS_BY_PART;
    let i = order.partition_point(|&i| cmp_ci(data::SKUS[i as usize].part_number, key) == Ordering::Less);
    order.get(i).map(|&i| data::SKUS[i as usize]).filter(|s| s.part_number.eq_ignore_ascii_case(key))
}

/// A service plan by `servicePlanId`, case-insensitive.
pub fn plan_by_id(id: &str) -> Option<&'static PlanDef> {
    let key = id.trim();
    data::PLANS.binary_search_by(|p| cmp_ci(p.id, key)).ok().map(|i| data::PLANS[i])
}

/// A service plan by `servicePlanName`, case-insensitive (of two ids with one name, the first).
pub fn plan_by_name(name: &str) -> Option<&'static PlanDef> {
    let key = name.trim();
    let order = data::PLANS_BY_NAME;
    let i = order.partition_point(|&i| cmp_ci(data::PLANS[i as usize].name, key) == Ordering::Less);
    order.get(i).map(|&i| data::PLANS[i as usize]).filter(|p| p.name.eq_ignore_ascii_case(key))
}

/// A plan by id, else by name: how a tenant's plan is matched to the catalog.
pub fn plan(id: &str, name: &str) -> Option<&'static PlanDef> {
    plan_by_id(id).or_else(|| plan_by_name(name))
}

/// Microsoft's product name for a `skuPartNumber`, from a names-only table (the first screen
/// shows product names without loading the rest of the catalog).
pub fn sku_display_name(part_number: &str) -> Option<&'static str> {
    let key = part_number.trim();
    let blob = names_data::SKU_NAMES;
    // Lines are sorted by part number: bisect on line starts.
    let (mut lo, mut hi) = (0usize, blob.len());
    while lo < hi {
        let mid = lo + (hi - lo) / 2;
        let start = blob[..mid].rfind('\n').map_or(0, |p| p + 1);
        let end = start + blob[start..].find('\n').unwrap_or(blob.len() - start);
        let line = &blob[start..end];
        let (part, name) = line.split_once('\t').unwrap_or((line, ""));
        match cmp_ci(part, key) {
            Ordering::Equal => return Some(name),
            Ordering::Less => lo = end + 1,
            Ordering::Greater => hi = start,
        }
    }
    None
}

/// A subscription's product name as Microsoft's licensing table gives it, else its part number.
/// Reads the names-only table, which the first screen of the page can afford.
pub fn sku_name(sku: &SubscribedSku) -> String {
    sku_display_name(&sku.sku_part_number).map_or_else(|| sku.sku_part_number.clone(), str::to_string)
}

#[cfg(test)]
mod tests;
