//! A short, stable digest of a target's license state. The planner stamps it on each action; the
//! executor re-reads the target and refuses the action when the digest differs (a stale plan).
use crate::graph::model::{AssignedLicense, Group, User};

/// FNV-1a, 64-bit: tiny, deterministic everywhere (native and wasm), and collision resistance
/// against an adversary is not needed for detecting concurrent edits.
fn fnv1a(bytes: &[u8], mut h: u64) -> u64 {
    for b in bytes {
        h ^= u64::from(*b);
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    h
}

const FNV_OFFSET: u64 = 0xcbf2_9ce4_8422_2325;

fn canonical_licenses(lics: &[AssignedLicense], out: &mut Vec<String>) {
    for l in lics {
        let mut plans: Vec<String> = l.disabled_plans.iter().map(|p| p.to_ascii_lowercase()).collect();
        plans.sort();
        out.push(format!("L{}:{}", l.sku_id.to_ascii_lowercase(), plans.join(",")));
    }
}

fn digest(mut parts: Vec<String>) -> String {
    parts.sort();
    let mut h = FNV_OFFSET;
    for p in &parts {
        h = fnv1a(p.as_bytes(), h);
        h = fnv1a(b"|", h);
    }
    format!("{h:016x}")
}

/// Over assignedLicenses and the direct/inherited source of each license (not over error
/// states or timestamps, which change as Graph processes without anyone editing the user).
pub fn fingerprint_user(user: &User) -> String {
    let mut parts = Vec::new();
    canonical_licenses(&user.assigned_licenses, &mut parts);
    for s in &user.license_assignment_states {
        let by = s.assigned_by_group.as_deref().unwrap_or("direct").to_ascii_lowercase();
        parts.push(format!("S{}:{}", s.sku_id.to_ascii_lowercase(), by));
    }
    digest(parts)
}

pub fn fingerprint_group(group: &Group) -> String {
    let mut parts = Vec::new();
    canonical_licenses(&group.assigned_licenses, &mut parts);
    digest(parts)
}
