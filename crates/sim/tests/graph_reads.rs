//! Reads: subscribedSkus, users (paging, $select, $top, $filter), groups, members,
//! membersWithLicenseErrors; in process and over HTTP.
mod common;
use common::*;
use serde_json::Value;

both!(subscribed_skus_report_seats_and_plans, demo_config(), |h: &mut dyn Harness| {
    let (status, v) = get(h, "/v1.0/subscribedSkus");
    assert_eq!(status, 200);
    let skus = v["value"].as_array().unwrap();
    let e3 = skus.iter().find(|s| s["skuPartNumber"] == "ENTERPRISEPACK").expect("E3 subscribed");
    assert_eq!(e3["skuId"], E3);
    assert_eq!(e3["prepaidUnits"]["enabled"], 44, "40, and the 4 its bundle holders take");
    let e1 = skus.iter().find(|s| s["skuPartNumber"] == "STANDARDPACK").unwrap();
    // The demo tenant has more E1 holders than free E3 seats.
    let free_e3 = e3["prepaidUnits"]["enabled"].as_i64().unwrap() - e3["consumedUnits"].as_i64().unwrap();
    assert!(e1["consumedUnits"].as_i64().unwrap() > free_e3);
    assert!(e3["servicePlans"]
        .as_array()
        .unwrap()
        .iter()
        .any(|p| p["servicePlanName"] == "EXCHANGE_S_ENTERPRISE"));
});

both!(users_page_with_next_link_until_every_user_is_read, demo_config(), |h: &mut dyn Harness| {
    let mut total = 0;
    let mut ids = std::collections::HashSet::new();
    let mut next = Some(url(h, "/v1.0/users?$top=7&$select=id,displayName"));
    let mut pages = 0;
    while let Some(link) = next {
        let r = h.send(licswap_core::graph::http::HttpRequest::get(link));
        assert_eq!(r.status, 200, "{}", r.body);
        let v = parse(&r);
        let value = v["value"].as_array().unwrap();
        assert!(value.len() <= 7);
        for u in value {
            assert!(ids.insert(u["id"].as_str().unwrap().to_string()), "a user appears twice");
            // Only the selected properties (and id).
            assert_eq!(u.as_object().unwrap().len(), 2, "{u}");
        }
        total += value.len();
        pages += 1;
        next = v["@odata.nextLink"].as_str().map(String::from);
        if let Some(n) = &next {
            assert!(n.starts_with(&h.base()), "nextLink {n} is absolute on the same host");
        }
    }
    let mut users = 0;
    h.with_sim(&mut |s| users = s.tenant().users.len());
    assert_eq!(total, users);
    assert_eq!(pages, users.div_ceil(7));
});

both!(users_default_properties_exclude_licenses, demo_config(), |h: &mut dyn Harness| {
    let (_, v) = get(h, "/v1.0/users?$top=1");
    let u = &v["value"][0];
    assert!(u.get("userPrincipalName").is_some() && u.get("businessPhones").is_some());
    // Graph returns licenses only on $select.
    assert!(u.get("assignedLicenses").is_none() && u.get("usageLocation").is_none());
});

both!(top_is_limited_to_999_and_unknown_select_is_rejected, demo_config(), |h: &mut dyn Harness| {
    let (status, v) = get(h, "/v1.0/users?$top=999");
    assert_eq!(status, 200);
    assert!(v.get("@odata.nextLink").is_none());
    let (status, v) = get(h, "/v1.0/users?$top=1000");
    assert_eq!(status, 400);
    assert_eq!(error_code(&v), "Request_BadRequest");
    let (status, v) = get(h, "/v1.0/users?$select=id,shoeSize");
    assert_eq!(status, 400);
    assert!(error_message(&v).contains("shoeSize"));
    let (status, _) = get(h, "/v1.0/users?$skiptoken=garbage!");
    assert_eq!(status, 400);
});

