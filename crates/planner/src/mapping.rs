//! Disabled-plan mapping: a service plan the admin switched off under the source(s) stays off
//! under the equivalent plan of whichever target provides it (same servicePlanId, else a catalog
//! plan that covers it), unless that target plan also covers a plan a source had enabled:
//! switching it off would lose a service. With a bundle the sources are taken together: a plan is
//! off only if no source being replaced enables it.
use super::bits;
use super::resolve::Indexes;
use super::sides::Sides;
use licswap_core::plan::fastmap::FastMap;

/// The targets' disabledPlans for one set of source assignments.
#[derive(Clone, Debug)]
pub(crate) struct Mapped {
    /// Target plans to switch off (bits over every target's plans).
    pub target_disabled: Vec<u64>,
    /// The same per target (in request order), as ids spelled as each target SKU spells them.
    pub target_disabled_ids: Vec<Vec<String>>,
    /// Source plans that were off and stay off through a target equivalent.
    pub kept_disabled: Vec<u64>,
}

/// Memoized by the sources' plans and enabled bits: tenants have few distinct disabledPlans sets,
/// so this runs a handful of times however many users there are.
pub(crate) struct Mapper {
    tgts: Vec<usize>,
    /// Every target's plans.
    tgt_union: Vec<u64>,
    preserve: bool,
    memo: FastMap<Vec<u64>, usize>,
    results: Vec<Mapped>,
    key: Vec<u64>,
}

impl Mapper {
    pub fn new(t: &Indexes<'_>, sides: &Sides, preserve: bool) -> Self {
        let mut tgt_union = vec![0u64; t.words];
        for &k in &sides.tgts {
            bits::or(&mut tgt_union, &t.skus[k].plans);
        }
        Mapper {
            tgts: sides.tgts.clone(),
            tgt_union,
            preserve,
            memo: FastMap::default(),
            results: Vec::new(),
            key: Vec::new(),
        }
    }

    /// The mapping for the source assignments whose plans are `src_all` and whose enabled plans
    /// are `src_enabled`; an index into [`Mapper::get`].
    pub fn map(&mut self, t: &Indexes<'_>, src_all: &[u64], src_enabled: &[u64]) -> usize {
        self.key.clear();
        self.key.extend_from_slice(src_all);
        self.key.extend_from_slice(src_enabled);
        if let Some(&i) = self.memo.get(&self.key) {
            return i;
        }
        let m = self.compute(t, src_all, src_enabled);
        self.results.push(m);
        let i = self.results.len() - 1;
        self.memo.insert(self.key.clone(), i);
        i
    }

    pub fn get(&self, i: usize) -> &Mapped {
        &self.results[i]
    }

    fn compute(&self, t: &Indexes<'_>, src_all: &[u64], src_enabled: &[u64]) -> Mapped {
        let w = t.words;
        let mut target_disabled = vec![0u64; w];
        let mut kept_disabled = vec![0u64; w];
        if self.preserve {
            let mut disabled = vec![0u64; w];
            bits::or_andnot(&mut disabled, src_all, src_enabled);
            // Every target equivalent of a plan that was off is a candidate to switch off...
            let mut kept_by = Vec::new();
            for d in bits::iter(&disabled) {
                for c in
                    bits::iter(&t.plans[d as usize].covered_by).filter(|&c| bits::has(&self.tgt_union, c))
                {
                    bits::set(&mut target_disabled, c);
                    kept_by.push((d, c));
                }
            }
            // ...unless a plan a source enabled would then have no target plan left on that
            // provides it: its covers stay on. (Office 365 E3's Mobile Device Management for
            // Office 365 is covered by Microsoft 365 E3's own plan of that name, so EMS's Intune
            // switched off stays off.)
            for p in bits::iter(src_enabled) {
                let cover = &t.plans[p as usize].covered_by;
                let provided = bits::iter(cover)
                    .any(|c| bits::has(&self.tgt_union, c) && !bits::has(&target_disabled, c));
                if !provided {
                    for c in bits::iter(cover).filter(|&c| bits::has(&self.tgt_union, c)) {
                        target_disabled[(c / 64) as usize] &= !(1u64 << (c % 64));
                    }
                }
            }
            for (d, c) in kept_by {
                if bits::has(&target_disabled, c) {
                    bits::set(&mut kept_disabled, d);
                }
            }
        }
        self.settle_target_conflicts(t, &mut target_disabled);
        let target_disabled_ids =
            (0..self.tgts.len()).map(|ti| self.ids_of(t, ti, &target_disabled)).collect();
        Mapped { target_disabled, target_disabled_ids, kept_disabled }
    }

    /// Two targets of a bundle whose enabled plans Microsoft's exclusion table lists as unable to
    /// be enabled together, where one covers the other: the covered one is switched off. Microsoft
    /// sells such pairs to be assigned together -- Microsoft 365 E5 EEA (no Teams) carries Skype for
    /// Business Online (Plan 2), Microsoft Teams EEA carries (Plan 1), and the "Service plans that
    /// cannot be assigned at the same time" table of
    /// https://learn.microsoft.com/en-us/entra/identity/users/licensing-service-plan-reference puts
    /// both in its Skype for Business group -- and the documentation does not say whether Graph
    /// accepts them together. Switching the covered plan off works on either answer: nothing is
    /// lost (the covering plan stays on), and nothing conflicts.
    fn settle_target_conflicts(&self, t: &Indexes<'_>, target_disabled: &mut [u64]) {
        if self.tgts.len() < 2 {
            return;
        }
        let mut on = vec![0u64; t.words];
        bits::or_andnot(&mut on, &self.tgt_union, target_disabled);
        let together = |a: u32, b: u32| {
            self.tgts.iter().any(|&k| bits::has(&t.skus[k].plans, a) && bits::has(&t.skus[k].plans, b))
        };
        let mut off = Vec::new();
        for a in bits::iter(&on) {
            for &b in &t.plans[a as usize].excludes {
                let covered = bits::has(&t.plans[a as usize].covered_by, b) && a != b;
                if covered && bits::has(&on, b) && !together(a, b) {
                    off.push(a);
                }
            }
        }
        off.into_iter().for_each(|a| bits::set(target_disabled, a));
    }

    /// Target `ti`'s plan ids (as that target SKU spells them) whose bits are set.
    pub fn ids_of(&self, t: &Indexes<'_>, ti: usize, b: &[u64]) -> Vec<String> {
        t.skus[self.tgts[ti]]
            .sku
            .service_plans
            .iter()
            .filter(|sp| t.plan_of(&sp.service_plan_id).is_some_and(|p| bits::has(b, p)))
            .map(|sp| sp.service_plan_id.clone())
            .collect()
    }

    /// A subject that already holds a target keeps a plan off only if it was off there and the
    /// sources' mapping keeps it off too: whatever the sources enabled, the re-added target enables.
    pub fn keep_existing(&self, existing: &[u64], mapped: usize) -> Vec<u64> {
        existing.iter().zip(&self.results[mapped].target_disabled).map(|(a, b)| a & b).collect()
    }
}
