//! The operating system at Baton's edge: process hardening and memory
//! locking, the terminal passphrase prompt (no echo, fixed-size buffer),
//! the terminal UI's raw key input, the clock, the OS random source and the
//! machine's memory size.

// An IO module (clippy.toml, docs/ARCHITECTURE.md): it may touch files,
// the terminal, the environment, the clock and the OS random source.
#![allow(
    clippy::disallowed_methods,
    clippy::disallowed_macros,
    clippy::disallowed_types
)]

use std::fs::{File, OpenOptions};
use std::io::{Read, Write};

use rustix::termios::{self, LocalModes, OptionalActions};
use zeroize::Zeroizing;

use crate::secret::Passphrase;

/// Longest passphrase accepted from a terminal, in bytes.
pub const MAX_PASSPHRASE: usize = 1024;

/// Replaces Rust's panic hook, which prints the panic's message, with one
/// that prints only where the panic happened: a message could quote a
/// value (PRODUCT.md §2 invariant 1). The terminal UI installs its own on
/// top, which also restores the terminal. Called first thing in `main`.
pub fn install_panic_hook() {
    std::panic::set_hook(Box::new(|info| {
        let at = info.location().map_or_else(String::new, |l| {
            format!(" at {}:{}:{}", l.file(), l.line(), l.column())
        });
        let _ = writeln!(
            std::io::stderr(),
            "baton: internal error{at}. Its own message is not shown, as it could quote a \
             secret. Please report this."
        );
    }));
}

/// Runs `f` with panics unreported, for a caller that catches them itself
/// and reports its own error (a third-party parser that panics on some
/// damaged files). Not for use while other threads may panic.
pub fn with_quiet_panics<T>(f: impl FnOnce() -> T) -> T {
    let previous = std::panic::take_hook();
    std::panic::set_hook(Box::new(|_| {}));
    let out = f();
    std::panic::set_hook(previous);
    out
}

/// Debug builds only: with `BATON_TEST_PANIC=start` in the environment,
/// panics at once with a message quoting `BATON_PASSPHRASE`, so a test can
/// check that the message is not printed. Compiled out of release builds.
#[cfg(debug_assertions)]
pub fn panic_if_asked() {
    if std::env::var("BATON_TEST_PANIC").is_ok_and(|v| v == "start") {
        panic!(
            "deliberate panic (BATON_TEST_PANIC): {}",
            std::env::var("BATON_PASSPHRASE").unwrap_or_default()
        );
    }
}

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

/// Locked memory Baton may need beyond Argon2's: the vault, its decrypted
/// entries, the search index and the terminal UI.
pub const LOCK_HEADROOM: u64 = 1 << 30;

/// `CAP_IPC_LOCK`: locking memory beyond `RLIMIT_MEMLOCK`.
const CAP_IPC_LOCK: u32 = 14;

/// Whether Baton locks its memory (see [`lock_memory`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MemoryLock {
    /// Every page, present and future, as it is first touched.
    All,
    /// Nothing: locking everything under this limit would make a later
    /// allocation (Argon2's) fail.
    Nothing,
}

/// The most locked memory Baton may need on a machine with `ram_bytes`:
/// the largest Argon2 memory it accepts there (the KDF ceiling: 4 GiB,
/// and at most half the RAM) plus [`LOCK_HEADROOM`].
pub fn memory_needed(ram_bytes: u64) -> u64 {
    let ceiling = u64::from(crate::crypto::kdf::CEILING_MEMORY_KIB) * 1024;
    ceiling.min(ram_bytes / 2).saturating_add(LOCK_HEADROOM)
}

/// The decision, from the locked-memory limit once the soft limit is
/// raised to the hard one (`None`: unlimited), whether the process holds
/// `CAP_IPC_LOCK` (the limit does not apply), and what Baton may need.
/// Locking everything under a smaller limit would not fail at once but
/// later, when Argon2 or a large vault allocates: so all or nothing.
pub fn memory_lock_plan(limit: Option<u64>, cap_ipc_lock: bool, needed: u64) -> MemoryLock {
    if cap_ipc_lock || limit.is_none_or(|l| l >= needed) {
        MemoryLock::All
    } else {
        MemoryLock::Nothing
    }
}

/// Whether `/proc/PID/status` text shows `CAP_IPC_LOCK` among the
/// effective capabilities.
pub fn status_has_cap_ipc_lock(status: &str) -> bool {
    status
        .lines()
        .find_map(|l| l.strip_prefix("CapEff:"))
        .and_then(|hex| u64::from_str_radix(hex.trim(), 16).ok())
        .is_some_and(|caps| caps & (1 << CAP_IPC_LOCK) != 0)
}

/// The warning when memory stays unlocked, for a person at a terminal:
/// `limit` is the locked-memory limit that was too small, or `None` when
/// the system refused to lock memory under a limit that allowed it.
pub fn unlocked_memory_warning(limit: Option<u64>, needed: u64) -> String {
    let why = match limit {
        Some(l) => format!(
            "the locked-memory limit is {} and Baton may need {}",
            human_size(l),
            human_size(needed)
        ),
        None => "the system refused".to_owned(),
    };
    format!(
        "warning: Baton cannot lock its memory ({why}), so secrets it holds could be \
         written to swap. Raise the limit (`ulimit -l unlimited` in the shell that starts \
         Baton, or a memlock line in /etc/security/limits.conf) or use encrypted swap."
    )
}

