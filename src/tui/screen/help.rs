//! `?` help: every key of the main screen with what it does, from the
//! same table the keymap reads. View and keys.

use crate::tui::strings;
use crate::tui::view::{ACCENT, card};
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::{Style, Stylize};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Wrap};

pub(crate) fn help(f: &mut Frame, area: Rect) {
    let height = strings::KEYS.len() as u16 + 4;
    let inner = card(f, area, strings::HELP_TITLE, 78, height);
    let mut lines: Vec<Line> = strings::KEYS
        .iter()
        .map(|(k, what)| {
            Line::from(vec![
                Span::styled(format!("{k:<19} "), Style::default().fg(ACCENT).bold()),
                Span::raw(*what),
            ])
        })
        .collect();
    lines.push(Line::from(""));
    lines.push(Line::from(strings::HELP_CLOSE.dark_gray()));
    f.render_widget(Paragraph::new(lines).wrap(Wrap { trim: false }), inner);
}
