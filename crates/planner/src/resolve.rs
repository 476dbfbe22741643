//! Indexes over the snapshot: service plans interned to bit indices with their catalog rules
//! pre-resolved, SKUs with their plan bit sets, users and groups by id, every user's licenses as
//! rows. The users' part ([`Prepared`]: their GUIDs and rows, a pass over every user's strings) is
//! made once per snapshot ([`crate::Indexed`]); the rest, a few hundred plans and SKUs, per plan.
//! Ids are compared ASCII case-insensitively without allocating ([`CiKey`]).
use super::bits;
use super::rows::{Rows, RowsBuilder};
use super::user_index::{Guids, UserIndex};
use licswap_core::catalog;
use licswap_core::model::{same_bytes, Group, SubscribedSku, User};
pub(crate) use licswap_core::plan::fastmap::CiKey;
use licswap_core::plan::fastmap::FastMap;
use licswap_core::plan::{PlanError, Snapshot};

/// One distinct service plan of the snapshot.
pub(crate) struct PlanInfo<'a> {
    pub id: &'a str,
    pub name: &'a str,
    /// The catalog's entry for this servicePlanId, when it knows it (so its rules apply).
    pub known: Option<&'static catalog::PlanDef>,
    /// Plans (bit indices) that provide this plan's service, itself included.
    pub covered_by: Vec<u64>,
    /// Plans that cannot be enabled together with this one.
    pub excludes: Vec<u32>,
    /// Plans of which one must be enabled for this one to work; empty when it needs none.
    pub needs_any: Vec<u64>,
}

pub(crate) struct SkuInfo<'a> {
    pub sku: &'a SubscribedSku,
    /// Bits of the SKU's service plans (from the snapshot's `servicePlans`: authoritative).
    pub plans: Vec<u64>,
}

impl SkuInfo<'_> {
    pub fn label(&self) -> &str {
        &self.sku.sku_part_number
    }
}

/// The indexes over one [`Snapshot`](licswap_core::plan::Snapshot) that every rule reads (see the
/// module's documentation).
pub(crate) struct Indexes<'a> {
    pub plans: Vec<PlanInfo<'a>>,
    pub words: usize,
    plan_by_id: FastMap<CiKey<'a>, u32>,
    pub skus: Vec<SkuInfo<'a>>,
    sku_by_id: FastMap<CiKey<'a>, usize>,
    pub users: &'a [User],
    user_by_id: UserIndex<'a>,
    /// Every user's licenses as indices.
    pub rows: &'a Rows,
    pub groups: Vec<&'a Group>,
    pub group_members: Vec<&'a [String]>,
    group_by_id: FastMap<CiKey<'a>, u32>,
    /// Bit indices of plans that depend on another plan.
    pub dependent_plans: Vec<u32>,
}

/// The users' indexes, made once per snapshot: their GUIDs (when every id is one) and their
/// licenses as rows. Reading every user's strings is most of what indexing costs (at 100,000
/// users, a quarter of a plan in the page): a snapshot planned again (another preview, another
/// scope, an approval's check) reads them once.
pub(crate) struct Prepared {
    guids: Option<Guids>,
    rows: Rows,
}

/// The rows of a snapshot while its own are made (nothing reads them then).
static NO_ROWS: Rows = Rows::EMPTY;

impl Prepared {
    #[inline(never)] // a frame of its own in profiles (it runs once per snapshot)
    pub fn new(snapshot: &Snapshot) -> Result<Self, PlanError> {
        let n = snapshot.users.len();
        let t = Indexes::bare(snapshot, &NO_ROWS)?;
        // One pass over the users, their ids and their licenses: at a million users, a second
        // pass reads every user's record again from memory, not from cache.
        let mut guids = Some(Guids::with_capacity(n));
        let mut rows = RowsBuilder::new(t.words, n);
        for u in &snapshot.users {
            if guids.as_mut().is_some_and(|g| !g.push(&u.id)) {
                guids = None; // an id that is no GUID: the ids are indexed as text, per plan
            }
            rows.push(&t, u);
        }
        Ok(Prepared { guids, rows: rows.finish() })
    }

    /// The users' GUID index, when every id is a GUID.
    pub fn guids(&self) -> Option<&Guids> {
        self.guids.as_ref()
    }
}

