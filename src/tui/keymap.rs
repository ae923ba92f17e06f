//! Key presses → actions, by screen and focus. What a key means is decided
//! here and nowhere else; [`super::strings::KEYS`] lists the same keys for
//! the footer and `?` help.

use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyEventKind, KeyModifiers};

use super::action::{Action, CopyWhat};
use super::app::{App, Focus, Screen, UnlockFocus};

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
            _ => None,
        };
    }
    match &app.screen {
        Screen::Unlock(u) => unlock_key(u.focus, key.code),
        Screen::Summary(_) => match key.code {
            KeyCode::Char('q') => Some(Action::Quit),
            KeyCode::Enter | KeyCode::Esc | KeyCode::Char(' ') => Some(Action::Open),
            _ => None,
        },
        Screen::Main(m) => {
            if m.overlay.is_some() {
                return match key.code {
                    KeyCode::Char('q') => Some(Action::Quit),
                    KeyCode::Esc | KeyCode::Enter | KeyCode::Char('?') => Some(Action::Back),
                    _ => None,
                };
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
        KeyCode::Char('?') => Action::Help,
        KeyCode::Char('q') => Action::Quit,
        _ => return None,
    })
}
