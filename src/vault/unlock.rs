//! Getting into a vault: [`create`] a new one, [`check_log`] of a verified
//! file without any secret, and [`unlock`] it with a key slot — the
//! passphrase normalized, the slot opened, the member's group and log keys
//! unsealed and the groups they open decrypted. Also the key-slot and
//! grant helpers that adding members and changing passphrases share.

use super::members::validate_member_name;
use super::seal::{open_group, sign_manifest};
use super::{
    CheckedLog, CreateOptions, Credential, GroupKey, OpenGroup, StoredGroup, Vault, VaultError,
};
use crate::audit;
use crate::crypto::aead;
use crate::crypto::kdf::{self, KdfError, KdfParams, SALT_LEN};
use crate::crypto::keys::{self, MemberSecrets};
use crate::format::read::VerifiedFile;
use crate::format::{
    FORMAT_VERSION, FOUNDING_OWNER, Grant, GroupId, LOG_GROUP, Manifest, Member, MemberId, Role,
    Slot, SlotKind, VaultId, labels,
};
use crate::secret::{Key32, Passphrase};

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

/// The format version a key slot's AAD names, in every file version.
const SLOT_AAD_VERSION: u16 = 1;

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
    // A slot's bytes are the same in versions 1 and 2, and re-wrapping one
    // needs its member's passphrase: its AAD keeps version 1's number.
    aad.extend_from_slice(&SLOT_AAD_VERSION.to_le_bytes());
    aad
}

pub(super) fn grant_info(
    vault_id: &VaultId,
    group: GroupId,
    epoch: u32,
    member: MemberId,
) -> Vec<u8> {
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
pub(super) fn make_slot(
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
        groups: Vec::new(),
        sealed: Vec::new(),
        log: Vec::new(),
        legacy: 0,
        file_version: FORMAT_VERSION,
        writer: rng.next_u32().max(1),
        verified: Vec::new(),
        pending: vec![audit::Draft::new(opts.now, audit::Action::Init)],
        join: None,
        dirty_slots: vec![
            (FOUNDING_OWNER, SlotKind::Passphrase),
            (FOUNDING_OWNER, SlotKind::Recovery),
        ],
        torn_tail: false,
        generation: 0,
        me: FOUNDING_OWNER,
        secrets,
        revoked_unsaved: false,
        log_secrets: vec![(1, log_secret)],
    })
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
    // The remembered head and the records it follows were verified on
    // this machine before; the hashes that link them prove they are
    // unchanged. `full` checks all.
    let trusted = (!full && seen.count > 0).then_some(&seen.hash);
    check_log_trusting(file, seen, audit::Trust::Head(trusted))
}

/// [`check_log`], taking the records `trust` names as verified.
pub fn check_log_trusting(
    file: &VerifiedFile,
    seen: &audit::HighWater,
    trust: audit::Trust<'_>,
) -> Result<CheckedLog, VaultError> {
    let snapshot = &file.snapshot;
    let mut records = Vec::with_capacity(snapshot.log.len() + file.tail.len());
    records.extend(snapshot.log.iter().cloned());
    records.extend(file.tail.iter().cloned());
    let legacy = file.legacy_records();
    let verified =
        audit::verify_trusting(&snapshot.vault_id, &file.manifest, &records, legacy, trust)
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
        legacy,
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
    let file_version = file.version;
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
    // The session draws a random writer id (`Vault::set_writer`); until
    // then, one that differs between unlocks of this slot.
    let writer = {
        let d = crate::crypto::hash::digest(
            "baton writer v1",
            &[&slot.nonce, &slot.salt, &now.to_le_bytes()],
        );
        u32::from_le_bytes([d[0], d[1], d[2], d[3]]).max(1)
    };
    open_as(file_version, manifest, snapshot, log, me, secrets, writer)
}

