//! `render(&App, &mut Frame)`: draws the state and changes nothing.
//! Concealed values are drawn masked unless the entry is revealed, which
//! the state says only after the runtime reported the reveal logged. Text
//! from the vault is drawn with control characters escaped, so a title
//! cannot send escape sequences to the terminal. Only the visible rows of
//! the entry list are built.

use std::borrow::Cow;

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::{Color, Modifier, Style, Stylize};
use ratatui::text::{Line, Span, Text};
use ratatui::widgets::{Block, BorderType, Borders, Clear, Padding, Paragraph, Wrap};

use super::app::{
    App, FORM_LABELS, FieldRef, Focus, Form, Generator, GrantInput, HealthRow, HealthView,
    LockReason, MEMBER_FORM_LABELS, MainScreen, MemberConfirm, MemberForm, MemberRow, MembersMode,
    MembersView, ONBOARD_LABELS, OnboardScreen, Overlay, RecoveryScreen, Screen, ShiftWhat,
    SummaryScreen, UnlockFocus, UnlockScreen, handover_of, member_rows, role_name, strength,
};
use super::strings;
use crate::dates;
use crate::format::Role;
use crate::handover::State;
use crate::health::Kind;
use crate::text::clean;
use crate::vault::{Entry, EntryRef};

const ACCENT: Color = Color::Cyan;
const SPINNER: [&str; 8] = ["⠋", "⠙", "⠹", "⠸", "⠼", "⠴", "⠦", "⠧"];

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

/// Where the parts of the main view go.
struct MainAreas {
    header: Rect,
    search: Rect,
    groups: Option<Rect>,
    list: Rect,
    detail: Rect,
    status: Rect,
    footer: Rect,
}

fn main_areas(area: Rect) -> MainAreas {
    let [header, search, body, status, footer] = Layout::vertical([
        Constraint::Length(1),
        Constraint::Length(1),
        Constraint::Min(3),
        Constraint::Length(1),
        Constraint::Length(1),
    ])
    .areas(area);
    let (groups, list, detail) = if area.width >= 100 {
        let [g, l, d] = Layout::horizontal([
            Constraint::Length(24),
            Constraint::Percentage(40),
            Constraint::Fill(1),
        ])
        .areas(body);
        (Some(g), l, d)
    } else if area.width >= 70 {
        let [g, l, d] = Layout::horizontal([
            Constraint::Length(15),
            Constraint::Length(26),
            Constraint::Fill(1),
        ])
        .areas(body);
        (Some(g), l, d)
    } else {
        let [l, d] =
            Layout::horizontal([Constraint::Percentage(50), Constraint::Fill(1)]).areas(body);
        (None, l, d)
    };
    MainAreas {
        header,
        search,
        groups,
        list,
        detail,
        status,
        footer,
    }
}

/// Rows of the entry list that fit a terminal of `size` (what Page Up and
/// Page Down move by, and how far the list scrolls).
pub fn list_rows(size: (u16, u16)) -> usize {
    let a = main_areas(Rect::new(0, 0, size.0, size.1));
    usize::from(a.list.height.saturating_sub(2))
}

fn pane(title: &str, focused: bool) -> Block<'_> {
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

