//! The selected entry's details on the main screen: its fields, with
//! concealed values masked until their reveal is logged, the live TOTP
//! code and its countdown, backup codes left, history and notes. View.
use crate::dates;
use crate::text::clean;
use crate::tui::screen::main::{Focus, MainScreen};
use crate::tui::view::pane;
use crate::tui::{App, strings};
use crate::vault::{Entry, EntryRef};
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::{Color, Modifier, Style, Stylize};
use ratatui::text::{Line, Span, Text};
use ratatui::widgets::{Paragraph, Wrap};

/// An auditor's right pane: what the access log holds and what to do
/// with it. No entry: an auditor holds no group's key.
fn audit_summary(m: &MainScreen, f: &mut Frame, area: Rect) {
    let block = pane(strings::AUDIT_TITLE, false);
    let inner = block.inner(area);
    f.render_widget(block, area);
    let v = &m.session.vault;
    let last = v.log().last().map(|r| {
        // As the access log view writes times.
        let t = dates::format_rfc3339(r.record.time).replace('T', " ");
        (
            format!("{} UTC", t.get(..16).unwrap_or(&t)),
            clean(v.member_name(r.record.member)).into_owned(),
        )
    });
    let lines = vec![
        Line::from(strings::audit_records(v.log().len(), last)),
        Line::from(""),
        Line::from(strings::AUDIT_HOW.dark_gray()),
    ];
    f.render_widget(Paragraph::new(lines).wrap(Wrap { trim: false }), inner);
}

pub(crate) fn detail(app: &App, m: &MainScreen, f: &mut Frame, area: Rect) {
    if m.auditor() {
        audit_summary(m, f, area);
        return;
    }
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

pub(crate) fn detail_lines<'a>(
    app: &App,
    m: &'a MainScreen,
    r: EntryRef,
    e: &'a Entry,
) -> Vec<Line<'a>> {
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
