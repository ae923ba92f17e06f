//! Who holds the vault: the unlocked member and their role, adding members
//! with their key slot and grants, granting contractors more groups,
//! revoking (with the re-keying it takes), expiry, changing one's own
//! passphrase, and the owner's settings signed into the manifest.

use super::entries::normalize_group;
use super::unlock::{grant_info, make_slot};
use super::{GroupKey, Revocation, Vault, VaultError};
use crate::audit;
use crate::crypto::keys::{self, MemberSecrets};
use crate::format::{
    FOUNDING_OWNER, Grant, GroupId, LOG_GROUP, Member, MemberId, Role, Sig, SlotKind, labels,
};
use crate::secret::{Key32, Passphrase};

pub fn validate_member_name(name: &str) -> Result<(), VaultError> {
    // Some invisible characters are letters (U+3164 HANGUL FILLER): a name
    // holding one would look like another member's.
    if let Some(why) = crate::text::refuse_hidden(name) {
        return Err(VaultError::Invalid(format!(
            "member name {:?} {why}",
            crate::text::clean(name)
        )));
    }
    let ok = !name.is_empty()
        && name.chars().count() <= 64
        && name
            .chars()
            .all(|c| c.is_alphanumeric() || matches!(c, '-' | '_' | '.' | '@'));
    if ok {
        Ok(())
    } else {
        Err(VaultError::Invalid(format!(
            "member name {name:?} must be 1 to 64 letters, digits or - _ . @"
        )))
    }
}

impl Vault {
    pub fn me(&self) -> &Member {
        self.manifest
            .members
            .iter()
            .find(|m| m.id == self.me)
            .expect("the unlocked member is in the manifest")
    }

    pub fn member_name(&self, id: MemberId) -> &str {
        self.manifest
            .members
            .iter()
            .find(|m| m.id == id)
            .map_or("?", |m| m.name.as_str())
    }

    /// The member was added with `must_change_passphrase` and has not yet
    /// written a `passphrase-change` record of their own (the flag is in
    /// the owner-signed manifest, which the member cannot re-sign; their
    /// signed record is what satisfies it).
    pub fn passphrase_change_due(&self) -> bool {
        if !self.me().must_change_passphrase {
            return false;
        }
        // The member's own `passphrase-change` record, binding the
        // passphrase slot they wrote: a record alone does not do.
        let mine = audit::Subject::Slot {
            member: self.me,
            kind: SlotKind::Passphrase,
        };
        let last = self
            .verified
            .iter()
            .rev()
            .find(|v| v.record.bindings.iter().any(|b| b.subject == mine));
        !last.is_some_and(|v| {
            v.record.member == self.me
                && self.verified.iter().any(|p| {
                    p.record.member == self.me && p.record.action == audit::Action::PassphraseChange
                })
        })
    }

    pub fn is_owner(&self) -> bool {
        self.me().role == Role::Owner
    }

    /// The current key of readable group `id`.
    fn group_key(&self, id: GroupId) -> Option<&GroupKey> {
        self.groups.iter().find(|g| g.id == id).map(|g| &g.key)
    }

    /// Adds a member (owners only) with a passphrase slot, and grants them
    /// keys by role: an owner every group and the log key (with this
    /// owner's endorsement, FORMAT.md §6.9); a contractor the groups named;
    /// an auditor the log key only. The next save signs and binds it all.
    #[allow(clippy::too_many_arguments)]
    pub fn add_member(
        &mut self,
        name: &str,
        role: Role,
        groups: &[String],
        expires_at: Option<i64>,
        passphrase: &Passphrase,
        now: i64,
        rng: &mut impl rand::CryptoRng,
    ) -> Result<MemberId, VaultError> {
        self.add_member_with(name, role, groups, expires_at, passphrase, false, now, rng)
    }

