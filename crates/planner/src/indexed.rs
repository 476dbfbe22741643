//! A snapshot kept with the indexes of its users, for planning it more than once: the app loads a
//! tenant once and plans it for every preview (another scope, other options, an approval's check
//! that the plan still holds). Indexing reads every user's strings, a quarter of a plan at
//! 100,000 users in the page; kept here, it is paid once, when the tenant has been read.
use crate::plan::plan_prepared;
use crate::resolve::Prepared;
use licswap_core::plan::{Plan, PlanError, PlanRequest, Snapshot};
use std::fmt;
use std::ops::Deref;

/// A [`Snapshot`] and its users' indexes, made together and never apart: the snapshot cannot be
/// changed while it is here (it reads through `Deref`), so the indexes always describe it. Take
/// it back with [`Indexed::into_snapshot`] to change it, and index it again after.
pub struct Indexed {
    snapshot: Snapshot,
    prepared: Prepared,
}

impl Indexed {
    /// Indexes `snapshot`'s users. Fails as [`plan()`](fn@crate::plan) would on the same snapshot (a skuId
    /// listed twice).
    pub fn new(snapshot: Snapshot) -> Result<Self, PlanError> {
        let prepared = Prepared::new(&snapshot)?;
        Ok(Indexed { snapshot, prepared })
    }

    /// Plans `request`: the plan [`plan()`](fn@crate::plan) gives for the same snapshot and request.
    pub fn plan(&self, request: &PlanRequest) -> Result<Plan, PlanError> {
        plan_prepared(&self.snapshot, &self.prepared, request)
    }

    /// Whether [`Indexed::user_by_guid`] can find users: every user's id is a GUID (Graph's
    /// always are; a hand-made snapshot's may not be).
    pub fn has_guid_index(&self) -> bool {
        self.prepared.guids().is_some()
    }

    /// The position in `users` of the user whose id is `id` (in any letter case; a repeated id
    /// finds its last user), through the users' GUID index, made on first use and kept. A user's
    /// id is a GUID (<https://learn.microsoft.com/graph/api/resources/user>, property `id`), whose
    /// hex digits are "case insensitive on input" (RFC 4122, section 3); Graph's pages do not
    /// say how it compares them, and the planner's other indexes ignore case alike. `None` when
    /// no user has that id, and always when [`Indexed::has_guid_index`] is false.
    pub fn user_by_guid(&self, id: &str) -> Option<usize> {
        self.prepared.guids()?.find(id).map(|u| u as usize)
    }

    pub fn snapshot(&self) -> &Snapshot {
        &self.snapshot
    }

    pub fn into_snapshot(self) -> Snapshot {
        self.snapshot
    }
}

impl Deref for Indexed {
    type Target = Snapshot;

    fn deref(&self) -> &Snapshot {
        &self.snapshot
    }
}

/// Equal when the snapshots are: the indexes follow from them.
impl PartialEq for Indexed {
    fn eq(&self, other: &Self) -> bool {
        self.snapshot == other.snapshot
    }
}

impl fmt::Debug for Indexed {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Indexed").field("snapshot", &self.snapshot).finish_non_exhaustive()
    }
}
