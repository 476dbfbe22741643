//! Every user's licenses decoded once per snapshot ([`crate::Indexed`]): flat rows of indices
//! (SKU, group, interned disabled-plan set) that scope, evaluation, memo keys and actions read
//! instead of the users' strings. At 100,000 users the planner's time went to
//! chasing each user's strings again in every pass (the planning budget, ARCHITECTURE.md); the rows are small and read in order.
use super::resolve::Indexes;
use licswap_core::model::User;
use licswap_core::plan::fastmap::FastMap;

/// `DecodedLicense::group` of a direct assignment.
pub(crate) const DIRECT: u32 = u32::MAX;
/// `DecodedLicense::group` of an assignment inherited from a group the snapshot does not have.
pub(crate) const UNKNOWN_GROUP: u32 = u32::MAX - 1;
/// `DecodedLicense::sku` of a SKU that is not in the snapshot's subscribedSkus.
pub(crate) const NO_SKU: u32 = u32::MAX;

/// Where a license on a user comes from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Via {
    Direct,
    /// Inherited from a group: its index in the snapshot when present.
    Group(Option<u32>),
}

/// One license on a user: from `licenseAssignmentStates`, or from `assignedLicenses` (all taken
/// as direct) for a user read without them.
#[derive(Clone, Copy, Debug)]
pub(crate) struct DecodedLicense {
    pub sku: u32,
    pub group: u32,
    /// Interned disabled-plan set: [`Rows::set`].
    pub disabled: u32,
    pub error: bool,
    /// The SKU id is spelled as subscribedSkus spells it (so `sku` stands for the string too).
    pub exact: bool,
    /// Position in the user's list it was read from (for wording and for the strings themselves).
    pub at: u32,
}

impl DecodedLicense {
    pub fn sku(&self) -> Option<usize> {
        (self.sku != NO_SKU).then_some(self.sku as usize)
    }

    pub fn via(&self) -> Via {
        match self.group {
            DIRECT => Via::Direct,
            UNKNOWN_GROUP => Via::Group(None),
            g => Via::Group(Some(g)),
        }
    }
}

pub(crate) const NO_LOCATION: u8 = 1;
pub(crate) const DISABLED_ACCOUNT: u8 = 2;
/// Some license is in an error state.
pub(crate) const ERRORS: u8 = 4;
/// Read from `assignedLicenses` (the user has no `licenseAssignmentStates`).
pub(crate) const FROM_ASSIGNED: u8 = 8;

/// Bit of a SKU index in [`Rows::held`]; indices from 63 on share the last bit, which sends
/// [`Rows::holds`] to the strings.
const OVERFLOW: u64 = 1 << 63;

pub(crate) struct Rows {
    lics: Vec<DecodedLicense>,
    start: Vec<u32>,
    /// `assignedLicenses` as (SKU, disabled set), for the fingerprint key.
    assigned: Vec<[u32; 2]>,
    assigned_start: Vec<u32>,
    flags: Vec<u8>,
    /// SKUs in `assignedLicenses` or `licenseAssignmentStates`, as bits of their index.
    held: Vec<u64>,
    /// Interned disabled-plan sets, `words` each; set 0 is the empty set.
    sets: Vec<u64>,
    words: usize,
}

/// Decodes the users into [`Rows`], in snapshot order, interning what they repeat.
pub(crate) struct RowsBuilder<'a> {
    rows: Rows,
    set_ids: FastMap<&'a [String], u32>,
    /// What a [`SharedStr`] the users repeat stands for, by the address of its text: SKU ids and
    /// group ids are pooled at decoding (one copy per distinct text), so a 100,000-user tenant
    /// holds a few hundred addresses, and the memo answers without hashing 36 bytes (a group) or
    /// comparing the id with every SKU's (a SKU) for every license. The snapshot is borrowed
    /// while the rows are built, so an address keeps its text.
    ///
    /// [`SharedStr`]: licswap_core::shared_str::SharedStr
    by_addr: FastMap<(usize, u8), u32>,
}

/// Entries [`RowsBuilder::by_addr`] keeps at most: text that was not pooled (pool full, fuzzed
/// input) has an address per user, and is then read each time instead.
const MOST_BY_ADDR: usize = 4096;

fn sku_bit(k: Option<usize>) -> u64 {
    match k {
        Some(k) if k < 63 => 1 << k,
        Some(_) => OVERFLOW,
        None => 0,
    }
}

