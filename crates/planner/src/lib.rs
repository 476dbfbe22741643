//! The planner: from a tenant [`Snapshot`] and a [`PlanRequest`] to a [`Plan`]. Pure: no I/O.
//! The rules, in short, are in `ARCHITECTURE.md` (`crates/planner`); each is a
//! [`licswap_core::plan::FindingCode`], documented there with the Microsoft page it follows.
//! The plan's types live in [`licswap_core::plan`], which apply and shared previews use too.
//!
//! A crate of its own because the release profile compiles it at opt-level 3 and everything else
//! for size (the budgets in ARCHITECTURE.md): the planner runs in a lazily loaded chunk of the page, so its size does not
//! count against the first download, and at 100,000 users its speed is what the admin waits for.
//!
//! [`Snapshot`]: licswap_core::plan::Snapshot
//! [`PlanRequest`]: licswap_core::plan::PlanRequest
//! [`Plan`]: licswap_core::plan::Plan
mod actions;
mod bits;
mod evaluate;
mod findings;
pub mod health;
mod indexed;
mod mapping;
mod memo;
mod output;
mod plan;
mod resolve;
mod rollback;
mod rows;
mod scope;
mod sides;
mod set_aside;
#[cfg(any(test, feature = "testgen"))]
pub mod testgen;
mod user_findings;
mod user_index;

pub use indexed::Indexed;
pub use plan::plan;
