//! The access log: what a record holds, how it is signed and chained, and
//! how a whole log is verified. Pure: records are bytes in, bytes out.
//!
//! A record is signed with the acting member's own Ed25519 key over the
//! vault id and the record's bytes, and names the hashes of the records it
//! follows (its parents), so that an edited, reordered, deleted or forged
//! record breaks either a signature or a link. A log is a DAG with one
//! root and one head: an ordinary record has one parent; a `merge` record,
//! written when two copies of the vault meet, has two, and binds what both
//! sides changed. A version-1 log (one `prev` each) is such a DAG. What a record says about the entry (its title,
//! group name, a custom field's name) is sealed with HPKE to the vault's
//! log key, which owners and auditors hold and contractors do not: anyone
//! can write details, only they can read them.

use serde::{Deserialize, Serialize};

use crate::crypto::keys::{self, ENC_LEN, MemberSecrets};
use crate::crypto::{DecryptError, hash};
use crate::format::{
    GroupBlob, GroupId, LogHead, Manifest, MemberId, Role, Sig, Slot, SlotKind, VaultId, codec,
};
use crate::secret::Key32;

pub const RECORD_LABEL: &str = "baton log record v2";
pub const HASH_LABEL: &str = "baton log hash v2";
/// The labels of version-1 records, kept in an upgraded vault's history.
pub const V1_RECORD_LABEL: &str = "baton log record v1";
pub const V1_HASH_LABEL: &str = "baton log hash v1";
pub const DETAILS_LABEL: &str = "baton log details v1";
pub const CHECKPOINT_LABEL: &str = "baton log checkpoint v1";
pub const BLOB_LABEL: &str = "baton blob v1";
pub const SLOT_HASH_LABEL: &str = "baton slot hash v1";
pub const MANIFEST_HASH_LABEL: &str = "baton manifest hash v1";

/// What happened.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Action {
    /// The vault was created.
    Init,
    /// A member unlocked the vault.
    Unlock,
    /// A member's session ended (lock or quit).
    SessionEnd,
    Add,
    Edit,
    Remove,
    /// A concealed value was shown (screen, standard output).
    Reveal,
    /// A concealed value was copied to the clipboard.
    Copy,
    /// A backup code was marked used.
    CodeUsed,
    PassphraseChange,
    Import,
    /// A plaintext export: a reveal of every exported entry.
    Export,
    MemberAdd,
    MemberGrant,
    MemberRevoke,
    Handover,
    HandoverVerify,
    SettingsChange,
    /// A member accepted, on their machine, a copy of the vault older than
    /// what that machine had seen (`baton accept-older`); the sealed note
    /// says how much older.
    AcceptOlder,
    /// Two copies of the vault met: the record names both heads as its
    /// parents and binds what both changed.
    Merge,
    /// The vault was rewritten from format version 1 to version 2.
    Upgrade,
    /// An owner's merge took in a copy that gave member `target` the key
    /// of group `group` after that member was revoked here (a copy that
    /// predates the revocation): everything of the group in that copy was
    /// readable by them, and joins their handover checklist.
    Exposure,
}

impl Action {
    pub fn as_str(&self) -> &'static str {
        match self {
            Action::Init => "init",
            Action::Unlock => "unlock",
            Action::SessionEnd => "session-end",
            Action::Add => "add",
            Action::Edit => "edit",
            Action::Remove => "remove",
            Action::Reveal => "reveal",
            Action::Copy => "copy",
            Action::CodeUsed => "code-used",
            Action::PassphraseChange => "passphrase-change",
            Action::Import => "import",
            Action::Export => "export",
            Action::MemberAdd => "member-add",
            Action::MemberGrant => "member-grant",
            Action::MemberRevoke => "member-revoke",
            Action::Handover => "handover",
            Action::HandoverVerify => "handover-verify",
            Action::SettingsChange => "settings-change",
            Action::AcceptOlder => "accept-older",
            Action::Merge => "merge",
            Action::Upgrade => "upgrade",
            Action::Exposure => "exposure",
        }
    }

    /// True for the actions that expose a secret.
    pub fn is_reveal(&self) -> bool {
        matches!(self, Action::Reveal | Action::Copy | Action::Export)
    }
}

