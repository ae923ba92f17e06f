//! Format version 1: the structures whose bytes differ from version 2's,
//! kept so that a version-1 file still reads. A version-1 snapshot and
//! manifest convert to version 2's types without loss; the records of a
//! version-1 log stay as they were signed (`Snapshot::legacy` counts them)
//! and `audit` reads them with version 1's rules. docs/FORMAT.md §14.

use serde::{Deserialize, Serialize};

use super::{
    Grant, GroupId, GroupInfo, LogHead, Manifest, Member, MemberId, SignedManifest, Slot, Snapshot,
    VaultId,
};
use crate::format::GroupBlob;

/// Version 1's manifest: version 2's with two id counters (version 2
/// draws member and group ids at random, so that two copies adding a
/// member each never give two people one id).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ManifestV1 {
    pub vault_id: VaultId,
    pub vault_nonce: [u8; 16],
    pub format_version: u16,
    pub version: u64,
    pub created_at: i64,
    pub weak_kdf: bool,
    pub firm_domain: Option<String>,
    pub members: Vec<Member>,
    pub groups: Vec<GroupInfo>,
    pub grants: Vec<Grant>,
    pub log_public: [u8; 32],
    pub next_member_id: MemberId,
    pub next_group_id: GroupId,
    pub critical_groups: Vec<GroupId>,
    pub critical_rotate_days: u32,
}

impl From<ManifestV1> for Manifest {
    fn from(m: ManifestV1) -> Self {
        Manifest {
            vault_id: m.vault_id,
            vault_nonce: m.vault_nonce,
            format_version: m.format_version,
            version: m.version,
            created_at: m.created_at,
            weak_kdf: m.weak_kdf,
            firm_domain: m.firm_domain,
            members: m.members,
            groups: m.groups,
            grants: m.grants,
            log_public: m.log_public,
            critical_groups: m.critical_groups,
            critical_rotate_days: m.critical_rotate_days,
        }
    }
}

/// Version 1's snapshot: version 2's without `legacy` (every record of a
/// version-1 file is a version-1 record).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SnapshotV1 {
    pub vault_id: VaultId,
    pub generation: u64,
    pub saver: MemberId,
    pub saved_at: i64,
    pub manifest: SignedManifest,
    pub slots: Vec<Slot>,
    pub groups: Vec<GroupBlob>,
    pub log: Vec<Vec<u8>>,
    pub log_head: LogHead,
}

impl From<SnapshotV1> for Snapshot {
    fn from(s: SnapshotV1) -> Self {
        let legacy = s.log.len() as u64;
        Snapshot {
            vault_id: s.vault_id,
            generation: s.generation,
            saver: s.saver,
            saved_at: s.saved_at,
            manifest: s.manifest,
            slots: s.slots,
            groups: s.groups,
            log: s.log,
            log_head: s.log_head,
            legacy,
        }
    }
}
