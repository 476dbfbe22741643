//! Entra ID's sign-in errors as plain sentences that say what to fix. Codes from
//! https://learn.microsoft.com/entra/identity-platform/reference-error-codes.
//!
//! Consent: every permission licswap asks for needs an administrator's consent
//! (User.Read.All, GroupMember.Read.All, LicenseAssignment.Read.All and .ReadWrite.All are "Admin
//! consent required: Yes", https://learn.microsoft.com/graph/permissions-reference). Only a Global
//! Administrator, Privileged Role Administrator, Cloud Application Administrator or Application
//! Administrator may grant it tenant-wide; a License Administrator cannot
//! (https://learn.microsoft.com/entra/identity/enterprise-apps/grant-admin-consent). Until one
//! does, Entra stops the sign-in at "Need admin approval" (AADSTS90094, or AADSTS90093 when a
//! policy forbids user consent, https://learn.microsoft.com/entra/identity/enterprise-apps/application-sign-in-unexpected-user-consent-error);
//! the app sees that error, or AADSTS65001/65004, only if the user returns to it.

/// The AADSTS number in an error description ("AADSTS50011: The redirect URI ...").
pub fn aadsts_code(description: &str) -> Option<u32> {
    let at = description.find("AADSTS")?;
    let digits: String = description[at + 6..].chars().take_while(|c| c.is_ascii_digit()).collect();
    digits.parse().ok()
}

/// The app registration an administrator must consent to.
#[derive(Clone, Copy, Debug)]
pub struct ConsentTarget<'a> {
    /// `https://login.microsoftonline.com` (or the configured authority).
    pub authority: &'a str,
    pub tenant: &'a str,
    pub client_id: &'a str,
}

/// Entra's tenant-wide admin-consent URL for the app (grant-admin-consent, "Construct the URL for
/// granting tenant-wide admin consent": `{authority}/{organization}/adminconsent?client_id=`),
/// bringing the administrator back to this page afterwards.
pub fn admin_consent_url(target: &ConsentTarget, redirect_uri: &str) -> String {
    let mut url = format!(
        "{}/{}/adminconsent?client_id={}",
        target.authority.trim_end_matches('/'),
        encode(target.tenant),
        encode(target.client_id)
    );
    if !redirect_uri.is_empty() {
        url.push_str(&format!("&redirect_uri={}", encode(redirect_uri)));
    }
    url
}

