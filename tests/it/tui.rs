//! The terminal UI end to end: the real binary in a tmux pane, driven by
//! key presses as a person would, the screen read back with
//! `tmux capture-pane`. Unlock, search as you type, reveal, copy, lock
//! with the shift summary, quit; then the access log holds the reveal and
//! the copy, verifies, and no secret is left on the terminal. After a quit,
//! and after a panic, the terminal is back as it was: the main screen, out
//! of raw mode, the cursor shown, and no secret in the scrollback.
//!
//! Needs tmux (`.ci/run` installs it; without it each test fails under CI
//! and skips elsewhere, see `common::require_tools`). Drives the binary named by
//! `BATON_TUI_BIN` (CI sets it to the release build), else the test build;
//! the panic test drives the test build, the only one that can be made to
//! panic on purpose.

use std::ffi::{OsStr, OsString};
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use crate::common::{
    Env, INIT_WEAK, KDF_8_MIB, PASS, TMUX, code, contains, files_under, json, release_bin,
    require_tools, stderr, tui_bin, var,
};

/// The password of the entry the test reveals and copies.
pub const SECRET: &str = "Xq7-payroll-SECRET-91";
/// How long to wait for the screen to show something. Generous: the
/// machine may be loaded; a passing run waits only as long as it takes.
const WAIT: Duration = Duration::from_secs(20);
const POLL: Duration = Duration::from_millis(100);
/// What the pane prints after the binary exits, followed by its exit code.
pub const EXITED: &str = "BATON-EXITED-";
/// What the pane prints before the binary starts: on the main screen, so
/// it is in sight again once the binary has left the alternate screen.
const MARKER: &str = "BATON-PANE-START";
/// What the pane prints after the binary exits, followed by how `stty -a`
/// shows the terminal's line settings named in [`RAW_MODE_OFF`].
const TTY: &str = "BATON-TTY:";
/// The line settings raw mode turns off; each is on in a restored terminal.
const RAW_MODE_OFF: [&str; 5] = ["icanon", "echo", "isig", "icrnl", "opost"];
/// What a concealed value looks like on screen until it is revealed.
const MASK: &str = "••••••••";
const COLS: u16 = 100;
const ROWS: u16 = 30;

/// A tmux server on a socket of its own (under `dir`, so that nothing is
/// left behind), holding one session whose pane runs the command under
/// test. Dropping it kills the server, so a failing test leaves nothing
/// running.
pub struct Tmux {
    socket: String,
    dir: PathBuf,
}

impl Tmux {
    pub const SESSION: &'static str = "baton";

    /// Starts a detached `cols`×`rows` session running `command`
    /// (program and arguments, run directly, not through a shell).
    pub fn start(dir: &Path, cols: u16, rows: u16, command: &[OsString]) -> Tmux {
        static N: AtomicUsize = AtomicUsize::new(0);
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.subsec_nanos());
        let t = Tmux {
            socket: format!(
                "baton-tui-{}-{}-{nanos}",
                std::process::id(),
                N.fetch_add(1, Ordering::Relaxed)
            ),
            dir: dir.to_path_buf(),
        };
        let mut args: Vec<OsString> = [
            "new-session",
            "-d",
            "-s",
            Self::SESSION,
            "-x",
            &cols.to_string(),
            "-y",
            &rows.to_string(),
        ]
        .iter()
        .map(OsString::from)
        .collect();
        args.extend(command.iter().cloned());
        let out = t.run(&args);
        assert!(
            out.status.success(),
            "tmux new-session failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        t
    }

    /// Runs `tmux` on this server: no configuration file, UTF-8 output
    /// whatever the locale.
    fn run<S: AsRef<OsStr>>(&self, args: &[S]) -> Output {
        self.command()
            .args(["-u", "-f", "/dev/null"])
            .args(args)
            .output()
            .expect("run tmux")
    }

    /// `tmux -L SOCKET`, the socket in this server's directory.
    fn command(&self) -> Command {
        let mut c = Command::new("tmux");
        c.args(["-L", &self.socket])
            .env("TMUX_TMPDIR", &self.dir)
            .env_remove("TMUX")
            .stdin(Stdio::null());
        c
    }

