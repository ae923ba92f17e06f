//! Merging another copy of this vault into the unlocked one
//! (docs/FORMAT.md §17). Pure: the caller passes the other copy's
//! verified file, `now` and an RNG, and saves the result.
//!
//! - The logs unite: every record of both copies is kept, and the next
//!   save writes a `merge` record naming both heads and binding every
//!   subject both copies changed.
//! - For each subject (the manifest, each group's data, each key slot),
//!   the log says whether one copy's value is newer (the other copy's log
//!   holds the record that last bound its own value) or both changed it.
//!   A newer value is taken byte for byte; what both changed is merged.
//! - Entries of groups both changed merge part by part
//!   ([`super::entry_merge`]), across groups, so an entry moved on one
//!   copy and edited on the other ends where the move put it, edited.
//! - A manifest both changed merges only in an owner's hands: members of
//!   both are kept, a revocation on either side wins, and every group
//!   whose key differs or that a revoked member held is re-keyed, so a
//!   copy that predates a revocation never brings the revoked member's
//!   keys back. Everything written is encrypted under the merged keys.

use std::collections::{HashMap, HashSet};

use zeroize::Zeroizing;

use super::entry_merge::{self, PartConflict};
use super::seal::open_group;
use super::unlock::grant_info;
use super::{Entry, GroupKey, GroupPayload, OpenGroup, StoredGroup, Vault, VaultError};
use crate::audit::{self, Subject};
use crate::format::read::VerifiedFile;
use crate::format::{
    FORMAT_VERSION, GroupBlob, GroupId, LOG_GROUP, Manifest, MemberId, Slot, SlotKind,
};
use crate::secret::Key32;

/// How the other copy relates to this one.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Relation {
    /// This vault already holds every record of the other copy.
    Held,
    /// The other copy holds everything this vault holds, and more: it can
    /// replace this vault as it is.
    FastForward,
    /// Both copies hold records the other lacks: merged.
    Merged,
}

/// Which copy something came from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Side {
    Ours,
    Theirs,
    Both,
}

/// An entry the merge changed on one side or both.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EntryOutcome {
    pub id: [u8; 8],
    pub title: String,
    pub group: String,
    /// Added on one copy only, or changed.
    pub added: bool,
    /// `Theirs`: this vault gains the other copy's changes; `Ours`: the
    /// other copy lacked this vault's; `Both`: changes of both are kept.
    pub from: Side,
    pub conflicts: Vec<PartConflict>,
}

/// What a merge did, for the merge's output.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MergeReport {
    pub relation: Relation,
    /// Records only the other copy held.
    pub records_theirs: usize,
    /// Records only this vault held.
    pub records_ours: usize,
    pub entries: Vec<EntryOutcome>,
    /// Where the members, groups and grants came from.
    pub manifest: Side,
    pub members_added: Vec<String>,
    pub members_revoked: Vec<String>,
    /// Groups given a fresh key by the merge.
    pub rekeyed: Vec<GroupId>,
    /// Groups this member cannot read, taken as the newer copy had them.
    pub carried: Vec<GroupId>,
    /// Members revoked in the merged vault to whom one of the copies,
    /// predating that revocation, still gave a group's key: (member's
    /// name, group). An `exposure` record for each puts the group's
    /// entries on the member's handover checklist.
    pub exposed: Vec<(String, GroupId)>,
    /// The other copy's log head (what this vault holds of it afterwards).
    pub their_head: crate::format::LogHead,
}

impl MergeReport {
    /// A report of a merge that changed nothing of its own.
    pub fn plain(relation: Relation) -> Self {
        MergeReport {
            relation,
            records_theirs: 0,
            records_ours: 0,
            entries: Vec::new(),
            manifest: Side::Ours,
            members_added: Vec::new(),
            members_revoked: Vec::new(),
            rekeyed: Vec::new(),
            carried: Vec::new(),
            exposed: Vec::new(),
            their_head: crate::format::LogHead::EMPTY,
        }
    }

    pub fn conflicts(&self) -> usize {
        self.entries.iter().map(|e| e.conflicts.len()).sum()
    }
}

/// Which copy holds the newer value of a subject.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Newer {
    Same,
    Ours,
    Theirs,
    Both,
}

/// The last binding of every subject on each side, and which records
/// each side holds.
pub(super) struct Relations {
    ours: HashMap<Subject, ([u8; 32], [u8; 32])>,
    theirs: HashMap<Subject, ([u8; 32], [u8; 32])>,
    ours_has: HashSet<[u8; 32]>,
    theirs_has: HashSet<[u8; 32]>,
}

fn last_bindings(log: &[audit::Verified]) -> HashMap<Subject, ([u8; 32], [u8; 32])> {
    let mut last = HashMap::new();
    for v in log {
        for b in &v.record.bindings {
            last.insert(b.subject, (v.hash, b.hash));
        }
    }
    last
}

