//! Copies of the vault meeting: `baton merge OTHER` (another copy merged
//! into the session's vault, or taken whole when it holds everything the
//! vault holds), and the git merge driver, which merges the two sides of
//! a conflicted vault file without a lock or a state directory: git owns
//! those files, and the merged result is what the next commit records.

use std::path::{Path, PathBuf};

use super::{Context, Error, Result, Session};
use crate::audit;
use crate::format::read::{self, VerifiedFile};
use crate::secret::Passphrase;
use crate::vault::merge::{MergeReport, Relation};
use crate::vault::{self, Credential};
use crate::{os, store};

/// Another copy of the vault, read and its structure and signatures
/// checked (no passphrase needed).
pub struct Copy {
    pub path: PathBuf,
    bytes: Vec<u8>,
    file: VerifiedFile,
}

/// Reads `path` as a copy of a vault. A file that is not a vault, or is
/// damaged, is an integrity error naming the file.
pub fn read_copy(path: &Path) -> Result<Copy> {
    let bytes = store::read(path).map_err(|e| match e {
        store::StoreError::NotFound(_) => {
            Error::failed(format!("cannot read {}: no such file", path.display()))
        }
        e => e.into(),
    })?;
    let file = read::parse(&bytes).map_err(|e| named(path, e))?;
    Ok(Copy {
        path: path.to_path_buf(),
        bytes,
        file,
    })
}

fn named(path: &Path, e: impl std::fmt::Display) -> Error {
    Error::Vault(vault::VaultError::Damaged(format!(
        "{}: {e}",
        path.display()
    )))
}

/// Merges `other` into the session's vault and saves, unless `dry_run`.
/// A copy that holds everything the vault holds replaces it as it is; one
/// the vault already holds changes nothing.
pub fn merge(ctx: &Context, s: &mut Session, other: Copy, dry_run: bool) -> Result<MergeReport> {
    let Copy { path, bytes, file } = other;
    // A copy that revokes someone this vault still lists: the revoked
    // member's keys open every backup kept so far.
    let revokes = file.manifest.members.iter().any(|m| {
        m.revoked_at.is_some()
            && s.vault
                .manifest()
                .members
                .iter()
                .any(|x| x.id == m.id && x.revoked_at.is_none())
    });
    let sealed_len = file.sealed_len;
    // A torn final frame of the other copy was never acknowledged: it is
    // not written here.
    let bytes = bytes[..file.valid_len].to_vec();
    let report = s
        .vault
        .merge(file, os::now(), &mut os::rng())
        .map_err(|e| match e {
            vault::VaultError::Damaged(why) => named(&path, why),
            e => e.into(),
        })?;
    if dry_run {
        return Ok(report);
    }
    match report.relation {
        Relation::Held => {}
        Relation::FastForward => {
            let backups = if revokes {
                store::Backups::Drop
            } else {
                store::Backups::Rotate
            };
            s.write_bytes(&bytes, sealed_len, backups)?;
            if let Some(w) = ctx.remember(s.vault.vault_id(), &report.their_head) {
                s.warn(w);
            }
            s.vault.adopt(read::parse(&bytes)?, os::now())?;
        }
        Relation::Merged => s.save(ctx)?,
    }
    Ok(report)
}

/// What the git merge driver did.
pub enum Driven {
    /// The result is in OURS.
    Merged(Box<MergeReport>),
    /// A passphrase is needed to merge, and none was given.
    NeedsPassphrase,
}

/// The git merge driver: merges THEIRS into OURS and writes the result to
/// OURS (atomically: a temporary file renamed over it). When one side
/// holds everything the other does, no passphrase is needed; otherwise
/// `passphrase` gives it (the caller reads `BATON_PASSPHRASE` or a file).
pub fn merge_driver(
    ctx: &Context,
    ours: &Path,
    theirs: &Path,
    passphrase: Option<&Passphrase>,
) -> Result<Driven> {
    let our = read_copy(ours)?;
    let their = read_copy(theirs)?;
    if our.file.snapshot.vault_id != their.file.snapshot.vault_id {
        return Err(named(
            theirs,
            "not a copy of the same vault (it has another vault id)",
        ));
    }
    let check = |c: &Copy| {
        vault::check_log(&c.file, &audit::HighWater::EMPTY, true)
            .map(|l| l.verified)
            .map_err(|e| named(&c.path, e))
    };
    let (our_log, their_log) = (check(&our)?, check(&their)?);
    let (our_head, their_head) = match (our_log.last(), their_log.last()) {
        (Some(a), Some(b)) => (a.hash, b.hash),
        _ => return Err(Error::failed("a side of the merge has an empty log")),
    };
    if our_log.iter().any(|v| v.hash == their_head) {
        return Ok(Driven::Merged(Box::new(MergeReport::plain(Relation::Held))));
    }
    if their_log.iter().any(|v| v.hash == our_head) {
        store::write_over(ours, &their.bytes)?;
        return Ok(Driven::Merged(Box::new(MergeReport::plain(
            Relation::FastForward,
        ))));
    }
    let Some(passphrase) = passphrase else {
        return Ok(Driven::NeedsPassphrase);
    };
    let cred = if ctx.recovery {
        Credential::Recovery { code: passphrase }
    } else {
        Credential::Passphrase {
            member: ctx.member.as_deref(),
            passphrase,
        }
    };
    let mut v = vault::unlock(
        our.file,
        cred,
        os::now(),
        os::ram_bytes(),
        &audit::HighWater::EMPTY,
    )?;
    v.set_writer(rand::Rng::next_u32(&mut os::rng()));
    let report = v
        .merge(their.file, os::now(), &mut os::rng())
        .map_err(|e| match e {
            vault::VaultError::Damaged(why) => named(theirs, why),
            e => e.into(),
        })?;
    let bytes = v.seal(os::now(), &mut os::rng())?;
    store::write_over(ours, &bytes)?;
    Ok(Driven::Merged(Box::new(report)))
}