impl<'a> RowsBuilder<'a> {
    pub fn new(words: usize, users: usize) -> Self {
        let mut start = Vec::with_capacity(users + 1);
        start.push(0);
        let rows = Rows {
            lics: Vec::with_capacity(users * 2),
            assigned: Vec::with_capacity(users * 2),
            assigned_start: start.clone(),
            start,
            flags: Vec::with_capacity(users),
            held: Vec::with_capacity(users),
            sets: vec![0; words],
            words,
        };
        RowsBuilder { rows, set_ids: FastMap::default(), by_addr: FastMap::default() }
    }

    /// The rows of every user pushed.
    pub fn finish(self) -> Rows {
        self.rows
    }

    /// `answer(text)`, memoized by the text's address (see [`RowsBuilder::by_addr`]); `kind`
    /// keeps the questions apart (a SKU's index and a group's of the same text differ).
    #[inline]
    fn by_addr(&mut self, text: &str, kind: u8, answer: impl FnOnce(&str) -> u32) -> u32 {
        let key = (text.as_ptr() as usize, kind);
        if let Some(&a) = self.by_addr.get(&key) {
            return a;
        }
        let a = answer(text);
        if self.by_addr.len() < MOST_BY_ADDR {
            self.by_addr.insert(key, a);
        }
        a
    }

    /// Decode the next user (users are pushed in snapshot order).
    pub fn push(&mut self, t: &Indexes<'a>, u: &'a User) {
        let mut flags = 0u8;
        let mut held = 0u64;
        let from_assigned = u.license_assignment_states.is_empty();
        if from_assigned {
            flags |= FROM_ASSIGNED;
        }
        for (at, l) in u.assigned_licenses.iter().enumerate() {
            let (k, exact) = self.sku_of(t, &l.sku_id);
            held |= sku_bit(k);
            let disabled = self.intern(t, &l.disabled_plans);
            let sku = k.map_or(NO_SKU, |k| k as u32);
            self.rows.assigned.push([sku, disabled]);
            if from_assigned {
                self.rows.lics.push(DecodedLicense {
                    sku,
                    group: DIRECT,
                    disabled,
                    error: false,
                    exact,
                    at: at as u32,
                });
            }
        }
        if !from_assigned {
            for (at, s) in u.license_assignment_states.iter().enumerate() {
                let (k, exact) = self.sku_of(t, &s.sku_id);
                held |= sku_bit(k);
                let group = match &s.assigned_by_group {
                    None => DIRECT,
                    Some(g) => self.by_addr(g, 1, |g| t.group(g).unwrap_or(UNKNOWN_GROUP)),
                };
                let error = s.error_code().is_some();
                if error {
                    flags |= ERRORS;
                }
                let disabled = self.intern(t, &s.disabled_plans);
                let sku = k.map_or(NO_SKU, |k| k as u32);
                self.rows.lics.push(DecodedLicense { sku, group, disabled, error, exact, at: at as u32 });
            }
        }
        if u.usage_location.as_deref().is_none_or(|l| l.bytes().all(|b| b.is_ascii_whitespace())) {
            flags |= NO_LOCATION;
        }
        if u.account_enabled == Some(false) {
            flags |= DISABLED_ACCOUNT;
        }
        let r = &mut self.rows;
        r.start.push(r.lics.len() as u32);
        r.assigned_start.push(r.assigned.len() as u32);
        r.flags.push(flags);
        r.held.push(held);
    }

    /// [`Indexes::sku_of_exact`], by the id's address.
    fn sku_of(&mut self, t: &Indexes<'a>, sku_id: &str) -> (Option<usize>, bool) {
        const EXACT: u32 = 1 << 31;
        let a = self.by_addr(sku_id, 0, |id| match t.sku_of_exact(id) {
            (Some(k), exact) => k as u32 | if exact { EXACT } else { 0 },
            (None, _) => NO_SKU,
        });
        if a == NO_SKU {
            (None, false)
        } else {
            (Some((a & !EXACT) as usize), a & EXACT != 0)
        }
    }

    /// Sets are interned by their exact spelling, so a set id also stands for the strings.
    fn intern(&mut self, t: &Indexes<'a>, ids: &'a [String]) -> u32 {
        if ids.is_empty() {
            return 0;
        }
        if let Some(&i) = self.set_ids.get(ids) {
            return i;
        }
        let (sets, words) = (&mut self.rows.sets, self.rows.words);
        let at = sets.len();
        sets.resize(at + words, 0);
        t.bits_of(ids, &mut sets[at..]);
        let i = (at / words) as u32;
        self.set_ids.insert(ids, i);
        i
    }

}

