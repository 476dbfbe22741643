//! HTML escaping, the one place licswap turns text into markup: the app's overview cards (built as
//! one piece of HTML each) and the simulator's Entra pages put names and addresses from elsewhere
//! inside HTML, and both escape them here.

/// `s` with the five characters that HTML gives a meaning escaped, safe as element text and as a
/// quoted attribute value.
pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_markup_in_text_and_attributes() {
        assert_eq!(
            escape(r#"<img src=x onerror="alert(1)">&'"#),
            "&lt;img src=x onerror=&quot;alert(1)&quot;&gt;&amp;&#39;"
        );
        assert_eq!(escape("Office 365 E3"), "Office 365 E3");
    }
}
