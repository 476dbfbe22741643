//! Rules between service plans, by `servicePlanName` (stable across SKUs: the same plan name has
//! the same servicePlanId in every product of Microsoft's reference table).
//!
//! Sources:
//! - Conflicts and dependencies: "Identify and resolve license assignment problems for a group in
//!   Microsoft Entra ID", sections "Conflicting service plans" (SharePoint Online (Plan 2) conflicts
//!   with SharePoint Online (Plan 1); Exchange Online (Plan 2) conflicts with Exchange Online
//!   (Plan 1)) and "Other products depend on this license" (Graph error codes
//!   MutuallyExclusiveViolation / DependencyViolation):
//!   https://learn.microsoft.com/en-us/entra/identity/users/licensing-groups-resolve-problems
//! - The seed procedure names Workplace Analytics and Project Online as products that depend on
//!   other services ("change-license-assignments.md", "Before you begin").
//! - Microsoft has since allowed several Exchange Online plans on one user in many tenants; the
//!   catalog keeps the documented conflict because a false blocker costs a waiver, a missed
//!   conflict costs a failed group assignment.

/// Upgrade chains, lowest to highest: a plan is covered by itself and by every plan after it in
/// its chain (e.g. Exchange Online Kiosk < Plan 1 < Plan 2). Each plan appears in at most one
/// chain, so [`equivalents`] can return a tail slice. The ordering follows the product tiers in
/// Microsoft's reference names (F/K < E1/P1 < E3/P2 < E5/P3).
static CHAINS: &[&[&str]] = &[
    &["EXCHANGE_S_DESKLESS", "EXCHANGE_S_STANDARD", "EXCHANGE_S_ENTERPRISE"],
    &["SHAREPOINTDESKLESS", "SHAREPOINTSTANDARD", "SHAREPOINTENTERPRISE"],
    &["OFFICEMOBILE_SUBSCRIPTION", "OFFICE_BUSINESS", "OFFICESUBSCRIPTION"],
    &["MCOIMP", "MCOSTANDARD"],
    &["FORMS_PLAN_K", "FORMS_PLAN_E1", "FORMS_PLAN_E3", "FORMS_PLAN_E5"],
    &["STREAM_O365_K", "STREAM_O365_E1", "STREAM_O365_E3", "STREAM_O365_E5"],
    &["BPOS_S_TODO_FIRSTLINE", "BPOS_S_TODO_1", "BPOS_S_TODO_2", "BPOS_S_TODO_3"],
    &["PROJECT_O365_F3", "PROJECT_O365_P1", "PROJECT_O365_P2", "PROJECT_O365_P3"],
    &["KAIZALA_O365_P1", "KAIZALA_O365_P2", "KAIZALA_O365_P3", "KAIZALA_STANDALONE"],
    &["WHITEBOARD_FIRSTLINE1", "WHITEBOARD_PLAN1", "WHITEBOARD_PLAN2", "WHITEBOARD_PLAN3"],
    &["POWERAPPS_O365_S1", "POWERAPPS_O365_P1", "POWERAPPS_O365_P2", "POWERAPPS_O365_P3"],
    &["FLOW_O365_S1", "FLOW_O365_P1", "FLOW_O365_P2", "FLOW_O365_P3"],
    &[
        "POWER_VIRTUAL_AGENTS_O365_F1",
        "POWER_VIRTUAL_AGENTS_O365_P1",
        "POWER_VIRTUAL_AGENTS_O365_P2",
        "POWER_VIRTUAL_AGENTS_O365_P3",
    ],
    &["CDS_O365_F1", "CDS_O365_P1", "CDS_O365_P2", "CDS_O365_P3"],
    &["DYN365_CDS_O365_F1", "DYN365_CDS_O365_P1", "DYN365_CDS_O365_P2", "DYN365_CDS_O365_P3"],
    &["RMS_S_BASIC", "RMS_S_ENTERPRISE"],
    &["RMS_S_PREMIUM", "RMS_S_PREMIUM2"],
    &["MIP_S_CLP1", "MIP_S_CLP2"],
    &["ContentExplorer_Standard", "Content_Explorer"],
    &["ADALLOM_S_DISCOVERY", "ADALLOM_S_STANDALONE"],
    &["AAD_PREMIUM", "AAD_PREMIUM_P2"],
    &["MDE_LITE", "WINDEFATP"],
    &["WIN10_ENT_LOC_F1", "WIN10_PRO_ENT_SUB"],
];

