#[path = "apply_support/plan.rs"]
mod fixture;

use fixture::{sample_plan, sample_snapshot};
use licswap_core::share::*;

#[test]
fn roundtrip_keeps_the_plan_exactly() {
    let plan = sample_plan(&sample_snapshot());
    let text = encode(&plan, false);
    assert!(text.starts_with("v1."));
    assert!(
        text[3..].chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_'),
        "not base64url: {text}"
    );
    let back = decode(&text).unwrap();
    assert!(!back.redacted);
    assert_eq!(back.plan, plan);
}

#[test]
fn link_and_file_forms_decode() {
    let plan = sample_plan(&sample_snapshot());
    let text = encode(&plan, false);
    let link = to_link("https://admin.example/licswap/#/old", &text);
    assert_eq!(link, format!("https://admin.example/licswap/#/preview/{text}"));
    assert_eq!(from_link(&link), Some(text.as_str()));
    assert_eq!(decode_any(&link).unwrap().plan, plan);
    assert_eq!(decode_any(&format!("#/preview/{text}")).unwrap().plan, plan);
    // Wrapped by a mail client at 76 columns, with padding added back.
    let wrapped: Vec<String> =
        text.as_bytes().chunks(76).map(|c| String::from_utf8_lossy(c).into_owned()).collect();
    assert_eq!(decode(&format!("{}==", wrapped.join("\r\n"))).unwrap().plan, plan);
    let file = to_file(&text);
    let v: serde_json::Value = serde_json::from_str(&file).unwrap();
    assert_eq!(v["licswapPreview"], 1);
    assert_eq!(decode_file(&file).unwrap().plan, plan);
    assert_eq!(decode_any(&file).unwrap().plan, plan);
    assert!(matches!(decode_file("{\"hello\": 1}"), Err(ShareError::BadFile(_))));
    assert!(matches!(
        decode_file("{\"licswapPreview\": 7, \"data\": \"\"}"),
        Err(ShareError::UnknownVersion(_))
    ));
}

#[test]
fn redaction_removes_every_name_and_is_stable() {
    let mut plan = sample_plan(&sample_snapshot());
    plan.findings[1].remedy = "Check bob@contoso.com's other licenses (BOB@CONTOSO.COM).".into();
    let text = encode(&plan, true);
    assert_eq!(text, encode(&plan, true), "redaction must be deterministic");
    let back = decode(&text).unwrap();
    assert!(back.redacted);
    let json = serde_json::to_string(&back.plan).unwrap();
    for secret in ["alice", "bob@", "carol", "dave", "Sales Team", "contoso", "Contoso", "\"u1\"", "\"g1\""] {
        assert!(!json.contains(secret), "{secret} leaked: {json}");
    }
    let p = &back.plan;
    // The same person gets the same pseudonym everywhere.
    let alice = &p.phases[0].actions[0].target;
    assert_eq!(alice.name, alice.id);
    assert!(alice.name.starts_with("user-"));
    assert_eq!(p.findings[0].subject.name, alice.name);
    assert_eq!(p.coverage[0].user, alice.name);
    assert_eq!(p.findings[0].message, format!("Yammer stays disabled for {}.", alice.name));
    let group = &p.phases[0].actions[2].target;
    assert_eq!(group.name, "group-001");
    assert!(p.findings[1].message.contains("'group-001'"), "{}", p.findings[1].message);
    let bob = &p.phases[0].actions[1].target.name;
    assert_eq!(p.findings[1].remedy, format!("Check {bob}'s other licenses ({bob})."));
    // What is not personal stays.
    assert_eq!(p.target.sku_id, plan.target.sku_id);
    assert_eq!(p.phases[0].actions[0].body, plan.phases[0].actions[0].body);
    assert_eq!(p.findings[0].plans, plan.findings[0].plans);
    assert_eq!(p.seats, plan.seats);
}

#[test]
fn a_preview_never_holds_a_token() {
    let plan = sample_plan(&sample_snapshot());
    let json = serde_json::to_string(&plan).unwrap();
    let decoded = serde_json::to_string(&decode(&encode(&plan, false)).unwrap()).unwrap();
    for s in [json, decoded] {
        assert!(!s.contains("access_token") && !s.contains("Bearer") && !s.contains("refresh_token"));
    }
}

#[test]
fn tampering_and_truncation_are_reported_not_panicked() {
    let plan = sample_plan(&sample_snapshot());
    let text = encode(&plan, false);
    // Truncated at every length: always an error, never a panic, never a different plan.
    for cut in (0..text.len()).step_by(7) {
        assert!(decode(&text[..cut]).is_err(), "cut at {cut} decoded");
    }
    // One character changed anywhere after the prefix.
    for i in (3..text.len()).step_by(5) {
        let mut bytes = text.clone().into_bytes();
        bytes[i] = if bytes[i] == b'A' { b'B' } else { b'A' };
        let tampered = String::from_utf8(bytes).unwrap();
        match decode(&tampered) {
            Err(e) => assert!(e.to_string().contains("altered or truncated"), "{e}"),
            Ok(p) => assert_eq!(p.plan, plan, "tampering at {i} produced another plan"),
        }
    }
    let e = decode(&text[..text.len() / 2]).unwrap_err();
    assert!(e.to_string().contains("altered or truncated"), "{e}");
    assert!(matches!(decode("v9.abc"), Err(ShareError::UnknownVersion(v)) if v == "v9"));
    assert!(matches!(decode("hello"), Err(ShareError::UnknownVersion(_))));
    assert!(matches!(decode("   "), Err(ShareError::Empty)));
    assert!(matches!(decode("v1.***"), Err(ShareError::BadBase64(_))));
}

fn pack(json: &[u8]) -> String {
    use base64::Engine;
    let mut bytes = licswap_core::hash::fnv1a64(json).to_be_bytes().to_vec();
    bytes.extend(miniz_oxide::deflate::compress_to_vec(json, 6));
    format!("v1.{}", base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes))
}

#[test]
fn bad_json_names_the_field() {
    let plan = sample_plan(&sample_snapshot());
    let mut v = serde_json::to_value(SharedPreview { redacted: false, plan }).unwrap();
    v["plan"]["phases"][0]["actions"][1]["target"]["kind"] = "printer".into();
    let e = decode(&pack(&serde_json::to_vec(&v).unwrap())).unwrap_err();
    match &e {
        ShareError::BadJson { path, .. } => assert_eq!(path, "plan.phases[0].actions[1].target.kind"),
        other => panic!("{other:?}"),
    }
    v["plan"]["version"] = 99.into();
    assert_eq!(decode(&pack(&serde_json::to_vec(&v).unwrap())).unwrap_err(), ShareError::NewerPlan(99));
    assert!(matches!(decode(&pack(b"[1,2")), Err(ShareError::BadJson { .. })));
}

#[test]
fn zip_bombs_are_refused() {
    // 80 MiB of spaces compresses to ~80 KiB.
    let bomb = vec![b' '; 80 * 1024 * 1024];
    let text = pack(&bomb);
    assert!(text.len() < 200 * 1024);
    assert!(matches!(decode(&text), Err(ShareError::TooLarge { .. })));
    let plan = sample_plan(&sample_snapshot());
    assert!(matches!(
        decode_with_limit(&encode(&plan, false), 100),
        Err(ShareError::TooLarge { limit: 100 })
    ));
}