/// Which part of an entry a reveal or edit concerned.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Field {
    Password,
    Username,
    Notes,
    Url,
    /// A TOTP code (not the seed).
    TotpCode,
    /// The TOTP seed itself (otpauth URI, QR code).
    TotpSeed,
    BackupCodes,
    /// A custom field; its name is in the sealed details.
    Custom,
    /// Every field (export).
    All,
}

impl Field {
    pub fn as_str(&self) -> &'static str {
        match self {
            Field::Password => "password",
            Field::Username => "username",
            Field::Notes => "notes",
            Field::Url => "url",
            Field::TotpCode => "totp",
            Field::TotpSeed => "totp-seed",
            Field::BackupCodes => "backup-codes",
            Field::Custom => "custom",
            Field::All => "all",
        }
    }
}

/// Details readable only by holders of the log key.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Details {
    pub title: Option<String>,
    pub group: Option<String>,
    /// A custom field's name, or another short note ("used code 3").
    pub note: Option<String>,
}

/// Details sealed with HPKE to the log key.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SealedDetails {
    pub enc: [u8; ENC_LEN],
    #[serde(with = "serde_bytes")]
    pub ciphertext: Vec<u8>,
}

/// What a binding commits to.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Subject {
    /// The owner-signed manifest (its bytes and signature).
    Manifest,
    /// A group's encrypted data (the hash covers its key epoch).
    Group { group: GroupId },
    /// A member's key slot.
    Slot { member: MemberId, kind: SlotKind },
}

/// "After this record, `subject` is exactly the bytes hashing to `hash`."
/// Every save binds what it wrote, so that a file re-sealed with older
/// data (which a member without the group's key could otherwise put back)
/// no longer matches its own log.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Binding {
    pub subject: Subject,
    pub hash: [u8; 32],
}

/// The hash a binding names for a group blob.
pub fn blob_hash(blob: &GroupBlob) -> [u8; 32] {
    hash::digest(
        BLOB_LABEL,
        &[
            &blob.group.to_le_bytes(),
            &blob.epoch.to_le_bytes(),
            &blob.nonce,
            &blob.ciphertext,
        ],
    )
}

/// The hash a binding names for the signed manifest.
pub fn manifest_hash(signed: &crate::format::SignedManifest) -> [u8; 32] {
    hash::digest(MANIFEST_HASH_LABEL, &[&codec::encode(signed)])
}

/// The hash a binding names for a key slot.
pub fn slot_hash(slot: &Slot) -> [u8; 32] {
    hash::digest(SLOT_HASH_LABEL, &[&codec::encode(slot)])
}

/// One record, as signed.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Record {
    /// 0 for the first record, else one more than the highest parent's.
    pub height: u64,
    /// The hashes of the records this one follows: none for the first,
    /// one for an ordinary record, two for a `merge`.
    pub parents: Vec<[u8; 32]>,
    pub time: i64,
    pub member: MemberId,
    pub action: Action,
    pub entry: Option<[u8; 8]>,
    pub group: Option<GroupId>,
    pub field: Option<Field>,
    pub details: Option<SealedDetails>,
    /// The member a membership record is about (`member-revoke` names the
    /// member whose later records are refused).
    pub target: Option<MemberId>,
    pub bindings: Vec<Binding>,
}

/// A version-1 record, as signed: a sequence number and the hash of the
/// record before it instead of `height` and `parents`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RecordV1 {
    pub seq: u64,
    pub prev: [u8; 32],
    pub time: i64,
    pub member: MemberId,
    pub action: Action,
    pub entry: Option<[u8; 8]>,
    pub group: Option<GroupId>,
    pub field: Option<Field>,
    pub details: Option<SealedDetails>,
    pub target: Option<MemberId>,
    pub bindings: Vec<Binding>,
}

