//! Key presses → actions, by screen and focus. What a key means is decided
//! here and nowhere else; [`super::strings::KEYS`] lists the same keys for
//! the footer and `?` help.
use super::action::{CopyWhat, Intent, MemberCmd};
use super::app::{App, Focus, MembersMode, Overlay, Screen};
use crate::tui::screen::main::{main_key, search_key};
use crate::tui::screen::unlock::unlock_key;
use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyEventKind, KeyModifiers};

/// The action `key` means on the current screen, if any. Only presses
/// count (not releases or repeats, where the terminal reports them).
pub fn map(app: &App, key: KeyEvent) -> Option<Intent> {
    if key.kind != KeyEventKind::Press {
        return None;
    }
    let ctrl = key.modifiers.contains(KeyModifiers::CONTROL);
    if ctrl {
        return match key.code {
            KeyCode::Char('l') => Some(Intent::Lock),
            KeyCode::Char('c') => Some(Intent::Quit),
            KeyCode::Char('u') => Some(Intent::ClearField),
            KeyCode::Char('s') => Some(Intent::Submit),
            KeyCode::Char('g') => Some(Intent::GenerateInto),
            _ => None,
        };
    }
    match &app.screen {
        Screen::Onboard(_) => match key.code {
            KeyCode::Enter => Some(Intent::Open),
            KeyCode::Esc => Some(Intent::Quit),
            KeyCode::Tab | KeyCode::Down => Some(Intent::NextPane),
            KeyCode::BackTab | KeyCode::Up => Some(Intent::PrevField),
            KeyCode::Backspace => Some(Intent::Backspace),
            KeyCode::Char(c) => Some(Intent::Char(c)),
            _ => None,
        },
        Screen::Recovery(_) => match key.code {
            KeyCode::Char('y') | KeyCode::Char('Y') => Some(Intent::Confirm(true)),
            _ => None,
        },
        Screen::Unlock(u) => unlock_key(u.focus, key.code),
        Screen::Summary(_) => match key.code {
            KeyCode::Char('q') => Some(Intent::Quit),
            KeyCode::Enter | KeyCode::Esc | KeyCode::Char(' ') => Some(Intent::Open),
            _ => None,
        },
        Screen::Main(m) => {
            if let Some(o) = &m.overlay {
                return overlay_key(o, key.code);
            }
            if m.focus == Focus::Search {
                return search_key(key.code);
            }
            main_key(key.code)
        }
    }
}