    /// [`Vault::add_member`], with `must_change`: the member must choose a
    /// new passphrase at first unlock (see [`Vault::passphrase_change_due`]).
    #[allow(clippy::too_many_arguments)]
    pub fn add_member_with(
        &mut self,
        name: &str,
        role: Role,
        groups: &[String],
        expires_at: Option<i64>,
        passphrase: &Passphrase,
        must_change: bool,
        now: i64,
        rng: &mut impl rand::CryptoRng,
    ) -> Result<MemberId, VaultError> {
        if !self.is_owner() {
            return Err(VaultError::AccessDenied(
                "only an owner can add members".into(),
            ));
        }
        validate_member_name(name)?;
        if self.manifest.members.iter().any(|m| m.name == name) {
            return Err(VaultError::Invalid(format!(
                "there is already a member named {name:?}"
            )));
        }
        if role != Role::Contractor && !groups.is_empty() {
            return Err(VaultError::Invalid(
                "groups are granted to contractors; owners hold every group and auditors none"
                    .into(),
            ));
        }
        let mut granted: Vec<GroupId> = Vec::new();
        for g in groups {
            let norm = normalize_group(g)?;
            let i = self
                .group_index(&norm)
                .ok_or_else(|| VaultError::NotFound(format!("no group named {norm:?}")))?;
            let id = self.groups[i].id;
            if !granted.contains(&id) {
                granted.push(id);
            }
        }
        if role == Role::Owner {
            granted = self.groups.iter().map(|g| g.id).collect();
        }
        let id = super::fresh_id(rng, |x| {
            x == FOUNDING_OWNER || self.manifest.members.iter().any(|m| m.id == x)
        });
        let secrets = MemberSecrets::generate(rng);
        let kdf_params = self.me().kdf;
        let mut member = Member {
            id,
            name: name.to_owned(),
            role,
            public: secrets.public(),
            kdf: kdf_params,
            added_at: now,
            added_by: self.me,
            expires_at,
            revoked_at: None,
            must_change_passphrase: must_change,
            endorsement: None,
        };
        if role == Role::Owner {
            let msg = crate::format::endorsement_message(&self.vault_id, &member);
            member.endorsement = Some(crate::format::Endorsement {
                by: self.me,
                sig: Sig(self.secrets.sign(labels::ENDORSEMENT, &msg)),
            });
        }
        let slot = make_slot(
            &self.vault_id,
            id,
            SlotKind::Passphrase,
            kdf_params,
            passphrase.expose(),
            &secrets,
            rng,
        )?;
        let x = member.public.x25519;
        let mut grants = Vec::new();
        let seal = |group: GroupId, epoch: u32, key: &Key32, rng: &mut _| {
            let info = grant_info(&self.vault_id, group, epoch, id);
            keys::seal_group_key(&x, &info, key, rng)
                .map(|(enc, sealed_key)| Grant {
                    member: id,
                    group,
                    epoch,
                    enc,
                    sealed_key,
                })
                .ok_or_else(|| VaultError::damaged("a new member's key is not a valid X25519 key"))
        };
        for g in &granted {
            let key = self.group_key(*g).ok_or_else(|| {
                VaultError::AccessDenied("you do not hold that group's key".into())
            })?;
            grants.push(seal(*g, key.epoch, &key.key, rng)?);
        }
        if role != Role::Contractor {
            if self.log_secrets.is_empty() {
                return Err(VaultError::AccessDenied(
                    "you do not hold the access log's key".into(),
                ));
            }
            for (epoch, key) in &self.log_secrets {
                grants.push(seal(LOG_GROUP, *epoch, key, rng)?);
            }
        }
        self.manifest.members.push(member);
        self.manifest.grants.extend(grants);
        self.slots.push(slot);
        self.dirty_slots.push((id, SlotKind::Passphrase));
        self.manifest_dirty = true;
        Ok(id)
    }

