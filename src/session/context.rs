//! The environment, read once: where the vault and this machine's state
//! live, who is unlocking, how long to wait for the lock, and the
//! timeouts of the terminal UI and the clipboard. Also the passphrase
//! sources that need no terminal (a file, an environment variable);
//! prompting is the front ends' business.

use std::path::{Path, PathBuf};
use std::time::Duration;

use super::{Error, Result};
use crate::secret::Passphrase;
use crate::{audit, os, store};

/// What the command line's global flags decide; the environment fills in
/// the rest ([`Context::from_env`]).
#[derive(Clone, Debug, Default)]
pub struct Overrides {
    /// `--vault`.
    pub vault: Option<PathBuf>,
    /// `--member`, or a command's own member flag.
    pub member: Option<String>,
    /// `--passphrase-file`.
    pub passphrase_file: Option<PathBuf>,
    /// `--recovery`: unlock with the recovery code.
    pub recovery: bool,
}

/// What the environment and global flags decide.
#[derive(Clone, Debug)]
pub struct Context {
    pub vault: PathBuf,
    pub member: Option<String>,
    pub passphrase_file: Option<PathBuf>,
    pub recovery: bool,
    /// How long a write waits for another process's lock
    /// (`BATON_LOCK_WAIT_MS`, default 5 s).
    pub lock_wait: Duration,
    /// Where this machine keeps what it has seen of each vault's log.
    pub state_dir: Option<PathBuf>,
    /// The terminal UI locks after this long without a key press
    /// (`BATON_IDLE_LOCK_SECONDS`, 10 to 86,400; default 300).
    pub idle_lock: Duration,
    /// A copied value is cleared after this long
    /// (`BATON_CLIPBOARD_SECONDS`, 1 to 3,600; default 20).
    pub clipboard_clear: Duration,
    /// An X display is set (`DISPLAY`): copy to the X clipboard rather
    /// than through the terminal (OSC 52).
    pub display: bool,
    /// `BATON_PASSPHRASE` was set (scripts): no prompt.
    pub env_passphrase: bool,
}

impl Context {
    /// Reads the environment: `BATON_VAULT`, `BATON_MEMBER`,
    /// `XDG_DATA_HOME`, `XDG_STATE_HOME`, `HOME`, `BATON_LOCK_WAIT_MS`,
    /// `BATON_IDLE_LOCK_SECONDS`, `BATON_CLIPBOARD_SECONDS`, `DISPLAY`.
    pub fn from_env(o: Overrides) -> Result<Self> {
        let vault = match o
            .vault
            .or_else(|| std::env::var_os("BATON_VAULT").map(PathBuf::from))
        {
            Some(p) => p,
            None => store::default_vault_path(
                std::env::var_os("XDG_DATA_HOME").map(PathBuf::from),
                std::env::var_os("HOME").map(PathBuf::from),
            )
            .ok_or_else(|| {
                Error::invalid("cannot find a place for the vault: set --vault or BATON_VAULT")
            })?,
        };
        let member = o
            .member
            .or_else(|| std::env::var("BATON_MEMBER").ok().filter(|s| !s.is_empty()));
        let number = |var: &str| std::env::var(var).ok().and_then(|s| s.parse::<u64>().ok());
        let lock_wait =
            number("BATON_LOCK_WAIT_MS").map_or(Duration::from_secs(5), Duration::from_millis);
        let idle = number("BATON_IDLE_LOCK_SECONDS")
            .filter(|s| (10..=86_400).contains(s))
            .unwrap_or(300);
        let clipboard = number("BATON_CLIPBOARD_SECONDS")
            .filter(|s| (1..=3600).contains(s))
            .unwrap_or(20);
        let state_dir = store::default_state_dir(
            std::env::var_os("XDG_STATE_HOME").map(PathBuf::from),
            std::env::var_os("HOME").map(PathBuf::from),
        );
        Ok(Context {
            vault,
            member,
            passphrase_file: o.passphrase_file,
            recovery: o.recovery,
            lock_wait,
            state_dir,
            idle_lock: Duration::from_secs(idle),
            clipboard_clear: Duration::from_secs(clipboard),
            display: std::env::var_os("DISPLAY").is_some_and(|d| !d.is_empty()),
            env_passphrase: std::env::var_os("BATON_PASSPHRASE").is_some(),
        })
    }

