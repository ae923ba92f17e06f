//! `?` help: every key of the main screen with what it does, from the
//! same table the keymap reads. View and keys.

use crate::tui::app::Screen;
use crate::tui::keys::{Binding, Keys, ch, code};
use crate::tui::screen::main::KEYS_LIST;
use crate::tui::view::{ACCENT, card};
use crate::tui::{App, Effect, Intent, Msg, keys, strings};
use ratatui::Frame;
use ratatui::crossterm::event::KeyCode;
use ratatui::layout::Rect;
use ratatui::style::{Style, Stylize};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Wrap};

pub(crate) fn help(table: &'static Keys, f: &mut Frame, area: Rect) {
    let rows: Vec<&Binding> = rows_of(table).collect();
    let height = rows.len() as u16 + 4;
    let inner = card(f, area, strings::HELP_TITLE, 78, height);
    let mut lines: Vec<Line> = rows
        .iter()
        .map(|b| {
            Line::from(vec![
                Span::styled(
                    format!("{:<19} ", b.help_keys),
                    Style::default().fg(ACCENT).bold(),
                ),
                Span::raw(b.help),
            ])
        })
        .collect();
    lines.push(Line::from(""));
    lines.push(Line::from(KEYS.hint().dark_gray()));
    f.render_widget(Paragraph::new(lines).wrap(Wrap { trim: false }), inner);
}

/// The help's rows: the main screen's bindings that have a help line, in
/// the order of its key table.
pub fn rows() -> impl Iterator<Item = &'static Binding> {
    rows_of(&KEYS_LIST)
}

/// The bindings of `table` that have a help line, in its order (an
/// auditor's help lists [`super::main::KEYS_AUDIT`]).
pub fn rows_of(table: &'static Keys) -> impl Iterator<Item = &'static Binding> {
    table
        .bindings
        .iter()
        .copied()
        .filter(|b| !b.help.is_empty())
}

const CLOSE_HELP: Binding = Binding::new(
    "Esc, Enter or ?",
    "closes this help",
    &[
        (code(KeyCode::Esc), Intent::Back),
        (code(KeyCode::Enter), Intent::Back),
        (ch('?'), Intent::Back),
    ],
);

/// The help's keys.
pub const KEYS: Keys = Keys {
    bindings: &[&CLOSE_HELP, &keys::QUIT_HIDDEN],
    typing: false,
    then: None,
};

/// The help closes on Esc, Enter or `?`.
pub(crate) fn update(app: &mut App, action: Msg) -> Vec<Effect> {
    if let Screen::Main(m) = &mut app.screen
        && matches!(
            action,
            Msg::Intent(Intent::Back) | Msg::Intent(Intent::Help) | Msg::Intent(Intent::Open)
        )
    {
        m.overlay = None;
    }
    Vec::new()
}
