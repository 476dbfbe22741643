//! Microsoft Graph: wire types and the client logic over the transport seam.
pub mod http;
pub mod model;
