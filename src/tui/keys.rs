//! Key tables. Each screen and view declares, in its own module, a
//! [`Keys`] table of [`Binding`]s: which key presses mean which
//! [`Intent`], and how its footer, its card's hint line and `?` help name
//! them. [`super::keymap`] reads these tables and nothing else, and every
//! footer, hint and help row is drawn from them, so what the screen says
//! a key does is what it does.
//!
//! The bindings several screens share (moving, closing, the Ctrl keys
//! that work everywhere) are here.

use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

use super::action::Intent;

/// A key press: a key, with or without Ctrl.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Key {
    pub code: KeyCode,
    pub ctrl: bool,
}

/// A character key.
pub const fn ch(c: char) -> Key {
    Key {
        code: KeyCode::Char(c),
        ctrl: false,
    }
}

/// A named key (Enter, Esc, arrows…).
pub const fn code(code: KeyCode) -> Key {
    Key { code, ctrl: false }
}

/// Ctrl and a character.
pub const fn ctrl(c: char) -> Key {
    Key {
        code: KeyCode::Char(c),
        ctrl: true,
    }
}

/// Some keys, what they mean, and how the screen names them.
#[derive(Debug)]
pub struct Binding {
    /// The keys as a hint or footer shows them (`c/u/t`, `↑↓`); empty
    /// for keys that work without being shown.
    pub keys: &'static str,
    /// What they do, after the keys in a hint or footer (`copy`).
    pub label: &'static str,
    /// The keys as `?` help lists them (`c  u  t`).
    pub help_keys: &'static str,
    /// The line of `?` help; empty when the help does not list it (or
    /// lists it with another binding).
    pub help: &'static str,
    /// Each key and the intent it means.
    pub map: &'static [(Key, Intent)],
}

impl Binding {
    /// A binding shown as `keys label`, not in `?` help.
    pub const fn new(
        keys: &'static str,
        label: &'static str,
        map: &'static [(Key, Intent)],
    ) -> Self {
        Binding {
            keys,
            label,
            help_keys: "",
            help: "",
            map,
        }
    }

    /// Keys that work without being shown.
    pub const fn hidden(map: &'static [(Key, Intent)]) -> Self {
        Binding::new("", "", map)
    }

    /// The same binding, listed in `?` help as `help_keys  help`.
    pub const fn with_help(self, help_keys: &'static str, help: &'static str) -> Self {
        Binding {
            help_keys,
            help,
            ..self
        }
    }

    fn intent(&self, key: Key) -> Option<Intent> {
        self.map.iter().find(|(k, _)| *k == key).map(|(_, i)| *i)
    }

    /// How a hint or footer shows it: `keys label`, or the keys alone.
    pub fn shown(&self) -> String {
        if self.label.is_empty() {
            self.keys.to_owned()
        } else {
            format!("{} {}", self.keys, self.label)
        }
    }
}

/// The keys of one screen or view.
#[derive(Debug)]
pub struct Keys {
    pub bindings: &'static [&'static Binding],
    /// A field takes typing: characters not bound here are typed into
    /// it, and Backspace deletes.
    pub typing: bool,
    /// Another table whose keys work here too, after these (a focus that
    /// names a few keys its own way and otherwise acts as its screen).
    pub then: Option<&'static Keys>,
}

impl Keys {
    /// What `key` means here, if anything.
    pub fn intent(&self, key: Key) -> Option<Intent> {
        if let Some(i) = self.bindings.iter().find_map(|b| b.intent(key)) {
            return Some(i);
        }
        if let Some(i) = self.then.and_then(|t| t.intent(key)) {
            return Some(i);
        }
        match key.code {
            _ if !self.typing || key.ctrl => None,
            KeyCode::Char(c) => Some(Intent::Char(c)),
            KeyCode::Backspace => Some(Intent::Backspace),
            _ => None,
        }
    }

    /// A card's hint line: every shown binding, `keys label`, joined by
    /// ` · `.
    pub fn hint(&self) -> String {
        join(self.bindings, " · ")
    }
}

/// The shown bindings of `bindings` as `keys label`, joined by `sep`.
pub fn join(bindings: &[&Binding], sep: &str) -> String {
    bindings
        .iter()
        .filter(|b| !b.keys.is_empty())
        .map(|b| b.shown())
        .collect::<Vec<_>>()
        .join(sep)
}

/// A footer: the bindings named, `keys label`, two spaces apart.
pub fn footer(bindings: &[&Binding]) -> String {
    join(bindings, "  ")
}

/// The key of a key event, if it is one a table can bind (Ctrl or no
/// modifier; Shift is in the character itself).
pub fn key_of(e: KeyEvent) -> Key {
    Key {
        code: e.code,
        ctrl: e.modifiers.contains(KeyModifiers::CONTROL),
    }
}

// Shared bindings.

/// Ctrl-L: lock now.
pub const LOCK: Binding = Binding::new("^L", "lock", &[(ctrl('l'), Intent::Lock)])
    .with_help("Ctrl-L", "lock now: drop every key, show what you revealed");
