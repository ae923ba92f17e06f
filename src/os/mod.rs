//! The operating system at Baton's edge: process hardening, the terminal
//! passphrase prompt (no echo, fixed-size buffer), the terminal UI's raw
//! key input, the clock, the OS random source and the machine's memory
//! size.

use std::fs::{File, OpenOptions};
use std::io::{Read, Write};

use rustix::termios::{self, LocalModes, OptionalActions};
use zeroize::Zeroizing;

use crate::secret::Passphrase;

/// Longest passphrase accepted from a terminal, in bytes.
pub const MAX_PASSPHRASE: usize = 1024;

/// Disables core dumps and makes the process non-dumpable (no ptrace attach
/// by other processes of the same user, no /proc/PID/mem reads). Called
/// first thing in `main`.
pub fn harden_process() {
    use rustix::process::{Resource, Rlimit, setrlimit};
    let _ = setrlimit(
        Resource::Core,
        Rlimit {
            current: Some(0),
            maximum: Some(0),
        },
    );
    let _ = rustix::process::set_dumpable_behavior(rustix::process::DumpableBehavior::NotDumpable);
}

/// The terminal's input, read raw by the terminal UI: standard input when
/// it is a terminal, else `/dev/tty` (as crossterm would choose).
pub struct TtyInput {
    tty: Option<File>,
}

impl TtyInput {
    pub fn open() -> std::io::Result<TtyInput> {
        if rustix::termios::isatty(std::io::stdin()) {
            Ok(TtyInput { tty: None })
        } else {
            let tty = OpenOptions::new().read(true).open("/dev/tty")?;
            Ok(TtyInput { tty: Some(tty) })
        }
    }

    fn fd(&self) -> rustix::fd::BorrowedFd<'_> {
        use rustix::fd::AsFd;
        match &self.tty {
            Some(f) => f.as_fd(),
            None => rustix::stdio::stdin(),
        }
    }

    /// Waits at most `timeout` for input; true when some is there.
    pub fn wait(&self, timeout: std::time::Duration) -> std::io::Result<bool> {
        use rustix::event::{PollFd, PollFlags, Timespec, poll};
        let ts = Timespec::try_from(timeout).unwrap_or(Timespec {
            tv_sec: i64::MAX,
            tv_nsec: 0,
        });
        let mut fds = [PollFd::from_borrowed_fd(self.fd(), PollFlags::IN)];
        match poll(&mut fds, Some(&ts)) {
            Ok(n) => Ok(n > 0),
            Err(rustix::io::Errno::INTR) => Ok(false),
            Err(e) => Err(e.into()),
        }
    }

    /// Reads what is there into `buf`: `None` when interrupted before
    /// anything came, `Some(0)` at the end of input (the terminal hung up).
    pub fn read(&self, buf: &mut [u8]) -> std::io::Result<Option<usize>> {
        match rustix::io::read(self.fd(), buf) {
            Ok(n) => Ok(Some(n)),
            Err(rustix::io::Errno::INTR | rustix::io::Errno::AGAIN) => Ok(None),
            Err(e) => Err(e.into()),
        }
    }
}

/// Creates or truncates `path` with mode 0600 (a file Baton writes for
/// the owner alone: a report, an export). An existing file keeps its mode,
/// so it is set again.
pub fn create_private(path: &std::path::Path) -> std::io::Result<File> {
    use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
    let f = OpenOptions::new()
        .write(true)
        .create(true)
        .truncate(true)
        .mode(0o600)
        .open(path)?;
    f.set_permissions(std::fs::Permissions::from_mode(0o600))?;
    Ok(f)
}

/// The OS random source (getrandom(2)).
pub fn rng() -> impl rand::CryptoRng {
    rand::rand_core::UnwrapErr(rand::rngs::SysRng)
}

/// Seconds since the Unix epoch.
pub fn now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX))
}

/// Physical memory in bytes (for the KDF ceiling of half the RAM).
pub fn ram_bytes() -> u64 {
    let info = rustix::system::sysinfo();
    (info.totalram as u64).saturating_mul(u64::from(info.mem_unit.max(1)))
}

