//! Reads that lag writes: Entra serves directory reads from replicas, so "a successful write to
//! Microsoft Entra does not guarantee that an immediate read will reflect that change"
//! (<https://devblogs.microsoft.com/identity/designing-for-eventual-consistency-for-microsoft-entra/>,
//! March 2026; also "Microsoft Graph and eventual consistency" in
//! <https://learn.microsoft.com/en-us/graph/aad-advanced-queries>). Microsoft publishes no bound
//! for the lag, so the simulator's is a knob (`SimConfig::read_lag_ms`), off by default.
//!
//! Model: while the knob is on, every change to a user's licenses, a group or a SKU's consumed
//! count keeps the record as it was before, stamped with the change's time. A read with lag `L`
//! at `now` sees the tenant as it was at `now - L`: each record that changed after that moment
//! is swapped back to its oldest later version for the duration of the read, then swapped forward
//! again (no copies; writes always see the current tenant). Versions older than the largest lag
//! are dropped.
use crate::tenant::{GroupIx, GroupRec, SkuIx, Tenant, UserIx, UserRec};

/// A record as it was before the change at `changed_ms`.
#[derive(Clone, Debug)]
enum Old {
    User(UserIx, Box<UserRec>),
    Group(GroupIx, Box<GroupRec>),
    Consumed(SkuIx, i64),
}

#[derive(Clone, Debug)]
struct Version {
    changed_ms: u64,
    old: Old,
}

/// The versions a lagging read may still see, oldest first.
#[derive(Clone, Debug, Default)]
pub struct Replica {
    /// The largest lag a read may have; 0 keeps nothing (the default, read-your-writes).
    pub(crate) keep_ms: u64,
    versions: Vec<Version>,
}

impl Replica {
    fn on(&self) -> bool {
        self.keep_ms > 0
    }

    /// Drop versions no read can see any more.
    pub(crate) fn prune(&mut self, now: u64) {
        let horizon = now.saturating_sub(self.keep_ms);
        if self.keep_ms == 0 {
            self.versions.clear();
        } else {
            self.versions.retain(|v| v.changed_ms > horizon);
        }
    }

    pub fn len(&self) -> usize {
        self.versions.len()
    }

    pub fn is_empty(&self) -> bool {
        self.versions.is_empty()
    }
}

impl Tenant {
    /// How many earlier versions lagging reads may still see (0 when reads do not lag).
    pub fn lagging_versions(&self) -> usize {
        self.replica.len()
    }

    /// Keep user `u` as it is now, before a change at `now` (when reads may lag).
    pub(crate) fn remember_user(&mut self, u: UserIx, now: u64) {
        if self.replica.on() {
            let old = Old::User(u, Box::new(self.users[u as usize].clone()));
            self.replica.versions.push(Version { changed_ms: now, old });
        }
    }

    /// Keep group `g` as it is now, before a change at `now`.
    pub(crate) fn remember_group(&mut self, g: GroupIx, now: u64) {
        if self.replica.on() {
            let old = Old::Group(g, Box::new(self.groups[g as usize].clone()));
            self.replica.versions.push(Version { changed_ms: now, old });
        }
    }

    /// Keep a SKU's consumed count as it is now, before a change at `now`.
    pub(crate) fn remember_consumed(&mut self, s: SkuIx, now: u64) {
        if self.replica.on() {
            let old = Old::Consumed(s, self.skus[s as usize].consumed);
            self.replica.versions.push(Version { changed_ms: now, old });
        }
    }

    /// Run `read` over the tenant as it was at `as_of_ms` (every change after it undone).
    pub(crate) fn read_as_of<R>(&mut self, as_of_ms: u64, read: impl FnOnce(&mut Tenant) -> R) -> R {
        let mut replica = std::mem::take(&mut self.replica);
        let later = replica.versions.iter().position(|v| v.changed_ms > as_of_ms);
        let Some(first) = later else {
            self.replica = replica;
            return read(self);
        };
        // Newest first: after the loop each record holds its oldest version newer than as_of.
        for v in replica.versions[first..].iter_mut().rev() {
            self.swap_version(&mut v.old);
        }
        let out = read(self);
        for v in replica.versions[first..].iter_mut() {
            self.swap_version(&mut v.old);
        }
        self.replica = replica;
        out
    }

    fn swap_version(&mut self, old: &mut Old) {
        match old {
            Old::User(u, rec) => std::mem::swap(&mut self.users[*u as usize], rec),
            Old::Group(g, rec) => std::mem::swap(&mut self.groups[*g as usize], rec),
            Old::Consumed(s, n) => std::mem::swap(&mut self.skus[*s as usize].consumed, n),
        }
    }
}
