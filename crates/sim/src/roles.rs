//! Microsoft Entra directory roles of the signed-in user. With delegated permissions Graph checks
//! both: the token's scope AND the user's role. A consented `LicenseAssignment.ReadWrite.All` is
//! not enough for a user without a licensing role: Graph answers 403 `Authorization_RequestDenied`
//! "Insufficient privileges to complete the operation.".
//!
//! Sources (each page's "In delegated scenarios with work or school accounts, the signed-in user
//! must be assigned a supported Microsoft Entra role" list, least privileged roles):
//! - user assignLicense: Directory Writers, License Administrator, User Administrator
//!   (<https://learn.microsoft.com/en-us/graph/api/user-assignlicense>)
//! - group assignLicense: Directory Writers, Groups Administrator, License Administrator, User
//!   Administrator (<https://learn.microsoft.com/en-us/graph/api/group-assignlicense>)
//! - user reprocessLicenseAssignment: Directory Writers, License Administrator, User Administrator
//!   (<https://learn.microsoft.com/en-us/graph/api/user-reprocesslicenseassignment>)
//! - Global Administrator holds every permission of the roles above
//!   (<https://learn.microsoft.com/en-us/entra/identity/role-based-access-control/permissions-reference>).
//!
//! Reads of users, groups and subscriptions are allowed to any member user by Entra's default
//! user permissions, so the simulator checks roles on license writes only. Membership writes
//! (`members/$ref`) are not role-checked: their pages let group owners do them too, and the
//! simulator has no owners.
//!
//! Who may grant tenant-wide admin consent
//! (<https://learn.microsoft.com/en-us/entra/identity/enterprise-apps/grant-admin-consent>,
//! "Prerequisites"): Global Administrator, Privileged Role Administrator, and for delegated
//! permissions Cloud Application Administrator or Application Administrator. A License
//! Administrator cannot.
use crate::wire::GraphErrorReply;

pub const GLOBAL_ADMIN: &str = "Global Administrator";

/// Roles that may grant tenant-wide admin consent to delegated permissions.
pub const CONSENT_ROLES: &[&str] = &[
    GLOBAL_ADMIN,
    "Privileged Role Administrator",
    "Cloud Application Administrator",
    "Application Administrator",
];

/// Delegated Graph permissions a user may consent to for themself; every other permission the
/// simulator knows needs an administrator's consent ("Admin consent required: Yes" in
/// <https://learn.microsoft.com/en-us/graph/permissions-reference>, e.g. User.Read.All,
/// GroupMember.Read.All, LicenseAssignment.Read.All, LicenseAssignment.ReadWrite.All).
const USER_CONSENTABLE: &[&str] = &["User.Read", "User.ReadWrite", "User.ReadBasic.All"];

/// Does consenting to this (non-OIDC) scope need an administrator?
pub fn needs_admin_consent(scope: &str) -> bool {
    !USER_CONSENTABLE.iter().any(|u| u.eq_ignore_ascii_case(scope))
}

fn has_any(held: &[String], wanted: &[&str]) -> bool {
    held.iter()
        .any(|h| h.eq_ignore_ascii_case(GLOBAL_ADMIN) || wanted.iter().any(|w| w.eq_ignore_ascii_case(h)))
}

/// May a user with these roles grant consent on behalf of the organization?
pub fn can_consent_for_org(held: &[String]) -> bool {
    has_any(held, CONSENT_ROLES)
}

/// The roles (any one) that allow a write, or `None` when the simulator checks none for it.
pub fn required(is_get: bool, segs: &[&str]) -> Option<&'static [&'static str]> {
    match (is_get, segs) {
        (false, ["users", _, "assignLicense" | "reprocessLicenseAssignment"]) => {
            Some(&["Directory Writers", "License Administrator", "User Administrator"])
        }
        (false, ["groups", _, "assignLicense"]) => Some(&[
            "Directory Writers",
            "Groups Administrator",
            "License Administrator",
            "User Administrator",
        ]),
        _ => None,
    }
}

/// 403 as Graph answers a signed-in user without a role that allows the call.
pub fn check(held: &[String], is_get: bool, segs: &[&str]) -> Result<(), GraphErrorReply> {
    match required(is_get, segs) {
        Some(roles) if !has_any(held, roles) => Err(GraphErrorReply::new(
            403,
            "Authorization_RequestDenied",
            "Insufficient privileges to complete the operation.",
        )),
        _ => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn held(r: &[&str]) -> Vec<String> {
        r.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn a_license_administrator_may_assign_but_not_consent() {
        let la = held(&["License Administrator"]);
        assert!(check(&la, false, &["users", "x", "assignLicense"]).is_ok());
        assert!(check(&la, false, &["groups", "x", "assignLicense"]).is_ok());
        assert!(!can_consent_for_org(&la));
        assert!(can_consent_for_org(&held(&["Cloud Application Administrator"])));
        assert!(can_consent_for_org(&held(&["global administrator"])));
    }

    #[test]
    fn a_groups_administrator_may_license_groups_only() {
        let ga = held(&["Groups Administrator"]);
        assert!(check(&ga, false, &["groups", "x", "assignLicense"]).is_ok());
        assert_eq!(check(&ga, false, &["users", "x", "assignLicense"]).unwrap_err().status, 403);
        assert!(check(&[], true, &["users"]).is_ok(), "reads need no role");
    }

    #[test]
    fn only_basic_profile_scopes_are_user_consentable() {
        assert!(!needs_admin_consent("User.Read"));
        assert!(needs_admin_consent("User.Read.All"));
        assert!(needs_admin_consent("LicenseAssignment.ReadWrite.All"));
        assert!(needs_admin_consent("GroupMember.Read.All"));
    }
}
