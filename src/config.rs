//! Where licswap signs in and which Graph it talks to: `config.json` beside `index.html`, or the
//! sign-in form (remembered in localStorage; configuration only, never a token).
//!
//! Tokens go only to Microsoft's hosts for the configured cloud: the authority and Graph addresses
//! are checked host by host on the parsed URL against the cloud's own (an exact-host allow-list,
//! never a prefix). Only config.json, the deployer's file, may name them at all; in the test build
//! (cargo feature `sim-endpoints`, which `cargo xtask test` builds its end-to-end bundle with) it
//! may also name sim-server on the loopback. The release build never talks to anything else.
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

    /// The sign-in host of [`Cloud::authority`]: the only one a token request may go to.
    pub fn authority_host(self) -> &'static str {
        host_of_default(self.authority())
    }

    /// The host of [`Cloud::graph_root`]: the only one a Graph token may go to.
    pub fn graph_host(self) -> &'static str {
        host_of_default(self.graph_root())
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
    /// Read from config.json, the deployer's file: the only source that may name endpoints.
    /// Never serialized, so nothing read back from storage can claim it.
    #[serde(skip)]
    pub from_file: bool,
}

fn host_of_default(url: &'static str) -> &'static str {
    url.strip_prefix("https://").unwrap_or(url)
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
/// Asked only when the admin reprocesses members after fixing their license errors (incremental
/// consent): Graph names User.ReadWrite.All as the least-privileged delegated permission of
/// `POST /users/{id}/reprocessLicenseAssignment`
/// (https://learn.microsoft.com/graph/api/user-reprocesslicenseassignment); the license
/// permission does not cover it. It can change much more than licenses, so it is asked for the
/// reprocessing alone and dropped right after (`Session::drop_write_scope`).
pub const REPROCESS_SCOPE: &str = "User.ReadWrite.All";

/// Which permissions a sign-in asks for beyond the read scopes (always asked).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct ScopeSet {
    /// [`WRITE_SCOPE`], to apply a plan.
    pub write: bool,
    /// [`REPROCESS_SCOPE`], to reprocess members.
    pub reprocess: bool,
}

impl ScopeSet {
    pub const READ: ScopeSet = ScopeSet { write: false, reprocess: false };
    pub const WRITE: ScopeSet = ScopeSet { write: true, reprocess: false };
    pub const REPROCESS: ScopeSet = ScopeSet { write: false, reprocess: true };

    /// The permissions asked beyond the read scopes.
    pub fn extra(self) -> impl Iterator<Item = &'static str> {
        [(self.write, WRITE_SCOPE), (self.reprocess, REPROCESS_SCOPE)]
            .into_iter()
            .filter(|(on, _)| *on)
            .map(|(_, s)| s)
    }
}

/// Whether this build may point config.json at sim-server on the loopback: only the test build.
pub const LOOPBACK_ALLOWED: bool = cfg!(feature = "sim-endpoints");

/// The parts of an endpoint URL the allow-list looks at.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Endpoint {
    pub https: bool,
    /// Lower case, as written (no trailing-dot or IDN games: compared exactly).
    pub host: String,
    pub port: Option<u16>,
    /// Without the trailing slash; "" for the root.
    pub path: String,
}

impl Endpoint {
    /// `host` or `host:port`, for the screen.
    pub fn host_and_port(&self) -> String {
        match self.port {
            Some(p) => format!("{}:{p}", self.host),
            None => self.host.clone(),
        }
    }

    fn is_loopback(&self) -> bool {
        !self.https && (self.host == "127.0.0.1" || self.host == "localhost")
    }
}

