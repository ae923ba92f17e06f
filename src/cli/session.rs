//! The session around one command: where the vault and this machine's
//! state live, how the passphrase is obtained, opening under the lock,
//! saving, and the one path by which a secret leaves the vault — [`reveal`],
//! which writes the signed access-log record durably before anything is
//! shown (fail-closed).

use std::path::{Path, PathBuf};
use std::time::Duration;

use super::args::Cli;
use super::{CliError, Exit};
use crate::audit::{self, Action, Draft, Field};
use crate::format::{Role, read, write};
use crate::secret::Passphrase;
use crate::vault::{self, Credential, Entry, EntryRef, Vault};
use crate::{os, store};

pub type Result<T> = std::result::Result<T, CliError>;

/// What the environment and global flags decide.
#[derive(Clone)]
pub struct Context {
    pub vault: PathBuf,
    pub member: Option<String>,
    pub passphrase_file: Option<PathBuf>,
    pub recovery: bool,
    pub lock_wait: Duration,
    /// Where this machine keeps what it has seen of each vault's log.
    pub state_dir: Option<PathBuf>,
}

impl Context {
    pub fn from_env(cli: &Cli) -> Result<Self> {
        let vault = match cli
            .vault
            .clone()
            .or_else(|| std::env::var_os("BATON_VAULT").map(PathBuf::from))
        {
            Some(p) => p,
            None => store::default_vault_path(
                std::env::var_os("XDG_DATA_HOME").map(PathBuf::from),
                std::env::var_os("HOME").map(PathBuf::from),
            )
            .ok_or_else(|| {
                CliError::usage("cannot find a place for the vault: set --vault or BATON_VAULT")
            })?,
        };
        let member = cli
            .member
            .clone()
            .or_else(|| {
                cli.command
                    .as_ref()
                    .and_then(|c| c.who())
                    .map(str::to_owned)
            })
            .or_else(|| std::env::var("BATON_MEMBER").ok().filter(|s| !s.is_empty()));
        let lock_wait = std::env::var("BATON_LOCK_WAIT_MS")
            .ok()
            .and_then(|s| s.parse::<u64>().ok())
            .map_or(Duration::from_secs(5), Duration::from_millis);
        let state_dir = store::default_state_dir(
            std::env::var_os("XDG_STATE_HOME").map(PathBuf::from),
            std::env::var_os("HOME").map(PathBuf::from),
        );
        Ok(Context {
            vault,
            member,
            passphrase_file: cli.passphrase_file.clone(),
            recovery: cli.recovery,
            lock_wait,
            state_dir,
        })
    }

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
            Some(dir) => store::read_high_water(dir, vault_id).map_err(CliError::from),
            None => Ok(audit::HighWater::EMPTY),
        }
    }

    /// Remembers the log head; a failure is a warning, not an error.
    pub fn remember(&self, vault_id: &[u8; 16], head: &crate::format::LogHead) {
        if let Some(dir) = &self.state_dir
            && let Err(e) = store::write_high_water(dir, vault_id, head)
        {
            eprintln!(
                "warning: cannot remember the access-log position ({e}); rollback detection is weaker"
            );
        }
    }
}

/// Reads a passphrase from a file: its first line, without the line end.
pub fn passphrase_from_file(path: &Path) -> Result<Passphrase> {
    let bytes = std::fs::File::open(path)
        .and_then(|f| os::read_bounded(f, os::MAX_PASSPHRASE + 2))
        .map_err(|e| CliError::other(format!("cannot read {}: {e}", path.display())))?;
    let end = bytes
        .iter()
        .position(|&b| b == b'\n')
        .unwrap_or(bytes.len());
    let line = &bytes[..end];
    let line = line.strip_suffix(b"\r").unwrap_or(line);
    Ok(Passphrase::from_slice(line))
}

pub fn env_passphrase(var: &str) -> Option<Passphrase> {
    std::env::var_os(var).map(|v| {
        let s = zeroize::Zeroizing::new(v.into_encoded_bytes());
        Passphrase::from_slice(&s)
    })
}

/// The passphrase that unlocks: --passphrase-file, BATON_PASSPHRASE, or asked.
pub fn current_passphrase(ctx: &Context, prompt: &str) -> Result<Passphrase> {
    if let Some(p) = &ctx.passphrase_file {
        return passphrase_from_file(p);
    }
    if let Some(p) = env_passphrase("BATON_PASSPHRASE") {
        return Ok(p);
    }
    os::prompt_passphrase(prompt).map_err(|e| CliError::other(e.to_string()))
}

