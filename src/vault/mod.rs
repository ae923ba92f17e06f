//! The unlocked vault: members, groups and entries in memory, and the two
//! transitions between bytes and that state — [`unlock`] (verified file +
//! passphrase → [`Vault`]) and [`Vault::seal`] (→ file bytes). Pure: the
//! caller passes `now`, the RNG and the machine's RAM size.
//!
//! A member holds only the keys of the groups granted to them: the groups
//! they cannot decrypt are carried through a save byte for byte, and are
//! invisible to every query here.

pub mod entry;

use serde::{Deserialize, Serialize};

use crate::audit;
use crate::crypto::aead;
use crate::crypto::kdf::{self, KdfError, KdfParams, SALT_LEN};
use crate::crypto::keys::{self, MemberSecrets};
pub use crate::format::FOUNDING_OWNER;
use crate::format::read::VerifiedFile;
use crate::format::{
    FORMAT_VERSION, Grant, GroupBlob, GroupId, GroupInfo, LOG_GROUP, LogHead, Manifest, Member,
    MemberId, Role, Sig, SignedManifest, Slot, SlotKind, Snapshot, VaultId, codec, labels, write,
};
use crate::secret::{Key32, Passphrase};
pub use entry::{BackupCode, CustomField, Entry, EntryId, HistoryItem, Removal};

/// The plaintext of a group blob.
#[derive(Serialize, Deserialize)]
pub struct GroupPayload {
    pub name: String,
    pub entries: Vec<Entry>,
}