impl From<RecordV1> for Record {
    fn from(r: RecordV1) -> Self {
        Record {
            height: r.seq,
            parents: if r.seq == 0 { Vec::new() } else { vec![r.prev] },
            time: r.time,
            member: r.member,
            action: r.action,
            entry: r.entry,
            group: r.group,
            field: r.field,
            details: r.details,
            target: r.target,
            bindings: r.bindings,
        }
    }
}

/// A record's bytes and its author's signature over them.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SignedRecord {
    #[serde(with = "serde_bytes")]
    pub body: Vec<u8>,
    pub sig: Sig,
}

/// What the caller wants recorded; [`make`] fills in the chain.
#[derive(Clone, Debug)]
pub struct Draft {
    pub time: i64,
    pub action: Action,
    pub entry: Option<[u8; 8]>,
    pub group: Option<GroupId>,
    pub field: Option<Field>,
    pub details: Option<Details>,
    pub target: Option<MemberId>,
    pub bindings: Vec<Binding>,
}

impl Draft {
    pub fn new(time: i64, action: Action) -> Self {
        Draft {
            time,
            action,
            entry: None,
            group: None,
            field: None,
            details: None,
            target: None,
            bindings: Vec::new(),
        }
    }
}

/// The hash that a later record names as a parent, over the record's
/// encoded bytes (body and signature).
pub fn record_hash(record_bytes: &[u8]) -> [u8; 32] {
    hash::digest(HASH_LABEL, &[record_bytes])
}

/// [`record_hash`] for a record of either encoding.
pub fn record_hash_as(record_bytes: &[u8], encoding: Encoding) -> [u8; 32] {
    hash::digest(encoding.labels().1, &[record_bytes])
}

/// The version of a record's encoding.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Encoding {
    V1,
    V2,
}

impl Encoding {
    fn labels(self) -> (&'static str, &'static str) {
        match self {
            Encoding::V1 => (V1_RECORD_LABEL, V1_HASH_LABEL),
            Encoding::V2 => (RECORD_LABEL, HASH_LABEL),
        }
    }
}

/// Decodes a record of either encoding into version 2's shape, with its
/// signed body, signature and hash.
pub fn decode_record(
    bytes: &[u8],
    encoding: Encoding,
) -> Result<(Record, SignedRecord, [u8; 32]), String> {
    let signed: SignedRecord = codec::decode(bytes).map_err(|e| format!("malformed ({e})"))?;
    let record = match encoding {
        Encoding::V1 => codec::decode::<RecordV1>(&signed.body).map(Record::from),
        Encoding::V2 => codec::decode::<Record>(&signed.body),
    }
    .map_err(|e| format!("malformed body ({e})"))?;
    let hash = hash::digest(encoding.labels().1, &[bytes]);
    Ok((record, signed, hash))
}

/// What a record's author signs, framed as [`keys::labelled`] frames it:
/// `label || 0x00 || vault_id || body`.
fn signed_message(vault_id: &VaultId, body: &[u8], encoding: Encoding) -> Vec<u8> {
    let label = encoding.labels().0;
    let mut m = Vec::with_capacity(label.len() + 1 + 16 + body.len());
    m.extend_from_slice(label.as_bytes());
    m.push(0);
    m.extend_from_slice(vault_id);
    m.extend_from_slice(body);
    m
}

/// The record body as signed, before the label: `vault_id || body`.
fn signed_body(vault_id: &VaultId, body: &[u8]) -> Vec<u8> {
    let mut m = Vec::with_capacity(16 + body.len());
    m.extend_from_slice(vault_id);
    m.extend_from_slice(body);
    m
}

