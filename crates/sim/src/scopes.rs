//! Which delegated permissions each Graph call accepts (any one suffices), from each API page's
//! "Permissions" table:
//! - subscribedSkus: <https://learn.microsoft.com/en-us/graph/api/subscribedsku-list>
//! - users: <https://learn.microsoft.com/en-us/graph/api/user-list>, user-get
//! - groups, members: <https://learn.microsoft.com/en-us/graph/api/group-list>, group-list-members
//! - membersWithLicenseErrors: <https://learn.microsoft.com/en-us/graph/api/group-list-memberswithlicenseerrors>
//! - assignLicense: <https://learn.microsoft.com/en-us/graph/api/user-assignlicense>, group-assignlicense
//! - organization: <https://learn.microsoft.com/en-us/graph/api/organization-list>
use crate::wire::ApiError;

const DIR_READ: &[&str] = &["Directory.Read.All", "Directory.ReadWrite.All"];

pub fn accepted(is_get: bool, segs: &[&str]) -> Vec<&'static str> {
    let mut v: Vec<&'static str> = match (is_get, segs) {
        (true, ["subscribedSkus", ..]) => {
            vec![
                "LicenseAssignment.Read.All",
                "LicenseAssignment.ReadWrite.All",
                "Organization.Read.All",
                "Organization.ReadWrite.All",
            ]
        }
        (true, ["organization", ..]) => {
            vec!["User.Read", "Organization.Read.All", "Organization.ReadWrite.All"]
        }
        (true, ["me", ..]) => vec!["User.Read", "User.ReadWrite", "User.Read.All", "User.ReadWrite.All"],
        (true, ["users", ..]) => vec!["User.ReadBasic.All", "User.Read.All", "User.ReadWrite.All"],
        (true, ["groups", _, "membersWithLicenseErrors"]) => vec!["Group.Read.All", "Group.ReadWrite.All"],
        (true, ["groups", _, "members"]) => {
            vec!["GroupMember.Read.All", "Group.Read.All", "GroupMember.ReadWrite.All", "Group.ReadWrite.All"]
        }
        (true, ["groups", ..]) => vec!["GroupMember.Read.All", "Group.Read.All", "Group.ReadWrite.All"],
        (false, ["users", _, "assignLicense" | "reprocessLicenseAssignment"]) => {
            vec!["LicenseAssignment.ReadWrite.All", "User.ReadWrite.All"]
        }
        (false, ["groups", _, "assignLicense"]) => {
            vec!["LicenseAssignment.ReadWrite.All", "Group.ReadWrite.All"]
        }
        (false, ["groups", _, "members", ..]) => vec!["GroupMember.ReadWrite.All", "Group.ReadWrite.All"],
        _ => vec![],
    };
    v.extend(if is_get { DIR_READ } else { &["Directory.ReadWrite.All"][..] });
    v
}

/// 403 as Graph answers a token without any accepted permission.
pub fn check(granted: &[String], is_get: bool, segs: &[&str]) -> Result<(), ApiError> {
    let ok = accepted(is_get, segs);
    if granted.iter().any(|g| ok.iter().any(|a| a.eq_ignore_ascii_case(g))) {
        Ok(())
    } else {
        Err(ApiError::new(
            403,
            "Authorization_RequestDenied",
            "Insufficient privileges to complete the operation.",
        ))
    }
}
