//! Text from a vault or an imported file, made safe to put on a terminal:
//! control characters (which could move the cursor, rewrite the screen or
//! set the clipboard), direction controls (which reorder the text around
//! them, so that `Payroll\u{202e}gpj.exe` reads as another name) and
//! invisible characters (which make two names that look alike differ) are
//! shown escaped instead of sent. The same characters are refused where a
//! name or label is typed ([`refuse_hidden`]).

use std::borrow::Cow;

/// A bidirectional control: it changes the order in which the text around
/// it is shown (U+061C, U+200E, U+200F, U+202A–U+202E, U+2066–U+2069).
pub fn is_direction_control(c: char) -> bool {
    matches!(
        c,
        '\u{061C}' | '\u{200E}' | '\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}'
    )
}

/// A character that shows nothing where it stands: the soft hyphen, the
/// combining grapheme joiner, the Hangul and Khmer fillers, the Mongolian
/// vowel separator, the zero-width space, non-joiner and joiner, the word
/// joiner and invisible operators, the deprecated format controls, the
/// zero-width no-break space (BOM) and the interlinear annotation marks.
pub fn is_invisible(c: char) -> bool {
    matches!(
        c,
        '\u{00AD}'
            | '\u{034F}'
            | '\u{115F}'
            | '\u{1160}'
            | '\u{17B4}'
            | '\u{17B5}'
            | '\u{180E}'
            | '\u{200B}'..='\u{200D}'
            | '\u{2060}'..='\u{2064}'
            | '\u{206A}'..='\u{206F}'
            | '\u{3164}'
            | '\u{FEFF}'
            | '\u{FFA0}'
            | '\u{FFF9}'..='\u{FFFB}'
    )
}

/// Whether `c` is shown escaped: a control, direction control or
/// invisible character.
fn escaped(c: char) -> bool {
    c.is_control() || is_direction_control(c) || is_invisible(c)
}

/// The first direction control or invisible character in `s`, and what it
/// is, in a few words.
pub fn hidden_char(s: &str) -> Option<(char, &'static str)> {
    s.chars().find_map(|c| {
        if is_direction_control(c) {
            Some((c, "a direction control, which reorders the text around it"))
        } else if is_invisible(c) {
            Some((c, "an invisible character"))
        } else {
            None
        }
    })
}

/// Why `s` cannot be a name or label, if it holds a direction control or
/// an invisible character: "must not contain U+202E, a direction control…".
pub fn refuse_hidden(s: &str) -> Option<String> {
    hidden_char(s).map(|(c, what)| format!("must not contain U+{:04X}, {what}", u32::from(c)))
}

/// `s` with every control, direction control and invisible character
/// written as its `\u{…}` escape.
pub fn clean(s: &str) -> Cow<'_, str> {
    if !s.chars().any(escaped) {
        return Cow::Borrowed(s);
    }
    Cow::Owned(
        s.chars()
            .map(|c| {
                if escaped(c) {
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

    #[test]
    fn direction_controls_and_invisible_characters_are_escaped_and_named() {
        use super::{hidden_char, refuse_hidden};
        assert_eq!(clean("Pay\u{202e}lortnoc"), "Pay\\u{202e}lortnoc");
        assert_eq!(clean("ad\u{200b}min\u{feff}"), "ad\\u{200b}min\\u{feff}");
        for c in [
            '\u{61c}', '\u{200e}', '\u{200f}', '\u{202a}', '\u{202e}', '\u{2066}', '\u{2069}',
            '\u{200b}', '\u{200c}', '\u{200d}', '\u{2060}', '\u{feff}', '\u{180e}', '\u{ad}',
            '\u{3164}',
        ] {
            let s = format!("a{c}b");
            assert_eq!(hidden_char(&s).map(|(h, _)| h), Some(c), "{c:?}");
            assert!(!clean(&s).contains(c), "{c:?}");
        }
        assert_eq!(
            refuse_hidden("x\u{202e}"),
            Some(
                "must not contain U+202E, a direction control, which reorders the text around it"
                    .into()
            )
        );
        // Letters of right-to-left scripts are text, not controls.
        assert_eq!(hidden_char("שלום مرحبا"), None);
        assert!(matches!(clean("שלום"), std::borrow::Cow::Borrowed(_)));
    }
}
