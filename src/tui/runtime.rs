//! The loop: draw, wait for a key or a tick, map the key, update, perform
//! the effects, and feed their results back as actions. Generic over the
//! ratatui backend and the event source, so tests can drive it.
//!
//! Effects are the TUI's only IO: unlocking (on a worker thread, since the
//! KDF takes about a second), the reveal path shared with the command line
//! ([`crate::cli::session::reveal`]: role check, then the signed record
//! appended and synced, and only then the value shown or copied), the
//! clipboard, and ending a session.

use std::collections::VecDeque;
use std::io;
use std::sync::mpsc::{self, Receiver};
use std::time::{Duration, Instant};

use ratatui::Terminal;
use ratatui::backend::Backend;
use ratatui::crossterm::event::{self, Event};

use super::action::{Action, CopyWhat, Effect, Opened, Reveal, RevealHow};
use super::app::{App, MainScreen, Now, Screen};
use super::{keymap, update, view};
use crate::audit::{Action as LogAction, Draft};
use crate::cli::session::{self, Context, Revealed};
use crate::cli::{CliError, Exit};
use crate::os::clipboard::{self, Holder};
use crate::search::Index;

/// Where key presses and resizes come from.
pub trait Events {
    /// The next event, or `None` after `timeout` without one.
    fn next(&mut self, timeout: Duration) -> io::Result<Option<Event>>;
}

/// The real terminal's events.
pub struct TerminalEvents;

impl Events for TerminalEvents {
    fn next(&mut self, timeout: Duration) -> io::Result<Option<Event>> {
        if event::poll(timeout)? {
            Ok(Some(event::read()?))
        } else {
            Ok(None)
        }
    }
}

/// What the runtime holds besides the state: the command-line context,
/// the clipboard holders it started, the unlock worker, and the clock.
pub struct Env {
    pub ctx: Context,
    holders: Vec<Holder>,
    worker: Option<Receiver<Action>>,
    start: Instant,
}

impl Env {
    pub fn new(ctx: Context) -> Self {
        Env {
            ctx,
            holders: Vec::new(),
            worker: None,
            start: Instant::now(),
        }
    }

    fn now(&self) -> Now {
        Now {
            ms: u64::try_from(self.start.elapsed().as_millis()).unwrap_or(u64::MAX),
            unix: crate::os::now(),
        }
    }
}

/// Runs until the user quits.
pub fn run<B: Backend>(
    terminal: &mut Terminal<B>,
    app: &mut App,
    env: &mut Env,
    events: &mut impl Events,
) -> io::Result<()> {
    let size = terminal.size().map_err(backend_error)?;
    dispatch(app, env, Action::Resize(size.width, size.height));
    loop {
        if let Some(rx) = &env.worker
            && let Ok(a) = rx.try_recv()
        {
            env.worker = None;
            dispatch(app, env, a);
        }
        if app.quit {
            return Ok(());
        }
        terminal
            .draw(|f| view::render(app, f))
            .map_err(backend_error)?;
        let timeout = if env.worker.is_some() {
            Duration::from_millis(80)
        } else {
            Duration::from_millis(250)
        };
        match events.next(timeout)? {
            Some(Event::Key(k)) => {
                if let Some(a) = keymap::map(app, k) {
                    dispatch(app, env, a);
                }
            }
            Some(Event::Resize(w, h)) => dispatch(app, env, Action::Resize(w, h)),
            _ => {}
        }
        dispatch(app, env, Action::Tick);
    }
}

fn backend_error(e: impl std::fmt::Display) -> io::Error {
    io::Error::other(e.to_string())
}

/// Updates with `action`, performs the effects, and updates with what
/// they report, until nothing is left.
pub fn dispatch(app: &mut App, env: &mut Env, action: Action) {
    let mut queue = VecDeque::from([action]);
    while let Some(a) = queue.pop_front() {
        let now = env.now();
        for effect in update::update(app, a, now) {
            if let Some(next) = perform(app, env, effect) {
                queue.push_back(next);
            }
        }
    }
}

