//! Building tenants for fixtures and tests: licenses given without Graph's checks, then settled
//! the way group-based licensing would leave them.
use super::{GroupIx, StoredLicense, Tenant, UserIx};

impl Tenant {
    /// Give a user a SKU directly (fixture building: no checks, call [`Tenant::settle`] after).
    pub fn assign_direct(
        &mut self,
        u: UserIx,
        sku: &str,
        disabled_plan_names: &[&str],
    ) -> Result<(), String> {
        let lic = self.lic(sku, disabled_plan_names)?;
        let user = &mut self.users[u as usize];
        user.direct.retain(|l| l.sku != lic.sku);
        user.direct.push(lic);
        Ok(())
    }

    /// Give a group a SKU (fixture building: members get it on [`Tenant::settle`]).
    pub fn assign_group(
        &mut self,
        g: GroupIx,
        sku: &str,
        disabled_plan_names: &[&str],
    ) -> Result<(), String> {
        let lic = self.lic(sku, disabled_plan_names)?;
        let group = &mut self.groups[g as usize];
        group.licenses.retain(|l| l.sku != lic.sku);
        group.licenses.push(lic);
        Ok(())
    }

    fn lic(&self, sku: &str, disabled_plan_names: &[&str]) -> Result<StoredLicense, String> {
        let s = self.sku_ix(sku).ok_or_else(|| format!("the tenant has no SKU '{sku}'; add_sku it first"))?;
        let disabled = disabled_plan_names
            .iter()
            .map(|n| {
                self.plans
                    .by_name(n)
                    .filter(|p| self.skus[s as usize].plans.contains(p))
                    .ok_or_else(|| format!("'{n}' is not a plan of {sku}"))
            })
            .collect::<Result<Vec<_>, _>>()?;
        Ok(StoredLicense { sku: s, disabled })
    }

    /// Finish a fixture: count seats, apply every group's licenses to its members (with Graph's
    /// per-member errors), and start the history empty.
    pub fn settle(&mut self, now_ms: u64) {
        let record = self.record_history;
        self.record_history = false;
        self.recount();
        for g in 0..self.groups.len() as GroupIx {
            crate::licensing::process_group(self, g, now_ms);
        }
        self.recount();
        self.history.clear();
        self.record_history = record;
    }
}
