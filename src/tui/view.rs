//! `render(&App, &mut Frame)`: draws the state and changes nothing.
//! Concealed values are drawn masked unless the entry is revealed, which
//! the state says only after the runtime reported the reveal logged. Text
//! from the vault is drawn with control characters escaped, so a title
//! cannot send escape sequences to the terminal. Only the visible rows of
//! the entry list are built.
use super::app::{App, Screen};
use super::strings;
use crate::dates;
use crate::text::clean;
use crate::tui::screen::main::main;
use crate::tui::screen::onboard::{onboard, recovery};
use crate::tui::screen::unlock::{summary, unlock};
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::{Color, Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, BorderType, Borders, Clear, Padding, Paragraph};

pub(crate) const ACCENT: Color = Color::Cyan;
pub(crate) const SPINNER: [&str; 8] = ["⠋", "⠙", "⠹", "⠸", "⠼", "⠴", "⠦", "⠧"];

pub fn render(app: &App, f: &mut Frame) {
    let area = f.area();
    match &app.screen {
        Screen::Onboard(o) => onboard(app, o, f, area),
        Screen::Recovery(r) => recovery(app, r, f, area),
        Screen::Unlock(u) => unlock(app, u, f, area),
        Screen::Main(m) => main(app, m, f, area),
        Screen::Summary(s) => summary(app, s, f, area),
    }
}

pub(crate) fn pane(title: &str, focused: bool) -> Block<'_> {
    let b = Block::default()
        .borders(Borders::ALL)
        .border_type(BorderType::Rounded)
        .title(Span::styled(
            format!(" {title} "),
            Style::default().add_modifier(Modifier::BOLD),
        ));
    if focused {
        b.border_style(Style::default().fg(ACCENT))
    } else {
        b.border_style(Style::default().fg(Color::DarkGray))
    }
}

pub(crate) fn header(app: &App, right: String, f: &mut Frame, area: Rect) {
    let left = format!(" {} · {}", strings::APP, clean(&app.vault_label));
    let width = usize::from(area.width);
    let pad = width.saturating_sub(left.chars().count() + right.chars().count() + 1);
    let line = Line::from(vec![
        Span::styled(left, Style::default().add_modifier(Modifier::BOLD)),
        Span::raw(" ".repeat(pad)),
        Span::raw(right),
        Span::raw(" "),
    ]);
    f.render_widget(
        Paragraph::new(line).style(Style::default().bg(Color::Blue).fg(Color::White)),
        area,
    );
}

pub(crate) fn status_line(app: &App, f: &mut Frame, area: Rect) {
    if let Some(s) = &app.status {
        let style = if s.error {
            Style::default().fg(Color::Red).add_modifier(Modifier::BOLD)
        } else {
            Style::default().fg(Color::Green)
        };
        // A line that only fits without the margin loses it; a longer one
        // (the owner's summary at unlock, on a narrow terminal) is cut
        // with an ellipsis, so it shows it goes on.
        let width = usize::from(area.width);
        let text = clean(&s.text);
        let line = if text.chars().count() < width {
            format!(" {text}")
        } else {
            fit(&text, width)
        };
        f.render_widget(Paragraph::new(Span::styled(line, style)), area);
    }
}

pub(crate) fn footer(text: &str, f: &mut Frame, area: Rect) {
    f.render_widget(
        Paragraph::new(Span::styled(
            format!(" {text}"),
            Style::default().fg(Color::DarkGray),
        )),
        area,
    );
}

pub(crate) fn centered(area: Rect, width: u16, height: u16) -> Rect {
    let w = width.min(area.width);
    let h = height.min(area.height);
    Rect::new(
        area.x + (area.width - w) / 2,
        area.y + (area.height - h) / 2,
        w,
        h,
    )
}

/// Header, body and footer of a full-screen card.
pub(crate) fn frame_parts(app: &App, hint_text: &str, f: &mut Frame, area: Rect) -> Rect {
    let [head, body, foot] = Layout::vertical([
        Constraint::Length(1),
        Constraint::Fill(1),
        Constraint::Length(1),
    ])
    .areas(area);
    header(app, String::new(), f, head);
    footer(hint_text, f, foot);
    body
}

pub(crate) fn card(f: &mut Frame, area: Rect, title: &str, width: u16, height: u16) -> Rect {
    let card = centered(area, width, height);
    f.render_widget(Clear, card);
    let block = pane(title, true).padding(Padding::horizontal(1));
    let inner = block.inner(card);
    f.render_widget(block, card);
    inner
}

pub(crate) fn hint(text: &str) -> Line<'_> {
    Line::from(Span::styled(text, Style::default().fg(Color::DarkGray)))
}

/// `s` cut to `width` characters, with an ellipsis when cut.
pub(crate) fn fit(s: &str, width: usize) -> String {
    if s.chars().count() <= width {
        return s.to_owned();
    }
    if width == 0 {
        return String::new();
    }
    let mut out: String = s.chars().take(width - 1).collect();
    out.push('…');
    out
}

/// A log time as `YYYY-MM-DD HH:MM` (UTC), from unix seconds.
pub(crate) fn short_time(unix: i64) -> String {
    short_rfc3339(&dates::format_rfc3339(unix))
}

/// An RFC 3339 time as `YYYY-MM-DD HH:MM`.
pub(crate) fn short_rfc3339(t: &str) -> String {
    let t = t.replace('T', " ");
    t.get(..16).unwrap_or(&t).to_owned()
}

pub(crate) fn hint_owned(text: String) -> Line<'static> {
    Line::from(Span::styled(text, Style::default().fg(Color::DarkGray)))
}

// Row counts the update needs as well as the view.
pub use super::screen::health::health_rows;
pub use super::screen::main::list_rows;
