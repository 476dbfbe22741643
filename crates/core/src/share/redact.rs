//! Replaces user and group names and ids with stable pseudonyms (`user-001`, `group-001`) so a
//! plan can be reviewed by someone who must not see who is in it.
//!
//! Pseudonyms are numbered in order of first appearance (phases, rollback, findings, coverage,
//! scope, then the rest of the snapshot), so the same plan always redacts the same way. Every
//! string in the plan is rewritten: fields that are exactly a name or id, and names or ids
//! mentioned inside messages and remedies. SKU and service-plan ids are not personal and are kept.
//!
//! The names come from the whole snapshot the plan was made from, not only from the plan's
//! subjects: a finding about one user can name a group outside the scope (the group a license is
//! inherited from), and that group must not survive either. The tenant's domains (every UPN's
//! suffix, the tenant's name) are replaced too, wherever they appear. Matching is
//! case-insensitive character by character, so names outside ASCII are caught in any case.
use crate::plan::{Plan, Scope, Snapshot, Subject, TargetKind};
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
    /// `phrases` by their first word (lowercase), longest first: each word of a text is looked up
    /// once instead of every phrase being searched in every text.
    by_first_word: HashMap<String, Vec<Phrase>>,
    /// The tenant's domains, lowercase, longest first.
    domains: Vec<String>,
}

