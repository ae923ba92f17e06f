//! The access log (`A`): this member's records, or everyone's for owners
//! and auditors, newest last; `v` verifies it. View and keys.

use crate::dates;
use crate::text::clean;
use crate::tui::app::Screen;
use crate::tui::keys::{Binding, Keys, ch, code};
use crate::tui::screen::main::{MainScreen, Overlay, is_move, step};
use crate::tui::view::{card, fit, hint_owned, list_rows};
use crate::tui::{App, Effect, Intent, Msg, keys};
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

const VERIFY: Binding = Binding::new("v", "verify", &[(ch('v'), Intent::VerifyLog)]);

const CLOSE_LOG: Binding = Binding::new(
    "Esc",
    "close",
    &[(code(KeyCode::Esc), Intent::Back), (ch('A'), Intent::Back)],
);

/// The access log's keys.
pub const KEYS: Keys = Keys {
    bindings: &[&keys::SCROLL_PAGES, &VERIFY, &CLOSE_LOG, &keys::QUIT_HIDDEN],
    typing: false,
    then: None,
};

/// Scrolling the access log, verifying it, and closing it.
pub(crate) fn update(app: &mut App, action: Msg) -> Vec<Effect> {
    let rows = list_rows(app.size);
    let Screen::Main(m) = &mut app.screen else {
        return Vec::new();
    };
    let len = m.visible_log().len();
    let Some(Overlay::Log { top }) = m.overlay.as_mut() else {
        return Vec::new();
    };
    match action {
        a if is_move(&a) => *top = step(*top, len, &a, rows),
        Msg::Intent(Intent::Back) => m.overlay = None,
        Msg::Intent(Intent::VerifyLog) => return vec![Effect::VerifyLog],
        _ => {}
    }
    Vec::new()
}
