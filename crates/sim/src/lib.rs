//! licswap-sim: an in-memory Microsoft Graph tenant (v1.0 licensing subset) with the Entra ID
//! sign-in endpoints, for licswap's demo mode and tests. Microsoft's Graph v1.0 documentation is
//! the specification; modules cite the pages their behaviour comes from.
//!
//! - [`Sim::handle`] answers one HTTP-shaped request at a given time (`now_ms`): no clock, thread
//!   or OS randomness inside, so the library runs in the browser (wasm32) and tests reproduce.
//! - [`SimTransport`] puts it behind licswap-core's `Transport` seam, with seeded fault injection.
//! - [`fixtures`]: the demo tenant and a seeded generator; `sim-server` (feature `server`)
//!   serves either on 127.0.0.1.
//!
//! Feature `full` (on by default) adds what only tests and sim-server need: the Entra sign-in
//! endpoints and token checks (`auth`, `scopes`, `roles`), Graph's throttling (`throttle`),
//! injected faults and their in-process transport (`transport`), and the seeded tenant generator.
//! The browser app turns it off: its demo tenant needs only the tenant and the Graph routes, so
//! none of the rest is compiled into the page.
#[cfg(feature = "full")]
pub mod auth;
mod batch;
pub mod config;
pub mod fixtures;
#[cfg(feature = "full")]
mod gates;
pub mod inspect;
pub mod licensing;
pub mod odata;
mod render;
pub mod replica;
pub mod rng;
pub mod roles;
pub(crate) mod routes;
#[cfg(feature = "full")]
mod scopes;
#[cfg(feature = "server")]
pub mod server;
mod sim;
pub mod tenant;
#[cfg(feature = "full")]
pub mod throttle;
#[cfg(feature = "full")]
pub mod transport;
pub mod wire;

pub use config::{ClientApp, Faults, GroupPace, SimConfig, ThrottleConfig, DEFAULT_CLIENT_ID, GRAPH_EXPOSED_HEADERS};
pub use inspect::{Change, ServiceLoss};
pub use licensing::HistoryEntry;
pub use sim::{AppliedWrite, Delivery, Sim, Stats};
pub use tenant::Tenant;
#[cfg(feature = "full")]
pub use transport::SimTransport;
