//! The planner: from a tenant [`Snapshot`] and a [`PlanRequest`] to a [`Plan`]. Pure: no I/O.
//!
//! - [`plan()`]: the planner (rules in `DESIGN.md`, "Planner rules"; details on each [`FindingCode`]).
//! - [`parse_snapshot`] / [`parse_request`]: JSON input with errors that name the field and object.
//! - [`fingerprint_user`] / [`fingerprint_group`]: the stale-plan digests stamped on actions.
mod actions;
mod bits;
mod build;
mod evaluate;
mod fastmap;
mod findings;
mod fingerprint;
mod id_list;
mod input;
mod mapping;
mod memo;
mod output;
mod resolve;
mod rollback;
mod rows;
mod scope;
#[cfg(any(test, feature = "testgen"))]
pub mod testgen;
mod types;
mod user_findings;

pub use build::plan;
pub use fingerprint::{fingerprint_group, fingerprint_user};
pub use id_list::IdList;
pub use input::{parse_request, parse_snapshot};
pub use types::*;
