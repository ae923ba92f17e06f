//! Key presses → intents. What a key means on each screen is decided by
//! that screen's key table ([`super::keys`]); this module only picks the
//! table for the current screen and focus, after the Ctrl keys that mean
//! the same everywhere. Footers, hints and `?` help are drawn from the
//! same tables.

use ratatui::crossterm::event::{KeyEvent, KeyEventKind};

use super::action::Intent;
use super::app::{App, Screen};
use super::keys::{self, Keys};
use super::screen::{main, onboard, unlock};

/// The intent `key` means on the current screen, if any. Only presses
/// count (not releases or repeats, where the terminal reports them).
pub fn map(app: &App, key: KeyEvent) -> Option<Intent> {
    if key.kind != KeyEventKind::Press {
        return None;
    }
    let key = keys::key_of(key);
    if key.ctrl {
        return keys::GLOBAL.intent(key);
    }
    table(app).intent(key)
}

/// The key table of the current screen, focus and open view.
pub fn table(app: &App) -> &'static Keys {
    match &app.screen {
        Screen::Onboard(_) => &onboard::KEYS,
        Screen::Recovery(_) => &onboard::RECOVERY_KEYS,
        Screen::Unlock(u) => unlock::keys(u.focus),
        Screen::Summary(_) => &unlock::SUMMARY_KEYS,
        Screen::Main(m) => main::keys(m),
    }
}