    pub fn ok(&self, args: &[&str]) -> String {
        let out = self.run(args);
        assert!(
            out.status.success(),
            "tmux {args:?} failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    /// Presses keys by tmux name (`Enter`, `Escape`, `C-l`, `r`).
    pub fn press(&self, key: &str) {
        self.ok(&["send-keys", "-t", Self::SESSION, key]);
    }

    /// Types `text` literally, one key per character.
    pub fn type_text(&self, text: &str) {
        self.ok(&["send-keys", "-t", Self::SESSION, "-l", text]);
    }

    /// The visible screen, one line per row.
    pub fn screen(&self) -> String {
        self.ok(&["capture-pane", "-p", "-t", Self::SESSION])
    }

    /// The whole scrollback and the screen, wrapped lines joined.
    fn screen_and_scrollback(&self) -> String {
        self.ok(&[
            "capture-pane",
            "-p",
            "-J",
            "-S",
            "-",
            "-E",
            "-",
            "-t",
            Self::SESSION,
        ])
    }

    /// A tmux format (`#{alternate_on}`…) expanded for the pane.
    fn format(&self, format: &str) -> String {
        self.ok(&["display-message", "-p", "-t", Self::SESSION, format])
            .trim_end()
            .to_owned()
    }

    /// Polls the screen until `done` holds; returns that screen. Fails
    /// after [`WAIT`] showing the last screen.
    pub fn wait_until(&self, what: &str, done: impl Fn(&str) -> bool) -> String {
        let start = Instant::now();
        loop {
            let screen = self.screen();
            if done(&screen) {
                return screen;
            }
            if start.elapsed() >= WAIT {
                panic!(
                    "waited {:?} for {what}; the screen shows:\n{}",
                    WAIT,
                    framed(&screen)
                );
            }
            std::thread::sleep(POLL);
        }
    }

    /// Polls the screen until it shows `text`; returns that screen.
    pub fn wait_for(&self, text: &str) -> String {
        self.wait_until(&format!("{text:?}"), |s| s.contains(text))
    }
}

impl Drop for Tmux {
    fn drop(&mut self) {
        let _ = self
            .command()
            .arg("kill-server")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status();
    }
}

/// A screen between rules, for failure messages.
fn framed(screen: &str) -> String {
    let rule = "─".repeat(usize::from(COLS));
    format!("{rule}\n{}\n{rule}", screen.trim_end_matches('\n'))
}

/// The screen row where a pane's line starts with `label` (the detail
/// pane's rows: Username, Password…), or "" when none does.
fn detail_row<'a>(screen: &'a str, label: &str) -> &'a str {
    screen
        .lines()
        .find(|l| {
            l.split('│')
                .any(|cell| cell.trim_start().starts_with(label))
        })
        .unwrap_or("")
}

fn assert_no_secret(screen: &str, when: &str) {
    assert!(
        !screen.contains(SECRET),
        "the password is on the screen {when}:\n{}",
        framed(screen)
    );
}

/// A vault owned by alice with the payroll entry and one more.
pub fn payroll_vault() -> Env {
    let env = Env::new();
    env.ok(&[INIT_WEAK, KDF_8_MIB].concat());
    env.ok_stdin(
        &[
            "add",
            "Acme Payroll",
            "--group",
            "Clients/Acme",
            "--username",
            "pay@acme.example",
            "--password-stdin",
        ],
        &format!("{SECRET}\n"),
    );
    env.ok(&[
        "add",
        "GitHub",
        "--group",
        "Dev",
        "--username",
        "alice@acme.example",
        "--generate",
    ]);
    env
}

/// Starts `baton tui` for `env`'s vault in a fresh tmux server, with a
/// clean environment plus `extra`: no passphrase, no display (so a copy
/// goes to the terminal as OSC 52), the state directory the CLI uses too.
/// The pane's shell prints [`MARKER`] first; after the binary exits, its
/// exit code, the terminal's line settings ([`TTY`]), and then it reads
/// commands as an interactive shell with the prompt `$ `.
pub fn start_tui(env: &Env, extra: &[(&str, &str)]) -> Tmux {
    start_tui_bin(env, &tui_bin(), extra)
}

