//! Strict reading and verification of a vault file, before any key is
//! derived: the header, the snapshot's structure, the owner's signature on
//! the manifest and the saver's seal over the whole snapshot. Nothing here
//! needs a passphrase, so `baton log verify` and an auditor can run it.

use super::{
    FORMAT_VERSION, FormatError, HEADER_LEN, MAGIC, Manifest, Role, SEAL_LEN, Snapshot, codec,
    labels, write::seal_digest,
};
use crate::crypto::keys;

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
    if v != FORMAT_VERSION {
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
    let snapshot: Snapshot = codec::decode(&bytes[HEADER_LEN..body_end])
        .map_err(|e| FormatError::damaged(format!("the snapshot is malformed ({e})")))?;
    let manifest = verify_manifest(&snapshot)?;

    // The seal: the saver's signature over header and snapshot.
    let saver = manifest
        .members
        .iter()
        .find(|m| m.id == snapshot.saver)
        .ok_or_else(|| FormatError::damaged("the seal names an unknown member"))?;
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
    Ok(VerifiedFile {
        snapshot,
        manifest,
        tail,
        torn_tail,
        sealed_len,
    })
}

/// Decodes and checks the manifest: signed by an owner it lists, for this
/// vault and this format version, internally consistent.
fn verify_manifest(snapshot: &Snapshot) -> Result<Manifest, FormatError> {
    let signed = &snapshot.manifest;
    let manifest: Manifest = codec::decode(&signed.body)
        .map_err(|e| FormatError::damaged(format!("the manifest is malformed ({e})")))?;
    let signer = manifest
        .members
        .iter()
        .find(|m| m.id == signed.signer)
        .ok_or_else(|| FormatError::damaged("the manifest is signed by an unknown member"))?;
    if signer.role != Role::Owner {
        return Err(FormatError::damaged(
            "the manifest is not signed by an owner",
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
    if manifest.vault_id != snapshot.vault_id {
        return Err(FormatError::damaged(
            "the manifest belongs to another vault",
        ));
    }
    if manifest.format_version != FORMAT_VERSION {
        return Err(FormatError::damaged(
            "the manifest's format version differs from the header's",
        ));
    }
    let mut ids: Vec<u32> = manifest.members.iter().map(|m| m.id).collect();
    ids.sort_unstable();
    if ids.windows(2).any(|w| w[0] == w[1]) {
        return Err(FormatError::damaged("the manifest lists a member twice"));
    }
    for slot in &snapshot.slots {
        let member = manifest
            .members
            .iter()
            .find(|m| m.id == slot.member)
            .ok_or_else(|| FormatError::damaged("a key slot belongs to no member"))?;
        if member.kdf != slot.kdf {
            return Err(FormatError::damaged(
                "a key slot's KDF parameters differ from the signed manifest",
            ));
        }
    }
    for blob in &snapshot.groups {
        let known = manifest
            .groups
            .iter()
            .any(|g| g.id == blob.group && g.epoch == blob.epoch);
        if !known {
            return Err(FormatError::damaged(
                "a group's data does not match the manifest",
            ));
        }
    }
    Ok(manifest)
}

/// Splits the bytes after the seal into log frames.
fn split_tail(mut rest: &[u8]) -> Result<(Vec<Vec<u8>>, bool), FormatError> {
    let mut frames = Vec::new();
    while !rest.is_empty() {
        if rest.len() < 4 {
            return Ok((frames, true));
        }
        let len = u32::from_le_bytes([rest[0], rest[1], rest[2], rest[3]]) as usize;
        if len == 0 {
            return Err(FormatError::damaged("an empty log frame follows the seal"));
        }
        if rest.len() - 4 < len {
            return Ok((frames, true));
        }
        frames.push(rest[4..4 + len].to_vec());
        rest = &rest[4 + len..];
    }
    Ok((frames, false))
}
