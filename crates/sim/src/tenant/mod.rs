//! The tenant's data: subscribed SKUs with their service plans (from licswap-core's catalog),
//! users, groups and license assignments. Ids are lowercase GUID strings; lookups are
//! case-insensitive as Graph's are. Internally SKUs and plans are small indexes so a 100,000-user
//! tenant stays compact and group processing stays fast.
mod build;

use licswap_core::catalog;
use std::collections::HashMap;

pub type SkuIx = u16;
pub type PlanIx = u16;
pub type UserIx = u32;
pub type GroupIx = u32;

/// Every service plan of the tenant's SKUs, with the catalog's rules resolved to indexes once.
#[derive(Clone, Debug, Default)]
pub struct PlanTable {
    pub ids: Vec<String>,
    pub names: Vec<String>,
    by_id: HashMap<String, PlanIx>,
    /// Plans each plan cannot be enabled with (MutuallyExclusiveViolation).
    pub exclusions: Vec<Vec<PlanIx>>,
    /// For each plan, its dependencies: each inner list is one requirement, satisfied by any of
    /// its plans (the named plan or a plan that covers it).
    pub requires: Vec<Vec<PlanIx>>,
}

impl PlanTable {
    pub fn by_id(&self, id: &str) -> Option<PlanIx> {
        self.by_id.get(&id.trim().to_ascii_lowercase()).copied()
    }

    pub fn by_name(&self, name: &str) -> Option<PlanIx> {
        self.names.iter().position(|n| n.eq_ignore_ascii_case(name)).map(|i| i as PlanIx)
    }

    fn intern(&mut self, id: &str, name: &str) -> PlanIx {
        let key = id.to_ascii_lowercase();
        if let Some(&ix) = self.by_id.get(&key) {
            return ix;
        }
        let ix = self.ids.len() as PlanIx;
        self.ids.push(key.clone());
        self.names.push(name.to_string());
        self.by_id.insert(key, ix);
        ix
    }

    /// Resolve the catalog's exclusions and dependencies against the plans present (the same
    /// generated tables the planner reads; a dependency's alternatives already include every plan
    /// that covers one of them).
    fn resolve_rules(&mut self) {
        let n = self.names.len();
        self.exclusions = (0..n)
            .map(|i| catalog::exclusions(&self.names[i]).filter_map(|x| self.by_name(x)).collect())
            .collect();
        self.requires = (0..n)
            .map(|i| {
                let mut alts: Vec<PlanIx> = Vec::new();
                for dep in catalog::dependencies(&self.names[i]) {
                    alts.extend(self.by_name(dep));
                }
                alts.sort_unstable();
                alts.dedup();
                alts
            })
            .collect();
    }

    /// Does the catalog give this plan a dependency? (If none of the plans that would meet it
    /// exist in the tenant, it can never be met.)
    pub fn has_requirement(&self, plan: PlanIx) -> bool {
        !catalog::dependencies(&self.names[plan as usize]).is_empty()
    }
}

#[derive(Clone, Debug)]
pub struct SkuRec {
    pub sku_id: String,
    pub part_number: String,
    pub plans: Vec<PlanIx>,
    pub prepaid_enabled: i64,
    pub prepaid_warning: i64,
    /// Users holding the SKU through any working assignment (kept current by every change).
    pub consumed: i64,
}

/// A direct or group license as the tenant stores it: the SKU and the plans switched off.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StoredLicense {
    pub sku: SkuIx,
    pub disabled: Vec<PlanIx>,
}

/// Why a group license could not be applied to a member (Graph's licenseAssignmentState.error).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LicError {
    CountViolation,
    MutuallyExclusiveViolation,
    DependencyViolation,
    ProhibitedInUsageLocationViolation,
    /// Given here to a member with a duplicate proxy address (licensing-groups-resolve-problems,
    /// "Duplicate proxy addresses": the assignment "fails and shows 'Proxy address is already
    /// being used.'"; which code Graph reports for it is not documented).
    UniquenessViolation,
    /// Any other failure, e.g. a transient LicenseAssignmentAttributeConcurrencyException.
    Other,
}

