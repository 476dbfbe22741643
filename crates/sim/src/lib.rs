//! licswap-sim: an in-memory Microsoft Graph tenant (v1.0 licensing subset) with the Entra ID
//! sign-in endpoints, for licswap's demo mode and tests. Microsoft's Graph v1.0 documentation is
//! the specification; modules cite the pages their behaviour comes from.
//!
//! - [`Sim::handle`] answers one HTTP-shaped request at a given time (`now_ms`): no clock, thread
//!   or OS randomness inside, so the library runs in the browser (wasm32) and tests reproduce.
//! - [`SimTransport`] puts it behind licswap-core's `Transport` seam, with seeded fault injection.
//! - [`fixtures`]: the demo tenant and a seeded generator; `sim-server` (feature `server`)
//!   serves either on 127.0.0.1.
pub mod auth;
mod batch;
pub mod config;
pub mod fixtures;
pub mod inspect;
pub mod licensing;
pub mod odata;
mod render;
pub mod replica;
pub mod rng;
pub mod roles;
pub(crate) mod routes;
mod scopes;
#[cfg(feature = "server")]
pub mod server;
mod sim;
pub mod tenant;
pub mod throttle;
pub mod transport;
pub mod wire;

pub use auth::ClientApp;
pub use config::{Faults, GroupPace, SimConfig, DEFAULT_CLIENT_ID, GRAPH_EXPOSED_HEADERS};
pub use inspect::{Change, ServiceLoss};
pub use licensing::HistoryEntry;
pub use sim::{AppliedWrite, Delivery, Sim, Stats};
pub use tenant::Tenant;
pub use throttle::ThrottleConfig;
pub use transport::SimTransport;
