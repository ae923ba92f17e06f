//! The access log (`A`): this member's records, or everyone's for owners
//! and auditors, newest last. View and keys.
use crate::tui::Intent;
use crate::tui::keys;
use crate::tui::keys::Binding;
use crate::tui::keys::Keys;
use crate::tui::keys::ch;
use crate::tui::keys::code;
use crate::tui::view::hint_owned;

use crate::dates;
use crate::text::clean;
use crate::tui::screen::main::MainScreen;
use crate::tui::view::{card, fit};
use ratatui::Frame;
use ratatui::crossterm::event::KeyCode;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

pub(crate) fn log_view(m: &MainScreen, top: usize, f: &mut Frame, area: Rect) {
    let v = &m.session.vault;
    let order = m.visible_log();
    let title = match order.len() {
        1 => "Access log · 1 record".to_owned(),
        n => format!("Access log · {n} records"),
    };
    let inner = card(f, area, &title, area.width, area.height);
    let rows = usize::from(inner.height.saturating_sub(2));
    let log = v.log();
    let mut lines: Vec<Line> = vec![Line::from(Span::styled(
        format!(
            "{:<16} {:<10} {:<11} {:<12} {}",
            "TIME (UTC)", "MEMBER", "ACTION", "FIELD", "ENTRY"
        ),
        Style::default().bold(),
    ))];
    // Only the rows on screen are decrypted.
    for &i in order.iter().skip(top).take(rows) {
        let rec = &log[i].record;
        let d = v.record_details(rec).unwrap_or_default();
        let entry = match (d.title, d.group) {
            (Some(t), Some(g)) => format!("{} ({})", clean(&t), clean(&g)),
            (Some(t), None) => clean(&t).into_owned(),
            _ => String::new(),
        };
        let time = dates::format_rfc3339(rec.time).replace('T', " ");
        lines.push(Line::from(format!(
            "{:<16} {:<10} {:<11} {:<12} {}",
            time.get(..16).unwrap_or(&time),
            fit(&clean(v.member_name(rec.member)), 10),
            rec.action.as_str(),
            rec.field.map_or("", |x| x.as_str()),
            entry
        )));
    }
    lines.push(hint_owned(KEYS.hint()));
    f.render_widget(Paragraph::new(lines), inner);
}

const CLOSE_LOG: Binding = Binding::new(
    "Esc",
    "close",
    &[(code(KeyCode::Esc), Intent::Back), (ch('A'), Intent::Back)],
);

/// The access log's keys.
pub const KEYS: Keys = Keys {
    bindings: &[&keys::SCROLL_PAGES, &CLOSE_LOG, &keys::QUIT_HIDDEN],
    typing: false,
};
