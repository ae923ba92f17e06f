//! Strict reading and verification of a vault file, before any key is
//! derived: the header, the snapshot's structure, the owner's signature on
//! the manifest and the saver's seal over the whole snapshot. Nothing here
//! needs a passphrase, so `baton log verify` and an auditor can run it.

use super::{
    FORMAT_VERSION, FOUNDING_OWNER, FRAME_HEADER_LEN, FRAME_MARKER, FormatError, HEADER_LEN,
    LOG_GROUP, MAGIC, MAX_RECORD_LEN, Manifest, OLDEST_VERSION, Role, SEAL_LEN, SlotKind, Snapshot,
    codec, labels,
    v1::{ManifestV1, SnapshotV1},
    write::seal_digest,
};
use std::collections::{HashMap, HashSet};

use crate::crypto::keys;
use crate::format::Member;

/// A file whose structure, manifest signature and seal have been verified.
#[derive(Debug)]
pub struct VerifiedFile {
    pub snapshot: Snapshot,
    pub manifest: Manifest,
    /// Log records appended after the seal, in order, not yet verified.
    pub tail: Vec<Vec<u8>>,
    /// Set when the last tail frame was cut short (a crash mid-append);
    /// the torn bytes are not part of `tail`.
    pub torn_tail: bool,
    /// Byte length of header + snapshot + seal.
    pub sealed_len: usize,
    /// Byte length of everything but a torn final frame: where the next
    /// log frame is appended.
    pub valid_len: usize,
    /// The file's format version: 1 or [`FORMAT_VERSION`]. Every record
    /// of a version-1 file, tail included, is a version-1 record.
    pub version: u16,
}

impl VerifiedFile {
    /// How many of the log's first records (folded, then tail) are
    /// version-1 records.
    pub fn legacy_records(&self) -> usize {
        if self.version == 1 {
            self.snapshot.log.len() + self.tail.len()
        } else {
            usize::try_from(self.snapshot.legacy).unwrap_or(usize::MAX)
        }
    }
}

/// Reads only the format version, for a clear message about newer files.
pub fn version(bytes: &[u8]) -> Result<u16, FormatError> {
    if bytes.len() < 10 || bytes[..8] != MAGIC {
        return Err(FormatError::NotAVault);
    }
    Ok(u16::from_le_bytes([bytes[8], bytes[9]]))
}

pub fn parse(bytes: &[u8]) -> Result<VerifiedFile, FormatError> {
    let v = version(bytes)?;
    if v > FORMAT_VERSION {
        return Err(FormatError::NewerVersion(v));
    }
    if v < OLDEST_VERSION {
        return Err(FormatError::damaged(format!("unknown format version {v}")));
    }
    if bytes.len() < HEADER_LEN {
        return Err(FormatError::damaged("the file is truncated (header)"));
    }
    let len = u32::from_le_bytes([bytes[10], bytes[11], bytes[12], bytes[13]]) as usize;
    let body_end = HEADER_LEN
        .checked_add(len)
        .ok_or_else(|| FormatError::damaged("impossible snapshot length"))?;
    let sealed_len = body_end
        .checked_add(SEAL_LEN)
        .ok_or_else(|| FormatError::damaged("impossible snapshot length"))?;
    if bytes.len() < sealed_len {
        return Err(FormatError::damaged("the file is truncated"));
    }
    let body = &bytes[HEADER_LEN..body_end];
    let malformed =
        |e: codec::CodecError| FormatError::damaged(format!("the snapshot is malformed ({e})"));
    let snapshot: Snapshot = if v == 1 {
        codec::decode::<SnapshotV1>(body).map_err(malformed)?.into()
    } else {
        codec::decode(body).map_err(malformed)?
    };
    if snapshot.legacy > snapshot.log.len() as u64 {
        return Err(FormatError::damaged(
            "the snapshot counts more version-1 records than it holds",
        ));
    }
    let manifest = verify_manifest(&snapshot, v)?;

    // The seal: the saver's signature over header and snapshot.
    let saver = manifest
        .members
        .iter()
        .find(|m| m.id == snapshot.saver)
        .ok_or_else(|| FormatError::damaged("the seal names an unknown member"))?;
    if saver.revoked_at.is_some() {
        return Err(FormatError::damaged(
            "the seal is by a member who may not save this vault",
        ));
    }
    let sig: [u8; 64] = bytes[body_end..sealed_len]
        .try_into()
        .expect("the range is exactly SEAL_LEN bytes");
    let digest = seal_digest(&bytes[..body_end]);
    if !keys::verify(&saver.public.ed25519, labels::SEAL, &digest, &sig) {
        return Err(FormatError::damaged(
            "the seal signature does not match the contents",
        ));
    }

    let (tail, torn_tail) = split_tail(&bytes[sealed_len..])?;
    let valid_len = sealed_len
        + tail
            .iter()
            .map(|t| FRAME_HEADER_LEN + t.len())
            .sum::<usize>();
    Ok(VerifiedFile {
        snapshot,
        manifest,
        tail,
        torn_tail,
        sealed_len,
        valid_len,
        version: v,
    })
}