/// What became of one conflict copy found beside the vault.
pub struct CopyOutcome {
    pub path: PathBuf,
    pub engine: crate::copies::Engine,
    /// Merged (or already held) and removed; otherwise why it was left.
    pub result: std::result::Result<MergeReport, String>,
}

/// Merges the conflict copies a sync engine left beside the vault
/// (see [`crate::copies`]) and removes each once the vault durably holds
/// everything in it. A copy that is not a copy of this vault, is damaged,
/// or that this member may not merge is left where it is.
pub fn merge_conflict_copies(ctx: &Context, s: &mut Session) -> Vec<CopyOutcome> {
    let Some(name) = ctx.vault.file_name().and_then(|n| n.to_str()) else {
        return Vec::new();
    };
    let (dir, here) = match ctx.vault.parent() {
        Some(d) if !d.as_os_str().is_empty() => (d.to_path_buf(), false),
        _ => (PathBuf::from("."), true),
    };
    let Ok(listing) = std::fs::read_dir(&dir) else {
        return Vec::new();
    };
    let host = os::hostname();
    let mut found: Vec<(PathBuf, crate::copies::Engine)> = listing
        .flatten()
        .filter_map(|e| {
            let file = e.file_name();
            let engine = crate::copies::conflict_copy(name, file.to_str()?, &host)?;
            let path = if here { PathBuf::from(&file) } else { e.path() };
            e.file_type().ok()?.is_file().then_some((path, engine))
        })
        .collect();
    found.sort_by(|a, b| a.0.cmp(&b.0));
    let mut out = Vec::new();
    for (path, engine) in found {
        let result = merge_one(ctx, s, &path);
        out.push(CopyOutcome {
            path,
            engine,
            result,
        });
    }
    out
}

fn merge_one(
    ctx: &Context,
    s: &mut Session,
    path: &Path,
) -> std::result::Result<MergeReport, String> {
    let copy = read_copy(path).map_err(|e| e.to_string())?;
    if copy.file.snapshot.vault_id != *s.vault.vault_id() {
        return Err("it is a copy of another vault".into());
    }
    let report = merge(ctx, s, copy, false).map_err(|e| e.to_string())?;
    let head = report.their_head.hash;
    let held = report.their_head.count > 0 && s.vault.log().iter().any(|v| v.hash == head);
    if !held {
        return Err("the vault does not hold all of it after the merge".into());
    }
    std::fs::remove_file(path).map_err(|e| format!("merged, but it cannot be removed: {e}"))?;
    Ok(report)
}

/// Files that hold everything this machine saw of vault `id` (its log
/// holds the remembered head): the vault's backups, conflict copies
/// beside it, and, when the vault path is itself a backup (`NAME.bakN`),
/// the vault it is a backup of. For the account of a copy that is older
/// than what this machine saw.
pub fn copies_holding(ctx: &Context, id: &crate::format::VaultId) -> Vec<PathBuf> {
    let Ok(seen) = ctx.seen(id) else {
        return Vec::new();
    };
    if seen.count == 0 {
        return Vec::new();
    }
    let mut candidates = store::backups(&ctx.vault);
    let name = ctx
        .vault
        .file_name()
        .and_then(|n| n.to_str())
        .unwrap_or_default();
    if let Some((base, n)) = name.rsplit_once(".bak")
        && !n.is_empty()
        && n.bytes().all(|b| b.is_ascii_digit())
    {
        candidates.insert(0, ctx.vault.with_file_name(base));
    }
    if let Some(dir) = ctx.vault.parent().map(|d| {
        if d.as_os_str().is_empty() {
            Path::new(".")
        } else {
            d
        }
    }) && let Ok(listing) = std::fs::read_dir(dir)
    {
        let host = os::hostname();
        for e in listing.flatten() {
            let file = e.file_name();
            if file
                .to_str()
                .is_some_and(|f| crate::copies::conflict_copy(name, f, &host).is_some())
            {
                candidates.push(e.path());
            }
        }
    }
    candidates
        .into_iter()
        .filter(|p| p != &ctx.vault)
        .filter(|p| {
            read_copy(p)
                .is_ok_and(|c| c.file.snapshot.vault_id == *id && log_holds(&c.file, &seen.hash))
        })
        .collect()
}