impl Relations {
    pub(super) fn of(&self, s: Subject) -> Newer {
        match (self.ours.get(&s), self.theirs.get(&s)) {
            (None, None) => Newer::Same,
            (Some(_), None) => Newer::Ours,
            (None, Some(_)) => Newer::Theirs,
            (Some((ro, ho)), Some((rt, ht))) => {
                if ho == ht {
                    Newer::Same
                } else if self.theirs_has.contains(ro) {
                    Newer::Theirs
                } else if self.ours_has.contains(rt) {
                    Newer::Ours
                } else {
                    Newer::Both
                }
            }
        }
    }
}

/// A group as the merge finds it on each side.
struct Found {
    id: GroupId,
    /// The key epoch of each side's data, where the side has the group.
    ours: Option<u32>,
    theirs: Option<u32>,
    /// The other copy's data, decrypted, when this member holds its key.
    theirs_open: Option<GroupPayload>,
    newer: Newer,
}

/// The merged manifest and the keys this member holds under it.
pub(super) struct Keys {
    pub(super) manifest: Manifest,
    /// `None`: the manifest is one side's, unchanged.
    pub(super) signed: Option<crate::format::SignedManifest>,
    pub(super) side: Side,
    pub(super) groups: HashMap<GroupId, GroupKey>,
    pub(super) log: Vec<(u32, Key32)>,
    pub(super) rekeyed: Vec<GroupId>,
}

/// The entries of a group taken whole from the other copy that differ
/// from this vault's: added there, or changed there.
fn taken_from_theirs(ours: &[Entry], theirs: &[Entry], group: &str) -> Vec<EntryOutcome> {
    let enc = |e: &Entry| crate::format::codec::encode_secret(e, 0);
    theirs
        .iter()
        .filter_map(|t| {
            let before = ours.iter().find(|o| o.id == t.id);
            if before.is_some_and(|o| enc(o) == enc(t)) {
                return None;
            }
            Some(EntryOutcome {
                id: t.id.0,
                title: t.title.clone(),
                group: group.to_owned(),
                added: before.is_none(),
                from: Side::Theirs,
                conflicts: Vec::new(),
            })
        })
        .collect()
}

