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
use std::time::{Duration, Instant};

use baton::os::clipboard::HOLDER_ARG;

use crate::common::{Env, TMUX, XCLIP, XVFB, bin, code, contains, require_tools, stderr, tui_bin};
use crate::tui::{self, EXITED, SECRET, Tmux};

/// How long to wait for the clipboard or its holder to act.
const WAIT: Duration = Duration::from_secs(10);

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

/// Polls the clipboard until it holds `value`, for at most [`WAIT`].
fn wait_for_clipboard(display: &str, value: &str, what: &str) {
    let start = Instant::now();
    loop {
        let now = clipboard(display);
        if now == value {
            return;
        }
        assert!(
            start.elapsed() < WAIT,
            "waited {WAIT:?} for {what}; the clipboard holds {now:?}"
        );
        std::thread::sleep(Duration::from_millis(100));
    }
}

/// Polls until no X11 clipboard holder started by `program` runs, for at
/// most [`WAIT`]. A holder exits once it has done what it would do to the
/// clipboard (cleared it if it still held Baton's copy, or left it), on
/// a clear request or at its deadline: after this, the clipboard shows
/// the outcome. One X test runs at a time ([`X_TESTS`]), so such holders
/// are this test's.
fn wait_for_holders_to_exit(program: &Path, what: &str) {
    let exe = program.canonicalize().expect("the binary's path");
    let start = Instant::now();
    loop {
        let holders = x11_holders(&exe);
        if holders.is_empty() {
            return;
        }
        assert!(
            start.elapsed() < WAIT,
            "waited {WAIT:?} for {what}; clipboard holders still run: {holders:?}"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// The pids of the processes running `exe HOLDER_ARG x11 …`.
fn x11_holders(exe: &Path) -> Vec<u32> {
    let exe = exe.as_os_str().as_encoded_bytes();
    let Ok(procs) = std::fs::read_dir("/proc") else {
        return Vec::new();
    };
    procs
        .flatten()
        .filter_map(|p| {
            let pid: u32 = p.file_name().to_str()?.parse().ok()?;
            // Gone since the listing, or a kernel thread: empty.
            let cmdline = std::fs::read(p.path().join("cmdline")).ok()?;
            let args: Vec<&[u8]> = cmdline.split(|&b| b == 0).collect();
            (args.len() >= 3
                && args[0] == exe
                && args[1] == HOLDER_ARG.as_bytes()
                && args[2] == b"x11")
                .then_some(pid)
        })
        .collect()
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
    wait_for_clipboard(&x.display, "", "the clipboard cleared after 3 s");
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
    // The holder exits at its 3 s deadline, after clearing if the value
    // were still Baton's.
    wait_for_holders_to_exit(Path::new(bin()), "the holder's deadline");
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
    // The clear is asked for before the summary is drawn; the holder
    // exits once it has acted on it.
    wait_for_holders_to_exit(&tui_bin(), "the holder to act on the lock");
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
    wait_for_holders_to_exit(&tui_bin(), "the holder to act on the quit");
    assert_eq!(
        clipboard(&x.display),
        "more of the user's text",
        "quitting left the user's copy alone"
    );
}

/// The security review's finding 10a (THREAT_MODEL §6.10): the holder
/// outlives the command that copied, by up to an hour. It must not carry
/// that command's environment — `BATON_PASSPHRASE` above all — for anyone
/// who can read `/proc/PID/environ` meanwhile: it keeps only what it needs
/// to reach the display.
#[test]
fn the_clipboard_holder_does_not_inherit_the_passphrase() {
    if !require_tools(&[XVFB, XCLIP]) {
        return;
    }
    let _one = X_TESTS.lock().unwrap_or_else(|e| e.into_inner());
    let x = start_xvfb();
    let env = Env::new();
    env.init();
    env.ok_stdin(&["add", "Bank", "--password-stdin"], "clip-Secret-99\n");
    let exe = Path::new(bin()).canonicalize().expect("the binary's path");
    // A holder of an earlier run may still wait for its deadline.
    let earlier = x11_holders(&exe);
    let out = env
        .cmd(&["get", "Bank", "--copy"])
        .env("DISPLAY", &x.display)
        .env("BATON_CLIPBOARD_SECONDS", "5")
        .env("BATON_MEMBER", "alice")
        .env("SOME_TOKEN", "not-for-the-holder")
        .output()
        .unwrap();
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let holders: Vec<u32> = x11_holders(&exe)
        .into_iter()
        .filter(|p| !earlier.contains(p))
        .collect();
    assert_eq!(holders.len(), 1, "one new holder runs: {holders:?}");
    let environ = std::fs::read(format!("/proc/{}/environ", holders[0]))
        .expect("the holder's environment (the same user)");
    let vars: Vec<String> = environ
        .split(|&b| b == 0)
        .filter(|v| !v.is_empty())
        .map(|v| String::from_utf8_lossy(v).into_owned())
        .collect();
    assert!(
        !contains(&environ, crate::common::PASS.as_bytes()),
        "the passphrase is in the holder's environment: {vars:?}"
    );
    assert!(
        vars.iter()
            .all(|v| !v.starts_with("BATON_") && !v.starts_with("SOME_TOKEN=")),
        "{vars:?}"
    );
    assert!(
        vars.contains(&format!("DISPLAY={}", x.display)),
        "it keeps the display: {vars:?}"
    );
    assert_eq!(clipboard(&x.display), "clip-Secret-99");
    wait_for_holders_to_exit(Path::new(bin()), "the holder's deadline");
}
