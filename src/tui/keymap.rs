//! Key presses → actions, by screen and focus. What a key means is decided
//! here and nowhere else; [`super::strings::KEYS`] lists the same keys for
//! the footer and `?` help.

use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyEventKind, KeyModifiers};

use super::action::{Action, CopyWhat, MemberCmd};
use super::app::{App, Focus, MembersMode, Overlay, Screen, UnlockFocus};

/// The action `key` means on the current screen, if any. Only presses
/// count (not releases or repeats, where the terminal reports them).
pub fn map(app: &App, key: KeyEvent) -> Option<Action> {
    if key.kind != KeyEventKind::Press {
        return None;
    }
    let ctrl = key.modifiers.contains(KeyModifiers::CONTROL);
    if ctrl {
        return match key.code {
            KeyCode::Char('l') => Some(Action::Lock),
            KeyCode::Char('c') => Some(Action::Quit),
            KeyCode::Char('u') => Some(Action::ClearField),
            KeyCode::Char('s') => Some(Action::Submit),
            KeyCode::Char('g') => Some(Action::GenerateInto),
            _ => None,
        };
    }
    match &app.screen {
        Screen::Onboard(_) => match key.code {
            KeyCode::Enter => Some(Action::Open),
            KeyCode::Esc => Some(Action::Quit),
            KeyCode::Tab | KeyCode::Down => Some(Action::NextPane),
            KeyCode::BackTab | KeyCode::Up => Some(Action::PrevField),
            KeyCode::Backspace => Some(Action::Backspace),
            KeyCode::Char(c) => Some(Action::Char(c)),
            _ => None,
        },
        Screen::Recovery(_) => match key.code {
            KeyCode::Char('y') | KeyCode::Char('Y') => Some(Action::Confirm(true)),
            _ => None,
        },
        Screen::Unlock(u) => unlock_key(u.focus, key.code),
        Screen::Summary(_) => match key.code {
            KeyCode::Char('q') => Some(Action::Quit),
            KeyCode::Enter | KeyCode::Esc | KeyCode::Char(' ') => Some(Action::Open),
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

fn unlock_key(focus: UnlockFocus, code: KeyCode) -> Option<Action> {
    match (focus, code) {
        (_, KeyCode::Enter) => Some(Action::Open),
        (_, KeyCode::Tab) | (_, KeyCode::BackTab) => Some(Action::NextPane),
        (_, KeyCode::Esc) => Some(Action::Quit),
        (UnlockFocus::Member, KeyCode::Up | KeyCode::Char('k')) => Some(Action::Up),
        (UnlockFocus::Member, KeyCode::Down | KeyCode::Char('j')) => Some(Action::Down),
        (UnlockFocus::Member, KeyCode::Char('q')) => Some(Action::Quit),
        (UnlockFocus::Passphrase, KeyCode::Up) => Some(Action::Up),
        (UnlockFocus::Passphrase, KeyCode::Down) => Some(Action::Down),
        (UnlockFocus::Passphrase, KeyCode::Char(c)) => Some(Action::Char(c)),
        (UnlockFocus::Passphrase, KeyCode::Backspace) => Some(Action::Backspace),
        _ => None,
    }
}

fn search_key(code: KeyCode) -> Option<Action> {
    match code {
        KeyCode::Enter => Some(Action::Open),
        KeyCode::Esc => Some(Action::Back),
        KeyCode::Up => Some(Action::Up),
        KeyCode::Down => Some(Action::Down),
        KeyCode::PageUp => Some(Action::PageUp),
        KeyCode::PageDown => Some(Action::PageDown),
        KeyCode::Tab => Some(Action::NextPane),
        KeyCode::Backspace => Some(Action::Backspace),
        KeyCode::Char(c) => Some(Action::Char(c)),
        _ => None,
    }
}

fn main_key(code: KeyCode) -> Option<Action> {
    Some(match code {
        KeyCode::Up | KeyCode::Char('k') => Action::Up,
        KeyCode::Down | KeyCode::Char('j') => Action::Down,
        KeyCode::PageUp => Action::PageUp,
        KeyCode::PageDown => Action::PageDown,
        KeyCode::Home => Action::Home,
        KeyCode::End => Action::End,
        KeyCode::Enter => Action::Open,
        KeyCode::Esc => Action::Back,
        KeyCode::Tab | KeyCode::BackTab => Action::NextPane,
        KeyCode::Char('/') => Action::Search,
        KeyCode::Char('r') => Action::Reveal,
        KeyCode::Char('c') => Action::Copy(CopyWhat::Password),
        KeyCode::Char('u') => Action::Copy(CopyWhat::Username),
        KeyCode::Char('t') => Action::Copy(CopyWhat::TotpCode),
        KeyCode::Char('n') => Action::New,
        KeyCode::Char('e') => Action::Edit,
        KeyCode::Char('d') => Action::Delete,
        KeyCode::Char('g') => Action::Generator,
        KeyCode::Char('b') => Action::BackupCodes,
        KeyCode::Char('A') => Action::AccessLog,
        KeyCode::Char('M') => Action::Members,
        KeyCode::Char('H') => Action::Health,
        KeyCode::Char('?') => Action::Help,
        KeyCode::Char('q') => Action::Quit,
        _ => return None,
    })
}

fn overlay_key(o: &Overlay, code: KeyCode) -> Option<Action> {
    let moves = |code: KeyCode| match code {
        KeyCode::Up | KeyCode::Char('k') => Some(Action::Up),
        KeyCode::Down | KeyCode::Char('j') => Some(Action::Down),
        KeyCode::PageUp => Some(Action::PageUp),
        KeyCode::PageDown => Some(Action::PageDown),
        KeyCode::Home => Some(Action::Home),
        KeyCode::End => Some(Action::End),
        _ => None,
    };
    match o {
        Overlay::Help => match code {
            KeyCode::Char('q') => Some(Action::Quit),
            KeyCode::Esc | KeyCode::Enter | KeyCode::Char('?') => Some(Action::Back),
            _ => None,
        },
        Overlay::ConfirmDelete(_) => match code {
            KeyCode::Char('y') | KeyCode::Char('Y') => Some(Action::Confirm(true)),
            KeyCode::Char('n') | KeyCode::Char('N') | KeyCode::Esc => Some(Action::Confirm(false)),
            _ => None,
        },
        Overlay::Codes { .. } => match code {
            KeyCode::Char('x') => Some(Action::MarkUsed),
            KeyCode::Esc | KeyCode::Char('b') => Some(Action::Back),
            KeyCode::Char('q') => Some(Action::Quit),
            c => moves(c),
        },
        Overlay::Log { .. } => match code {
            KeyCode::Esc | KeyCode::Char('A') => Some(Action::Back),
            KeyCode::Char('q') => Some(Action::Quit),
            c => moves(c),
        },
        Overlay::Generator(_) => match code {
            KeyCode::Char('g') | KeyCode::Char(' ') => Some(Action::Generator),
            KeyCode::Char('w') => Some(Action::ToggleWords),
            KeyCode::Char('+') | KeyCode::Right => Some(Action::Longer),
            KeyCode::Char('-') | KeyCode::Left => Some(Action::Shorter),
            KeyCode::Char('c') => Some(Action::Copy(CopyWhat::Password)),
            KeyCode::Esc | KeyCode::Enter => Some(Action::Back),
            _ => None,
        },
        Overlay::Members(mv) => match &mv.mode {
            MembersMode::List => match code {
                KeyCode::Char('a') => Some(Action::Member(MemberCmd::Add)),
                KeyCode::Char('g') => Some(Action::Member(MemberCmd::Grant)),
                KeyCode::Char('x') => Some(Action::Member(MemberCmd::Revoke)),
                KeyCode::Char('s') => Some(Action::Member(MemberCmd::Sweep)),
                KeyCode::Char('h') => Some(Action::Member(MemberCmd::Handover)),
                KeyCode::Esc | KeyCode::Char('M') => Some(Action::Back),
                KeyCode::Char('q') => Some(Action::Quit),
                c => moves(c),
            },
            MembersMode::Add(_) => match code {
                KeyCode::Enter => Some(Action::Submit),
                KeyCode::Esc => Some(Action::Back),
                KeyCode::Tab | KeyCode::Down => Some(Action::NextPane),
                KeyCode::BackTab | KeyCode::Up => Some(Action::PrevField),
                KeyCode::Backspace => Some(Action::Backspace),
                KeyCode::Char(c) => Some(Action::Char(c)),
                _ => None,
            },
            MembersMode::Grant(_) => match code {
                KeyCode::Enter => Some(Action::Submit),
                KeyCode::Esc => Some(Action::Back),
                KeyCode::Backspace => Some(Action::Backspace),
                KeyCode::Char(c) => Some(Action::Char(c)),
                _ => None,
            },
            MembersMode::Confirm(_) => match code {
                KeyCode::Char('y') | KeyCode::Char('Y') => Some(Action::Confirm(true)),
                KeyCode::Char('n') | KeyCode::Char('N') | KeyCode::Esc => {
                    Some(Action::Confirm(false))
                }
                _ => None,
            },
            MembersMode::Checklist { .. } => match code {
                KeyCode::Char('v') => Some(Action::VerifyItem),
                KeyCode::Enter | KeyCode::Char('e') => Some(Action::Edit),
                KeyCode::Esc => Some(Action::Back),
                KeyCode::Char('q') => Some(Action::Quit),
                c => moves(c),
            },
        },
        Overlay::Health(_) => match code {
            KeyCode::Enter => Some(Action::Open),
            KeyCode::Char('f') => Some(Action::Fix),
            KeyCode::Char('e') => Some(Action::Edit),
            KeyCode::Esc | KeyCode::Char('H') => Some(Action::Back),
            KeyCode::Char('q') => Some(Action::Quit),
            c => moves(c),
        },
        Overlay::Form(_) => match code {
            KeyCode::Enter => Some(Action::Submit),
            KeyCode::Esc => Some(Action::Back),
            KeyCode::Tab | KeyCode::Down => Some(Action::NextPane),
            KeyCode::BackTab | KeyCode::Up => Some(Action::PrevField),
            KeyCode::Backspace => Some(Action::Backspace),
            KeyCode::Char(c) => Some(Action::Char(c)),
            _ => None,
        },
    }
}
