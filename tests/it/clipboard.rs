//! Copying on a real X display (Xvfb), read back with `xclip`. `get
//! --copy`: the value reaches the clipboard, standard output stays clean,
//! and the clipboard is cleared. The terminal UI: locking and quitting
//! clear a copied password at once, long before its time is up, but leave
//! alone whatever the user copied since.
//!
//! Needs Xvfb and xclip, and tmux for the terminal UI (`.ci/run` installs
//! them); without them each test fails under CI and skips elsewhere
//! (`common::require_tools`).

use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use crate::common::{Env, TMUX, XCLIP, XVFB, code, require_tools, stderr};
use crate::tui::{self, EXITED, SECRET, Tmux};

/// One X clipboard test at a time: they share display numbers and time.
static X_TESTS: std::sync::Mutex<()> = std::sync::Mutex::new(());

struct Xvfb {
    child: Child,
    display: String,
}

impl Drop for Xvfb {
    fn drop(&mut self) {
        // SIGTERM, so that Xvfb removes its lock file and socket.
        let _ = Command::new("kill")
            .arg("-TERM")
            .arg(self.child.id().to_string())
            .status();
        if self.child.wait().is_err() {
            let _ = self.child.kill();
        }
    }
}

/// Starts Xvfb on a display it chooses itself (`-displayfd`), so that
/// parallel runs and stale lock files never collide.
fn start_xvfb() -> Xvfb {
    use std::io::BufRead;
    let mut child = Command::new("Xvfb")
        .args([
            "-displayfd",
            "1",
            "-screen",
            "0",
            "640x480x24",
            "-nolisten",
            "tcp",
        ])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("Xvfb is installed (.ci/run installs the xvfb package)");
    let mut line = String::new();
    let out = child.stdout.take().expect("Xvfb's standard output");
    std::io::BufReader::new(out)
        .read_line(&mut line)
        .expect("Xvfb reports its display");
    let n: u32 = line
        .trim()
        .parse()
        .unwrap_or_else(|_| panic!("Xvfb reported {line:?}"));
    let x = Xvfb {
        child,
        display: format!(":{n}"),
    };
    for _ in 0..100 {
        if Path::new(&format!("/tmp/.X11-unix/X{n}")).exists() {
            return x;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    panic!("Xvfb :{n} did not start");
}

fn clipboard(display: &str) -> String {
    let out = Command::new("xclip")
        .args(["-o", "-selection", "clipboard"])
        .env("DISPLAY", display)
        .output()
        .expect("xclip is installed (.ci/run installs the xclip package)");
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// Puts `value` on the clipboard as another program would.
fn user_copies(display: &str, value: &str) {
    use std::io::Write;
    let mut xclip = Command::new("xclip")
        .args(["-i", "-selection", "clipboard"])
        .env("DISPLAY", display)
        .stdin(Stdio::piped())
        .spawn()
        .expect("xclip is installed (.ci/run installs the xclip package)");
    xclip
        .stdin
        .take()
        .expect("xclip's standard input")
        .write_all(value.as_bytes())
        .expect("write to xclip");
    // xclip forks a child that serves the selection; the parent exits.
    xclip.wait().expect("xclip");
    assert_eq!(clipboard(display), value, "the user's copy took");
}

/// Polls the clipboard until it holds `value`, for at most 10 s.
fn wait_for_clipboard(display: &str, value: &str, what: &str) {
    let start = std::time::Instant::now();
    loop {
        let now = clipboard(display);
        if now == value {
            return;
        }
        assert!(
            start.elapsed() < Duration::from_secs(10),
            "waited 10 s for {what}; the clipboard holds {now:?}"
        );
        std::thread::sleep(Duration::from_millis(100));
    }
}

/// The terminal UI on `display`, a copy staying 90 s unless cleared.
fn start_tui_on(display: &str) -> (Env, Tmux) {
    let env = tui::payroll_vault();
    let tmux = tui::start_tui(
        &env,
        &[("DISPLAY", display), ("BATON_CLIPBOARD_SECONDS", "90")],
    );
    tui::unlock(&tmux);
    (env, tmux)
}

/// Copies the payroll password from the TUI; checks it is on the clipboard.
fn copy_in_tui(tmux: &Tmux, display: &str) {
    tui::find_payroll(tmux);
    tmux.press("c");
    tmux.wait_for("Copied Acme Payroll's password");
    assert_eq!(clipboard(display), SECRET, "the copy reached the clipboard");
}

#[test]
fn copy_reaches_the_clipboard_and_is_cleared() {
    if !require_tools(&[XVFB, XCLIP]) {
        return;
    }
    let _one = X_TESTS.lock().unwrap_or_else(|e| e.into_inner());
    let x = start_xvfb();
    let env = Env::new();
    env.init();
    env.ok_stdin(&["add", "Bank", "--password-stdin"], "clip-Secret-77\n");
    let out = env
        .cmd(&["get", "Bank", "--copy"])
        .env("DISPLAY", &x.display)
        .env("BATON_CLIPBOARD_SECONDS", "3")
        .output()
        .unwrap();
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert!(out.stdout.is_empty(), "nothing printed when copying");
    assert!(stderr(&out).contains("cleared in 3 s"));
    assert_eq!(clipboard(&x.display), "clip-Secret-77");
    std::thread::sleep(Duration::from_secs(5));
    assert_eq!(clipboard(&x.display), "", "cleared after the timeout");
}

#[test]
fn copy_does_not_clear_what_the_user_copied_since() {
    if !require_tools(&[XVFB, XCLIP]) {
        return;
    }
    let _one = X_TESTS.lock().unwrap_or_else(|e| e.into_inner());
    let x = start_xvfb();
    let env = Env::new();
    env.init();
    env.ok_stdin(&["add", "Bank", "--password-stdin"], "clip-Secret-88\n");
    let out = env
        .cmd(&["get", "Bank", "--copy"])
        .env("DISPLAY", &x.display)
        .env("BATON_CLIPBOARD_SECONDS", "3")
        .output()
        .unwrap();
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    user_copies(&x.display, "something else");
    std::thread::sleep(Duration::from_secs(5));
    assert_eq!(clipboard(&x.display), "something else");
}

/// Locking, then quitting, clear the copied password from the X clipboard
/// at once: the copy's time (90 s) is far beyond the wait here.
#[test]
fn tui_lock_and_quit_clear_the_x_clipboard_at_once() {
    if !require_tools(&[XVFB, XCLIP, TMUX]) {
        return;
    }
    let _one = X_TESTS.lock().unwrap_or_else(|e| e.into_inner());
    let x = start_xvfb();
    let (_env, tmux) = start_tui_on(&x.display);

    copy_in_tui(&tmux, &x.display);
    tmux.press("C-l");
    tmux.wait_for("Vault locked");
    wait_for_clipboard(&x.display, "", "the clipboard cleared on lock");

    tmux.press("Enter");
    tui::unlock(&tmux);
    copy_in_tui(&tmux, &x.display);
    tmux.press("q");
    tmux.wait_for(&format!("{EXITED}0"));
    wait_for_clipboard(&x.display, "", "the clipboard cleared on quit");
}

/// What the user copied after Baton's copy stays on the clipboard when
/// Baton locks, and when it quits.
#[test]
fn tui_lock_and_quit_leave_what_the_user_copied_since() {
    if !require_tools(&[XVFB, XCLIP, TMUX]) {
        return;
    }
    let _one = X_TESTS.lock().unwrap_or_else(|e| e.into_inner());
    let x = start_xvfb();
    let (_env, tmux) = start_tui_on(&x.display);

    copy_in_tui(&tmux, &x.display);
    user_copies(&x.display, "the user's own text");
    tmux.press("C-l");
    tmux.wait_for("Vault locked");
    // The clear is asked for before the summary is drawn; give the holder
    // time to act on it, were it to clear.
    std::thread::sleep(Duration::from_secs(2));
    assert_eq!(
        clipboard(&x.display),
        "the user's own text",
        "locking left the user's copy alone"
    );

    tmux.press("Enter");
    tui::unlock(&tmux);
    copy_in_tui(&tmux, &x.display);
    user_copies(&x.display, "more of the user's text");
    tmux.press("q");
    tmux.wait_for(&format!("{EXITED}0"));
    std::thread::sleep(Duration::from_secs(2));
    assert_eq!(
        clipboard(&x.display),
        "more of the user's text",
        "quitting left the user's copy alone"
    );
}
