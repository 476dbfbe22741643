//! The plan's types and what apply shares with the planner (the planner itself is the
//! licswap-planner crate, compiled for speed while the rest is compiled for size).
//!
//! - [`Plan`], [`Snapshot`], [`PlanRequest`] and the rest of the plan's types.
//! - [`parse_snapshot`] / [`parse_request`]: JSON input with errors that name the field and object.
//! - [`fingerprint_user`] / [`fingerprint_group`]: the stale-plan digests stamped on actions.
pub mod fastmap;
pub mod fingerprint;
mod id_list;
mod input;
mod sku_list;
mod types;

pub use fingerprint::{fingerprint_group, fingerprint_user};
pub use id_list::IdList;
pub use input::{parse_request, parse_snapshot};
pub use types::*;
