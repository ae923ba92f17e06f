//! Text from a vault or an imported file, made safe to put on a terminal:
//! control characters (which could move the cursor, rewrite the screen or
//! set the clipboard) are shown escaped instead of sent.

use std::borrow::Cow;

/// `s` with every control character written as its `\u{…}` escape.
pub fn clean(s: &str) -> Cow<'_, str> {
    if !s.chars().any(char::is_control) {
        return Cow::Borrowed(s);
    }
    Cow::Owned(
        s.chars()
            .map(|c| {
                if c.is_control() {
                    c.escape_unicode().to_string()
                } else {
                    c.to_string()
                }
            })
            .collect(),
    )
}

#[cfg(test)]
mod tests {
    use super::clean;

    #[test]
    fn control_characters_are_escaped_and_plain_text_is_borrowed() {
        assert!(matches!(
            clean("Bank Ω 秘密"),
            std::borrow::Cow::Borrowed(_)
        ));
        assert_eq!(clean("a\u{1b}[2Jb\n"), "a\\u{1b}[2Jb\\u{a}");
    }
}
