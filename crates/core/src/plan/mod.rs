//! The planner: from a tenant [`Snapshot`] and a [`PlanRequest`] to a [`Plan`]. Pure: no I/O.
mod fingerprint;
mod types;

pub use fingerprint::{fingerprint_group, fingerprint_user};
pub use types::*;