fn details_info(vault_id: &VaultId, height: u64) -> Vec<u8> {
    let mut info = Vec::with_capacity(48);
    info.extend_from_slice(DETAILS_LABEL.as_bytes());
    info.push(0);
    info.extend_from_slice(vault_id);
    info.extend_from_slice(&height.to_le_bytes());
    info
}

/// Where a new record goes: the records it follows and its height.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Place {
    pub parents: Vec<[u8; 32]>,
    pub height: u64,
}

impl Place {
    /// After the last record of `verified` (the head of a one-head log).
    pub fn after(verified: &[Verified]) -> Place {
        match verified.last() {
            None => Place {
                parents: Vec::new(),
                height: 0,
            },
            Some(v) => Place {
                parents: vec![v.hash],
                height: v.record.height + 1,
            },
        }
    }
}

/// Builds, seals and signs the record at `place`. Returns the record's
/// bytes (a log frame's payload).
pub fn make(
    vault_id: &VaultId,
    place: Place,
    member: MemberId,
    draft: Draft,
    signer: &MemberSecrets,
    log_public: &[u8; 32],
    rng: &mut impl rand::CryptoRng,
) -> Vec<u8> {
    make_as(
        Encoding::V2,
        vault_id,
        place,
        member,
        draft,
        signer,
        log_public,
        rng,
    )
}

/// [`make`] in either encoding: version 1's for a version-1 vault that is
/// not upgraded yet (a member who is not an owner opened it), whose every
/// record must have it; `place` has at most one parent there.
#[allow(clippy::too_many_arguments)]
pub fn make_as(
    encoding: Encoding,
    vault_id: &VaultId,
    place: Place,
    member: MemberId,
    draft: Draft,
    signer: &MemberSecrets,
    log_public: &[u8; 32],
    rng: &mut impl rand::CryptoRng,
) -> Vec<u8> {
    let height = place.height;
    let details = draft.details.map(bounded).and_then(|d| {
        let plain = zeroize::Zeroizing::new(codec::encode(&d));
        let info = details_info(vault_id, height);
        keys::seal_bytes(log_public, &info, &plain, rng)
            .map(|(enc, ciphertext)| SealedDetails { enc, ciphertext })
    });
    let record = Record {
        height,
        parents: place.parents,
        time: draft.time,
        member,
        action: draft.action,
        entry: draft.entry,
        group: draft.group,
        field: draft.field,
        details,
        target: draft.target,
        bindings: draft.bindings,
    };
    let body = match encoding {
        Encoding::V2 => codec::encode(&record),
        Encoding::V1 => codec::encode(&RecordV1 {
            seq: record.height,
            prev: record.parents.first().copied().unwrap_or([0; 32]),
            time: record.time,
            member: record.member,
            action: record.action,
            entry: record.entry,
            group: record.group,
            field: record.field,
            details: record.details,
            target: record.target,
            bindings: record.bindings,
        }),
    };
    let sig = Sig(signer.sign(encoding.labels().0, &signed_body(vault_id, &body)));
    codec::encode(&SignedRecord { body, sig })
}

/// Cuts each detail to a length that keeps every record far below
/// `format::MAX_RECORD_LEN`, whatever an entry holds.
fn bounded(mut d: Details) -> Details {
    fn cut(s: &mut Option<String>, max: usize) {
        if let Some(v) = s
            && let Some((i, _)) = v.char_indices().nth(max)
        {
            v.truncate(i);
        }
    }
    cut(&mut d.title, 500);
    cut(&mut d.group, 200);
    cut(&mut d.note, 200);
    d
}

/// Opens a record's sealed details with the log key's secret.
pub fn open_details(
    vault_id: &VaultId,
    record: &Record,
    log_secret: &Key32,
) -> Result<Details, DecryptError> {
    let sealed = record.details.as_ref().ok_or(DecryptError)?;
    let info = details_info(vault_id, record.height);
    let plain = keys::open_sealed(log_secret, &info, &sealed.enc, &sealed.ciphertext)?;
    codec::decode(&plain).map_err(|_| DecryptError)
}

