//! The built-in service-plan catalog: common Microsoft 365 SKUs with their service plans (real
//! skuIds and servicePlanIds from Microsoft's licensing reference, see `data.rs`), and the rules
//! between plans that Graph enforces or that matter for a swap: which plan covers another
//! (equivalences), which cannot be enabled together (mutual exclusions), which needs another
//! (dependencies).
//!
//! A tenant's own `subscribedSkus` stay authoritative for which plans a SKU holds; the catalog adds
//! friendly names and the rules. Lookups are by ASCII case-insensitive id or name; the tables are
//! small (tens of SKUs, ~150 plans), so a linear scan is cheaper than building an index in wasm.
#[rustfmt::skip]
mod data;
mod rules;

pub use rules::{dependencies, equivalent, equivalents, exclusions, mutually_exclusive};

/// A product (SKU) as Microsoft's reference lists it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SkuDef {
    /// Graph `skuId` (lowercase GUID).
    pub sku_id: &'static str,
    /// Graph `skuPartNumber`, e.g. `ENTERPRISEPACK`.
    pub part_number: &'static str,
    /// Product display name, e.g. "Office 365 E3".
    pub name: &'static str,
    pub plans: &'static [PlanDef],
}

/// A service plan as Microsoft's reference lists it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PlanDef {
    /// Graph `servicePlanId` (lowercase GUID).
    pub id: &'static str,
    /// Graph `servicePlanName`, e.g. `EXCHANGE_S_ENTERPRISE`.
    pub name: &'static str,
    /// Human name, e.g. "Exchange Online (Plan 2)".
    pub friendly: &'static str,
}

impl SkuDef {
    /// The plan of this SKU with the given name (case-insensitive).
    pub fn plan(&self, name: &str) -> Option<&'static PlanDef> {
        self.plans.iter().find(|p| p.name.eq_ignore_ascii_case(name))
    }
}

/// Every SKU the catalog knows.
pub fn skus() -> &'static [SkuDef] {
    data::SKUS
}

/// Every distinct service plan of the catalog's SKUs.
pub fn plans() -> &'static [PlanDef] {
    data::PLANS
}

/// A SKU by `skuId` or `skuPartNumber`, case-insensitive.
pub fn sku(id_or_part_number: &str) -> Option<&'static SkuDef> {
    let key = id_or_part_number.trim();
    data::SKUS.iter().find(|s| s.sku_id.eq_ignore_ascii_case(key) || s.part_number.eq_ignore_ascii_case(key))
}

/// A service plan by `servicePlanId`, case-insensitive.
pub fn plan_by_id(id: &str) -> Option<&'static PlanDef> {
    data::PLANS.iter().find(|p| p.id.eq_ignore_ascii_case(id.trim()))
}

/// A service plan by `servicePlanName`, case-insensitive.
pub fn plan_by_name(name: &str) -> Option<&'static PlanDef> {
    data::PLANS.iter().find(|p| p.name.eq_ignore_ascii_case(name.trim()))
}

#[cfg(test)]
mod tests;