fn encode(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// Is this a "the tenant has not consented, an administrator must" answer? AADSTS90094 (needs an
/// admin), 90093 (a policy forbids user consent), 65001 (not consented), 65004 (consent declined:
/// also what a user sees who cannot consent and goes back).
pub fn needs_admin_consent(description: &str) -> bool {
    matches!(aadsts_code(description), Some(90094 | 90093 | 90095 | 65001 | 65004))
}

/// Who must do what when the tenant has not consented, with the link to do it.
fn admin_consent_sentence(target: Option<&ConsentTarget>, redirect_uri: &str) -> String {
    let how = match target {
        Some(t) => format!(
            "They can open {} and accept, or use Entra admin center > App registrations > licswap > API permissions > Grant admin consent.",
            admin_consent_url(t, redirect_uri)
        ),
        None => "They do it in the Entra admin center: App registrations > licswap > API permissions > Grant admin consent.".to_string(),
    };
    format!(
        "Your organization has not yet approved licswap's permissions (read users, group members and licenses; \
         change licenses when you apply). Only an administrator can approve them for the whole tenant: a Global \
         Administrator, Privileged Role Administrator, Cloud Application Administrator or Application Administrator \
         must grant admin consent once. A License Administrator cannot grant it, but can use licswap afterwards. \
         {how} Then sign in again."
    )
}

/// [`explain`], and for consent errors the admin-consent link of the configured app.
pub fn explain_with_consent(
    error: &str,
    description: &str,
    redirect_uri: &str,
    target: &ConsentTarget,
) -> String {
    if needs_admin_consent(description) {
        return with_detail(admin_consent_sentence(Some(target), redirect_uri), error, description);
    }
    explain(error, description, redirect_uri)
}

/// `error` and `error_description` from the redirect or the token endpoint, explained.
pub fn explain(error: &str, description: &str, redirect_uri: &str) -> String {
    let what = match aadsts_code(description) {
        Some(90094 | 90093 | 90095 | 65001 | 65004) => admin_consent_sentence(None, redirect_uri),
        Some(50011) => format!(
            "The app registration does not list this page's address ({redirect_uri}) as a redirect URI. \
             Add it under App registrations > licswap > Authentication > Single-page application."
        ),
        Some(9002326) => "The redirect URI is registered under the Web platform. licswap signs in from the \
            browser, so register it under \"Single-page application\" instead (App registration > Authentication)."
            .to_string(),
        Some(7000218) => "The app registration expects a client secret (a Web app). Register the redirect URI \
            as a Single-page application so the browser can sign in with PKCE."
            .to_string(),
        Some(700016) => "No app with this client id exists in the tenant. Check the client id (Application ID \
            of the app registration) and the tenant."
            .to_string(),
        Some(90002) | Some(900023) => "The tenant was not found. Check the tenant domain or id.".to_string(),
        Some(50020) => "This account does not belong to the tenant. Sign in with an account of the tenant.".to_string(),
        Some(50105) => "Your account is not assigned to the licswap app. Ask an administrator to assign you \
            (Enterprise applications > licswap > Users and groups)."
            .to_string(),
        Some(50076) | Some(50079) => "Multi-factor authentication is required. Sign in again and complete it.".to_string(),
        Some(53003) => "A Conditional Access policy blocked the sign-in. Ask an administrator which policy applies.".to_string(),
        Some(70008) | Some(54005) => "The sign-in code expired or was already used. Sign in again.".to_string(),
        Some(700084) | Some(700082) => "The sign-in has expired. Sign in again.".to_string(),
        _ => match error {
            "access_denied" => "Sign-in was cancelled or consent was declined. Sign in again and accept the \
                permissions, or ask an administrator to grant consent."
                .to_string(),
            "consent_required" | "interaction_required" | "login_required" => {
                "Entra ID needs you to sign in again (and perhaps consent).".to_string()
            }
            "invalid_grant" => "The sign-in has expired or was revoked. Sign in again.".to_string(),
            "temporarily_unavailable" | "server_error" => {
                "Entra ID had a temporary problem. Wait a moment and sign in again.".to_string()
            }
            _ => "Sign-in failed.".to_string(),
        },
    };
    with_detail(what, error, description)
}

fn with_detail(what: String, error: &str, description: &str) -> String {
    let detail = first_line(description);
    if detail.is_empty() {
        format!("{what} ({error})")
    } else {
        format!("{what} Entra ID said: {detail}")
    }
}

fn first_line(s: &str) -> String {
    let line = s.lines().next().unwrap_or("").trim();
    let mut out: String = line.chars().take(300).collect();
    if line.chars().count() > 300 {
        out.push('…');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_codes_say_what_to_fix() {
        let m = explain(
            "invalid_request",
            "AADSTS50011: The redirect URI 'x' does not match",
            "http://127.0.0.1:8080/",
        );
        assert!(m.contains("http://127.0.0.1:8080/") && m.contains("Single-page application"));
        assert!(explain("invalid_client", "AADSTS65001: The user or administrator has not consented", "")
            .contains("Grant admin consent"));
        assert!(explain("invalid_request", "AADSTS9002326: Cross-origin token redemption", "")
            .contains("Single-page"));
        assert_eq!(aadsts_code("Trace AADSTS700016x"), Some(700016));
        assert!(explain("access_denied", "", "").contains("cancelled"));
    }

    const TARGET: ConsentTarget = ConsentTarget {
        authority: "https://login.microsoftonline.com/",
        tenant: "contoso.onmicrosoft.com",
        client_id: "abc-123",
    };

    #[test]
    fn need_admin_approval_says_who_must_consent_and_links_to_it() {
        for desc in [
            "AADSTS90094: The grant requires admin permission.",
            "AADSTS90093: licswap is requesting permissions that you aren't authorized to grant.",
            "AADSTS65001: The user or administrator has not consented to use the application",
            "AADSTS65004: User declined to consent to access the app.",
        ] {
            let m = explain_with_consent("access_denied", desc, "https://licswap.example/", &TARGET);
            assert!(
                m.contains("Global Administrator") && m.contains("Cloud Application Administrator"),
                "{m}"
            );
            assert!(m.contains("A License Administrator cannot"), "{m}");
            assert!(
                m.contains("https://login.microsoftonline.com/contoso.onmicrosoft.com/adminconsent?client_id=abc-123&redirect_uri=https%3A%2F%2Flicswap.example%2F"),
                "{m}"
            );
            assert!(
                !m.contains("cancelled"),
                "going back from Need admin approval is not a cancellation: {m}"
            );
        }
    }

    #[test]
    fn other_errors_get_no_consent_link() {
        let m =
            explain_with_consent("invalid_request", "AADSTS50011: redirect mismatch", "http://x/", &TARGET);
        assert!(!m.contains("adminconsent") && m.contains("redirect URI"));
        assert!(explain("access_denied", "AADSTS90094: x", "").contains("Grant admin consent"));
    }
}