/// A new passphrase: from `env_var` if set, else asked twice.
pub fn new_passphrase(env_var: Option<&str>, who: &str) -> Result<Passphrase> {
    let p = match env_var.and_then(env_passphrase) {
        Some(p) => p,
        None => {
            let a = os::prompt_passphrase(&format!("New passphrase for {who}: "))
                .map_err(|e| CliError::other(e.to_string()))?;
            let b =
                os::prompt_passphrase("Repeat it: ").map_err(|e| CliError::other(e.to_string()))?;
            if a.expose() != b.expose() {
                return Err(CliError::other(
                    "the two passphrases differ; nothing was changed",
                ));
            }
            a
        }
    };
    check_new_passphrase(&p)?;
    Ok(p)
}

/// Checks a new passphrase; warns on standard error when it is short.
pub fn check_new_passphrase(p: &Passphrase) -> Result<()> {
    if let Some(w) = validate_new_passphrase(p)? {
        eprintln!("warning: {w}");
    }
    Ok(())
}

/// Refuses an empty or non-UTF-8 passphrase; returns a warning for a short
/// one. Prints nothing (the terminal UI shows the warning itself).
pub fn validate_new_passphrase(p: &Passphrase) -> Result<Option<&'static str>> {
    if p.is_empty() {
        return Err(CliError::usage("the passphrase is empty"));
    }
    if std::str::from_utf8(p.expose()).is_err() {
        return Err(CliError::usage("the passphrase is not valid UTF-8"));
    }
    Ok((p.len() < 12).then_some(
        "a passphrase under 12 characters is easy to guess; consider `baton gen --words 6`",
    ))
}

/// An unlocked vault with what is needed to record and save.
pub struct Session {
    pub vault: Vault,
    pub path: PathBuf,
    fingerprint: store::Fingerprint,
    /// The fingerprint without a torn final frame, when the file had one.
    untorn: Option<store::Fingerprint>,
    /// Where the next log frame goes (everything but a torn frame).
    valid_len: u64,
    lock: Option<store::VaultLock>,
    /// Warnings from opening (file permissions, no lock).
    notices: Vec<String>,
    /// A seal whose write failed: the vault in memory is ahead of the
    /// file, so nothing may be appended until a save succeeds.
    unsaved: bool,
}

/// Opens the vault under its lock, held until the command ends, so that
/// no other process can interleave a change. Read-only commands go on
/// without the lock when it cannot be taken for a reason other than
/// another holder (a read-only directory), and then record nothing. The
/// passphrase (or recovery code) is asked only once the file has parsed.
pub fn open(ctx: &Context, write: bool, what: &str) -> Result<Session> {
    let loaded = load(ctx, write, what)?;
    let secret = if ctx.recovery {
        current_passphrase(ctx, "Recovery code: ")?
    } else {
        let who = ctx.member.as_deref().unwrap_or("the owner");
        current_passphrase(ctx, &format!("Passphrase for {who}: "))?
    };
    let session = unlock_loaded(ctx, loaded, ctx.member.as_deref(), &secret, ctx.recovery)?;
    if what != "passwd" {
        session.refuse_if_passphrase_change_due()?;
    }
    for w in session.warnings() {
        eprintln!("{w}");
    }
    Ok(session)
}

/// A vault file read and checked under its lock, not yet unlocked.
pub struct Loaded {
    file: read::VerifiedFile,
    fingerprint: store::Fingerprint,
    untorn: Option<store::Fingerprint>,
    lock: Option<store::VaultLock>,
    warnings: Vec<String>,
}

