//! The pieces of an authorization-code + PKCE request: verifier/challenge (S256) and the `state`
//! value from the `oauth2` crate (random from the browser's crypto through getrandom), and the
//! URL encoding, written here rather than pulling a URL parser into the wasm bundle.
use crate::config::Config;

#[derive(Clone, PartialEq, Eq)]
pub struct Pkce {
    pub verifier: String,
    /// BASE64URL(SHA256(verifier)).
    pub challenge: String,
}

impl std::fmt::Debug for Pkce {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Pkce(redacted)")
    }
}

pub fn new_pkce() -> Pkce {
    let (challenge, verifier) = oauth2::PkceCodeChallenge::new_random_sha256();
    Pkce { verifier: verifier.secret().to_string(), challenge: challenge.as_str().to_string() }
}

/// An unguessable value the redirect must bring back unchanged (CSRF protection).
pub fn new_state() -> String {
    oauth2::CsrfToken::new_random().secret().to_string()
}

/// application/x-www-form-urlencoded, as in RFC 6749 appendix B.
pub fn encode(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' => out.push(b as char),
            b' ' => out.push('+'),
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}

pub fn form(pairs: &[(&str, &str)]) -> String {
    pairs.iter().map(|(k, v)| format!("{}={}", encode(k), encode(v))).collect::<Vec<_>>().join("&")
}

fn decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'+' => out.push(b' '),
            b'%' if i + 2 < bytes.len()
                && bytes[i + 1].is_ascii_hexdigit()
                && bytes[i + 2].is_ascii_hexdigit() =>
            {
                let hex = |c: u8| (c as char).to_digit(16).unwrap_or(0) as u8;
                out.push(hex(bytes[i + 1]) * 16 + hex(bytes[i + 2]));
                i += 2;
            }
            b => out.push(b),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// A parameter of a query string (`?code=...&state=...`), decoded.
pub fn query_param(query: &str, name: &str) -> Option<String> {
    let q = query.strip_prefix('?').unwrap_or(query);
    q.split('&')
        .filter_map(|kv| kv.split_once('=').or(Some((kv, ""))))
        .find(|(k, _)| decode(k) == name)
        .map(|(_, v)| decode(v))
}

/// The authorize request (https://learn.microsoft.com/entra/identity-platform/v2-oauth2-auth-code-flow).
/// `response_mode=fragment` (one of the values that page lists for the code flow): the code comes
/// back after `#`, which the browser never sends to the static host, so it is in no access log.
pub fn authorize_url(cfg: &Config, redirect_uri: &str, scopes: &str, state: &str, challenge: &str) -> String {
    let q = form(&[
        ("client_id", &cfg.client_id),
        ("response_type", "code"),
        ("redirect_uri", redirect_uri),
        ("response_mode", "fragment"),
        ("scope", scopes),
        ("state", state),
        ("code_challenge", challenge),
        ("code_challenge_method", "S256"),
    ]);
    format!("{}?{q}", cfg.authorize_endpoint())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pkce_is_s256_of_a_random_verifier() {
        let a = new_pkce();
        let b = new_pkce();
        assert_ne!(a.verifier, b.verifier);
        assert!(a.verifier.len() >= 43 && a.challenge.len() == 43);
        assert_ne!(new_state(), new_state());
    }

    #[test]
    fn authorize_url_carries_every_parameter_encoded() {
        let cfg =
            crate::config::parse_config(r#"{"clientId":"c1","tenant":"contoso.onmicrosoft.com"}"#).unwrap();
        let u = authorize_url(&cfg, "http://127.0.0.1:8080/", "User.Read.All offline_access", "s t", "ch");
        assert!(u.starts_with(
            "https://login.microsoftonline.com/contoso.onmicrosoft.com/oauth2/v2.0/authorize?client_id=c1&"
        ));
        assert!(u.contains("redirect_uri=http%3A%2F%2F127.0.0.1%3A8080%2F"));
        assert!(u.contains("scope=User.Read.All+offline_access"));
        assert!(u.contains("state=s+t") && u.contains("code_challenge_method=S256"));
        assert!(u.contains("response_mode=fragment"), "the code never reaches the static host's logs");
    }

    #[test]
    fn query_params_decode() {
        let q = "?code=a%2Bb&state=x+y&error_description=AADSTS50011%3A+bad&empty";
        assert_eq!(query_param(q, "code").as_deref(), Some("a+b"));
        assert_eq!(query_param(q, "state").as_deref(), Some("x y"));
        assert_eq!(query_param(q, "error_description").as_deref(), Some("AADSTS50011: bad"));
        assert_eq!(query_param(q, "empty").as_deref(), Some(""));
        assert_eq!(query_param(q, "nope"), None);
        assert_eq!(query_param("?x=%zz%4", "x").as_deref(), Some("%zz%4"));
    }
}
