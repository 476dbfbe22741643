//! Entra ID's sign-in errors as plain sentences that say what to fix. Codes from
//! https://learn.microsoft.com/entra/identity-platform/reference-error-codes.

/// The AADSTS number in an error description ("AADSTS50011: The redirect URI ...").
pub fn aadsts_code(description: &str) -> Option<u32> {
    let at = description.find("AADSTS")?;
    let digits: String = description[at + 6..].chars().take_while(|c| c.is_ascii_digit()).collect();
    digits.parse().ok()
}

/// `error` and `error_description` from the redirect or the token endpoint, explained.
pub fn explain(error: &str, description: &str, redirect_uri: &str) -> String {
    let what = match aadsts_code(description) {
        Some(65001) => "licswap has not been granted the permissions it asks for. An administrator must consent: \
            Entra admin center > App registrations > licswap > API permissions > Grant admin consent, \
            or sign in as an administrator who can consent."
            .to_string(),
        Some(65004) => "Consent was declined, so licswap cannot read the tenant. Sign in again and accept, \
            or ask an administrator to grant consent for the app."
            .to_string(),
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
}