/// How an entry reads when it is neither plainly Active nor Error. licenseassignmentstate lists
/// `ActiveWithError` and `Disabled` among the states without saying when Entra uses them, so the
/// simulator produces them only when a test asks (`licensing::show_entry_state`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum EntryState {
    /// The license works, and the entry carries an error code.
    ActiveWithError(LicError),
    /// The license does not work, and the entry carries no error code.
    Disabled,
}

impl LicError {
    pub fn as_str(self) -> &'static str {
        match self {
            LicError::UniquenessViolation => "UniquenessViolation",
            LicError::Other => "Other",
            LicError::CountViolation => "CountViolation",
            LicError::MutuallyExclusiveViolation => "MutuallyExclusiveViolation",
            LicError::DependencyViolation => "DependencyViolation",
            LicError::ProhibitedInUsageLocationViolation => "ProhibitedInUsageLocationViolation",
        }
    }
}

/// A license a user inherits from one group (one entry per group, as Graph reports them).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct GroupLic {
    pub group: GroupIx,
    pub lic: StoredLicense,
    pub error: Option<LicError>,
    pub updated_ms: u64,
    /// Read as another state than Active/Error (tests only; cleared when processed again).
    pub shown: Option<EntryState>,
}

#[derive(Clone, Debug, Default)]
pub struct UserRec {
    pub id: String,
    pub upn: String,
    pub display_name: String,
    pub given_name: Option<String>,
    pub surname: Option<String>,
    pub job_title: Option<String>,
    pub department: Option<String>,
    pub usage_location: Option<String>,
    pub account_enabled: bool,
    pub direct: Vec<StoredLicense>,
    pub direct_updated_ms: u64,
    pub inherited: Vec<GroupLic>,
    pub groups: Vec<GroupIx>,
    /// Another mailbox already uses one of this user's proxy addresses: group licenses with an
    /// Exchange Online plan fail for them with UniquenessViolation.
    pub duplicate_proxy_address: bool,
    /// Microsoft Entra directory roles held, by display name ("License Administrator"); see
    /// `roles.rs` for what each allows.
    pub roles: Vec<String>,
}

/// Graph's group `licenseProcessingState.state`
/// (<https://learn.microsoft.com/en-us/graph/api/resources/licenseprocessingstate>).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Processing {
    Queued,
    InProgress,
    Complete,
}

impl Processing {
    pub fn as_str(self) -> &'static str {
        match self {
            Processing::Queued => "QueuedForProcessing",
            Processing::InProgress => "ProcessingInProgress",
            Processing::Complete => "ProcessingComplete",
        }
    }
}

#[derive(Clone, Debug)]
pub struct GroupRec {
    pub id: String,
    pub display_name: String,
    pub description: Option<String>,
    pub group_types: Vec<String>,
    pub membership_rule: Option<String>,
    pub on_premises_sync_enabled: bool,
    pub mail_enabled: bool,
    pub security_enabled: bool,
    pub licenses: Vec<StoredLicense>,
    pub members: Vec<UserIx>,
    /// Members removed since the group was last processed: their licenses from it go then.
    pub departed: Vec<UserIx>,
    pub processing: Processing,
}

impl GroupRec {
    pub fn new(id: impl Into<String>, display_name: impl Into<String>) -> Self {
        GroupRec {
            id: id.into().to_ascii_lowercase(),
            display_name: display_name.into(),
            description: None,
            group_types: Vec::new(),
            membership_rule: None,
            on_premises_sync_enabled: false,
            mail_enabled: false,
            security_enabled: true,
            licenses: Vec::new(),
            members: Vec::new(),
            departed: Vec::new(),
            processing: Processing::Complete,
        }
    }
}

/// A pending background run of group-based licensing for one group.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct GroupJob {
    pub group: GroupIx,
    pub queued_ms: u64,
    /// When members start being processed (before: `QueuedForProcessing`).
    pub start_ms: u64,
    pub due_ms: u64,
    /// Members processed so far (in membership order).
    pub done: usize,
}