/// Ctrl-S: save (a form), or save again after a failed save.
pub const SAVE_AGAIN: Binding = Binding::hidden(&[(ctrl('s'), Intent::Submit)])
    .with_help("Ctrl-S", "save again after a failed save");
/// Ctrl-C: quit.
pub const CTRL_QUIT: Binding = Binding::hidden(&[(ctrl('c'), Intent::Quit)]);
/// Ctrl-U: clear the field that has the focus.
pub const CLEAR_FIELD: Binding = Binding::hidden(&[(ctrl('u'), Intent::ClearField)]);
/// Ctrl-G: generate a password into a form's password field.
pub const GENERATE_INTO: Binding = Binding::new(
    "^G",
    "generate password",
    &[(ctrl('g'), Intent::GenerateInto)],
);

/// The Ctrl keys, which mean the same on every screen.
pub const GLOBAL: Keys = Keys {
    bindings: &[&LOCK, &CTRL_QUIT, &CLEAR_FIELD, &SAVE_AGAIN, &GENERATE_INTO],
    typing: false,
    then: None,
};

/// Moving through a list: arrows, j/k, pages and ends.
const MOVES: &[(Key, Intent)] = &[
    (code(KeyCode::Up), Intent::Up),
    (ch('k'), Intent::Up),
    (code(KeyCode::Down), Intent::Down),
    (ch('j'), Intent::Down),
    (code(KeyCode::PageUp), Intent::PageUp),
    (code(KeyCode::PageDown), Intent::PageDown),
    (code(KeyCode::Home), Intent::Home),
    (code(KeyCode::End), Intent::End),
];

/// Moving, shown as `↑↓ choose`.
pub const CHOOSE: Binding = Binding::new("↑↓", "choose", MOVES);
/// Moving, shown as `↑↓ PgUp/PgDn scroll`.
pub const SCROLL_PAGES: Binding = Binding::new("↑↓ PgUp/PgDn", "scroll", MOVES);
/// Moving, shown as `↑↓ scroll`.
pub const SCROLL: Binding = Binding::new("↑↓", "scroll", MOVES);
/// Moving, shown as the arrows alone.
pub const ARROWS: Binding = Binding::new("↑↓", "", MOVES);

/// `q`: quit from a view (not shown there; the main footer shows it).
pub const QUIT: Binding = Binding::new("q", "quit", &[(ch('q'), Intent::Quit)])
    .with_help("q", "quit (clears the clipboard if it holds our value)");
pub const QUIT_HIDDEN: Binding = Binding::hidden(&[(ch('q'), Intent::Quit)]);

/// Esc: close a view.
pub const CLOSE: Binding = Binding::new("Esc", "close", &[(code(KeyCode::Esc), Intent::Back)]);

/// Moving between a form's fields.
pub const FIELDS: Binding = Binding::new(
    "Tab/↑↓",
    "fields",
    &[
        (code(KeyCode::Tab), Intent::NextPane),
        (code(KeyCode::Down), Intent::NextPane),
        (code(KeyCode::BackTab), Intent::PrevField),
        (code(KeyCode::Up), Intent::PrevField),
    ],
);

/// Esc: leave a form without saving.
pub const CANCEL: Binding = Binding::new("Esc", "cancel", &[(code(KeyCode::Esc), Intent::Back)]);

/// A yes/no question's `n` and Esc.
pub const NO_KEYS: &[(Key, Intent)] = &[
    (ch('n'), Intent::Confirm(false)),
    (ch('N'), Intent::Confirm(false)),
    (code(KeyCode::Esc), Intent::Confirm(false)),
];
/// A yes/no question's `y`.
pub const YES_KEYS: &[(Key, Intent)] = &[
    (ch('y'), Intent::Confirm(true)),
    (ch('Y'), Intent::Confirm(true)),
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_typing_table_types_unbound_characters_and_nothing_with_ctrl() {
        let t = Keys {
            bindings: &[&CANCEL],
            typing: true,
            then: None,
        };
        assert_eq!(t.intent(ch('x')), Some(Intent::Char('x')));
        assert_eq!(t.intent(code(KeyCode::Backspace)), Some(Intent::Backspace));
        assert_eq!(t.intent(code(KeyCode::Esc)), Some(Intent::Back));
        assert_eq!(t.intent(ctrl('x')), None);
        let t = Keys {
            bindings: &[&CANCEL],
            typing: false,
            then: None,
        };
        assert_eq!(t.intent(ch('x')), None);
    }

    #[test]
    fn hints_show_the_bindings_that_have_keys_in_order() {
        let t = Keys {
            bindings: &[&FIELDS, &QUIT_HIDDEN, &CANCEL],
            typing: true,
            then: None,
        };
        assert_eq!(t.hint(), "Tab/↑↓ fields · Esc cancel");
        assert_eq!(footer(&[&ARROWS, &LOCK]), "↑↓  ^L lock");
    }
}