impl Vault {
    /// Merges `other`, another copy of this vault, into this one in
    /// memory; the next [`Vault::seal`] writes the result with its
    /// `merge` record. Nothing changes when it fails. `Held` and
    /// `FastForward` change nothing either: the caller keeps this vault,
    /// or writes the other copy's bytes in its place.
    pub fn merge(
        &mut self,
        other: VerifiedFile,
        now: i64,
        rng: &mut impl rand::CryptoRng,
    ) -> Result<MergeReport, VaultError> {
        if other.snapshot.vault_id != self.vault_id {
            return Err(VaultError::damaged(
                "the other file is not a copy of this vault (it has another vault id)",
            ));
        }
        // This vault's records were verified at unlock: of the other
        // copy's, only those this vault does not hold are checked again.
        let ours_has: HashSet<[u8; 32]> = self.verified.iter().map(|v| v.hash).collect();
        let theirs_log = super::check_log_trusting(
            &other,
            &audit::HighWater::EMPTY,
            audit::Trust::Held(&ours_has),
        )?;
        let our_head = self
            .verified
            .last()
            .ok_or_else(|| VaultError::damaged("this vault's log is empty"))?;
        let their_head = theirs_log
            .verified
            .last()
            .ok_or_else(|| VaultError::damaged("the other copy's log is empty"))?;
        let their_log_head = audit::head_of(&theirs_log.verified);
        if ours_has.contains(&their_head.hash) {
            let mut r = MergeReport::plain(Relation::Held);
            r.their_head = their_log_head;
            return Ok(r);
        }
        let theirs_has: HashSet<[u8; 32]> = theirs_log.verified.iter().map(|v| v.hash).collect();
        if theirs_has.contains(&our_head.hash) {
            let mut r = MergeReport::plain(Relation::FastForward);
            r.their_head = their_log_head;
            r.records_theirs = theirs_log.verified.len() - self.verified.len();
            r.manifest = Side::Theirs;
            return Ok(r);
        }
        if self.file_version != FORMAT_VERSION {
            return Err(VaultError::Invalid(
                "this vault is in format version 1: an owner's unlock upgrades it before it can merge".into(),
            ));
        }
        if !self.pending.is_empty()
            || self.manifest_dirty
            || self.groups.iter().any(|g| g.dirty)
            || !self.dirty_slots.is_empty()
        {
            return Err(VaultError::Invalid(
                "the vault has unsaved changes: save before merging".into(),
            ));
        }
        let join = audit::Place {
            parents: vec![our_head.hash, their_head.hash],
            height: our_head.record.height.max(their_head.record.height) + 1,
        };
        let theirs_last = last_bindings(&theirs_log.verified);
        let mut new_records = Vec::new();
        for (i, (bytes, v)) in theirs_log
            .records
            .into_iter()
            .zip(theirs_log.verified)
            .enumerate()
        {
            if ours_has.contains(&v.hash) {
                continue;
            }
            if i < theirs_log.legacy {
                return Err(VaultError::Invalid(
                    "the two copies went separate ways while both were in format version 1, which cannot join branches: keep one of them (`baton accept-older` on the one to keep), and add what the other holds by hand".into(),
                ));
            }
            new_records.push((bytes, v));
        }
        let records_ours = self
            .verified
            .iter()
            .filter(|v| !theirs_has.contains(&v.hash))
            .count();
        let rel = Relations {
            ours: last_bindings(&self.verified),
            theirs: theirs_last,
            ours_has,
            theirs_has,
        };

        // Phase 1: everything that can fail, with `self` untouched.
        let their_manifest = other.manifest;
        let mut their_snapshot = other.snapshot;
        let keys = self.merged_keys(&rel, &their_manifest, &their_snapshot.manifest, now, rng)?;
        // A member the merged vault has revoked, to whom either copy still
        // gave a group's key: that copy predates the revocation, and its
        // content of the group was readable by them.
        let mut exposures: Vec<(MemberId, GroupId)> = Vec::new();
        for m in keys
            .manifest
            .members
            .iter()
            .filter(|m| m.revoked_at.is_some())
        {
            for side in [&self.manifest, &their_manifest] {
                for g in side
                    .grants
                    .iter()
                    .filter(|g| g.member == m.id && g.group != LOG_GROUP)
                {
                    let current = side
                        .groups
                        .iter()
                        .any(|x| x.id == g.group && x.epoch == g.epoch);
                    if current && !exposures.contains(&(m.id, g.group)) {
                        exposures.push((m.id, g.group));
                    }
                }
            }
        }
        let their_key = |g: GroupId, epoch: u32| -> Option<Key32> {
            let grant = their_manifest
                .grants
                .iter()
                .find(|x| x.member == self.me && x.group == g && x.epoch == epoch)?;
            let info = grant_info(&self.vault_id, g, epoch, self.me);
            self.secrets
                .open_group_key(&info, &grant.enc, &grant.sealed_key)
                .ok()
        };
        let mut found: Vec<Found> = Vec::new();
        for info in &keys.manifest.groups {
            let g = info.id;
            let ours = self.stored_blob(g).map(|b| b.epoch);
            let their_blob = their_snapshot.groups.iter().find(|b| b.group == g);
            let theirs = their_blob.map(|b| b.epoch);
            let newer = rel.of(Subject::Group { group: g });
            let theirs_open = match (their_blob, newer) {
                (Some(b), Newer::Theirs | Newer::Both) => match their_key(g, b.epoch) {
                    Some(k) => Some(open_group(&self.vault_id, b, &k, other.version)?),
                    None => None,
                },
                _ => None,
            };
            found.push(Found {
                id: g,
                ours,
                theirs,
                theirs_open,
                newer,
            });
        }
        let readable_ours = |g: GroupId| self.groups.iter().any(|x| x.id == g);
        let readable = |f: &Found| {
            (f.ours.is_none() || readable_ours(f.id))
                && (f.theirs.is_none()
                    || f.newer == Newer::Same
                    || f.newer == Newer::Ours
                    || f.theirs_open.is_some())
                && keys.groups.contains_key(&f.id)
        };
        // Groups whose entries merge: what both changed, then every group
        // an entry of those lives in on either side.
        let mut merge_set: HashSet<GroupId> = HashSet::new();
        for f in &found {
            if f.newer == Newer::Both {
                if !readable(f) {
                    return Err(VaultError::AccessDenied(format!(
                        "both copies changed group #{}, which you cannot read: an owner, or a member who holds that group, must merge these copies",
                        f.id
                    )));
                }
                merge_set.insert(f.id);
            }
        }
        // A group taken whole from one side under a key the merge
        // replaced is encrypted again: this member must read it.
        for f in &found {
            if merge_set.contains(&f.id) {
                continue;
            }
            let chosen = match f.newer {
                Newer::Theirs => f.theirs.or(f.ours),
                _ => f.ours.or(f.theirs),
            };
            let target = keys
                .manifest
                .groups
                .iter()
                .find(|g| g.id == f.id)
                .map(|g| g.epoch);
            if chosen != target && !readable(f) {
                return Err(VaultError::AccessDenied(format!(
                    "group #{} must be encrypted again under its merged key, and you cannot read it: an owner must merge these copies",
                    f.id
                )));
            }
        }

        // Slots: the newer of each; one both changed follows the merged
        // manifest's parameters and is bound by the merge record.
        let mut slots: Vec<Slot> = Vec::new();
        let mut dirty_slots = Vec::new();
        let active = |m: MemberId| {
            keys.manifest
                .members
                .iter()
                .find(|x| x.id == m && x.revoked_at.is_none())
        };
        let mut seen_slots: Vec<(MemberId, SlotKind)> = Vec::new();
        let mut gone_bindings: Vec<audit::Binding> = Vec::new();
        for s in self.slots.iter().chain(their_snapshot.slots.iter()) {
            let k = (s.member, s.kind);
            if seen_slots.contains(&k) {
                continue;
            }
            seen_slots.push(k);
            let Some(member) = active(s.member) else {
                // A slot both copies rebound, of a member the merge leaves
                // revoked: the merge record binds it as gone.
                let newer = rel.of(Subject::Slot {
                    member: k.0,
                    kind: k.1,
                });
                if newer == Newer::Both {
                    gone_bindings.push(audit::Binding {
                        subject: Subject::Slot {
                            member: k.0,
                            kind: k.1,
                        },
                        hash: [0; 32],
                    });
                }
                continue;
            };
            let ours = self.slots.iter().find(|x| (x.member, x.kind) == k);
            let theirs = their_snapshot
                .slots
                .iter()
                .find(|x| (x.member, x.kind) == k);
            let newer = rel.of(Subject::Slot {
                member: k.0,
                kind: k.1,
            });
            let pick = match newer {
                Newer::Theirs => theirs.or(ours),
                Newer::Both => {
                    // The merge record binds it: only its member or an
                    // owner may.
                    if k.0 != self.me && !self.is_owner() {
                        return Err(VaultError::AccessDenied(format!(
                            "{} changed their passphrase on both copies: an owner, or {} themselves, must merge these copies",
                            member.name, member.name
                        )));
                    }
                    dirty_slots.push(k);
                    [ours, theirs]
                        .into_iter()
                        .flatten()
                        .find(|x| x.kdf == member.kdf)
                        .or(ours)
                }
                _ => ours.or(theirs),
            };
            let Some(slot) = pick else { continue };
            let slot = if slot.kdf == member.kdf {
                slot
            } else {
                [ours, theirs]
                    .into_iter()
                    .flatten()
                    .find(|x| x.kdf == member.kdf)
                    .ok_or_else(|| {
                        VaultError::damaged(format!(
                            "neither copy has a key slot of {} that matches the merged member list",
                            member.name
                        ))
                    })?
            };
            slots.push(slot.clone());
        }

        // A group one copy folded away (two of one name, see below) while
        // the other copy wrote to it: its entries go to the group of its
        // name, so that nothing written there is lost.
        let mut orphans: Vec<(GroupId, GroupPayload)> = Vec::new();
        let kept_ids: HashSet<GroupId> = keys.manifest.groups.iter().map(|g| g.id).collect();
        let mut orphan_ids: Vec<GroupId> = self
            .groups
            .iter()
            .map(|g| g.stored.blob.group)
            .chain(self.sealed.iter().map(|g| g.blob.group))
            .chain(their_snapshot.groups.iter().map(|b| b.group))
            .filter(|g| !kept_ids.contains(g))
            .collect();
        orphan_ids.sort_unstable();
        orphan_ids.dedup();
        for g in orphan_ids {
            let newer = rel.of(Subject::Group { group: g });
            let ours_has = self.stored_blob(g).is_some();
            let theirs_blob = their_snapshot.groups.iter().find(|b| b.group == g);
            // Removed knowingly: the side without it had seen the other's
            // last change of it.
            let wrote_after = match newer {
                Newer::Both => true,
                Newer::Ours => ours_has,
                Newer::Theirs => theirs_blob.is_some(),
                Newer::Same => false,
            };
            if !wrote_after {
                gone_bindings.push(audit::Binding {
                    subject: Subject::Group { group: g },
                    hash: [0; 32],
                });
                continue;
            }
            let payload = if matches!(newer, Newer::Theirs) || !ours_has {
                theirs_blob.and_then(|b| {
                    their_key(g, b.epoch)
                        .and_then(|k| open_group(&self.vault_id, b, &k, other.version).ok())
                })
            } else {
                self.groups
                    .iter()
                    .find(|x| x.id == g)
                    .map(|x| GroupPayload {
                        name: x.name.clone(),
                        entries: x
                            .entries
                            .iter()
                            .map(|e| {
                                crate::format::codec::decode(&crate::format::codec::encode_secret(
                                    e, 0,
                                ))
                                .expect("an entry decodes from its own encoding")
                            })
                            .collect(),
                    })
            };
            let Some(payload) = payload else {
                return Err(VaultError::AccessDenied(format!(
                    "group #{g} was removed on one copy and written on the other, and you cannot read it: an owner must merge these copies"
                )));
            };
            let readable_name = found.iter().any(|f| {
                readable(f)
                    && (self
                        .groups
                        .iter()
                        .any(|x| x.id == f.id && x.name == payload.name)
                        || f.theirs_open
                            .as_ref()
                            .is_some_and(|p| p.name == payload.name))
            });
            if !readable_name {
                return Err(VaultError::AccessDenied(format!(
                    "group {:?} was removed on one copy and written on the other, and no group of that name that you can read is left: an owner must merge these copies",
                    payload.name
                )));
            }
            gone_bindings.push(audit::Binding {
                subject: Subject::Group { group: g },
                hash: [0; 32],
            });
            orphans.push((g, payload));
        }

        // Phase 2: build the merged vault; nothing below fails.
        // A member the merged vault has revoked loses every conflict: an
        // old copy of theirs never overrides a value changed without them.
        let revoked_ids: HashSet<MemberId> = keys
            .manifest
            .members
            .iter()
            .filter(|m| m.revoked_at.is_some())
            .map(|m| m.id)
            .collect();
        let revoked = |m: MemberId| revoked_ids.contains(&m);
        let mut report = MergeReport::plain(Relation::Merged);
        report.their_head = their_log_head;
        report.records_theirs = new_records.len();
        report.records_ours = records_ours;
        report.manifest = keys.side;
        report.rekeyed = keys.rekeyed.clone();
        for m in &keys.manifest.members {
            match self.manifest.members.iter().find(|x| x.id == m.id) {
                None => report.members_added.push(m.name.clone()),
                Some(x) if x.revoked_at.is_none() && m.revoked_at.is_some() => {
                    report.members_revoked.push(m.name.clone());
                }
                Some(_) => {}
            }
        }
        let mut ours_open: HashMap<GroupId, OpenGroup> = std::mem::take(&mut self.groups)
            .into_iter()
            .map(|g| (g.id, g))
            .collect();
        // Where this vault had each entry: of two versions of one id that
        // end in two groups, the one there keeps the id.
        let our_place: HashMap<[u8; 8], GroupId> = ours_open
            .values()
            .flat_map(|g| g.entries.iter().map(move |e| (e.id.0, g.id)))
            .collect();
        let mut theirs_open: HashMap<GroupId, GroupPayload> = HashMap::new();
        // Each side's group data, moved (not copied) into the result.
        let mut our_blobs: HashMap<GroupId, GroupBlob> = HashMap::new();
        for o in ours_open.values_mut() {
            let b = std::mem::take(&mut o.stored.blob.ciphertext);
            our_blobs.insert(
                o.id,
                GroupBlob {
                    ciphertext: b,
                    ..o.stored.blob
                },
            );
        }
        for st in std::mem::take(&mut self.sealed) {
            our_blobs.insert(st.blob.group, st.blob);
        }
        let mut their_blobs: HashMap<GroupId, GroupBlob> =
            std::mem::take(&mut their_snapshot.groups)
                .into_iter()
                .map(|b| (b.group, b))
                .collect();
        let mut blobs: HashMap<GroupId, (Option<GroupBlob>, Option<GroupBlob>, Newer)> =
            HashMap::new();
        for f in found {
            if let Some(p) = f.theirs_open {
                theirs_open.insert(f.id, p);
            }
            blobs.insert(
                f.id,
                (
                    f.ours.and(our_blobs.remove(&f.id)),
                    f.theirs.and(their_blobs.remove(&f.id)),
                    f.newer,
                ),
            );
        }
        // The merged groups: this vault's entries stay where they are, in
        // their order; the other copy's are merged into them, or follow
        // them. Entries are large, and with the wiping allocator every copy
        // of a list is also a wipe: each moves at most once.
        let mut merge_ids: Vec<GroupId> = merge_set.iter().copied().collect();
        merge_ids.sort_unstable();
        let mut names: HashMap<GroupId, String> = HashMap::new();
        let mut placed: HashMap<GroupId, Vec<Entry>> = HashMap::new();
        let n_ours: usize = merge_ids
            .iter()
            .filter_map(|g| ours_open.get(g))
            .map(|o| o.entries.len())
            .sum();
        // This vault's entries of the merged groups, by id.
        let mut our_pos: HashMap<[u8; 8], (GroupId, usize)> = HashMap::with_capacity(n_ours);
        for g in &merge_ids {
            let entries = match ours_open.get_mut(g) {
                Some(open) => {
                    names.insert(*g, open.name.clone());
                    std::mem::take(&mut open.entries)
                }
                None => Vec::new(),
            };
            for (i, e) in entries.iter().enumerate() {
                our_pos.entry(e.id.0).or_insert((*g, i));
            }
            placed.insert(*g, entries);
        }
        let mut theirs_of: Vec<(GroupId, Vec<Entry>)> = Vec::with_capacity(merge_ids.len());
        for g in &merge_ids {
            if let Some(p) = theirs_open.get_mut(g) {
                names.entry(*g).or_insert_with(|| p.name.clone());
                theirs_of.push((*g, std::mem::take(&mut p.entries)));
            }
        }
        // Room for what the other copy adds, made once.
        for (g, entries) in &theirs_of {
            let added = entries
                .iter()
                .filter(|e| !our_pos.contains_key(&e.id.0))
                .count();
            if let Some(list) = placed.get_mut(g) {
                list.reserve(added);
            }
        }
        // Which of the other copy's entries equal this vault's, found on
        // all cores (each with its own buffers): most entries of a group
        // both changed are untouched. Encoding is deterministic, so equal
        // bytes are equal entries.
        let encode_into = |e: &Entry, buf: &mut Zeroizing<Vec<u8>>| {
            buf.clear();
            crate::format::codec::encode_into(e, buf);
        };
        let equal: Vec<Vec<bool>> = {
            use rayon::prelude::*;
            theirs_of
                .iter()
                .map(|(g, entries)| {
                    entries
                        .par_iter()
                        .map_init(
                            || (Zeroizing::new(Vec::new()), Zeroizing::new(Vec::new())),
                            |(bo, bt), et| match our_pos.get(&et.id.0) {
                                Some((go, i)) if go == g => {
                                    let Some(eo) = placed.get(go).and_then(|l| l.get(*i)) else {
                                        return false;
                                    };
                                    encode_into(eo, bo);
                                    encode_into(et, bt);
                                    **bo == **bt
                                }
                                _ => false,
                            },
                        )
                        .collect()
                })
                .collect()
        };
        let (mut bo, mut bt) = (Zeroizing::new(Vec::new()), Zeroizing::new(Vec::new()));
        let mut paired: HashSet<[u8; 8]> = HashSet::new();
        for ((g, entries), equal) in theirs_of.into_iter().zip(equal) {
            for (et, same) in entries.into_iter().zip(equal) {
                let id = et.id.0;
                match our_pos.get(&id).copied() {
                    Some((go, _)) if same => {
                        paired.insert(id);
                        debug_assert_eq!(go, g);
                    }
                    // Changed on one side or both: the versions merge.
                    Some((go, i)) if go == g => {
                        paired.insert(id);
                        let Some(slot) = placed.get_mut(&go).and_then(|l| l.get_mut(i)) else {
                            continue;
                        };
                        let eo = std::mem::replace(
                            slot,
                            Entry::new(super::EntryId(id), String::new(), 0, 0),
                        );
                        encode_into(&eo, &mut bo);
                        encode_into(&et, &mut bt);
                        let m = entry_merge::merge(eo, et, &revoked);
                        let bm = crate::format::codec::encode_secret(&m.entry, 0);
                        let from = match (*bm == *bo, *bm == *bt) {
                            (true, true) => None,
                            (true, false) => Some(Side::Ours),
                            (false, true) => Some(Side::Theirs),
                            (false, false) => Some(Side::Both),
                        };
                        if let Some(from) = from {
                            report.entries.push(EntryOutcome {
                                id,
                                title: m.entry.title.clone(),
                                group: names.get(&go).cloned().unwrap_or_default(),
                                added: false,
                                from,
                                conflicts: m.conflicts,
                            });
                        }
                        *slot = m.entry;
                    }
                    // One id in two groups: moved on one copy while the
                    // other changed it, or one copy's entry given another's
                    // id. The versions are not combined — that would carry
                    // a value into a group whose members may not read it —
                    // and both are kept, each in its group: of the two, the
                    // one in the lower group is reported as kept, and the
                    // other gets a fresh id below.
                    Some((go, i)) => {
                        paired.insert(id);
                        let Some(eo) = placed.get(&go).and_then(|l| l.get(i)) else {
                            continue;
                        };
                        let (keep, other, other_g) =
                            if go < g { (eo, &et, g) } else { (&et, eo, go) };
                        report.entries.push(EntryOutcome {
                            id,
                            title: other.title.clone(),
                            group: names.get(&other_g).cloned().unwrap_or_default(),
                            added: true,
                            from: Side::Both,
                            conflicts: vec![PartConflict {
                                part: super::Part::Group.as_str().into(),
                                kept: keep.stamp(super::Part::Group),
                                lost: other.stamp(super::Part::Group),
                            }],
                        });
                        placed.entry(g).or_default().push(et);
                    }
                    None => {
                        report.entries.push(EntryOutcome {
                            id,
                            title: et.title.clone(),
                            group: names.get(&g).cloned().unwrap_or_default(),
                            added: true,
                            from: Side::Theirs,
                            conflicts: Vec::new(),
                        });
                        placed.entry(g).or_default().push(et);
                    }
                }
            }
        }
        // What only this vault holds of the merged groups.
        for (id, (g, i)) in &our_pos {
            if paired.contains(id) {
                continue;
            }
            if let Some(e) = placed.get(g).and_then(|l| l.get(*i)) {
                report.entries.push(EntryOutcome {
                    id: *id,
                    title: e.title.clone(),
                    group: names.get(g).cloned().unwrap_or_default(),
                    added: true,
                    from: Side::Ours,
                    conflicts: Vec::new(),
                });
            }
        }
        let mut groups: Vec<OpenGroup> = Vec::new();
        let mut sealed: Vec<StoredGroup> = Vec::new();
        for (at, info) in keys.manifest.groups.iter().enumerate() {
            let g = info.id;
            let Some((ours, theirs, newer)) = blobs.remove(&g) else {
                continue;
            };
            let key = keys.groups.get(&g).map(|k| GroupKey {
                epoch: k.epoch,
                key: k.key.duplicate(),
            });
            let take_theirs = newer == Newer::Theirs || ours.is_none();
            let Some(blob) = (if take_theirs {
                theirs.or(ours)
            } else {
                ours.or(theirs)
            }) else {
                continue;
            };
            let stored = StoredGroup { at, blob };
            let Some(key) = key else {
                report.carried.push(g);
                sealed.push(stored);
                continue;
            };
            let rekey = stored.blob.epoch != key.epoch;
            if merge_set.contains(&g) {
                groups.push(OpenGroup {
                    id: g,
                    name: names.remove(&g).unwrap_or_default(),
                    entries: placed.remove(&g).unwrap_or_default(),
                    dirty: true,
                    key,
                    stored,
                });
                continue;
            }
            let opened = if take_theirs {
                let before = ours_open.remove(&g).map(|o| o.entries).unwrap_or_default();
                theirs_open.remove(&g).map(|p| {
                    report
                        .entries
                        .extend(taken_from_theirs(&before, &p.entries, &p.name));
                    (p.name, p.entries)
                })
            } else {
                ours_open.remove(&g).map(|o| (o.name, o.entries))
            };
            match opened {
                Some((name, entries)) => groups.push(OpenGroup {
                    id: g,
                    name,
                    entries,
                    dirty: rekey,
                    key,
                    stored,
                }),
                None => {
                    report.carried.push(g);
                    sealed.push(stored);
                }
            }
        }
        // Two copies that each created a group of one name (two commands
        // adding the first entry of "General" at once) have two groups of
        // that name; an owner's merge folds them into the one with the
        // lower id, so that a name keeps naming one group.
        for (_, payload) in orphans {
            // Phase 1 made sure a readable group of its name is left.
            let Some(target) = groups.iter_mut().find(|g| g.name == payload.name) else {
                continue;
            };
            for e in payload.entries {
                match target.entries.iter().position(|x| x.id == e.id) {
                    Some(at) => {
                        let kept = target.entries.remove(at);
                        target
                            .entries
                            .insert(at, entry_merge::merge(kept, e, &revoked).entry);
                    }
                    None => target.entries.push(e),
                }
            }
            target.dirty = true;
        }
        let mut keys = keys;
        // Only groups whose keys the same members hold fold: a name is
        // in the group's data, which any holder of its key can write, so
        // a name alone must never move entries to other readers.
        let holders = |m: &Manifest, g: GroupId| -> Vec<MemberId> {
            let epoch = m.groups.iter().find(|x| x.id == g).map(|x| x.epoch);
            let mut h: Vec<MemberId> = m
                .grants
                .iter()
                .filter(|x| x.group == g && Some(x.epoch) == epoch)
                .map(|x| x.member)
                .collect();
            h.sort_unstable();
            h
        };
        while keys.side == Side::Both {
            let dup = (0..groups.len()).find_map(|i| {
                (0..i)
                    .find(|j| {
                        groups[*j].name == groups[i].name
                            && holders(&keys.manifest, groups[*j].id)
                                == holders(&keys.manifest, groups[i].id)
                    })
                    .map(|j| (j, i))
            });
            let Some((j, i)) = dup else { break };
            let (keep, fold) = if groups[j].id < groups[i].id {
                (j, i)
            } else {
                (i, j)
            };
            let folded = groups.remove(fold);
            let keep = if fold < keep { keep - 1 } else { keep };
            let kept = groups[keep].id;
            for mut e in folded.entries {
                if let Some(at) = groups[keep].entries.iter().position(|x| x.id == e.id) {
                    // One entry in both groups: its two versions merge.
                    let kept = groups[keep].entries.remove(at);
                    let m = entry_merge::merge(kept, e, &revoked);
                    groups[keep].entries.insert(at, m.entry);
                    continue;
                }
                let stamp = e.next_stamp(now, self.me, self.writer);
                e.set_stamp(super::Part::Group, stamp);
                groups[keep].entries.push(e);
            }
            groups[keep].dirty = true;
            let gone = folded.id;
            // Its data is gone from the vault: the merge record says so,
            // since both copies may have written it.
            gone_bindings.push(audit::Binding {
                subject: Subject::Group { group: gone },
                hash: [0; 32],
            });
            keys.manifest.groups.retain(|g| g.id != gone);
            keys.manifest.grants.retain(|g| g.group != gone);
            let critical = keys.manifest.critical_groups.contains(&gone);
            keys.manifest.critical_groups.retain(|g| *g != gone);
            if critical && !keys.manifest.critical_groups.contains(&kept) {
                keys.manifest.critical_groups.push(kept);
            }
        }
        // One id in two groups of the result (kept apart above): the
        // version where this vault had it keeps it (else the one in the
        // lower group), and the other gets a fresh one.
        let mut first: HashMap<[u8; 8], GroupId> = HashMap::new();
        let mut twice: HashSet<[u8; 8]> = HashSet::new();
        for g in &groups {
            for e in &g.entries {
                if first.insert(e.id.0, g.id).is_some() {
                    twice.insert(e.id.0);
                }
            }
        }
        let keeper = |id: &[u8; 8], groups: &[OpenGroup]| -> Option<GroupId> {
            our_place.get(id).copied().or_else(|| {
                groups
                    .iter()
                    .filter(|g| g.entries.iter().any(|e| e.id.0 == *id))
                    .map(|g| g.id)
                    .min()
            })
        };
        let keepers: HashMap<[u8; 8], GroupId> = twice
            .iter()
            .filter_map(|id| keeper(id, &groups).map(|g| (*id, g)))
            .collect();
        let mut ids: HashSet<[u8; 8]> = HashSet::new();
        for g in &mut groups {
            let gid = g.id;
            for e in &mut g.entries {
                let keeps = match keepers.get(&e.id.0) {
                    Some(k) => *k == gid && ids.insert(e.id.0),
                    None => ids.insert(e.id.0),
                };
                if keeps {
                    continue;
                }
                let mut fresh = super::EntryId::random(rng);
                while ids.contains(&fresh.0) || first.contains_key(&fresh.0) {
                    fresh = super::EntryId::random(rng);
                }
                e.id = fresh;
                ids.insert(fresh.0);
                g.dirty = true;
            }
        }
        report
            .entries
            .sort_by(|a, b| (&a.group, &a.title).cmp(&(&b.group, &b.title)));

        // Commit.
        let revoked_now = !report.members_revoked.is_empty();
        self.manifest_dirty = keys.signed.is_none() && keys.side == Side::Both;
        if let Some(signed) = keys.signed {
            self.signed_manifest = signed;
        }
        self.manifest = keys.manifest;
        self.log_secrets = keys.log;
        self.groups = groups;
        self.sealed = sealed;
        self.slots = slots;
        self.dirty_slots = dirty_slots;
        for (bytes, v) in new_records {
            self.log.push(bytes);
            self.verified.push(v);
        }
        self.generation = self.generation.max(their_snapshot.generation);
        self.revoked_unsaved |= revoked_now;
        self.join = Some(join);
        let mut draft = audit::Draft::new(now, audit::Action::Merge);
        draft.bindings = gone_bindings;
        draft.details = Some(audit::Details {
            title: None,
            group: None,
            note: Some(format!(
                "{} records from the other copy, {} entries changed, {} conflicts",
                report.records_theirs,
                report.entries.len(),
                report.conflicts()
            )),
        });
        self.pending.push(draft);
        for (member, group) in exposures {
            let name = self
                .manifest
                .members
                .iter()
                .find(|m| m.id == member)
                .map_or_else(String::new, |m| m.name.clone());
            report.exposed.push((name, group));
            self.pending.push(audit::Draft {
                target: Some(member),
                group: Some(group),
                details: Some(audit::Details {
                    title: None,
                    group: self
                        .groups
                        .iter()
                        .find(|g| g.id == group)
                        .map(|g| g.name.clone()),
                    note: Some(
                        "readable in a copy of the vault that predates the revocation".into(),
                    ),
                }),
                ..audit::Draft::new(now, audit::Action::Exposure)
            });
        }
        Ok(report)
    }

    fn stored_blob(&self, g: GroupId) -> Option<&GroupBlob> {
        self.groups
            .iter()
            .map(|o| &o.stored)
            .chain(self.sealed.iter())
            .find(|s| s.blob.group == g)
            .map(|s| &s.blob)
    }
}