/// `bytes` in MiB, or in GiB from 1 GiB on.
fn human_size(bytes: u64) -> String {
    const MIB: u64 = 1024 * 1024;
    const GIB: u64 = 1024 * MIB;
    if bytes >= GIB && bytes.is_multiple_of(GIB) {
        format!("{} GiB", bytes / GIB)
    } else if bytes >= GIB {
        format!("{:.1} GiB", bytes as f64 / GIB as f64)
    } else {
        format!("{} MiB", bytes.div_ceil(MIB))
    }
}

/// Locks the process's memory where the system allows it, so that no
/// secret is written to swap: raises the soft `RLIMIT_MEMLOCK` to the hard
/// limit and, when that covers [`memory_needed`] (or the process holds
/// `CAP_IPC_LOCK`), calls `mlockall(MCL_CURRENT | MCL_FUTURE |
/// MCL_ONFAULT)`: pages are locked as they are first touched, so nothing
/// is faulted in ahead of use. Otherwise it locks nothing and prints one
/// warning to standard error, only when that is a terminal (a script
/// cannot act on it, and would get it on every command). Called once, by
/// `main`, after [`harden_process`]; a second call does nothing.
pub fn lock_memory() {
    use rustix::mm::{MlockAllFlags, mlockall};
    use rustix::process::{Resource, Rlimit, getrlimit, setrlimit};
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| {
        let hard = getrlimit(Resource::Memlock).maximum;
        let _ = setrlimit(
            Resource::Memlock,
            Rlimit {
                current: hard,
                maximum: hard,
            },
        );
        let limit = getrlimit(Resource::Memlock).current;
        let cap =
            std::fs::read_to_string("/proc/self/status").is_ok_and(|s| status_has_cap_ipc_lock(&s));
        let needed = memory_needed(ram_bytes());
        let warning = match memory_lock_plan(limit, cap, needed) {
            MemoryLock::All => {
                mlockall(MlockAllFlags::CURRENT | MlockAllFlags::FUTURE | MlockAllFlags::ONFAULT)
                    .err()
                    .map(|_| unlocked_memory_warning(None, needed))
            }
            MemoryLock::Nothing => Some(unlocked_memory_warning(limit, needed)),
        };
        let _ = MEMORY_WARNING.set(warning);
    });
}

/// Why memory is not locked, when [`lock_memory`] could not lock it.
static MEMORY_WARNING: std::sync::OnceLock<Option<String>> = std::sync::OnceLock::new();

/// The warning to give when [`lock_memory`] could not lock memory: said
/// once, where it will be read and not repeated at every command — by
/// `baton init` on a terminal, and on the terminal UI's unlock screen
/// (the long-lived process that holds the most secrets). `None` when
/// memory is locked or `lock_memory` was not called.
pub fn memory_warning() -> Option<&'static str> {
    MEMORY_WARNING.get().and_then(|w| w.as_deref())
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

/// This machine's name (for the conflict copies OneDrive names after it).
pub fn hostname() -> String {
    rustix::system::uname()
        .nodename()
        .to_string_lossy()
        .into_owned()
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

#[cfg(test)]
mod tests {
    use super::*;

    const MIB: u64 = 1024 * 1024;
    const GIB: u64 = 1024 * MIB;

    #[test]
    fn memory_needed_is_the_kdf_ceiling_plus_headroom() {
        assert_eq!(memory_needed(64 * GIB), 4 * GIB + LOCK_HEADROOM);
        assert_eq!(memory_needed(4 * GIB), 2 * GIB + LOCK_HEADROOM);
    }

    #[test]
    fn memory_is_locked_only_when_the_limit_allows_everything_baton_may_need() {
        let needed = memory_needed(24 * GIB);
        // The usual default: 8 MiB; Argon2 alone needs 64-256 MiB.
        assert_eq!(
            memory_lock_plan(Some(8 * MIB), false, needed),
            MemoryLock::Nothing
        );
        assert_eq!(
            memory_lock_plan(Some(needed - 1), false, needed),
            MemoryLock::Nothing
        );
        assert_eq!(
            memory_lock_plan(Some(needed), false, needed),
            MemoryLock::All
        );
        assert_eq!(memory_lock_plan(None, false, needed), MemoryLock::All);
        // CAP_IPC_LOCK: the limit does not apply.
        assert_eq!(memory_lock_plan(Some(0), true, needed), MemoryLock::All);
    }

    #[test]
    fn cap_ipc_lock_is_read_from_the_effective_set() {
        let status =
            |eff: &str| format!("Name:\tbaton\nCapPrm:\t000001ffffffffff\nCapEff:\t{eff}\n");
        assert!(status_has_cap_ipc_lock(&status("000001fffeffffff")));
        assert!(status_has_cap_ipc_lock(&status("0000000000004000")));
        assert!(!status_has_cap_ipc_lock(&status("0000000000000000")));
        assert!(!status_has_cap_ipc_lock(&status("0000000000003fff")));
        assert!(!status_has_cap_ipc_lock("Name:\tbaton\n"));
    }

    #[test]
    fn the_warning_says_why_and_what_to_do() {
        let w = unlocked_memory_warning(Some(8 * MIB), 5 * GIB);
        assert!(
            w.starts_with("warning: Baton cannot lock its memory"),
            "{w}"
        );
        for part in [
            "8 MiB",
            "5 GiB",
            "swap",
            "ulimit -l unlimited",
            "limits.conf",
        ] {
            assert!(w.contains(part), "{part}: {w}");
        }
        assert!(!w.contains('\n'), "one line: {w}");
        let refused = unlocked_memory_warning(None, 5 * GIB);
        assert!(refused.contains("the system refused"), "{refused}");
        assert_eq!(human_size(3 * GIB / 2), "1.5 GiB");
        assert_eq!(human_size(64 * 1024), "1 MiB");
    }
}
