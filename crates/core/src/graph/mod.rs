//! Microsoft Graph's client logic over the transport seam (the wire types it reads and writes are
//! [`crate::model`]).
//!
//! [`client::GraphClient`] is the client: [`calls`] holds the typed calls, [`snapshot_load`] the
//! tenant load for the planner, [`health_load`] the load for the license-health screen, [`batch`] JSON `$batch`, [`paging`] `@odata.nextLink`, [`retry`]
//! the back-off, [`cancel`] cancellation, [`error`] the typed errors.
pub mod batch;
pub mod calls;
pub mod cancel;
pub mod client;
#[cfg(any(test, feature = "test-support"))]
pub mod clock;
pub mod error;
#[cfg(any(test, feature = "test-support"))]
pub mod fake;
pub mod health_load;
pub mod holder_partitions;
pub mod http;
pub mod limit;
pub mod paging;
mod repeats;
pub mod request;
pub mod retry;
pub mod snapshot_bundle;
pub mod snapshot_load;
pub mod token;

pub use cancel::CancelToken;
pub use client::{ClientConfig, ClientStats, GraphClient};
pub use error::{GraphError, HttpError};
pub use snapshot_load::{LoadPhase, LoadProgress};
pub use token::{AccessToken, StaticToken, TokenSource};
