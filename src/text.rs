//! Turning messages from the core (lowercase clauses) into sentences for the screen.

/// Capitalized, ending with one full stop.
pub fn sentence(s: &str) -> String {
    let s = s.trim().trim_end_matches('.');
    let mut c = s.chars();
    match c.next() {
        Some(f) => format!("{}{}.", f.to_uppercase(), c.as_str()),
        None => String::new(),
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn sentences() {
        assert_eq!(super::sentence("the preview is empty"), "The preview is empty.");
        assert_eq!(super::sentence("Done."), "Done.");
        assert_eq!(super::sentence(""), "");
    }
}
