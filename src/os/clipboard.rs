//! Copying a secret to the clipboard and clearing it later.
//!
//! With a display (X11, or XWayland), a detached child process of Baton
//! owns the selection, serves it to paste requests, and after the timeout
//! clears it if it still holds our value. Without a display (an SSH
//! session), the value is sent to the terminal as an OSC 52 escape, and the
//! child sends an empty OSC 52 after the timeout; a terminal cannot be asked
//! what its clipboard holds, so that clear is unconditional.
//!
//! The value crosses to the child through a pipe on its standard input,
//! never through its arguments or environment: its length in decimal and a
//! newline, then the value. The child outlives the command that copied, by
//! up to an hour, and its environment is readable meanwhile in
//! `/proc/PID/environ`: it starts with an empty one, given back only the
//! variables that reach the display ([`HOLDER_ENV`]) — never
//! `BATON_PASSPHRASE` or anything else of the caller's. The pipe stays open: the byte `C` asks the
//! holder to clear now (the TUI does so on lock and on quit); the pipe
//! closing asks for nothing (a command that copies exits at once).

use std::fs::OpenOptions;
use std::io::{Read, Write};
use std::os::unix::process::CommandExt;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use zeroize::Zeroizing;

/// The hidden first argument that makes `baton` act as the clipboard holder.
pub const HOLDER_ARG: &str = "__clipboard-holder";

/// The only variables the holder keeps of its parent's environment: how
/// to reach the X server (or XWayland) and authenticate to it
/// (`XAUTHORITY`, else `$HOME/.Xauthority`).
pub const HOLDER_ENV: [&str; 5] = [
    "DISPLAY",
    "XAUTHORITY",
    "HOME",
    "WAYLAND_DISPLAY",
    "XDG_RUNTIME_DIR",
];

#[derive(Debug, thiserror::Error)]
pub enum ClipboardError {
    #[error("no clipboard: no display and no terminal for OSC 52")]
    Unavailable,
    #[error("cannot start the clipboard holder: {0}")]
    Spawn(std::io::Error),
}

/// A running holder; [`Holder::clear_now`] ends it early. Dropping it
/// leaves the holder to clear at its deadline.
pub struct Holder {
    stdin: Option<std::process::ChildStdin>,
    child: std::process::Child,
}