/// As [`start_tui`], running `bin`.
fn start_tui_bin(env: &Env, bin: &Path, extra: &[(&str, &str)]) -> Tmux {
    let tty_flags = RAW_MODE_OFF.join("|");
    start_script(
        env,
        bin,
        extra,
        &format!(
            "echo {MARKER}; \"$0\" tui; echo {EXITED}$?; \
             echo {TTY}$(stty -a | tr ' ' '\\n' | grep -xE -- '-?({tty_flags})'); \
             exec env PS1='$ ' sh -i"
        ),
    )
}

/// Runs `script` (`sh -c`, with `bin` as `$0`) in a fresh tmux server,
/// with a clean environment for `env`'s vault plus `extra`: no
/// passphrase, no display (so a copy goes to the terminal as OSC 52), the
/// state directory the CLI uses too.
pub fn start_script(env: &Env, bin: &Path, extra: &[(&str, &str)], script: &str) -> Tmux {
    let home = env.dir.path();
    let mut command: Vec<OsString> = vec!["env".into(), "-i".into()];
    command.push(var("PATH", std::env::var_os("PATH").unwrap_or_default()));
    command.push(var("HOME", home));
    command.push(var("TERM", "xterm-256color"));
    command.push(var("BATON_VAULT", &env.vault));
    command.push(var("XDG_STATE_HOME", home.join(".local").join("state")));
    for (k, v) in extra {
        command.push(var(k, v));
    }
    command.extend(["sh", "-c", script].iter().map(OsString::from));
    command.push(bin.as_os_str().to_owned());
    Tmux::start(home, COLS, ROWS, &command)
}

/// Types the passphrase on the unlock screen (checking it is never shown)
/// and waits for the main view; returns its screen.
pub fn unlock(tmux: &Tmux) -> String {
    tmux.wait_for("Unlock the vault");
    tmux.wait_for("alice");
    tmux.type_text(PASS);
    let typed = tmux.wait_until("the passphrase masked", |s| s.contains('•'));
    for word in PASS.split(' ') {
        assert!(
            !typed.contains(word),
            "the passphrase is shown:\n{}",
            framed(&typed)
        );
    }
    tmux.press("Enter");
    tmux.wait_until("the main view", |s| {
        s.contains("Entries") && s.contains("2 entries")
    })
}

/// Searches for the payroll entry as you type, keeps the filter with
/// Enter, and waits for the entry in the detail pane; returns that screen.
pub fn find_payroll(tmux: &Tmux) -> String {
    tmux.press("/");
    tmux.type_text("acmpay");
    tmux.wait_for("1 of 2");
    tmux.press("Enter");
    tmux.wait_until("Acme Payroll in the detail pane", |s| {
        s.contains("1 of 2") && detail_row(s, "Username").contains("pay@acme.example")
    })
}

