//! Opening and saving: a vault file loaded and checked under its lock
//! ([`load`]), unlocked into a [`Session`] ([`unlock_loaded`]), saved
//! atomically, extended by durable log records, and [`reveal`] — the one
//! path by which a secret leaves the vault, which writes the signed
//! access-log record durably before anything is shown (fail-closed).

use std::path::PathBuf;

use super::context::normalize_recovery;
use super::{Context, Error, Result};
use crate::audit::{Action, Draft, Field};
use crate::format::{read, write};
use crate::secret::Passphrase;
use crate::vault::{self, Credential, Entry, EntryRef, Vault};
use crate::{os, store};

/// Where a session's late warnings go.
type WarningSink = Box<dyn FnMut(&str) + Send>;

/// An unlocked vault with what is needed to record and save.
pub struct Session {
    pub vault: Vault,
    pub path: PathBuf,
    fingerprint: store::Fingerprint,
    /// The fingerprint without a torn final frame, when the file had one.
    untorn: Option<store::Fingerprint>,
    /// Where the next log frame goes (everything but a torn frame).
    valid_len: u64,
    /// The file as read (and as this session appended to it), checked
    /// before each append so that nothing past it is cut or overwritten.
    seen: store::Seen,
    /// When the lock is taken only for each write (a long-lived session):
    /// who holds it, as others are told, and how long to wait for it.
    relock: Option<(String, std::time::Duration)>,
    /// Warnings from opening (file permissions, no lock).
    notices: Vec<String>,
    /// A seal whose write failed: the vault in memory is ahead of the
    /// file, so nothing may be appended until a save succeeds.
    unsaved: bool,
    /// Where warnings that arise after opening go (a high-water mark that
    /// cannot be written); kept until taken when no front end listens.
    on_warning: Option<WarningSink>,
    late_warnings: Vec<String>,
    /// A write merged with (or took in) a file another writer changed:
    /// the vault in memory was rebuilt, and places in it (an
    /// [`EntryRef`]) taken before may name other entries now.
    rebased: bool,
}

/// A vault file read and checked under its lock, not yet unlocked.
pub struct Loaded {
    file: read::VerifiedFile,
    fingerprint: store::Fingerprint,
    untorn: Option<store::Fingerprint>,
    file_seen: store::Seen,
    /// The lock could be taken: the session takes it again for each write.
    relock: Option<(String, std::time::Duration)>,
    warnings: Vec<String>,
}

impl Loaded {
    /// The vault id of the file read.
    pub fn vault_id(&self) -> &crate::format::VaultId {
        &self.file.snapshot.vault_id
    }
}

/// Reads the vault under its lock and checks the file's structure,
/// signatures and seal; no passphrase needed. The lock is released once
/// the bytes are read: a session takes it again for the instant of each
/// write, and a write onto a file that moved on meanwhile merges with it
/// (optimistic concurrency), so no one waits while another types a
/// passphrase or sits in the terminal UI.
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
    let (bytes, id) = store::read_with_id(&ctx.vault)?;
    let fingerprint = store::Fingerprint::of(&bytes);
    warnings.extend(store::permission_warnings(&ctx.vault));
    let file = read::parse(&bytes)?;
    // A torn final frame is cut off by the first append: from then on the
    // file is the bytes before it plus what this session appends.
    let untorn = file
        .torn_tail
        .then(|| store::Fingerprint::of(&bytes[..file.valid_len]));
    let file_seen = store::Seen::new(id, &bytes, file.sealed_len, file.valid_len);
    let relock = lock.map(|l| {
        drop(l);
        (ctx.holder(what), ctx.lock_wait)
    });
    Ok(Loaded {
        file,
        fingerprint,
        untorn,
        file_seen,
        relock,
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
    unlock_seeing(ctx, loaded, member, secret, recovery, Remembered::Checked)
}

/// As [`unlock_loaded`], for a file that may hold less than this machine
/// saw: for a merge with a copy that holds all of it, after which the
/// vault holds everything again.
pub fn unlock_behind(
    ctx: &Context,
    loaded: Loaded,
    member: Option<&str>,
    secret: &Passphrase,
    recovery: bool,
) -> Result<Session> {
    unlock_seeing(ctx, loaded, member, secret, recovery, Remembered::Lifted)
}

/// Whether an unlock compares the log with what this machine remembers.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Remembered {
    Checked,
    /// `accept-older`: the file may hold less than this machine saw.
    Lifted,
}