/// Takes the lock (see [`open`]), reads, and checks the file's structure,
/// signatures and seal; no passphrase needed.
pub fn load(ctx: &Context, write: bool, what: &str) -> Result<Loaded> {
    let mut warnings = Vec::new();
    let lock = match store::lock(&ctx.vault, &ctx.holder(what), ctx.lock_wait) {
        Ok(l) => Some(l),
        Err(e @ store::StoreError::Locked { .. }) => return Err(e.into()),
        Err(e) if write => return Err(e.into()),
        Err(e) => {
            if ctx.vault.exists() {
                warnings.push(format!(
                    "warning: opening without the lock ({e}); this access is not recorded"
                ));
            }
            None
        }
    };
    let bytes = store::read(&ctx.vault)?;
    let fingerprint = store::Fingerprint::of(&bytes);
    warnings.extend(store::permission_warnings(&ctx.vault));
    let file = read::parse(&bytes)?;
    // A torn final frame is cut off by the first append: from then on the
    // file is the bytes before it plus what this session appends.
    let untorn = file
        .torn_tail
        .then(|| store::Fingerprint::of(&bytes[..file.valid_len]));
    Ok(Loaded {
        file,
        fingerprint,
        untorn,
        lock,
        warnings,
    })
}

/// Unlocks a loaded file as `member` (the founding owner when `None`)
/// with a passphrase, or with the recovery code when `recovery` is set.
pub fn unlock_loaded(
    ctx: &Context,
    loaded: Loaded,
    member: Option<&str>,
    secret: &Passphrase,
    recovery: bool,
) -> Result<Session> {
    let Loaded {
        file,
        fingerprint,
        untorn,
        lock,
        warnings,
    } = loaded;
    let valid_len = file.valid_len as u64;
    let seen = ctx.seen(&file.snapshot.vault_id)?;
    let code;
    let cred = if recovery {
        code = normalize_recovery(secret.expose());
        Credential::Recovery { code: &code }
    } else {
        Credential::Passphrase {
            member,
            passphrase: secret,
        }
    };
    let vault = vault::unlock(file, cred, os::now(), os::ram_bytes(), &seen)?;
    ctx.remember(vault.vault_id(), &vault.log_head());
    Ok(Session {
        vault,
        path: ctx.vault.clone(),
        fingerprint,
        untorn,
        valid_len,
        lock,
        unsaved: false,
        notices: warnings,
    })
}

impl Session {
    /// What the member should be told on unlocking, each line starting
    /// with "warning:".
    pub fn warnings(&self) -> Vec<String> {
        let mut w = self.notices.clone();
        if self.vault.weak_kdf() {
            w.push("warning: this vault was created with --weak-kdf; its passphrases are cheap to guess. Use it for tests and demos only.".into());
        }
        if self.vault.is_owner() {
            let expired = self.vault.expired_members(os::now());
            if !expired.is_empty() {
                let names: Vec<String> = expired
                    .iter()
                    .map(|m| {
                        format!(
                            "{} (expired {})",
                            crate::cli::output::clean(&m.name),
                            crate::dates::format_date(m.expires_at.unwrap_or_default())
                        )
                    })
                    .collect();
                w.push(format!(
                    "warning: {} membership(s) past their expiry still hold keys: {}. Run `baton member sweep` to revoke them and re-key what they held.",
                    expired.len(),
                    names.join(", ")
                ));
            }
        }
        if self.vault.torn_tail() {
            w.push("warning: the vault's last access-log record was cut short by a crash; it was never acknowledged and is dropped".into());
        }
        w
    }

    /// Writes the queued records and the vault, atomically. If the write
    /// fails, the vault in memory already holds what was sealed; a later
    /// save writes it all again, and until then nothing is appended.
    pub fn save(&mut self, ctx: &Context) -> Result<()> {
        let Some(lock) = self.lock.as_ref() else {
            return Err(CliError::other(
                "the vault's lock could not be taken, so nothing can be saved",
            ));
        };
        let backups = if self.vault.revocation_unsaved() {
            store::Backups::Drop
        } else {
            store::Backups::Rotate
        };
        let bytes = self.vault.seal(os::now(), &mut os::rng())?;
        self.unsaved = true;
        store::save_with(&self.path, &bytes, &self.fingerprint.value(), lock, backups)?;
        self.unsaved = false;
        self.vault.saved_revocation();
        self.fingerprint = store::Fingerprint::of(&bytes);
        self.untorn = None;
        self.valid_len = bytes.len() as u64;
        ctx.remember(self.vault.vault_id(), &self.vault.log_head());
        Ok(())
    }