/// Waits for the binary to exit with `code`, then checks the terminal is
/// as it was before: the main screen (the marker in sight, nothing of the
/// UI), out of raw mode (`stty -a`, and a command typed at the shell is
/// echoed and runs), the cursor shown, and neither the password nor the
/// passphrase anywhere in the screen or its scrollback. Returns the
/// screen and scrollback.
fn assert_terminal_restored(tmux: &Tmux, code: &str, when: &str) -> String {
    let exited = format!("{EXITED}{code}");
    let screen = tmux.wait_until("the exit code and the line settings", |s| s.contains(TTY));
    assert_eq!(
        tmux.format("#{alternate_on} #{cursor_flag}"),
        "0 1",
        "the pane is back on the main screen, the cursor shown, {when}:\n{}",
        framed(&screen)
    );
    // Trimmed: were the terminal left in raw mode, a newline
    // would not return to the first column.
    assert!(
        screen.lines().any(|l| l.trim() == exited),
        "the binary exits with {code} {when}:\n{}",
        framed(&screen)
    );

    // The terminal's line settings, as `stty -a` showed them after exit.
    let settings: Vec<&str> = screen
        .lines()
        .find_map(|l| l.split_once(TTY).map(|(_, flags)| flags))
        .unwrap_or_default()
        .split_whitespace()
        .collect();
    for flag in RAW_MODE_OFF {
        let off = format!("-{flag}");
        assert!(
            settings.contains(&flag) && !settings.contains(&off.as_str()),
            "raw mode is off {when}: `stty -a` should show {flag}, not {off}:\n{}",
            framed(&screen)
        );
    }
    // A command typed at the shell is echoed, and runs on Enter.
    tmux.wait_until("the shell's prompt", |s| {
        s.lines().map(str::trim_end).any(|l| l == "$")
    });
    tmux.type_text("echo typed-$((6 * 7))");
    tmux.press("Enter");
    let typed = tmux.wait_until("the typed command's output", |s| {
        s.lines().any(|l| l.trim_end() == "typed-42")
    });
    assert!(
        typed.contains("$ echo typed-$((6 * 7))"),
        "the typed command is echoed {when}:\n{}",
        framed(&typed)
    );

    let history = tmux.screen_and_scrollback();
    assert!(
        history.lines().any(|l| l.trim_end() == MARKER),
        "what was on the main screen before the UI is back {when}:\n{}",
        framed(&history)
    );
    for ui in [
        "Unlock the vault",
        "Entries",
        "Vault locked",
        "Acme Payroll",
    ] {
        assert!(
            !history.contains(ui),
            "nothing of the UI is left on the terminal {when} ({ui:?}):\n{}",
            framed(&history)
        );
    }
    assert_no_secret(&history, &format!("in the screen or scrollback {when}"));
    for word in std::iter::once(PASS).chain(PASS.split(' ')) {
        assert!(
            !history.contains(word),
            "the passphrase is in the screen or scrollback {when}:\n{}",
            framed(&history)
        );
    }
    history
}

#[test]
fn unlock_search_reveal_copy_lock_and_quit_in_a_real_terminal() {
    if !require_tools(&[TMUX]) {
        return;
    }
    let env = payroll_vault();
    let home = env.dir.path();
    let tmux = start_tui(&env, &[]);

    let main = unlock(&tmux);
    assert!(main.contains("GitHub"), "{}", framed(&main));
    assert_no_secret(&main, "right after unlocking");

    // Search as you type; Enter keeps the filter and selects the match.
    let found = find_payroll(&tmux);
    assert!(
        !found.contains("GitHub"),
        "the filter hides GitHub:\n{}",
        framed(&found)
    );
    assert!(
        found.contains("╭ Acme Payroll"),
        "the detail pane is titled with the entry:\n{}",
        framed(&found)
    );
    assert!(
        detail_row(&found, "Password").contains(MASK),
        "the password is masked:\n{}",
        framed(&found)
    );
    assert_no_secret(&found, "before the reveal");

    // Reveal: the password appears once its record is logged. Had Enter
    // left the search field focused, `r` would have gone into the query.
    tmux.press("r");
    let revealed = tmux.wait_for(SECRET);
    assert!(
        detail_row(&revealed, "Password").contains(SECRET)
            && revealed.contains("acmpay ")
            && revealed.contains("1 of 2"),
        "the password is revealed in the detail pane, the filter kept:\n{}",
        framed(&revealed)
    );

    // Copy: logged, then sent to the terminal's clipboard (OSC 52).
    tmux.press("c");
    tmux.wait_for("Copied Acme Payroll's password");

    // Lock: every key dropped, the shift summary lists what was done.
    tmux.press("C-l");
    let summary = tmux.wait_for("Vault locked");
    assert_no_secret(&summary, "on the shift summary");
    for what in ["revealed", "copied password"] {
        assert!(
            summary
                .lines()
                .any(|l| l.contains(what) && l.contains("Acme Payroll")),
            "the summary lists Acme Payroll as {what}:\n{}",
            framed(&summary)
        );
    }
    assert!(
        !summary.contains("GitHub"),
        "the summary lists only what was revealed or copied:\n{}",
        framed(&summary)
    );

    // Enter goes back to the unlock screen; Escape quits.
    tmux.press("Enter");
    let unlock = tmux.wait_for("Unlock the vault");
    assert_no_secret(&unlock, "on the unlock screen after locking");
    tmux.press("Escape");
    // The alternate screen kept everything out of the terminal's history.
    assert_terminal_restored(&tmux, "0", "after quitting from the unlock screen");
    drop(tmux);

    // The access log: the reveal and the copy, by alice, for the entry,
    // then the session's end; the chain verifies.
    let log = json(&env.ok(&["log", "--json"]));
    assert!(!log.to_string().contains(SECRET), "the log holds no secret");
    let records = log["records"].as_array().expect("records");
    let id = json(&env.ok(&["show", "Acme Payroll", "--json"]))["id"]
        .as_str()
        .expect("entry id")
        .to_owned();
    let find = |action: &str| {
        records
            .iter()
            .find(|r| r["action"] == action && r["entry_id"] == id.as_str())
            .unwrap_or_else(|| panic!("no {action} record for Acme Payroll in {log:#}"))
    };
    let seq = |r: &serde_json::Value| r["seq"].as_u64().expect("seq");
    let reveal = find("reveal");
    let copy = find("copy");
    for r in [reveal, copy] {
        assert_eq!(r["field"], "password", "{r}");
        assert_eq!(r["member"], "alice", "{r}");
        assert_eq!(r["title"], "Acme Payroll", "{r}");
        assert_eq!(r["group"], "Clients/Acme", "{r}");
    }
    assert!(seq(reveal) < seq(copy), "reveal, then copy: {log:#}");
    assert!(
        records
            .iter()
            .any(|r| r["action"] == "session-end" && seq(r) > seq(copy)),
        "locking ended the session in the log: {log:#}"
    );
    env.ok(&["log", "verify"]);

    // Nothing the session wrote holds the password in plaintext.
    for f in files_under(home) {
        let data = std::fs::read(&f).expect("read file");
        assert!(
            !contains(&data, SECRET.as_bytes()),
            "{} holds the password in plaintext",
            f.display()
        );
    }
}

