//! The backup codes view (`b`): the entry's codes, shown only once their
//! reveal is logged, hidden again after a while, and `x` to mark one used.
//! Update, view and keys (its state is [`Overlay::Codes`]).

use crate::dates;
use crate::text::clean;
use crate::tui::action::Change;
use crate::tui::app::Screen;
use crate::tui::keys::{Binding, Keys, ch, code};
use crate::tui::screen::main::{MainScreen, Overlay, is_move, step};
use crate::tui::update::status;
use crate::tui::view::{ACCENT, card, list_rows};
use crate::tui::{App, Effect, Intent, Msg, Now, keys, strings};
use crate::vault::EntryRef;
use ratatui::Frame;
use ratatui::crossterm::event::KeyCode;
use ratatui::layout::Rect;
use ratatui::style::{Color, Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

/// Choosing a code, marking it used, and closing.
pub(crate) fn update(app: &mut App, action: Msg, now: Now) -> Vec<Effect> {
    let rows = list_rows(app.size);
    let Screen::Main(m) = &mut app.screen else {
        return Vec::new();
    };
    let Some(Overlay::Codes { entry, cursor, .. }) = m.overlay.as_mut() else {
        return Vec::new();
    };
    let codes = &m.session.vault.entry(*entry).backup_codes;
    match action {
        a if is_move(&a) => *cursor = step(*cursor, codes.len(), &a, rows),
        Msg::Intent(Intent::MarkUsed) => {
            if codes.get(*cursor).is_some_and(|c| c.used_at.is_none()) {
                return vec![Effect::Change(Change::CodeUsed(*entry, *cursor))];
            }
            status(app, strings::CODE_ALREADY_USED, true, now);
        }
        Msg::Intent(Intent::Back) => m.overlay = None,
        _ => {}
    }
    Vec::new()
}

#[allow(clippy::too_many_arguments)]
pub(crate) fn codes(
    app: &App,
    m: &MainScreen,
    r: EntryRef,
    cursor: usize,
    until_ms: u64,
    f: &mut Frame,
    area: Rect,
) {
    let v = &m.session.vault;
    let e = v.entry(r);
    let title = format!("Backup codes · {}", clean(&e.title));
    let height = (e.backup_codes.len() as u16 + 5).min(area.height);
    let inner = card(f, area, &title, 64, height);
    let rows = usize::from(inner.height.saturating_sub(2));
    let first = cursor.saturating_sub(rows.saturating_sub(1));
    let mut lines: Vec<Line> = e
        .backup_codes
        .iter()
        .enumerate()
        .skip(first)
        .take(rows)
        .map(|(i, c)| {
            let mut style = Style::default();
            if i == cursor {
                style = style.fg(Color::Black).bg(ACCENT);
            }
            match c.used_at {
                None => Line::from(Span::styled(
                    format!("{:>3}  {}", i + 1, clean(c.code.expose())),
                    style.add_modifier(Modifier::BOLD),
                )),
                Some(at) => {
                    let by = c.used_by.map_or("?", |b| v.member_name(b));
                    Line::from(Span::styled(
                        format!(
                            "{:>3}  {}  used {} by {}",
                            i + 1,
                            strings::MASK,
                            dates::format_date(at),
                            clean(by)
                        ),
                        if i == cursor {
                            style
                        } else {
                            style.fg(Color::DarkGray)
                        },
                    ))
                }
            }
        })
        .collect();
    let left = until_ms.saturating_sub(app.clock.ms).div_ceil(1000);
    lines.push(Line::from(""));
    lines.push(Line::from(Span::styled(
        strings::codes_keys(&KEYS_CODES.hint(), left),
        Style::default().fg(Color::DarkGray),
    )));
    f.render_widget(Paragraph::new(lines), inner);
}

const MARK_USED: Binding = Binding::new("x", "mark used", &[(ch('x'), Intent::MarkUsed)]);

const CLOSE_CODES: Binding = Binding::new(
    "Esc",
    "close",
    &[(code(KeyCode::Esc), Intent::Back), (ch('b'), Intent::Back)],
);

/// The backup codes view.
pub const KEYS_CODES: Keys = Keys {
    bindings: &[&keys::CHOOSE, &MARK_USED, &CLOSE_CODES, &keys::QUIT_HIDDEN],
    typing: false,
    then: None,
};