both!(filter_by_assigned_sku_finds_exactly_the_holders, demo_config(), |h: &mut dyn Harness| {
    let path = format!("/v1.0/users?$filter=assignedLicenses/any(x:x/skuId%20eq%20{E1})&$select=assignedLicenses&$top=999&$count=true");
    // $count=true is an advanced query: without ConsistencyLevel: eventual Graph ignores it
    // (aad-advanced-queries), answering the list without @odata.count.
    let (status, v) = get(h, &path);
    assert_eq!(status, 200);
    assert!(v.get("@odata.count").is_none(), "{}", v["@odata.count"]);
    let r = h.send(
        licswap_core::graph::http::HttpRequest::get(url(h, &path))
            .with_header("ConsistencyLevel", "eventual"),
    );
    let (status, v) = (r.status, parse(&r));
    assert_eq!(status, 200);
    let holders = v["value"].as_array().unwrap();
    assert!(holders.iter().all(|u| skus_of(u).contains(&E1.to_string())));
    let mut expected = 0;
    h.with_sim(&mut |s| expected = s.tenant().skus.iter().find(|k| k.sku_id == E1).unwrap().consumed);
    assert_eq!(holders.len() as i64, expected);
    assert_eq!(v["@odata.count"].as_i64(), Some(expected));
    // The count comes with the first page; the pages behind its link do not repeat it (licswap
    // reads counts from first pages only; Graph's documentation is silent on later pages).
    let eventual = |u: String| licswap_core::graph::http::HttpRequest::get(u).with_header("ConsistencyLevel", "eventual");
    let first = parse(&h.send(eventual(url(h, &path.replace("$top=999", "$top=2")))));
    assert_eq!(first["@odata.count"].as_i64(), Some(expected));
    let next = first["@odata.nextLink"].as_str().expect("more than 2 holders").to_string();
    let second = parse(&h.send(eventual(next)));
    assert_eq!(second["value"].as_array().map(Vec::len), Some(2));
    assert!(second.get("@odata.count").is_none(), "{second}");
    // startsWith on displayName works by default; endsWith only on mail, otherMails,
    // userPrincipalName and proxyAddresses, in advanced queries
    // (https://learn.microsoft.com/graph/aad-advanced-queries).
    let (status, v) = get(h, "/v1.0/users?$filter=startswith(displayName,'A')");
    assert_eq!(status, 200);
    let names: Vec<&str> = v["value"].as_array().unwrap().iter().map(|u| u["displayName"].as_str().unwrap()).collect();
    assert!(!names.is_empty() && names.iter().all(|n| n.to_ascii_lowercase().starts_with('a')), "{names:?}");
    let (status, v) = get(h, "/v1.0/users?$filter=endswith(displayName,'A')");
    assert_eq!(status, 400);
    assert_eq!(error_code(&v), "Request_UnsupportedQuery");
});

// The demo's administrator is renamed after being made (admin@…): the new name finds them, by
// key and by a filter on the name's start in any case.
both!(a_renamed_user_is_found_by_the_new_name_only, demo_config(), |h: &mut dyn Harness| {
    let (status, me) = get(h, "/v1.0/me");
    assert_eq!(status, 200);
    let upn = me["userPrincipalName"].as_str().unwrap().to_string();
    assert!(upn.starts_with("admin@"), "{upn}");
    let (status, by_upn) = get(h, &format!("/v1.0/users/{}", upn.to_ascii_uppercase()));
    assert_eq!((status, by_upn["id"].clone()), (200, me["id"].clone()));
    // One character, in either case, too (the simulator answers those from the name's first
    // byte alone).
    for prefix in ["admin@", "ADMIN", "aDm", "a", "A"] {
        let (status, v) = get(h, &format!("/v1.0/users?$filter=startsWith(userPrincipalName,'{prefix}')"));
        assert_eq!(status, 200);
        let ids: Vec<&Value> = v["value"].as_array().unwrap().iter().map(|u| &u["id"]).collect();
        assert!(ids.contains(&&me["id"]), "{prefix}: {v}");
    }
    let (_, v) = get(h, "/v1.0/users?$filter=startsWith(userPrincipalName,'z')");
    assert!(v["value"].as_array().unwrap().iter().all(|u| u["id"] != me["id"]));
});

both!(user_by_id_or_upn_and_unknown_user, demo_config(), |h: &mut dyn Harness| {
    let id = user_id(h, &|u| u.department.as_deref() == Some("PMO"));
    let (status, v) = get(h, &format!("/v1.0/users/{id}?$select=licenseAssignmentStates,usageLocation"));
    assert_eq!(status, 200);
    assert_eq!(v["id"], Value::String(id.clone()));
    let states = v["licenseAssignmentStates"].as_array().unwrap();
    let project = states.iter().find(|s| s["skuId"] == PROJECT).unwrap();
    assert_eq!(project["state"], "Active");
    assert_eq!(project["assignedByGroup"], Value::Null);
    let upn = v.get("userPrincipalName").cloned();
    assert!(upn.is_none(), "not selected");
    let (_, full) = get(h, &format!("/v1.0/users/{id}"));
    let upn = full["userPrincipalName"].as_str().unwrap().to_string();
    let (status, by_upn) = get(h, &format!("/v1.0/users/{upn}"));
    assert_eq!((status, by_upn["id"].clone()), (200, Value::String(id)));
    let (status, v) = get(h, "/v1.0/users/00000000-0000-0000-0000-000000000000");
    assert_eq!(status, 404);
    assert_eq!(error_code(&v), "Request_ResourceNotFound");
    assert!(v["error"]["innerError"]["request-id"].is_string());
});