fn perform(app: &mut App, env: &mut Env, effect: Effect) -> Option<Action> {
    match effect {
        Effect::Unlock { member, passphrase } => {
            let ctx = env.ctx.clone();
            let (tx, rx) = mpsc::channel();
            std::thread::spawn(move || {
                let result = open(&ctx, member.as_deref(), &passphrase);
                drop(passphrase);
                let _ = tx.send(match result {
                    Ok(o) => Action::Unlocked(Box::new(o)),
                    Err(e) => Action::UnlockFailed(e),
                });
            });
            env.worker = Some(rx);
            None
        }
        Effect::Reveal(rv) => {
            let clipboard_ms = app.settings.clipboard_ms;
            let Screen::Main(m) = &mut app.screen else {
                return None;
            };
            Some(match reveal(env, m, rv, clipboard_ms) {
                Ok(()) => Action::Revealed(rv),
                Err(e) => Action::RevealFailed(e.message),
            })
        }
        Effect::ClearClipboard => {
            clear_clipboard(env);
            None
        }
        Effect::EndSession(s) => {
            let mut s = *s;
            // Best effort: a session that cannot record its end still ends.
            let _ = s.record(
                &env.ctx,
                Draft::new(crate::os::now(), LogAction::SessionEnd),
            );
            drop(s);
            None
        }
        Effect::Quit => None,
    }
}

/// Clears every clipboard value we copied that is still held.
pub fn clear_clipboard(env: &mut Env) {
    for mut h in env.holders.drain(..) {
        if h.running() {
            h.clear_now();
        }
    }
}

/// Lock, read, unlock and index, as the worker does.
pub fn open(
    ctx: &Context,
    member: Option<&str>,
    passphrase: &crate::secret::Passphrase,
) -> Result<Opened, CliError> {
    let loaded = session::load(ctx, true, "tui")?;
    let mut s = session::unlock_loaded(ctx, loaded, member, passphrase, false)?;
    s.try_record_unlock(ctx)?;
    let index = Index::build(&s.vault);
    Ok(Opened { session: s, index })
}

/// The members a vault file lists, for the unlock screen's picker; empty
/// when the file cannot be read (the unlock then says why).
pub fn members(ctx: &Context) -> Vec<String> {
    let Ok(bytes) = crate::store::read(&ctx.vault) else {
        return Vec::new();
    };
    crate::format::read::parse(&bytes)
        .map(|f| {
            f.manifest
                .members
                .iter()
                .filter(|m| m.revoked_at.is_none())
                .map(|m| m.name.clone())
                .collect()
        })
        .unwrap_or_default()
}

fn reveal(
    env: &mut Env,
    m: &mut MainScreen,
    rv: Reveal,
    clipboard_ms: u64,
) -> Result<(), CliError> {
    let ctx = &env.ctx;
    let s = &mut m.session;
    let r = rv.entry;
    match rv.how {
        RevealHow::Show => {
            let e = s.vault.entry(r);
            let mut names: Vec<String> = Vec::new();
            if !e.password.is_empty() {
                names.push("password".into());
            }
            if !e.notes.is_empty() {
                names.push("notes".into());
            }
            names.extend(
                e.fields
                    .iter()
                    .filter(|f| f.concealed && !f.value.is_empty())
                    .map(|f| f.name.clone()),
            );
            let totp = e.totp.is_some();
            for n in &names {
                session::reveal(s, ctx, r, Revealed::Field(n), false, |_| Ok(()))?;
            }
            if totp {
                session::reveal(s, ctx, r, Revealed::TotpCode, false, |_| Ok(()))?;
            }
            if names.is_empty() && !totp && s.vault.me().role == crate::format::Role::Auditor {
                return Err(CliError::new(
                    Exit::Denied,
                    "auditors read the access log but see no secret",
                ));
            }
            Ok(())
        }
        RevealHow::Copy(what) => {
            let kind = match what {
                CopyWhat::Password => Revealed::Field("password"),
                CopyWhat::Username => Revealed::Field("username"),
                CopyWhat::TotpCode => Revealed::TotpCode,
            };
            let clear_after = Duration::from_millis(clipboard_ms);
            let holder = session::reveal(s, ctx, r, kind, true, |e| {
                let value = match what {
                    CopyWhat::Password => zeroize::Zeroizing::new(e.password.expose().to_owned()),
                    CopyWhat::Username => zeroize::Zeroizing::new(e.username.clone()),
                    CopyWhat::TotpCode => match &e.totp {
                        Some(t) => t.code_at(crate::os::now()).0,
                        None => return Err(CliError::other("this entry has no TOTP")),
                    },
                };
                clipboard::copy(&value, clear_after).map_err(|e| {
                    CliError::other(format!("{e}; the copy was logged but nothing was copied"))
                })
            })?;
            env.holders.push(holder);
            Ok(())
        }
    }
}
