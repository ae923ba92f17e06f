//! The unlocked vault: members, groups and entries in memory, and the two
//! transitions between bytes and that state — [`unlock()`] (verified file +
//! passphrase → [`Vault`]) and [`Vault::seal`] (→ file bytes). Pure: the
//! caller passes `now`, the RNG and the machine's RAM size.
//!
//! A member holds only the keys of the groups granted to them: the groups
//! they cannot decrypt are carried through a save byte for byte, and are
//! invisible to every query here.
//!
//! This module holds the types; the work is split by concern:
//!
//! - `unlock`: creating a vault, checking a file's log, opening a key
//!   slot and the groups it grants;
//! - `seal`: encrypting the groups and signing the manifest and the file;
//! - `members`: adding, granting, revoking, expiry, passphrase changes and
//!   the owner's settings;
//! - `entries`: groups and entries — finding, adding, editing, moving,
//!   removing;
//! - `log`: the access log — queuing, preparing and accepting records,
//!   their details.

mod entries;
pub mod entry;
pub mod entry_merge;
mod log;
mod manifest_merge;
mod members;
pub mod merge;
mod seal;
#[cfg(any(test, debug_assertions))]
#[doc(hidden)]
pub mod testkit;
#[cfg(test)]
mod tests;
mod unlock;

use serde::{Deserialize, Serialize};

use crate::audit;
use crate::crypto::kdf::{KdfError, KdfParams};
use crate::crypto::keys::MemberSecrets;
pub use crate::format::FOUNDING_OWNER;
use crate::format::{
    GroupBlob, GroupId, Manifest, MemberId, SignedManifest, Slot, SlotKind, VaultId,
};
use crate::secret::{Key32, Passphrase};
pub use entries::{normalize_group, validate_title};
pub use entry::{BackupCode, CustomField, Entry, EntryId, HistoryItem, Part, Removal, Stamp};
pub use members::validate_member_name;
pub use unlock::{check_log, check_log_trusting, create, unlock};

/// The plaintext of a group blob.
#[derive(Serialize, Deserialize)]
pub struct GroupPayload {
    pub name: String,
    pub entries: Vec<Entry>,
}

/// The plaintext of a version-1 group blob.
#[derive(Serialize, Deserialize)]
struct GroupPayloadV1 {
    name: String,
    entries: Vec<entry::v1::EntryV1>,
}

/// A group this member can read.
pub struct OpenGroup {
    pub id: GroupId,
    pub name: String,
    pub entries: Vec<Entry>,
    dirty: bool,
    /// The key the next save encrypts the group under: after a
    /// revocation re-keyed it, one epoch ahead of `stored`'s.
    key: GroupKey,
    /// The group's data as the file holds it.
    stored: StoredGroup,
}

/// A group key and the epoch it belongs to.
struct GroupKey {
    epoch: u32,
    key: Key32,
}

/// One group's data as the file holds it, and its place in the file's list
/// of groups: a save writes the groups in the order it read them, new ones
/// last.
struct StoredGroup {
    at: usize,
    blob: GroupBlob,
}