both!(groups_show_types_sync_and_licenses_on_select, demo_config(), |h: &mut dyn Harness| {
    let (status, v) = get(h, "/v1.0/groups?$select=displayName,groupTypes,membershipRule,onPremisesSyncEnabled,assignedLicenses,licenseProcessingState");
    assert_eq!(status, 200);
    let groups = v["value"].as_array().unwrap();
    assert_eq!(groups.len(), 12);
    let dynamic = groups
        .iter()
        .find(|g| g["groupTypes"].as_array().unwrap().iter().any(|t| t == "DynamicMembership"))
        .unwrap();
    assert!(dynamic["membershipRule"].as_str().unwrap().contains("Contractors"));
    assert!(groups.iter().any(|g| g["onPremisesSyncEnabled"] == true));
    assert!(
        groups
            .iter()
            .filter(|g| g["assignedLicenses"].as_array().unwrap().iter().any(|l| l["skuId"] == E1))
            .count()
            >= 4
    );
    assert!(groups.iter().all(|g| g["licenseProcessingState"]["state"] == "ProcessingComplete"));
    let (_, plain) = get(h, "/v1.0/groups");
    assert!(plain["value"][0].get("assignedLicenses").is_none(), "returned only on $select");
});

both!(group_members_page_and_unknown_group, demo_config(), |h: &mut dyn Harness| {
    let sales = group_id(h, "E1 - Sales");
    let (status, v) = get(h, &format!("/v1.0/groups/{sales}/members?$select=id,userPrincipalName&$top=5"));
    assert_eq!(status, 200);
    assert_eq!(v["value"].as_array().unwrap().len(), 5);
    assert_eq!(v["value"][0]["@odata.type"], "#microsoft.graph.user");
    let next = v["@odata.nextLink"].as_str().expect("more than five members").to_string();
    let r = h.send(licswap_core::graph::http::HttpRequest::get(next));
    assert_eq!(r.status, 200);
    let (status, g) = get(h, &format!("/v1.0/groups/{sales}"));
    assert_eq!((status, g["displayName"].as_str()), (200, Some("E1 - Sales")));
    let (status, _) = get(h, "/v1.0/groups/00000000-0000-0000-0000-000000000000/members");
    assert_eq!(status, 404);
    let (status, v) = get(h, &format!("/v1.0/groups/{sales}/membersWithLicenseErrors"));
    assert_eq!(status, 200);
    assert!(v["value"].as_array().unwrap().is_empty());
});

both!(organization_and_me, demo_config(), |h: &mut dyn Harness| {
    let (_, org) = get(h, "/v1.0/organization");
    assert_eq!(org["value"][0]["displayName"], licswap_sim::fixtures::DEMO_TENANT_NAME);
    let (status, me) = get(h, "/v1.0/me");
    assert_eq!(status, 200);
    assert!(me["userPrincipalName"].as_str().unwrap().starts_with("admin@"));
});

both!(subscribed_skus_and_organization_honour_select, demo_config(), |h: &mut dyn Harness| {
    let (status, v) = get(h, "/v1.0/subscribedSkus?$select=skuId,consumedUnits");
    assert_eq!(status, 200);
    let first = v["value"][0].as_object().unwrap();
    let mut keys: Vec<&String> = first.keys().collect();
    keys.sort();
    assert_eq!(keys, ["consumedUnits", "id", "skuId"]);
    assert_eq!(get(h, "/v1.0/subscribedSkus?$select=colour").0, 400);
    let (_, org) = get(h, "/v1.0/organization?$select=displayName");
    assert_eq!(org["value"][0].as_object().unwrap().len(), 2);
});

