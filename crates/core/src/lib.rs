//! licswap-core: everything licswap decides, with no I/O.
//!
//! - [`graph`]: Microsoft Graph wire types and the client logic (paging, `$batch`, retry) over the
//!   [`graph::http::Transport`] seam, so the same code runs against Graph, sim-server and the
//!   in-process demo tenant.
//! - [`plan`]: the planner, the rules of the "change license assignments" procedure.
//! - [`apply`]: the executor state machine and its journal.
//! - [`share`]: shared-preview encoding.
//! - [`userlist`]: the pasted or uploaded list of users in scope.
// The wasm release build is size-optimized (opt-level "z") but for the planner's hot paths,
// which `--cfg licswap_speed` (set by `cargo xtask` for that build) compiles for speed.
#![cfg_attr(licswap_speed, feature(optimize_attribute))]
pub mod apply;
pub mod catalog;
pub mod graph;
pub mod plan;
pub mod share;
pub mod userlist;
