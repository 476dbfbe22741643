//! licswap-core: everything licswap decides, with no I/O.
//!
//! - [`graph`]: Microsoft Graph wire types and the client logic (paging, `$batch`, retry) over the
//!   [`graph::http::Transport`] seam, so the same code runs against Graph, sim-server and the
//!   in-process demo tenant.
//! - [`plan`]: the plan's types and fingerprints (the planner is the licswap-planner crate).
//! - [`apply`]: the executor state machine and its journal.
//! - [`share`]: shared-preview encoding.
//! - [`approval`]: plan digests, approvals of shared previews, approved-vs-live comparison, audit.
//! - [`userlist`]: the pasted or uploaded list of users in scope.
pub mod apply;
pub mod approval;
pub mod catalog;
pub mod graph;
pub mod plan;
pub mod share;
pub mod userlist;