/// Opens a checked file as member `me` whose private keys are `secrets`:
/// the member's group and log keys unsealed and the groups they open
/// decrypted.
fn open_as(
    file_version: u16,
    manifest: crate::format::Manifest,
    snapshot: crate::format::Snapshot,
    log: CheckedLog,
    me: MemberId,
    secrets: MemberSecrets,
    writer: u32,
) -> Result<Vault, VaultError> {
    let mut group_keys: Vec<(GroupId, GroupKey)> = Vec::new();
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
        group_keys.push((
            grant.group,
            GroupKey {
                epoch: grant.epoch,
                key,
            },
        ));
    }

    // Each group's data goes with its key when this member holds it, and
    // is otherwise carried sealed; a key left over is a granted group
    // whose data is missing.
    let mut readable: Vec<(StoredGroup, GroupKey)> = Vec::new();
    let mut sealed: Vec<StoredGroup> = Vec::new();
    for (at, blob) in snapshot.groups.into_iter().enumerate() {
        let held = group_keys
            .iter()
            .position(|(g, k)| *g == blob.group && k.epoch == blob.epoch);
        let stored = StoredGroup { at, blob };
        match held {
            Some(i) => readable.push((stored, group_keys.swap_remove(i).1)),
            None => sealed.push(stored),
        }
    }
    // Groups decrypt and decode independently: one per core at a time.
    let groups: Vec<OpenGroup> = {
        use rayon::prelude::*;
        readable
            .into_par_iter()
            .map(|(stored, key)| {
                let payload = open_group(&snapshot.vault_id, &stored.blob, &key.key, file_version)?;
                Ok(OpenGroup {
                    id: stored.blob.group,
                    name: payload.name,
                    entries: payload.entries,
                    dirty: false,
                    key,
                    stored,
                })
            })
            .collect::<Result<Vec<OpenGroup>, VaultError>>()?
    };
    if !group_keys.is_empty() {
        return Err(VaultError::damaged("a granted group's data is missing"));
    }

    Ok(Vault {
        vault_id: snapshot.vault_id,
        manifest,
        signed_manifest: snapshot.manifest,
        manifest_dirty: false,
        slots: snapshot.slots,
        groups,
        sealed,
        log: log.records,
        legacy: log.legacy,
        file_version,
        writer,
        verified: log.verified,
        pending: Vec::new(),
        join: None,
        dirty_slots: Vec::new(),
        torn_tail: log.torn_tail,
        generation: snapshot.generation,
        me,
        secrets,
        revoked_unsaved: false,
        log_secrets,
    })
}

impl Vault {
    /// Replaces this vault with `file`, a newer copy of it (one whose log
    /// holds this vault's), opened with the keys this session already
    /// holds: no passphrase, no key derivation. For a session whose file
    /// another process or a merge replaced.
    pub fn adopt(&mut self, file: VerifiedFile, now: i64) -> Result<(), VaultError> {
        if file.snapshot.vault_id != self.vault_id {
            return Err(VaultError::damaged("the file is not a copy of this vault"));
        }
        let head = self.log_head();
        let log = check_log(&file, &head, false)?;
        let member = file
            .manifest
            .members
            .iter()
            .find(|m| m.id == self.me)
            .ok_or_else(|| VaultError::AccessDenied("the vault no longer lists you".into()))?;
        if let Some(at) = member.revoked_at {
            return Err(VaultError::AccessDenied(format!(
                "{}'s membership was revoked on {}",
                member.name,
                crate::dates::format_date(at)
            )));
        }
        if member.expires_at.is_some_and(|t| t <= now) {
            return Err(VaultError::AccessDenied(format!(
                "{}'s membership has expired",
                member.name
            )));
        }
        if member.public != self.secrets.public() {
            return Err(VaultError::AccessDenied(
                "your keys in the vault changed (a new passphrase elsewhere): unlock again".into(),
            ));
        }
        let secrets = MemberSecrets::from_bytes(&self.secrets.to_bytes()[..])
            .ok_or_else(|| VaultError::damaged("the session's keys cannot be copied"))?;
        let version = file.version;
        let next = open_as(
            version,
            file.manifest,
            file.snapshot,
            log,
            self.me,
            secrets,
            self.writer,
        )?;
        *self = next;
        Ok(())
    }
}
