//! Replaces user and group names and ids with stable pseudonyms (`user-001`, `group-001`) so a
//! plan can be reviewed by someone who must not see who is in it.
//!
//! Pseudonyms are numbered in order of first appearance (phases, rollback, findings, coverage,
//! scope), so the same plan always redacts the same way. Every string in the plan is rewritten:
//! fields that are exactly a name or id, and names or ids mentioned inside messages and remedies.
//! SKU and service-plan ids are not personal and are kept.
use crate::plan::{Plan, Scope, Subject, TargetKind};
use serde_json::Value;
use std::collections::HashMap;

#[derive(Default)]
struct Pseudonyms {
    /// Lowercased id or name -> pseudonym.
    map: HashMap<String, String>,
    users: usize,
    groups: usize,
    /// Names that are not a single token (group display names with spaces): searched as
    /// substrings, longest first.
    phrases: Vec<(String, String)>,
}

impl Pseudonyms {
    fn pseudonym(&mut self, kind: TargetKind, keys: &[&str]) -> String {
        if let Some(p) = keys.iter().find_map(|k| self.map.get(&k.to_lowercase())) {
            let p = p.clone();
            self.add_keys(keys, &p);
            return p;
        }
        let p = match kind {
            TargetKind::User => {
                self.users += 1;
                format!("user-{:03}", self.users)
            }
            TargetKind::Group | TargetKind::Sku => {
                self.groups += 1;
                format!("group-{:03}", self.groups)
            }
        };
        self.add_keys(keys, &p);
        p
    }

    fn add_keys(&mut self, keys: &[&str], p: &str) {
        for k in keys.iter().map(|k| k.trim()).filter(|k| !k.is_empty()) {
            if self.map.insert(k.to_lowercase(), p.to_string()).is_none() && !is_token(k) {
                self.phrases.push((k.to_string(), p.to_string()));
            }
        }
    }

    /// SKU subjects (plan-wide findings) name products, not people: kept.
    fn subject(&mut self, s: &Subject) {
        if s.kind != TargetKind::Sku {
            self.pseudonym(s.kind, &[&s.id, &s.name]);
        }
    }
}

fn is_token_char(c: char) -> bool {
    c.is_alphanumeric() || "'.-_!#^~@".contains(c)
}

fn is_token(s: &str) -> bool {
    s.chars().all(is_token_char)
}

/// A copy of `plan` with every user and group name and id replaced by a pseudonym.
pub fn redact(plan: &Plan) -> Plan {
    let mut names = Pseudonyms::default();
    for phase in plan.phases.iter().chain(&plan.rollback) {
        for a in &phase.actions {
            names.subject(&a.target);
        }
    }
    for f in &plan.findings {
        names.subject(&f.subject);
    }
    for c in &plan.coverage {
        names.pseudonym(TargetKind::User, &[&c.user_id, &c.user]);
        for id in &c.also {
            names.pseudonym(TargetKind::User, &[id]);
        }
    }
    match &plan.request.scope {
        Scope::AllHolders => {}
        Scope::Users(ids) => ids.iter().for_each(|id| {
            names.pseudonym(TargetKind::User, &[id]);
        }),
        Scope::Groups(ids) => ids.iter().for_each(|id| {
            names.pseudonym(TargetKind::Group, &[id]);
        }),
    }
    if let Some(t) = &plan.tenant_name {
        names.add_keys(&[t], "tenant");
    }
    names.phrases.sort_by_key(|(phrase, _)| std::cmp::Reverse(phrase.len()));

    let Ok(mut value) = serde_json::to_value(plan) else {
        return plan.clone();
    };
    rewrite(&mut value, &names);
    // Only string contents changed, so the shape still fits `Plan`; fall back to a plan with no
    // names at all rather than leak them if it somehow does not.
    serde_json::from_value(value).unwrap_or_else(|_| {
        let mut p = plan.clone();
        p.phases.clear();
        p.rollback.clear();
        p.findings.clear();
        p.coverage.clear();
        p.tenant_name = None;
        p
    })
}

fn rewrite(v: &mut Value, names: &Pseudonyms) {
    match v {
        Value::String(s) => *s = redact_text(s, names),
        Value::Array(items) => items.iter_mut().for_each(|i| rewrite(i, names)),
        Value::Object(map) => map.values_mut().for_each(|i| rewrite(i, names)),
        _ => {}
    }
}

fn redact_text(s: &str, names: &Pseudonyms) -> String {
    if let Some(p) = names.map.get(&s.trim().to_lowercase()) {
        return p.clone();
    }
    let mut text = s.to_string();
    for (phrase, p) in &names.phrases {
        text = replace_phrase(&text, phrase, p);
    }
    replace_tokens(&text, names)
}

/// Case-insensitive, whole-word replacement of a multi-word name.
fn replace_phrase(text: &str, phrase: &str, p: &str) -> String {
    let lower = text.to_lowercase();
    let needle = phrase.to_lowercase();
    // Lowercasing can change byte lengths outside ASCII; only then fall back to exact case.
    let (hay, needle) = if lower.len() == text.len() && needle.len() == phrase.len() {
        (lower.as_str(), needle)
    } else {
        (text, phrase.to_string())
    };
    let mut out = String::with_capacity(text.len());
    let mut last = 0;
    let mut from = 0;
    while let Some(pos) = hay[from..].find(&needle).map(|i| i + from) {
        let end = pos + needle.len();
        let before_ok = text[..pos].chars().next_back().is_none_or(|c| !c.is_alphanumeric());
        let after_ok = text[end..].chars().next().is_none_or(|c| !c.is_alphanumeric());
        if before_ok && after_ok {
            out.push_str(&text[last..pos]);
            out.push_str(p);
            last = end;
        }
        from = end.max(pos + 1);
        while !text.is_char_boundary(from) {
            from += 1;
        }
    }
    out.push_str(&text[last..]);
    out
}

/// Replaces every token (a run of UPN/GUID characters) that is a known name or id, also with
/// sentence punctuation around it (`alice@contoso.com.` at the end of a sentence).
fn replace_tokens(text: &str, names: &Pseudonyms) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while !rest.is_empty() {
        let start = rest.find(is_token_char).unwrap_or(rest.len());
        out.push_str(&rest[..start]);
        rest = &rest[start..];
        let end = rest.find(|c: char| !is_token_char(c)).unwrap_or(rest.len());
        let token = &rest[..end];
        let inner = known_prefix(token.trim_matches(|c: char| "'.-_!#^~".contains(c)), names);
        match names.map.get(&inner.to_lowercase()) {
            Some(p) if !inner.is_empty() => {
                let lead = token.find(inner).unwrap_or(0);
                out.push_str(&token[..lead]);
                out.push_str(p);
                out.push_str(&token[lead + inner.len()..]);
            }
            _ => out.push_str(token),
        }
        rest = &rest[end..];
    }
    out
}

/// The longest prefix of `token` that is a known name, cut at punctuation (`alice@contoso.com's`
/// -> `alice@contoso.com`); the token itself when none is.
fn known_prefix<'t>(token: &'t str, names: &Pseudonyms) -> &'t str {
    if names.map.contains_key(&token.to_lowercase()) {
        return token;
    }
    token
        .char_indices()
        .rev()
        .filter(|(_, c)| "'.-_!#^~".contains(*c))
        .map(|(i, _)| &token[..i])
        .find(|p| !p.is_empty() && names.map.contains_key(&p.to_lowercase()))
        .unwrap_or(token)
}