#[derive(Debug, thiserror::Error)]
pub enum VaultError {
    #[error("wrong passphrase")]
    WrongPassphrase,
    #[error("no member named {0:?} in this vault")]
    UnknownMember(String),
    #[error("the vault file is damaged or was altered: {0}")]
    Damaged(String),
    #[error("{0}")]
    Kdf(#[from] KdfError),
    #[error("access denied: {0}")]
    AccessDenied(String),
    #[error("no entry matches {0:?}")]
    NotFound(String),
    #[error("{query:?} matches several entries: {}", candidates.join(", "))]
    Ambiguous {
        query: String,
        candidates: Vec<String>,
    },
    #[error("{0}")]
    Invalid(String),
    #[error("{0}")]
    RolledBack(String),
    #[error("the vault has reached a limit: {0}")]
    Limit(&'static str),
}

/// A member or group id drawn at random (never 0, which stands for the
/// log key's pseudo-group and for "from an imported file"), so that two
/// copies of the vault adding a member or a group each do not give two
/// of them one id. docs/FORMAT.md §3.
pub(crate) fn fresh_id(rng: &mut impl rand::CryptoRng, taken: impl Fn(u32) -> bool) -> u32 {
    loop {
        let id = rng.next_u32();
        if id > 1 && !taken(id) {
            return id;
        }
    }
}

impl VaultError {
    fn damaged(why: impl Into<String>) -> Self {
        VaultError::Damaged(why.into())
    }
}

/// Which slot to open.
pub enum Credential<'a> {
    /// A member's passphrase; `None` names the owner created at init.
    Passphrase {
        member: Option<&'a str>,
        passphrase: &'a Passphrase,
    },
    /// The recovery code printed at init.
    Recovery { code: &'a Passphrase },
}

/// Options for [`create`].
pub struct CreateOptions<'a> {
    pub owner: &'a str,
    pub firm_domain: Option<String>,
    pub kdf: KdfParams,
    pub weak_kdf: bool,
    pub now: i64,
}

pub struct Vault {
    vault_id: VaultId,
    manifest: Manifest,
    signed_manifest: SignedManifest,
    manifest_dirty: bool,
    slots: Vec<Slot>,
    /// The groups this member can read, each with its key and its data,
    /// in the order of the file's list.
    groups: Vec<OpenGroup>,
    /// The groups this member cannot read, carried through a save byte
    /// for byte.
    sealed: Vec<StoredGroup>,
    /// Every access-log record, folded and appended, oldest first.
    log: Vec<Vec<u8>>,
    /// How many of `log`'s first records are version-1 records.
    legacy: usize,
    /// The format version of the file this vault was read from; a
    /// version-1 vault is written only after [`Vault::upgrade`].
    file_version: u16,
    /// This session's writer id, in the stamps of what it changes.
    writer: u32,
    /// The same records, verified and decoded.
    verified: Vec<audit::Verified>,
    /// Records to write with the next save.
    pending: Vec<audit::Draft>,
    /// Where the next record goes when it joins two copies (set by
    /// [`Vault::merge`]); otherwise after the last record.
    join: Option<audit::Place>,
    /// Slots changed since unlock, to bind in the next save's record.
    dirty_slots: Vec<(MemberId, SlotKind)>,
    /// The file ended in a torn (never acknowledged) log record.
    torn_tail: bool,
    generation: u64,
    me: MemberId,
    secrets: MemberSecrets,
    /// A revocation is waiting to be saved: that save must drop the
    /// backup generations, which the revoked member's keys open.
    revoked_unsaved: bool,
    /// The log key's secrets by epoch, oldest first, for owners and
    /// auditors; the last is the current one (its public half is
    /// `Manifest.log_public`), the others open the details of records
    /// written before a revocation rotated it.
    log_secrets: Vec<(u32, Key32)>,
}

/// What [`Vault::revoke`] changed.
pub struct Revocation {
    pub member: MemberId,
    /// The groups whose key was replaced, with their new epoch.
    pub rekeyed: Vec<(GroupId, u32)>,
    /// The log key was replaced (the member held it).
    pub log_rotated: bool,
}

/// The access log of a verified file, checked without any secret.
pub struct CheckedLog {
    /// Folded records followed by appended ones.
    pub records: Vec<Vec<u8>>,
    /// How many of them are version-1 records.
    pub legacy: usize,
    pub verified: Vec<audit::Verified>,
    pub torn_tail: bool,
}

/// How an entry was found.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct EntryRef {
    pub group: usize,
    pub index: usize,
}

impl Vault {
    pub fn vault_id(&self) -> &VaultId {
        &self.vault_id
    }

    pub fn manifest(&self) -> &Manifest {
        &self.manifest
    }

    pub fn generation(&self) -> u64 {
        self.generation
    }

    pub fn weak_kdf(&self) -> bool {
        self.manifest.weak_kdf
    }
}
