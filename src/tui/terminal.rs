//! The real terminal: raw mode and the alternate screen on entry, both
//! restored on exit and on a panic. The alternate screen keeps everything
//! the TUI drew (revealed values included) out of the scrollback: leaving
//! it gives back the screen as it was before Baton started.

use std::io::{self, Stdout};

use ratatui::Terminal;
use ratatui::backend::CrosstermBackend;
use ratatui::crossterm::{
    cursor, execute,
    terminal::{self, EnterAlternateScreen, LeaveAlternateScreen},
};

pub type Tty = Terminal<CrosstermBackend<Stdout>>;

/// Enters raw mode and the alternate screen, and installs a panic hook
/// that leaves both before the panic message is printed.
pub fn enter() -> io::Result<Tty> {
    terminal::enable_raw_mode()?;
    if let Err(e) = execute!(io::stdout(), EnterAlternateScreen, cursor::Hide) {
        let _ = terminal::disable_raw_mode();
        return Err(e);
    }
    let previous = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        leave();
        previous(info);
    }));
    Terminal::new(CrosstermBackend::new(io::stdout()))
}

/// Leaves the alternate screen and raw mode. Safe to call twice.
pub fn leave() {
    let _ = execute!(io::stdout(), LeaveAlternateScreen, cursor::Show);
    let _ = terminal::disable_raw_mode();
}
