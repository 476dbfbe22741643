//! Disabled-plan mapping: a service plan the admin switched off under the source stays off under
//! the target's equivalent (same servicePlanId, else a catalog plan that covers it), unless that
//! target plan also covers a plan the source had enabled: switching it off would lose a service.
use super::bits;
use super::resolve::Tenant;
use licswap_core::plan::fastmap::FastMap;

/// The target's disabledPlans for one source assignment.
#[derive(Clone, Debug)]
pub(crate) struct Mapped {
    /// Target plans to switch off (bits), and their ids as the target SKU spells them.
    pub target_disabled: Vec<u64>,
    pub target_disabled_ids: Vec<String>,
    /// Source plans that were off and stay off through a target equivalent.
    pub kept_disabled: Vec<u64>,
}

/// Memoized by the source's disabled bits: tenants have few distinct disabledPlans sets, so this
/// runs a handful of times however many users there are.
pub(crate) struct Mapper {
    src: usize,
    tgt: usize,
    preserve: bool,
    memo: FastMap<Vec<u64>, usize>,
    results: Vec<Mapped>,
}

impl Mapper {
    pub fn new(src: usize, tgt: usize, preserve: bool) -> Self {
        Mapper { src, tgt, preserve, memo: FastMap::default(), results: Vec::new() }
    }

    /// The mapping for source disabled bits `disabled`; an index into [`Mapper::get`].
    pub fn map(&mut self, t: &Tenant<'_>, disabled: &[u64]) -> usize {
        if let Some(&i) = self.memo.get(disabled) {
            return i;
        }
        let m = self.compute(t, disabled);
        self.results.push(m);
        let i = self.results.len() - 1;
        self.memo.insert(disabled.to_vec(), i);
        i
    }

    pub fn get(&self, i: usize) -> &Mapped {
        &self.results[i]
    }

    fn compute(&self, t: &Tenant<'_>, disabled: &[u64]) -> Mapped {
        let w = t.words;
        let mut target_disabled = vec![0u64; w];
        let mut kept_disabled = vec![0u64; w];
        if self.preserve {
            let src = &t.skus[self.src].plans;
            let tgt = &t.skus[self.tgt].plans;
            let mut src_enabled = vec![0u64; w];
            bits::or_andnot(&mut src_enabled, src, disabled);
            for d in bits::iter(disabled).filter(|&d| bits::has(src, d)) {
                let cover = &t.plans[d as usize].covered_by;
                for c in bits::iter(cover).filter(|&c| bits::has(tgt, c)) {
                    let needed_elsewhere =
                        bits::iter(&src_enabled).any(|p| bits::has(&t.plans[p as usize].covered_by, c));
                    if !needed_elsewhere {
                        bits::set(&mut target_disabled, c);
                        bits::set(&mut kept_disabled, d);
                    }
                }
            }
        }
        let target_disabled_ids = self.ids_of(t, &target_disabled);
        Mapped { target_disabled, target_disabled_ids, kept_disabled }
    }

    /// The target's plan ids (as the target SKU spells them) whose bits are set.
    pub fn ids_of(&self, t: &Tenant<'_>, b: &[u64]) -> Vec<String> {
        t.skus[self.tgt]
            .sku
            .service_plans
            .iter()
            .filter(|sp| t.plan_of(&sp.service_plan_id).is_some_and(|p| bits::has(b, p)))
            .map(|sp| sp.service_plan_id.clone())
            .collect()
    }

    /// A subject that already holds the target keeps a plan off only if it was off there and the
    /// source's mapping keeps it off too: whatever the source enabled, the re-added target enables.
    pub fn keep_existing(&self, existing: &[u64], mapped: usize) -> Vec<u64> {
        existing.iter().zip(&self.results[mapped].target_disabled).map(|(a, b)| a & b).collect()
    }
}
