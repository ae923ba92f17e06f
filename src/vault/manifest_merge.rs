//! The members, groups and keys a merge writes (see [`super::merge`]):
//! one copy's manifest when it is newer, or the same; otherwise, in an
//! owner's hands, the two merged — members of both, a revocation on
//! either side winning, and a fresh key for every group whose keys differ
//! or that a revoked member held. Pure.

use std::collections::{HashMap, HashSet};

use super::merge::{Keys, Newer, Relations, Side};
use super::unlock::grant_info;
use super::{GroupKey, Vault, VaultError};
use crate::audit::Subject;
use crate::crypto::keys;
use crate::format::{
    FORMAT_VERSION, Grant, GroupId, GroupInfo, LOG_GROUP, Manifest, Member, MemberId, Role,
};
use crate::secret::Key32;

impl Vault {
    /// The manifest the merge writes, and the keys this member holds
    /// under it: one side's when it is newer or the same, else (owners
    /// only) the two merged.
    pub(super) fn merged_keys(
        &self,
        rel: &Relations,
        theirs: &Manifest,
        their_signed: &crate::format::SignedManifest,
        now: i64,
        rng: &mut impl rand::CryptoRng,
    ) -> Result<Keys, VaultError> {
        let side = match rel.of(Subject::Manifest) {
            Newer::Same | Newer::Ours => Side::Ours,
            Newer::Theirs => Side::Theirs,
            Newer::Both => Side::Both,
        };
        let manifest = match side {
            Side::Ours => self.manifest.clone(),
            Side::Theirs => theirs.clone(),
            Side::Both => {
                if !self.is_owner() {
                    return Err(VaultError::AccessDenied(
                        "both copies changed the members or groups, and only an owner can merge that: ask an owner to run the merge".into(),
                    ));
                }
                return self.merge_manifests(theirs, their_signed.signer, now, rng);
            }
        };
        let me = manifest
            .members
            .iter()
            .find(|m| m.id == self.me)
            .ok_or_else(|| VaultError::AccessDenied("the other copy does not list you".into()))?;
        if me.revoked_at.is_some() {
            return Err(VaultError::AccessDenied(format!(
                "{}'s membership was revoked in the other copy",
                me.name
            )));
        }
        let mut groups = HashMap::new();
        let mut log = Vec::new();
        for grant in manifest.grants.iter().filter(|g| g.member == self.me) {
            let current = grant.group == LOG_GROUP
                || manifest
                    .groups
                    .iter()
                    .any(|g| g.id == grant.group && g.epoch == grant.epoch);
            if !current {
                continue;
            }
            let info = grant_info(&self.vault_id, grant.group, grant.epoch, self.me);
            let key = self
                .secrets
                .open_group_key(&info, &grant.enc, &grant.sealed_key)
                .map_err(|_| VaultError::damaged("a key granted to you cannot be opened"))?;
            if grant.group == LOG_GROUP {
                log.push((grant.epoch, key));
            } else {
                groups.insert(
                    grant.group,
                    GroupKey {
                        epoch: grant.epoch,
                        key,
                    },
                );
            }
        }
        log.sort_by_key(|(e, _)| *e);
        Ok(Keys {
            manifest,
            signed: match side {
                Side::Theirs => Some(their_signed.clone()),
                _ => Some(self.signed_manifest.clone()),
            },
            side,
            groups,
            log,
            rekeyed: Vec::new(),
        })
    }