fn header(app: &App, right: String, f: &mut Frame, area: Rect) {
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

fn status_line(app: &App, f: &mut Frame, area: Rect) {
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

fn footer(text: &str, f: &mut Frame, area: Rect) {
    f.render_widget(
        Paragraph::new(Span::styled(
            format!(" {text}"),
            Style::default().fg(Color::DarkGray),
        )),
        area,
    );
}

fn centered(area: Rect, width: u16, height: u16) -> Rect {
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
fn frame_parts(app: &App, hint_text: &str, f: &mut Frame, area: Rect) -> Rect {
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

fn onboard(app: &App, o: &OnboardScreen, f: &mut Frame, area: Rect) {
    let body = frame_parts(app, strings::ONBOARD_KEYS, f, area);
    let inner = card(f, body, strings::ONBOARD_TITLE, 70, 13);
    let mut lines = vec![Line::from(strings::ONBOARD_INTRO), Line::from("")];
    for (i, label) in ONBOARD_LABELS.iter().enumerate() {
        let focused = i == o.cursor && o.busy_since.is_none();
        let value = match i {
            0 => clean(&o.owner).into_owned(),
            1 => clean(&o.domain).into_owned(),
            2 => "•".repeat(o.passphrase.chars().min(24)),
            _ => "•".repeat(o.repeat.chars().min(24)),
        };
        let label_style = if focused {
            Style::default().fg(ACCENT).bold()
        } else {
            Style::default().fg(Color::DarkGray)
        };
        let mut spans = vec![
            Span::styled(format!("{label:<20}"), label_style),
            Span::raw(value),
        ];
        if focused {
            spans.push(Span::styled("▏", Style::default().fg(ACCENT)));
        }
        if i == 0 && o.owner.is_empty() && !focused {
            spans.push(Span::styled(
                "a short login name, e.g. ana",
                Style::default().fg(Color::DarkGray),
            ));
        }
        if i == 1 && o.domain.is_empty() && !focused {
            spans.push(Span::styled(
                "optional, e.g. example.com",
                Style::default().fg(Color::DarkGray),
            ));
        }
        if i == 2 {
            let (word, bits) = strength(o.passphrase.peek());
            if !word.is_empty() {
                let color = match word {
                    "weak" => Color::Red,
                    "fair" => Color::Yellow,
                    _ => Color::Green,
                };
                spans.push(Span::styled(
                    format!("  {word} ~{bits} bits"),
                    Style::default().fg(color),
                ));
            }
        }
        lines.push(Line::from(spans));
    }
    lines.push(Line::from(""));
    if let Some(since) = o.busy_since {
        let frame = (app.clock.ms.saturating_sub(since) / 100) as usize % SPINNER.len();
        lines.push(Line::from(vec![
            Span::styled(SPINNER[frame], Style::default().fg(ACCENT)),
            Span::raw(" "),
            Span::raw(strings::CREATING),
        ]));
    } else if let Some(e) = &o.error {
        lines.push(Line::from(Span::styled(
            clean(e).into_owned(),
            Style::default().fg(Color::Red).bold(),
        )));
    }
    f.render_widget(Paragraph::new(lines).wrap(Wrap { trim: false }), inner);
}

fn recovery(app: &App, r: &RecoveryScreen, f: &mut Frame, area: Rect) {
    let body = frame_parts(app, strings::RECOVERY_CONFIRM, f, area);
    let inner = card(f, body, strings::RECOVERY_TITLE, 70, 12);
    let lines = vec![
        Line::from(strings::RECOVERY_EXPLAIN),
        Line::from(""),
        Line::from(Span::styled(
            format!("    {}", &*r.code),
            Style::default().fg(Color::Yellow).bold(),
        )),
        Line::from(""),
        Line::from(Span::styled(
            strings::RECOVERY_CONFIRM,
            Style::default().bold(),
        )),
    ];
    f.render_widget(Paragraph::new(lines).wrap(Wrap { trim: false }), inner);
}

fn unlock(app: &App, u: &UnlockScreen, f: &mut Frame, area: Rect) {
    let body = frame_parts(app, strings::UNLOCK_HINT, f, area);
    let member_rows = u.members.len().clamp(1, 6) as u16;
    let height = 10 + member_rows;
    let card = centered(body, 60, height);
    let block = pane(strings::UNLOCK_TITLE, true).padding(Padding::horizontal(1));
    let inner = block.inner(card);
    f.render_widget(Clear, card);
    f.render_widget(block, card);

    let mut lines: Vec<Line> = Vec::new();
    let member_label = Style::default().add_modifier(Modifier::BOLD);
    lines.push(Line::from(Span::styled(strings::MEMBER, member_label)));
    if u.members.is_empty() {
        lines.push(Line::from("  (the founding owner)".dark_gray()));
    }
    let first = u.member.saturating_sub(5);
    for (i, name) in u.members.iter().enumerate().skip(first).take(6) {
        let chosen = i == u.member;
        let marker = if chosen { "▸ " } else { "  " };
        let mut style = Style::default();
        if chosen {
            style = style.add_modifier(Modifier::BOLD);
            if u.focus == UnlockFocus::Member {
                style = style.fg(Color::Black).bg(ACCENT);
            }
        }
        lines.push(Line::from(Span::styled(
            format!("{marker}{}", clean(name)),
            style,
        )));
    }
    lines.push(Line::from(""));
    lines.push(Line::from(Span::styled(strings::PASSPHRASE, member_label)));
    let typed = if u.busy_since.is_some() {
        u.submitted_chars
    } else {
        u.passphrase.chars()
    };
    let dots = "•".repeat(typed.min(40));
    let cursor = if u.focus == UnlockFocus::Passphrase && u.busy_since.is_none() {
        "▏"
    } else {
        ""
    };
    lines.push(Line::from(vec![
        Span::raw("  "),
        Span::raw(dots),
        Span::styled(cursor, Style::default().fg(ACCENT)),
    ]));
    lines.push(Line::from(""));
    if let Some(h) = &app.hint {
        lines.push(Line::from(Span::styled(
            clean(h).into_owned(),
            Style::default().fg(Color::Yellow),
        )));
    }
    if let Some(since) = u.busy_since {
        let frame = (app.clock.ms.saturating_sub(since) / 100) as usize % SPINNER.len();
        lines.push(Line::from(vec![
            Span::styled(SPINNER[frame], Style::default().fg(ACCENT)),
            Span::raw(" "),
            Span::raw(strings::DERIVING),
        ]));
    } else if let Some(e) = &u.error {
        lines.push(Line::from(Span::styled(
            e.heading,
            Style::default().fg(Color::Red).add_modifier(Modifier::BOLD),
        )));
        if !e.detail.is_empty() {
            lines.push(Line::from(Span::styled(
                clean(&e.detail).into_owned(),
                Style::default().fg(Color::Red),
            )));
        }
    }
    f.render_widget(Paragraph::new(lines).wrap(Wrap { trim: false }), inner);
}

fn main(app: &App, m: &MainScreen, f: &mut Frame, area: Rect) {
    let a = main_areas(area);
    let v = &m.session.vault;
    let me = v.me();
    let role = format!("{:?}", me.role).to_lowercase();
    let mut right = format!("{} ({role})", clean(&me.name));
    if let Some(until) = app.clipboard_until {
        let secs = until.saturating_sub(app.clock.ms).div_ceil(1000);
        right = format!("clipboard clears in {secs} s · {right}");
    }
    header(app, right, f, a.header);

    // Search bar.
    let searching = m.focus == Focus::Search;
    let mut spans = vec![Span::styled(
        format!(" {} ", strings::SEARCH_PROMPT),
        if searching {
            Style::default().fg(Color::Black).bg(ACCENT)
        } else {
            Style::default().fg(Color::DarkGray)
        },
    )];
    spans.push(Span::raw(" "));
    spans.push(Span::raw(clean(&m.query).into_owned()));
    if searching {
        spans.push(Span::styled("▏", Style::default().fg(ACCENT)));
    }
    let count = strings::entry_count(m.hits.len(), m.index.len());
    let used: usize = spans.iter().map(|s| s.content.chars().count()).sum();
    let pad = usize::from(a.search.width).saturating_sub(used + count.chars().count() + 1);
    spans.push(Span::raw(" ".repeat(pad)));
    spans.push(Span::styled(count, Style::default().fg(Color::DarkGray)));
    f.render_widget(Paragraph::new(Line::from(spans)), a.search);

    if let Some(g) = a.groups {
        groups(m, f, g);
    }
    list(m, f, a.list);
    detail(app, m, f, a.detail);
    status_line(app, f, a.status);
    footer(
        match m.focus {
            _ if m.overlay.is_some() => strings::FOOTER_OVERLAY,
            Focus::Search => strings::FOOTER_SEARCH,
            Focus::Groups => strings::FOOTER_GROUPS,
            Focus::Detail => strings::FOOTER_DETAIL,
            Focus::List if area.width >= 100 => strings::FOOTER_LIST_WIDE,
            Focus::List => strings::FOOTER_LIST,
        },
        f,
        a.footer,
    );
    match &m.overlay {
        Some(Overlay::Help) => help(f, area),
        Some(Overlay::ConfirmDelete(r)) => confirm_delete(m, *r, f, area),
        Some(Overlay::Codes {
            entry,
            cursor,
            until_ms,
        }) => codes(app, m, *entry, *cursor, *until_ms, f, area),
        Some(Overlay::Log { top }) => log_view(m, *top, f, area),
        Some(Overlay::Form(form)) => form_view(form, f, area),
        Some(Overlay::Generator(g)) => generator(g, f, area),
        Some(Overlay::Members(mv)) => members(app, m, mv, f, area),
        Some(Overlay::Health(h)) => health(m, h, f, area),
        None => {}
    }
}

fn groups(m: &MainScreen, f: &mut Frame, area: Rect) {
    let block = pane(strings::GROUPS, m.focus == Focus::Groups);
    let inner = block.inner(area);
    f.render_widget(block, area);
    let counts = m.group_counts();
    let total: usize = counts.iter().map(|(_, n)| n).sum();
    let rows = usize::from(inner.height);
    let first = m.group_cursor.saturating_sub(rows.saturating_sub(1));
    let width = usize::from(inner.width);
    let lines: Vec<Line> = std::iter::once((strings::ALL.to_owned(), total))
        .chain(counts)
        .enumerate()
        .skip(first)
        .take(rows)
        .map(|(i, (name, n))| {
            let n = n.to_string();
            let name = fit(&clean(&name), width.saturating_sub(n.len() + 1));
            let pad = width.saturating_sub(name.chars().count() + n.len());
            let mut style = Style::default();
            if i == m.group_cursor {
                style = style.add_modifier(Modifier::BOLD);
                if m.focus == Focus::Groups {
                    style = style.fg(Color::Black).bg(ACCENT);
                }
            }
            Line::from(vec![
                Span::styled(format!("{name}{}", " ".repeat(pad)), style),
                Span::styled(n, style.fg(Color::DarkGray)),
            ])
        })
        .collect();
    f.render_widget(Paragraph::new(lines), inner);
}

fn list(m: &MainScreen, f: &mut Frame, area: Rect) {
    let focused = matches!(m.focus, Focus::List | Focus::Search);
    let block = pane(strings::ENTRIES, focused);
    let inner = block.inner(area);
    f.render_widget(block, area);
    if m.hits.is_empty() {
        let text = if m.query.is_empty() {
            strings::NO_ENTRIES
        } else {
            strings::NO_MATCH
        };
        f.render_widget(Paragraph::new(text.dark_gray()), inner);
        return;
    }
    let v = &m.session.vault;
    let width = usize::from(inner.width);
    let rows = usize::from(inner.height);
    // Only the rows on screen are built.
    let lines: Vec<Line> = m
        .hits
        .iter()
        .enumerate()
        .skip(m.top)
        .take(rows)
        .map(|(i, &r)| {
            let e = v.entry(r);
            let title = fit(&clean(&e.title), width);
            let rest = width.saturating_sub(title.chars().count() + 2);
            let user = if rest > 3 && !e.username.is_empty() {
                fit(&clean(&e.username), rest)
            } else {
                String::new()
            };
            let pad = width.saturating_sub(title.chars().count() + user.chars().count());
            let selected = i == m.selected;
            let base = if selected {
                Style::default()
                    .fg(Color::Black)
                    .bg(if focused || m.focus == Focus::Detail {
                        ACCENT
                    } else {
                        Color::Gray
                    })
                    .add_modifier(Modifier::BOLD)
            } else {
                Style::default()
            };
            Line::from(vec![
                Span::styled(title, base),
                Span::styled(" ".repeat(pad), base),
                Span::styled(
                    user,
                    if selected {
                        base
                    } else {
                        base.fg(Color::DarkGray)
                    },
                ),
            ])
        })
        .collect();
    f.render_widget(Paragraph::new(lines), inner);
}

fn detail(app: &App, m: &MainScreen, f: &mut Frame, area: Rect) {
    let Some(r) = m.selected_entry() else {
        let block = pane(strings::DETAILS, m.focus == Focus::Detail);
        let inner = block.inner(area);
        f.render_widget(block, area);
        f.render_widget(Paragraph::new(strings::NOTHING_SELECTED.dark_gray()), inner);
        return;
    };
    let v = &m.session.vault;
    let e = v.entry(r);
    let title = clean(&e.title);
    let mut block = pane(&title, m.focus == Focus::Detail);
    if let Some((_, until)) = m.revealed.filter(|(x, _)| *x == r) {
        let left = until.saturating_sub(app.clock.ms).div_ceil(1000);
        block = block.title_bottom(Span::styled(
            format!(" revealed · hides in {left} s "),
            Style::default().fg(Color::Yellow),
        ));
    }
    let inner = block.inner(area);
    f.render_widget(block, area);
    let lines = detail_lines(app, m, r, e);
    f.render_widget(
        Paragraph::new(Text::from(lines)).wrap(Wrap { trim: false }),
        inner,
    );
}

fn detail_lines<'a>(app: &App, m: &'a MainScreen, r: EntryRef, e: &'a Entry) -> Vec<Line<'a>> {
    let v = &m.session.vault;
    let shown = m.is_revealed(r);
    let label = |s: &str| Span::styled(format!("{s:<9}"), Style::default().fg(Color::DarkGray));
    let plain = |s: &str| Span::raw(clean(s).into_owned());
    let masked = |hint: &str| {
        vec![
            Span::raw(strings::MASK),
            Span::styled(format!("  {hint}"), Style::default().fg(Color::DarkGray)),
        ]
    };
    let mut out = Vec::new();
    out.push(Line::from(vec![label("Group"), plain(v.group_name(r))]));
    if !e.username.is_empty() {
        out.push(Line::from(vec![label("Username"), plain(&e.username)]));
    }
    if !e.password.is_empty() {
        let mut l = vec![label("Password")];
        if shown {
            l.push(Span::styled(
                clean(e.password.expose()).into_owned(),
                Style::default().fg(Color::Yellow),
            ));
        } else {
            l.extend(masked("r reveal · c copy"));
        }
        out.push(Line::from(l));
    }
    for u in &e.urls {
        out.push(Line::from(vec![label("URL"), plain(u)]));
    }
    if let Some(id) = &e.identity {
        out.push(Line::from(vec![label("Identity"), plain(id)]));
    }
    if let Some(t) = &e.totp {
        let mut l = vec![label("TOTP")];
        if shown {
            let (code, left) = t.code_at(app.clock.unix);
            l.push(Span::styled(
                code.to_string(),
                Style::default()
                    .fg(Color::Yellow)
                    .add_modifier(Modifier::BOLD),
            ));
            l.push(Span::styled(
                format!("  {left:>2} s left"),
                Style::default().fg(Color::DarkGray),
            ));
        } else {
            l.extend(masked("r reveal · t copy"));
        }
        out.push(Line::from(l));
    }
    if !e.backup_codes.is_empty() {
        let unused = e
            .backup_codes
            .iter()
            .filter(|c| c.used_at.is_none())
            .count();
        out.push(Line::from(vec![
            label("Codes"),
            Span::raw(format!("{unused} of {} unused", e.backup_codes.len())),
        ]));
    }
    for cf in &e.fields {
        let name = clean(&cf.name);
        // A name longer than the label column gets a line of its own.
        let mut l = if name.chars().count() <= 8 {
            vec![label(&name)]
        } else {
            out.push(Line::from(Span::styled(
                name.into_owned(),
                Style::default().fg(Color::DarkGray),
            )));
            vec![label("")]
        };
        if cf.concealed && !shown {
            l.extend(masked("r reveal"));
        } else {
            l.push(plain(cf.value.expose()));
        }
        out.push(Line::from(l));
    }
    if !e.tags.is_empty() {
        out.push(Line::from(vec![label("Tags"), plain(&e.tags.join(", "))]));
    }
    if let Some(days) = e.rotate_days {
        let due = e.password_changed_at + i64::from(days) * 86_400;
        let (text, style) = if due <= app.clock.unix {
            (
                format!("{days} d · overdue since {}", dates::format_date(due)),
                Style::default().fg(Color::Red),
            )
        } else {
            (
                format!("{days} d · due {}", dates::format_date(due)),
                Style::default(),
            )
        };
        out.push(Line::from(vec![label("Rotate"), Span::styled(text, style)]));
    }
    if let Some(exp) = e.expires_at {
        out.push(Line::from(vec![
            label("Expires"),
            Span::raw(dates::format_date(exp)),
        ]));
    }
    out.push(Line::from(vec![
        label("Modified"),
        Span::raw(format!(
            "{} by {}",
            dates::format_date(e.modified_at),
            clean(v.member_name(e.modified_by))
        )),
    ]));
    if !e.notes.is_empty() {
        out.push(Line::from(""));
        if shown {
            out.push(Line::from(label("Notes")));
            for l in e.notes.expose().lines() {
                out.push(Line::from(plain(l)));
            }
        } else {
            let mut l = vec![label("Notes")];
            l.extend(masked("r reveal"));
            out.push(Line::from(l));
        }
    }
    if !shown && m.pending.is_some_and(|(p, _)| p == r) {
        out.push(Line::from(""));
        out.push(Line::from("Writing the access-log record…".dark_gray()));
    }
    out
}

fn help(f: &mut Frame, area: Rect) {
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

fn summary(app: &App, s: &SummaryScreen, f: &mut Frame, area: Rect) {
    let body = frame_parts(app, strings::SUMMARY_HINT, f, area);
    let block = pane(strings::SUMMARY_TITLE, true).padding(Padding::horizontal(1));
    let inner = block.inner(body);
    f.render_widget(block, body);
    let mut lines = vec![
        Line::from(match s.reason {
            LockReason::Idle => strings::LOCKED_IDLE,
            LockReason::Asked => strings::LOCKED_ASKED,
        }),
        Line::from(""),
    ];
    if s.items.is_empty() {
        lines.push(Line::from(strings::SUMMARY_NONE));
    } else {
        lines.push(Line::from(Span::styled(
            format!(
                "{} revealed or copied in this session ({}):",
                clean(&s.member),
                s.items.len()
            ),
            Style::default().bold(),
        )));
        for it in &s.items {
            let what = match it.what {
                ShiftWhat::Revealed => Cow::Borrowed("revealed"),
                ShiftWhat::Copied(w) => Cow::Owned(format!("copied {}", strings::what(w))),
                ShiftWhat::Codes => Cow::Borrowed("backup codes shown"),
            };
            lines.push(Line::from(format!(
                "  {}  {:<18} {} ({})",
                dates::format_time(it.unix),
                what,
                clean(&it.title),
                clean(&it.group)
            )));
        }
    }
    f.render_widget(Paragraph::new(lines).wrap(Wrap { trim: false }), inner);
}

fn card(f: &mut Frame, area: Rect, title: &str, width: u16, height: u16) -> Rect {
    let card = centered(area, width, height);
    f.render_widget(Clear, card);
    let block = pane(title, true).padding(Padding::horizontal(1));
    let inner = block.inner(card);
    f.render_widget(block, card);
    inner
}

fn hint(text: &str) -> Line<'_> {
    Line::from(Span::styled(text, Style::default().fg(Color::DarkGray)))
}

fn confirm_delete(m: &MainScreen, r: EntryRef, f: &mut Frame, area: Rect) {
    let e = m.session.vault.entry(r);
    let inner = card(f, area, strings::DELETE_TITLE, 60, 7);
    let lines = vec![
        Line::from(format!("Delete \"{}\"?", clean(&e.title))),
        Line::from(strings::DELETE_EXPLAIN),
        Line::from(""),
        hint(strings::DELETE_KEYS),
    ];
    f.render_widget(Paragraph::new(lines).wrap(Wrap { trim: false }), inner);
}

#[allow(clippy::too_many_arguments)]
fn codes(
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
        strings::codes_keys(left),
        Style::default().fg(Color::DarkGray),
    )));
    f.render_widget(Paragraph::new(lines), inner);
}

fn log_view(m: &MainScreen, top: usize, f: &mut Frame, area: Rect) {
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
    lines.push(hint(strings::LOG_KEYS));
    f.render_widget(Paragraph::new(lines), inner);
}

fn form_view(form: &Form, f: &mut Frame, area: Rect) {
    let title = if form.editing.is_some() {
        strings::EDIT_TITLE
    } else {
        strings::NEW_TITLE
    };
    let height = FORM_LABELS.len() as u16 + 6;
    let inner = card(f, area, title, 72, height);
    let width = usize::from(inner.width).saturating_sub(14);
    let mut lines: Vec<Line> = Vec::new();
    for (i, label) in FORM_LABELS.iter().enumerate() {
        let focused = i == form.cursor;
        let value = match form.values.field(i) {
            FieldRef::Plain(s) => {
                let s = clean(s);
                // Keep the end of a long value in view while typing.
                let n = s.chars().count();
                Span::raw(s.chars().skip(n.saturating_sub(width)).collect::<String>())
            }
            FieldRef::Secret(x) if x.is_empty() => Span::styled(
                if form.editing.is_some() {
                    strings::UNCHANGED
                } else {
                    ""
                },
                Style::default().fg(Color::DarkGray),
            ),
            FieldRef::Secret(x) => Span::raw("•".repeat(x.chars().min(width))),
        };
        let label_style = if focused {
            Style::default().fg(ACCENT).bold()
        } else {
            Style::default().fg(Color::DarkGray)
        };
        let mut spans = vec![Span::styled(format!("{label:<13}"), label_style), value];
        if focused {
            spans.push(Span::styled("▏", Style::default().fg(ACCENT)));
        }
        lines.push(Line::from(spans));
    }
    lines.push(Line::from(""));
    if let Some(e) = &form.error {
        lines.push(Line::from(Span::styled(
            clean(e).into_owned(),
            Style::default().fg(Color::Red).bold(),
        )));
    } else if form.saving {
        lines.push(hint(strings::SAVING));
    } else {
        lines.push(Line::from(""));
    }
    lines.push(hint(strings::FORM_KEYS));
    f.render_widget(Paragraph::new(lines).wrap(Wrap { trim: false }), inner);
}

fn generator(g: &Generator, f: &mut Frame, area: Rect) {
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
        hint(strings::GENERATOR_KEYS),
    ];
    f.render_widget(Paragraph::new(lines).wrap(Wrap { trim: false }), inner);
}

