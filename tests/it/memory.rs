//! Memory hygiene of the running terminal UI: what a core image of the
//! process holds after a lock, and whether its memory is locked.
//!
//! `after_a_lock_a_core_image_holds_neither_the_passphrase_nor_the_revealed_password`:
//! the release binary (`BATON_TUI_BIN`, as in `tests/it/tui.rs`) runs in a
//! tmux pane; the test unlocks with a passphrase it made up, reveals and
//! copies a password it made up, locks with Ctrl-L, and takes a core image
//! of the still-running process with gdb's `gcore`. Neither value may be
//! anywhere in it, in any form Baton could hold it: UTF-8 (a `String`,
//! the typed passphrase's buffer), one character per element of any width
//! or stride up to [`MAX_STRIDE`] bytes, forwards or backwards (UTF-16,
//! UTF-32 `char`s, key events in a queue, ratatui's screen cells, which
//! hold one character each in a 48-byte `Cell`), and base64 (the OSC 52
//! copy); nor any [`FRAGMENT`]-character piece of them, so that a buffer
//! whose first bytes were overwritten since (as the allocator does to a
//! freed block's first 16 bytes) still counts. The values are random and
//! [`LEN`] characters long: a hit is no coincidence.
//!
//! That the search can fail is checked on the same image: the entry's
//! title, drawn on the lock screen's shift summary, must be found both as
//! UTF-8 and spread over screen cells, and so must the vault's path, or
//! the image is not what the test thinks it is.
//!
//! Baton makes itself non-dumpable (`PR_SET_DUMPABLE` 0) and sets
//! `RLIMIT_CORE` to 0; the test checks both from outside first, and that
//! its memory is locked (`VmLck`). A non-dumpable process can be traced
//! only with `CAP_SYS_PTRACE`, so `gcore` must run as root or with that
//! capability (CI runs as root); without it the test fails saying so,
//! never skips. The TUI itself runs with `CAP_IPC_LOCK` only.
//!
//! `unlocked_memory_is_warned_about_once_and_only_on_a_terminal`: under a
//! locked-memory limit too small for Argon2 and without `CAP_IPC_LOCK`,
//! Baton locks nothing, works, and warns once on a terminal, never in a
//! script.
//!
//! Needs tmux and gdb, and `setpriv` and `prlimit` (util-linux); `.ci/run`
//! installs them. Without them each test fails under CI and skips
//! elsewhere (`common::require_tools`).

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Duration;

use crate::common::{
    Env, GCORE, INIT_WEAK, KDF_8_MIB, PASS, PRLIMIT, SETPRIV, TMUX, ok_with_input, require_tools,
    tui_bin,
};
use crate::tui::{self, Tmux};

/// Length of the made-up values.
const LEN: usize = 32;
/// The shortest piece of a secret that counts as found.
const FRAGMENT: usize = 12;
/// The widest distance between one character and the next searched for.
const MAX_STRIDE: usize = 128;