impl Holder {
    /// Asks the holder to clear the clipboard now (if it still holds our
    /// value) and waits briefly for it to finish.
    pub fn clear_now(mut self) {
        if let Some(mut stdin) = self.stdin.take() {
            let _ = stdin.write_all(b"C");
        }
        let start = Instant::now();
        while start.elapsed() < Duration::from_millis(1000) {
            if !matches!(self.child.try_wait(), Ok(None)) {
                return;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    /// Whether the holder still runs (it has not reached its deadline).
    pub fn running(&mut self) -> bool {
        matches!(self.child.try_wait(), Ok(None))
    }
}

/// Copies `value` to the X clipboard when `display` (an X display is
/// set), else through the terminal (OSC 52); it is cleared after
/// `clear_after`.
pub fn copy(value: &str, clear_after: Duration, display: bool) -> Result<Holder, ClipboardError> {
    let mode = if display {
        "x11"
    } else {
        osc52(value)?;
        "osc52"
    };
    let exe = std::env::current_exe().map_err(ClipboardError::Spawn)?;
    let mut command = Command::new(exe);
    command.env_clear();
    for name in HOLDER_ENV {
        if let Some(value) = std::env::var_os(name) {
            command.env(name, value);
        }
    }
    let mut child = command
        .arg(HOLDER_ARG)
        .arg(mode)
        .arg(clear_after.as_secs().to_string())
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .process_group(0)
        .spawn()
        .map_err(ClipboardError::Spawn)?;
    let mut stdin = child.stdin.take();
    if let Some(stdin) = stdin.as_mut() {
        let payload = if mode == "x11" { value } else { "" };
        let mut framed = Zeroizing::new(format!("{}\n", payload.len()).into_bytes());
        framed.extend_from_slice(payload.as_bytes());
        stdin.write_all(&framed).map_err(ClipboardError::Spawn)?;
    }
    if mode == "x11" {
        // The holder writes one line once it owns the selection, or exits.
        let Some(stdout) = child.stdout.take() else {
            return Err(ClipboardError::Unavailable);
        };
        let (tx, rx) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            let mut line = String::new();
            let _ = std::io::BufRead::read_line(&mut std::io::BufReader::new(stdout), &mut line);
            let _ = tx.send(line);
        });
        match rx.recv_timeout(Duration::from_millis(3000)) {
            Ok(line) if line.trim() == "ok" => {}
            _ => return Err(ClipboardError::Unavailable),
        }
    }
    Ok(Holder { stdin, child })
}

/// Writes the OSC 52 "set clipboard" escape for `value` to the terminal.
fn osc52(value: &str) -> Result<(), ClipboardError> {
    let mut tty = OpenOptions::new()
        .write(true)
        .open("/dev/tty")
        .map_err(|_| ClipboardError::Unavailable)?;
    let b64 = Zeroizing::new(data_encoding::BASE64.encode(value.as_bytes()));
    let seq = Zeroizing::new(format!("\x1b]52;c;{}\x07", &*b64));
    tty.write_all(seq.as_bytes())
        .map_err(|_| ClipboardError::Unavailable)
}

/// The holder process: `baton __clipboard-holder MODE SECONDS`, the value
/// on standard input. Returns the exit code.
pub fn holder_main(mode: &str, seconds: &str) -> i32 {
    let secs: u64 = seconds.parse().unwrap_or(20).min(3600);
    let mut stdin = std::io::stdin().lock();
    let Some(value) = read_value(&mut stdin) else {
        return 1;
    };
    // Unlocked again, so that the thread below can read the `C` request.
    drop(stdin);
    let Ok(value) = String::from_utf8(value.to_vec()).map(Zeroizing::new) else {
        return 1;
    };
    let deadline = Instant::now() + Duration::from_secs(secs);
    let x11 = mode == "x11";
    // Waits for `C` on the pipe: clear now and exit.
    let early = value.clone();
    std::thread::spawn(move || {
        let mut b = [0u8; 1];
        if matches!(std::io::stdin().read(&mut b), Ok(1)) && b[0] == b'C' {
            if x11 {
                clear_x11_if_ours(&early);
            } else {
                clear_osc52();
            }
            std::process::exit(0);
        }
    });
    if x11 {
        hold_x11(&value, deadline)
    } else {
        std::thread::sleep(deadline.saturating_duration_since(Instant::now()));
        clear_osc52()
    }
}

/// Reads `LEN\n` and then LEN bytes (at most 64 KiB).
fn read_value(r: &mut impl std::io::BufRead) -> Option<Zeroizing<Vec<u8>>> {
    let mut header = Vec::new();
    std::io::BufRead::read_until(&mut r.by_ref().take(8), b'\n', &mut header).ok()?;
    let len: usize = std::str::from_utf8(header.strip_suffix(b"\n")?)
        .ok()?
        .parse()
        .ok()?;
    if len > 64 * 1024 {
        return None;
    }
    let mut value = Zeroizing::new(vec![0u8; len]);
    r.read_exact(&mut value).ok()?;
    Some(value)
}

fn clear_osc52() -> i32 {
    let Ok(mut tty) = OpenOptions::new().write(true).open("/dev/tty") else {
        return 1;
    };
    let _ = tty.write_all(b"\x1b]52;c;\x07");
    0
}

fn clear_x11_if_ours(value: &str) {
    if let Ok(mut cb) = arboard::Clipboard::new()
        && cb
            .get_text()
            .map(Zeroizing::new)
            .is_ok_and(|t| t.as_str() == value)
    {
        let _ = cb.clear();
    }
}

fn hold_x11(value: &str, deadline: Instant) -> i32 {
    let Ok(mut cb) = arboard::Clipboard::new() else {
        return 1;
    };
    // arboard serves paste requests from its own thread for as long as
    // `cb` lives.
    if cb.set_text(value.to_owned()).is_err() {
        return 1;
    }
    println!("ok");
    let _ = std::io::stdout().flush();
    std::thread::sleep(deadline.saturating_duration_since(Instant::now()));
    clear_x11_if_ours(value);
    0
}
