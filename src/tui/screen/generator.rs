//! The password generator (`g`): characters or words, longer or shorter,
//! copy. State, view and keys.

use crate::text::clean;
use crate::tui::action::{CopyWhat, GenOptions};
use crate::tui::app::Screen;
use crate::tui::keys::{Binding, Keys, ch, code};
use crate::tui::screen::main::Overlay;
use crate::tui::update::status;
use crate::tui::view::{card, hint_owned};
use crate::tui::{App, Effect, Intent, Msg, Now, Outcome, strings};
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
    then: None,
};

/// A new value, words or characters, longer or shorter, copying it, and
/// closing.
pub(crate) fn update(app: &mut App, action: Msg, now: Now) -> Vec<Effect> {
    let clipboard_ms = app.settings.clipboard_ms;
    let Screen::Main(m) = &mut app.screen else {
        return Vec::new();
    };
    let Some(Overlay::Generator(g)) = m.overlay.as_mut() else {
        return Vec::new();
    };
    let (min, max) = if g.opts.words { (3, 20) } else { (8, 128) };
    match action {
        Msg::Intent(Intent::Generator) => return vec![Effect::Generate(g.opts)],
        Msg::Intent(Intent::ToggleWords) => {
            g.opts.words = !g.opts.words;
            g.opts.length = if g.opts.words { 6 } else { 24 };
            return vec![Effect::Generate(g.opts)];
        }
        Msg::Intent(Intent::Longer) | Msg::Intent(Intent::Shorter) => {
            g.opts.length = if matches!(action, Msg::Intent(Intent::Longer)) {
                (g.opts.length + 1).min(max)
            } else {
                g.opts.length.saturating_sub(1).max(min)
            };
            return vec![Effect::Generate(g.opts)];
        }
        Msg::Outcome(Outcome::Generated(v)) => g.value = Some(v),
        Msg::Intent(Intent::Copy(_)) => {
            if let Some(v) = &g.value {
                let effect = Effect::CopyGenerated(v.clone());
                app.clipboard_until = Some(now.ms + clipboard_ms);
                status(
                    app,
                    strings::generated_copied(clipboard_ms / 1000),
                    false,
                    now,
                );
                return vec![effect];
            }
        }
        Msg::Intent(Intent::Back) => m.overlay = None,
        _ => {}
    }
    Vec::new()
}
