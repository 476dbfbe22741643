//! Groups: list, get, members, membersWithLicenseErrors, assignLicense (202 Accepted, processed
//! in the background), and membership changes.
//! <https://learn.microsoft.com/en-us/graph/api/group-list>,
//! <https://learn.microsoft.com/en-us/graph/api/group-list-members>,
//! <https://learn.microsoft.com/en-us/graph/api/group-list-memberswithlicenseerrors>,
//! <https://learn.microsoft.com/en-us/graph/api/group-assignlicense>,
//! <https://learn.microsoft.com/en-us/graph/api/group-post-members>
use super::{page, select_context, users, Call, Reply};
use crate::licensing;
use crate::odata::{same_value, Clause, Query};
use crate::render::{group_prop, is_group_prop, is_user_prop, member_has_error, object, GROUP_DEFAULT};
use crate::tenant::{GroupIx, Tenant};
use crate::wire::GraphErrorReply;
use serde_json::Value;

fn render(t: &Tenant, g: GroupIx, q: &Query) -> Value {
    object(q.select.as_deref(), GROUP_DEFAULT, |p| group_prop(t, g, p))
}

fn find(t: &Tenant, id: &str) -> Result<GroupIx, GraphErrorReply> {
    t.group_ix(id).ok_or_else(|| GraphErrorReply::not_found(id))
}

fn matches(t: &Tenant, g: GroupIx, filter: &[Clause]) -> bool {
    filter.iter().all(|c| clause_matches(t, g, c))
}

fn clause_matches(t: &Tenant, g: GroupIx, c: &Clause) -> bool {
    match c {
        Clause::Eq(p, v) if p == "hasMembersWithLicenseErrors" => {
            same_value(&Value::Bool(crate::render::has_license_errors(t, g)), v)
        }
        Clause::HasSku(id) => t.groups[g as usize]
            .licenses
            .iter()
            .any(|l| t.skus[l.sku as usize].sku_id.eq_ignore_ascii_case(id)),
        Clause::AnyOf(cs) => cs.iter().any(|c| clause_matches(t, g, c)),
        other => other.on_string(|p| group_prop(t, g, p)).unwrap_or(false),
    }
}

pub fn list(t: &Tenant, c: &Call) -> Result<Reply, GraphErrorReply> {
    let q = c.query()?;
    q.check_select("group", is_group_prop)?;
    let on_errors = q
        .filter
        .iter()
        .any(|f| matches!(f, Clause::Eq(p, _) | Clause::In(p, _) if p == "hasMembersWithLicenseErrors"));
    if on_errors && c.eventual {
        // The filter works on the default store only: with `ConsistencyLevel: eventual` Graph
        // refuses it (microsoftgraph/msgraph-sdk-powershell#2967).
        return Err(GraphErrorReply::new(
            400,
            "Request_UnsupportedQuery",
            "Unsupported or invalid query filter clause specified for property 'hasMembersWithLicenseErrors' of resource 'Group'.",
        ));
    }
    let ctx = c.context(&select_context("groups", &q));
    Ok(page(c, &q, ctx, 0..t.groups.len() as GroupIx, |g| matches(t, g, &q.filter), |g| render(t, g, &q)))
}

pub fn get(t: &Tenant, c: &Call, id: &str) -> Result<Reply, GraphErrorReply> {
    let g = find(t, id)?;
    let q = c.query()?;
    q.check_select("group", is_group_prop)?;
    let mut v = render(t, g, &q);
    v["@odata.context"] = Value::String(c.context("groups/$entity"));
    Ok(Reply::ok(v))
}

