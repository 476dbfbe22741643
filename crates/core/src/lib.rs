//! licswap-core: everything licswap decides, with no I/O.
//!
//! The modules stack in floors, each importing only from the floors below it:
//!
//! 1. [`model`]: Microsoft Graph's wire types (users, groups, SKUs, `assignLicense` bodies), the
//!    vocabulary every other part speaks; [`catalog`]: Microsoft's licensing tables; [`hash`]:
//!    FNV-1a, the checksum and fingerprint hash; [`shared_str`]: one copy of the ids and codes a
//!    tenant's records repeat.
//! 2. [`plan`]: the plan's types and fingerprints (the planner is the licswap-planner crate).
//! 3. [`graph`]: the Graph client (paging, `$batch`, retry) over the [`graph::http::Transport`]
//!    seam, so the same code runs against Graph, sim-server and the in-process demo tenant;
//!    [`share`]: shared-preview encoding; [`userlist`]: the pasted or uploaded list of users in
//!    scope; [`health`]: group-licensing errors, the health screen's input and report.
//! 4. [`apply`]: the executor state machine and its journal.
//! 5. [`approval`]: plan digests, approvals of shared previews, approved-vs-live comparison, audit.
//!
//! `crates/itest/tests/architecture.rs` checks that no import runs back up.
pub mod apply;
pub mod approval;
pub mod catalog;
pub mod graph;
pub mod hash;
pub mod health;
pub mod html;
pub mod model;
pub mod plan;
pub mod share;
pub mod shared_str;
pub mod userlist;
