//! The user-list parser: what an admin pastes or uploads to name the users in scope.
//!
//! Accepted shapes, mixed freely:
//! - one user principal name (or object id) a line, or several separated by `,` or `;`;
//! - Outlook-style `Jane Doe <jane@contoso.com>` entries (the address is taken);
//! - a CSV export (Entra admin center, PowerShell `Export-Csv`) whose header row has a
//!   `UserPrincipalName` column (or `id`/`ObjectId`): only that column is read, quotes respected.
//!
//! Blank lines and `#` comments are ignored (a `#` only starts a comment at the start of a line or
//! after whitespace, since guest UPNs contain `#EXT#`). Entries are trimmed and deduplicated
//! case-insensitively (UPNs are case-insensitive in Entra ID). Bad entries are reported with their
//! line number and a reason; they never stop the rest of the list from parsing.

/// What one entry names.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum EntryKind {
    Upn,
    /// An Entra object id (a GUID).
    ObjectId,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Entry {
    pub value: String,
    pub kind: EntryKind,
    /// 1-based line of the first occurrence.
    pub line: usize,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BadLine {
    /// 1-based line number in the input.
    pub line: usize,
    /// The offending text (trimmed, cut to 120 characters).
    pub text: String,
    pub reason: String,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Duplicate {
    pub line: usize,
    pub value: String,
    /// Line of the occurrence that was kept.
    pub first_line: usize,
}

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct UserList {
    /// Distinct entries in input order.
    pub entries: Vec<Entry>,
    pub errors: Vec<BadLine>,
    pub duplicates: Vec<Duplicate>,
    /// True when the input was read as a CSV with a header row.
    pub csv: bool,
}

impl UserList {
    /// The entries' values (UPNs and ids), ready for `Scope::Users`.
    pub fn values(&self) -> Vec<String> {
        self.entries.iter().map(|e| e.value.clone()).collect()
    }
}

/// Header names (case-insensitive) whose column holds the user, in order of preference.
const HEADER_NAMES: [&str; 5] = ["userprincipalname", "upn", "user principal name", "objectid", "id"];

pub fn parse_user_list(input: &str) -> UserList {
    let input = input.strip_prefix('\u{feff}').unwrap_or(input);
    let mut out = UserList::default();
    let mut seen: std::collections::HashMap<String, usize> = std::collections::HashMap::new();
    let mut csv_column: Option<(usize, char)> = None;
    let mut header_checked = false;

    for (idx, raw) in input.lines().enumerate() {
        let line_no = idx + 1;
        let line = strip_comment(raw).trim();
        if line.is_empty() {
            continue;
        }
        if !header_checked {
            header_checked = true;
            if let Some(col) = find_header(line) {
                csv_column = Some(col);
                out.csv = true;
                continue;
            }
        }
        let tokens: Vec<String> = match csv_column {
            Some((col, delim)) => match split_csv_line(line, delim) {
                Ok(cells) => match cells.into_iter().nth(col) {
                    Some(cell) => vec![cell],
                    None => {
                        out.errors.push(bad(line_no, line, "this CSV row has no UserPrincipalName cell"));
                        continue;
                    }
                },
                Err(reason) => {
                    out.errors.push(bad(line_no, line, reason));
                    continue;
                }
            },
            None => split_list_line(line),
        };
        for token in tokens {
            let token = unwrap_address(token.trim());
            if token.is_empty() {
                if csv_column.is_some() {
                    out.errors.push(bad(line_no, line, "empty UserPrincipalName cell"));
                }
                continue;
            }
            match classify(token) {
                Ok(kind) => {
                    let key = token.to_lowercase();
                    if let Some(first) = seen.get(&key) {
                        out.duplicates.push(Duplicate {
                            line: line_no,
                            value: token.to_string(),
                            first_line: *first,
                        });
                    } else {
                        seen.insert(key, line_no);
                        out.entries.push(Entry { value: token.to_string(), kind, line: line_no });
                    }
                }
                Err(reason) => out.errors.push(bad(line_no, token, &reason)),
            }
        }
    }
    out
}

fn bad(line: usize, text: &str, reason: &str) -> BadLine {
    let text: String = text.chars().take(120).collect();
    BadLine { line, text, reason: reason.to_string() }
}

/// `#` starts a comment at the start of the line or after whitespace (not inside `#EXT#`).
fn strip_comment(line: &str) -> &str {
    let mut prev_space = true;
    for (i, c) in line.char_indices() {
        if c == '#' && prev_space {
            return &line[..i];
        }
        prev_space = c.is_whitespace() || c == ',' || c == ';';
    }
    line
}

/// The header row's user column and delimiter, when the line is a header.
fn find_header(line: &str) -> Option<(usize, char)> {
    let delim = [',', ';', '\t'].into_iter().find(|d| line.contains(*d)).unwrap_or(',');
    let cells = split_csv_line(line, delim).ok()?;
    let lower: Vec<String> = cells.iter().map(|c| c.trim().to_lowercase()).collect();
    // A lone `id` line is more likely a typo than a header: require a UPN-ish header or a
    // multi-column row.
    for name in HEADER_NAMES {
        if let Some(col) = lower.iter().position(|c| c == name) {
            if name == "id" && cells.len() == 1 {
                return None;
            }
            return Some((col, delim));
        }
    }
    None
}

/// RFC 4180 cells of one line (quoted cells may hold the delimiter and doubled quotes).
fn split_csv_line(line: &str, delim: char) -> Result<Vec<String>, &'static str> {
    let mut cells = Vec::new();
    let mut cell = String::new();
    let mut chars = line.chars().peekable();
    let mut quoted = false;
    while let Some(c) = chars.next() {
        if quoted {
            if c == '"' {
                if chars.peek() == Some(&'"') {
                    cell.push('"');
                    chars.next();
                } else {
                    quoted = false;
                }
            } else {
                cell.push(c);
            }
        } else if c == '"' && cell.trim().is_empty() {
            cell.clear();
            quoted = true;
        } else if c == delim {
            cells.push(std::mem::take(&mut cell));
        } else {
            cell.push(c);
        }
    }
    if quoted {
        return Err("unterminated quoted cell (a multi-line cell is not a user name)");
    }
    cells.push(cell);
    Ok(cells)
}

/// A plain list line: entries separated by commas, semicolons, tabs or spaces (a UPN never holds
/// any of them), except inside `Name <address>` where the name may hold spaces.
fn split_list_line(line: &str) -> Vec<String> {
    let mut parts = Vec::new();
    let (mut start, mut quoted, mut angle) = (0, false, false);
    for (i, c) in line.char_indices() {
        match c {
            '"' => quoted = !quoted,
            '<' if !quoted => angle = true,
            '>' if !quoted => angle = false,
            ',' | ';' if !quoted && !angle => {
                parts.push(&line[start..i]);
                start = i + 1;
            }
            _ => {}
        }
    }
    parts.push(&line[start..]);
    let mut out = Vec::new();
    for part in parts {
        let part = part.trim();
        if part.contains('<') {
            out.push(part.to_string());
        } else {
            out.extend(part.split_whitespace().map(|s| s.trim_matches('"').to_string()));
        }
    }
    out
}

/// `Jane Doe <jane@contoso.com>` -> `jane@contoso.com`; `mailto:` dropped.
fn unwrap_address(token: &str) -> &str {
    let token = token.trim_matches('"').trim();
    let token = match (token.rfind('<'), token.rfind('>')) {
        (Some(a), Some(b)) if a < b => token[a + 1..b].trim(),
        _ => token,
    };
    token.strip_prefix("mailto:").unwrap_or(token)
}

fn is_guid(s: &str) -> bool {
    let b = s.as_bytes();
    b.len() == 36
        && b.iter().enumerate().all(|(i, c)| match i {
            8 | 13 | 18 | 23 => *c == b'-',
            _ => c.is_ascii_hexdigit(),
        })
}

/// Entra ID's UPN rules: one `@` with something on both sides; letters, digits and
/// `' . - _ ! # ^ ~` only; no period right before the `@` or at the end; at most 113 characters.
/// <https://learn.microsoft.com/en-us/entra/identity/authentication/concept-sspr-policy#userprincipalname-policies-that-apply-to-all-user-accounts>
fn classify(token: &str) -> Result<EntryKind, String> {
    if is_guid(token) {
        return Ok(EntryKind::ObjectId);
    }
    let Some((local, domain)) = token.rsplit_once('@') else {
        return Err("not a user principal name (no @) nor an object id".into());
    };
    if local.is_empty() || domain.is_empty() {
        return Err("a user principal name needs text on both sides of the @".into());
    }
    if local.contains('@') {
        return Err("more than one @".into());
    }
    if let Some(c) = token.chars().find(|c| !(c.is_ascii_alphanumeric() || "'.-_!#^~@".contains(*c))) {
        return Err(format!("character '{c}' is not allowed in a user principal name"));
    }
    if local.ends_with('.') {
        return Err("a period cannot come right before the @".into());
    }
    if !domain.contains('.') || domain.starts_with('.') || domain.ends_with('.') || domain.contains("..") {
        return Err(format!("'{domain}' is not a domain name"));
    }
    if token.len() > 113 {
        return Err(format!("{} characters; a user principal name has at most 113", token.len()));
    }
    Ok(EntryKind::Upn)
}