/// Parses an absolute http(s) URL strictly: no user info, no query or fragment, no backslash,
/// whitespace or non-ASCII anywhere (each of them is a way to make a prefix check and a browser
/// disagree about the host).
pub fn parse_endpoint(url: &str) -> Result<Endpoint, String> {
    let bad = |why: &str| format!("\"{url}\" is not a usable address ({why})");
    if url.chars().any(|c| !c.is_ascii_graphic() || c == '\\') {
        return Err(bad("it has spaces, backslashes or non-ASCII characters"));
    }
    let lower = url.to_ascii_lowercase();
    let (https, rest) = if let Some(r) = lower.strip_prefix("https://") {
        (true, r)
    } else if let Some(r) = lower.strip_prefix("http://") {
        (false, r)
    } else {
        return Err(bad("it must start with https://"));
    };
    if rest.contains(['?', '#']) {
        return Err(bad("it must not have a query or fragment"));
    }
    let (authority, path) = match rest.find('/') {
        Some(i) => (&rest[..i], &rest[i..]),
        None => (rest, ""),
    };
    if authority.contains(['@', '[', ']']) {
        return Err(bad("it must name a host only"));
    }
    let (host, port) = match authority.rsplit_once(':') {
        Some((h, p)) => (h, Some(p.parse::<u16>().map_err(|_| bad("its port is not a number"))?)),
        None => (authority, None),
    };
    if host.is_empty() || !host.chars().all(|c| c.is_ascii_alphanumeric() || c == '.' || c == '-') {
        return Err(bad("its host is not a host name"));
    }
    let port = match (https, port) {
        (true, Some(443)) | (false, Some(80)) => None,
        (_, p) => p,
    };
    // The path keeps its case (Graph's version segment is compared case-insensitively below).
    let path = url[url.len() - path.len()..].trim_end_matches('/').to_string();
    Ok(Endpoint { https, host: host.to_string(), port, path })
}

/// Checks one endpoint against the cloud's host (exact) or, in the test build, the loopback.
fn allowed(
    what: &str,
    url: &str,
    cloud_host: &str,
    path_ok: impl Fn(&str) -> bool,
    loopback: bool,
) -> Result<(), String> {
    let e = parse_endpoint(url).map_err(|m| format!("{what}: {m}"))?;
    let host_ok = (e.https && e.host == cloud_host && e.port.is_none()) || (loopback && e.is_loopback());
    if !host_ok {
        return Err(format!(
            "{what} must be on {cloud_host}, this cloud's Microsoft host: tokens are sent to no other (\"{url}\")"
        ));
    }
    if !path_ok(&e.path) {
        return Err(format!("{what} has an unexpected path (\"{url}\")"));
    }
    Ok(())
}

/// A tenant as the authority's path takes it: a domain name, a tenant id (GUID), or one of
/// Entra's audience words, so nothing can change the path after the host.
fn tenant_ok(t: &str) -> bool {
    !t.is_empty()
        && t.len() <= 256
        && t.chars().all(|c| c.is_ascii_alphanumeric() || c == '.' || c == '-')
        && !t.starts_with(['.', '-'])
        && !t.contains("..")
}

impl Config {
    /// A configuration read back from this browser's storage or typed into the form: it never
    /// names endpoints (those come only from config.json), so any it carries are dropped.
    pub fn remembered(mut self) -> Config {
        self.authority = None;
        self.graph_base_url = None;
        self.redirect_uri = None;
        // The approval policy is the deployer's too: a value in storage cannot set or lift it.
        self.require_approval_above = None;
        self.from_file = false;
        self
    }

    /// Trims fields and checks that the configuration can be used; the message says what to fix.
    pub fn validated(self) -> Result<Config, String> {
        self.validated_with(LOOPBACK_ALLOWED)
    }

