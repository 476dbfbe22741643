//! Where licswap signs in and which Graph it talks to: `config.json` beside `index.html`, or the
//! sign-in form (remembered in localStorage; configuration only, never a token).
use serde::{Deserialize, Serialize};

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum Cloud {
    #[default]
    Global,
    /// Microsoft Graph for US Government L4 (GCC High).
    UsGov,
    /// Microsoft Graph China operated by 21Vianet.
    China,
}

impl Cloud {
    pub const ALL: [Cloud; 3] = [Cloud::Global, Cloud::UsGov, Cloud::China];

    /// Entra endpoints and Graph roots per national cloud:
    /// https://learn.microsoft.com/graph/deployments
    pub fn authority(self) -> &'static str {
        match self {
            Cloud::Global => "https://login.microsoftonline.com",
            Cloud::UsGov => "https://login.microsoftonline.us",
            Cloud::China => "https://login.chinacloudapi.cn",
        }
    }

    pub fn graph_root(self) -> &'static str {
        match self {
            Cloud::Global => "https://graph.microsoft.com",
            Cloud::UsGov => "https://graph.microsoft.us",
            Cloud::China => "https://microsoftgraph.chinacloudapi.cn",
        }
    }

    pub fn key(self) -> &'static str {
        match self {
            Cloud::Global => "global",
            Cloud::UsGov => "usGov",
            Cloud::China => "china",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Cloud::Global => "Global (graph.microsoft.com)",
            Cloud::UsGov => "US Government (graph.microsoft.us)",
            Cloud::China => "China, operated by 21Vianet (microsoftgraph.chinacloudapi.cn)",
        }
    }

    pub fn from_key(key: &str) -> Option<Cloud> {
        Cloud::ALL.into_iter().find(|c| c.key().eq_ignore_ascii_case(key))
    }
}

/// The deployment's configuration (config.json's field names).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Config {
    /// The app registration's Application (client) ID.
    pub client_id: String,
    /// Tenant id or domain, or "organizations".
    pub tenant: String,
    #[serde(default, deserialize_with = "cloud_lenient")]
    pub cloud: Cloud,
    /// Overrides the cloud's authority (sim-server: `http://127.0.0.1:PORT`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub authority: Option<String>,
    /// Overrides the cloud's Graph version root (sim-server: `http://127.0.0.1:PORT/v1.0`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub graph_base_url: Option<String>,
    /// Defaults to the page's own address without query or fragment.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub redirect_uri: Option<String>,
    /// The organisation's four-eyes policy: a plan that changes more than this many users is
    /// applied only from an approved preview (the apply screen enforces it).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub require_approval_above: Option<u64>,
}

fn cloud_lenient<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Cloud, D::Error> {
    let s = String::deserialize(d)?;
    let norm: String = s.chars().filter(|c| c.is_ascii_alphanumeric()).collect();
    match norm.to_ascii_lowercase().as_str() {
        "" | "global" | "public" | "commercial" => Ok(Cloud::Global),
        "usgov" | "usgovernment" | "gcchigh" | "us" => Ok(Cloud::UsGov),
        "china" | "21vianet" | "cn" => Ok(Cloud::China),
        _ => Err(serde::de::Error::custom(format!(
            "unknown cloud \"{s}\" (use \"global\", \"usGov\" or \"china\")"
        ))),
    }
}

/// What the read-only preview needs, least privileged per call (the simulator's table in
/// crates/sim/src/scopes.rs follows the same pages):
/// subscribedSkus: LicenseAssignment.Read.All (https://learn.microsoft.com/graph/api/subscribedsku-list);
/// users with assignedLicenses/licenseAssignmentStates: User.Read.All (https://learn.microsoft.com/graph/api/user-list;
/// User.ReadBasic.All reads no license properties);
/// groups and their members: GroupMember.Read.All (https://learn.microsoft.com/graph/api/group-list,
/// https://learn.microsoft.com/graph/api/group-list-members).
/// A group's membersWithLicenseErrors has no documented permission; no scope is asked for it:
/// when Graph refuses it, group processing is judged from the members' license states alone.
pub const READ_SCOPES: [&str; 3] = ["User.Read.All", "GroupMember.Read.All", "LicenseAssignment.Read.All"];
/// Asked only when the admin applies (incremental consent): user and group assignLicense,
/// https://learn.microsoft.com/graph/api/user-assignlicense, https://learn.microsoft.com/graph/api/group-assignlicense.
pub const WRITE_SCOPE: &str = "LicenseAssignment.ReadWrite.All";