mod verify;
pub use verify::{LogError, Trust, Verified, verify, verify_trusting};

/// Checks that the snapshot's group data and key slots are exactly what
/// the log last bound them to, each binding made by a member entitled to
/// write that subject: for a group, an owner or a member holding the
/// group's key at that epoch; for a slot, an owner or the slot's member.
pub fn check_bindings(
    manifest: &Manifest,
    signed_manifest: &crate::format::SignedManifest,
    blobs: &[GroupBlob],
    slots: &[Slot],
    verified: &[Verified],
) -> Result<(), String> {
    let mut last: std::collections::HashMap<Subject, ([u8; 32], MemberId)> =
        std::collections::HashMap::new();
    for v in verified {
        for b in &v.record.bindings {
            last.insert(b.subject, (b.hash, v.record.member));
        }
    }
    let role_of = |id: MemberId| manifest.members.iter().find(|m| m.id == id).map(|m| m.role);
    // The manifest: exactly the one an owner last bound, so that an older
    // owner-signed manifest (say, from before a revocation) cannot return.
    let (h, author) = last
        .get(&Subject::Manifest)
        .ok_or("no access-log record accounts for the manifest")?;
    if role_of(*author) != Some(Role::Owner) {
        return Err("the manifest was last bound by a member who is not an owner".into());
    }
    if *h != manifest_hash(signed_manifest) {
        return Err("the manifest is not what the access log last recorded (it was replaced or rolled back)".into());
    }
    for blob in blobs {
        let (h, author) = last
            .get(&Subject::Group { group: blob.group })
            .ok_or_else(|| {
                format!(
                    "no access-log record accounts for group #{}'s data",
                    blob.group
                )
            })?;
        let entitled = role_of(*author) == Some(Role::Owner)
            || manifest
                .grants
                .iter()
                .any(|g| g.member == *author && g.group == blob.group && g.epoch == blob.epoch);
        if !entitled {
            return Err(format!(
                "group #{}'s data was last written by a member without its key",
                blob.group
            ));
        }
        if *h != blob_hash(blob) {
            return Err(format!(
                "group #{}'s data is not what the access log last recorded (it was replaced or rolled back)",
                blob.group
            ));
        }
    }
    // A slot the log bound must still be there while its member is not
    // revoked: deleting a slot (say the founder's recovery slot) is damage.
    for subject in last.keys() {
        if let Subject::Slot { member, kind } = subject {
            let active = manifest
                .members
                .iter()
                .any(|m| m.id == *member && m.revoked_at.is_none());
            if active && !slots.iter().any(|s| s.member == *member && s.kind == *kind) {
                return Err(format!("member #{member}'s {kind:?} key slot is missing"));
            }
        }
    }
    for slot in slots {
        let (h, author) = last
            .get(&Subject::Slot {
                member: slot.member,
                kind: slot.kind,
            })
            .ok_or_else(|| {
                format!(
                    "no access-log record accounts for member #{}'s key slot",
                    slot.member
                )
            })?;
        if *author != slot.member && role_of(*author) != Some(Role::Owner) {
            return Err(format!(
                "member #{}'s key slot was written by someone else",
                slot.member
            ));
        }
        if *h != slot_hash(slot) {
            return Err(format!(
                "member #{}'s key slot is not what the access log last recorded (it was replaced or rolled back)",
                slot.member
            ));
        }
    }
    Ok(())
}

/// What this machine remembers of a vault's log: how many records it has
/// seen and the hash of the last.
pub type HighWater = LogHead;

/// Compares the log with what this machine saw before: a copy that
/// contains the last record this machine saw holds everything it saw (a
/// record's ancestors are part of every log that holds it), whatever else
/// it holds; a copy that lacks it was rolled back or is another branch.
pub fn check_high_water(seen: &HighWater, verified: &[Verified]) -> Result<(), String> {
    if seen.count == 0 || verified.iter().any(|v| v.hash == seen.hash) {
        return Ok(());
    }
    Err(format!(
        "the vault was rolled back: this machine has seen {} access-log records, and this copy (with {}) lacks the last of them",
        seen.count,
        verified.len()
    ))
}