/// `s` cut to `width` characters, with an ellipsis when cut.
fn fit(s: &str, width: usize) -> String {
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
fn short_time(unix: i64) -> String {
    short_rfc3339(&dates::format_rfc3339(unix))
}

/// An RFC 3339 time as `YYYY-MM-DD HH:MM`.
fn short_rfc3339(t: &str) -> String {
    let t = t.replace('T', " ");
    t.get(..16).unwrap_or(&t).to_owned()
}

fn members(app: &App, m: &MainScreen, mv: &MembersView, f: &mut Frame, area: Rect) {
    // The status line and the footer stay visible below: what a change
    // did, or why it was refused, is said there.
    let area = Rect {
        height: area.height.saturating_sub(2),
        ..area
    };
    if let MembersMode::Checklist { member, cursor } = &mv.mode {
        checklist(m, member, *cursor, f, area);
        return;
    }
    let rows = member_rows(&m.session.vault);
    member_list(app, m, &rows, mv.cursor, f, area);
    match &mv.mode {
        MembersMode::Add(form) => member_form(m, form, f, area),
        MembersMode::Grant(g) => grant_card(&rows, m, g, f, area),
        MembersMode::Confirm(c) => member_confirm(c, f, area),
        MembersMode::List | MembersMode::Checklist { .. } => {}
    }
}

/// Every member: role, state (expired memberships stand out), expiry,
/// last unlock, reveals and groups; the selected one in full below.
fn member_list(
    app: &App,
    m: &MainScreen,
    rows: &[MemberRow],
    cursor: usize,
    f: &mut Frame,
    area: Rect,
) {
    let v = &m.session.vault;
    let now = app.clock.unix;
    let title = format!("{} · {}", strings::MEMBERS_TITLE, rows.len());
    let inner = card(f, area, &title, area.width, area.height);
    let [list_area, detail_area, keys_area] = Layout::vertical([
        Constraint::Fill(1),
        Constraint::Length(3),
        Constraint::Length(1),
    ])
    .areas(inner);
    let width = usize::from(inner.width);
    let wide = width >= 100;
    let (name_w, unlock_w, unlock_head) = if wide {
        (16, 16, "LAST UNLOCK")
    } else {
        (12, 10, "UNLOCKED")
    };
    let head = format!(
        "{:<name_w$} {:<10} {:<7} {:<10} {:<unlock_w$} {:>7}  GROUPS",
        "NAME", "ROLE", "STATE", "EXPIRES", unlock_head, "REVEALS"
    );
    let used = name_w + 10 + 7 + 10 + unlock_w + 7 + 7;
    let groups_w = width.saturating_sub(used);
    let mut lines = vec![Line::from(Span::styled(
        fit(&head, width),
        Style::default().bold(),
    ))];
    let visible = usize::from(list_area.height.saturating_sub(1)).max(1);
    let first = cursor.saturating_sub(visible - 1);
    for (i, r) in rows.iter().enumerate().skip(first).take(visible) {
        let (state, state_style) = if r.revoked_at.is_some() {
            (strings::REVOKED, Style::default().fg(Color::DarkGray))
        } else if r.expired(now) {
            (
                strings::EXPIRED,
                Style::default().fg(Color::Red).add_modifier(Modifier::BOLD),
            )
        } else {
            (strings::ACTIVE, Style::default().fg(Color::Green))
        };
        let unlock = r.last_unlock.map_or_else(
            || "-".to_owned(),
            |t| {
                let s = short_time(t);
                s.get(..unlock_w).unwrap_or(&s).to_owned()
            },
        );
        let groups = member_groups(r);
        let mut base = Style::default();
        if r.revoked_at.is_some() {
            base = base.fg(Color::DarkGray);
        } else if r.expired(now) {
            base = base.fg(Color::Yellow);
        }
        let selected = i == cursor;
        if selected {
            base = Style::default()
                .fg(Color::Black)
                .bg(ACCENT)
                .add_modifier(Modifier::BOLD);
        }
        let state_style = if selected { base } else { state_style };
        lines.push(Line::from(vec![
            Span::styled(
                format!(
                    "{:<name_w$} {:<10} ",
                    fit(&clean(&r.name), name_w),
                    role_name(r.role)
                ),
                base,
            ),
            Span::styled(format!("{state:<7}"), state_style),
            Span::styled(
                format!(
                    " {:<10} {:<unlock_w$} {:>7}  {}",
                    r.expires_at.map_or("-".to_owned(), dates::format_date),
                    unlock,
                    r.reveals,
                    fit(&clean(&groups), groups_w)
                ),
                base,
            ),
        ]));
    }
    f.render_widget(Paragraph::new(lines), list_area);

    if let Some(r) = rows.get(cursor) {
        // Built line by line (never wrapped), so a time is never split.
        let mut first = format!(
            "{} · {} · groups: {}",
            clean(&r.name),
            role_name(r.role),
            clean(&member_groups(r))
        );
        if let Some(t) = r.revoked_at {
            first.push_str(&format!(" · revoked {}", short_time(t)));
        } else if let Some(t) = r.expires_at {
            let word = if t <= now { "expired" } else { "expires" };
            first.push_str(&format!(" · {word} {}", dates::format_date(t)));
        }
        let mut second = match r.last_unlock {
            Some(t) => format!("last unlock {}", short_time(t)),
            None => "never unlocked".to_owned(),
        };
        second.push_str(&format!(" · reveals and copies: {}", r.reveals));
        let third = if handover_of(v, &r.name).is_some() {
            strings::HANDOVER_RECORDED
        } else if r.expired(now) {
            strings::EXPIRED_HINT
        } else {
            ""
        };
        let style = if r.expired(now) {
            Style::default().fg(Color::Yellow)
        } else {
            Style::default()
        };
        let lines: Vec<Line> = [first, second, third.to_owned()]
            .into_iter()
            .map(|l| Line::from(Span::styled(fit(&l, width), style)))
            .collect();
        f.render_widget(Paragraph::new(lines), detail_area);
    }
    let keys = if v.is_owner() {
        strings::MEMBERS_KEYS
    } else {
        strings::MEMBERS_KEYS_READ_ONLY
    };
    f.render_widget(Paragraph::new(hint(keys)), keys_area);
}

/// A member's groups as listed: every group for an owner, none for an
/// auditor.
fn member_groups(r: &MemberRow) -> String {
    match r.role {
        Role::Owner => "(all)".to_owned(),
        _ if r.groups.is_empty() => "-".to_owned(),
        _ => r.groups.join(", "),
    }
}

fn vault_groups(m: &MainScreen) -> String {
    let names: Vec<String> = m
        .session
        .vault
        .groups()
        .iter()
        .map(|g| clean(&g.name).into_owned())
        .collect();
    names.join(", ")
}

fn member_form(m: &MainScreen, form: &MemberForm, f: &mut Frame, area: Rect) {
    let inner = card(f, area, strings::ADD_MEMBER_TITLE, 72, 12);
    let mut lines: Vec<Line> = Vec::new();
    for (i, label) in MEMBER_FORM_LABELS.iter().enumerate() {
        let focused = i == form.cursor;
        let (value, note) = match i {
            0 => (clean(&form.name).into_owned(), ""),
            1 => (role_name(form.role).to_owned(), strings::ROLE_HINT),
            2 => (clean(&form.groups).into_owned(), strings::GROUPS_HINT),
            3 => (clean(&form.expires).into_owned(), strings::EXPIRES_HINT),
            4 => ("•".repeat(form.passphrase.chars().min(40)), ""),
            _ => ("•".repeat(form.repeat.chars().min(40)), ""),
        };
        let label_style = if focused {
            Style::default().fg(ACCENT).bold()
        } else {
            Style::default().fg(Color::DarkGray)
        };
        let mut spans = vec![Span::styled(format!("{label:<12}"), label_style)];
        let shown = value.chars().count();
        spans.push(Span::raw(value));
        if focused {
            spans.push(Span::styled("▏", Style::default().fg(ACCENT)));
        }
        if !note.is_empty() && (focused || shown == 0 || i == 1) {
            spans.push(Span::styled(
                format!("  {note}"),
                Style::default().fg(Color::DarkGray),
            ));
        }
        if i == 4 {
            let (word, bits) = strength(form.passphrase.peek());
            if !word.is_empty() {
                let color = match word {
                    "weak" => Color::Red,
                    "fair" => Color::Yellow,
                    _ => Color::Green,
                };
                spans.push(Span::styled(
                    format!("  {word} ~{bits} bits"),
                    Style::default().fg(color),
                ));
            }
        }
        lines.push(Line::from(spans));
    }
    lines.push(Line::from(""));
    lines.push(hint_owned(format!("Groups here: {}", vault_groups(m))));
    if let Some(e) = &form.error {
        lines.push(Line::from(Span::styled(
            clean(e).into_owned(),
            Style::default().fg(Color::Red).bold(),
        )));
    } else {
        lines.push(Line::from(""));
    }
    lines.push(hint(strings::ADD_MEMBER_KEYS));
    f.render_widget(Paragraph::new(lines).wrap(Wrap { trim: false }), inner);
}

fn grant_card(rows: &[MemberRow], m: &MainScreen, g: &GrantInput, f: &mut Frame, area: Rect) {
    let title = strings::grant_title(&clean(&g.member));
    let inner = card(f, area, &title, 72, 10);
    let held = rows
        .iter()
        .find(|r| r.name == g.member)
        .map_or_else(String::new, member_groups);
    let mut lines = vec![
        Line::from(format!("{} holds: {}", clean(&g.member), clean(&held))),
        hint_owned(format!("Groups here: {}", vault_groups(m))),
        Line::from(""),
        Line::from(vec![
            Span::styled("Groups      ", Style::default().fg(ACCENT).bold()),
            Span::raw(clean(&g.groups).into_owned()),
            Span::styled("▏", Style::default().fg(ACCENT)),
        ]),
        Line::from(""),
    ];
    if let Some(e) = &g.error {
        lines.push(Line::from(Span::styled(
            clean(e).into_owned(),
            Style::default().fg(Color::Red).bold(),
        )));
    } else {
        lines.push(hint(strings::GROUPS_HINT));
    }
    lines.push(hint(strings::GRANT_KEYS));
    f.render_widget(Paragraph::new(lines).wrap(Wrap { trim: false }), inner);
}

fn member_confirm(c: &MemberConfirm, f: &mut Frame, area: Rect) {
    let (title, mut lines, keys) = match c {
        MemberConfirm::Revoke(name) => (
            "Revoke",
            vec![
                Line::from(Span::styled(
                    strings::revoke_question(&clean(name)),
                    Style::default().bold(),
                )),
                Line::from(strings::REVOKE_EXPLAIN),
            ],
            strings::CONFIRM_KEYS,
        ),
        MemberConfirm::Sweep(names) => {
            let names: Vec<String> = names.iter().map(|n| clean(n).into_owned()).collect();
            (
                "Sweep expired memberships",
                vec![
                    Line::from(Span::styled(
                        strings::sweep_question(&names),
                        Style::default().bold(),
                    )),
                    Line::from(strings::REVOKE_EXPLAIN),
                ],
                strings::CONFIRM_KEYS,
            )
        }
        MemberConfirm::Handover { name, revoked } => {
            let name = clean(name);
            let mut lines = vec![
                Line::from(Span::styled(
                    strings::handover_question(&name),
                    Style::default().bold(),
                )),
                Line::from(""),
            ];
            lines.extend(
                strings::handover_steps(&name, *revoked)
                    .into_iter()
                    .map(Line::from),
            );
            ("Handover", lines, strings::HANDOVER_KEYS)
        }
    };
    lines.push(Line::from(""));
    lines.push(hint(keys));
    let inner_w = 64u16.min(area.width).saturating_sub(4).max(1);
    let height: u16 = lines
        .iter()
        .map(|l| (l.width() as u16).div_ceil(inner_w).max(1))
        .sum::<u16>()
        + 2;
    let inner = card(f, area, title, 64, height);
    f.render_widget(Paragraph::new(lines).wrap(Wrap { trim: false }), inner);
}

/// A handover's checklist, recomputed from the vault's log: each item
/// with where it stands, what the member did, and the MFA to move.
fn checklist(m: &MainScreen, member: &str, cursor: usize, f: &mut Frame, area: Rect) {
    let v = &m.session.vault;
    let name = clean(member);
    let Some(h) = handover_of(v, member) else {
        let inner = card(f, area, strings::MEMBERS_TITLE, 64, 5);
        f.render_widget(
            Paragraph::new(vec![
                Line::from(format!("No handover of {name} is recorded.")),
                hint(strings::CHECKLIST_KEYS_READ_ONLY),
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
                            fit(&it.how.join(", "), rest)
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
        strings::CHECKLIST_KEYS
    } else {
        strings::CHECKLIST_KEYS_READ_ONLY
    };
    let done = if h.left == 0 && !h.items.is_empty() {
        Line::from(Span::styled(
            strings::ALL_VERIFIED,
            Style::default().fg(Color::Green),
        ))
    } else {
        Line::from("")
    };
    f.render_widget(Paragraph::new(vec![done, hint(keys)]), keys_area);
}

fn hint_owned(text: String) -> Line<'static> {
    Line::from(Span::styled(text, Style::default().fg(Color::DarkGray)))
}

/// The health view's parts inside its card: the summary, the rows, the
/// selected finding in full, the keys.
fn health_layout(inner: Rect) -> [Rect; 4] {
    Layout::vertical([
        Constraint::Length(2),
        Constraint::Fill(1),
        Constraint::Length(3),
        Constraint::Length(1),
    ])
    .areas(inner)
}

/// The card over the main view, leaving the status line and the footer.
fn health_card_area(area: Rect) -> Rect {
    Rect {
        height: area.height.saturating_sub(2),
        ..area
    }
}

/// Rows of the health view that fit a terminal of `size` (what Page Up
/// and Page Down move by, and how far it scrolls).
pub fn health_rows(size: (u16, u16)) -> usize {
    let card = health_card_area(Rect::new(0, 0, size.0, size.1));
    let inner = pane("", true).padding(Padding::horizontal(1)).inner(card);
    usize::from(health_layout(inner)[1].height).max(1)
}

fn kind_style(kind: Kind) -> Style {
    match kind {
        Kind::Weak | Kind::Reused | Kind::Expired => Style::default().fg(Color::Red).bold(),
        _ => Style::default().fg(Color::Yellow).bold(),
    }
}

/// What needs attention (`H`), by kind: a heading with its count, then a
/// row per finding (title, group, reason); the selected one in full
/// below. Only the rows on screen are built; no secret is read.
fn health(m: &MainScreen, h: &HealthView, f: &mut Frame, area: Rect) {
    let v = &m.session.vault;
    let area = health_card_area(area);
    let title = strings::health_title(h.findings.len());
    let inner = card(f, area, &title, area.width, area.height);
    let [top_area, list_area, detail_area, keys_area] = health_layout(inner);
    let width = usize::from(inner.width);

    let note = if !h.firm_domain && v.is_owner() {
        hint_owned(fit(strings::NO_FIRM_DOMAIN, width))
    } else {
        Line::from("")
    };
    let top = vec![
        Line::from(fit(
            &strings::health_summary(h.findings.len(), h.entries, h.checked),
            width,
        )),
        note,
    ];
    f.render_widget(Paragraph::new(top), top_area);

    let wide = width >= 100;
    let (title_w, group_w) = if wide { (28, 18) } else { (22, 14) };
    let reason_w = width.saturating_sub(2 + title_w + 1 + group_w + 1);
    let rows = usize::from(list_area.height);
    let lines: Vec<Line> = (h.top..h.rows())
        .take(rows)
        .filter_map(|row| h.at_row(row))
        .map(|row| match row {
            HealthRow::Heading(kind, n) => Line::from(Span::styled(
                fit(&format!("{} ({n})", kind.heading()), width),
                kind_style(kind),
            )),
            HealthRow::Finding(i) => {
                let x = &h.findings[i];
                let e = v.entry(x.entry);
                let selected = i == h.cursor;
                let style = if selected {
                    Style::default()
                        .fg(Color::Black)
                        .bg(ACCENT)
                        .add_modifier(Modifier::BOLD)
                } else {
                    Style::default()
                };
                // The marker shows the selection without colours too.
                let text = format!(
                    "{} {:<title_w$} {:<group_w$} {}",
                    if selected { "▸" } else { " " },
                    fit(&clean(&e.title), title_w),
                    fit(&clean(v.group_name(x.entry)), group_w),
                    fit(&clean(&x.reason), reason_w)
                );
                Line::from(Span::styled(fit(&text, width), style))
            }
        })
        .collect();
    f.render_widget(Paragraph::new(lines), list_area);

    if let Some(x) = h.selected() {
        let e = v.entry(x.entry);
        // Line by line (never wrapped): the reason in full when it fits.
        let lines = vec![
            Line::from(Span::styled(
                fit(
                    &format!(
                        "{} ({}) · {}",
                        clean(&e.title),
                        clean(v.group_name(x.entry)),
                        x.kind.heading()
                    ),
                    width,
                ),
                Style::default().bold(),
            )),
            Line::from(fit(&clean(&x.reason), width)),
            hint_owned(fit(strings::health_advice(x.kind), width)),
        ];
        f.render_widget(Paragraph::new(lines), detail_area);
    }
    f.render_widget(
        Paragraph::new(hint_owned(fit(strings::HEALTH_KEYS, width))),
        keys_area,
    );
}