    /// Grants a contractor more groups (owners only): each group's key,
    /// sealed to the member's X25519 key. Returns the groups newly granted.
    pub fn grant(
        &mut self,
        name: &str,
        groups: &[String],
        rng: &mut impl rand::CryptoRng,
    ) -> Result<Vec<GroupId>, VaultError> {
        self.check_owner("grant groups")?;
        let m = self.member_named(name)?;
        if m.revoked_at.is_some() {
            return Err(VaultError::Invalid(format!("{name} was revoked")));
        }
        if m.role != Role::Contractor {
            return Err(VaultError::Invalid(format!(
                "{name} is not a contractor: owners hold every group and auditors none"
            )));
        }
        let id = m.id;
        let mut new = Vec::new();
        for g in groups {
            let norm = normalize_group(g)?;
            let i = self
                .group_index(&norm)
                .ok_or_else(|| VaultError::NotFound(format!("no group named {norm:?}")))?;
            let group = &self.groups[i];
            let (gid, epoch, key) = (group.id, group.key.epoch, &group.key.key);
            let held = self
                .manifest
                .grants
                .iter()
                .any(|g| g.member == id && g.group == gid && g.epoch == epoch);
            if held || new.iter().any(|(g, _)| *g == gid) {
                continue;
            }
            new.push((gid, self.make_grant(id, gid, epoch, key, rng)?));
        }
        let ids: Vec<GroupId> = new.iter().map(|(g, _)| *g).collect();
        if !new.is_empty() {
            self.manifest.grants.extend(new.into_iter().map(|(_, g)| g));
            self.manifest_dirty = true;
        }
        Ok(ids)
    }

    /// Checks that `name` may be revoked by this member (an owner; not
    /// themself, not the founding owner, not already revoked), without
    /// changing anything. Returns their id.
    pub fn check_revocable(&self, name: &str) -> Result<MemberId, VaultError> {
        self.check_owner("revoke members")?;
        let m = self.member_named(name)?;
        if m.revoked_at.is_some() {
            return Err(VaultError::Invalid(format!("{name} is already revoked")));
        }
        if m.id == self.me {
            return Err(VaultError::Invalid(
                "you cannot revoke yourself; another owner can".into(),
            ));
        }
        if m.id == FOUNDING_OWNER {
            return Err(VaultError::Invalid(format!(
                "{name} is the founding owner, who holds the vault's recovery code; \
                 the founding owner cannot be revoked"
            )));
        }
        Ok(m.id)
    }