/// Decodes and checks the manifest: bound to this vault's founding owner,
/// signed by a current owner whose standing chains back to the founder,
/// internally consistent, and consistent with the snapshot's slots and
/// group blobs.
fn verify_manifest(snapshot: &Snapshot, version: u16) -> Result<Manifest, FormatError> {
    let signed = &snapshot.manifest;
    let malformed =
        |e: codec::CodecError| FormatError::damaged(format!("the manifest is malformed ({e})"));
    let manifest: Manifest = if version == 1 {
        codec::decode::<ManifestV1>(&signed.body)
            .map_err(malformed)?
            .into()
    } else {
        codec::decode(&signed.body).map_err(malformed)?
    };
    if manifest.vault_id != snapshot.vault_id {
        return Err(FormatError::damaged(
            "the manifest belongs to another vault",
        ));
    }
    if manifest.format_version != version {
        return Err(FormatError::damaged(
            "the manifest's format version differs from the header's",
        ));
    }
    let founder = manifest
        .members
        .iter()
        .find(|m| m.id == FOUNDING_OWNER)
        .ok_or_else(|| FormatError::damaged("the founding owner is missing from the manifest"))?;
    if founder.role != Role::Owner || founder.endorsement.is_some() {
        return Err(FormatError::damaged(
            "the founding owner's record is not an owner's",
        ));
    }
    if super::vault_id(&founder.public.ed25519, &manifest.vault_nonce) != manifest.vault_id {
        return Err(FormatError::damaged(
            "the vault id does not belong to the founding owner's key",
        ));
    }
    let owners = endorsed_owners(&manifest)?;
    let signer = manifest
        .members
        .iter()
        .find(|m| m.id == signed.signer)
        .ok_or_else(|| FormatError::damaged("the manifest is signed by an unknown member"))?;
    if !owners.contains(&signer.id) || signer.revoked_at.is_some() {
        return Err(FormatError::damaged(
            "the manifest is not signed by a current owner",
        ));
    }
    if !keys::verify(
        &signer.public.ed25519,
        labels::MANIFEST,
        &signed.body,
        &signed.signature.0,
    ) {
        return Err(FormatError::damaged(
            "the manifest signature does not match",
        ));
    }
    check_unique(&manifest, snapshot)?;
    for m in &manifest.members {
        if !keys::is_strong_ed25519(&m.public.ed25519) {
            return Err(FormatError::damaged(format!(
                "member {:?} has an unusable signing key",
                m.name
            )));
        }
    }
    // Indexes built once, so that checking stays linear in the file's size.
    let members: HashMap<u32, &Member> = manifest.members.iter().map(|m| (m.id, m)).collect();
    let groups: HashMap<u32, u32> = manifest.groups.iter().map(|g| (g.id, g.epoch)).collect();
    let blobs: HashSet<u32> = snapshot.groups.iter().map(|b| b.group).collect();
    let passphrase_slots: HashSet<u32> = snapshot
        .slots
        .iter()
        .filter(|s| s.kind == SlotKind::Passphrase)
        .map(|s| s.member)
        .collect();
    for slot in &snapshot.slots {
        let member = members
            .get(&slot.member)
            .ok_or_else(|| FormatError::damaged("a key slot belongs to no member"))?;
        if member.revoked_at.is_some() {
            return Err(FormatError::damaged(
                "a revoked member still has a key slot",
            ));
        }
        if member.kdf != slot.kdf {
            return Err(FormatError::damaged(
                "a key slot's KDF parameters differ from the signed manifest",
            ));
        }
    }
    for m in manifest.members.iter().filter(|m| m.revoked_at.is_none()) {
        if !passphrase_slots.contains(&m.id) {
            return Err(FormatError::damaged(format!(
                "member {:?} has no passphrase slot",
                m.name
            )));
        }
    }
    for blob in &snapshot.groups {
        if groups.get(&blob.group) != Some(&blob.epoch) {
            return Err(FormatError::damaged(
                "a group's data does not match the manifest",
            ));
        }
    }
    if groups.keys().any(|g| !blobs.contains(g)) {
        return Err(FormatError::damaged(
            "a group listed in the manifest has no data",
        ));
    }
    for grant in &manifest.grants {
        let member_ok = members.contains_key(&grant.member);
        let group_ok = grant.group == LOG_GROUP || groups.contains_key(&grant.group);
        if !member_ok || !group_ok {
            return Err(FormatError::damaged(
                "a grant names an unknown member or group",
            ));
        }
    }
    Ok(manifest)
}