pub(crate) fn overlay_key(o: &Overlay, code: KeyCode) -> Option<Intent> {
    let moves = |code: KeyCode| match code {
        KeyCode::Up | KeyCode::Char('k') => Some(Intent::Up),
        KeyCode::Down | KeyCode::Char('j') => Some(Intent::Down),
        KeyCode::PageUp => Some(Intent::PageUp),
        KeyCode::PageDown => Some(Intent::PageDown),
        KeyCode::Home => Some(Intent::Home),
        KeyCode::End => Some(Intent::End),
        _ => None,
    };
    match o {
        Overlay::Help => match code {
            KeyCode::Char('q') => Some(Intent::Quit),
            KeyCode::Esc | KeyCode::Enter | KeyCode::Char('?') => Some(Intent::Back),
            _ => None,
        },
        Overlay::ConfirmDelete(_) => match code {
            KeyCode::Char('y') | KeyCode::Char('Y') => Some(Intent::Confirm(true)),
            KeyCode::Char('n') | KeyCode::Char('N') | KeyCode::Esc => Some(Intent::Confirm(false)),
            _ => None,
        },
        Overlay::Codes { .. } => match code {
            KeyCode::Char('x') => Some(Intent::MarkUsed),
            KeyCode::Esc | KeyCode::Char('b') => Some(Intent::Back),
            KeyCode::Char('q') => Some(Intent::Quit),
            c => moves(c),
        },
        Overlay::Log { .. } => match code {
            KeyCode::Esc | KeyCode::Char('A') => Some(Intent::Back),
            KeyCode::Char('q') => Some(Intent::Quit),
            c => moves(c),
        },
        Overlay::Generator(_) => match code {
            KeyCode::Char('g') | KeyCode::Char(' ') => Some(Intent::Generator),
            KeyCode::Char('w') => Some(Intent::ToggleWords),
            KeyCode::Char('+') | KeyCode::Right => Some(Intent::Longer),
            KeyCode::Char('-') | KeyCode::Left => Some(Intent::Shorter),
            KeyCode::Char('c') => Some(Intent::Copy(CopyWhat::Password)),
            KeyCode::Esc | KeyCode::Enter => Some(Intent::Back),
            _ => None,
        },
        Overlay::Members(mv) => match &mv.mode {
            MembersMode::List => match code {
                KeyCode::Char('a') => Some(Intent::Member(MemberCmd::Add)),
                KeyCode::Char('g') => Some(Intent::Member(MemberCmd::Grant)),
                KeyCode::Char('x') => Some(Intent::Member(MemberCmd::Revoke)),
                KeyCode::Char('s') => Some(Intent::Member(MemberCmd::Sweep)),
                KeyCode::Char('h') => Some(Intent::Member(MemberCmd::Handover)),
                KeyCode::Esc | KeyCode::Char('M') => Some(Intent::Back),
                KeyCode::Char('q') => Some(Intent::Quit),
                c => moves(c),
            },
            MembersMode::Add(_) => match code {
                KeyCode::Enter => Some(Intent::Submit),
                KeyCode::Esc => Some(Intent::Back),
                KeyCode::Tab | KeyCode::Down => Some(Intent::NextPane),
                KeyCode::BackTab | KeyCode::Up => Some(Intent::PrevField),
                KeyCode::Backspace => Some(Intent::Backspace),
                KeyCode::Char(c) => Some(Intent::Char(c)),
                _ => None,
            },
            MembersMode::Grant(_) => match code {
                KeyCode::Enter => Some(Intent::Submit),
                KeyCode::Esc => Some(Intent::Back),
                KeyCode::Backspace => Some(Intent::Backspace),
                KeyCode::Char(c) => Some(Intent::Char(c)),
                _ => None,
            },
            MembersMode::Confirm(_) => match code {
                KeyCode::Char('y') | KeyCode::Char('Y') => Some(Intent::Confirm(true)),
                KeyCode::Char('n') | KeyCode::Char('N') | KeyCode::Esc => {
                    Some(Intent::Confirm(false))
                }
                _ => None,
            },
            MembersMode::Checklist { .. } => match code {
                KeyCode::Char('v') => Some(Intent::VerifyItem),
                KeyCode::Enter | KeyCode::Char('e') => Some(Intent::Edit),
                KeyCode::Esc => Some(Intent::Back),
                KeyCode::Char('q') => Some(Intent::Quit),
                c => moves(c),
            },
        },
        Overlay::Health(_) => match code {
            KeyCode::Enter => Some(Intent::Open),
            KeyCode::Char('f') => Some(Intent::Fix),
            KeyCode::Char('e') => Some(Intent::Edit),
            KeyCode::Esc | KeyCode::Char('H') => Some(Intent::Back),
            KeyCode::Char('q') => Some(Intent::Quit),
            c => moves(c),
        },
        Overlay::Form(_) => match code {
            KeyCode::Enter => Some(Intent::Submit),
            KeyCode::Esc => Some(Intent::Back),
            KeyCode::Tab | KeyCode::Down => Some(Intent::NextPane),
            KeyCode::BackTab | KeyCode::Up => Some(Intent::PrevField),
            KeyCode::Backspace => Some(Intent::Backspace),
            KeyCode::Char(c) => Some(Intent::Char(c)),
            _ => None,
        },
    }
}
