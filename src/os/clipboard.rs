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
//! never through its arguments or environment.

use std::fs::OpenOptions;
use std::io::Write;
use std::os::unix::process::CommandExt;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use zeroize::Zeroizing;

/// The hidden first argument that makes `baton` act as the clipboard holder.
pub const HOLDER_ARG: &str = "__clipboard-holder";

#[derive(Debug, thiserror::Error)]
pub enum ClipboardError {
    #[error("no clipboard: no display and no terminal for OSC 52")]
    Unavailable,
    #[error("cannot start the clipboard holder: {0}")]
    Spawn(std::io::Error),
}

fn has_display() -> bool {
    std::env::var_os("DISPLAY").is_some_and(|d| !d.is_empty())
}

/// Copies `value`; it is cleared after `clear_after`.
pub fn copy(value: &str, clear_after: Duration) -> Result<(), ClipboardError> {
    let mode = if has_display() {
        "x11"
    } else {
        osc52(value)?;
        "osc52"
    };
    let exe = std::env::current_exe().map_err(ClipboardError::Spawn)?;
    let mut child = Command::new(exe)
        .arg(HOLDER_ARG)
        .arg(mode)
        .arg(clear_after.as_secs().to_string())
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .process_group(0)
        .spawn()
        .map_err(ClipboardError::Spawn)?;
    if let Some(mut stdin) = child.stdin.take() {
        let payload = if mode == "x11" { value } else { "" };
        stdin
            .write_all(payload.as_bytes())
            .map_err(ClipboardError::Spawn)?;
    }
    if mode == "x11" {
        // Wait briefly for the holder to report that it owns the selection.
        let start = Instant::now();
        while start.elapsed() < Duration::from_millis(1500) {
            if let Ok(Some(status)) = child.try_wait() {
                if !status.success() {
                    return Err(ClipboardError::Unavailable);
                }
                break;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
    }
    Ok(())
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
    let Ok(raw) = super::read_bounded(std::io::stdin(), 64 * 1024) else {
        return 1;
    };
    let Ok(value) = std::str::from_utf8(&raw) else {
        return 1;
    };
    let deadline = Instant::now() + Duration::from_secs(secs);
    match mode {
        "x11" => hold_x11(value, deadline),
        _ => {
            std::thread::sleep(deadline.saturating_duration_since(Instant::now()));
            let Ok(mut tty) = OpenOptions::new().write(true).open("/dev/tty") else {
                return 1;
            };
            let _ = tty.write_all(b"\x1b]52;c;\x07");
            0
        }
    }
}

fn hold_x11(value: &str, deadline: Instant) -> i32 {
    use arboard::SetExtLinux;
    let Ok(mut cb) = arboard::Clipboard::new() else {
        return 1;
    };
    // Serves paste requests until the deadline or until another program
    // takes the selection.
    if cb
        .set()
        .wait_until(deadline)
        .text(value.to_owned())
        .is_err()
    {
        return 1;
    }
    if let Ok(mut cb) = arboard::Clipboard::new()
        && cb
            .get_text()
            .map(Zeroizing::new)
            .is_ok_and(|t| t.as_str() == value)
    {
        let _ = cb.clear();
    }
    0
}
