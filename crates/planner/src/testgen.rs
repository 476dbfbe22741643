//! Generators of realistic tenants for benchmarks and other crates' tests (feature `testgen`).
//! Deterministic: the same size and seed give the same snapshot, on every platform.
//!
//! The mix (per user, roughly): Office 365 E1 through a department group 60%, directly 35%, both
//! 5%; 15% of assignments with a common set of disabled plans; Power BI Pro 10%, Project Online
//! Premium 3%, Visio Plan 2 2%, SharePoint Online Plan 1 (a conflict for E3) on 0.5% of direct
//! holders; disabled accounts 2%, no usage location 0.5%, an error state 0.5%. One group in ten is
//! dynamic, one in five synced from on-premises.
use licswap_core::catalog;
use licswap_core::model::{
    AssignedLicense, Group, LicenseAssignmentState, LicenseState, LicenseUnitsDetail, ServicePlanInfo, SharedStr,
    SubscribedSku, User,
};
use licswap_core::plan::{PlanOptions, PlanRequest, Scope, Snapshot, SnapshotGroup};

/// splitmix64: tiny and good enough to spread fixtures.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    /// True with probability `per_mille`/1000.
    fn chance(&mut self, per_mille: u64) -> bool {
        self.next() % 1000 < per_mille
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
}

/// A `subscribedSku` from the catalog (servicePlans as Graph lists them).
pub fn subscribed_sku(part_number: &str, enabled: i64, consumed: i64) -> SubscribedSku {
    let d = catalog::sku(part_number).unwrap_or_else(|| panic!("{part_number} is not in the catalog"));
    SubscribedSku {
        id: None,
        sku_id: d.sku_id.to_string(),
        sku_part_number: d.part_number.to_string(),
        applies_to: Some("User".into()),
        capability_status: Some("Enabled".into()),
        consumed_units: consumed,
        prepaid_units: LicenseUnitsDetail { enabled, ..Default::default() },
        service_plans: d
            .plans
            .iter()
            .map(|p| ServicePlanInfo {
                service_plan_id: p.id.to_string(),
                service_plan_name: p.name.to_string(),
                provisioning_status: Some("Success".into()),
                applies_to: Some("User".into()),
            })
            .collect(),
    }
}

fn plan_ids(names: &[&str]) -> Vec<String> {
    names.iter().filter_map(|n| catalog::plan_by_name(n)).map(|p| p.id.to_string()).collect()
}

fn sku_id(part: &str) -> String {
    catalog::sku(part).map(|s| s.sku_id.to_string()).unwrap_or_default()
}

/// Common disabledPlans patterns admins use on E1.
const DISABLED_PATTERNS: &[&[&str]] =
    &[&["SWAY"], &["YAMMER_ENTERPRISE"], &["SWAY", "FORMS_PLAN_E1"], &["KAIZALA_O365_P2"]];

/// A tenant of `users` users holding Office 365 E1 (with enough E3 seats), for an E1 -> E3 swap.
pub fn tenant(users: usize, seed: u64) -> Snapshot {
    generate(users, seed, &E1_TO_E3)
}

/// A tenant of `users` users for a bundle swap of two sources to two targets: Office 365 E5 (the
/// E1 tenant's mix of groups and direct holders) with Enterprise Mobility + Security E3 directly
/// for 80% of them (the rest are partial holders), and enough seats of Microsoft 365 E5 EEA
/// (no Teams) and Microsoft Teams EEA. See [`e5_ems_to_m365_e5_unbundled`].
pub fn bundle_tenant(users: usize, seed: u64) -> Snapshot {
    generate(users, seed, &E5_EMS_BUNDLE)
}

/// What a generated tenant holds and may move to.
struct Mix {
    /// The license held through groups and directly.
    base: &'static str,
    /// A second license held directly by this many users in a thousand, if any.
    addon: Option<(&'static str, u64)>,
    /// The targets, with seats for every user and a tenth more.
    targets: &'static [&'static str],
}