    /// A context for the vault at `vault` that reads nothing from the
    /// environment: the owner, no passphrase source, the default timeouts.
    pub fn at(vault: PathBuf, state_dir: Option<PathBuf>) -> Self {
        Context {
            vault,
            member: None,
            passphrase_file: None,
            recovery: false,
            lock_wait: Duration::from_secs(5),
            state_dir,
            idle_lock: Duration::from_secs(300),
            clipboard_clear: Duration::from_secs(20),
            display: false,
            env_passphrase: false,
        }
    }

    /// A context for a vault of its own at `vault`, keeping what this
    /// machine sees of it under `state_dir` (the demo), with this
    /// context's timeouts and clipboard.
    pub fn isolated(&self, vault: PathBuf, state_dir: PathBuf) -> Self {
        Context {
            lock_wait: self.lock_wait,
            idle_lock: self.idle_lock,
            clipboard_clear: self.clipboard_clear,
            display: self.display,
            ..Context::at(vault, Some(state_dir))
        }
    }

    /// Who holds the lock, as another process reports it.
    pub fn holder(&self, what: &str) -> String {
        format!(
            "pid {}, {}: baton {what}",
            std::process::id(),
            self.member.as_deref().unwrap_or("owner")
        )
    }

    /// What this machine saw of the vault's log (nothing when it has no
    /// state directory).
    pub fn seen(&self, vault_id: &[u8; 16]) -> Result<audit::HighWater> {
        match &self.state_dir {
            Some(dir) => Ok(store::read_high_water(dir, vault_id)?),
            None => Ok(audit::HighWater::EMPTY),
        }
    }

    /// Remembers the log head. A failure weakens rollback detection but
    /// loses nothing: it is returned as a warning to show, not an error.
    #[must_use]
    pub fn remember(&self, vault_id: &[u8; 16], head: &crate::format::LogHead) -> Option<String> {
        let dir = self.state_dir.as_ref()?;
        store::write_high_water(dir, vault_id, head).err().map(|e| {
            format!(
                "warning: cannot remember the access-log position ({e}); rollback detection is weaker"
            )
        })
    }

    /// The files an export or a report must never be written onto: the
    /// vault's, and this machine's high-water marks.
    pub fn protected(&self) -> store::Protected<'_> {
        store::Protected {
            vault: &self.vault,
            state_dir: self.state_dir.as_deref(),
        }
    }

    /// The passphrase that needs no terminal: `--passphrase-file`, else
    /// `BATON_PASSPHRASE`; `None` when the member must be asked.
    pub fn unattended_passphrase(&self) -> Result<Option<Passphrase>> {
        if let Some(p) = &self.passphrase_file {
            return passphrase_from_file(p).map(Some);
        }
        Ok(env_passphrase("BATON_PASSPHRASE"))
    }
}

/// Reads a passphrase from a file: its first line, without the line end.
pub fn passphrase_from_file(path: &Path) -> Result<Passphrase> {
    let bytes = std::fs::File::open(path)
        .and_then(|f| os::read_bounded(f, os::MAX_PASSPHRASE + 2))
        .map_err(|e| Error::failed(format!("cannot read {}: {e}", path.display())))?;
    let end = bytes
        .iter()
        .position(|&b| b == b'\n')
        .unwrap_or(bytes.len());
    let line = &bytes[..end];
    let line = line.strip_suffix(b"\r").unwrap_or(line);
    Ok(Passphrase::from_slice(line))
}

/// A passphrase from the environment variable `var`, if set.
pub fn env_passphrase(var: &str) -> Option<Passphrase> {
    std::env::var_os(var).map(|v| {
        let s = zeroize::Zeroizing::new(v.into_encoded_bytes());
        Passphrase::from_slice(&s)
    })
}

/// Refuses an empty or non-UTF-8 passphrase; returns a warning for a short
/// one, for the front end to show.
pub fn validate_new_passphrase(p: &Passphrase) -> Result<Option<&'static str>> {
    if p.is_empty() {
        return Err(Error::invalid("the passphrase is empty"));
    }
    if std::str::from_utf8(p.expose()).is_err() {
        return Err(Error::invalid("the passphrase is not valid UTF-8"));
    }
    Ok((p.len() < 12).then_some(
        "a passphrase under 12 characters is easy to guess; consider `baton gen --words 6`",
    ))
}

/// A recovery code as typed: case and separators do not matter.
pub fn normalize_recovery(raw: &[u8]) -> Passphrase {
    let mut out = zeroize::Zeroizing::new(Vec::with_capacity(raw.len()));
    out.extend(
        raw.iter()
            .filter(|b| b.is_ascii_alphanumeric())
            .map(u8::to_ascii_uppercase),
    );
    Passphrase::from_slice(&out)
}