/// The ids of the owners whose standing chains back to the founder: the
/// founder, and every owner endorsed by an owner already in the set
/// (taken in rounds, so no chain of endorsements can start anywhere but
/// at the founder).
fn endorsed_owners(manifest: &Manifest) -> Result<HashSet<u32>, FormatError> {
    let by_id: HashMap<u32, &Member> = manifest.members.iter().map(|m| (m.id, m)).collect();
    let mut candidates: Vec<&Member> = manifest
        .members
        .iter()
        .filter(|m| m.role == Role::Owner && m.id != FOUNDING_OWNER)
        .collect();
    candidates.sort_by_key(|m| m.id);
    let mut owners = HashSet::from([FOUNDING_OWNER]);
    loop {
        let before = owners.len();
        candidates.retain(|m| {
            let ready = m
                .endorsement
                .as_ref()
                .is_some_and(|e| owners.contains(&e.by) && e.by != m.id);
            if ready {
                owners.insert(m.id);
            }
            !ready
        });
        if owners.len() == before {
            break;
        }
    }
    if let Some(m) = candidates.first() {
        return Err(FormatError::damaged(match m.endorsement {
            None => format!("owner {:?} has no endorsement", m.name),
            Some(_) => format!("owner {:?} is endorsed by no earlier owner", m.name),
        }));
    }
    for m in manifest
        .members
        .iter()
        .filter(|m| m.role == Role::Owner && m.id != FOUNDING_OWNER)
    {
        let Some(e) = m.endorsement.as_ref() else {
            continue;
        };
        let Some(endorser) = by_id.get(&e.by) else {
            continue;
        };
        let msg = super::endorsement_message(&manifest.vault_id, m);
        if !keys::verify(
            &endorser.public.ed25519,
            labels::ENDORSEMENT,
            &msg,
            &e.sig.0,
        ) {
            return Err(FormatError::damaged(format!(
                "owner {:?}'s endorsement does not verify",
                m.name
            )));
        }
    }
    Ok(owners)
}

/// Ids and names are unique; no group takes the log key's id.
fn check_unique(manifest: &Manifest, snapshot: &Snapshot) -> Result<(), FormatError> {
    fn dup<T: Ord + Clone>(items: impl Iterator<Item = T>) -> bool {
        let mut v: Vec<T> = items.collect();
        v.sort();
        v.windows(2).any(|w| w[0] == w[1])
    }
    if dup(manifest.members.iter().map(|m| m.id))
        || dup(manifest.members.iter().map(|m| m.name.clone()))
    {
        return Err(FormatError::damaged("the manifest lists a member twice"));
    }
    if dup(manifest.groups.iter().map(|g| g.id)) || dup(snapshot.groups.iter().map(|b| b.group)) {
        return Err(FormatError::damaged("a group appears twice"));
    }
    if dup(snapshot.slots.iter().map(|s| (s.member, s.kind as u8))) {
        return Err(FormatError::damaged("a member has two slots of one kind"));
    }
    if dup(manifest.grants.iter().map(|g| (g.member, g.group, g.epoch))) {
        return Err(FormatError::damaged("a grant appears twice"));
    }
    if manifest.groups.iter().any(|g| g.id == LOG_GROUP)
        || manifest.members.iter().any(|m| m.id == 0)
    {
        return Err(FormatError::damaged(
            "the manifest uses a reserved member or group id",
        ));
    }
    Ok(())
}

/// Splits the bytes after the seal into log frames. A final frame cut
/// short is reported as torn only when what is there could be the start of
/// a frame (the marker, a length within bounds); anything else is damage.
fn split_tail(mut rest: &[u8]) -> Result<(Vec<Vec<u8>>, bool), FormatError> {
    let mut frames = Vec::new();
    while !rest.is_empty() {
        let marker_len = rest.len().min(FRAME_MARKER.len());
        if rest[..marker_len] != FRAME_MARKER[..marker_len] {
            return Err(FormatError::damaged(
                "bytes after the seal are not an access-log record",
            ));
        }
        if rest.len() < FRAME_HEADER_LEN {
            return Ok((frames, true));
        }
        let len = u32::from_le_bytes([rest[2], rest[3], rest[4], rest[5]]) as usize;
        if len == 0 || len > MAX_RECORD_LEN {
            return Err(FormatError::damaged(
                "an access-log frame has an impossible length",
            ));
        }
        if rest.len() - FRAME_HEADER_LEN < len {
            return Ok((frames, true));
        }
        frames.push(rest[FRAME_HEADER_LEN..FRAME_HEADER_LEN + len].to_vec());
        rest = &rest[FRAME_HEADER_LEN + len..];
    }
    Ok((frames, false))
}
