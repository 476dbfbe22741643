//! Shared previews of real plans (the planner on simulated tenants): redaction leaves no name,
//! UPN, id or tenant name behind; the text form stays link-sized for the demo.
use licswap_core::plan::{Plan, PlanOptions, PlanRequest, Scope};
use licswap_core::share::{decode, decode_any, encode, to_link};
use licswap_planner::plan;
use licswap_sim::{fixtures, Sim, SimConfig};

fn e1_to_e3(sim: &Sim) -> Plan {
    let request = PlanRequest {
        source: "STANDARDPACK".into(),
        target: "ENTERPRISEPACK".into(),
        scope: Scope::AllHolders,
        options: PlanOptions::default(),
    };
    plan(&sim.snapshot(), &request).unwrap()
}

#[test]
fn demo_plan_redacts_every_name() {
    let sim = Sim::new(fixtures::demo(), SimConfig::test());
    let plan = e1_to_e3(&sim);
    let snap = sim.snapshot();
    let text = encode(&plan, true);
    let back = decode_any(&to_link("https://licswap.example/", &text)).unwrap();
    assert!(back.redacted);
    let json = serde_json::to_string(&back.plan).unwrap();
    let mut leaks = Vec::new();
    for u in &snap.users {
        for secret in
            [Some(&u.id), u.user_principal_name.as_ref(), u.display_name.as_ref()].into_iter().flatten()
        {
            if json.contains(secret.as_str()) {
                leaks.push(secret.clone());
            }
        }
    }
    for g in &snap.groups {
        for secret in [Some(&g.group.id), g.group.display_name.as_ref()].into_iter().flatten() {
            if json.contains(secret.as_str()) {
                leaks.push(secret.clone());
            }
        }
    }
    assert!(leaks.is_empty(), "leaked: {leaks:?}");
    assert!(!json.to_ascii_lowercase().contains("contosodemo"), "the tenant's domain leaked");
    assert!(!json.contains(fixtures::DEMO_TENANT_NAME));
    // Same shape, same SKUs, same counts.
    assert_eq!(back.plan.actions().count(), plan.actions().count());
    assert_eq!(back.plan.findings.len(), plan.findings.len());
    assert_eq!(back.plan.seats, plan.seats);
    assert_eq!(back.plan.target, plan.target);
    // Unredacted, it round-trips exactly, and the link is short enough to paste.
    let full = encode(&plan, false);
    assert_eq!(decode(&full).unwrap().plan, plan);
    println!("demo plan: {} chars redacted, {} chars full", text.len(), full.len());
    assert!(full.len() < 32 * 1024, "{}", full.len());
}

#[test]
fn generated_plan_of_5000_users_round_trips() {
    let sim = Sim::new(fixtures::generate(3, 5_000), SimConfig::test());
    let plan = e1_to_e3(&sim);
    let json_len = serde_json::to_string(&plan).unwrap().len();
    let text = encode(&plan, false);
    assert_eq!(decode(&text).unwrap().plan, plan);
    let redacted = encode(&plan, true);
    assert!(decode(&redacted).unwrap().redacted);
    println!(
        "5000-user plan: {} actions, JSON {} bytes, preview {} chars ({:.1}x smaller), redacted {} chars",
        plan.actions().count(),
        json_len,
        text.len(),
        json_len as f64 / text.len() as f64,
        redacted.len()
    );
}
