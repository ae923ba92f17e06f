//! The vault's side of the access log: its head and verified records, the
//! sealed details that holders of the log key can read, and the records
//! this member writes — queued for the next save ([`Vault::note`]), or
//! prepared, written durably by the caller, then accepted.

use super::{EntryRef, Vault, VaultError};
use crate::audit;
use crate::format::LogHead;
use crate::secret::Key32;

impl Vault {
    /// The current log key's secret: owners and auditors hold it.
    pub fn log_secret(&self) -> Option<&Key32> {
        self.log_secrets.last().map(|(_, k)| k)
    }

    /// The access log's head: how many records, and the last one's hash.
    pub fn log_head(&self) -> LogHead {
        audit::head_of(&self.verified)
    }

    /// Every record, verified, oldest first.
    pub fn log(&self) -> &[audit::Verified] {
        &self.verified
    }

    /// Checks every record's signature and place in the chain again (an
    /// unlock checks signatures only past this machine's high-water mark).
    pub fn verify_log_fully(&self) -> Result<(), VaultError> {
        audit::verify(&self.vault_id, &self.manifest, &self.log, self.legacy, None)
            .map(|_| ())
            .map_err(|e| VaultError::Damaged(e.to_string()))
    }

    /// True when the file ended in a torn log record (a crash during an
    /// append); it was never acknowledged and is dropped at the next write.
    pub fn torn_tail(&self) -> bool {
        self.torn_tail
    }

    /// The details of a record, for members who hold the log key.
    pub fn record_details(&self, record: &audit::Record) -> Option<audit::Details> {
        self.log_secrets
            .iter()
            .rev()
            .find_map(|(_, key)| audit::open_details(&self.vault_id, record, key).ok())
    }

    /// A signed checkpoint of the log's current head.
    pub fn checkpoint(&self, now: i64) -> audit::Checkpoint {
        audit::Checkpoint::sign(self.vault_id, self.log_head(), now, self.me, &self.secrets)
    }

    /// Queues a record to be written with the next save.
    pub fn note(&mut self, draft: audit::Draft) {
        self.pending.push(draft);
    }

    /// The encoding of the records this vault's file takes: version 1's
    /// until a version-1 vault is upgraded.
    fn record_encoding(&self) -> audit::Encoding {
        if self.file_version == crate::format::FORMAT_VERSION {
            audit::Encoding::V2
        } else {
            audit::Encoding::V1
        }
    }

    /// Builds the record that follows the current head, signed by this
    /// member, without adding it: the caller writes it durably first, then
    /// calls [`Vault::accept_record`].
    pub fn prepare_record(&self, draft: audit::Draft, rng: &mut impl rand::CryptoRng) -> Vec<u8> {
        audit::make_as(
            self.record_encoding(),
            &self.vault_id,
            self.next_place(),
            self.me,
            draft,
            &self.secrets,
            &self.manifest.log_public,
            rng,
        )
    }

    /// Adds a record made by [`Vault::prepare_record`] once it is on disk.
    pub fn accept_record(&mut self, bytes: Vec<u8>) -> Result<(), VaultError> {
        let encoding = self.record_encoding();
        let legacy = encoding == audit::Encoding::V1;
        let (record, _, hash) = audit::decode_record(&bytes, encoding)
            .map_err(|_| VaultError::damaged("a new access-log record is malformed"))?;
        let place = self.next_place();
        if record.parents != place.parents || record.height != place.height {
            return Err(VaultError::damaged("a new record does not follow the log"));
        }
        self.join = None;
        if legacy {
            self.legacy += 1;
        }
        self.torn_tail = false;
        self.log.push(bytes);
        self.verified.push(audit::Verified { record, hash });
        Ok(())
    }

    /// Where the next record goes: joining two copies after a merge,
    /// else after the last record.
    fn next_place(&self) -> audit::Place {
        self.join
            .clone()
            .unwrap_or_else(|| audit::Place::after(&self.verified))
    }

    /// A short description of an entry for sealed log details.
    pub fn details_for(&self, r: EntryRef) -> audit::Details {
        audit::Details {
            title: Some(self.entry(r).title.clone()),
            group: Some(self.group_name(r).to_owned()),
            note: None,
        }
    }
}

impl Vault {
    /// This session's writer id (see [`crate::vault::Stamp`]); the session
    /// draws it at random when it unlocks.
    pub fn set_writer(&mut self, writer: u32) {
        self.writer = writer.max(1);
    }

    pub fn writer(&self) -> u32 {
        self.writer
    }

    /// The format version of the file this vault was read from.
    pub fn file_version(&self) -> u16 {
        self.file_version
    }

    /// Prepares a version-1 vault to be written as version 2 (owners
    /// only, who hold every group): every group is encrypted again, the
    /// manifest signed again, and an `upgrade` record written; the
    /// version-1 records stay as they were signed.
    pub fn upgrade(&mut self, now: i64) -> Result<(), VaultError> {
        if self.file_version == crate::format::FORMAT_VERSION {
            return Ok(());
        }
        if !self.is_owner() || !self.sealed.is_empty() {
            return Err(VaultError::AccessDenied(
                "only an owner who holds every group can upgrade a version-1 vault".into(),
            ));
        }
        for g in &mut self.groups {
            g.dirty = true;
        }
        self.manifest.format_version = crate::format::FORMAT_VERSION;
        self.manifest_dirty = true;
        self.file_version = crate::format::FORMAT_VERSION;
        self.note(audit::Draft::new(now, audit::Action::Upgrade));
        Ok(())
    }
}