/// Pairs of plans Graph refuses to enable together on one user (MutuallyExclusiveViolation).
static EXCLUSIONS: &[(&str, &str)] = &[
    ("EXCHANGE_S_STANDARD", "EXCHANGE_S_ENTERPRISE"),
    ("EXCHANGE_S_DESKLESS", "EXCHANGE_S_STANDARD"),
    ("EXCHANGE_S_DESKLESS", "EXCHANGE_S_ENTERPRISE"),
    ("SHAREPOINTSTANDARD", "SHAREPOINTENTERPRISE"),
    ("SHAREPOINTDESKLESS", "SHAREPOINTSTANDARD"),
    ("SHAREPOINTDESKLESS", "SHAREPOINTENTERPRISE"),
];

/// A plan that needs at least one of the listed plans (or a plan covering one of them, see
/// [`equivalents`]) enabled on the same user; removing the last one fails with DependencyViolation.
static DEPENDENCIES: &[(&str, &[&str])] = &[
    // Project Online (the service) runs on SharePoint Online.
    ("SHAREPOINT_PROJECT", &["SHAREPOINTSTANDARD", "SHAREPOINTENTERPRISE"]),
    // Workplace Analytics reads Exchange Online mailboxes.
    ("WORKPLACE_ANALYTICS", &["EXCHANGE_S_STANDARD", "EXCHANGE_S_ENTERPRISE"]),
    // Exchange Online Archiving is an add-on to an Exchange Online mailbox.
    ("EXCHANGE_S_ARCHIVE_ADDON", &["EXCHANGE_S_DESKLESS", "EXCHANGE_S_STANDARD", "EXCHANGE_S_ENTERPRISE"]),
];

/// Plans that cover `from` (provide at least its service), not counting `from` itself; empty when
/// the catalog knows none. Transitive: Kiosk is covered by Plan 1 and by Plan 2.
pub fn equivalents(from: &str) -> &'static [&'static str] {
    for chain in CHAINS {
        if let Some(pos) = chain.iter().position(|p| p.eq_ignore_ascii_case(from)) {
            return &chain[pos + 1..];
        }
    }
    &[]
}

/// Does `to` provide the service of `from`? The same plan name always does.
pub fn equivalent(from: &str, to: &str) -> bool {
    from.eq_ignore_ascii_case(to) || equivalents(from).iter().any(|p| p.eq_ignore_ascii_case(to))
}

/// Can `a` and `b` not be enabled together on one user?
pub fn mutually_exclusive(a: &str, b: &str) -> bool {
    EXCLUSIONS.iter().any(|(x, y)| {
        (x.eq_ignore_ascii_case(a) && y.eq_ignore_ascii_case(b))
            || (x.eq_ignore_ascii_case(b) && y.eq_ignore_ascii_case(a))
    })
}

/// The plans `plan` cannot be enabled together with.
pub fn exclusions(plan: &str) -> impl Iterator<Item = &'static str> + '_ {
    EXCLUSIONS.iter().filter_map(move |(x, y)| {
        if x.eq_ignore_ascii_case(plan) {
            Some(*y)
        } else if y.eq_ignore_ascii_case(plan) {
            Some(*x)
        } else {
            None
        }
    })
}

/// The plans of which `plan` needs at least one (or a plan covering one); empty when it needs none.
pub fn dependencies(plan: &str) -> &'static [&'static str] {
    DEPENDENCIES.iter().find(|(p, _)| p.eq_ignore_ascii_case(plan)).map(|(_, d)| *d).unwrap_or(&[])
}