impl<'a> Indexes<'a> {
    /// The indexes of one plan of `snapshot`, over its [`Prepared`] users (made from this very
    /// snapshot: [`crate::Indexed`] keeps the two together). `by_upn`: also find users by
    /// userPrincipalName (a scope of listed users needs it; group members are listed by id, and
    /// indexing 100,000 UPNs costs a pass over every user).
    #[inline(never)] // a frame of its own in profiles (it runs once per plan)
    pub fn new(snapshot: &'a Snapshot, prepared: &'a Prepared, by_upn: bool) -> Result<Self, PlanError> {
        let mut t = Indexes::bare(snapshot, &prepared.rows)?;
        let upns = by_upn.then(|| {
            let with_upn = snapshot.users.iter().enumerate();
            with_upn.filter_map(|(i, u)| u.user_principal_name.as_deref().map(|upn| (i as u32, upn)))
        });
        let ids = snapshot.users.iter().map(|u| u.id.as_str());
        t.user_by_id = UserIndex::new(prepared.guids.as_ref(), ids, snapshot.users.len(), upns);
        Ok(t)
    }

    /// Plans, SKUs and groups indexed, users not yet (`rows` stands for their rows).
    fn bare(snapshot: &'a Snapshot, rows: &'a Rows) -> Result<Self, PlanError> {
        let mut plans: Vec<PlanInfo<'a>> = Vec::new();
        let mut plan_by_id = FastMap::default();
        for sku in &snapshot.skus {
            for sp in &sku.service_plans {
                plan_by_id.entry(CiKey(&sp.service_plan_id)).or_insert_with(|| {
                    let known = catalog::plan_by_id(&sp.service_plan_id);
                    plans.push(PlanInfo {
                        id: &sp.service_plan_id,
                        name: &sp.service_plan_name,
                        known,
                        covered_by: Vec::new(),
                        excludes: Vec::new(),
                        needs_any: Vec::new(),
                    });
                    (plans.len() - 1) as u32
                });
            }
        }
        let words = bits::words_for(plans.len());
        resolve_rules(&mut plans, words);
        let dependent_plans =
            (0..plans.len() as u32).filter(|&i| !plans[i as usize].needs_any.is_empty()).collect();

        let mut skus = Vec::with_capacity(snapshot.skus.len());
        let mut sku_by_id = FastMap::default();
        for (i, sku) in snapshot.skus.iter().enumerate() {
            let mut b = vec![0u64; words];
            for sp in &sku.service_plans {
                bits::set(&mut b, plan_by_id[&CiKey(sp.service_plan_id.as_str())]);
            }
            skus.push(SkuInfo { sku, plans: b });
            if sku_by_id.insert(CiKey(&sku.sku_id), i).is_some() {
                return Err(PlanError::BadInput(format!(
                    "snapshot: skus: skuId {} appears twice",
                    sku.sku_id
                )));
            }
        }

        let groups: Vec<&Group> = snapshot.groups.iter().map(|g| &g.group).collect();
        let group_members = snapshot.groups.iter().map(|g| g.member_ids.as_slice()).collect();
        let group_by_id = groups.iter().enumerate().map(|(i, g)| (CiKey(g.id.as_str()), i as u32)).collect();
        Ok(Indexes {
            plans,
            words,
            plan_by_id,
            skus,
            sku_by_id,
            users: &snapshot.users,
            user_by_id: UserIndex::Text(FastMap::default(), FastMap::default()),
            rows,
            groups,
            group_members,
            group_by_id,
            dependent_plans,
        })
    }

    /// A subscribed SKU by skuId or skuPartNumber (case-insensitive).
    pub fn find_sku(&self, key: &str) -> Option<usize> {
        let key = key.trim();
        self.sku_by_id
            .get(&CiKey(key))
            .copied()
            .or_else(|| self.skus.iter().position(|s| s.sku.sku_part_number.eq_ignore_ascii_case(key)))
    }

    pub fn sku_of(&self, sku_id: &str) -> Option<usize> {
        self.sku_of_exact(sku_id).0
    }

    /// [`Indexes::sku_of`], and whether `sku_id` is spelled exactly as subscribedSkus spells it.
    pub fn sku_of_exact(&self, sku_id: &str) -> (Option<usize>, bool) {
        // A tenant has a handful of SKUs and users spell their ids as subscribedSkus does: an
        // exact comparison over the few is cheaper than hashing a 36-byte id per license.
        let few = self.skus.len() <= 16;
        if let Some(k) =
            few.then(|| self.skus.iter().position(|s| same_bytes(&s.sku.sku_id, sku_id))).flatten()
        {
            return (Some(k), true);
        }
        match self.sku_by_id.get(&CiKey(sku_id)) {
            Some(&k) => (Some(k), same_bytes(&self.skus[k].sku.sku_id, sku_id)),
            None => (None, false),
        }
    }

    pub fn plan_of(&self, plan_id: &str) -> Option<u32> {
        self.plan_by_id.get(&CiKey(plan_id)).copied()
    }

