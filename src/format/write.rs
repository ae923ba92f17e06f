//! Serializing a vault file: header, snapshot, seal, log tail.

use super::{FORMAT_VERSION, HEADER_LEN, MAGIC, SEAL_LEN, Snapshot, codec, labels};
use crate::crypto::hash;

/// The digest the seal signature signs: SHA-256 over everything before the
/// seal (header and snapshot), labelled `baton seal v1`.
pub fn seal_digest(prefix: &[u8]) -> [u8; 32] {
    hash::digest(labels::SEAL, &[prefix])
}

/// Builds the file bytes. `sign` receives the seal digest and returns the
/// saver's Ed25519 signature over it (label `baton seal v1`).
pub fn file_bytes(snapshot: &Snapshot, sign: impl FnOnce(&[u8; 32]) -> [u8; 64]) -> Vec<u8> {
    let body = codec::encode(snapshot);
    let len = u32::try_from(body.len()).expect("a snapshot is smaller than 4 GiB");
    let mut out = Vec::with_capacity(HEADER_LEN + body.len() + SEAL_LEN);
    out.extend_from_slice(&MAGIC);
    out.extend_from_slice(&FORMAT_VERSION.to_le_bytes());
    out.extend_from_slice(&len.to_le_bytes());
    out.extend_from_slice(&body);
    let digest = seal_digest(&out);
    out.extend_from_slice(&sign(&digest));
    out
}

/// One appended log frame: the marker `LR`, the length (u32 LE), then the
/// record bytes.
pub fn log_frame(record: &[u8]) -> Vec<u8> {
    let len = u32::try_from(record.len()).expect("a log record is far smaller than 4 GiB");
    let mut out = Vec::with_capacity(super::FRAME_HEADER_LEN + record.len());
    out.extend_from_slice(&super::FRAME_MARKER);
    out.extend_from_slice(&len.to_le_bytes());
    out.extend_from_slice(record);
    out
}
