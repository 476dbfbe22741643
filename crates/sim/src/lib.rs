//! licswap-sim: an in-memory Microsoft Graph tenant.
pub mod fixtures {
    /// The demo tenant's display name, shown by the app in demo mode.
    pub const DEMO_TENANT_NAME: &str = "Contoso Demo";
}