#[derive(Clone, Debug, Default)]
pub struct Tenant {
    pub name: String,
    pub tenant_id: String,
    pub domain: String,
    pub skus: Vec<SkuRec>,
    pub plans: PlanTable,
    pub users: Vec<UserRec>,
    pub groups: Vec<GroupRec>,
    pub jobs: Vec<GroupJob>,
    /// The signed-in administrator (`/me`, id token claims).
    pub admin: Option<UserIx>,
    /// (plan name or skuPartNumber, usage location) pairs where the service is not offered:
    /// group licensing gives such members ProhibitedInUsageLocationViolation.
    pub prohibited_locations: Vec<(String, String)>,
    /// Every change of a user's licenses, when `record_history` is on.
    pub history: Vec<crate::licensing::HistoryEntry>,
    pub record_history: bool,
    /// Re-evaluate a member's group licenses in error when the user's licenses change (the
    /// simulator's old behaviour; Entra leaves them in error until reprocessed). Set from
    /// `SimConfig::errors_stay_until_reprocessed` on every request.
    pub heal_errors_on_change: bool,
    /// Earlier versions of changed records, for reads that lag writes (`SimConfig::read_lag_ms`).
    pub(crate) replica: crate::replica::Replica,
    user_keys: HashMap<String, UserIx>,
    group_keys: HashMap<String, GroupIx>,
    /// Each user's userPrincipalName's first byte in lower case, by user index: a filter on the
    /// name's start turns most users away here, without reading their record (a count of one
    /// first character's holders tests every user of the tenant).
    upn_heads: Vec<u8>,
}

impl Tenant {
    pub fn new(name: &str, domain: &str, tenant_id: &str) -> Tenant {
        Tenant {
            name: name.into(),
            domain: domain.into(),
            tenant_id: tenant_id.to_ascii_lowercase(),
            record_history: true,
            heal_errors_on_change: true,
            ..Tenant::default()
        }
    }

    /// Subscribe to a catalog SKU (by skuId or skuPartNumber) with `prepaid` enabled units.
    pub fn add_sku(&mut self, id_or_part: &str, prepaid: i64) -> Result<SkuIx, String> {
        let def = catalog::sku(id_or_part).ok_or_else(|| format!("the catalog has no SKU '{id_or_part}'"))?;
        Ok(self.add_sku_def(def, prepaid))
    }

    /// Subscribe to a catalog SKU named by its generated static (`catalog::products::SKU_*`):
    /// unlike [`Tenant::add_sku`], this does not search the whole catalog, so the in-page demo
    /// carries only the products it subscribes to.
    pub fn add_sku_def(&mut self, def: &'static catalog::SkuDef, prepaid: i64) -> SkuIx {
        if let Some(ix) = self.sku_ix(def.sku_id) {
            self.skus[ix as usize].prepaid_enabled = prepaid;
            return ix;
        }
        let plans = def.plans.iter().map(|p| self.plans.intern(p.id, p.name)).collect();
        self.plans.resolve_rules();
        self.skus.push(SkuRec {
            sku_id: def.sku_id.to_ascii_lowercase(),
            part_number: def.part_number.into(),
            plans,
            prepaid_enabled: prepaid,
            prepaid_warning: 0,
            consumed: 0,
        });
        (self.skus.len() - 1) as SkuIx
    }

    pub fn sku_ix(&self, sku_id_or_part: &str) -> Option<SkuIx> {
        let k = sku_id_or_part.trim();
        self.skus
            .iter()
            .position(|s| s.sku_id.eq_ignore_ascii_case(k) || s.part_number.eq_ignore_ascii_case(k))
            .map(|i| i as SkuIx)
    }

    pub fn add_user(&mut self, mut u: UserRec) -> UserIx {
        u.id = u.id.to_ascii_lowercase();
        let ix = self.users.len() as UserIx;
        self.user_keys.insert(u.id.clone(), ix);
        self.user_keys.insert(u.upn.to_ascii_lowercase(), ix);
        self.upn_heads.push(upn_head(&u.upn));
        self.users.push(u);
        ix
    }

