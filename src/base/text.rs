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

/// `word` with its article: "an organisation", "a programme" ("an" before a vowel
/// sound: a vowel letter, except the "you" sound of "use…" and "uni…").
pub fn with_article(word: &str) -> String {
    let lower = word.to_lowercase();
    let vowel = lower.starts_with(['a', 'e', 'i', 'o', 'u'])
        && !lower.starts_with("uni")
        && !lower.starts_with("use")
        && !lower.starts_with("usu");
    format!("{} {word}", if vowel { "an" } else { "a" })
}

#[cfg(test)]
mod article_tests {
    #[test]
    fn an_before_a_vowel_sound() {
        assert_eq!(super::with_article("organisation"), "an organisation");
        assert_eq!(super::with_article("indicator"), "an indicator");
        assert_eq!(super::with_article("area"), "an area");
        assert_eq!(super::with_article("programme"), "a programme");
        assert_eq!(super::with_article("unit"), "a unit");
    }
}

/// `n` with its noun in the right number: "1 outcome", "3 outcomes", "1 person", "2
/// people" (`many` for any count but one).
pub fn counted(n: usize, one: &str, many: &str) -> String {
    if n == 1 {
        format!("1 {one}")
    } else {
        format!("{n} {many}")
    }
}