/// True when `verified` contains every record of `other` (by hash).
pub fn contains_all(verified: &[Verified], other: &[Verified]) -> bool {
    let have: std::collections::HashSet<&[u8; 32]> = verified.iter().map(|v| &v.hash).collect();
    other.iter().all(|v| have.contains(&v.hash))
}

/// The head after `records`.
pub fn head_of(verified: &[Verified]) -> LogHead {
    verified.last().map_or(LogHead::EMPTY, |v| LogHead {
        count: verified.len() as u64,
        hash: v.hash,
    })
}

/// A signed statement "the log had `count` records ending in `head`",
/// kept by an auditor outside the vault.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Checkpoint {
    pub vault_id: VaultId,
    pub count: u64,
    pub head: [u8; 32],
    pub time: i64,
    pub member: MemberId,
    pub sig: Sig,
}

fn checkpoint_message(
    vault_id: &VaultId,
    count: u64,
    head: &[u8; 32],
    time: i64,
    member: MemberId,
) -> Vec<u8> {
    let mut m = Vec::with_capacity(72);
    m.extend_from_slice(vault_id);
    m.extend_from_slice(&count.to_le_bytes());
    m.extend_from_slice(head);
    m.extend_from_slice(&time.to_le_bytes());
    m.extend_from_slice(&member.to_le_bytes());
    m
}

impl Checkpoint {
    pub fn sign(
        vault_id: VaultId,
        head: LogHead,
        time: i64,
        member: MemberId,
        signer: &MemberSecrets,
    ) -> Self {
        let sig = Sig(signer.sign(
            CHECKPOINT_LABEL,
            &checkpoint_message(&vault_id, head.count, &head.hash, time, member),
        ));
        Checkpoint {
            vault_id,
            count: head.count,
            head: head.hash,
            time,
            member,
            sig,
        }
    }

    /// One line of text: `baton-checkpoint-v1 BASE64`.
    pub fn to_text(&self) -> String {
        format!(
            "baton-checkpoint-v1 {}\n",
            data_encoding::BASE64URL_NOPAD.encode(&codec::encode(self))
        )
    }

    pub fn from_text(s: &str) -> Option<Self> {
        let b64 = s.trim().strip_prefix("baton-checkpoint-v1 ")?;
        let bytes = data_encoding::BASE64URL_NOPAD
            .decode(b64.trim().as_bytes())
            .ok()?;
        codec::decode(&bytes).ok()
    }

    /// Checks the checkpoint's signature and that `verified` extends it.
    pub fn check(
        &self,
        vault_id: &VaultId,
        manifest: &Manifest,
        verified: &[Verified],
    ) -> Result<(), String> {
        if &self.vault_id != vault_id {
            return Err("the checkpoint belongs to another vault".into());
        }
        let member = manifest
            .members
            .iter()
            .find(|m| m.id == self.member)
            .ok_or("the checkpoint is signed by a member this vault does not list")?;
        let msg = checkpoint_message(
            &self.vault_id,
            self.count,
            &self.head,
            self.time,
            self.member,
        );
        if !keys::verify(&member.public.ed25519, CHECKPOINT_LABEL, &msg, &self.sig.0) {
            return Err("the checkpoint's signature is not valid".into());
        }
        if self.count == 0 || verified.iter().any(|v| v.hash == self.head) {
            return Ok(());
        }
        if (verified.len() as u64) < self.count {
            Err(format!(
                "the log has {} records but the checkpoint saw {}: records were removed",
                verified.len(),
                self.count
            ))
        } else {
            Err(format!(
                "the log lacks record {} that the checkpoint saw last: the log was rewritten",
                self.count - 1
            ))
        }
    }
}

#[cfg(test)]
mod tests;