#[derive(Debug, thiserror::Error)]
pub enum PromptError {
    #[error("no terminal to ask for a passphrase; set BATON_PASSPHRASE or use --passphrase-file")]
    NoTerminal,
    #[error("the passphrase is longer than {MAX_PASSPHRASE} bytes")]
    TooLong,
    #[error("cancelled")]
    Cancelled,
    #[error("terminal error: {0}")]
    Io(#[from] std::io::Error),
}

/// Restores the terminal's modes when dropped, even on an early return.
struct EchoGuard<'a> {
    tty: &'a File,
    saved: termios::Termios,
}

impl Drop for EchoGuard<'_> {
    fn drop(&mut self) {
        let _ = termios::tcsetattr(self.tty, OptionalActions::Now, &self.saved);
    }
}

/// Asks for a passphrase on the controlling terminal without echo, reading
/// into a fixed buffer that is wiped afterwards.
pub fn prompt_passphrase(prompt: &str) -> Result<Passphrase, PromptError> {
    let mut tty = OpenOptions::new()
        .read(true)
        .write(true)
        .open("/dev/tty")
        .map_err(|_| PromptError::NoTerminal)?;
    let saved = termios::tcgetattr(&tty).map_err(|_| PromptError::NoTerminal)?;
    let mut quiet = saved.clone();
    quiet.local_modes.remove(LocalModes::ECHO);
    quiet.local_modes.insert(LocalModes::ECHONL);
    termios::tcsetattr(&tty, OptionalActions::Flush, &quiet).map_err(std::io::Error::from)?;
    let guard = EchoGuard { tty: &tty, saved };
    (&tty).write_all(prompt.as_bytes())?;
    (&tty).flush()?;
    let mut buf = Zeroizing::new([0u8; MAX_PASSPHRASE]);
    let mut len = 0usize;
    let mut byte = [0u8; 1];
    loop {
        let n = (&tty).read(&mut byte)?;
        if n == 0 {
            if len == 0 {
                return Err(PromptError::Cancelled);
            }
            break;
        }
        match byte[0] {
            b'\n' | b'\r' => break,
            3 | 4 if len == 0 => return Err(PromptError::Cancelled),
            127 | 8 => len = len.saturating_sub(1),
            b => {
                if len == MAX_PASSPHRASE {
                    return Err(PromptError::TooLong);
                }
                buf[len] = b;
                len += 1;
            }
        }
    }
    drop(guard);
    let _ = &mut tty;
    Ok(Passphrase::from_slice(&buf[..len]))
}

/// Reads at most `max` bytes from `r` into a buffer allocated once (so no
/// reallocation leaves a copy behind) and wiped on drop. More than `max`
/// bytes is an error rather than a silent truncation.
pub fn read_bounded(r: impl Read, max: usize) -> std::io::Result<Zeroizing<Vec<u8>>> {
    let mut buf = Zeroizing::new(Vec::with_capacity(max + 1));
    r.take(max as u64 + 1).read_to_end(&mut buf)?;
    if buf.len() > max {
        return Err(std::io::Error::new(
            std::io::ErrorKind::InvalidData,
            format!("longer than {max} bytes"),
        ));
    }
    Ok(buf)
}

/// True when standard input and standard output are terminals.
pub fn interactive() -> bool {
    rustix::termios::isatty(std::io::stdin()) && rustix::termios::isatty(std::io::stdout())
}

/// Asks a yes/no question on the terminal; false without a terminal.
pub fn confirm(question: &str) -> bool {
    let Ok(tty) = OpenOptions::new().read(true).write(true).open("/dev/tty") else {
        return false;
    };
    let _ = (&tty).write_all(format!("{question} [y/N] ").as_bytes());
    let mut line = String::new();
    let mut byte = [0u8; 1];
    while let Ok(1) = (&tty).read(&mut byte) {
        if byte[0] == b'\n' {
            break;
        }
        line.push(byte[0] as char);
    }
    matches!(line.trim(), "y" | "Y" | "yes" | "YES" | "Yes")
}

pub mod clipboard;