    /// Renames a user (fixtures only: no route the simulator models changes a name). Its
    /// userPrincipalName keeps finding it, in any letter case, as `/users/{id | userPrincipalName}`
    /// does (<https://learn.microsoft.com/graph/api/user-get>), and the old name no longer does.
    pub fn set_upn(&mut self, u: UserIx, upn: String) {
        let old = std::mem::replace(&mut self.users[u as usize].upn, upn);
        self.user_keys.remove(&old.to_ascii_lowercase());
        self.user_keys.insert(self.users[u as usize].upn.to_ascii_lowercase(), u);
        self.upn_heads[u as usize] = upn_head(&self.users[u as usize].upn);
    }

    /// The user's userPrincipalName's first byte in lower case (0 for an empty name), when the
    /// tenant knows it (users added through [`Tenant::add_user`]).
    #[inline]
    pub fn upn_head(&self, u: UserIx) -> Option<u8> {
        self.upn_heads.get(u as usize).copied()
    }

    pub fn add_group(&mut self, g: GroupRec) -> GroupIx {
        let ix = self.groups.len() as GroupIx;
        self.group_keys.insert(g.id.clone(), ix);
        self.groups.push(g);
        ix
    }

    /// Membership only; group licenses reach the new member when the group is next processed.
    pub fn add_member(&mut self, g: GroupIx, u: UserIx) {
        let group = &mut self.groups[g as usize];
        if !group.members.contains(&u) {
            group.members.push(u);
            self.users[u as usize].groups.push(g);
        }
    }

    /// Remove a member; their licenses from the group go when the group is next processed.
    pub fn remove_member(&mut self, g: GroupIx, u: UserIx) -> bool {
        let group = &mut self.groups[g as usize];
        let Some(pos) = group.members.iter().position(|&m| m == u) else { return false };
        group.members.remove(pos);
        group.departed.push(u);
        self.users[u as usize].groups.retain(|&x| x != g);
        true
    }

    /// A user by id or userPrincipalName, case-insensitive (Graph accepts both in `/users/{id}`).
    pub fn user_ix(&self, key: &str) -> Option<UserIx> {
        self.user_keys.get(&key.to_ascii_lowercase()).copied()
    }

    pub fn group_ix(&self, id: &str) -> Option<GroupIx> {
        self.group_keys.get(&id.to_ascii_lowercase()).copied()
    }

    /// The SKUs a user consumes a seat of: any direct license, any inherited one not in error.
    /// A user holding a SKU both ways consumes one seat.
    pub fn consumed_skus(&self, u: UserIx) -> Vec<SkuIx> {
        let user = &self.users[u as usize];
        let mut v: Vec<SkuIx> = user.direct.iter().map(|l| l.sku).collect();
        v.extend(user.inherited.iter().filter(|g| g.error.is_none()).map(|g| g.lic.sku));
        v.sort_unstable();
        v.dedup();
        v
    }

    /// The service plans enabled for a user through every working license, sorted.
    pub fn enabled_plans(&self, u: UserIx) -> Vec<PlanIx> {
        let user = &self.users[u as usize];
        let lics =
            user.direct.iter().chain(user.inherited.iter().filter(|g| g.error.is_none()).map(|g| &g.lic));
        self.plans_of(lics)
    }

    pub fn plans_of<'a>(&self, lics: impl Iterator<Item = &'a StoredLicense>) -> Vec<PlanIx> {
        let mut v = Vec::new();
        for l in lics {
            let sku = &self.skus[l.sku as usize];
            v.extend(sku.plans.iter().copied().filter(|p| !l.disabled.contains(p)));
        }
        v.sort_unstable();
        v.dedup();
        v
    }

    /// Recount every SKU's consumed units from scratch (after building a fixture).
    pub fn recount(&mut self) {
        let mut counts = vec![0i64; self.skus.len()];
        for u in 0..self.users.len() {
            for s in self.consumed_skus(u as UserIx) {
                counts[s as usize] += 1;
            }
        }
        for (sku, c) in self.skus.iter_mut().zip(counts) {
            sku.consumed = c;
        }
    }

    pub fn available(&self, sku: SkuIx) -> i64 {
        let s = &self.skus[sku as usize];
        s.prepaid_enabled - s.consumed
    }
}

fn upn_head(upn: &str) -> u8 {
    upn.as_bytes().first().map_or(0, u8::to_ascii_lowercase)
}