    /// Two manifests both changed, merged by an owner: members of both
    /// (a revocation on either side wins; for a member both list, the
    /// manifest with the higher version decides the rest), groups of
    /// both, and a fresh key for every group whose keys differ or that a
    /// revoked member holds, granted to the members who held it on
    /// either side. The log keys of both are kept (renumbered when they
    /// differ) and a fresh one becomes current.
    fn merge_manifests(
        &self,
        theirs: &Manifest,
        their_signer: MemberId,
        now: i64,
        rng: &mut impl rand::CryptoRng,
    ) -> Result<Keys, VaultError> {
        let ours = &self.manifest;
        // A copy whose members an owner signed who is revoked on either
        // copy (an old copy of a departed owner's, say) brings no one, no
        // role and no grant: only the revocations it holds count.
        let revoked_anywhere = |id: MemberId| {
            ours.members
                .iter()
                .chain(&theirs.members)
                .any(|m| m.id == id && m.revoked_at.is_some())
        };
        let ours_tainted = revoked_anywhere(self.signed_manifest.signer);
        let theirs_tainted = revoked_anywhere(their_signer);
        let theirs_first = theirs.version > ours.version && !theirs_tainted || ours_tainted;
        let mut members: Vec<Member> = ours.members.clone();
        if ours_tainted && !theirs_tainted {
            members.retain(|m| theirs.members.iter().any(|t| t.id == m.id));
        }
        for t in &theirs.members {
            match members.iter_mut().find(|m| m.id == t.id) {
                Some(m) => {
                    if m.public != t.public {
                        return Err(VaultError::damaged(format!(
                            "the two copies give member #{} different keys",
                            t.id
                        )));
                    }
                    let revoked = match (m.revoked_at, t.revoked_at) {
                        (Some(a), Some(b)) => Some(a.min(b)),
                        (a, b) => a.or(b),
                    };
                    if theirs_first {
                        *m = t.clone();
                    }
                    m.revoked_at = revoked;
                }
                None if theirs_tainted && !ours_tainted => {}
                None => {
                    if members.iter().any(|m| m.name == t.name) {
                        return Err(VaultError::Invalid(format!(
                            "both copies added a member named {:?}: revoke one of them on one copy, then merge",
                            t.name
                        )));
                    }
                    members.push(t.clone());
                }
            }
        }
        if members
            .iter()
            .find(|m| m.id == self.me)
            .is_some_and(|m| m.revoked_at.is_some())
        {
            return Err(VaultError::AccessDenied(
                "your membership was revoked in the other copy".into(),
            ));
        }
        let live = |id: MemberId| {
            members.iter().any(|m| {
                m.id == id && m.revoked_at.is_none() && m.expires_at.is_none_or(|t| t > now)
            })
        };
        let revoked: HashSet<MemberId> = members
            .iter()
            .filter(|m| m.revoked_at.is_some())
            .map(|m| m.id)
            .collect();
        let seal_to = |member: MemberId, group: GroupId, epoch: u32, key: &Key32, rng: &mut _| {
            let x = members
                .iter()
                .find(|m| m.id == member)
                .map(|m| m.public.x25519)
                .ok_or_else(|| VaultError::damaged("a grant names an unknown member"))?;
            let info = grant_info(&self.vault_id, group, epoch, member);
            keys::seal_group_key(&x, &info, key, rng)
                .map(|(enc, sealed_key)| Grant {
                    member,
                    group,
                    epoch,
                    enc,
                    sealed_key,
                })
                .ok_or_else(|| VaultError::damaged("a member's key is not a valid X25519 key"))
        };
        let open = |m: &Manifest, group: GroupId, epoch: u32| -> Option<Key32> {
            let g = m
                .grants
                .iter()
                .find(|x| x.member == self.me && x.group == group && x.epoch == epoch)?;
            let info = grant_info(&self.vault_id, group, epoch, self.me);
            self.secrets
                .open_group_key(&info, &g.enc, &g.sealed_key)
                .ok()
        };
        let mut infos: Vec<GroupInfo> = ours.groups.clone();
        for g in &theirs.groups {
            if !infos.iter().any(|x| x.id == g.id) {
                infos.push(g.clone());
            }
        }
        let mut grants: Vec<Grant> = Vec::new();
        let mut group_keys: HashMap<GroupId, GroupKey> = HashMap::new();
        let mut rekeyed = Vec::new();
        for info in &mut infos {
            let g = info.id;
            let side = |m: &Manifest| {
                m.groups.iter().find(|x| x.id == g).map(|x| {
                    let holders: Vec<MemberId> = m
                        .grants
                        .iter()
                        .filter(|y| y.group == g && y.epoch == x.epoch)
                        .map(|y| y.member)
                        .collect();
                    (x.epoch, open(m, g, x.epoch), holders)
                })
            };
            let (o, t) = (side(ours), side(theirs));
            let mut holders: Vec<MemberId> = Vec::new();
            let trusted = |tainted: bool| !tainted || (ours_tainted && theirs_tainted);
            let counted = o
                .iter()
                .filter(|_| trusted(ours_tainted))
                .chain(t.iter().filter(|_| trusted(theirs_tainted)));
            for (_, _, h) in counted {
                for m in h {
                    if !holders.contains(m) {
                        holders.push(*m);
                    }
                }
            }
            let same_key = match (&o, &t) {
                (Some((eo, Some(ko), _)), Some((et, Some(kt), _))) => {
                    eo == et && ko.expose() == kt.expose()
                }
                (Some(_), None) | (None, Some(_)) => true,
                _ => false,
            };
            let exposed = holders.iter().any(|h| revoked.contains(h));
            let current = o
                .as_ref()
                .and_then(|(e, k, _)| k.as_ref().map(|k| (*e, k.duplicate())))
                .or_else(|| {
                    t.as_ref()
                        .and_then(|(e, k, _)| k.as_ref().map(|k| (*e, k.duplicate())))
                });
            let (epoch, key) = match current {
                Some((e, k)) if same_key && !exposed => (e, k),
                _ => {
                    let top = o
                        .iter()
                        .chain(t.iter())
                        .map(|(e, _, _)| *e)
                        .max()
                        .unwrap_or(0);
                    rekeyed.push(g);
                    (
                        top.checked_add(1)
                            .ok_or(VaultError::Limit("a group's key epochs are exhausted"))?,
                        Key32::random(rng),
                    )
                }
            };
            info.epoch = epoch;
            for m in &members {
                let holds = holders.contains(&m.id) || m.role == Role::Owner;
                if holds && live(m.id) {
                    grants.push(seal_to(m.id, g, epoch, &key, rng)?);
                }
            }
            group_keys.insert(g, GroupKey { epoch, key });
        }
        // The log keys: every one either side used stays (its holders
        // read older records' details); when they differ, or a revoked
        // member held the current one, a fresh one becomes current.
        let mut log_keys: Vec<Key32> = self
            .log_secrets
            .iter()
            .map(|(_, k)| k.duplicate())
            .collect();
        for g in theirs
            .grants
            .iter()
            .filter(|g| g.group == LOG_GROUP && g.member == self.me)
        {
            if let Some(k) = open(theirs, LOG_GROUP, g.epoch)
                && !log_keys.iter().any(|x| x.expose() == k.expose())
            {
                log_keys.push(k);
            }
        }
        let log_exposed = ours
            .grants
            .iter()
            .chain(theirs.grants.iter())
            .any(|g| g.group == LOG_GROUP && revoked.contains(&g.member));
        let mut log_public = ours.log_public;
        if ours.log_public != theirs.log_public || log_exposed {
            let fresh = Key32::random(rng);
            log_public = keys::x25519_public(&fresh);
            log_keys.push(fresh);
        }
        let mut log = Vec::new();
        for (i, key) in log_keys.into_iter().enumerate() {
            let epoch = u32::try_from(i + 1).map_err(|_| VaultError::Limit("too many log keys"))?;
            for m in members.iter().filter(|m| m.role != Role::Contractor) {
                if live(m.id) {
                    grants.push(seal_to(m.id, LOG_GROUP, epoch, &key, rng)?);
                }
            }
            log.push((epoch, key));
        }
        let newer = if theirs_first { theirs } else { ours };
        let mut critical = ours.critical_groups.clone();
        for g in &theirs.critical_groups {
            if !critical.contains(g) {
                critical.push(*g);
            }
        }
        let manifest = Manifest {
            vault_id: ours.vault_id,
            vault_nonce: ours.vault_nonce,
            format_version: FORMAT_VERSION,
            // The save that writes it counts one more.
            version: ours.version.max(theirs.version),
            created_at: ours.created_at,
            weak_kdf: ours.weak_kdf || theirs.weak_kdf,
            firm_domain: newer.firm_domain.clone(),
            members,
            groups: infos,
            grants,
            log_public,
            critical_groups: critical,
            critical_rotate_days: newer.critical_rotate_days,
        };
        Ok(Keys {
            manifest,
            signed: None,
            side: Side::Both,
            groups: group_keys,
            log,
            rekeyed,
        })
    }
}