#[test]
fn after_a_lock_a_core_image_holds_neither_the_passphrase_nor_the_revealed_password() {
    if !require_tools(&[TMUX, GCORE, SETPRIV]) {
        return;
    }
    let passphrase = random_text(LEN);
    let password = random_text(LEN);
    let title = random_text(LEN);

    let env = Env::new();
    let run = |args: &[&str], stdin: Option<&str>| {
        let mut c = env.cmd(args);
        c.env("BATON_PASSPHRASE", &passphrase);
        ok_with_input(c, args, stdin);
    };
    run(&[INIT_WEAK, KDF_8_MIB].concat(), None);
    run(
        &[
            "add",
            &title,
            "--username",
            "pay@acme.example",
            "--password-stdin",
        ],
        Some(&format!("{password}\n")),
    );

    let tmux = start_tui(&env);
    tmux.wait_for("Unlock the vault");
    tmux.type_text(&passphrase);
    tmux.wait_until("the passphrase masked", |s| s.contains('•'));
    tmux.press("Enter");
    tmux.wait_until("the main view", |s| {
        s.contains("Entries") && s.contains(&title)
    });
    tmux.press("r");
    tmux.wait_for(&password);
    tmux.press("c");
    tmux.wait_for("Copied");
    tmux.press("C-l");
    let locked = tmux.wait_for("Vault locked");
    assert!(locked.contains(&title), "{locked}");
    assert!(!locked.contains(&password), "{locked}");
    // A few idle ticks: the lock screen is drawn more than once.
    std::thread::sleep(Duration::from_millis(800));

    let pid = baton_pid(&tmux);
    assert_hardened(pid);

    let dir = tempfile::tempdir().expect("temp dir");
    let core = take_core(pid, dir.path());

    // The controls: what is on the lock screen and in the session's state
    // is found, as UTF-8 and spread over screen cells.
    let vault = env.vault.to_string_lossy().into_owned();
    assert!(
        find_contiguous(&core, title.as_bytes()).is_some(),
        "the title shown on the lock screen is not in the core image ({} bytes): \
         the image or the search is broken",
        core.len()
    );
    assert!(
        find_strided(&core, title.as_bytes(), 2..=MAX_STRIDE).is_some(),
        "the title is not found in screen cells: the strided search is broken"
    );
    assert!(
        find_contiguous(&core, vault.as_bytes()).is_some(),
        "the vault's path is not in the core image"
    );

    let base64 = data_encoding::BASE64.encode(password.as_bytes());
    for (what, value) in [
        ("the passphrase", passphrase.as_str()),
        ("the revealed password", password.as_str()),
        ("the copied password in base64 (OSC 52)", base64.as_str()),
    ] {
        if let Some(hit) = leak(&core, value.as_bytes()) {
            panic!(
                "{what} is in the core image after the lock: {hit}\n{}",
                around(&core, &hit)
            );
        }
    }

    tmux.press("q");
    drop(tmux);
}

/// Where memory cannot be locked (no `CAP_IPC_LOCK`, `RLIMIT_MEMLOCK`
/// lowered to 1 MiB, far below Argon2's needs), Baton locks nothing,
/// works, and says so where it will be read once rather than at every
/// command: `baton init` on a terminal prints the warning, other commands
/// do not, the terminal UI's unlock screen shows a short line, and a
/// script's standard error stays clean.
#[test]
fn unlocked_memory_is_warned_about_at_init_and_in_the_terminal_ui_only() {
    if !require_tools(&[TMUX, SETPRIV, PRLIMIT]) {
        return;
    }
    const WARNING: &str = "cannot lock its memory";
    const LIMITED: &str = "prlimit --memlock=1048576:1048576 \
         setpriv --inh-caps=-all --bounding-set=-all --";
    let env = Env::new();

    let tmux = start_in_tmux(
        &env,
        &format!(
            "export BATON_PASSPHRASE='{PASS}'; \
             {LIMITED} \"$0\" init --weak-kdf; echo BATON-INIT-$?; \
             {LIMITED} \"$0\" gen; echo BATON-EXITED-$?; sleep 60"
        ),
    );
    tmux.wait_for("BATON-EXITED-");
    let screen = tmux.ok(&["capture-pane", "-p", "-J", "-S", "-", "-t", Tmux::SESSION]);
    assert!(screen.contains("BATON-INIT-0"), "{screen}");
    assert!(screen.contains("BATON-EXITED-0"), "{screen}");
    assert_eq!(
        screen.matches(WARNING).count(),
        1,
        "one warning, from init only:\n{screen}"
    );
    let line = screen
        .lines()
        .find(|l| l.contains(WARNING))
        .expect("the warning");
    assert!(line.starts_with("warning: "), "{line}");
    for part in ["1 MiB", "swap", "ulimit -l unlimited"] {
        assert!(line.contains(part), "{part}: {line}");
    }
    assert!(
        screen.find(WARNING) < screen.find("BATON-INIT-"),
        "the warning comes from init:\n{screen}"
    );
    drop(tmux);

    // The terminal UI says it on its unlock screen.
    let tmux = start_in_tmux(&env, &format!("{LIMITED} \"$0\"; sleep 60"));
    tmux.wait_for("Memory is not locked");
    drop(tmux);

    // The same command in a script: no terminal, no warning.
    let out = Command::new("sh")
        .arg("-c")
        .arg(format!("{LIMITED} \"$0\" gen"))
        .arg(tui_bin())
        .env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .env("HOME", env.dir.path())
        .stdin(Stdio::null())
        .output()
        .expect("run baton gen");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    assert!(!stderr.contains(WARNING), "{stderr}");
}