/// A group this member can read.
pub struct OpenGroup {
    pub id: GroupId,
    pub name: String,
    pub entries: Vec<Entry>,
    dirty: bool,
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
    blobs: Vec<GroupBlob>,
    groups: Vec<OpenGroup>,
    /// Every access-log record, folded and appended, oldest first.
    log: Vec<Vec<u8>>,
    /// The same records, verified and decoded.
    verified: Vec<audit::Verified>,
    /// Records to write with the next save.
    pending: Vec<audit::Draft>,
    /// Slots changed since unlock, to bind in the next save's record.
    dirty_slots: Vec<(MemberId, SlotKind)>,
    /// The file ended in a torn (never acknowledged) log record.
    torn_tail: bool,
    generation: u64,
    me: MemberId,
    secrets: MemberSecrets,
    group_keys: Vec<(GroupId, u32, Key32)>,
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

/// A passphrase as Argon2id receives it: Unicode NFC when it is UTF-8, so
/// that composed and decomposed forms of the same text derive one key;
/// other bytes as they are.
fn normalized(passphrase: &[u8]) -> zeroize::Zeroizing<Vec<u8>> {
    use unicode_normalization::UnicodeNormalization;
    match std::str::from_utf8(passphrase) {
        Ok(s) if !s.is_ascii() => {
            let mut out = zeroize::Zeroizing::new(String::with_capacity(s.len() * 3));
            for c in s.nfc() {
                out.push(c);
            }
            zeroize::Zeroizing::new(out.as_bytes().to_vec())
        }
        _ => zeroize::Zeroizing::new(passphrase.to_vec()),
    }
}

fn slot_aad(
    vault_id: &VaultId,
    member: MemberId,
    kind: SlotKind,
    kdf: &KdfParams,
    salt: &[u8; SALT_LEN],
) -> Vec<u8> {
    let kind_byte: u8 = match kind {
        SlotKind::Passphrase => 0,
        SlotKind::Recovery => 1,
    };
    let mut aad = Vec::with_capacity(80);
    aad.extend_from_slice(labels::SLOT.as_bytes());
    aad.push(0);
    aad.extend_from_slice(vault_id);
    aad.extend_from_slice(&member.to_le_bytes());
    aad.push(kind_byte);
    aad.extend_from_slice(&kdf.memory_kib.to_le_bytes());
    aad.extend_from_slice(&kdf.time.to_le_bytes());
    aad.extend_from_slice(&kdf.parallelism.to_le_bytes());
    aad.extend_from_slice(salt);
    aad.extend_from_slice(&FORMAT_VERSION.to_le_bytes());
    aad
}

fn group_aad(vault_id: &VaultId, group: GroupId, epoch: u32) -> Vec<u8> {
    let mut aad = Vec::with_capacity(48);
    aad.extend_from_slice(labels::GROUP.as_bytes());
    aad.push(0);
    aad.extend_from_slice(vault_id);
    aad.extend_from_slice(&group.to_le_bytes());
    aad.extend_from_slice(&epoch.to_le_bytes());
    aad.extend_from_slice(&FORMAT_VERSION.to_le_bytes());
    aad
}

fn grant_info(vault_id: &VaultId, group: GroupId, epoch: u32, member: MemberId) -> Vec<u8> {
    let mut info = Vec::with_capacity(48);
    info.extend_from_slice(labels::GRANT.as_bytes());
    info.push(0);
    info.extend_from_slice(vault_id);
    info.extend_from_slice(&group.to_le_bytes());
    info.extend_from_slice(&epoch.to_le_bytes());
    info.extend_from_slice(&member.to_le_bytes());
    info
}

/// Wraps `secrets` under a key derived from `passphrase`.
fn make_slot(
    vault_id: &VaultId,
    member: MemberId,
    kind: SlotKind,
    kdf_params: KdfParams,
    passphrase: &[u8],
    secrets: &MemberSecrets,
    rng: &mut impl rand::CryptoRng,
) -> Result<Slot, KdfError> {
    let mut salt = [0u8; SALT_LEN];
    rng.fill_bytes(&mut salt);
    let mut nonce = [0u8; aead::NONCE_LEN];
    rng.fill_bytes(&mut nonce);
    let key = kdf::derive(&normalized(passphrase), &salt, &kdf_params)?;
    let aad = slot_aad(vault_id, member, kind, &kdf_params, &salt);
    let wrapped = aead::seal(&key, &nonce, &aad, &secrets.to_bytes()[..]);
    Ok(Slot {
        member,
        kind,
        kdf: kdf_params,
        salt,
        nonce,
        wrapped,
    })
}

fn sign_manifest(manifest: &Manifest, signer: MemberId, secrets: &MemberSecrets) -> SignedManifest {
    let body = codec::encode(manifest);
    let signature = Sig(secrets.sign(labels::MANIFEST, &body));
    SignedManifest {
        body,
        signer,
        signature,
    }
}

/// Creates a new vault with one owner and a recovery slot for that owner.
pub fn create(
    opts: CreateOptions<'_>,
    passphrase: &Passphrase,
    recovery_code: &Passphrase,
    rng: &mut impl rand::CryptoRng,
) -> Result<Vault, VaultError> {
    validate_member_name(opts.owner)?;
    if !opts.weak_kdf && opts.kdf.is_below_floor() {
        return Err(KdfError::BelowFloor(opts.kdf).into());
    }
    let secrets = MemberSecrets::generate(rng);
    let mut vault_nonce = [0u8; 16];
    rng.fill_bytes(&mut vault_nonce);
    let vault_id = crate::format::vault_id(&secrets.public().ed25519, &vault_nonce);
    let log_secret = Key32::random(rng);
    let log_public = keys::x25519_public(&log_secret);
    let log_grant = {
        let info = grant_info(&vault_id, LOG_GROUP, 1, FOUNDING_OWNER);
        let (enc, sealed_key) =
            keys::seal_group_key(&secrets.public().x25519, &info, &log_secret, rng)
                .expect("a freshly generated public key is valid");
        Grant {
            member: FOUNDING_OWNER,
            group: LOG_GROUP,
            epoch: 1,
            enc,
            sealed_key,
        }
    };
    let owner = Member {
        id: FOUNDING_OWNER,
        name: opts.owner.to_owned(),
        role: Role::Owner,
        public: secrets.public(),
        kdf: opts.kdf,
        added_at: opts.now,
        added_by: FOUNDING_OWNER,
        expires_at: None,
        revoked_at: None,
        must_change_passphrase: false,
        endorsement: None,
    };
    let manifest = Manifest {
        vault_id,
        vault_nonce,
        format_version: FORMAT_VERSION,
        version: 1,
        created_at: opts.now,
        weak_kdf: opts.weak_kdf,
        firm_domain: opts.firm_domain,
        members: vec![owner],
        groups: Vec::new(),
        grants: vec![log_grant],
        log_public,
        next_member_id: FOUNDING_OWNER + 1,
        next_group_id: 1,
        critical_groups: Vec::new(),
        critical_rotate_days: crate::format::DEFAULT_CRITICAL_ROTATE_DAYS,
    };
    let slots = vec![
        make_slot(
            &vault_id,
            FOUNDING_OWNER,
            SlotKind::Passphrase,
            opts.kdf,
            passphrase.expose(),
            &secrets,
            rng,
        )?,
        make_slot(
            &vault_id,
            FOUNDING_OWNER,
            SlotKind::Recovery,
            opts.kdf,
            recovery_code.expose(),
            &secrets,
            rng,
        )?,
    ];
    let signed_manifest = sign_manifest(&manifest, FOUNDING_OWNER, &secrets);
    Ok(Vault {
        vault_id,
        manifest,
        signed_manifest,
        manifest_dirty: true,
        slots,
        blobs: Vec::new(),
        groups: Vec::new(),
        log: Vec::new(),
        verified: Vec::new(),
        pending: vec![audit::Draft::new(opts.now, audit::Action::Init)],
        dirty_slots: vec![
            (FOUNDING_OWNER, SlotKind::Passphrase),
            (FOUNDING_OWNER, SlotKind::Recovery),
        ],
        torn_tail: false,
        generation: 0,
        me: FOUNDING_OWNER,
        secrets,
        group_keys: Vec::new(),
        revoked_unsaved: false,
        log_secrets: vec![(1, log_secret)],
    })
}

pub fn validate_member_name(name: &str) -> Result<(), VaultError> {
    let ok = !name.is_empty()
        && name.chars().count() <= 64
        && name
            .chars()
            .all(|c| c.is_alphanumeric() || matches!(c, '-' | '_' | '.' | '@'));
    if ok {
        Ok(())
    } else {
        Err(VaultError::Invalid(format!(
            "member name {name:?} must be 1 to 64 letters, digits or - _ . @"
        )))
    }
}

/// The access log of a verified file, checked without any secret.
pub struct CheckedLog {
    /// Folded records followed by appended ones.
    pub records: Vec<Vec<u8>>,
    pub verified: Vec<audit::Verified>,
    pub torn_tail: bool,
}

/// Verifies the log of `file` (chain for every record; signatures for the
/// records after `seen`, or all when `full`), that the snapshot's
/// recorded head matches its folded records, that the group data and key
/// slots are what the log last bound, and that the log extends what this
/// machine saw. Needs no passphrase.
pub fn check_log(
    file: &VerifiedFile,
    seen: &audit::HighWater,
    full: bool,
) -> Result<CheckedLog, VaultError> {
    let snapshot = &file.snapshot;
    let mut records = Vec::with_capacity(snapshot.log.len() + file.tail.len());
    records.extend(snapshot.log.iter().cloned());
    records.extend(file.tail.iter().cloned());
    // Records up to the remembered head were verified on this machine
    // before; the hash chain proves they are unchanged. `full` checks all.
    let from = if full {
        0
    } else {
        usize::try_from(seen.count)
            .unwrap_or(usize::MAX)
            .min(records.len())
    };
    let verified = audit::verify(&snapshot.vault_id, &file.manifest, &records, from)
        .map_err(|e| VaultError::Damaged(e.to_string()))?;
    audit::check_high_water(seen, &verified).map_err(VaultError::RolledBack)?;
    let folded = audit::head_of(&verified[..snapshot.log.len()]);
    if folded != snapshot.log_head {
        return Err(VaultError::damaged(
            "the snapshot's access-log head does not match its records",
        ));
    }
    audit::check_bindings(
        &file.manifest,
        &snapshot.manifest,
        &snapshot.groups,
        &snapshot.slots,
        &verified,
    )
    .map_err(VaultError::Damaged)?;
    Ok(CheckedLog {
        records,
        verified,
        torn_tail: file.torn_tail,
    })
}

/// Opens `file` with `cred`. `ram_bytes` bounds the KDF memory (at most
/// half of it); the bound is checked before anything is allocated. `seen`
/// is what this machine remembers of the vault's log.
pub fn unlock(
    file: VerifiedFile,
    cred: Credential<'_>,
    now: i64,
    ram_bytes: u64,
    seen: &audit::HighWater,
) -> Result<Vault, VaultError> {
    let log = check_log(&file, seen, false)?;
    let manifest = file.manifest;
    let snapshot = file.snapshot;
    let (member, kind, secret): (&Member, SlotKind, &[u8]) = match cred {
        Credential::Passphrase { member, passphrase } => {
            let m = match member {
                None => manifest.members.iter().find(|m| m.id == FOUNDING_OWNER),
                Some(name) => manifest.members.iter().find(|m| m.name == name),
            }
            .ok_or_else(|| {
                VaultError::UnknownMember(member.unwrap_or("(founding owner)").to_owned())
            })?;
            (m, SlotKind::Passphrase, passphrase.expose())
        }
        Credential::Recovery { code } => {
            let m = manifest
                .members
                .iter()
                .find(|m| m.id == FOUNDING_OWNER)
                .ok_or_else(|| VaultError::damaged("the founding owner is missing"))?;
            (m, SlotKind::Recovery, code.expose())
        }
    };
    if let Some(at) = member.revoked_at {
        return Err(VaultError::AccessDenied(format!(
            "{}'s membership was revoked on {}",
            member.name,
            crate::dates::format_date(at)
        )));
    }
    if let Some(at) = member.expires_at
        && at <= now
    {
        return Err(VaultError::AccessDenied(format!(
            "{}'s membership expired on {}",
            member.name,
            crate::dates::format_date(at)
        )));
    }
    let slot = snapshot
        .slots
        .iter()
        .find(|s| s.member == member.id && s.kind == kind)
        .ok_or_else(|| {
            VaultError::AccessDenied(format!("{} has no key slot of that kind", member.name))
        })?;
    kdf::check_bounds(&slot.kdf, manifest.weak_kdf, ram_bytes)?;
    let key = kdf::derive(&normalized(secret), &slot.salt, &slot.kdf)?;
    let aad = slot_aad(&snapshot.vault_id, member.id, kind, &slot.kdf, &slot.salt);
    let mut buf = zeroize::Zeroizing::new(slot.wrapped.clone());
    aead::open_in_place(&key, &slot.nonce, &aad, &mut buf)
        .map_err(|_| VaultError::WrongPassphrase)?;
    let secrets = MemberSecrets::from_bytes(&buf)
        .ok_or_else(|| VaultError::damaged("a key slot holds the wrong amount of key material"))?;
    if secrets.public() != member.public {
        return Err(VaultError::damaged(
            "a key slot's keys do not match the signed manifest",
        ));
    }
    let me = member.id;

    let mut group_keys = Vec::new();
    let mut log_secrets: Vec<(u32, Key32)> = Vec::new();
    for grant in manifest
        .grants
        .iter()
        .filter(|g| g.member == me && g.group == LOG_GROUP)
    {
        let info = grant_info(&snapshot.vault_id, LOG_GROUP, grant.epoch, me);
        let key = secrets
            .open_group_key(&info, &grant.enc, &grant.sealed_key)
            .map_err(|_| {
                VaultError::damaged("the log key granted to this member cannot be opened")
            })?;
        log_secrets.push((grant.epoch, key));
    }
    log_secrets.sort_by_key(|(epoch, _)| *epoch);
    // The newest log key is the vault's current one; older epochs only
    // open the details of records written before a revocation.
    if let Some((_, current)) = log_secrets.last()
        && keys::x25519_public(current) != manifest.log_public
    {
        return Err(VaultError::damaged(
            "the log key granted to this member is not the vault's",
        ));
    }
    for grant in manifest
        .grants
        .iter()
        .filter(|g| g.member == me && g.group != LOG_GROUP)
    {
        let current = manifest
            .groups
            .iter()
            .any(|g| g.id == grant.group && g.epoch == grant.epoch);
        if !current {
            continue;
        }
        let info = grant_info(&snapshot.vault_id, grant.group, grant.epoch, me);
        let key = secrets
            .open_group_key(&info, &grant.enc, &grant.sealed_key)
            .map_err(|_| {
                VaultError::damaged("a group key granted to this member cannot be opened")
            })?;
        group_keys.push((grant.group, grant.epoch, key));
    }

    // Groups decrypt and decode independently: one per core at a time.
    let groups: Vec<OpenGroup> = {
        use rayon::prelude::*;
        snapshot
            .groups
            .par_iter()
            .filter_map(|blob| {
                let (_, _, key) = group_keys
                    .iter()
                    .find(|(g, e, _)| *g == blob.group && *e == blob.epoch)?;
                Some(open_group(&snapshot.vault_id, blob, key))
            })
            .collect::<Result<Vec<OpenGroup>, VaultError>>()?
    };
    for (g, _, _) in &group_keys {
        if !groups.iter().any(|og| og.id == *g) {
            return Err(VaultError::damaged("a granted group's data is missing"));
        }
    }

    Ok(Vault {
        vault_id: snapshot.vault_id,
        manifest,
        signed_manifest: snapshot.manifest,
        manifest_dirty: false,
        slots: snapshot.slots,
        blobs: snapshot.groups,
        groups,
        log: log.records,
        verified: log.verified,
        pending: Vec::new(),
        dirty_slots: Vec::new(),
        torn_tail: log.torn_tail,
        generation: snapshot.generation,
        me,
        secrets,
        group_keys,
        revoked_unsaved: false,
        log_secrets,
    })
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

    pub fn me(&self) -> &Member {
        self.manifest
            .members
            .iter()
            .find(|m| m.id == self.me)
            .expect("the unlocked member is in the manifest")
    }

    pub fn member_name(&self, id: MemberId) -> &str {
        self.manifest
            .members
            .iter()
            .find(|m| m.id == id)
            .map_or("?", |m| m.name.as_str())
    }

    /// The member was added with `must_change_passphrase` and has not yet
    /// written a `passphrase-change` record of their own (the flag is in
    /// the owner-signed manifest, which the member cannot re-sign; their
    /// signed record is what satisfies it).
    pub fn passphrase_change_due(&self) -> bool {
        if !self.me().must_change_passphrase {
            return false;
        }
        // The member's own `passphrase-change` record, binding the
        // passphrase slot they wrote: a record alone does not do.
        let mine = audit::Subject::Slot {
            member: self.me,
            kind: SlotKind::Passphrase,
        };
        let last = self
            .verified
            .iter()
            .rev()
            .find(|v| v.record.bindings.iter().any(|b| b.subject == mine));
        !last.is_some_and(|v| {
            v.record.member == self.me
                && self.verified.iter().any(|p| {
                    p.record.member == self.me && p.record.action == audit::Action::PassphraseChange
                })
        })
    }

    pub fn is_owner(&self) -> bool {
        self.me().role == Role::Owner
    }

    /// The current log key's secret: owners and auditors hold it.
    pub fn log_secret(&self) -> Option<&Key32> {
        self.log_secrets.last().map(|(_, k)| k)
    }

    pub fn weak_kdf(&self) -> bool {
        self.manifest.weak_kdf
    }

    /// The groups this member can read, in the order they were created.
    pub fn groups(&self) -> &[OpenGroup] {
        &self.groups
    }

    pub fn entry(&self, r: EntryRef) -> &Entry {
        &self.groups[r.group].entries[r.index]
    }

    pub fn group_name(&self, r: EntryRef) -> &str {
        &self.groups[r.group].name
    }

    /// Every live (not removed) entry this member can read.
    pub fn entries(&self) -> impl Iterator<Item = (EntryRef, &OpenGroup, &Entry)> {
        self.groups.iter().enumerate().flat_map(|(gi, g)| {
            g.entries
                .iter()
                .enumerate()
                .filter(|(_, e)| e.removed.is_none())
                .map(move |(ei, e)| {
                    (
                        EntryRef {
                            group: gi,
                            index: ei,
                        },
                        g,
                        e,
                    )
                })
        })
    }

    pub fn entry_count(&self) -> usize {
        self.entries().count()
    }

    /// Finds one live entry by id, unique id prefix (4+ hex digits), exact
    /// title, or title ignoring case.
    pub fn find(&self, query: &str) -> Result<EntryRef, VaultError> {
        let q = query.trim();
        if q.is_empty() {
            return Err(VaultError::NotFound(query.to_owned()));
        }
        let pick = |matches: Vec<EntryRef>| -> Option<Result<EntryRef, VaultError>> {
            match matches.len() {
                0 => None,
                1 => Some(Ok(matches[0])),
                _ => Some(Err(VaultError::Ambiguous {
                    query: query.to_owned(),
                    candidates: matches
                        .iter()
                        .take(10)
                        .map(|r| {
                            let e = self.entry(*r);
                            format!("{} {} ({})", e.id.hex(), e.title, self.group_name(*r))
                        })
                        .collect(),
                })),
            }
        };
        let lower = q.to_ascii_lowercase();
        if q.len() >= 4 && q.len() <= 16 && lower.bytes().all(|b| b.is_ascii_hexdigit()) {
            let m: Vec<EntryRef> = self
                .entries()
                .filter(|(_, _, e)| e.id.hex().starts_with(&lower))
                .map(|(r, _, _)| r)
                .collect();
            if let Some(res) = pick(m) {
                return res;
            }
        }
        let exact: Vec<EntryRef> = self
            .entries()
            .filter(|(_, _, e)| e.title == q)
            .map(|(r, _, _)| r)
            .collect();
        if let Some(res) = pick(exact) {
            return res;
        }
        let folded = q.to_lowercase();
        let ci: Vec<EntryRef> = self
            .entries()
            .filter(|(_, _, e)| e.title.to_lowercase() == folded)
            .map(|(r, _, _)| r)
            .collect();
        pick(ci).unwrap_or_else(|| Err(VaultError::NotFound(query.to_owned())))
    }

    fn group_index(&self, name: &str) -> Option<usize> {
        self.groups.iter().position(|g| g.name == name)
    }

    /// The index of group `name`, creating it (owners only) when missing.
    pub fn ensure_group(
        &mut self,
        name: &str,
        rng: &mut impl rand::CryptoRng,
    ) -> Result<usize, VaultError> {
        let name = normalize_group(name)?;
        if let Some(i) = self.group_index(&name) {
            return Ok(i);
        }
        if !self.is_owner() {
            return Err(VaultError::AccessDenied(format!(
                "group {name:?} is not granted to {}; only an owner can create groups",
                self.me().name
            )));
        }
        let id = self.manifest.next_group_id;
        self.manifest.next_group_id = id
            .checked_add(1)
            .ok_or(VaultError::Limit("group ids are exhausted"))?;
        let epoch = 1;
        self.manifest.groups.push(GroupInfo { id, epoch });
        let key = Key32::random(rng);
        let owners: Vec<(MemberId, [u8; 32])> = self
            .manifest
            .members
            .iter()
            .filter(|m| m.role == Role::Owner && m.revoked_at.is_none())
            .map(|m| (m.id, m.public.x25519))
            .collect();
        for (member, x) in owners {
            let info = grant_info(&self.vault_id, id, epoch, member);
            let (enc, sealed_key) =
                keys::seal_group_key(&x, &info, &key, rng).ok_or_else(|| {
                    VaultError::damaged("a member's public key is not a valid X25519 key")
                })?;
            self.manifest.grants.push(Grant {
                member,
                group: id,
                epoch,
                enc,
                sealed_key,
            });
        }
        self.group_keys.push((id, epoch, key));
        self.blobs.push(GroupBlob {
            group: id,
            epoch,
            nonce: [0; 24],
            ciphertext: Vec::new(),
        });
        self.groups.push(OpenGroup {
            id,
            name,
            entries: Vec::new(),
            dirty: true,
        });
        self.manifest_dirty = true;
        Ok(self.groups.len() - 1)
    }

    /// Adds a member (owners only) with a passphrase slot, and grants them
    /// keys by role: an owner every group and the log key (with this
    /// owner's endorsement, FORMAT.md §6.9); a contractor the groups named;
    /// an auditor the log key only. The next save signs and binds it all.
    #[allow(clippy::too_many_arguments)]
    pub fn add_member(
        &mut self,
        name: &str,
        role: Role,
        groups: &[String],
        expires_at: Option<i64>,
        passphrase: &Passphrase,
        now: i64,
        rng: &mut impl rand::CryptoRng,
    ) -> Result<MemberId, VaultError> {
        self.add_member_with(name, role, groups, expires_at, passphrase, false, now, rng)
    }

    /// [`Vault::add_member`], with `must_change`: the member must choose a
    /// new passphrase at first unlock (see [`Vault::passphrase_change_due`]).
    #[allow(clippy::too_many_arguments)]
    pub fn add_member_with(
        &mut self,
        name: &str,
        role: Role,
        groups: &[String],
        expires_at: Option<i64>,
        passphrase: &Passphrase,
        must_change: bool,
        now: i64,
        rng: &mut impl rand::CryptoRng,
    ) -> Result<MemberId, VaultError> {
        if !self.is_owner() {
            return Err(VaultError::AccessDenied(
                "only an owner can add members".into(),
            ));
        }
        validate_member_name(name)?;
        if self.manifest.members.iter().any(|m| m.name == name) {
            return Err(VaultError::Invalid(format!(
                "there is already a member named {name:?}"
            )));
        }
        if role != Role::Contractor && !groups.is_empty() {
            return Err(VaultError::Invalid(
                "groups are granted to contractors; owners hold every group and auditors none"
                    .into(),
            ));
        }
        let mut granted: Vec<GroupId> = Vec::new();
        for g in groups {
            let norm = normalize_group(g)?;
            let i = self
                .group_index(&norm)
                .ok_or_else(|| VaultError::NotFound(format!("no group named {norm:?}")))?;
            let id = self.groups[i].id;
            if !granted.contains(&id) {
                granted.push(id);
            }
        }
        if role == Role::Owner {
            granted = self.groups.iter().map(|g| g.id).collect();
        }
        let id = self.manifest.next_member_id;
        let next = id
            .checked_add(1)
            .ok_or(VaultError::Limit("member ids are exhausted"))?;
        let secrets = MemberSecrets::generate(rng);
        let kdf_params = self.me().kdf;
        let mut member = Member {
            id,
            name: name.to_owned(),
            role,
            public: secrets.public(),
            kdf: kdf_params,
            added_at: now,
            added_by: self.me,
            expires_at,
            revoked_at: None,
            must_change_passphrase: must_change,
            endorsement: None,
        };
        if role == Role::Owner {
            let msg = crate::format::endorsement_message(&self.vault_id, &member);
            member.endorsement = Some(crate::format::Endorsement {
                by: self.me,
                sig: Sig(self.secrets.sign(labels::ENDORSEMENT, &msg)),
            });
        }
        let slot = make_slot(
            &self.vault_id,
            id,
            SlotKind::Passphrase,
            kdf_params,
            passphrase.expose(),
            &secrets,
            rng,
        )?;
        let x = member.public.x25519;
        let mut grants = Vec::new();
        let seal = |group: GroupId, epoch: u32, key: &Key32, rng: &mut _| {
            let info = grant_info(&self.vault_id, group, epoch, id);
            keys::seal_group_key(&x, &info, key, rng)
                .map(|(enc, sealed_key)| Grant {
                    member: id,
                    group,
                    epoch,
                    enc,
                    sealed_key,
                })
                .ok_or_else(|| VaultError::damaged("a new member's key is not a valid X25519 key"))
        };
        for g in &granted {
            let (epoch, key) = self
                .group_keys
                .iter()
                .find(|(gid, _, _)| gid == g)
                .map(|(_, e, k)| (*e, k))
                .ok_or_else(|| {
                    VaultError::AccessDenied("you do not hold that group's key".into())
                })?;
            grants.push(seal(*g, epoch, key, rng)?);
        }
        if role != Role::Contractor {
            if self.log_secrets.is_empty() {
                return Err(VaultError::AccessDenied(
                    "you do not hold the access log's key".into(),
                ));
            }
            for (epoch, key) in &self.log_secrets {
                grants.push(seal(LOG_GROUP, *epoch, key, rng)?);
            }
        }
        self.manifest.next_member_id = next;
        self.manifest.members.push(member);
        self.manifest.grants.extend(grants);
        self.slots.push(slot);
        self.dirty_slots.push((id, SlotKind::Passphrase));
        self.manifest_dirty = true;
        Ok(id)
    }

    /// Grants a contractor more groups (owners only): each group's key,
    /// sealed to the member's X25519 key. Returns the groups newly granted.
    pub fn grant(
        &mut self,
        name: &str,
        groups: &[String],
        rng: &mut impl rand::CryptoRng,
    ) -> Result<Vec<GroupId>, VaultError> {
        self.check_owner("grant groups")?;
        let m = self.member_named(name)?;
        if m.revoked_at.is_some() {
            return Err(VaultError::Invalid(format!("{name} was revoked")));
        }
        if m.role != Role::Contractor {
            return Err(VaultError::Invalid(format!(
                "{name} is not a contractor: owners hold every group and auditors none"
            )));
        }
        let id = m.id;
        let mut new = Vec::new();
        for g in groups {
            let norm = normalize_group(g)?;
            let i = self
                .group_index(&norm)
                .ok_or_else(|| VaultError::NotFound(format!("no group named {norm:?}")))?;
            let gid = self.groups[i].id;
            let (epoch, key) = self
                .group_keys
                .iter()
                .find(|(k, _, _)| *k == gid)
                .map(|(_, e, k)| (*e, k))
                .ok_or_else(|| {
                    VaultError::AccessDenied("you do not hold that group's key".into())
                })?;
            let held = self
                .manifest
                .grants
                .iter()
                .any(|g| g.member == id && g.group == gid && g.epoch == epoch);
            if held || new.iter().any(|(g, _)| *g == gid) {
                continue;
            }
            new.push((gid, self.make_grant(id, gid, epoch, key, rng)?));
        }
        let ids: Vec<GroupId> = new.iter().map(|(g, _)| *g).collect();
        if !new.is_empty() {
            self.manifest.grants.extend(new.into_iter().map(|(_, g)| g));
            self.manifest_dirty = true;
        }
        Ok(ids)
    }

    /// Checks that `name` may be revoked by this member (an owner; not
    /// themself, not the founding owner, not already revoked), without
    /// changing anything. Returns their id.
    pub fn check_revocable(&self, name: &str) -> Result<MemberId, VaultError> {
        self.check_owner("revoke members")?;
        let m = self.member_named(name)?;
        if m.revoked_at.is_some() {
            return Err(VaultError::Invalid(format!("{name} is already revoked")));
        }
        if m.id == self.me {
            return Err(VaultError::Invalid(
                "you cannot revoke yourself; another owner can".into(),
            ));
        }
        if m.id == FOUNDING_OWNER {
            return Err(VaultError::Invalid(format!(
                "{name} is the founding owner, who holds the vault's recovery code; \
                 the founding owner cannot be revoked"
            )));
        }
        Ok(m.id)
    }

    /// Revokes member `name` (owners only) and re-keys what they held:
    /// every group they had a current grant of gets a new random key at
    /// the next epoch, sealed to each remaining holder's public key (no one
    /// else's passphrase is needed), and its data is re-encrypted at the
    /// next save; if they held the log key, it is replaced too, so later
    /// records' details are sealed to a key they never had. Their slots
    /// and grants are removed. The caller records a `member-revoke` record
    /// naming them in the same save (FORMAT.md §8 rule 10).
    pub fn revoke(
        &mut self,
        name: &str,
        now: i64,
        rng: &mut impl rand::CryptoRng,
    ) -> Result<Revocation, VaultError> {
        let id = self.check_revocable(name)?;
        let current: Vec<(GroupId, u32)> = self
            .manifest
            .groups
            .iter()
            .map(|g| (g.id, g.epoch))
            .collect();
        let held: Vec<(GroupId, u32)> = current
            .iter()
            .copied()
            .filter(|(g, e)| {
                self.manifest
                    .grants
                    .iter()
                    .any(|x| x.member == id && x.group == *g && x.epoch == *e)
            })
            .collect();
        let held_log = self
            .manifest
            .grants
            .iter()
            .any(|x| x.member == id && x.group == LOG_GROUP);
        // Every key is replaced before anything changes, so a failure
        // leaves the vault as it was.
        let mut new_grants = Vec::new();
        let mut new_keys = Vec::new();
        for (group, epoch) in &held {
            let next = epoch
                .checked_add(1)
                .ok_or(VaultError::Limit("a group's key epochs are exhausted"))?;
            if !self.group_keys.iter().any(|(g, _, _)| g == group) {
                return Err(VaultError::AccessDenied(format!(
                    "you do not hold the key of group #{group}, which {name} holds"
                )));
            }
            let key = Key32::random(rng);
            for holder in self.holders(*group, *epoch, id, now) {
                new_grants.push(self.make_grant(holder, *group, next, &key, rng)?);
            }
            new_keys.push((*group, next, key));
        }
        let mut new_log = None;
        if held_log {
            let epoch = self.log_secrets.last().map(|(e, _)| *e).ok_or_else(|| {
                VaultError::AccessDenied("you do not hold the access log's key".into())
            })?;
            let next = epoch
                .checked_add(1)
                .ok_or(VaultError::Limit("the log key's epochs are exhausted"))?;
            let key = Key32::random(rng);
            for holder in self.holders(LOG_GROUP, epoch, id, now) {
                new_grants.push(self.make_grant(holder, LOG_GROUP, next, &key, rng)?);
            }
            new_log = Some((next, key));
        }

        let rekeyed: Vec<(GroupId, u32)> = new_keys.iter().map(|(g, e, _)| (*g, *e)).collect();
        self.manifest.grants.retain(|x| {
            x.member != id && !held.iter().any(|(g, e)| x.group == *g && x.epoch == *e)
        });
        self.manifest.grants.extend(new_grants);
        for (group, epoch, key) in new_keys {
            if let Some(info) = self.manifest.groups.iter_mut().find(|g| g.id == group) {
                info.epoch = epoch;
            }
            if let Some(k) = self.group_keys.iter_mut().find(|(g, _, _)| *g == group) {
                *k = (group, epoch, key);
            }
            if let Some(g) = self.groups.iter_mut().find(|g| g.id == group) {
                g.dirty = true;
            }
        }
        let log_rotated = new_log.is_some();
        if let Some((epoch, key)) = new_log {
            self.manifest.log_public = keys::x25519_public(&key);
            self.log_secrets.push((epoch, key));
        }
        self.slots.retain(|s| s.member != id);
        self.dirty_slots.retain(|(m, _)| *m != id);
        if let Some(m) = self.manifest.members.iter_mut().find(|m| m.id == id) {
            m.revoked_at = Some(now);
        }
        self.manifest_dirty = true;
        self.revoked_unsaved = true;
        Ok(Revocation {
            member: id,
            rekeyed,
            log_rotated,
        })
    }

    /// The members other than `except`, neither revoked nor expired at
    /// `now`, who hold a grant of `(group, epoch)`. An expired member gets
    /// no new key: the re-key ends their access as a revocation would.
    fn holders(&self, group: GroupId, epoch: u32, except: MemberId, now: i64) -> Vec<MemberId> {
        self.manifest
            .grants
            .iter()
            .filter(|g| g.group == group && g.epoch == epoch && g.member != except)
            .map(|g| g.member)
            .filter(|id| {
                self.manifest.members.iter().any(|m| {
                    m.id == *id && m.revoked_at.is_none() && m.expires_at.is_none_or(|t| t > now)
                })
            })
            .collect()
    }

    /// `key` of `(group, epoch)` sealed to `member`'s X25519 key.
    fn make_grant(
        &self,
        member: MemberId,
        group: GroupId,
        epoch: u32,
        key: &Key32,
        rng: &mut impl rand::CryptoRng,
    ) -> Result<Grant, VaultError> {
        let x = self
            .manifest
            .members
            .iter()
            .find(|m| m.id == member)
            .map(|m| m.public.x25519)
            .ok_or_else(|| VaultError::damaged("a grant names a member who is not listed"))?;
        let info = grant_info(&self.vault_id, group, epoch, member);
        let (enc, sealed_key) = keys::seal_group_key(&x, &info, key, rng)
            .ok_or_else(|| VaultError::damaged("a member's key is not a valid X25519 key"))?;
        Ok(Grant {
            member,
            group,
            epoch,
            enc,
            sealed_key,
        })
    }

    /// Whether a revocation made since the last successful save is still
    /// to be written (see [`Vault::saved_revocation`]).
    pub fn revocation_unsaved(&self) -> bool {
        self.revoked_unsaved
    }

    /// Tells the vault that the file now holds its revocations.
    pub fn saved_revocation(&mut self) {
        self.revoked_unsaved = false;
    }

    /// The listed member called `name`.
    fn member_named(&self, name: &str) -> Result<&Member, VaultError> {
        self.manifest
            .members
            .iter()
            .find(|m| m.name == name)
            .ok_or_else(|| VaultError::UnknownMember(name.to_owned()))
    }

    fn check_owner(&self, what: &str) -> Result<(), VaultError> {
        if self.is_owner() {
            Ok(())
        } else {
            Err(VaultError::AccessDenied(format!(
                "only an owner can {what}"
            )))
        }
    }

    /// Sets or clears the firm's e-mail domain (owners only; signed into
    /// the manifest at the next save).
    pub fn set_firm_domain(&mut self, domain: Option<String>) -> Result<(), VaultError> {
        self.check_owner("change the settings")?;
        let domain = domain.map(|d| d.trim().trim_start_matches('@').to_ascii_lowercase());
        if self.manifest.firm_domain != domain {
            self.manifest.firm_domain = domain;
            self.manifest_dirty = true;
        }
        Ok(())
    }

    /// Marks group `name` critical or not (owners only). Returns its id.
    pub fn set_critical(&mut self, name: &str, critical: bool) -> Result<GroupId, VaultError> {
        self.check_owner("change the settings")?;
        let norm = normalize_group(name)?;
        let id = self
            .group_index(&norm)
            .map(|i| self.groups[i].id)
            .ok_or_else(|| VaultError::NotFound(format!("no group named {norm:?}")))?;
        let list = &mut self.manifest.critical_groups;
        let had = list.contains(&id);
        if critical && !had {
            list.push(id);
            list.sort_unstable();
            self.manifest_dirty = true;
        } else if !critical && had {
            list.retain(|g| *g != id);
            self.manifest_dirty = true;
        }
        Ok(id)
    }

    /// Sets the rotation period of critical groups, 1 to 3650 days
    /// (owners only).
    pub fn set_critical_rotate_days(&mut self, days: u32) -> Result<(), VaultError> {
        self.check_owner("change the settings")?;
        if !(1..=3650).contains(&days) {
            return Err(VaultError::Invalid(
                "the rotation period must be 1 to 3650 days".into(),
            ));
        }
        if self.manifest.critical_rotate_days != days {
            self.manifest.critical_rotate_days = days;
            self.manifest_dirty = true;
        }
        Ok(())
    }

    /// Members whose membership has expired by `now` and is not yet revoked.
    pub fn expired_members(&self, now: i64) -> Vec<&Member> {
        self.manifest
            .members
            .iter()
            .filter(|m| m.revoked_at.is_none() && m.expires_at.is_some_and(|t| t <= now))
            .collect()
    }

    fn check_can_write(&self) -> Result<(), VaultError> {
        if self.me().role == Role::Auditor {
            return Err(VaultError::AccessDenied(
                "auditors cannot change entries".into(),
            ));
        }
        Ok(())
    }

    /// Adds `entry` to group `group` (created if missing and allowed).
    pub fn add(
        &mut self,
        group: &str,
        entry: Entry,
        rng: &mut impl rand::CryptoRng,
    ) -> Result<EntryRef, VaultError> {
        self.check_can_write()?;
        validate_title(&entry.title)?;
        let gi = self.ensure_group(group, rng)?;
        let g = &mut self.groups[gi];
        g.entries.push(entry);
        g.dirty = true;
        Ok(EntryRef {
            group: gi,
            index: g.entries.len() - 1,
        })
    }

    /// Gives mutable access to an entry; the group is re-encrypted at the
    /// next save. Stamps modified-at/by.
    pub fn edit(&mut self, r: EntryRef, now: i64) -> Result<&mut Entry, VaultError> {
        self.check_can_write()?;
        let me = self.me;
        let g = &mut self.groups[r.group];
        g.dirty = true;
        let e = &mut g.entries[r.index];
        e.modified_at = now;
        e.modified_by = me;
        Ok(e)
    }

    /// Marks a backup code used without stamping the entry as edited.
    pub fn mark_code_used(
        &mut self,
        r: EntryRef,
        code_index: usize,
        now: i64,
    ) -> Result<(), VaultError> {
        self.check_can_write()?;
        let me = self.me;
        let g = &mut self.groups[r.group];
        let code = g.entries[r.index]
            .backup_codes
            .get_mut(code_index)
            .ok_or_else(|| {
                VaultError::Invalid(format!("there is no backup code number {}", code_index + 1))
            })?;
        if code.used_at.is_some() {
            return Err(VaultError::Invalid(format!(
                "backup code number {} is already used",
                code_index + 1
            )));
        }
        code.used_at = Some(now);
        code.used_by = Some(me);
        g.dirty = true;
        Ok(())
    }

    /// Moves an entry to another group (creating it if allowed).
    pub fn move_entry(
        &mut self,
        r: EntryRef,
        to: &str,
        rng: &mut impl rand::CryptoRng,
    ) -> Result<EntryRef, VaultError> {
        self.check_can_write()?;
        let to_index = self.ensure_group(to, rng)?;
        if to_index == r.group {
            return Ok(r);
        }
        let entry = self.groups[r.group].entries.remove(r.index);
        self.groups[r.group].dirty = true;
        let g = &mut self.groups[to_index];
        g.entries.push(entry);
        g.dirty = true;
        Ok(EntryRef {
            group: to_index,
            index: g.entries.len() - 1,
        })
    }

    /// Removes an entry; it stays in the group's data, marked removed, for
    /// the owner's history.
    pub fn remove(&mut self, r: EntryRef, now: i64) -> Result<(), VaultError> {
        let me = self.me;
        let e = self.edit(r, now)?;
        e.removed = Some(Removal { at: now, by: me });
        Ok(())
    }

    /// Replaces this member's passphrase slot. The KDF parameters stay those
    /// of the signed manifest: never lowered.
    pub fn change_passphrase(
        &mut self,
        new: &Passphrase,
        rng: &mut impl rand::CryptoRng,
    ) -> Result<(), VaultError> {
        let kdf_params = self.me().kdf;
        let slot = make_slot(
            &self.vault_id,
            self.me,
            SlotKind::Passphrase,
            kdf_params,
            new.expose(),
            &self.secrets,
            rng,
        )?;
        self.slots
            .retain(|s| !(s.member == self.me && s.kind == SlotKind::Passphrase));
        self.slots.push(slot);
        self.dirty_slots.push((self.me, SlotKind::Passphrase));
        Ok(())
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
        audit::verify(&self.vault_id, &self.manifest, &self.log, 0)
            .map(|_| ())
            .map_err(|e| VaultError::Damaged(e.to_string()))
    }

    /// The entry with this id in a readable group, removed ones included,
    /// with its group's name.
    pub fn any_entry(&self, id: [u8; 8]) -> Option<(&Entry, &str)> {
        self.groups.iter().find_map(|g| {
            g.entries
                .iter()
                .find(|e| e.id.0 == id)
                .map(|e| (e, g.name.as_str()))
        })
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

    /// Builds the record that follows the current head, signed by this
    /// member, without adding it: the caller writes it durably first, then
    /// calls [`Vault::accept_record`].
    pub fn prepare_record(&self, draft: audit::Draft, rng: &mut impl rand::CryptoRng) -> Vec<u8> {
        audit::make(
            &self.vault_id,
            &self.log_head(),
            self.me,
            draft,
            &self.secrets,
            &self.manifest.log_public,
            rng,
        )
    }

    /// Adds a record made by [`Vault::prepare_record`] once it is on disk.
    pub fn accept_record(&mut self, bytes: Vec<u8>) -> Result<(), VaultError> {
        let head = self.log_head();
        let record = decode_record(&bytes)?;
        if record.seq != head.count || record.prev != head.hash {
            return Err(VaultError::damaged("a new record does not follow the log"));
        }
        let hash = audit::record_hash(&bytes);
        self.torn_tail = false;
        self.log.push(bytes);
        self.verified.push(audit::Verified { record, hash });
        Ok(())
    }

    /// A short description of an entry for sealed log details.
    pub fn details_for(&self, r: EntryRef) -> audit::Details {
        audit::Details {
            title: Some(self.entry(r).title.clone()),
            group: Some(self.group_name(r).to_owned()),
            note: None,
        }
    }

    /// The group id of an entry.
    pub fn group_id(&self, r: EntryRef) -> GroupId {
        self.groups[r.group].id
    }

    /// Serializes, encrypts and signs the vault. Groups not changed since
    /// unlock (and groups this member cannot read) keep their ciphertext.
    /// The queued records are written, the last one binding every group
    /// blob and key slot this save changed.
    pub fn seal(
        &mut self,
        now: i64,
        rng: &mut impl rand::CryptoRng,
    ) -> Result<Vec<u8>, VaultError> {
        if self.manifest_dirty && !self.is_owner() {
            return Err(VaultError::AccessDenied(
                "only an owner can change members or groups".into(),
            ));
        }
        let generation = self
            .generation
            .checked_add(1)
            .ok_or(VaultError::Limit("the save counter is exhausted"))?;
        let mut bindings = Vec::new();
        for g in self.groups.iter_mut().filter(|g| g.dirty) {
            let (epoch, key) = self
                .group_keys
                .iter()
                .find(|(id, _, _)| *id == g.id)
                .map(|(_, e, k)| (*e, k))
                .expect("a readable group has its key");
            let payload = GroupPayload {
                name: std::mem::take(&mut g.name),
                entries: std::mem::take(&mut g.entries),
            };
            let mut buf = codec::encode_secret(&payload, aead::TAG_LEN);
            g.name = payload.name;
            g.entries = payload.entries;
            let mut nonce = [0u8; aead::NONCE_LEN];
            rng.fill_bytes(&mut nonce);
            aead::seal_in_place(
                key,
                &nonce,
                &group_aad(&self.vault_id, g.id, epoch),
                &mut buf,
            );
            let ciphertext = std::mem::take(&mut *buf);
            let blob = self
                .blobs
                .iter_mut()
                .find(|b| b.group == g.id)
                .expect("every group has a blob");
            *blob = GroupBlob {
                group: g.id,
                epoch,
                nonce,
                ciphertext,
            };
            bindings.push(audit::Binding {
                subject: audit::Subject::Group { group: g.id },
                hash: audit::blob_hash(blob),
            });
            g.dirty = false;
        }
        for (member, kind) in std::mem::take(&mut self.dirty_slots) {
            if let Some(slot) = self
                .slots
                .iter()
                .find(|s| s.member == member && s.kind == kind)
            {
                bindings.push(audit::Binding {
                    subject: audit::Subject::Slot { member, kind },
                    hash: audit::slot_hash(slot),
                });
            }
        }
        if self.manifest_dirty {
            self.manifest.version = self
                .manifest
                .version
                .checked_add(1)
                .ok_or(VaultError::Limit("the manifest version is exhausted"))?;
            self.signed_manifest = sign_manifest(&self.manifest, self.me, &self.secrets);
            self.manifest_dirty = false;
            bindings.push(audit::Binding {
                subject: audit::Subject::Manifest,
                hash: audit::manifest_hash(&self.signed_manifest),
            });
        }
        let mut pending = std::mem::take(&mut self.pending);
        if pending.is_empty() && !bindings.is_empty() {
            pending.push(audit::Draft::new(now, audit::Action::Edit));
        }
        if let Some(last) = pending.last_mut() {
            last.bindings.extend(bindings);
        }
        for draft in pending {
            let bytes = self.prepare_record(draft, rng);
            self.accept_record(bytes)?;
        }
        self.generation = generation;
        let snapshot = Snapshot {
            vault_id: self.vault_id,
            generation,
            saver: self.me,
            saved_at: now,
            manifest: self.signed_manifest.clone(),
            slots: std::mem::take(&mut self.slots),
            groups: std::mem::take(&mut self.blobs),
            log: std::mem::take(&mut self.log),
            log_head: self.log_head(),
        };
        let secrets = &self.secrets;
        let bytes = write::file_bytes(&snapshot, |digest| secrets.sign(labels::SEAL, digest));
        self.slots = snapshot.slots;
        self.blobs = snapshot.groups;
        self.log = snapshot.log;
        Ok(bytes)
    }
}

/// Decrypts and decodes one group's blob.
fn open_group(vault_id: &VaultId, blob: &GroupBlob, key: &Key32) -> Result<OpenGroup, VaultError> {
    let mut buf = zeroize::Zeroizing::new(blob.ciphertext.clone());
    aead::open_in_place(
        key,
        &blob.nonce,
        &group_aad(vault_id, blob.group, blob.epoch),
        &mut buf,
    )
    .map_err(|_| VaultError::damaged("a group's data fails authentication"))?;
    let payload: GroupPayload =
        codec::decode(&buf).map_err(|_| VaultError::damaged("a group's data is malformed"))?;
    Ok(OpenGroup {
        id: blob.group,
        name: payload.name,
        entries: payload.entries,
        dirty: false,
    })
}

fn decode_record(bytes: &[u8]) -> Result<audit::Record, VaultError> {
    let signed: audit::SignedRecord = codec::decode(bytes)
        .map_err(|_| VaultError::damaged("a new access-log record is malformed"))?;
    codec::decode(&signed.body)
        .map_err(|_| VaultError::damaged("a new access-log record is malformed"))
}

/// Group paths: segments separated by `/`, each trimmed and non-empty.
pub fn normalize_group(name: &str) -> Result<String, VaultError> {
    let segs: Vec<&str> = name.split('/').map(str::trim).collect();
    if segs.iter().any(|s| s.is_empty())
        || name.chars().count() > 200
        || name.chars().any(char::is_control)
    {
        return Err(VaultError::Invalid(format!(
            "group {name:?} must be a path like Clients/Acme: non-empty parts separated by /"
        )));
    }
    Ok(segs.join("/"))
}

pub fn validate_title(title: &str) -> Result<(), VaultError> {
    if title.trim().is_empty() || title.chars().count() > 500 || title.chars().any(char::is_control)
    {
        return Err(VaultError::Invalid(
            "an entry title must be 1 to 500 characters, without control characters".into(),
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests;

/// Test support, compiled into tests and debug builds only, never into a
/// release binary: lets a test give a vault a second member without the
/// full membership flow.
#[cfg(any(test, debug_assertions))]
#[doc(hidden)]
pub mod testkit {
    use super::*;

    /// Adds `name` as `role` with a passphrase slot; the owner's next save
    /// signs and binds it. Returns the new member's secrets.
    pub fn add_member(
        v: &mut Vault,
        name: &str,
        role: Role,
        passphrase: &[u8],
        now: i64,
        rng: &mut impl rand::CryptoRng,
    ) -> Result<MemberSecrets, VaultError> {
        validate_member_name(name)?;
        let secrets = MemberSecrets::generate(rng);
        let id = v.manifest.next_member_id;
        v.manifest.next_member_id += 1;
        let kdf_params = v.me().kdf;
        v.manifest.members.push(Member {
            id,
            name: name.to_owned(),
            role,
            public: secrets.public(),
            kdf: kdf_params,
            added_at: now,
            added_by: v.me,
            expires_at: None,
            revoked_at: None,
            must_change_passphrase: false,
            endorsement: None,
        });
        let slot = make_slot(
            &v.vault_id,
            id,
            SlotKind::Passphrase,
            kdf_params,
            passphrase,
            &secrets,
            rng,
        )?;
        v.slots.push(slot);
        v.dirty_slots.push((id, SlotKind::Passphrase));
        v.manifest_dirty = true;
        Ok(secrets)
    }
}