both!(filter_by_id_list_and_upn, demo_config(), |h: &mut dyn Harness| {
    let mut ids = Vec::new();
    h.with_sim(&mut |s| {
        ids = s.tenant().users.iter().skip(3).take(3).map(|u| (u.id.clone(), u.upn.clone())).collect()
    });
    let list = ids.iter().map(|(id, _)| format!("'{id}'")).collect::<Vec<_>>().join(",");
    let (status, v) = get(h, &format!("/v1.0/users?$filter=id%20in%20({list})&$select=id"));
    assert_eq!(status, 200);
    let got: Vec<&str> = v["value"].as_array().unwrap().iter().map(|u| u["id"].as_str().unwrap()).collect();
    assert_eq!(got, ids.iter().map(|(id, _)| id.as_str()).collect::<Vec<_>>());
    let upn = ids[1].1.to_uppercase();
    let (_, v) = get(h, &format!("/v1.0/users?$filter=userPrincipalName%20eq%20'{upn}'"));
    assert_eq!(v["value"].as_array().unwrap().len(), 1, "eq on strings ignores case");
});

both!(license_details_show_each_plan_on_or_off, demo_config(), |h: &mut dyn Harness| {
    let id = user_id(h, &|u| {
        u.direct.iter().any(|l| !l.disabled.is_empty()) && u.department.as_deref() == Some("Operations")
    });
    let (status, v) = get(h, &format!("/v1.0/users/{id}/licenseDetails"));
    assert_eq!(status, 200);
    let e1 =
        v["value"].as_array().unwrap().iter().find(|d| d["skuPartNumber"] == "STANDARDPACK").unwrap().clone();
    let status_of = |name: &str| {
        e1["servicePlans"].as_array().unwrap().iter().find(|p| p["servicePlanName"] == name).unwrap()
            ["provisioningStatus"]
            .clone()
    };
    assert_eq!(status_of("SWAY"), "Disabled");
    assert_eq!(status_of("EXCHANGE_S_STANDARD"), "Success");
});

both!(filtering_members_is_an_advanced_query, demo_config(), |h: &mut dyn Harness| {
    let sales = group_id(h, "E1 - Sales");
    let path =
        format!("/v1.0/groups/{sales}/members?$filter=accountEnabled%20eq%20true&$count=true&$select=id");
    assert_eq!(get(h, &path).0, 400);
    let r = h.send(
        licswap_core::graph::http::HttpRequest::get(url(h, &path))
            .with_header("ConsistencyLevel", "eventual"),
    );
    assert_eq!(r.status, 200);
    assert_eq!(parse(&r)["@odata.count"], 17);
});

both!(has_members_with_license_errors_is_filter_only_and_not_eventual, demo_config(), |h: &mut dyn Harness| {
    // group resource: "Supports $filter (eq). Not returned on $select"; with ConsistencyLevel:
    // eventual the filter is refused (microsoftgraph/msgraph-sdk-powershell#2967).
    set_e3_seats(h);
    let sales = group_id(h, "E1 - Sales");
    assert_eq!(post(h, &format!("/v1.0/groups/{sales}/assignLicense"), &swap_body(E3, E1)).0, 202);
    h.wait(400);
    let (status, v) = get(h, &format!("/v1.0/groups/{sales}?$select=id,hasMembersWithLicenseErrors"));
    assert_eq!(status, 200);
    assert!(v.get("hasMembersWithLicenseErrors").is_none(), "never returned: {v}");
    let path = "/v1.0/groups?$filter=hasMembersWithLicenseErrors%20eq%20true&$select=id";
    let (status, v) = get(h, path);
    assert_eq!(status, 200, "{v}");
    let ids: Vec<&str> = v["value"].as_array().unwrap().iter().map(|g| g["id"].as_str().unwrap()).collect();
    // Sales, and the demo's groups with a member in error from the start (license health).
    let mut want = vec![sales.clone()];
    want.extend(["Project - Viewers (SharePoint off)", "Project - PMO", "Exchange - Front desk", "Power BI - Partners"].map(|n| group_id(h, n)));
    let mut got: Vec<String> = ids.iter().map(|s| s.to_string()).collect();
    got.sort();
    want.sort();
    assert_eq!(got, want);
    let r = h.send(licswap_core::graph::http::HttpRequest::get(url(h, path)).with_header("ConsistencyLevel", "eventual"));
    assert_eq!((r.status, error_code(&parse(&r))), (400, "Request_UnsupportedQuery"));
});

fn set_e3_seats(h: &mut dyn Harness) {
    h.with_sim(&mut |s| {
        let t = s.tenant_mut();
        let ix = t.sku_ix(E3).unwrap() as usize;
        t.skus[ix].prepaid_enabled = t.skus[ix].consumed + 3;
    });
}