const E1_TO_E3: Mix = Mix { base: "STANDARDPACK", addon: None, targets: &["ENTERPRISEPACK"] };
const E5_EMS_BUNDLE: Mix = Mix {
    base: "ENTERPRISEPREMIUM",
    addon: Some(("EMS", 800)),
    targets: &["O365_w/o_Teams_Bundle_M5", "Microsoft_Teams_EEA_New"],
};

fn generate(users: usize, seed: u64, mix: &Mix) -> Snapshot {
    let mut rng = Rng(seed);
    let e1 = SharedStr::from(sku_id(mix.base));
    let groups_n = (users / 1000).max(1);
    let base = catalog::sku(mix.base).expect("a catalog SKU");
    // The patterns, with only the plans the base license has.
    let patterns: Vec<Vec<String>> = DISABLED_PATTERNS
        .iter()
        .map(|p| plan_ids(&p.iter().copied().filter(|n| base.plan(n).is_some()).collect::<Vec<_>>()))
        .collect();
    let mut groups: Vec<SnapshotGroup> = (0..groups_n)
        .map(|i| {
            let disabled = if i % 7 == 3 { patterns[i % patterns.len()].clone() } else { Vec::new() };
            let dynamic = i % 10 == 1;
            SnapshotGroup {
                group: Group {
                    id: format!("00000000-0000-4000-8000-{:012x}", i),
                    display_name: Some(format!("Dept {i:04}")),
                    group_types: if dynamic { vec!["DynamicMembership".into()] } else { Vec::new() },
                    membership_rule: dynamic.then(|| format!("user.department -eq \"Dept {i:04}\"")),
                    on_premises_sync_enabled: (i % 5 == 2).then_some(true),
                    assigned_licenses: vec![AssignedLicense { sku_id: e1.clone(), disabled_plans: disabled }],
                },
                member_ids: Vec::new(),
            }
        })
        .collect();
    let extras = [("POWER_BI_PRO", 100u64), ("PROJECTPREMIUM", 30), ("VISIOCLIENT", 20)];
    let mut consumed = std::collections::HashMap::<&str, i64>::new();
    let mut out = Vec::with_capacity(users);
    for n in 0..users {
        let id = format!("{:08x}-1111-4000-8000-{:012x}", seed as u32, n);
        let mut states = Vec::new();
        let roll = rng.below(100);
        let (direct, via_group) = match roll {
            0..60 => (false, true),
            60..95 => (true, false),
            _ => (true, true),
        };
        if via_group {
            let g = rng.below(groups_n);
            groups[g].member_ids.push(id.clone());
            states.push(LicenseAssignmentState {
                sku_id: e1.clone(),
                assigned_by_group: Some(groups[g].group.id.as_str().into()),
                disabled_plans: groups[g].group.assigned_licenses[0].disabled_plans.clone(),
                error: Some("None".into()),
                state: Some(LicenseState::Active),
                last_updated_date_time: None,
            });
        }
        if direct {
            let disabled =
                if rng.chance(150) { patterns[rng.below(patterns.len())].clone() } else { Vec::new() };
            states.push(LicenseAssignmentState {
                sku_id: e1.clone(),
                assigned_by_group: None,
                disabled_plans: disabled,
                error: Some(if rng.chance(5) { "CountViolation" } else { "None" }.into()),
                state: Some(LicenseState::Active),
                last_updated_date_time: None,
            });
        }
        let mut add = |part: &'static str, states: &mut Vec<LicenseAssignmentState>| {
            *consumed.entry(part).or_default() += 1;
            states.push(LicenseAssignmentState {
                sku_id: sku_id(part).into(),
                assigned_by_group: None,
                disabled_plans: Vec::new(),
                error: Some("None".into()),
                state: Some(LicenseState::Active),
                last_updated_date_time: None,
            });
        };
        for (part, per_mille) in extras {
            if rng.chance(per_mille) {
                add(part, &mut states);
            }
        }
        if direct && !via_group && rng.chance(5) {
            add("SHAREPOINTSTANDARD", &mut states);
        }
        if let Some((addon, per_mille)) = mix.addon {
            if rng.chance(per_mille) {
                add(addon, &mut states);
            }
        }
        out.push(User {
            id,
            user_principal_name: Some(format!("user{n}@contoso.example")),
            display_name: Some(format!("User {n}")),
            usage_location: if rng.chance(5) { None } else { Some("US".into()) },
            account_enabled: Some(!rng.chance(20)),
            assigned_licenses: assigned_from(&states),
            license_assignment_states: states,
        });
    }
    let n = users as i64;
    let c = |p: &str| consumed.get(p).copied().unwrap_or(0);
    let mut skus = vec![subscribed_sku(mix.base, n + 10, n)];
    skus.extend(mix.targets.iter().map(|t| subscribed_sku(t, n + n / 10 + 10, 5)));
    skus.extend(["POWER_BI_PRO", "PROJECTPREMIUM", "VISIOCLIENT", "SHAREPOINTSTANDARD"].map(|p| subscribed_sku(p, c(p) + 10, c(p))));
    if let Some((addon, _)) = mix.addon {
        skus.push(subscribed_sku(addon, c(addon) + 10, c(addon)));
    }
    Snapshot { tenant_name: Some(format!("Generated tenant ({users} users, seed {seed})")), skus, users: out, groups }
}