/// Direct members (users), or only those in a license error state from this group.
pub fn members(t: &Tenant, c: &Call, id: &str, errors_only: bool) -> Result<Reply, GraphErrorReply> {
    let g = find(t, id)?;
    let q = c.query()?;
    q.check_select("user", is_user_prop)?;
    if !q.filter.is_empty() && !c.eventual {
        // Filtering a group's members is an advanced query
        // (https://learn.microsoft.com/en-us/graph/aad-advanced-queries).
        return Err(GraphErrorReply::new(
            400,
            "Request_UnsupportedQuery",
            "Filtering members requires the ConsistencyLevel: eventual header and $count=true.",
        ));
    }
    let ctx = c.context(&select_context("directoryObjects", &q));
    let list = &t.groups[g as usize].members;
    let test = users::matcher(t, &q.filter);
    Ok(page(
        c,
        &q,
        ctx,
        list.iter().copied(),
        |u| (!errors_only || member_has_error(t, g, u)) && test(u),
        |u| users::written(t, u, &q, Some("#microsoft.graph.user")),
    ))
}

pub fn assign_license(t: &mut Tenant, c: &Call, id: &str) -> Result<Reply, GraphErrorReply> {
    let g = find(t, id)?;
    let body = users::parse_body(c)?;
    licensing::assign_group(t, g, &body, c.now, c.group_timing)?;
    let mut v = render(t, g, &Query::default());
    v["@odata.context"] = Value::String(c.context("groups/$entity"));
    let mut reply = Reply::ok(v);
    reply.status = 202;
    reply.headers.push(("Location".into(), format!("{}/v1.0/groups/{}", c.base, t.groups[g as usize].id)));
    Ok(reply)
}

/// Membership of dynamic groups follows their rule, and of synced groups the on-premises
/// directory: Graph refuses to change either.
fn check_editable(t: &Tenant, g: GroupIx) -> Result<(), GraphErrorReply> {
    let group = &t.groups[g as usize];
    if group.on_premises_sync_enabled {
        return Err(GraphErrorReply::bad_request(
            "Unable to update the specified properties for on-premises mastered Directory Sync objects or objects currently undergoing migration.",
        ));
    }
    if group.group_types.iter().any(|x| x == "DynamicMembership") {
        return Err(GraphErrorReply::bad_request(
            "Adding or removing members of a group with dynamic membership is not supported.",
        ));
    }
    Ok(())
}

/// `POST /groups/{id}/members/$ref` with `{"@odata.id": ".../directoryObjects/{userId}"}`.
pub fn add_member(t: &mut Tenant, c: &Call, id: &str) -> Result<Reply, GraphErrorReply> {
    let g = find(t, id)?;
    check_editable(t, g)?;
    let v: Value = c.json_body()?;
    let reference = v
        .get("@odata.id")
        .and_then(Value::as_str)
        .ok_or_else(|| GraphErrorReply::bad_request("Missing '@odata.id' in the request body."))?;
    let uid = reference.rsplit('/').next().unwrap_or("");
    let u = t.user_ix(uid).ok_or_else(|| GraphErrorReply::not_found(uid))?;
    if t.groups[g as usize].members.contains(&u) {
        return Err(GraphErrorReply::bad_request("One or more added object references already exist for the following modified properties: 'members'."));
    }
    t.remember_group(g, c.now);
    t.add_member(g, u);
    licensing::queue_group(t, g, c.now, c.group_timing);
    Ok(Reply { status: 204, body: None, headers: Vec::new() })
}

/// `DELETE /groups/{id}/members/{userId}/$ref`.
pub fn remove_member(t: &mut Tenant, c: &Call, id: &str, uid: &str) -> Result<Reply, GraphErrorReply> {
    let g = find(t, id)?;
    check_editable(t, g)?;
    let u = t.user_ix(uid).ok_or_else(|| GraphErrorReply::not_found(uid))?;
    t.remember_group(g, c.now);
    if !t.remove_member(g, u) {
        return Err(GraphErrorReply::not_found(uid));
    }
    licensing::queue_group(t, g, c.now, c.group_timing);
    Ok(Reply { status: 204, body: None, headers: Vec::new() })
}
