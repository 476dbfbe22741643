//! `POST /users/{id}/assignLicense`: Graph's semantics and errors, in process and over HTTP.
mod common;
use common::*;
use serde_json::json;

fn direct_e1_user(h: &mut dyn Harness) -> String {
    user_id(h, &is_plain_e1)
}

fn licenses(h: &mut dyn Harness, id: &str) -> Vec<String> {
    let (_, v) = get(h, &format!("/v1.0/users/{id}?$select=assignedLicenses"));
    skus_of(&v)
}

fn consumed(h: &mut dyn Harness, sku: &str) -> i64 {
    let mut c = 0;
    h.with_sim(&mut |s| c = s.tenant().skus.iter().find(|k| k.sku_id == sku).unwrap().consumed);
    c
}

both!(swap_adds_and_removes_in_one_call_without_losing_service, demo_config(), |h: &mut dyn Harness| {
    let id = direct_e1_user(h);
    let (e1, e3) = (consumed(h, E1), consumed(h, E3));
    let (status, v) = post(h, &format!("/v1.0/users/{id}/assignLicense"), &swap_body(E3, E1));
    assert_eq!(status, 200, "{v}");
    assert_eq!(v["id"], json!(id));
    assert_eq!(licenses(h, &id), vec![E3.to_string()]);
    assert_eq!((consumed(h, E1), consumed(h, E3)), (e1 - 1, e3 + 1));
    h.with_sim(&mut |s| {
        let changes = s.changes();
        assert_eq!(changes.len(), 1);
        assert_eq!(changes[0].user_id, id);
        assert_eq!(
            (changes[0].skus_before.clone(), changes[0].skus_after.clone()),
            (vec!["STANDARDPACK".to_string()], vec!["ENTERPRISEPACK".to_string()])
        );
        assert!(changes[0].plans_after.contains(&"EXCHANGE_S_ENTERPRISE".to_string()));
        assert!(s.service_losses().is_empty(), "{:?}", s.service_losses());
    });
});

both!(removal_alone_is_allowed_and_shows_as_a_service_loss, demo_config(), |h: &mut dyn Harness| {
    let id = direct_e1_user(h);
    let body = json!({"addLicenses": [], "removeLicenses": [E1]});
    let (status, _) = post(h, &format!("/v1.0/users/{id}/assignLicense"), &body);
    assert_eq!(status, 200);
    assert!(licenses(h, &id).is_empty());
    h.with_sim(&mut |s| {
        let losses = s.service_losses();
        assert_eq!(losses.len(), 1);
        assert!(losses[0].lost.iter().any(|p| p == "EXCHANGE_S_STANDARD"));
    });
});

both!(inherited_license_cannot_be_removed_from_the_user, demo_config(), |h: &mut dyn Harness| {
    let id = user_id(h, &|u| u.department.as_deref() == Some("Sales") && u.direct.is_empty());
    let (status, v) = post(h, &format!("/v1.0/users/{id}/assignLicense"), &swap_body(E3, E1));
    assert_eq!(status, 400);
    assert_eq!(error_code(&v), "Request_BadRequest");
    assert_eq!(
        error_message(&v),
        "User license is inherited from a group membership and it cannot be removed directly from the user."
    );
    assert_eq!(licenses(h, &id), vec![E1.to_string()], "nothing changed");
});

both!(no_free_seat_refuses_the_whole_call, demo_config(), |h: &mut dyn Harness| {
    h.with_sim(&mut |s| {
        let t = s.tenant_mut();
        let ix = t.sku_ix(E3).unwrap() as usize;
        t.skus[ix].prepaid_enabled = t.skus[ix].consumed;
    });
    let id = direct_e1_user(h);
    let (status, v) = post(h, &format!("/v1.0/users/{id}/assignLicense"), &swap_body(E3, E1));
    assert_eq!(status, 400);
    assert!(error_message(&v).contains("does not have any available licenses"), "{v}");
    assert_eq!(licenses(h, &id), vec![E1.to_string()], "the removal did not happen either");
});

both!(missing_usage_location_refuses_additions, demo_config(), |h: &mut dyn Harness| {
    let id = user_id(h, &|u| u.usage_location.is_none() && !u.direct.is_empty());
    let (status, v) = post(h, &format!("/v1.0/users/{id}/assignLicense"), &swap_body(E3, E1));
    assert_eq!(status, 400);
    assert_eq!(error_message(&v), "License assignment cannot be done for user with invalid usage location.");
});