/// `assignedLicenses` as Graph derives it: one per SKU; a plan is off only if every assignment of
/// the SKU switches it off.
pub fn assigned_from(states: &[LicenseAssignmentState]) -> Vec<AssignedLicense> {
    let mut out: Vec<AssignedLicense> = Vec::new();
    for s in states {
        match out.iter_mut().find(|l| l.sku_id.eq_ignore_ascii_case(&s.sku_id)) {
            Some(l) => l.disabled_plans.retain(|p| s.disabled_plans.contains(p)),
            None => out
                .push(AssignedLicense { sku_id: s.sku_id.clone(), disabled_plans: s.disabled_plans.clone() }),
        }
    }
    out
}

/// Office 365 E1 -> E3 for every holder.
pub fn e1_to_e3() -> PlanRequest {
    PlanRequest {
        source: "STANDARDPACK".into(),
        target: "ENTERPRISEPACK".into(),
        scope: Scope::AllHolders,
        options: PlanOptions::default(),
    }
}

/// Office 365 E5 + Enterprise Mobility + Security E3 -> Microsoft 365 E5 EEA (no Teams) +
/// Microsoft Teams EEA for every holder: the bundle benchmark's request (two sources, two targets).
pub fn e5_ems_to_m365_e5_unbundled() -> PlanRequest {
    PlanRequest {
        source: E5_EMS_BUNDLE.addon.map(|(a, _)| [E5_EMS_BUNDLE.base, a]).expect("an add-on").into(),
        target: E5_EMS_BUNDLE.targets.into(),
        scope: Scope::AllHolders,
        options: PlanOptions::default(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generated_tenants_are_deterministic_and_plannable() {
        let a = tenant(2000, 7);
        assert_eq!(a, tenant(2000, 7));
        assert_ne!(a, tenant(2000, 8));
        let p = super::super::plan(&a, &e1_to_e3()).unwrap();
        assert!(p.actions().count() > 500, "{}", p.actions().count());
        assert!(p.seats.needed > 1500 && p.seats.needed <= 2000, "{:?}", p.seats);
    }

    #[test]
    fn the_bundle_tenant_plans_two_sources_to_two_targets_without_loss() {
        let t = bundle_tenant(2000, 7);
        assert_eq!(t, bundle_tenant(2000, 7));
        let p = super::super::plan(&t, &e5_ems_to_m365_e5_unbundled()).unwrap();
        assert_eq!((p.sources().len(), p.targets().len()), (2, 2));
        assert!(!p.findings.iter().any(|f| f.code == licswap_core::plan::FindingCode::ServiceLoss));
        assert!(p.actions().filter(|a| a.body.remove_licenses.len() == 2 && a.body.add_licenses.len() == 2).count() > 300);
        assert!(p.findings.iter().any(|f| f.code == licswap_core::plan::FindingCode::PartialHolder));
        for t in p.targets() {
            assert!(t.needed > 1500 && t.needed <= 2000 && t.left_after > 0, "{t:?}");
        }
    }
}
