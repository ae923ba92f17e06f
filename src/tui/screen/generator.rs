//! The password generator (`g`): characters or words, longer or shorter,
//! copy. State, view and keys.
use crate::tui::Intent;
use crate::tui::action::CopyWhat;
use crate::tui::keys::Binding;
use crate::tui::keys::Keys;
use crate::tui::keys::ch;
use crate::tui::keys::code;
use crate::tui::view::hint_owned;

use crate::text::clean;
use crate::tui::action::GenOptions;
use crate::tui::strings;
use crate::tui::view::card;
use ratatui::Frame;
use ratatui::crossterm::event::KeyCode;
use ratatui::layout::Rect;
use ratatui::style::{Color, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Wrap};
use zeroize::Zeroizing;

/// The password generator (`g`).
pub struct Generator {
    pub opts: GenOptions,
    pub value: Option<Zeroizing<String>>,
}

pub(crate) fn generator(g: &Generator, f: &mut Frame, area: Rect) {
    let inner = card(f, area, strings::GENERATOR_TITLE, 72, 9);
    let bits = if g.opts.words {
        crate::generate::passphrase_entropy_bits(g.opts.length)
    } else {
        crate::generate::password_entropy_bits(&crate::generate::CharsetOptions {
            length: g.opts.length,
            ..Default::default()
        })
    };
    let kind = if g.opts.words { "words" } else { "characters" };
    let value = g
        .value
        .as_ref()
        .map_or(String::new(), |v| clean(v).into_owned());
    let lines = vec![
        Line::from(Span::styled(
            value,
            Style::default().fg(Color::Yellow).bold(),
        )),
        Line::from(""),
        Line::from(format!("{} {kind}, about {bits:.0} bits", g.opts.length)),
        Line::from(""),
        hint_owned(KEYS.hint()),
    ];
    f.render_widget(Paragraph::new(lines).wrap(Wrap { trim: false }), inner);
}

const AGAIN: Binding = Binding::new(
    "g",
    "new",
    &[(ch('g'), Intent::Generator), (ch(' '), Intent::Generator)],
);
const WORDS: Binding = Binding::new("w", "words/characters", &[(ch('w'), Intent::ToggleWords)]);
const LENGTH: Binding = Binding::new(
    "+/-",
    "length",
    &[
        (ch('+'), Intent::Longer),
        (code(KeyCode::Right), Intent::Longer),
        (ch('-'), Intent::Shorter),
        (code(KeyCode::Left), Intent::Shorter),
    ],
);
const COPY: Binding = Binding::new("c", "copy", &[(ch('c'), Intent::Copy(CopyWhat::Password))]);
const CLOSE: Binding = Binding::new(
    "Esc",
    "close",
    &[
        (code(KeyCode::Esc), Intent::Back),
        (code(KeyCode::Enter), Intent::Back),
    ],
);

/// The generator's keys.
pub const KEYS: Keys = Keys {
    bindings: &[&AGAIN, &WORDS, &LENGTH, &COPY, &CLOSE],
    typing: false,
};