both!(mutually_exclusive_plans_are_refused, demo_config(), |h: &mut dyn Harness| {
    let id = user_id(h, &|u| u.department.as_deref() == Some("Finance"));
    let (status, v) = post(h, &format!("/v1.0/users/{id}/assignLicense"), &swap_body(E3, E1));
    assert_eq!(status, 400);
    let m = error_message(&v);
    assert!(
        m.contains("mutually exclusive")
            && m.contains("SHAREPOINTSTANDARD")
            && m.contains("SHAREPOINTENTERPRISE")
            && !m.contains("EXCHANGE"),
        "{m}"
    );
    // Removing the conflicting SharePoint license in the same call makes it valid; Exchange Online
    // (Plan 1) stays beside E3's Plan 2, which Microsoft allows.
    let body = json!({"addLicenses": [{"skuId": E3, "disabledPlans": []}], "removeLicenses": [E1, SPO1]});
    let (status, _) = post(h, &format!("/v1.0/users/{id}/assignLicense"), &body);
    assert_eq!(status, 200);
});

both!(dependent_plan_blocks_removing_what_it_needs, demo_config(), |h: &mut dyn Harness| {
    let id = user_id(h, &|u| u.department.as_deref() == Some("PMO"));
    let body = json!({"addLicenses": [], "removeLicenses": [E1]});
    let (status, v) = post(h, &format!("/v1.0/users/{id}/assignLicense"), &body);
    assert_eq!(status, 400);
    let m = error_message(&v);
    assert!(m.contains("SHAREPOINT_PROJECT") && m.contains("depends on"), "{m}");
    // The swap keeps SharePoint (E3's Plan 2) and so is allowed.
    let (status, v) = post(h, &format!("/v1.0/users/{id}/assignLicense"), &swap_body(E3, E1));
    assert_eq!(status, 200, "{v}");
    assert_eq!(licenses(h, &id), vec![PROJECT.to_string(), E3.to_string()]);
});

both!(unknown_sku_and_malformed_bodies, demo_config(), |h: &mut dyn Harness| {
    let id = direct_e1_user(h);
    let bogus = "00000000-1111-4222-8333-444444444444";
    let (status, v) = post(h, &format!("/v1.0/users/{id}/assignLicense"), &swap_body(bogus, E1));
    assert_eq!(status, 400);
    assert!(error_message(&v).contains("does not correspond to a valid company License"));
    // Atomic: a bad removal fails the valid addition with it.
    let body = json!({"addLicenses": [{"skuId": E3, "disabledPlans": []}], "removeLicenses": [E1, bogus]});
    assert_eq!(post(h, &format!("/v1.0/users/{id}/assignLicense"), &body).0, 400);
    assert_eq!(licenses(h, &id), vec![E1.to_string()]);
    let (status, _) = post(h, &format!("/v1.0/users/{id}/assignLicense"), &json!({"addLicenses": []}));
    assert_eq!(status, 400, "removeLicenses is required");
    let body = json!({"addLicenses": [], "removeLicenses": [E3]});
    let (status, v) = post(h, &format!("/v1.0/users/{id}/assignLicense"), &body);
    assert_eq!((status, error_message(&v)), (400, "User does not have a corresponding license."));
    let (status, _) =
        post(h, "/v1.0/users/00000000-0000-0000-0000-000000000000/assignLicense", &swap_body(E3, E1));
    assert_eq!(status, 404);
});

both!(disabled_plans_are_kept_and_checked, demo_config(), |h: &mut dyn Harness| {
    let id = direct_e1_user(h);
    let sway = "a23b959c-7ce8-4e57-9140-b90eb88a9e97";
    let body = json!({"addLicenses": [{"skuId": E3, "disabledPlans": [sway]}], "removeLicenses": [E1]});
    let (status, _) = post(h, &format!("/v1.0/users/{id}/assignLicense"), &body);
    assert_eq!(status, 200);
    let (_, v) = get(h, &format!("/v1.0/users/{id}?$select=assignedLicenses"));
    assert_eq!(v["assignedLicenses"][0]["disabledPlans"], json!([sway]));
    let body = json!({"addLicenses": [{"skuId": E3, "disabledPlans": ["efb87545-0000-4000-8000-000000000000"]}], "removeLicenses": []});
    assert_eq!(post(h, &format!("/v1.0/users/{id}/assignLicense"), &body).0, 400);
});