/// Whether `copy` holds everything this machine saw of its vault.
pub fn holds_seen(ctx: &Context, copy: &Copy) -> bool {
    let Ok(seen) = ctx.seen(&copy.file.snapshot.vault_id) else {
        return false;
    };
    seen.count > 0 && log_holds(&copy.file, &seen.hash)
}

/// Whether `file`'s log holds the record whose hash is `hash`. A record's
/// hash covers its bytes, so this needs no signature: it decides only
/// which way a copy is merged, and the merge verifies every record it
/// takes before anything is written.
fn log_holds(file: &VerifiedFile, hash: &[u8; 32]) -> bool {
    use rayon::prelude::*;
    let legacy = file.legacy_records();
    let folded = file.snapshot.log.len();
    (0..folded + file.tail.len()).into_par_iter().any(|i| {
        let bytes = if i < folded {
            &file.snapshot.log[i]
        } else {
            &file.tail[i - folded]
        };
        let encoding = if i < legacy {
            audit::Encoding::V1
        } else {
            audit::Encoding::V2
        };
        audit::record_hash_as(bytes, encoding) == *hash
    })
}

/// Whether a conflict copy beside the vault holds everything this
/// machine saw of vault `id`.
pub fn conflict_copy_holds_seen(ctx: &Context, id: &crate::format::VaultId) -> bool {
    let name = ctx
        .vault
        .file_name()
        .and_then(|n| n.to_str())
        .unwrap_or_default();
    let host = os::hostname();
    copies_holding(ctx, id).iter().any(|p| {
        p.file_name()
            .and_then(|f| f.to_str())
            .is_some_and(|f| crate::copies::conflict_copy(name, f, &host).is_some())
    })
}

impl Session {
    /// Notices a vault file that changed since this session read or
    /// wrote it (another process, a sync tool) and takes the change in:
    /// a file that holds everything the session holds is adopted as it is
    /// (no passphrase, no key derivation); any other copy put in its place
    /// is merged with the session and saved. `None` when nothing changed.
    pub fn refresh(&mut self, ctx: &Context) -> Result<Option<MergeReport>> {
        if self.is_unsaved() || self.file_unchanged() {
            return Ok(None);
        }
        let (bytes, id) = store::read_with_id(&self.path)?;
        let file = read::parse(&bytes)?;
        let ours = self.vault.log_head();
        // The session verified its own records: a file that extends them
        // has only its newer records' signatures checked.
        let log = vault::check_log_trusting(
            &file,
            &audit::HighWater::EMPTY,
            audit::Trust::Head(Some(&ours.hash)),
        )?;
        if log.verified.iter().any(|v| v.hash == ours.hash) {
            let head = audit::head_of(&log.verified);
            let before: Vec<([u8; 8], Vec<u8>)> = self.entry_digests();
            let (sealed_len, valid_len, torn) = (file.sealed_len, file.valid_len, file.torn_tail);
            self.vault.adopt(file, os::now())?;
            self.took(&bytes, id, sealed_len, valid_len, torn);
            if let Some(w) = ctx.remember(self.vault.vault_id(), &head) {
                self.warn(w);
            }
            let mut report = MergeReport::plain(Relation::FastForward);
            report.records_theirs = log.verified.len().saturating_sub(ours.count as usize);
            let after = self.entry_digests();
            for (id, digest) in &after {
                let old = before.iter().find(|(i, _)| i == id);
                if old.is_some_and(|(_, d)| d == digest) {
                    continue;
                }
                if let Some((e, g)) = self.vault.any_entry(*id) {
                    report.entries.push(crate::vault::merge::EntryOutcome {
                        id: *id,
                        title: e.title.clone(),
                        group: g.to_owned(),
                        added: old.is_none(),
                        from: crate::vault::merge::Side::Theirs,
                        conflicts: Vec::new(),
                    });
                }
            }
            return Ok(Some(report));
        }
        // Another copy was put in the vault's place: merged with this
        // session, and saved over it.
        let (sealed_len, valid_len, torn) = (file.sealed_len, file.valid_len, file.torn_tail);
        // The session stands on that file only once the merge succeeded:
        // a refused merge leaves it on the file it read, so that nothing
        // it writes lands on one it never merged.
        let report = self.vault.merge(file, os::now(), &mut os::rng())?;
        self.took(&bytes, id, sealed_len, valid_len, torn);
        if report.relation != Relation::Held {
            self.save(ctx)?;
        }
        // The caller finds its places again from the report.
        self.take_rebased();
        Ok(Some(report))
    }

    /// A digest of every readable entry, for telling which ones changed.
    fn entry_digests(&self) -> Vec<([u8; 8], Vec<u8>)> {
        use sha2::Digest;
        self.vault
            .groups()
            .iter()
            .flat_map(|g| g.entries.iter())
            .map(|e| {
                let bytes = crate::format::codec::encode_secret(e, 0);
                (e.id.0, sha2::Sha256::digest(&bytes[..]).to_vec())
            })
            .collect()
    }
}