impl Rows {
    /// No user's rows.
    pub const EMPTY: Rows = Rows {
        lics: Vec::new(),
        start: Vec::new(),
        assigned: Vec::new(),
        assigned_start: Vec::new(),
        flags: Vec::new(),
        held: Vec::new(),
        sets: Vec::new(),
        words: 0,
    };

    #[inline]
    pub fn lics(&self, user: u32) -> &[DecodedLicense] {
        &self.lics[self.start[user as usize] as usize..self.start[user as usize + 1] as usize]
    }

    #[inline]
    pub fn flags(&self, user: u32) -> u8 {
        self.flags[user as usize]
    }

    #[inline]
    pub fn set(&self, id: u32) -> &[u64] {
        &self.sets[id as usize * self.words..(id as usize + 1) * self.words]
    }

    /// The user holds SKU `sku` (directly, inherited, or in `assignedLicenses` only).
    pub fn holds(&self, t: &Indexes<'_>, user: u32, sku: usize) -> bool {
        let held = self.held[user as usize];
        let bit = sku_bit(Some(sku));
        if bit != OVERFLOW {
            return held & bit != 0;
        }
        let u = &t.users[user as usize];
        let is = |s: &str| t.sku_of(s) == Some(sku);
        held & OVERFLOW != 0
            && (u.assigned_licenses.iter().any(|l| is(&l.sku_id))
                || u.license_assignment_states.iter().any(|s| is(&s.sku_id)))
    }

    fn own_lic(&self, user: u32, sku: usize) -> Option<&DecodedLicense> {
        self.lics(user).iter().find(|l| l.group == DIRECT && l.sku() == Some(sku))
    }

    /// Stands for the user's own assignments of SKUs `skus` as spelled ([`Rows::own`]): users with
    /// equal keys have equal strings. None when a SKU id is spelled otherwise than subscribedSkus
    /// spells it, or for more than four SKUs (the key has room for four).
    pub fn own_key(&self, user: u32, skus: &[usize]) -> Option<u128> {
        if skus.len() > 4 {
            return None;
        }
        let part = |l: Option<&DecodedLicense>| match l {
            None => Some(0u128),
            Some(l) if l.exact => Some(u128::from(l.disabled) + 1),
            Some(_) => None,
        };
        let mut key = 0u128;
        for (i, &k) in skus.iter().enumerate() {
            key |= part(self.own_lic(user, k))? << (32 * i);
        }
        Some(key)
    }

    /// What the user's fingerprint reads, as indices into `out` ([`licswap_core::plan::fingerprint`]: each
    /// assignedLicense's SKU and disabled plans, each state's SKU and group): users with equal
    /// keys have equal fingerprints. False when a SKU or group is not in the snapshot (its id
    /// then has no index).
    pub fn fingerprint_key(&self, user: u32, out: &mut Vec<u64>) -> bool {
        out.clear();
        let (from, to) = (self.assigned_start[user as usize], self.assigned_start[user as usize + 1]);
        let assigned = &self.assigned[from as usize..to as usize];
        out.push(assigned.len() as u64);
        for &[sku, set] in assigned {
            if sku == NO_SKU {
                return false;
            }
            out.push(u64::from(sku) | u64::from(set) << 32);
        }
        if self.flags(user) & FROM_ASSIGNED == 0 {
            for l in self.lics(user) {
                if l.sku == NO_SKU || l.group == UNKNOWN_GROUP {
                    return false;
                }
                out.push(u64::from(l.sku) | u64::from(l.group) << 32);
            }
        }
        true
    }