/// Where a piece of a secret was found.
struct Hit {
    offset: usize,
    stride: usize,
    piece: String,
}

impl std::fmt::Display for Hit {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{:?} at offset {:#x}, one character every {} bytes",
            self.piece, self.offset, self.stride
        )
    }
}

/// Any [`FRAGMENT`]-character piece of `secret`, forwards or backwards
/// (a ring buffer filled from the front holds it reversed), at any stride
/// from 1 to [`MAX_STRIDE`].
fn leak(core: &[u8], secret: &[u8]) -> Option<Hit> {
    let n = FRAGMENT.min(secret.len());
    let reversed: Vec<u8> = secret.iter().rev().copied().collect();
    for (order, s) in [("", secret), (", reversed", &reversed[..])] {
        for piece in s.windows(n) {
            if let Some((offset, stride)) = find_strided(core, piece, 1..=MAX_STRIDE) {
                return Some(Hit {
                    offset,
                    stride,
                    piece: format!("{}{order}", String::from_utf8_lossy(piece)),
                });
            }
        }
    }
    None
}

fn find_contiguous(hay: &[u8], needle: &[u8]) -> Option<usize> {
    memchr::memmem::find(hay, needle)
}

/// The first place where `needle`'s bytes stand `stride` bytes apart, for
/// a stride in `strides`: (offset, stride).
fn find_strided(
    hay: &[u8],
    needle: &[u8],
    strides: std::ops::RangeInclusive<usize>,
) -> Option<(usize, usize)> {
    let (&first, rest) = needle.split_first()?;
    for at in memchr::memchr_iter(first, hay) {
        for stride in strides.clone() {
            let fits = at + rest.len() * stride < hay.len();
            if fits
                && rest
                    .iter()
                    .enumerate()
                    .all(|(i, &b)| hay[at + (i + 1) * stride] == b)
            {
                return Some((at, stride));
            }
        }
    }
    None
}

