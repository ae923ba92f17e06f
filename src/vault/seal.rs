//! From the vault in memory to file bytes, and the group encryption both
//! directions share: [`Vault::seal`] re-encrypts the groups changed since
//! the last save, signs the manifest when it changed, writes the queued
//! access-log records binding what changed, and signs the file;
//! [`open_group`] is the inverse for one group.

use super::{Entry, GroupPayload, GroupPayloadV1, Vault, VaultError};
use crate::audit;
use crate::crypto::aead;
use crate::crypto::keys::MemberSecrets;
use crate::format::{
    FORMAT_VERSION, GroupBlob, GroupId, Manifest, MemberId, Sig, SignedManifest, Snapshot, VaultId,
    codec, labels, write,
};
use crate::secret::Key32;

fn group_aad(vault_id: &VaultId, group: GroupId, epoch: u32, version: u16) -> Vec<u8> {
    let mut aad = Vec::with_capacity(48);
    aad.extend_from_slice(labels::GROUP.as_bytes());
    aad.push(0);
    aad.extend_from_slice(vault_id);
    aad.extend_from_slice(&group.to_le_bytes());
    aad.extend_from_slice(&epoch.to_le_bytes());
    aad.extend_from_slice(&version.to_le_bytes());
    aad
}

pub(super) fn sign_manifest(
    manifest: &Manifest,
    signer: MemberId,
    secrets: &MemberSecrets,
) -> SignedManifest {
    let body = codec::encode(manifest);
    let signature = Sig(secrets.sign(labels::MANIFEST, &body));
    SignedManifest {
        body,
        signer,
        signature,
    }
}

/// Decrypts and decodes one group's blob, written in format `version`
/// (a version-1 group's entries convert to version 2's).
pub(super) fn open_group(
    vault_id: &VaultId,
    blob: &GroupBlob,
    key: &Key32,
    version: u16,
) -> Result<GroupPayload, VaultError> {
    let mut buf = zeroize::Zeroizing::new(blob.ciphertext.clone());
    aead::open_in_place(
        key,
        &blob.nonce,
        &group_aad(vault_id, blob.group, blob.epoch, version),
        &mut buf,
    )
    .map_err(|_| VaultError::damaged("a group's data fails authentication"))?;
    let malformed = |_| VaultError::damaged("a group's data is malformed");
    if version == 1 {
        let v1: GroupPayloadV1 = codec::decode(&buf).map_err(malformed)?;
        return Ok(GroupPayload {
            name: v1.name,
            entries: v1.entries.into_iter().map(Entry::from).collect(),
        });
    }
    let (name, entries) = codec::decode_with_seq(&buf, Entry::MIN_ENCODED).map_err(malformed)?;
    Ok(GroupPayload { name, entries })
}

impl Vault {
    /// Serializes, encrypts and signs the vault. Groups not changed since
    /// unlock (and groups this member cannot read) keep their ciphertext.
    /// The queued records are written, the last one binding every group
    /// blob and key slot this save changed.
    pub fn seal(
        &mut self,
        now: i64,
        rng: &mut impl rand::CryptoRng,
    ) -> Result<Vec<u8>, VaultError> {
        if self.file_version != FORMAT_VERSION {
            return Err(VaultError::Invalid(format!(
                "this vault is in format version {}: an owner's next unlock upgrades it, and until then it can be read but not changed",
                self.file_version
            )));
        }
        if self.manifest_dirty && !self.is_owner() {
            return Err(VaultError::AccessDenied(
                "only an owner can change members or groups".into(),
            ));
        }
        let generation = self
            .generation
            .checked_add(1)
            .ok_or(VaultError::Limit("the save counter is exhausted"))?;
        // The other copy's head, when this save joins it: the merge
        // verified its records (and this vault's own were verified at
        // unlock), so the read-back check below trusts what it follows.
        let merged_onto = self.join.as_ref().and_then(|p| p.parents.get(1).copied());
        let mut bindings = Vec::new();
        for g in self.groups.iter_mut().filter(|g| g.dirty) {
            let epoch = g.key.epoch;
            // A `GroupPayload`'s encoding, written on all cores.
            let mut buf = codec::encode_secret_with_seq(&g.name, &g.entries, aead::TAG_LEN);
            let mut nonce = [0u8; aead::NONCE_LEN];
            rng.fill_bytes(&mut nonce);
            aead::seal_in_place(
                &g.key.key,
                &nonce,
                &group_aad(&self.vault_id, g.id, epoch, FORMAT_VERSION),
                &mut buf,
            );
            let ciphertext = std::mem::take(&mut *buf);
            g.stored.blob = GroupBlob {
                group: g.id,
                epoch,
                nonce,
                ciphertext,
            };
            bindings.push(audit::Binding {
                subject: audit::Subject::Group { group: g.id },
                hash: audit::blob_hash(&g.stored.blob),
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
        // The save's bindings go on its last record, or on the merge
        // record when the save joins two copies: that record must bind
        // what both changed.
        let binder = match pending.first() {
            Some(d) if d.action == audit::Action::Merge => pending.first_mut(),
            _ => pending.last_mut(),
        };
        if let Some(d) = binder {
            d.bindings.extend(bindings);
        }
        for draft in pending {
            let bytes = self.prepare_record(draft, rng);
            self.accept_record(bytes)?;
        }
        self.generation = generation;
        // The groups' ciphertexts are lent to the snapshot, not copied,
        // and given back once it is written.
        let groups = self
            .stored_blobs()
            .into_iter()
            .map(|b| GroupBlob {
                ciphertext: std::mem::take(&mut b.ciphertext),
                ..*b
            })
            .collect();
        let snapshot = Snapshot {
            vault_id: self.vault_id,
            generation,
            saver: self.me,
            saved_at: now,
            manifest: self.signed_manifest.clone(),
            slots: std::mem::take(&mut self.slots),
            groups,
            log: std::mem::take(&mut self.log),
            log_head: self.log_head(),
            legacy: self.legacy as u64,
        };
        let secrets = &self.secrets;
        let bytes = write::file_bytes(&snapshot, |digest| secrets.sign(labels::SEAL, digest));
        self.slots = snapshot.slots;
        for (b, written) in self.stored_blobs().into_iter().zip(snapshot.groups) {
            b.ciphertext = written.ciphertext;
        }
        self.log = snapshot.log;
        // A merge writes only a vault that verifies: the merged file is
        // checked as any reader will check it — its structure, every
        // merge rule and binding, and the signatures of the records the
        // other copy's head does not account for.
        if let Some(head) = merged_onto {
            let file = crate::format::read::parse(&bytes).map_err(|e| {
                VaultError::Damaged(format!(
                    "the merge would write a vault that does not read ({e}); nothing was written"
                ))
            })?;
            super::check_log(
                &file,
                &crate::format::LogHead {
                    count: 1,
                    hash: head,
                },
                false,
            )
            .map_err(|e| {
                VaultError::Damaged(format!(
                    "the merge would write a vault that does not verify ({e}); nothing was written"
                ))
            })?;
        }
        Ok(bytes)
    }

    /// Every group's data as the file holds it, readable or not, in the
    /// order of the file's list.
    fn stored_blobs(&mut self) -> Vec<&mut GroupBlob> {
        let mut all: Vec<(usize, &mut GroupBlob)> = self
            .groups
            .iter_mut()
            .map(|g| &mut g.stored)
            .chain(self.sealed.iter_mut())
            .map(|s| (s.at, &mut s.blob))
            .collect();
        all.sort_unstable_by_key(|(at, _)| *at);
        all.into_iter().map(|(_, b)| b).collect()
    }
}