/// The OSC 52 escape that sets the terminal's clipboard to `value`.
fn osc52_set(value: &str) -> Vec<u8> {
    let b64 = data_encoding::BASE64.encode(value.as_bytes());
    format!("\x1b]52;c;{b64}\x07").into_bytes()
}

/// The OSC 52 escape that empties the terminal's clipboard.
const OSC52_CLEAR: &[u8] = b"\x1b]52;c;\x07";

/// Polls `file` until it holds `needle` after byte `from`; returns the
/// offset just past it.
fn wait_in_file(file: &Path, from: usize, needle: &[u8], what: &str) -> usize {
    let start = Instant::now();
    loop {
        let data = std::fs::read(file).unwrap_or_default();
        if let Some(at) = data
            .get(from..)
            .and_then(|d| d.windows(needle.len()).position(|w| w == needle))
        {
            return from + at + needle.len();
        }
        assert!(
            start.elapsed() < WAIT,
            "waited {WAIT:?} for {what}; the terminal received {} bytes, {} after byte {from}",
            data.len(),
            data.len().saturating_sub(from)
        );
        std::thread::sleep(POLL);
    }
}

/// Without a display the copy goes to the terminal as OSC 52. Locking, and
/// quitting, empty that clipboard at once, not only when the copy's time
/// is up (90 s here, far beyond how long the test waits for the clear).
#[test]
fn lock_and_quit_clear_the_terminal_clipboard_at_once() {
    if !require_tools(&[TMUX]) {
        return;
    }
    let env = payroll_vault();
    let tmux = start_tui(&env, &[("BATON_CLIPBOARD_SECONDS", "90")]);
    // Everything the binary writes to the terminal, escapes included. It
    // holds the revealed screen, so it lives apart from the vault's files.
    let wire_dir = tempfile::tempdir().expect("temp dir");
    let wire = wire_dir.path().join("pane-output");
    tmux.wait_for("Unlock the vault");
    tmux.ok(&[
        "pipe-pane",
        "-o",
        "-t",
        Tmux::SESSION,
        &format!("cat >> '{}'", wire.display()),
    ]);

    unlock(&tmux);
    find_payroll(&tmux);
    tmux.press("c");
    tmux.wait_for("Copied Acme Payroll's password");
    let copied = wait_in_file(&wire, 0, &osc52_set(SECRET), "the OSC 52 copy");
    tmux.press("C-l");
    tmux.wait_for("Vault locked");
    let cleared = wait_in_file(&wire, copied, OSC52_CLEAR, "the clipboard cleared on lock");

    // Once more, and quit with `q` while the password is on the screen
    // instead of locking: the terminal is restored with no trace of it.
    tmux.press("Enter");
    unlock(&tmux);
    find_payroll(&tmux);
    tmux.press("c");
    tmux.wait_for("Copied Acme Payroll's password");
    let copied = wait_in_file(&wire, cleared, &osc52_set(SECRET), "the second copy");
    tmux.press("r");
    tmux.wait_for(SECRET);
    tmux.press("q");
    assert_terminal_restored(&tmux, "0", "after quitting with a password revealed");
    wait_in_file(&wire, copied, OSC52_CLEAR, "the clipboard cleared on quit");
}