/// What [`accept_older`] accepted: how many log records this machine had
/// seen, and how many the copy holds (its acceptance record not counted).
pub struct Accepted {
    pub seen: u64,
    pub holds: u64,
}

/// `baton accept-older`: unlocks a copy of the vault that holds less than
/// this machine saw (a backup put back, an older synced copy), which any
/// other command refuses as rolled back; writes and saves an
/// `accept-older` record whose sealed note says how much older it is; and
/// makes this machine remember the copy's log from now on. Every other
/// check of the file stays. `None` when the copy holds everything this
/// machine saw (nothing is written).
pub fn accept_older(
    ctx: &Context,
    loaded: Loaded,
    member: Option<&str>,
    secret: &Passphrase,
    recovery: bool,
) -> Result<(Session, Option<Accepted>)> {
    let vault_id = loaded.file.snapshot.vault_id;
    let remembered = ctx.seen(&vault_id)?;
    let mut s = unlock_seeing(ctx, loaded, member, secret, recovery, Remembered::Lifted)?;
    if crate::audit::check_high_water(&remembered, s.vault.log()).is_ok() {
        return Ok((s, None));
    }
    let holds = s.vault.log_head().count;
    let head = data_encoding::HEXLOWER.encode(&remembered.hash);
    s.vault.note(Draft {
        details: Some(crate::audit::Details {
            title: None,
            group: None,
            note: Some(format!(
                "this machine had seen {} records (head {}); this copy holds {holds}",
                remembered.count,
                &head[..16]
            )),
        }),
        ..Draft::new(os::now(), Action::AcceptOlder)
    });
    s.save(ctx)?;
    if let Some(dir) = &ctx.state_dir {
        store::replace_high_water(dir, &vault_id, &s.vault.log_head())?;
    }
    Ok((
        s,
        Some(Accepted {
            seen: remembered.count,
            holds,
        }),
    ))
}

fn unlock_seeing(
    ctx: &Context,
    loaded: Loaded,
    member: Option<&str>,
    secret: &Passphrase,
    recovery: bool,
    remembered: Remembered,
) -> Result<Session> {
    let Loaded {
        file,
        fingerprint,
        untorn,
        file_seen,
        relock,
        warnings,
    } = loaded;
    let valid_len = file.valid_len as u64;
    let seen = match remembered {
        Remembered::Checked => ctx.seen(&file.snapshot.vault_id)?,
        Remembered::Lifted => crate::audit::HighWater::EMPTY,
    };
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
    let mut vault = match vault::unlock(file, cred, os::now(), os::ram_bytes(), &seen) {
        Ok(v) => v,
        // Behind what this machine saw because the file moved on while
        // this process waited (another process wrote it): say that, not
        // that it was rolled back.
        Err(vault::VaultError::RolledBack(_)) if !file_seen.still_at(&ctx.vault) => {
            return Err(store::StoreError::MovedOn(ctx.vault.clone()).into());
        }
        Err(e) => return Err(e.into()),
    };
    vault.set_writer(rand::Rng::next_u32(&mut os::rng()));
    let mut warnings = warnings;
    warnings.extend(ctx.remember(vault.vault_id(), &vault.log_head()));
    let upgrade = vault.file_version() != crate::format::FORMAT_VERSION;
    if upgrade && !vault.is_owner() {
        warnings.push(format!(
            "warning: this vault is in format version {}: it can be read and revealed (every reveal recorded), but nothing can be changed until an owner unlocks it once, which upgrades it",
            vault.file_version()
        ));
    }
    let upgrade = upgrade && vault.is_owner();
    if upgrade {
        if vault.torn_tail() {
            warnings.push("warning: the vault's last access-log record was cut short by a crash; it was never acknowledged and is dropped".into());
        }
        if let Err(e) = vault.upgrade(os::now()) {
            warnings.push(format!(
                "warning: this vault is in format version {} and could not be upgraded ({e}); it can be read, but not changed",
                vault.file_version()
            ));
        }
    }
    let upgrade = upgrade && vault.file_version() == crate::format::FORMAT_VERSION;
    let mut s = Session {
        vault,
        path: ctx.vault.clone(),
        fingerprint,
        untorn,
        valid_len,
        seen: file_seen,
        relock,
        unsaved: false,
        notices: warnings,
        on_warning: None,
        late_warnings: Vec::new(),
        rebased: false,
    };
    if upgrade {
        s.save(ctx)?;
        s.notices.push(format!(
            "warning: the vault was upgraded to format version {}; Baton releases older than this one cannot open it",
            crate::format::FORMAT_VERSION
        ));
    }
    Ok(s)
}