    /// [`Config::validated`] with the loopback rule given (tests check both builds' rules).
    pub fn validated_with(mut self, loopback: bool) -> Result<Config, String> {
        self.client_id = self.client_id.trim().to_string();
        self.tenant = self.tenant.trim().to_string();
        if self.client_id.is_empty() {
            return Err(
                "the client id is missing: copy the Application (client) ID of your app registration".into(),
            );
        }
        if !self.client_id.chars().all(|c| c.is_ascii_alphanumeric() || c == '-') {
            return Err(format!("the client id \"{}\" is not an application id", self.client_id));
        }
        if self.tenant.is_empty() {
            return Err(
                "the tenant is missing: give your tenant's domain (contoso.onmicrosoft.com) or id".into()
            );
        }
        if !tenant_ok(&self.tenant) {
            return Err(format!("the tenant \"{}\" is not a domain name or id", self.tenant));
        }
        if !self.from_file && (self.authority.is_some() || self.graph_base_url.is_some()) {
            return Err("other sign-in or Graph addresses can only be set in config.json".into());
        }
        let cloud = self.cloud;
        if let Some(u) = &self.authority {
            allowed("authority", u, cloud.authority_host(), str::is_empty, loopback)?;
        }
        if let Some(u) = &self.graph_base_url {
            let v1 = |p: &str| p.eq_ignore_ascii_case("/v1.0");
            allowed("graphBaseUrl", u, cloud.graph_host(), v1, loopback)?;
        }
        if let Some(u) = &self.redirect_uri {
            let e = parse_endpoint(u).map_err(|m| format!("redirectUri: {m}"))?;
            if !e.https && !e.is_loopback() {
                return Err(format!("redirectUri must be an https:// address (\"{u}\")"));
            }
        }
        // Hosts compare without case, so the addresses are kept in lower case: every URL built
        // from them then names the host exactly as the allow-list does (libFuzzer found
        // "https://login.microsOftonline.us" accepted and its token endpoint written as given).
        // parse_endpoint refused anything but printable ASCII, so lower-casing changes no meaning.
        let mut ok = self;
        ok.authority = ok.authority.map(|u| u.to_ascii_lowercase());
        ok.graph_base_url = ok.graph_base_url.map(|u| u.to_ascii_lowercase());
        Ok(ok)
    }