/// The bytes around a hit, for the failure message.
fn around(core: &[u8], hit: &Hit) -> String {
    let start = hit.offset.saturating_sub(32);
    let end = (hit.offset + FRAGMENT * hit.stride + 32).min(core.len());
    core[start..end]
        .chunks(32)
        .map(|c| {
            c.iter()
                .map(|&b| {
                    if b.is_ascii_graphic() {
                        char::from(b)
                    } else {
                        '.'
                    }
                })
                .collect::<String>()
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// `len` random letters and digits from the OS's random source.
fn random_text(len: usize) -> String {
    use std::io::Read;
    const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
    let mut bytes = vec![0u8; len];
    std::fs::File::open("/dev/urandom")
        .and_then(|mut f| f.read_exact(&mut bytes))
        .expect("read /dev/urandom");
    bytes
        .iter()
        .map(|&b| char::from(ALPHABET[usize::from(b) % ALPHABET.len()]))
        .collect()
}

/// What `/proc/PID/status` says on the line starting `key`.
fn proc_status(pid: u32, key: &str) -> String {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).expect("read status");
    status
        .lines()
        .find_map(|l| l.strip_prefix(key))
        .unwrap_or_else(|| panic!("no {key} in /proc/{pid}/status"))
        .trim()
        .to_owned()
}

/// The process cannot dump core and is not dumpable; its memory is locked.
fn assert_hardened(pid: u32) {
    let limits = std::fs::read_to_string(format!("/proc/{pid}/limits")).expect("read limits");
    let core = limits
        .lines()
        .find(|l| l.starts_with("Max core file size"))
        .expect("core size in limits");
    let fields: Vec<&str> = core.split_whitespace().collect();
    assert_eq!(&fields[4..6], ["0", "0"], "{core}");

    // Not dumpable: another process of the same user, holding the same
    // capabilities (`CAP_IPC_LOCK` only), may not read its environment: the kernel's
    // ptrace access check refuses it for a non-dumpable process only. The
    // same read of a dumpable process run the same way succeeds, so the
    // check can fail.
    let unprivileged = |program: &str| {
        let mut c = Command::new("setpriv");
        c.args([
            "--inh-caps=-all",
            "--bounding-set=-all,+ipc_lock",
            "--",
            program,
        ])
        .stdin(Stdio::null());
        c
    };
    let read_environ = |target: u32| {
        unprivileged("cat")
            .arg(format!("/proc/{target}/environ"))
            .output()
            .expect("run setpriv")
    };
    let denied = read_environ(pid);
    assert!(
        !denied.status.success(),
        "a process without CAP_SYS_PTRACE read the environment of Baton: it is dumpable"
    );
    let mut dumpable = unprivileged("sleep")
        .arg("30")
        .spawn()
        .expect("run setpriv sleep");
    let mut control = read_environ(dumpable.id());
    for _ in 0..50 {
        // Until setpriv has exec'ed sleep (before, it holds capabilities).
        if control.status.success() {
            break;
        }
        std::thread::sleep(Duration::from_millis(20));
        control = read_environ(dumpable.id());
    }
    let _ = dumpable.kill();
    let _ = dumpable.wait();
    assert!(
        control.status.success(),
        "the same read of a dumpable process failed, so the check proves nothing: {}",
        String::from_utf8_lossy(&control.stderr)
    );

    // Allowed to lock memory (CAP_IPC_LOCK), Baton locks all of it.
    let locked = proc_status(pid, "VmLck:");
    let kib: u64 = locked
        .trim_end_matches("kB")
        .trim()
        .parse()
        .expect("VmLck in kB");
    assert!(kib > 0, "Baton's memory is not locked: VmLck {locked}");
}

/// A core image of `pid`, taken with gcore into `dir`.
fn take_core(pid: u32, dir: &Path) -> Vec<u8> {
    let prefix = dir.join("core");
    let out = Command::new("gcore")
        .arg("-o")
        .arg(&prefix)
        .arg(pid.to_string())
        .stdin(Stdio::null())
        .output()
        .expect("run gcore");
    let file = PathBuf::from(format!("{}.{pid}", prefix.display()));
    assert!(
        out.status.success() && file.is_file(),
        "gcore could not take a core image of Baton ({:?}); Baton is not dumpable, so \
         this test must run as root or with CAP_SYS_PTRACE.\nstdout: {}\nstderr: {}",
        out.status.code(),
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    std::fs::read(&file).expect("read core image")
}

/// `baton tui` for `env`'s vault in a fresh tmux server, with a clean
/// environment: no passphrase, no display (a copy goes to the terminal as
/// OSC 52). It holds one capability, `CAP_IPC_LOCK`: a user allowed to
/// lock memory whatever `RLIMIT_MEMLOCK` says (the hard limit cannot be
/// raised here), and nothing more, as a person's process would.
fn start_tui(env: &Env) -> Tmux {
    start_in_tmux(
        env,
        "setpriv --inh-caps=-all --bounding-set=-all,+ipc_lock -- \"$0\" tui; sleep 60",
    )
}

/// Runs `script` (`sh -c`, the binary as `$0`) in a fresh tmux server
/// with a clean environment for `env`'s vault.
fn start_in_tmux(env: &Env, script: &str) -> Tmux {
    tui::start_script(env, &tui_bin(), &[], script)
}

/// The pid of the binary: the only child of the pane's shell.
fn baton_pid(tmux: &Tmux) -> u32 {
    let shell = tmux.ok(&["display-message", "-p", "-t", Tmux::SESSION, "#{pane_pid}"]);
    let shell = shell.trim();
    let children = std::fs::read_to_string(format!("/proc/{shell}/task/{shell}/children"))
        .expect("read the shell's children");
    let pids: Vec<u32> = children
        .split_whitespace()
        .map(|p| p.parse().expect("a pid"))
        .collect();
    assert_eq!(pids.len(), 1, "the pane's shell runs one child: {pids:?}");
    let exe = std::fs::read_link(format!("/proc/{}/exe", pids[0])).expect("read exe");
    let bin = tui_bin().canonicalize().expect("canonical path");
    assert_eq!(exe, bin, "the pane's shell runs baton");
    pids[0]
}