    /// Revokes member `name` (owners only) and re-keys what they held:
    /// every group they had a current grant of gets a new random key at
    /// the next epoch, sealed to each remaining holder's public key (no one
    /// else's passphrase is needed), and its data is re-encrypted at the
    /// next save; if they held the log key, it is replaced too, so later
    /// records' details are sealed to a key they never had. Their slots
    /// and grants are removed. The caller records a `member-revoke` record
    /// naming them in the same save (FORMAT.md §8 rule 10).
    pub fn revoke(
        &mut self,
        name: &str,
        now: i64,
        rng: &mut impl rand::CryptoRng,
    ) -> Result<Revocation, VaultError> {
        let id = self.check_revocable(name)?;
        let current: Vec<(GroupId, u32)> = self
            .manifest
            .groups
            .iter()
            .map(|g| (g.id, g.epoch))
            .collect();
        let held: Vec<(GroupId, u32)> = current
            .iter()
            .copied()
            .filter(|(g, e)| {
                self.manifest
                    .grants
                    .iter()
                    .any(|x| x.member == id && x.group == *g && x.epoch == *e)
            })
            .collect();
        let held_log = self
            .manifest
            .grants
            .iter()
            .any(|x| x.member == id && x.group == LOG_GROUP);
        // Every key is replaced before anything changes, so a failure
        // leaves the vault as it was.
        let mut new_grants = Vec::new();
        let mut new_keys = Vec::new();
        for (group, epoch) in &held {
            let next = epoch
                .checked_add(1)
                .ok_or(VaultError::Limit("a group's key epochs are exhausted"))?;
            if self.group_key(*group).is_none() {
                return Err(VaultError::AccessDenied(format!(
                    "you do not hold the key of group #{group}, which {name} holds"
                )));
            }
            let key = Key32::random(rng);
            for holder in self.holders(*group, *epoch, id, now) {
                new_grants.push(self.make_grant(holder, *group, next, &key, rng)?);
            }
            new_keys.push((*group, next, key));
        }
        let mut new_log = None;
        if held_log {
            let epoch = self.log_secrets.last().map(|(e, _)| *e).ok_or_else(|| {
                VaultError::AccessDenied("you do not hold the access log's key".into())
            })?;
            let next = epoch
                .checked_add(1)
                .ok_or(VaultError::Limit("the log key's epochs are exhausted"))?;
            let key = Key32::random(rng);
            for holder in self.holders(LOG_GROUP, epoch, id, now) {
                new_grants.push(self.make_grant(holder, LOG_GROUP, next, &key, rng)?);
            }
            new_log = Some((next, key));
        }

        let rekeyed: Vec<(GroupId, u32)> = new_keys.iter().map(|(g, e, _)| (*g, *e)).collect();
        self.manifest.grants.retain(|x| {
            x.member != id && !held.iter().any(|(g, e)| x.group == *g && x.epoch == *e)
        });
        self.manifest.grants.extend(new_grants);
        for (group, epoch, key) in new_keys {
            if let Some(info) = self.manifest.groups.iter_mut().find(|g| g.id == group) {
                info.epoch = epoch;
            }
            if let Some(g) = self.groups.iter_mut().find(|g| g.id == group) {
                g.key = GroupKey { epoch, key };
                g.dirty = true;
            }
        }
        let log_rotated = new_log.is_some();
        if let Some((epoch, key)) = new_log {
            self.manifest.log_public = keys::x25519_public(&key);
            self.log_secrets.push((epoch, key));
        }
        self.slots.retain(|s| s.member != id);
        self.dirty_slots.retain(|(m, _)| *m != id);
        if let Some(m) = self.manifest.members.iter_mut().find(|m| m.id == id) {
            m.revoked_at = Some(now);
        }
        self.manifest_dirty = true;
        self.revoked_unsaved = true;
        Ok(Revocation {
            member: id,
            rekeyed,
            log_rotated,
        })
    }

    /// The members other than `except`, neither revoked nor expired at
    /// `now`, who hold a grant of `(group, epoch)`. An expired member gets
    /// no new key: the re-key ends their access as a revocation would.
    fn holders(&self, group: GroupId, epoch: u32, except: MemberId, now: i64) -> Vec<MemberId> {
        self.manifest
            .grants
            .iter()
            .filter(|g| g.group == group && g.epoch == epoch && g.member != except)
            .map(|g| g.member)
            .filter(|id| {
                self.manifest.members.iter().any(|m| {
                    m.id == *id && m.revoked_at.is_none() && m.expires_at.is_none_or(|t| t > now)
                })
            })
            .collect()
    }

    /// `key` of `(group, epoch)` sealed to `member`'s X25519 key.
    fn make_grant(
        &self,
        member: MemberId,
        group: GroupId,
        epoch: u32,
        key: &Key32,
        rng: &mut impl rand::CryptoRng,
    ) -> Result<Grant, VaultError> {
        let x = self
            .manifest
            .members
            .iter()
            .find(|m| m.id == member)
            .map(|m| m.public.x25519)
            .ok_or_else(|| VaultError::damaged("a grant names a member who is not listed"))?;
        let info = grant_info(&self.vault_id, group, epoch, member);
        let (enc, sealed_key) = keys::seal_group_key(&x, &info, key, rng)
            .ok_or_else(|| VaultError::damaged("a member's key is not a valid X25519 key"))?;
        Ok(Grant {
            member,
            group,
            epoch,
            enc,
            sealed_key,
        })
    }