impl Config {
    /// Trims fields and checks that the configuration can be used; the message says what to fix.
    pub fn validated(mut self) -> Result<Config, String> {
        self.client_id = self.client_id.trim().to_string();
        self.tenant = self.tenant.trim().to_string();
        if self.client_id.is_empty() {
            return Err(
                "the client id is missing: copy the Application (client) ID of your app registration".into(),
            );
        }
        if self.tenant.is_empty() {
            return Err(
                "the tenant is missing: give your tenant's domain (contoso.onmicrosoft.com) or id".into()
            );
        }
        if self.tenant.contains(['/', '?', '#', ' ']) {
            return Err(format!("the tenant \"{}\" is not a domain name or id", self.tenant));
        }
        for (what, url) in [("authority", &self.authority), ("graphBaseUrl", &self.graph_base_url)] {
            if let Some(u) = url {
                if !(u.starts_with("https://")
                    || u.starts_with("http://127.0.0.1")
                    || u.starts_with("http://localhost"))
                {
                    return Err(format!(
                        "{what} must be an https:// URL (or http://127.0.0.1 for the simulator): \"{u}\""
                    ));
                }
            }
        }
        Ok(self)
    }

    pub fn authority(&self) -> String {
        self.authority
            .clone()
            .unwrap_or_else(|| self.cloud.authority().into())
            .trim_end_matches('/')
            .to_string()
    }

    pub fn authorize_endpoint(&self) -> String {
        format!("{}/{}/oauth2/v2.0/authorize", self.authority(), self.tenant)
    }

    pub fn token_endpoint(&self) -> String {
        format!("{}/{}/oauth2/v2.0/token", self.authority(), self.tenant)
    }

    pub fn graph_base_url(&self) -> String {
        self.graph_base_url
            .clone()
            .unwrap_or_else(|| format!("{}/v1.0", self.cloud.graph_root()))
            .trim_end_matches('/')
            .to_string()
    }

    /// Scopes for a token request. Outside the global cloud, Graph scopes carry the cloud's Graph
    /// resource as prefix; `offline_access` gets the refresh token for silent renewal.
    pub fn scopes(&self, write: bool) -> String {
        let prefix = match self.cloud {
            Cloud::Global => String::new(),
            c => format!("{}/", c.graph_root()),
        };
        let mut s: Vec<String> = READ_SCOPES.iter().map(|p| format!("{prefix}{p}")).collect();
        if write {
            s.push(format!("{prefix}{WRITE_SCOPE}"));
        }
        s.push("offline_access".into());
        s.join(" ")
    }
}

/// Reads config.json's text. An error names what is wrong, for the screen.
pub fn parse_config(text: &str) -> Result<Config, String> {
    let cfg: Config = serde_json::from_str(text).map_err(|e| format!("config.json is not valid: {e}"))?;
    cfg.validated().map_err(|e| format!("config.json: {e}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sim_server_config_overrides_endpoints() {
        let c = parse_config(
            r#"{"clientId":"abc","tenant":"contoso.onmicrosoft.com","authority":"http://127.0.0.1:9000/",
                "graphBaseUrl":"http://127.0.0.1:9000/v1.0"}"#,
        )
        .unwrap();
        assert_eq!(c.token_endpoint(), "http://127.0.0.1:9000/contoso.onmicrosoft.com/oauth2/v2.0/token");
        assert_eq!(c.graph_base_url(), "http://127.0.0.1:9000/v1.0");
    }

    #[test]
    fn clouds_pick_their_endpoints_and_scope_prefix() {
        let c = parse_config(r#"{"clientId":"a","tenant":"t","cloud":"US Government"}"#).unwrap();
        assert_eq!(c.cloud, Cloud::UsGov);
        assert_eq!(c.authorize_endpoint(), "https://login.microsoftonline.us/t/oauth2/v2.0/authorize");
        assert_eq!(c.graph_base_url(), "https://graph.microsoft.us/v1.0");
        assert!(c.scopes(true).contains("https://graph.microsoft.us/LicenseAssignment.ReadWrite.All"));
        let g = parse_config(r#"{"clientId":"a","tenant":"t"}"#).unwrap();
        assert_eq!(
            g.scopes(false),
            "User.Read.All GroupMember.Read.All LicenseAssignment.Read.All offline_access"
        );
    }

    #[test]
    fn malformed_configs_are_explained() {
        assert!(parse_config("{").unwrap_err().contains("not valid"));
        assert!(parse_config(r#"{"clientId":"","tenant":"t"}"#).unwrap_err().contains("client id"));
        assert!(parse_config(r#"{"clientId":"a","tenant":"t","cloud":"mars"}"#)
            .unwrap_err()
            .contains("mars"));
        assert!(parse_config(r#"{"clientId":"a","tenant":"t","authority":"http://evil"}"#).is_err());
        assert!(parse_config(r#"{"clientId":"a","tenant":"t","requireApprovalAbove":"ten"}"#).is_err());
    }

    #[test]
    fn the_approval_policy_is_optional() {
        let c = parse_config(r#"{"clientId":"a","tenant":"t","requireApprovalAbove":50}"#).unwrap();
        assert_eq!(c.require_approval_above, Some(50));
        assert_eq!(parse_config(r#"{"clientId":"a","tenant":"t"}"#).unwrap().require_approval_above, None);
    }
}
