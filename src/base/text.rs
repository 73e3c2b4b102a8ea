//! Text from the data as messages show it.

/// Text from the data as a terminal shows it: control characters (escape sequences,
/// bidirectional overrides) are written as `\u{…}` so they cannot move the cursor,
/// recolour the screen or reverse the text around them.
pub fn escape_controls(s: &str) -> std::borrow::Cow<'_, str> {
    let unsafe_char = |c: char| {
        c.is_control() || matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}' | '\u{200E}' | '\u{200F}')
    };
    if !s.chars().any(unsafe_char) {
        return std::borrow::Cow::Borrowed(s);
    }
    std::borrow::Cow::Owned(
        s.chars().map(|c| if unsafe_char(c) { c.escape_unicode().to_string() } else { c.to_string() }).collect(),
    )
}

#[cfg(test)]
mod tests {
    use super::escape_controls;

    #[test]
    fn control_characters_are_escaped_for_the_terminal() {
        assert_eq!(escape_controls("ORG\u{1b}[31m1"), "ORG\\u{1b}[31m1");
        assert_eq!(escape_controls("abc\u{202E}def"), "abc\\u{202e}def");
        assert_eq!(escape_controls("Fàilte Works"), "Fàilte Works");
    }
}
