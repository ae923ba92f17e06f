//! A handover's checklist in the members view: what the leaving member
//! saw, pending, rotated or verified, with a way to edit each entry and
//! to confirm it. View and keys (the state is [`MembersMode::Checklist`]).
use crate::handover::State;
use crate::text::clean;
use crate::tui::app::member_rows;
use crate::tui::keys::{Binding, Keys, ch, code};
use crate::tui::screen::form::ChecklistAt;
use crate::tui::screen::main::{MainScreen, Overlay};
use crate::tui::screen::members::{MembersMode, MembersView, handover_of};
use crate::tui::view::{ACCENT, card, fit, hint_owned, short_rfc3339};
use crate::tui::{Intent, keys, strings};
use ratatui::Frame;
use ratatui::crossterm::event::KeyCode;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::{Color, Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

/// The members view showing `at.member`'s checklist, recomputed from the
/// log, with `at.entry_id` selected if it is still listed.
pub(crate) fn checklist_at(m: &MainScreen, at: ChecklistAt) -> Overlay {
    let v = &m.session.vault;
    let rows = member_rows(v);
    let cursor = handover_of(v, &at.member)
        .and_then(|h| h.items.iter().position(|i| i.entry_id == at.entry_id))
        .unwrap_or(0);
    Overlay::Members(Box::new(MembersView {
        cursor: rows.iter().position(|r| r.name == at.member).unwrap_or(0),
        mode: MembersMode::Checklist {
            member: at.member,
            cursor,
        },
    }))
}

/// A handover's checklist, recomputed from the vault's log: each item
/// with where it stands, what the member did, and the MFA to move.
pub(crate) fn checklist(m: &MainScreen, member: &str, cursor: usize, f: &mut Frame, area: Rect) {
    let v = &m.session.vault;
    let name = clean(member);
    let Some(h) = handover_of(v, member) else {
        let inner = card(f, area, strings::MEMBERS_TITLE, 64, 5);
        f.render_widget(
            Paragraph::new(vec![
                Line::from(format!("No handover of {name} is recorded.")),
                hint_owned(checklist_read_only_hint()),
            ]),
            inner,
        );
        return;
    };
    let title = strings::checklist_title(&name, h.left, h.items.len());
    let inner = card(f, area, &title, area.width, area.height);
    let [top_area, list_area, keys_area] = Layout::vertical([
        Constraint::Length(4),
        Constraint::Fill(1),
        Constraint::Length(2),
    ])
    .areas(inner);
    let width = usize::from(inner.width);
    let mut first = format!("{name} ({})", h.role);
    if let Some(t) = &h.revoked {
        first.push_str(&format!(" · revoked {}", short_rfc3339(t)));
    }
    // Line by line (never wrapped), so a time is never split.
    let top: Vec<Line> = vec![
        Line::from(fit(&first, width)),
        Line::from(fit(
            &format!(
                "Handover by {}, {}; from the first {} log records.",
                clean(&h.by),
                short_rfc3339(&h.time),
                h.checkpoint.records
            ),
            width,
        )),
        hint_owned(fit(strings::CHECKLIST_HOW, width)),
    ];
    f.render_widget(Paragraph::new(top), top_area);

    let mut lines: Vec<Line> = Vec::new();
    if h.items.is_empty() {
        lines.push(Line::from(strings::nothing_to_rotate(&name)));
    } else {
        let wide = width >= 100;
        let title_w = if wide { 40 } else { 26 };
        lines.push(Line::from(Span::styled(
            fit(
                &format!(
                    "{:<9} {:<title_w$} {:<16}  WHAT {name} DID",
                    "STATE", "ENTRY (GROUP)", "LAST SEEN"
                ),
                width,
            ),
            Style::default().bold(),
        )));
        // Each item takes a line, and one more for MFA to move.
        let mut rows: Vec<(usize, Line)> = Vec::new();
        for (i, it) in h.items.iter().enumerate() {
            let selected = i == cursor;
            let state_style = match it.state {
                State::Pending => Style::default().fg(Color::Yellow).bold(),
                State::Rotated => Style::default().fg(ACCENT),
                State::Verified => Style::default().fg(Color::Green),
            };
            let base = if selected {
                Style::default()
                    .fg(Color::Black)
                    .bg(ACCENT)
                    .add_modifier(Modifier::BOLD)
            } else {
                Style::default()
            };
            let removed = if it.removed { " (removed)" } else { "" };
            let entry = format!("{} ({}){removed}", clean(&it.title), clean(&it.group));
            let rest = width.saturating_sub(9 + 1 + title_w + 1 + 16 + 2);
            rows.push((
                i,
                Line::from(vec![
                    Span::styled(
                        format!("{:<9}", it.state.as_str()),
                        if selected { base } else { state_style },
                    ),
                    Span::styled(
                        format!(
                            " {:<title_w$} {:<16}  {}",
                            fit(&entry, title_w),
                            short_rfc3339(&it.exposed),
                            fit(&clean(&it.how.join(", ")), rest)
                        ),
                        base,
                    ),
                ]),
            ));
            if !it.mfa.is_empty() {
                rows.push((
                    i,
                    Line::from(Span::styled(
                        format!("          MFA to move: {}", it.mfa.join(", ")),
                        Style::default().fg(Color::Yellow),
                    )),
                ));
            }
        }
        let visible = usize::from(list_area.height.saturating_sub(1)).max(1);
        let sel_row = rows.iter().position(|(i, _)| *i == cursor).unwrap_or(0);
        let first = sel_row.saturating_sub(visible - 1);
        lines.extend(rows.into_iter().skip(first).take(visible).map(|(_, l)| l));
    }
    f.render_widget(Paragraph::new(lines), list_area);
    let keys = if v.is_owner() {
        KEYS_CHECKLIST.hint()
    } else {
        checklist_read_only_hint()
    };
    let done = if h.left == 0 && !h.items.is_empty() {
        Line::from(Span::styled(
            strings::ALL_VERIFIED,
            Style::default().fg(Color::Green),
        ))
    } else {
        Line::from("")
    };
    f.render_widget(Paragraph::new(vec![done, hint_owned(keys)]), keys_area);
}

const EDIT_IT: Binding = Binding::new(
    "Enter/e",
    "edit it (^G generates)",
    &[
        (code(KeyCode::Enter), Intent::Edit),
        (ch('e'), Intent::Edit),
    ],
);

const VERIFY: Binding = Binding::new("v", "verify", &[(ch('v'), Intent::VerifyItem)]);

const BACK_TO_MEMBERS: Binding =
    Binding::new("Esc", "members", &[(code(KeyCode::Esc), Intent::Back)]);

/// A handover checklist's keys.
pub const KEYS_CHECKLIST: Keys = Keys {
    bindings: &[
        &keys::CHOOSE,
        &EDIT_IT,
        &VERIFY,
        &BACK_TO_MEMBERS,
        &keys::QUIT_HIDDEN,
    ],
    typing: false,
    then: None,
};

/// A handover checklist, for a member who is not an owner.
pub fn checklist_read_only_hint() -> String {
    keys::join(&[&keys::SCROLL, &BACK_TO_MEMBERS], " · ")
}
