//! Microsoft Graph: wire types and the client logic over the transport seam.
pub mod clock;
pub mod http;
pub mod model;