struct Phrase {
    /// Characters before the first word (`#` of `#Sales Team`), as written.
    lead: String,
    /// From the first word on, lowercase.
    rest: String,
    pseudonym: String,
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

/// A copy of `plan` with every user and group name and id the plan mentions replaced by a
/// pseudonym. [`redact_with_snapshot`] also catches names the plan's text mentions of objects
/// that are not its subjects; use it whenever the snapshot is at hand.
pub fn redact(plan: &Plan) -> Plan {
    redact_all(plan, None)
}

/// A copy of `plan` with every name and id of `snapshot` (users: id, UPN, display name; groups:
/// id, display name; the tenant's name and domains) replaced wherever it appears.
pub fn redact_with_snapshot(plan: &Plan, snapshot: &Snapshot) -> Plan {
    redact_all(plan, Some(snapshot))
}

fn redact_all(plan: &Plan, snapshot: Option<&Snapshot>) -> Plan {
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
    let mut tenant_names: Vec<&str> = plan.tenant_name.iter().map(String::as_str).collect();
    if let Some(s) = snapshot {
        for u in &s.users {
            let keys: Vec<&str> =
                [Some(u.id.as_str()), u.user_principal_name.as_deref(), u.display_name.as_deref()]
                    .into_iter()
                    .flatten()
                    .collect();
            names.pseudonym(TargetKind::User, &keys);
        }
        for g in &s.groups {
            let keys: Vec<&str> =
                [Some(g.group.id.as_str()), g.group.display_name.as_deref()].into_iter().flatten().collect();
            names.pseudonym(TargetKind::Group, &keys);
        }
        tenant_names.extend(s.tenant_name.as_deref());
    }
    for t in &tenant_names {
        names.add_keys(&[t], "tenant");
    }
    names.finish(&tenant_names);

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

impl Pseudonyms {
    /// Indexes the phrases and collects the domains, once every name is known.
    fn finish(&mut self, tenant_names: &[&str]) {
        self.phrases.sort_by_key(|(phrase, _)| std::cmp::Reverse(phrase.len()));
        for (phrase, p) in &self.phrases {
            let Some(start) = phrase.find(char::is_alphanumeric) else { continue };
            let rest = phrase[start..].to_lowercase();
            // The first word as the text scan finds it: a run of letters and digits as written,
            // then lowercased (lowercasing can add marks that are not letters: `İ` -> `i̇`).
            let first: String =
                phrase[start..].chars().take_while(|c| c.is_alphanumeric()).collect::<String>().to_lowercase();
            self.by_first_word.entry(first).or_default().push(Phrase {
                lead: phrase[..start].to_string(),
                rest,
                pseudonym: p.clone(),
            });
        }
        let mut domains: Vec<String> = self
            .map
            .keys()
            .filter_map(|k| k.rsplit_once('@').map(|(_, d)| d.to_string()))
            .chain(tenant_names.iter().filter(|t| is_token(t) && t.contains('.')).map(|t| t.to_lowercase()))
            .filter(|d| d.contains('.') && d.len() > 3)
            .collect();
        domains.sort_by_key(|d| (std::cmp::Reverse(d.len()), d.clone()));
        domains.dedup();
        self.domains = domains;
    }
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
    let text = replace_phrases(s, names);
    let mut text = replace_tokens(&text, names);
    for (i, d) in names.domains.iter().enumerate() {
        text = replace_domain(&text, d, &format!("domain-{:03}", i + 1));
    }
    text
}

/// Where `needle` (lowercase) matches `text` from byte `at` on, case-insensitively character by
/// character (so `İ` or `ß` lengths do not matter): the byte end of the match.
fn match_ci(text: &str, at: usize, needle: &str) -> Option<usize> {
    let mut want = needle.chars();
    let mut pending: Vec<char> = Vec::new();
    for (i, c) in text[at..].char_indices() {
        pending.extend(c.to_lowercase());
        for got in pending.drain(..) {
            if want.next() != Some(got) {
                return None;
            }
        }
        if want.as_str().is_empty() {
            return Some(at + i + c.len_utf8());
        }
    }
    None
}

/// Whole-word replacement of multi-word names, looked up by each word of the text.
fn replace_phrases(text: &str, names: &Pseudonyms) -> String {
    if names.by_first_word.is_empty() {
        return text.to_string();
    }
    let mut out = String::with_capacity(text.len());
    let mut last = 0;
    let mut i = 0;
    while i < text.len() {
        let c = text[i..].chars().next().unwrap_or(' ');
        let word_start = c.is_alphanumeric() && text[..i].chars().next_back().is_none_or(|p| !p.is_alphanumeric());
        if !word_start {
            i += c.len_utf8();
            continue;
        }
        let word_end = text[i..].find(|c: char| !c.is_alphanumeric()).map_or(text.len(), |e| i + e);
        let word = text[i..word_end].to_lowercase();
        let hit = names.by_first_word.get(&word).and_then(|cands| {
            cands.iter().find_map(|ph| {
                let start = i.checked_sub(ph.lead.len()).filter(|s| text.is_char_boundary(*s))?;
                if start < last || !text[start..i].eq_ignore_ascii_case(&ph.lead) {
                    return None;
                }
                let before_ok = text[..start].chars().next_back().is_none_or(|c| !c.is_alphanumeric());
                let end = match_ci(text, i, &ph.rest)?;
                let after_ok = text[end..].chars().next().is_none_or(|c| !c.is_alphanumeric());
                (before_ok && after_ok).then_some((start, end, &ph.pseudonym))
            })
        });
        match hit {
            Some((start, end, p)) => {
                out.push_str(&text[last..start]);
                out.push_str(p);
                last = end;
                i = end;
            }
            None => i = word_end,
        }
    }
    out.push_str(&text[last..]);
    out
}

/// Replaces a domain wherever it stands as a domain: alone, after `@` or as the end of a
/// subdomain, never inside a longer name (`notcontoso.com`).
fn replace_domain(text: &str, domain: &str, p: &str) -> String {
    let inside = |c: char| c.is_alphanumeric() || c == '-';
    let mut out = String::with_capacity(text.len());
    let mut last = 0;
    for (i, _) in text.char_indices() {
        if i < last || text[..i].chars().next_back().is_some_and(inside) {
            continue;
        }
        if let Some(end) = match_ci(text, i, domain) {
            if !text[end..].chars().next().is_some_and(inside) {
                out.push_str(&text[last..i]);
                out.push_str(p);
                last = end;
            }
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