    /// Whether a revocation made since the last successful save is still
    /// to be written (see [`Vault::saved_revocation`]).
    pub fn revocation_unsaved(&self) -> bool {
        self.revoked_unsaved
    }

    /// Tells the vault that the file now holds its revocations.
    pub fn saved_revocation(&mut self) {
        self.revoked_unsaved = false;
    }

    /// The listed member called `name`.
    fn member_named(&self, name: &str) -> Result<&Member, VaultError> {
        self.manifest
            .members
            .iter()
            .find(|m| m.name == name)
            .ok_or_else(|| VaultError::UnknownMember(name.to_owned()))
    }

    fn check_owner(&self, what: &str) -> Result<(), VaultError> {
        if self.is_owner() {
            Ok(())
        } else {
            Err(VaultError::AccessDenied(format!(
                "only an owner can {what}"
            )))
        }
    }

    /// Sets or clears the firm's e-mail domain (owners only; signed into
    /// the manifest at the next save).
    pub fn set_firm_domain(&mut self, domain: Option<String>) -> Result<(), VaultError> {
        self.check_owner("change the settings")?;
        let domain = domain.map(|d| d.trim().trim_start_matches('@').to_ascii_lowercase());
        if self.manifest.firm_domain != domain {
            self.manifest.firm_domain = domain;
            self.manifest_dirty = true;
        }
        Ok(())
    }

    /// Marks group `name` critical or not (owners only). Returns its id.
    pub fn set_critical(&mut self, name: &str, critical: bool) -> Result<GroupId, VaultError> {
        self.check_owner("change the settings")?;
        let norm = normalize_group(name)?;
        let id = self
            .group_index(&norm)
            .map(|i| self.groups[i].id)
            .ok_or_else(|| VaultError::NotFound(format!("no group named {norm:?}")))?;
        let list = &mut self.manifest.critical_groups;
        let had = list.contains(&id);
        if critical && !had {
            list.push(id);
            list.sort_unstable();
            self.manifest_dirty = true;
        } else if !critical && had {
            list.retain(|g| *g != id);
            self.manifest_dirty = true;
        }
        Ok(id)
    }

    /// Sets the rotation period of critical groups, 1 to 3650 days
    /// (owners only).
    pub fn set_critical_rotate_days(&mut self, days: u32) -> Result<(), VaultError> {
        self.check_owner("change the settings")?;
        if !(1..=3650).contains(&days) {
            return Err(VaultError::Invalid(
                "the rotation period must be 1 to 3650 days".into(),
            ));
        }
        if self.manifest.critical_rotate_days != days {
            self.manifest.critical_rotate_days = days;
            self.manifest_dirty = true;
        }
        Ok(())
    }

    /// Members whose membership has expired by `now` and is not yet revoked.
    pub fn expired_members(&self, now: i64) -> Vec<&Member> {
        self.manifest
            .members
            .iter()
            .filter(|m| m.revoked_at.is_none() && m.expires_at.is_some_and(|t| t <= now))
            .collect()
    }

    /// Replaces this member's passphrase slot. The KDF parameters stay those
    /// of the signed manifest: never lowered.
    pub fn change_passphrase(
        &mut self,
        new: &Passphrase,
        rng: &mut impl rand::CryptoRng,
    ) -> Result<(), VaultError> {
        let kdf_params = self.me().kdf;
        let slot = make_slot(
            &self.vault_id,
            self.me,
            SlotKind::Passphrase,
            kdf_params,
            new.expose(),
            &self.secrets,
            rng,
        )?;
        self.slots
            .retain(|s| !(s.member == self.me && s.kind == SlotKind::Passphrase));
        self.slots.push(slot);
        self.dirty_slots.push((self.me, SlotKind::Passphrase));
        Ok(())
    }
}