impl Session {
    /// Sends warnings that arise from now on (after [`Session::warnings`]
    /// was shown) to `f`.
    pub fn on_warning(&mut self, mut f: impl FnMut(&str) + Send + 'static) {
        for w in self.late_warnings.drain(..) {
            f(&w);
        }
        self.on_warning = Some(Box::new(f));
    }

    pub(super) fn warn(&mut self, w: String) {
        match self.on_warning.as_mut() {
            Some(f) => f(&w),
            None => self.late_warnings.push(w),
        }
    }

    /// Warnings that arose after opening and were not sent anywhere.
    pub fn take_late_warnings(&mut self) -> Vec<String> {
        std::mem::take(&mut self.late_warnings)
    }

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
                            crate::text::clean(&m.name),
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
        let bytes = self.vault.seal(os::now(), &mut os::rng())?;
        self.unsaved = true;
        match self.write_bytes(&bytes, bytes.len(), self.backups()) {
            Err(e) if e.moved_on() => self.rebase()?,
            r => r?,
        }
        self.unsaved = false;
        self.vault.saved_revocation();
        if let Some(w) = ctx.remember(self.vault.vault_id(), &self.vault.log_head()) {
            self.warn(w);
        }
        Ok(())
    }

    /// The vault's lock, taken for the instant of one write; `None` when
    /// the lock file could not be opened when the vault was read (a
    /// read-only directory), so that nothing can be written.
    fn lock_to_write(&self) -> Option<std::result::Result<store::VaultLock, store::StoreError>> {
        self.relock
            .as_ref()
            .map(|(holder, wait)| store::lock(&self.path, holder, *wait))
    }

    fn backups(&self) -> store::Backups {
        if self.vault.revocation_unsaved() {
            store::Backups::Drop
        } else {
            store::Backups::Rotate
        }
    }

    /// The file moved on since this session read it (another process or a
    /// sync tool wrote it): under the lock, reads it, merges it with what
    /// this session sealed, and writes the result. Nothing either wrote is
    /// lost; the member is told what was merged.
    fn rebase(&mut self) -> Result<()> {
        let taken = self.lock_to_write().ok_or_else(|| {
            Error::failed("the vault's lock could not be taken, so nothing can be saved")
        })??;
        let lock = &taken;
        let (disk, id) = store::read_with_id(&self.path)?;
        let file = read::parse(&disk)?;
        let sealed_len = file.sealed_len;
        let valid_len = file.valid_len;
        let report = self.vault.merge(file, os::now(), &mut os::rng())?;
        use crate::vault::merge::Relation;
        let note = match report.relation {
            // The file on disk holds everything this session wrote.
            Relation::FastForward => None,
            Relation::Held | Relation::Merged => {
                let bytes = self.vault.seal(os::now(), &mut os::rng())?;
                let backups = self.backups();
                let new_id = store::save_with(
                    &self.path,
                    &bytes,
                    &store::fingerprint(&disk),
                    lock,
                    backups,
                )?;
                self.fingerprint = store::Fingerprint::of(&bytes);
                self.valid_len = bytes.len() as u64;
                self.seen = store::Seen::new(new_id, &bytes, bytes.len(), bytes.len());
                self.untorn = None;
                (report.relation == Relation::Merged).then(|| {
                    format!(
                        "note: the vault changed while this session had it open; both were merged ({} records from the other writer, {} entries, {} conflicts{})",
                        report.records_theirs,
                        report.entries.len(),
                        report.conflicts(),
                        if report.conflicts() > 0 {
                            ": the later change was kept and the other is in the entry's history"
                        } else {
                            ""
                        }
                    )
                })
            }
        };
        if report.relation == Relation::FastForward {
            // The file holds everything this session holds: the session
            // now stands on it, as it is.
            let file = read::parse(&disk)?;
            let torn = file.torn_tail;
            self.vault.adopt(file, os::now())?;
            self.took(&disk, id, sealed_len, valid_len, torn);
        }
        self.vault.saved_revocation();
        self.rebased = true;
        // Said where warnings are shown as they arise (the command line);
        // a front end that collects them says it its own way (the terminal
        // UI, which rebuilds its list).
        if let Some(n) = note
            && self.on_warning.is_some()
        {
            self.warn(n);
        }
        Ok(())
    }

    /// Replaces the vault file with `bytes` (whose seal ends at
    /// `sealed_len`) under the lock, if the file is still the one this
    /// session read (or last wrote).
    pub(super) fn write_bytes(
        &mut self,
        bytes: &[u8],
        sealed_len: usize,
        backups: store::Backups,
    ) -> Result<()> {
        let taken = self.lock_to_write().ok_or_else(|| {
            Error::failed("the vault's lock could not be taken, so nothing can be saved")
        })??;
        let lock = &taken;
        let id = store::save_with(&self.path, bytes, &self.fingerprint.value(), lock, backups)?;
        self.fingerprint = store::Fingerprint::of(bytes);
        self.untorn = None;
        self.valid_len = bytes.len() as u64;
        self.seen = store::Seen::new(id, bytes, sealed_len, bytes.len());
        Ok(())
    }

    /// Refuses (exit 6) a member who was added with `--must-change` and has
    /// not yet chosen their own passphrase.
    pub fn refuse_if_passphrase_change_due(&self) -> Result<()> {
        if !self.vault.passphrase_change_due() {
            return Ok(());
        }
        let name = crate::text::clean(&self.vault.me().name).into_owned();
        Err(Error::denied(format!(
            "{name} must choose their own passphrase before anything else: baton passwd --member {name}"
        )))
    }

    /// Whether the vault's file is still the one this session read or
    /// last wrote, unchanged.
    pub fn file_unchanged(&self) -> bool {
        self.seen.still_at(&self.path)
    }

    /// The session now stands on `bytes`, the vault file as read (its seal
    /// ending at `sealed_len`, whole frames at `valid_len`).
    pub(super) fn took(
        &mut self,
        bytes: &[u8],
        id: store::FileId,
        sealed_len: usize,
        valid_len: usize,
        torn: bool,
    ) {
        self.fingerprint = store::Fingerprint::of(bytes);
        self.untorn = torn.then(|| store::Fingerprint::of(&bytes[..valid_len]));
        self.valid_len = valid_len as u64;
        self.seen = store::Seen::new(id, bytes, sealed_len, valid_len);
    }

    /// Whether a write since the last call merged with a file another
    /// writer changed (see `rebased`); a front end then finds its places
    /// in the vault again.
    pub fn take_rebased(&mut self) -> bool {
        std::mem::take(&mut self.rebased)
    }

    /// Whether a save failed and its changes are only in memory.
    pub fn is_unsaved(&self) -> bool {
        self.unsaved
    }

    /// Appends one signed record and syncs it to disk. Returns only once
    /// the record is durable. When the file moved on since this session
    /// read it, the record is written by a save merged with it instead.
    pub fn record(&mut self, ctx: &Context, draft: Draft) -> Result<()> {
        if self.unsaved {
            return Err(Error::failed(
                "the last save failed, so the access log cannot be extended until a save succeeds; nothing was revealed",
            ));
        }
        let retry = draft.clone();
        let bytes = self.vault.prepare_record(draft, &mut os::rng());
        if bytes.len() > crate::format::MAX_RECORD_LEN {
            return Err(Error::failed(
                "the access-log record would be too long; nothing was revealed",
            ));
        }
        let frame = write::log_frame(&bytes);
        let appended = {
            let taken = self
                .lock_to_write()
                .ok_or_else(|| {
                    Error::failed(
                        "the vault's lock could not be taken, so the access cannot be recorded",
                    )
                })?
                .map_err(|e| Error::failed(format!("{e}; nothing was revealed")))?;
            let lock = &taken;
            store::append_frame(&self.path, &frame, self.valid_len, &mut self.seen, lock)
        };
        match appended {
            Ok(()) => {}
            Err(store::StoreError::MovedOn(_)) => {
                self.vault.note(retry);
                return self.save(ctx).map_err(|e| match e.kind() {
                    // The vault on disk no longer lets this member in (a
                    // revocation written meanwhile): said as such.
                    super::ErrorKind::Denied => Error::denied(format!("{e}; nothing was revealed")),
                    _ => Error::failed(format!(
                        "the access log could not be written ({e}); nothing was revealed"
                    )),
                });
            }
            Err(e) => {
                return Err(Error::failed(format!(
                    "the access log could not be written ({e}); nothing was revealed"
                )));
            }
        }
        self.valid_len += frame.len() as u64;
        self.vault.accept_record(bytes)?;
        // The file changed: a later save in this session must not see a conflict.
        if let Some(untorn) = self.untorn.take() {
            self.fingerprint = untorn;
        }
        self.fingerprint.extend(&frame);
        if let Some(w) = ctx.remember(self.vault.vault_id(), &self.vault.log_head()) {
            self.warn(w);
        }
        Ok(())
    }

    /// Records that this member unlocked the vault.
    pub fn try_record_unlock(&mut self, ctx: &Context) -> Result<()> {
        self.record(ctx, Draft::new(os::now(), Action::Unlock))
    }

    /// Records that this member looked at the vault; best effort.
    pub fn record_unlock(&mut self, ctx: &Context) {
        if self.relock.is_none() {
            return;
        }
        if let Err(e) = self.try_record_unlock(ctx) {
            let w = format!(
                "warning: {}",
                e.to_string().replace("; nothing was revealed", "")
            );
            self.warn(w);
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
/// `show`'s error is the front end's own.
pub fn reveal<T, E: From<Error>>(
    s: &mut Session,
    ctx: &Context,
    r: EntryRef,
    what: Revealed<'_>,
    copy: bool,
    show: impl FnOnce(&Entry) -> std::result::Result<T, E>,
) -> std::result::Result<T, E> {
    super::refuse_auditor(&s.vault)?;
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
    let id = e.id;
    s.record(ctx, draft)?;
    // The record may have gone into a save merged with another writer's
    // file, which rebuilt the vault: the entry is found again by its id,
    // so that what is shown is what the record names.
    let r = if s.rebased {
        s.vault
            .entries()
            .find(|(_, _, x)| x.id == id)
            .map(|(r, _, _)| r)
            .ok_or_else(|| Error::failed("the entry was removed meanwhile; nothing was shown"))?
    } else {
        r
    };
    show(s.vault.entry(r))
}
