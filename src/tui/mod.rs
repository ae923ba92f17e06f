//! The terminal UI (PRODUCT.md §5).
//!
//! Shaped as state, messages, a pure update and a pure view, with IO at
//! the edge (docs/ARCHITECTURE.md):
//! - [`app`]: the whole state, [`App`]; the unlocked session lives in it.
//! - [`action`]: [`Intent`] (what a key meant), [`Outcome`] (what the
//!   runtime reports), the [`Msg`] an update takes, and [`Effect`] (what
//!   the runtime must do).
//! - [`screen`]: one module per screen and per view over the main screen,
//!   each with its state, update, view and key table.
//! - [`keys`]: key tables: which keys mean which [`Intent`], and how
//!   footers, hints and `?` help name them.
//! - [`keymap`]: a key press → the [`Intent`] it means, from the current
//!   screen's table.
//! - [`fields`]: form fields as enums, moved between in order.
//! - [`update`]: `update(&mut App, Msg, Now) → Vec<Effect>`, no IO; it
//!   dispatches to the screen shown. An effect is what the runtime must
//!   do: unlock, append a log record and then reveal or copy, end a
//!   session, quit.
//! - [`view`]: `render(&App, &mut Frame)`, no state change; concealed
//!   values are masked unless the runtime has reported their reveal
//!   logged.
//! - [`strings`]: every piece of user-facing text.
//! - [`input`]: the terminal's bytes → key events, in a buffer wiped as
//!   it is consumed.
//! - [`runtime`]: the loop, generic over the ratatui backend: draw, wait
//!   for a key or a tick, update, perform effects, feed results back.
//! - [`terminal`]: raw mode, the alternate screen, restoring both on exit
//!   and on a panic.

pub mod action;
pub mod app;
pub mod fields;
pub mod input;
pub mod keymap;
pub mod keys;
pub mod runtime;
pub mod screen;
pub mod strings;
pub mod terminal;
pub mod update;
pub mod view;

#[cfg(test)]
// Tests write real vault files in temporary directories.
#[allow(
    clippy::disallowed_methods,
    clippy::disallowed_macros,
    clippy::disallowed_types
)]
mod tests;

pub use action::{Effect, Intent, Msg, Outcome};
pub use app::{App, Now};

use crate::session::Context;
use crate::session::demo::Demo;

/// Why the terminal UI could not run.
#[derive(Debug, thiserror::Error)]
pub enum TuiError {
    #[error("cannot use the terminal: {0}")]
    Terminal(std::io::Error),
    #[error("terminal error: {0}")]
    Runtime(std::io::Error),
    #[error(transparent)]
    Session(#[from] crate::session::Error),
}

/// Runs the TUI on the real terminal for the vault `ctx` names.
pub fn start(ctx: Context) -> Result<(), TuiError> {
    start_with_hint(ctx, None)
}

/// `baton demo`: the demo vault in the TUI, deleted when it ends.
// Starting and ending the terminal UI is IO (clippy.toml).
#[allow(
    clippy::disallowed_methods,
    clippy::disallowed_macros,
    clippy::disallowed_types
)]
pub fn demo(ctx: &Context) -> Result<(), TuiError> {
    let demo = Demo::create(ctx)?;
    let hint = demo.hint();
    let result = start_with_hint(demo.ctx.clone(), Some(hint));
    let dir = demo.dir().to_path_buf();
    let removed = demo.remove();
    result?;
    match removed {
        Ok(_) => println!("The demo vault was deleted."),
        Err(e) => eprintln!("warning: cannot delete {} ({e})", dir.display()),
    }
    Ok(())
}

/// As [`start`], with a line of help on the unlock screen.
#[allow(
    clippy::disallowed_methods,
    clippy::disallowed_macros,
    clippy::disallowed_types
)]
pub fn start_with_hint(ctx: Context, hint: Option<String>) -> Result<(), TuiError> {
    let screen = if ctx.vault.exists() {
        let members = runtime::members(&ctx);
        app::Screen::Unlock(app::UnlockScreen::new(members, ctx.member.as_deref()))
    } else {
        app::Screen::Onboard(app::OnboardScreen::new())
    };
    let mut app = App::new(
        ctx.vault.display().to_string(),
        screen,
        app::Settings::of(&ctx),
    );
    app.hint =
        hint.or_else(|| crate::os::memory_warning().map(|_| strings::MEMORY_UNLOCKED.to_owned()));
    let mut env = runtime::Env::new(ctx);
    let mut events = runtime::TerminalEvents::new().map_err(TuiError::Terminal)?;
    let mut term = terminal::enter().map_err(TuiError::Terminal)?;
    let result = runtime::run(&mut term, &mut app, &mut env, &mut events);
    // Whatever happened, the session ends (recorded) and the clipboard is
    // cleared.
    if let app::Screen::Main(_) = app.screen {
        runtime::dispatch(&mut app, &mut env, Intent::Quit);
    }
    runtime::clear_clipboard(&mut env);
    terminal::leave();
    result.map_err(TuiError::Runtime)
}
