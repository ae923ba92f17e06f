//! The on-disk bytes of a vault file, format version 2: the types
//! ([`types`]), a strict reader ([`read`], which also reads version 1
//! through [`v1`]) and a writer ([`write`]). All
//! serialization goes through [`codec`] (postcard 1.x). Pure: bytes in,
//! bytes out. docs/FORMAT.md is the specification this module implements.

pub mod codec;
pub mod read;
pub mod types;
pub mod v1;
pub mod write;

pub use types::*;

/// The first eight bytes of every vault file.
pub const MAGIC: [u8; 8] = *b"BATONVLT";
/// The format version this build writes (it reads this and version 1).
pub const FORMAT_VERSION: u16 = 2;
/// The oldest format version this build reads.
pub const OLDEST_VERSION: u16 = 1;
/// magic (8) + version (2) + snapshot length (4).
pub const HEADER_LEN: usize = 14;
/// Length of the seal signature that follows the snapshot.
pub const SEAL_LEN: usize = 64;
/// Every log frame after the seal starts with these two bytes.
pub const FRAME_MARKER: [u8; 2] = *b"LR";
/// Marker (2) + record length (4).
pub const FRAME_HEADER_LEN: usize = 6;
/// The largest log record accepted.
pub const MAX_RECORD_LEN: usize = 64 * 1024;

/// Domain-separation labels for every signature and AEAD in the format.
pub mod labels {
    pub const MANIFEST: &str = "baton manifest v1";
    pub const SEAL: &str = "baton seal v1";
    pub const SLOT: &str = "baton slot v1";
    pub const GROUP: &str = "baton group v1";
    pub const GRANT: &str = "baton grant v1";
    pub const VAULT_ID: &str = "baton vault id v1";
    pub const ENDORSEMENT: &str = "baton endorsement v1";
}

/// Why a file could not be read. Every variant except `NewerVersion`
/// means the file is damaged or was altered (exit code 4).
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum FormatError {
    #[error("this is not a Baton vault, or its header was damaged")]
    NotAVault,
    #[error(
        "the vault was written by a newer Baton (format version {0}; this build reads version {FORMAT_VERSION}); upgrade Baton to open it"
    )]
    NewerVersion(u16),
    #[error("the vault file is damaged or was altered: {0}")]
    Damaged(String),
}

/// The vault id: the first 16 bytes of SHA-256 over the founding owner's
/// Ed25519 key and the vault nonce. A slot is bound to the vault id, so a
/// slot copied into a vault founded by someone else does not open.
pub fn vault_id(founder_ed25519: &[u8; 32], nonce: &[u8; 16]) -> VaultId {
    let d = crate::crypto::hash::digest(labels::VAULT_ID, &[founder_ed25519, nonce]);
    let mut id = [0u8; 16];
    id.copy_from_slice(&d[..16]);
    id
}

/// What an endorsement signs: vault id, member id, role and public keys.
pub fn endorsement_message(vault_id: &VaultId, m: &Member) -> Vec<u8> {
    let mut msg = Vec::with_capacity(16 + 4 + 1 + 64);
    msg.extend_from_slice(vault_id);
    msg.extend_from_slice(&m.id.to_le_bytes());
    msg.push(match m.role {
        Role::Owner => 0,
        Role::Contractor => 1,
        Role::Auditor => 2,
    });
    msg.extend_from_slice(&m.public.x25519);
    msg.extend_from_slice(&m.public.ed25519);
    msg
}

impl FormatError {
    pub fn damaged(why: impl Into<String>) -> Self {
        FormatError::Damaged(why.into())
    }
}