    /// Every user's GUID by row, when every id is one ([`UserIndex::guids`]).
    pub fn guids(&self) -> Option<&[u128]> {
        self.user_by_id.guids()
    }

    /// A user by id or userPrincipalName (exact but for ASCII case: trim user input first).
    pub fn user(&self, key: &str) -> Option<u32> {
        self.user_by_id.get(key)
    }

    /// Appends user `u`'s id as the snapshot spells it ([`UserIndex::write_id`]).
    #[inline]
    pub fn write_user_id(&self, u: u32, out: &mut String) {
        self.user_by_id.write_id(u, &self.users[u as usize].id, out);
    }

    pub fn group(&self, id: &str) -> Option<u32> {
        self.group_by_id.get(&CiKey(id)).copied()
    }

    /// Bits of plan ids in `ids` (ids the snapshot does not know are skipped: no SKU has them).
    pub fn bits_of(&self, ids: &[String], out: &mut [u64]) {
        for id in ids {
            if let Some(p) = self.plan_of(id) {
                bits::set(out, p);
            }
        }
    }

    pub fn plan_name(&self, p: u32) -> &'a str {
        self.plans[p as usize].name
    }
}

/// Pre-resolve the catalog's rules onto bit indices, once per plan (a tenant has tens of plans;
/// the users' evaluation then reads only bits). Coverage applies only between plans whose
/// servicePlanId the catalog knows: an unknown plan is matched by its id alone, so its loss is
/// reported (the data cannot tell what covers it). Exclusions and dependencies are Microsoft's
/// rules by servicePlanName and apply by the tenant's name when the catalog does not know the id.
fn resolve_rules<'a>(plans: &mut [PlanInfo<'a>], words: usize) {
    fn rule_name<'a>(p: &PlanInfo<'a>) -> &'a str {
        p.known.map_or(p.name, |d| d.name)
    }
    let by_name: FastMap<CiKey<'a>, u32> =
        plans.iter().enumerate().map(|(i, p)| (CiKey(rule_name(p)), i as u32)).collect();
    let known_by_name: FastMap<CiKey<'a>, u32> =
        plans.iter().enumerate().filter_map(|(i, p)| p.known.map(|d| (CiKey(d.name), i as u32))).collect();
    let idx = |name: &str| by_name.get(&CiKey(name)).copied();
    let mut covered = Vec::with_capacity(plans.len());
    let mut excludes = Vec::with_capacity(plans.len());
    let mut needs = Vec::with_capacity(plans.len());
    for (i, p) in plans.iter().enumerate() {
        let mut c = vec![0u64; words];
        bits::set(&mut c, i as u32);
        if let Some(d) = p.known {
            for up in d.covered_by {
                if let Some(&j) = known_by_name.get(&CiKey(up)) {
                    bits::set(&mut c, j);
                }
            }
        }
        let name = rule_name(p);
        let ex: Vec<u32> = catalog::exclusions(name).filter_map(idx).collect();
        let deps = catalog::dependencies(name);
        let mut nd = Vec::new();
        if !deps.is_empty() {
            nd = vec![0u64; words];
            for j in deps.iter().filter_map(|d| idx(d)) {
                bits::set(&mut nd, j);
            }
        }
        covered.push(c);
        excludes.push(ex);
        needs.push(nd);
    }
    for (p, ((c, e), n)) in plans.iter_mut().zip(covered.into_iter().zip(excludes).zip(needs)) {
        p.covered_by = c;
        p.excludes = e;
        p.needs_any = n;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ci_keys_hash_and_compare_case_insensitively() {
        use std::hash::BuildHasher;
        let h = std::collections::hash_map::RandomState::new();
        let a = CiKey("6FD2C87F-B296-42F0-B197-1E91E994B900");
        let b = CiKey("6fd2c87f-b296-42f0-b197-1e91e994b900");
        assert_eq!(a, b);
        assert_eq!(h.hash_one(a), h.hash_one(b));
        assert_ne!(CiKey("abc"), CiKey("abd"));
        assert_ne!(h.hash_one(CiKey("abc")), h.hash_one(CiKey("abc\0")));
    }

    /// Sequential Graph-like ids must spread over the low bits (hashbrown's bucket index).
    #[test]
    fn sequential_ids_spread_over_buckets() {
        use std::hash::BuildHasher;
        let b = std::hash::BuildHasherDefault::<licswap_core::plan::fastmap::Fx>::default();
        let mut buckets = std::collections::HashSet::new();
        for n in 0..4096u32 {
            let id = format!("00000001-1111-4000-8000-{n:012x}");
            buckets.insert(b.hash_one(CiKey(&id)) & 0xfff);
        }
        assert!(buckets.len() > 2400, "{} distinct buckets of 4096", buckets.len());
    }
}