/// A panic while a password is revealed: the process ends with 101, and
/// the hook has restored the terminal as a quit does. The panic, made on
/// purpose with a trigger only debug builds have, carries the revealed
/// password in its message; the hook prints a fixed message with the
/// panic's location instead.
#[test]
#[cfg_attr(
    not(debug_assertions),
    ignore = "the panic trigger exists only in debug builds"
)]
fn a_panic_restores_the_terminal_and_prints_no_secret() {
    if !require_tools(&[TMUX]) {
        return;
    }
    let env = payroll_vault();
    let debug_build = Path::new(env!("CARGO_BIN_EXE_baton"));
    let tmux = start_tui_bin(&env, debug_build, &[("BATON_TEST_PANIC", "f12")]);
    unlock(&tmux);
    find_payroll(&tmux);
    tmux.press("r");
    tmux.wait_for(SECRET);
    tmux.press("F12");
    let history = assert_terminal_restored(&tmux, "101", "after a panic");
    assert!(
        history.contains("baton: internal error at src/tui/terminal.rs:")
            && history.contains("Please report this."),
        "the hook prints its own message and where the panic happened:\n{}",
        framed(&history)
    );
    assert!(
        !history.contains("deliberate panic") && !history.contains("panicked"),
        "the panic's own message is not printed:\n{}",
        framed(&history)
    );
}

/// The panic trigger is compiled out of release builds: there, with the
/// same environment, F12 does nothing, and `q` quits as usual. Runs on
/// `BATON_TUI_BIN` (the release build in CI), or on the test build when
/// that is a release build itself.
#[test]
fn a_release_build_has_no_panic_trigger() {
    // Both checked, so that a skip names everything missing.
    let (tmux, release) = (require_tools(&[TMUX]), release_bin());
    let (true, Some(bin)) = (tmux, release) else {
        return;
    };
    let env = payroll_vault();
    let tmux = start_tui_bin(&env, &bin, &[("BATON_TEST_PANIC", "f12")]);
    unlock(&tmux);
    find_payroll(&tmux);
    tmux.press("r");
    tmux.wait_for(SECRET);
    tmux.press("F12");
    // Then a key whose effect shows that F12 was read and passed over.
    tmux.press("r");
    let hidden = tmux.wait_until("the password hidden again, or an exit", |s| {
        detail_row(s, "Password").contains(MASK) || s.contains(EXITED)
    });
    assert!(
        !hidden.contains(EXITED),
        "{} ignores BATON_TEST_PANIC (is it a release build?):\n{}",
        bin.display(),
        framed(&hidden)
    );
    tmux.press("q");
    assert_terminal_restored(&tmux, "0", "after quitting a release build");
}