    /// Refuses (exit 6) a member who was added with `--must-change` and has
    /// not yet chosen their own passphrase.
    pub fn refuse_if_passphrase_change_due(&self) -> Result<()> {
        if !self.vault.passphrase_change_due() {
            return Ok(());
        }
        let name = crate::cli::output::clean(&self.vault.me().name).into_owned();
        Err(CliError::new(
            Exit::Denied,
            format!(
                "{name} must choose their own passphrase before anything else: baton passwd --member {name}"
            ),
        ))
    }

    /// Whether a save failed and its changes are only in memory.
    pub fn is_unsaved(&self) -> bool {
        self.unsaved
    }

    /// Appends one signed record and syncs it to disk. Returns only once
    /// the record is durable.
    pub fn record(&mut self, ctx: &Context, draft: Draft) -> Result<()> {
        let Some(lock) = self.lock.as_ref() else {
            return Err(CliError::other(
                "the vault's lock could not be taken, so the access cannot be recorded",
            ));
        };
        if self.unsaved {
            return Err(CliError::other(
                "the last save failed, so the access log cannot be extended until a save succeeds; nothing was revealed",
            ));
        }
        let bytes = self.vault.prepare_record(draft, &mut os::rng());
        if bytes.len() > crate::format::MAX_RECORD_LEN {
            return Err(CliError::other(
                "the access-log record would be too long; nothing was revealed",
            ));
        }
        let frame = write::log_frame(&bytes);
        store::append_frame(&self.path, &frame, self.valid_len, lock).map_err(|e| {
            CliError::other(format!(
                "the access log could not be written ({e}); nothing was revealed"
            ))
        })?;
        self.valid_len += frame.len() as u64;
        self.vault.accept_record(bytes)?;
        // The file changed: a later save in this session must not see a conflict.
        if let Some(untorn) = self.untorn.take() {
            self.fingerprint = untorn;
        }
        self.fingerprint.extend(&frame);
        ctx.remember(self.vault.vault_id(), &self.vault.log_head());
        Ok(())
    }

    /// Records that this member unlocked the vault.
    pub fn try_record_unlock(&mut self, ctx: &Context) -> Result<()> {
        self.record(ctx, Draft::new(os::now(), Action::Unlock))
    }

    /// Records that this member looked at the vault; best effort.
    pub fn record_unlock(&mut self, ctx: &Context) {
        if self.lock.is_none() {
            return;
        }
        if let Err(e) = self.try_record_unlock(ctx) {
            eprintln!(
                "warning: {}",
                e.message.replace("; nothing was revealed", "")
            );
        }
    }
}

/// What a reveal shows.
#[derive(Clone, Copy)]
pub enum Revealed<'a> {
    Field(&'a str),
    TotpCode,
    /// The TOTP seed itself, as an otpauth URI or its QR code.
    TotpSeed,
    BackupCodes,
}

/// The one path by which a secret leaves the vault: the member's role is
/// checked, a signed record is appended and synced (fail-closed: if that
/// fails, nothing is shown), and only then may `show` print or copy.
pub fn reveal<T>(
    s: &mut Session,
    ctx: &Context,
    r: EntryRef,
    what: Revealed<'_>,
    copy: bool,
    show: impl FnOnce(&Entry) -> Result<T>,
) -> Result<T> {
    if s.vault.me().role == Role::Auditor {
        return Err(CliError::new(
            Exit::Denied,
            "auditors read the access log but see no secret",
        ));
    }
    let e = s.vault.entry(r);
    let (field, note) = match what {
        Revealed::Field(f) => match f.to_ascii_lowercase().as_str() {
            "password" => (Field::Password, None),
            "username" => (Field::Username, None),
            "notes" => (Field::Notes, None),
            "url" => (Field::Url, None),
            "totp" => (Field::TotpCode, None),
            _ => (Field::Custom, e.field(f).map(|cf| cf.name.clone())),
        },
        Revealed::TotpCode => (Field::TotpCode, None),
        Revealed::TotpSeed => (Field::TotpSeed, None),
        Revealed::BackupCodes => (Field::BackupCodes, None),
    };
    let mut details = s.vault.details_for(r);
    details.note = note;
    let draft = Draft {
        entry: Some(e.id.0),
        group: Some(s.vault.group_id(r)),
        field: Some(field),
        details: Some(details),
        ..Draft::new(os::now(), if copy { Action::Copy } else { Action::Reveal })
    };
    s.record(ctx, draft)?;
    show(s.vault.entry(r))
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
