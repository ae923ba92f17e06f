//! The structures a version-2 vault file is made of. Field order is the wire
//! order (postcard encodes structs as their fields in sequence); changing it
//! is a format change and must update docs/FORMAT.md and tests/vectors.
//! Version 1's structures that differ live in [`super::v1`].

use serde::{Deserialize, Serialize};

use crate::crypto::kdf::{KdfParams, SALT_LEN};
use crate::crypto::keys::{ENC_LEN, MemberPublic};

pub type MemberId = u32;
/// The pseudo-group whose grants carry the log key; real groups start at 1.
pub const LOG_GROUP: GroupId = 0;
/// The owner created at init; the vault id is bound to their key.
pub const FOUNDING_OWNER: MemberId = 1;
pub type GroupId = u32;
pub type VaultId = [u8; 16];

/// A 64-byte Ed25519 signature, encoded as a postcard byte string.
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct Sig(pub [u8; 64]);

impl std::fmt::Debug for Sig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Sig(..)")
    }
}

impl Serialize for Sig {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_bytes(&self.0)
    }
}

impl<'de> Deserialize<'de> for Sig {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl serde::de::Visitor<'_> for V {
            type Value = Sig;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("64 signature bytes")
            }
            fn visit_bytes<E: serde::de::Error>(self, v: &[u8]) -> Result<Sig, E> {
                let a: [u8; 64] = v
                    .try_into()
                    .map_err(|_| E::invalid_length(v.len(), &self))?;
                Ok(Sig(a))
            }
        }
        d.deserialize_bytes(V)
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Role {
    /// Manages everything: members, groups, settings, handover.
    Owner,
    /// Reads, adds and edits in granted groups only.
    Contractor,
    /// Reads and verifies the access log; sees no secret.
    Auditor,
}

impl Role {
    pub fn as_str(&self) -> &'static str {
        match self {
            Role::Owner => "owner",
            Role::Contractor => "contractor",
            Role::Auditor => "auditor",
        }
    }
}

/// A member as the owner-signed manifest records them.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Member {
    pub id: MemberId,
    pub name: String,
    pub role: Role,
    pub public: MemberPublic,
    /// The KDF parameters of every slot of this member; a slot whose own
    /// copy differs is refused as altered.
    pub kdf: KdfParams,
    pub added_at: i64,
    pub added_by: MemberId,
    pub expires_at: Option<i64>,
    pub revoked_at: Option<i64>,
    /// The member must choose a new passphrase at the next unlock.
    pub must_change_passphrase: bool,
    /// For owners other than the founding owner: an existing owner's
    /// signature admitting this member as an owner (see FORMAT.md §6.9).
    pub endorsement: Option<Endorsement>,
}

/// An owner's signature over another owner's id, role and public keys.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Endorsement {
    pub by: MemberId,
    pub sig: Sig,
}

/// A group as the manifest records it. Its name is inside its encrypted
/// payload, not here.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct GroupInfo {
    pub id: GroupId,
    /// Incremented each time the group key is replaced (revocation).
    pub epoch: u32,
}

/// A group key sealed to one member with HPKE.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Grant {
    pub member: MemberId,
    pub group: GroupId,
    pub epoch: u32,
    pub enc: [u8; ENC_LEN],
    #[serde(with = "serde_bytes")]
    pub sealed_key: Vec<u8>,
}

/// What the owners sign: who the members are, their public keys and KDF
/// parameters, which groups exist and who holds their keys.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Manifest {
    pub vault_id: VaultId,
    /// With the founding owner's Ed25519 key, determines `vault_id`.
    pub vault_nonce: [u8; 16],
    pub format_version: u16,
    /// Increases by one at every change of the manifest.
    pub version: u64,
    pub created_at: i64,
    /// The vault was created with `--weak-kdf`: parameters below the floor
    /// are allowed, and every unlock warns about it.
    pub weak_kdf: bool,
    pub firm_domain: Option<String>,
    pub members: Vec<Member>,
    pub groups: Vec<GroupInfo>,
    /// Group keys granted to members. Grants of group [`LOG_GROUP`] carry
    /// the log key's X25519 secret, for owners and auditors.
    pub grants: Vec<Grant>,
    /// The X25519 public key that access-log details are sealed to.
    pub log_public: [u8; 32],
    /// Groups the owner marked critical: their entries are due for
    /// rotation after `critical_rotate_days` unless they set their own.
    pub critical_groups: Vec<GroupId>,
    pub critical_rotate_days: u32,
}

/// The rotation period of critical groups until an owner sets another.
pub const DEFAULT_CRITICAL_ROTATE_DAYS: u32 = 90;

/// The manifest's encoded bytes with an owner's signature over them.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SignedManifest {
    #[serde(with = "serde_bytes")]
    pub body: Vec<u8>,
    pub signer: MemberId,
    pub signature: Sig,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum SlotKind {
    /// Opened with the member's passphrase.
    Passphrase,
    /// Opened with the recovery code printed at init (owner only).
    Recovery,
}

/// A member's private keys wrapped under a key derived from a passphrase.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Slot {
    pub member: MemberId,
    pub kind: SlotKind,
    pub kdf: KdfParams,
    pub salt: [u8; SALT_LEN],
    pub nonce: [u8; 24],
    /// XChaCha20-Poly1305 of the 64 secret key bytes.
    #[serde(with = "serde_bytes")]
    pub wrapped: Vec<u8>,
}

/// One group's entries, encrypted under the group key of `epoch`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct GroupBlob {
    pub group: GroupId,
    pub epoch: u32,
    pub nonce: [u8; 24],
    #[serde(with = "serde_bytes")]
    pub ciphertext: Vec<u8>,
}

/// The position of the access log's last record folded into a snapshot.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct LogHead {
    pub count: u64,
    pub hash: [u8; 32],
}

impl LogHead {
    pub const EMPTY: LogHead = LogHead {
        count: 0,
        hash: [0; 32],
    };
}

/// Everything the seal signature covers.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Snapshot {
    pub vault_id: VaultId,
    /// Increases by one at every save.
    pub generation: u64,
    /// The member whose Ed25519 key signs the seal.
    pub saver: MemberId,
    pub saved_at: i64,
    pub manifest: SignedManifest,
    pub slots: Vec<Slot>,
    pub groups: Vec<GroupBlob>,
    /// Access-log records folded into the snapshot, oldest first, each as
    /// its own encoded bytes.
    pub log: Vec<Vec<u8>>,
    pub log_head: LogHead,
    /// How many of `log`'s first records are version-1 records (a vault
    /// upgraded from format version 1 keeps its signed history as it was
    /// written).
    pub legacy: u64,
}