    /// The sign-in host and the Graph host this configuration sends tokens to, for the screen.
    pub fn effective_hosts(&self) -> (String, String) {
        let host = |u: String| parse_endpoint(&u).map(|e| e.host_and_port()).unwrap_or(u);
        (host(self.authority()), host(self.graph_base_url()))
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
    pub fn scopes(&self, set: ScopeSet) -> String {
        let prefix = match self.cloud {
            Cloud::Global => String::new(),
            c => format!("{}/", c.graph_root()),
        };
        let s = READ_SCOPES.iter().copied().chain(set.extra());
        let mut s: Vec<String> = s.map(|p| format!("{prefix}{p}")).collect();
        s.push("offline_access".into());
        s.join(" ")
    }
}

/// Reads config.json's text. An error names what is wrong, for the screen.
pub fn parse_config(text: &str) -> Result<Config, String> {
    let mut cfg: Config =
        serde_json::from_str(text).map_err(|e| format!("config.json is not valid: {e}"))?;
    cfg.from_file = true;
    cfg.validated().map_err(|e| format!("config.json: {e}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A Microsoft host written in mixed case is the same host: accepted, and every endpoint built
    /// from it names the host in lower case (the config_json fuzz target's finding).
    #[test]
    fn mixed_case_hosts_are_kept_in_lower_case() {
        let c = parse_config(
            r#"{"clientId":"a","tenant":"t","cloud":"usGov","authority":"https://login.microsOftonline.us","graphBaseUrl":"https://Graph.Microsoft.US/V1.0"}"#,
        )
        .unwrap();
        assert!(c.token_endpoint().starts_with("https://login.microsoftonline.us/"), "{}", c.token_endpoint());
        assert_eq!(c.graph_base_url(), "https://graph.microsoft.us/v1.0");
        assert_eq!(c.effective_hosts(), ("login.microsoftonline.us".into(), "graph.microsoft.us".into()));
    }

    fn file(text: &str, loopback: bool) -> Result<Config, String> {
        let mut c: Config = serde_json::from_str(text).map_err(|e| e.to_string())?;
        c.from_file = true;
        c.validated_with(loopback)
    }

    const SIM: &str = r#"{"clientId":"abc","tenant":"contoso.onmicrosoft.com","authority":"http://127.0.0.1:9000/",
                "graphBaseUrl":"http://127.0.0.1:9000/v1.0"}"#;

    #[test]
    fn sim_server_config_overrides_endpoints_in_the_test_build_only() {
        let c = file(SIM, true).unwrap();
        assert_eq!(c.token_endpoint(), "http://127.0.0.1:9000/contoso.onmicrosoft.com/oauth2/v2.0/token");
        assert_eq!(c.graph_base_url(), "http://127.0.0.1:9000/v1.0");
        assert_eq!(c.effective_hosts(), ("127.0.0.1:9000".into(), "127.0.0.1:9000".into()));
        // The release build refuses the loopback even from config.json.
        assert!(file(SIM, false).unwrap_err().contains("login.microsoftonline.com"));
        // Loopback never comes from storage or the form, not even in the test build.
        let stored: Config = serde_json::from_str(SIM).unwrap();
        assert!(!stored.from_file, "provenance is never read from storage");
        assert!(stored.clone().validated_with(true).is_err());
        let r = stored.remembered().validated_with(true).unwrap();
        assert_eq!(r.graph_base_url(), "https://graph.microsoft.com/v1.0");
        assert_eq!(r.token_endpoint(), "https://login.microsoftonline.com/contoso.onmicrosoft.com/oauth2/v2.0/token");
    }

    #[test]
    fn only_the_clouds_own_hosts_receive_tokens() {
        let cfg = |cloud: &str, auth: &str, graph: &str| {
            file(
                &format!(r#"{{"clientId":"a","tenant":"t","cloud":"{cloud}","authority":"{auth}","graphBaseUrl":"{graph}"}}"#),
                true,
            )
        };
        for (cloud, auth, graph) in [
            ("global", "https://login.microsoftonline.com", "https://graph.microsoft.com/v1.0"),
            ("global", "https://LOGIN.microsoftonline.com/", "https://graph.microsoft.com:443/v1.0/"),
            ("usGov", "https://login.microsoftonline.us", "https://graph.microsoft.us/v1.0"),
            ("china", "https://login.chinacloudapi.cn", "https://microsoftgraph.chinacloudapi.cn/v1.0"),
        ] {
            assert!(cfg(cloud, auth, graph).is_ok(), "{cloud} {auth} {graph}");
        }
        let ok_auth = "https://login.microsoftonline.com";
        let ok_graph = "https://graph.microsoft.com/v1.0";
        for graph in [
            "https://graph-proxy.evil/v1.0",
            "https://graph.microsoft.com.evil.com/v1.0",
            "https://evil.com/graph.microsoft.com/v1.0",
            "https://graph.microsoft.com@evil.com/v1.0",
            "https://evil.com\\@graph.microsoft.com/v1.0",
            "https://graph.microsoft.com./v1.0",
            "https://graph.microsoft.com:8443/v1.0",
            "http://graph.microsoft.com/v1.0",
            "https://graph.microsoft.us/v1.0",
            "https://graph.microsoft.com/beta",
            "https://graph.microsoft.com/v1.0?x=1",
            "http://localhost.evil.com/v1.0",
            "http://127.0.0.1.nip.io/v1.0",
            "http://127.0.0.1@evil.com/v1.0",
            "ftp://graph.microsoft.com/v1.0",
        ] {
            assert!(cfg("global", ok_auth, graph).is_err(), "graph {graph} must be refused");
        }
        for auth in [
            "https://evil",
            "https://login.microsoftonline.com.evil.com",
            "https://login.microsoftonline.com@evil.com",
            "https://login.microsoftonline.com/extra",
            "https://login.microsoftonline.us",
            "http://login.microsoftonline.com",
            "http://localhost.evil.com",
        ] {
            assert!(cfg("global", auth, ok_graph).is_err(), "authority {auth} must be refused");
        }
    }

    #[test]
    fn tenant_client_and_redirect_are_checked() {
        for t in ["a/b", "a?b", "a#b", "a b", "a\\b", "a%2fb", "a@b", "a:b", "..", "-x"] {
            let text = format!(r#"{{"clientId":"a","tenant":{}}}"#, serde_json::to_string(t).unwrap());
            assert!(parse_config(&text).is_err(), "tenant {t:?} must be refused");
        }
        for t in ["contoso.onmicrosoft.com", "organizations", "0a1b2c3d-0000-4000-8000-000000000000"] {
            assert!(parse_config(&format!(r#"{{"clientId":"a","tenant":"{t}"}}"#)).is_ok(), "{t}");
        }
        assert!(parse_config(r#"{"clientId":"a&b=c","tenant":"t"}"#).is_err());
        assert!(parse_config(r#"{"clientId":"a","tenant":"t","redirectUri":"javascript:alert(1)"}"#).is_err());
        assert!(parse_config(r#"{"clientId":"a","tenant":"t","redirectUri":"http://evil.com/"}"#).is_err());
        assert!(parse_config(r#"{"clientId":"a","tenant":"t","redirectUri":"https://app.example.com/"}"#).is_ok());
    }

    /// The release page's Content-Security-Policy lets the page connect (and submit forms) only to
    /// itself and the three clouds' Microsoft hosts.
    #[test]
    fn release_csp_names_only_self_and_the_clouds_hosts() {
        let html = include_str!("../index.html");
        let start = html.find("Content-Security-Policy\" content=\"").expect("a CSP meta") + 34;
        let csp = &html[start..start + html[start..].find('"').unwrap()];
        let directive = |name: &str| -> Vec<String> {
            let d = csp.split(';').map(str::trim).find(|d| d.starts_with(&format!("{name} "))).unwrap();
            let mut v: Vec<String> = d.split_whitespace().skip(1).map(String::from).collect();
            v.sort();
            v
        };
        let mut connect = vec!["'self'".to_string()];
        let mut forms = vec!["'self'".to_string()];
        for c in Cloud::ALL {
            connect.push(format!("https://{}", c.authority_host()));
            connect.push(format!("https://{}", c.graph_host()));
            forms.push(format!("https://{}", c.authority_host()));
        }
        connect.sort();
        forms.sort();
        assert_eq!(directive("connect-src"), connect);
        assert_eq!(directive("form-action"), forms);
        assert!(!csp.contains("127.0.0.1") && !csp.contains("localhost") && !csp.contains("https:;"));
    }

    #[test]
    fn clouds_pick_their_endpoints_and_scope_prefix() {
        let c = parse_config(r#"{"clientId":"a","tenant":"t","cloud":"US Government"}"#).unwrap();
        assert_eq!(c.cloud, Cloud::UsGov);
        assert_eq!(c.authorize_endpoint(), "https://login.microsoftonline.us/t/oauth2/v2.0/authorize");
        assert_eq!(c.graph_base_url(), "https://graph.microsoft.us/v1.0");
        assert!(c.scopes(ScopeSet::WRITE).contains("https://graph.microsoft.us/LicenseAssignment.ReadWrite.All"));
        assert!(c.scopes(ScopeSet::REPROCESS).contains("https://graph.microsoft.us/User.ReadWrite.All"));
        let g = parse_config(r#"{"clientId":"a","tenant":"t"}"#).unwrap();
        assert_eq!(
            g.scopes(ScopeSet::READ),
            "User.Read.All GroupMember.Read.All LicenseAssignment.Read.All offline_access"
        );
        // Each extra permission only when its step asks for it.
        assert_eq!(
            g.scopes(ScopeSet::WRITE),
            "User.Read.All GroupMember.Read.All LicenseAssignment.Read.All LicenseAssignment.ReadWrite.All offline_access"
        );
        assert_eq!(
            g.scopes(ScopeSet::REPROCESS),
            "User.Read.All GroupMember.Read.All LicenseAssignment.Read.All User.ReadWrite.All offline_access"
        );
        assert!(!g.scopes(ScopeSet::REPROCESS).contains(WRITE_SCOPE));
        assert_eq!(ScopeSet { write: true, reprocess: true }.extra().count(), 2);
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
        assert!(parse_config(r#"{"clientId":"a","tenant":"t","graphBaseUrl":"https://evil/v1.0"}"#)
            .unwrap_err()
            .contains("graph.microsoft.com"));
    }

    #[test]
    fn the_approval_policy_is_optional() {
        let c = parse_config(r#"{"clientId":"a","tenant":"t","requireApprovalAbove":50}"#).unwrap();
        assert_eq!(c.require_approval_above, Some(50));
        assert_eq!(parse_config(r#"{"clientId":"a","tenant":"t"}"#).unwrap().require_approval_above, None);
    }
}
