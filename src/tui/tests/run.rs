//! The event loop, [`runtime::run`], on a `TestBackend`: key presses fed as
//! a person types them, every step logged in the vault file.

use std::collections::VecDeque;
use std::io;
use std::path::Path;
use std::time::{Duration, Instant};

use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::crossterm::event::{Event, KeyCode, KeyEvent};

use super::{Fixture, PASSPHRASE, PASSWORD, buffer_text, key, press};
use crate::tui::app::Screen;
use crate::tui::runtime;

/// Key presses fed to [`runtime::run`], with waits.
enum Step {
    Key(KeyEvent),
    /// Report no event until the condition holds.
    Until(Box<dyn Fn() -> bool>),
    /// Report no event once, after the loop's timeout.
    Idle,
}

struct Script {
    steps: VecDeque<Step>,
    deadline: Instant,
}

impl Script {
    fn new(steps: Vec<Step>) -> Self {
        Script {
            steps: steps.into(),
            deadline: Instant::now() + Duration::from_secs(20),
        }
    }
}

impl runtime::Events for Script {
    fn next(&mut self, timeout: Duration) -> io::Result<Option<Event>> {
        assert!(Instant::now() < self.deadline, "the script timed out");
        match self.steps.pop_front() {
            None => Err(io::Error::other("the script ended before the TUI quit")),
            Some(Step::Key(k)) => Ok(Some(Event::Key(k))),
            Some(Step::Idle) => {
                std::thread::sleep(timeout);
                Ok(None)
            }
            Some(Step::Until(cond)) => {
                if !cond() {
                    std::thread::sleep(timeout.min(Duration::from_millis(20)));
                    self.steps.push_front(Step::Until(cond));
                }
                Ok(None)
            }
        }
    }
}

fn file_len_of(path: &Path) -> u64 {
    std::fs::metadata(path).map_or(0, |m| m.len())
}

#[test]
fn run_unlocks_reveals_and_quits_with_every_step_logged() {
    let fx = Fixture::new();
    let mut app = fx.unlock_app();
    let mut env = runtime::Env::new(fx.ctx.clone());
    // Tall enough for the revealed entry's last line.
    let mut term = Terminal::new(TestBackend::new(120, 40)).expect("test terminal");
    let path = fx.ctx.vault.clone();
    let sealed = fx.file_len();

    let mut steps: Vec<Step> = PASSPHRASE.chars().map(|c| Step::Key(key(c))).collect();
    steps.push(Step::Key(press(KeyCode::Enter)));
    // The worker appends the unlock record, then reports.
    steps.push(Step::Until(Box::new(move || file_len_of(&path) > sealed)));
    steps.extend([Step::Idle, Step::Idle, Step::Idle]);
    steps.push(Step::Key(key('r')));
    steps.push(Step::Key(key('q')));
    let mut events = Script::new(steps);

    runtime::run(&mut term, &mut app, &mut env, &mut events).expect("run");

    assert!(app.quit);
    assert!(matches!(app.screen, Screen::Summary(_)));
    // The last frame drawn, before q: the reveal, after it was logged.
    let text = buffer_text(term.backend().buffer());
    assert!(text.contains(PASSWORD), "{text}");
    assert!(text.contains("revealed · hides in"), "{text}");
    // Unlock, four reveals, session end.
    assert_eq!(fx.tail_records(), 6);
}