/// The owner hands over a contractor from the members screen: the
/// checklist holds the entry the contractor revealed, Enter edits it with
/// a generated password, `v` verifies it, and the command line agrees.
#[test]
fn a_handover_runs_from_the_members_screen_in_a_real_terminal() {
    if !require_tools(&[TMUX]) {
        return;
    }
    let env = payroll_vault();
    let added = env
        .cmd(&["member", "add", "bob", "--groups", "Clients/Acme"])
        .env("BATON_NEW_PASSPHRASE", "bob's own passphrase 9")
        .output()
        .expect("run");
    assert!(
        added.status.success(),
        "{}",
        String::from_utf8_lossy(&added.stderr)
    );
    let got = env
        .cmd(&["get", "Acme Payroll"])
        .env("BATON_MEMBER", "bob")
        .env("BATON_PASSPHRASE", "bob's own passphrase 9")
        .output()
        .expect("run");
    assert_eq!(String::from_utf8_lossy(&got.stdout).trim(), SECRET);

    let tmux = start_tui(&env, &[]);
    unlock(&tmux);
    tmux.press("M");
    let members = tmux.wait_until("the member list", |s| {
        s.contains("Members") && s.contains("bob") && s.contains("contractor")
    });
    assert_no_secret(&members, "the member list");
    tmux.press("Down");
    tmux.press("h");
    tmux.wait_for("y start the handover");
    tmux.press("y");
    let checklist = tmux.wait_until("the checklist", |s| {
        s.contains("Handover of bob · 1 of 1 left") && s.contains("Acme Payroll")
    });
    assert!(checklist.contains("pending"), "{}", framed(&checklist));
    assert_no_secret(&checklist, "the checklist");
    tmux.press("Enter");
    tmux.wait_for("^G generate password");
    tmux.press("C-g");
    tmux.press("Enter");
    let rotated = tmux.wait_until("the item rotated", |s| {
        s.contains("Handover of bob") && s.contains("rotated")
    });
    assert_no_secret(&rotated, "the checklist after the edit");
    tmux.press("v");
    tmux.wait_until("the item verified", |s| s.contains("0 of 1 left"));
    tmux.press("Escape");
    tmux.press("Escape");
    tmux.press("q");
    tmux.wait_for(EXITED);

    let status = json(&env.ok(&["handover", "status", "bob", "--json"]));
    let item = &status["handovers"][0]["items"][0];
    assert_eq!(item["title"], "Acme Payroll");
    assert_eq!(item["state"], "verified");
    let refused = env
        .cmd(&["list"])
        .env("BATON_MEMBER", "bob")
        .env("BATON_PASSPHRASE", "bob's own passphrase 9")
        .output()
        .expect("run");
    assert_eq!(refused.status.code(), Some(6));
    let new = env.ok(&["get", "Acme Payroll"]);
    assert_ne!(new.trim(), SECRET, "the password was rotated");
    env.ok(&["log", "verify"]);
}

/// The owner's command line works while a contractor's TUI sits unlocked:
/// the TUI takes the vault's lock only to write. The TUI shows the
/// command's new entry by itself (it looks at the file once a second),
/// and its next reveal is recorded in a save that keeps every record the
/// command wrote.
#[test]
fn a_command_writes_while_the_tui_is_unlocked_in_a_real_terminal() {
    if !require_tools(&[TMUX]) {
        return;
    }
    let env = payroll_vault();
    let tmux = start_tui(&env, &[]);
    unlock(&tmux);
    let out = env
        .cmd(&["add", "Written meanwhile", "--generate"])
        .env("BATON_LOCK_WAIT_MS", "1000")
        .output()
        .expect("run baton add");
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let theirs = records(&env);

    let main = tmux.wait_until("the new entry in the list", |s| {
        s.contains("Written meanwhile") && s.contains("changed outside")
    });
    assert!(main.contains("3 entries"), "{}", framed(&main));
    tmux.press("r");
    let shown = tmux.wait_for(SECRET);
    assert!(shown.contains(SECRET), "{}", framed(&shown));
    let now = records(&env);
    assert!(
        theirs.iter().all(|h| now.contains(h)),
        "a record the command wrote was lost"
    );
    tmux.press("q");
    tmux.wait_for(EXITED);
    env.ok(&["log", "verify"]);
}

/// The hashes of every record of the vault's log, verified.
fn records(env: &Env) -> Vec<[u8; 32]> {
    crate::common::record_hashes(&env.vault)
}