    /// The user's own (direct) assignment of SKU `sku`, as read: its SKU id and disabled plans.
    pub fn own<'u>(&self, u: &'u User, user: u32, sku: usize) -> Option<(&'u str, &'u [String])> {
        let l = self.own_lic(user, sku)?;
        Some(if self.flags(user) & FROM_ASSIGNED != 0 {
            let a = &u.assigned_licenses[l.at as usize];
            (a.sku_id.as_str(), a.disabled_plans.as_slice())
        } else {
            let s = &u.license_assignment_states[l.at as usize];
            (s.sku_id.as_str(), s.disabled_plans.as_slice())
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use licswap_core::model::{AssignedLicense, LicenseAssignmentState, ServicePlanInfo, SubscribedSku};
    use licswap_core::plan::Snapshot;

    fn sku(n: usize) -> SubscribedSku {
        SubscribedSku {
            id: None,
            sku_id: format!("5ku00000-0000-0000-0000-{n:012}"),
            sku_part_number: format!("SKU{n}"),
            applies_to: None,
            capability_status: None,
            consumed_units: 0,
            prepaid_units: Default::default(),
            service_plans: vec![ServicePlanInfo {
                service_plan_id: format!("abcdef00-0000-0000-0000-{n:012}"),
                service_plan_name: format!("PLAN{n}"),
                provisioning_status: None,
                applies_to: None,
            }],
        }
    }

    fn user(id: &str, assigned: Vec<AssignedLicense>, states: Vec<LicenseAssignmentState>) -> User {
        User {
            id: id.into(),
            user_principal_name: None,
            display_name: None,
            usage_location: Some(" ".into()),
            account_enabled: Some(false),
            assigned_licenses: assigned,
            license_assignment_states: states,
        }
    }

    fn state(sku_id: &str, group: Option<&str>, disabled: &[&str], error: &str) -> LicenseAssignmentState {
        LicenseAssignmentState {
            sku_id: sku_id.into(),
            assigned_by_group: group.map(Into::into),
            disabled_plans: disabled.iter().map(|d| d.to_string()).collect(),
            error: Some(error.into()),
            state: None,
            last_updated_date_time: None,
        }
    }

    /// SKUs past the 63 that fit the held mask, ids spelled in another case, groups the snapshot
    /// lacks, and disabled sets interned by spelling.
    #[test]
    fn rows_say_what_the_strings_say() {
        let skus: Vec<SubscribedSku> = (0..70).map(sku).collect();
        let id = |n: usize| skus[n].sku_id.clone();
        let plan = |n: usize| skus[n].service_plans[0].service_plan_id.clone();
        let lic =
            |n: usize| AssignedLicense { sku_id: id(n).to_uppercase().into(), disabled_plans: vec![plan(n)] };
        let users = vec![
            user("a", vec![lic(66), lic(2)], vec![]),
            user(
                "b",
                vec![lic(65)],
                vec![
                    state(&id(1), Some("no-such-group"), &[&plan(1)], "None"),
                    state(&id(1), None, &[&plan(1).to_uppercase()], "CountViolation"),
                    state("not-a-subscribed-sku", None, &[], "None"),
                ],
            ),
        ];
        let snapshot = Snapshot { tenant_name: None, skus: skus.clone(), users, groups: vec![] };
        let prepared = crate::resolve::Prepared::new(&snapshot).expect("a valid snapshot");
        let t = Indexes::new(&snapshot, &prepared, false).expect("a valid snapshot");
        let r = &t.rows;
        assert!(r.holds(&t, 0, 66) && r.holds(&t, 0, 2) && !r.holds(&t, 0, 65) && !r.holds(&t, 0, 1));
        assert!(r.holds(&t, 1, 65) && r.holds(&t, 1, 1) && !r.holds(&t, 1, 66) && !r.holds(&t, 1, 2));

        let a = r.lics(0);
        assert_eq!(r.flags(0), FROM_ASSIGNED | NO_LOCATION | DISABLED_ACCOUNT);
        assert_eq!((a[0].sku(), a[0].via(), a[0].at), (Some(66), Via::Direct, 0));
        assert_eq!((a[1].sku(), a[1].at), (Some(2), 1));
        assert!(crate::bits::has(r.set(a[1].disabled), t.plan_of(&plan(2)).expect("known plan")));
        let first = &snapshot.users[0].assigned_licenses[0];
        assert_eq!(r.own(&snapshot.users[0], 0, 66), Some((&first.sku_id[..], &first.disabled_plans[..])));

        let b = r.lics(1);
        assert_eq!(r.flags(1), ERRORS | NO_LOCATION | DISABLED_ACCOUNT);
        assert_eq!((b[0].via(), b[0].error), (Via::Group(None), false));
        assert_eq!((b[1].via(), b[1].error, b[1].at), (Via::Direct, true, 1));
        assert_eq!(b[2].sku(), None);
        assert_ne!(b[0].disabled, b[1].disabled, "sets spelled differently are interned apart");
        assert_eq!(r.set(b[0].disabled), r.set(b[1].disabled), "and mean the same plans");
        let own = r.own(&snapshot.users[1], 1, 1).expect("a direct SKU 1");
        assert_eq!(own.1, &snapshot.users[1].license_assignment_states[1].disabled_plans[..]);
        assert_eq!(r.own(&snapshot.users[1], 1, 65), None, "assignedLicenses alone are not read as own");
    }
}
