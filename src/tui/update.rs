//! `update`: the state after a message, and the effects the runtime must
//! perform; it dispatches to the screen shown ([`super::screen`]). No IO
//! and no clock: the time comes in as [`Now`].
//!
//! A reveal or a copy never shows anything by itself: it asks the runtime
//! for [`Effect::Reveal`], and the value appears only when the runtime
//! reports [`Outcome::Revealed`], which it does only after the signed log
//! records are on disk (fail-closed, PRODUCT.md §2.3).

use super::action::{Effect, GenOptions, Msg, Outcome};
use super::app::{App, LockReason, Now, Overlay, Screen, Status, SummaryScreen};
use crate::tui::screen::main::{keep_visible, main_update};
use crate::tui::screen::onboard::onboard_update;
use crate::tui::screen::unlock::{placeholder, unlock_update, unlockable};

/// How long a status message stays.
pub(crate) const STATUS_MS: u64 = 6_000;

/// What Ctrl-G generates into a form's password field (and `f` in the
/// health view).
pub(crate) const FORM_GENERATE: GenOptions = GenOptions {
    words: false,
    length: 24,
};

pub fn update(app: &mut App, msg: impl Into<Msg>, now: Now) -> Vec<Effect> {
    let action = msg.into();
    app.clock = now;
    if is_input(&action) {
        app.last_input_ms = now.ms;
    }
    match action {
        Msg::Tick => return tick(app, now),
        Msg::Resize(w, h) => {
            app.size = (w, h);
            if let Screen::Main(m) = &mut app.screen {
                keep_visible(m, crate::tui::screen::main::list_rows(app.size));
                if let Some(Overlay::Health(h)) = &mut m.overlay {
                    h.keep_visible(crate::tui::screen::health::health_rows(app.size));
                }
            }
            return Vec::new();
        }
        _ => {}
    }
    match &mut app.screen {
        Screen::Onboard(_) => onboard_update(app, action, now),
        Screen::Recovery(_) => super::screen::onboard::recovery_update(app, action, now),
        Screen::Unlock(_) => unlock_update(app, action, now),
        Screen::Summary(_) => super::screen::unlock::summary_update(app, action),
        Screen::Main(_) => main_update(app, action, now),
    }
}

/// Key-driven actions count as activity; ticks and reports do not.
pub(crate) fn is_input(a: &Msg) -> bool {
    !matches!(
        a,
        Msg::Tick
            | Msg::Resize(..)
            | Msg::Outcome(Outcome::Unlocked(_))
            | Msg::Outcome(Outcome::UnlockFailed(_))
            | Msg::Outcome(Outcome::Revealed(_))
            | Msg::Outcome(Outcome::RevealFailed(_))
            | Msg::Outcome(Outcome::Saved { .. })
            | Msg::Outcome(Outcome::SaveFailed(_))
            | Msg::Outcome(Outcome::Generated(_))
            | Msg::Outcome(Outcome::Created(_))
            | Msg::Outcome(Outcome::MemberDone(_))
    )
}

pub(crate) fn status(app: &mut App, text: impl Into<String>, error: bool, now: Now) {
    app.status = Some(Status {
        text: text.into(),
        error,
        until_ms: now.ms + STATUS_MS,
    });
}

pub(crate) fn tick(app: &mut App, now: Now) -> Vec<Effect> {
    if app.status.as_ref().is_some_and(|s| now.ms >= s.until_ms) {
        app.status = None;
    }
    if app.clipboard_until.is_some_and(|t| now.ms >= t) {
        app.clipboard_until = None;
    }
    if let Screen::Main(m) = &mut app.screen {
        if m.revealed.is_some_and(|(_, until)| now.ms >= until) {
            m.revealed = None;
        }
        if let Some(Overlay::Codes { until_ms, .. }) = &m.overlay
            && now.ms >= *until_ms
        {
            m.overlay = None;
        }
        if now.ms.saturating_sub(app.last_input_ms) >= app.settings.idle_lock_ms {
            return lock(app, LockReason::Idle);
        }
    }
    Vec::new()
}

/// Ends the session: the clipboard is cleared if it holds our value, the
/// session (keys, entries, the vault's lock) goes to the runtime to be
/// recorded and dropped, and the shift summary is shown.
pub(crate) fn lock(app: &mut App, reason: LockReason) -> Vec<Effect> {
    let m = match std::mem::replace(&mut app.screen, Screen::Summary(placeholder())) {
        Screen::Main(m) => *m,
        other => {
            app.screen = other;
            return Vec::new();
        }
    };
    let member = m.session.vault.me().name.clone();
    let members = unlockable(&m);
    app.screen = Screen::Summary(SummaryScreen {
        member,
        members,
        items: m.shift,
        reason,
    });
    app.status = None;
    let mut effects = Vec::new();
    if app.clipboard_until.take().is_some() {
        effects.push(Effect::ClearClipboard);
    }
    effects.push(Effect::EndSession(Box::new(m.session)));
    effects
}

pub(crate) fn quit(app: &mut App) -> Vec<Effect> {
    let mut effects = Vec::new();
    if let Screen::Main(_) = app.screen {
        effects = lock(app, LockReason::Asked);
    }
    if app.clipboard_until.take().is_some() {
        effects.push(Effect::ClearClipboard);
    }
    app.quit = true;
    effects.push(Effect::Quit);
    effects
}
