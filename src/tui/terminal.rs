//! The real terminal: raw mode and the alternate screen on entry, both
//! restored on exit and on a panic. The alternate screen keeps everything
//! the TUI drew (revealed values included) out of the scrollback: leaving
//! it gives back the screen as it was before Baton started.
//!
//! A panic anywhere in the TUI, on any thread, ends the process: the panic
//! hook restores the terminal, prints a fixed message naming only where
//! the panic happened, and exits with [`PANIC_EXIT`]. The panic's own
//! message is never printed, since it could quote a value the TUI held.

// An IO module (clippy.toml, docs/ARCHITECTURE.md): it may touch files,
// the terminal, the environment, the clock and the OS random source.
#![allow(
    clippy::disallowed_methods,
    clippy::disallowed_macros,
    clippy::disallowed_types
)]

use std::io::{self, Stdout, Write};

use ratatui::Terminal;
use ratatui::backend::CrosstermBackend;
use ratatui::crossterm::{
    cursor, execute,
    terminal::{self, EnterAlternateScreen, LeaveAlternateScreen},
};

pub type Tty = Terminal<CrosstermBackend<Stdout>>;

/// The exit code after a panic, as Rust's own for a panicking `main`.
pub const PANIC_EXIT: i32 = 101;

/// Enters raw mode and the alternate screen, and installs the panic hook
/// that restores both (see the module documentation).
pub fn enter() -> io::Result<Tty> {
    terminal::enable_raw_mode()?;
    if let Err(e) = execute!(io::stdout(), EnterAlternateScreen, cursor::Hide) {
        let _ = terminal::disable_raw_mode();
        return Err(e);
    }
    std::panic::set_hook(Box::new(|info| {
        // Held until the process ends, so that no other thread draws on
        // the screen once it is restored.
        let mut out = io::stdout().lock();
        let _ = execute!(out, LeaveAlternateScreen, cursor::Show);
        let _ = terminal::disable_raw_mode();
        let _ = writeln!(io::stderr(), "{}", panic_message(info.location()));
        std::process::exit(PANIC_EXIT);
    }));
    Terminal::new(CrosstermBackend::new(io::stdout()))
}

/// Leaves the alternate screen and raw mode. Safe to call twice.
pub fn leave() {
    let _ = execute!(io::stdout(), LeaveAlternateScreen, cursor::Show);
    let _ = terminal::disable_raw_mode();
}

/// What the panic hook prints: where the panic happened, not its message.
pub fn panic_message(at: Option<&std::panic::Location<'_>>) -> String {
    let at = at.map_or_else(String::new, |l| {
        format!(" at {}:{}:{}", l.file(), l.line(), l.column())
    });
    format!(
        "baton: internal error{at}. The terminal was restored; the error's own message is \
         not shown, as it could quote a secret. Please report this."
    )
}

/// Debug builds only: with `BATON_TEST_PANIC=f12` in the environment, F12
/// makes the TUI panic, so that tests can check what a panic leaves on
/// the terminal. The panic's message quotes the password currently
/// revealed, if any, so that such a test also shows the hook never prints
/// it. Compiled out of release builds.
#[cfg(debug_assertions)]
pub fn panic_if_asked(app: &super::App, key: &ratatui::crossterm::event::KeyEvent) {
    use ratatui::crossterm::event::KeyCode;
    if key.code != KeyCode::F(12)
        || !std::env::var("BATON_TEST_PANIC").is_ok_and(|v| v.eq_ignore_ascii_case("f12"))
    {
        return;
    }
    let revealed = match &app.screen {
        super::app::Screen::Main(m) => m
            .revealed
            .map(|(r, _)| m.session.vault.entry(r).password.expose().to_owned()),
        _ => None,
    };
    panic!(
        "deliberate panic (BATON_TEST_PANIC); revealed: {}",
        revealed.unwrap_or_default()
    );
}
