//! The licenses of the tenant as the health diagnosis reads them: each SKU's plans with
//! Microsoft's product and plan names (from the generated catalog), seats, and the plans a license
//! enables once its disabled plans are taken out.
use licswap_core::catalog;
use licswap_core::model::{same_id, SubscribedSku};

/// One service plan of a SKU.
#[derive(Clone, Debug)]
pub struct PlanRef {
    pub id: String,
    pub name: String,
}

impl PlanRef {
    /// Microsoft's friendly name ("SharePoint Online (Plan 2)"), else the plan's name.
    pub fn friendly(&self) -> String {
        catalog::plan(&self.id, &self.name).map_or_else(|| self.name.clone(), |p| p.friendly.to_string())
    }
}

pub struct Skus<'a> {
    skus: &'a [SubscribedSku],
}

impl<'a> Skus<'a> {
    pub fn new(skus: &'a [SubscribedSku]) -> Self {
        Skus { skus }
    }

    pub fn get(&self, sku_id: &str) -> Option<&'a SubscribedSku> {
        self.skus.iter().find(|s| same_id(&s.sku_id, sku_id))
    }

    /// Microsoft's product name ("Office 365 E3"), else the part number, else the id.
    pub fn product(&self, sku_id: &str) -> String {
        match self.get(sku_id) {
            Some(s) => catalog::sku(&s.sku_id)
                .map(|d| d.name.to_string())
                .or_else(|| catalog::sku_display_name(&s.sku_part_number).map(str::to_string))
                .unwrap_or_else(|| s.sku_part_number.clone()),
            None => catalog::sku(sku_id).map_or_else(|| sku_id.to_string(), |d| d.name.to_string()),
        }
    }

    /// Free seats: enabled prepaid units minus consumed units (what the admin center shows as
    /// available).
    pub fn free(&self, sku_id: &str) -> Option<i64> {
        self.get(sku_id).map(|s| s.prepaid_units.enabled - s.consumed_units)
    }

    /// The plans a license of `sku_id` enables with `disabled` switched off. The tenant's
    /// `servicePlans` are authoritative; a SKU the tenant does not list falls back to the catalog.
    pub fn enabled(&self, sku_id: &str, disabled: &[String]) -> Vec<PlanRef> {
        let off = |id: &str| disabled.iter().any(|d| same_id(d, id));
        match self.get(sku_id) {
            Some(s) => s
                .service_plans
                .iter()
                .filter(|p| !off(&p.service_plan_id))
                .map(|p| PlanRef { id: p.service_plan_id.clone(), name: p.service_plan_name.clone() })
                .collect(),
            None => catalog::sku(sku_id)
                .map(|d| {
                    d.plans
                        .iter()
                        .filter(|p| !off(p.id))
                        .map(|p| PlanRef { id: p.id.into(), name: p.name.into() })
                        .collect()
                })
                .unwrap_or_default(),
        }
    }
}

/// Does `plans` provide `plan`'s service (the same plan, or one the catalog says covers it)?
pub fn provides(plans: &[PlanRef], plan: &PlanRef) -> bool {
    plans.iter().any(|p| same_id(&p.id, &plan.id) || catalog::equivalent(&plan.name, &p.name))
}

/// "A or B or C" with Microsoft's friendly names.
pub fn friendly_list(names: &[&str]) -> String {
    let mut v: Vec<String> = names
        .iter()
        .map(|n| catalog::plan_by_name(n).map_or_else(|| n.to_string(), |p| p.friendly.to_string()))
        .collect();
    v.dedup();
    match v.len() {
        0 => String::new(),
        1 => v.remove(0),
        _ => {
            let last = v.pop().unwrap_or_default();
            format!("{} or {last}", v.join(", "))
        }
    }
}
