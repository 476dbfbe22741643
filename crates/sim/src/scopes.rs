//! Which delegated permissions each Graph call accepts (any one suffices): the least-privileged
//! permission of each API page's "Permissions" table (first in each list below), then its
//! higher-privileged ones. Directory.Read.All / Directory.ReadWrite.All, listed as higher
//! privileged on every page here, are added for every read / write.
//!
//! | call | least privileged (delegated) | page |
//! |---|---|---|
//! | GET /subscribedSkus | LicenseAssignment.Read.All | <https://learn.microsoft.com/graph/api/subscribedsku-list> |
//! | GET /organization | User.Read | <https://learn.microsoft.com/graph/api/organization-list> |
//! | GET /me | User.Read | <https://learn.microsoft.com/graph/api/user-get> |
//! | GET /users, /users/{id} | User.ReadBasic.All (User.Read.All for license properties) | <https://learn.microsoft.com/graph/api/user-list> |
//! | GET /groups, /groups/{id} | GroupMember.Read.All | <https://learn.microsoft.com/graph/api/group-list> |
//! | GET /groups/{id}/members | GroupMember.Read.All | <https://learn.microsoft.com/graph/api/group-list-members> |
//! | GET /groups/{id}/membersWithLicenseErrors | none documented (see below) | <https://learn.microsoft.com/graph/api/resources/group> |
//! | POST /users/{id}/assignLicense | LicenseAssignment.ReadWrite.All | <https://learn.microsoft.com/graph/api/user-assignlicense> |
//! | POST /groups/{id}/assignLicense | LicenseAssignment.ReadWrite.All | <https://learn.microsoft.com/graph/api/group-assignlicense> |
//! | POST /users/{id}/reprocessLicenseAssignment | User.ReadWrite.All | <https://learn.microsoft.com/graph/api/user-reprocesslicenseassignment> |
//! | POST /groups/{id}/members/$ref | GroupMember.ReadWrite.All | <https://learn.microsoft.com/graph/api/group-post-members> |
//!
//! `membersWithLicenseErrors` is only a navigation property of the group resource: Microsoft
//! publishes no v1.0 API page, so no permission, for it. The simulator takes the strict reading
//! (the group's own read permissions, Group.Read.All and up, which licswap does not ask for),
//! so the app's fallback (members' `licenseAssignmentStates`) is what the tests exercise; a
//! tenant that accepts GroupMember.Read.All only makes the app's first choice work.
use crate::wire::GraphErrorReply;

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
        (false, ["users", _, "assignLicense"]) => {
            vec!["LicenseAssignment.ReadWrite.All", "User.ReadWrite.All"]
        }
        // Not LicenseAssignment.ReadWrite.All: the page names User.ReadWrite.All as least privileged.
        (false, ["users", _, "reprocessLicenseAssignment"]) => vec!["User.ReadWrite.All"],
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
pub fn check(granted: &[String], is_get: bool, segs: &[&str]) -> Result<(), GraphErrorReply> {
    let ok = accepted(is_get, segs);
    if granted.iter().any(|g| ok.iter().any(|a| a.eq_ignore_ascii_case(g))) {
        Ok(())
    } else {
        Err(GraphErrorReply::new(
            403,
            "Authorization_RequestDenied",
            "Insufficient privileges to complete the operation.",
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ok(scopes: &[&str], is_get: bool, path: &str) -> bool {
        let granted: Vec<String> = scopes.iter().map(|s| s.to_string()).collect();
        let segs: Vec<&str> = path.split('/').filter(|s| !s.is_empty()).collect();
        check(&granted, is_get, &segs).is_ok()
    }

    /// The permissions licswap asks for (src/config.rs) reach every call of a swap, users and
    /// groups, except the undocumented errors list, which the app can do without.
    #[test]
    fn licswaps_permissions_reach_every_call_of_a_group_swap() {
        let read = ["User.Read.All", "GroupMember.Read.All", "LicenseAssignment.Read.All"];
        let write = ["User.Read.All", "GroupMember.Read.All", "LicenseAssignment.ReadWrite.All"];
        assert!(ok(&read, true, "subscribedSkus"));
        assert!(ok(&read, true, "users/u1"));
        assert!(ok(&read, true, "groups/g1"));
        assert!(ok(&read, true, "groups/g1/members"));
        assert!(!ok(&read, true, "groups/g1/membersWithLicenseErrors"));
        assert!(ok(&write, false, "users/u1/assignLicense"));
        assert!(ok(&write, false, "groups/g1/assignLicense"));
        assert!(!ok(&read, false, "groups/g1/assignLicense"));
    }

    #[test]
    fn reprocess_needs_user_readwrite_all_not_the_license_permission() {
        assert!(!ok(&["LicenseAssignment.ReadWrite.All"], false, "users/u1/reprocessLicenseAssignment"));
        assert!(ok(&["User.ReadWrite.All"], false, "users/u1/reprocessLicenseAssignment"));
        assert!(ok(&["Directory.ReadWrite.All"], false, "users/u1/reprocessLicenseAssignment"));
    }

    #[test]
    fn group_members_are_not_readable_with_basic_user_reads() {
        // Microsoft's answer on Q&A 124948: GroupMember.Read.All is the minimum for members.
        assert!(!ok(&["User.ReadBasic.All"], true, "groups/g1/members"));
    }
}
