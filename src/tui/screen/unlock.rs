//! The unlock screen (member, passphrase, progress while the key is
//! derived, why an unlock failed) and the shift summary shown on lock.
//! State, update, view and keys.
use crate::dates;
use crate::session::ErrorKind;
use crate::text::clean;
use crate::tui::action::CopyWhat;
use crate::tui::app::{Screen, SecretInput};
use crate::tui::keys::{Binding, Keys, ch, code};
use crate::tui::screen::main::{MainScreen, keep_visible};
use crate::tui::update::{quit, status};
use crate::tui::view::{ACCENT, SPINNER, centered, frame_parts, pane};
use crate::tui::{App, Effect, Intent, Msg, Now, Outcome, keys, strings};
use crate::vault::Vault;
use ratatui::Frame;
use ratatui::crossterm::event::KeyCode;
use ratatui::layout::Rect;
use ratatui::style::{Color, Modifier, Style, Stylize};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Clear, Padding, Paragraph, Wrap};
use std::borrow::Cow;

pub struct UnlockScreen {
    /// Members who may unlock, as the file lists them (empty when the file
    /// could not be read; the runtime's error then says why).
    pub members: Vec<String>,
    pub member: usize,
    pub passphrase: SecretInput,
    pub focus: UnlockFocus,
    /// Deriving the key since this instant (the spinner runs).
    pub busy_since: Option<u64>,
    /// Characters typed before Enter, for the mask while the key is derived.
    pub submitted_chars: usize,
    pub error: Option<UnlockError>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum UnlockFocus {
    Member,
    Passphrase,
}

/// Why the last unlock failed: a heading by kind and the detail.
pub struct UnlockError {
    pub heading: &'static str,
    pub detail: String,
}

impl UnlockScreen {
    pub fn new(members: Vec<String>, preferred: Option<&str>) -> Self {
        let member = preferred
            .and_then(|p| members.iter().position(|m| m == p))
            .unwrap_or(0);
        UnlockScreen {
            members,
            member,
            passphrase: SecretInput::new(),
            focus: UnlockFocus::Passphrase,
            busy_since: None,
            submitted_chars: 0,
            error: None,
        }
    }
}

/// One line of the shift summary.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ShiftItem {
    pub unix: i64,
    pub title: String,
    pub group: String,
    pub what: ShiftWhat,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ShiftWhat {
    Revealed,
    Copied(CopyWhat),
    /// The backup codes were shown.
    Codes,
}

pub struct SummaryScreen {
    pub member: String,
    /// Who may unlock next (for the unlock screen's picker).
    pub members: Vec<String>,
    pub items: Vec<ShiftItem>,
    /// Why the session ended.
    pub reason: LockReason,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LockReason {
    Asked,
    Idle,
}

pub(crate) fn unlock_update(app: &mut App, action: Msg, now: Now) -> Vec<Effect> {
    let Screen::Unlock(u) = &mut app.screen else {
        return Vec::new();
    };
    match action {
        Msg::Intent(Intent::Quit) => return quit(app),
        Msg::Outcome(Outcome::Unlocked(opened)) => {
            let v = &opened.session.vault;
            // One line: the owner's summary, else the weak KDF, else the
            // session's first warning.
            let text = unlock_summary(v, now.unix).or_else(|| {
                if v.weak_kdf() {
                    Some(strings::WEAK_KDF.to_owned())
                } else {
                    opened.session.warnings().into_iter().next()
                }
            });
            app.screen = Screen::Main(Box::new(MainScreen::new(opened.session, opened.index)));
            if let Screen::Main(m) = &mut app.screen {
                keep_visible(m, crate::tui::screen::main::list_rows(app.size));
            }
            if let Some(t) = text {
                status(app, t, true, now);
            }
            return Vec::new();
        }
        Msg::Outcome(Outcome::UnlockFailed(e)) => {
            u.busy_since = None;
            u.submitted_chars = 0;
            let kind = e.kind();
            let detail = if kind == ErrorKind::Unlock {
                String::new()
            } else {
                e.to_string()
            };
            u.error = Some(UnlockError {
                heading: match kind {
                    ErrorKind::Unlock => strings::WRONG_PASSPHRASE,
                    ErrorKind::Denied => strings::ACCESS_DENIED,
                    ErrorKind::Locked => strings::LOCKED_ELSEWHERE,
                    ErrorKind::Integrity => strings::DAMAGED,
                    ErrorKind::Invalid | ErrorKind::Other => strings::CANNOT_OPEN,
                },
                detail,
            });
            return Vec::new();
        }
        _ => {}
    }
    if u.busy_since.is_some() {
        return Vec::new();
    }
    match action {
        Msg::Intent(Intent::Char(c)) => {
            u.error = None;
            u.focus = UnlockFocus::Passphrase;
            if !u.passphrase.push(c) {
                u.error = Some(UnlockError {
                    heading: strings::PASSPHRASE_TOO_LONG,
                    detail: String::new(),
                });
            }
        }
        Msg::Intent(Intent::Backspace) => u.passphrase.pop(),
        Msg::Intent(Intent::ClearField) => u.passphrase.clear(),
        Msg::Intent(Intent::Up) | Msg::Intent(Intent::Down) if !u.members.is_empty() => {
            let n = u.members.len();
            u.member = if matches!(action, Msg::Intent(Intent::Up)) {
                (u.member + n - 1) % n
            } else {
                (u.member + 1) % n
            };
        }
        Msg::Intent(Intent::NextPane) if u.members.len() > 1 => {
            u.focus = match u.focus {
                UnlockFocus::Member => UnlockFocus::Passphrase,
                UnlockFocus::Passphrase => UnlockFocus::Member,
            };
        }
        Msg::Intent(Intent::Open) => {
            if u.focus == UnlockFocus::Member {
                u.focus = UnlockFocus::Passphrase;
            } else if u.passphrase.is_empty() {
                u.error = Some(UnlockError {
                    heading: strings::TYPE_PASSPHRASE,
                    detail: String::new(),
                });
            } else {
                u.error = None;
                u.busy_since = Some(now.ms);
                u.submitted_chars = u.passphrase.chars();
                return vec![Effect::Unlock {
                    member: u.members.get(u.member).cloned(),
                    passphrase: u.passphrase.take(),
                }];
            }
        }
        _ => {}
    }
    Vec::new()
}

/// The owner's line at unlock: findings, handover items not verified,
/// memberships expired or expiring within 14 days (see
/// [`strings::unlock_summary`]). Contractors and auditors get none.
pub(crate) fn unlock_summary(v: &Vault, now: i64) -> Option<String> {
    if !v.is_owner() {
        return None;
    }
    let findings = crate::health::findings(v, &crate::health::Policy::of(v), now).len();
    let left: usize = crate::session::handover::views(v)
        .iter()
        .map(|h| h.left)
        .sum();
    let soon = now + crate::health::EXPIRING_DAYS * 86_400;
    let mut expired = 0;
    let mut expiring = 0;
    for m in v
        .manifest()
        .members
        .iter()
        .filter(|m| m.revoked_at.is_none())
    {
        match m.expires_at {
            Some(t) if t <= now => expired += 1,
            Some(t) if t <= soon => expiring += 1,
            _ => {}
        }
    }
    strings::unlock_summary(findings, left, expired, expiring)
}

pub(crate) fn placeholder() -> SummaryScreen {
    SummaryScreen {
        member: String::new(),
        members: Vec::new(),
        items: Vec::new(),
        reason: LockReason::Asked,
    }
}

pub(crate) fn unlockable(m: &MainScreen) -> Vec<String> {
    m.session
        .vault
        .manifest()
        .members
        .iter()
        .filter(|x| x.revoked_at.is_none())
        .map(|x| x.name.clone())
        .collect()
}

pub(crate) fn unlock(app: &App, u: &UnlockScreen, f: &mut Frame, area: Rect) {
    let body = frame_parts(app, &KEYS_PASSPHRASE.hint(), f, area);
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

pub(crate) fn summary(app: &App, s: &SummaryScreen, f: &mut Frame, area: Rect) {
    let body = frame_parts(app, &SUMMARY_KEYS.hint(), f, area);
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

const UNLOCK: Binding = Binding::new("Enter", "unlock", &[(code(KeyCode::Enter), Intent::Open)]);
const MEMBER: Binding = Binding::new(
    "Tab",
    "member",
    &[
        (code(KeyCode::Tab), Intent::NextPane),
        (code(KeyCode::BackTab), Intent::NextPane),
    ],
);
const QUIT_ESC: Binding = Binding::new("Esc", "quit", &[(code(KeyCode::Esc), Intent::Quit)]);
/// Choosing a member: arrows, j/k, and q to quit.
const PICK: Binding = Binding::hidden(&[
    (code(KeyCode::Up), Intent::Up),
    (ch('k'), Intent::Up),
    (code(KeyCode::Down), Intent::Down),
    (ch('j'), Intent::Down),
    (ch('q'), Intent::Quit),
]);
/// In the passphrase field the arrows still choose the member.
const PICK_ARROWS: Binding = Binding::hidden(&[
    (code(KeyCode::Up), Intent::Up),
    (code(KeyCode::Down), Intent::Down),
]);

/// The unlock screen's keys with the member list focused.
pub const KEYS_MEMBER: Keys = Keys {
    bindings: &[&UNLOCK, &MEMBER, &QUIT_ESC, &PICK],
    typing: false,
    then: None,
};

/// The unlock screen's keys with the passphrase focused.
pub const KEYS_PASSPHRASE: Keys = Keys {
    bindings: &[&UNLOCK, &MEMBER, &QUIT_ESC, &PICK_ARROWS],
    typing: true,
    then: None,
};

/// The unlock screen's keys where the focus is.
pub fn keys(focus: UnlockFocus) -> &'static Keys {
    match focus {
        UnlockFocus::Member => &KEYS_MEMBER,
        UnlockFocus::Passphrase => &KEYS_PASSPHRASE,
    }
}

const AGAIN: Binding = Binding::new(
    "Enter",
    "unlock again",
    &[
        (code(KeyCode::Enter), Intent::Open),
        (code(KeyCode::Esc), Intent::Open),
        (ch(' '), Intent::Open),
    ],
);

/// The shift summary's keys.
pub const SUMMARY_KEYS: Keys = Keys {
    bindings: &[&AGAIN, &keys::QUIT],
    typing: false,
    then: None,
};

/// From the shift summary: unlock again, or quit.
pub(crate) fn summary_update(app: &mut App, action: Msg) -> Vec<Effect> {
    match action {
        Msg::Intent(Intent::Quit) => quit(app),
        Msg::Intent(Intent::Open) | Msg::Intent(Intent::Back) => {
            if let Screen::Summary(s) = &app.screen {
                let members = s.members.clone();
                app.screen = Screen::Unlock(UnlockScreen::new(members, Some(&s.member)));
            }
            Vec::new()
        }
        _ => Vec::new(),
    }
}
