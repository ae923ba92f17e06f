//! The groups and entries this member can read: listing and finding them,
//! creating groups, and the changes to entries — add, edit, move, remove,
//! and marking a backup code used. A changed group is marked for
//! re-encryption at the next save.

use super::unlock::grant_info;
use zeroize::Zeroizing;

use super::{
    CustomField, Entry, EntryRef, GroupKey, OpenGroup, Part, Removal, StoredGroup, Vault,
    VaultError,
};
use crate::crypto::keys;
use crate::format::{Grant, GroupBlob, GroupId, GroupInfo, MemberId, Role};
use crate::secret::Key32;

impl Vault {
    /// The groups this member can read, in the order they were created.
    pub fn groups(&self) -> &[OpenGroup] {
        &self.groups
    }

    pub fn entry(&self, r: EntryRef) -> &Entry {
        &self.groups[r.group].entries[r.index]
    }

    pub fn group_name(&self, r: EntryRef) -> &str {
        &self.groups[r.group].name
    }

    /// Every live (not removed) entry this member can read.
    pub fn entries(&self) -> impl Iterator<Item = (EntryRef, &OpenGroup, &Entry)> {
        self.groups.iter().enumerate().flat_map(|(gi, g)| {
            g.entries
                .iter()
                .enumerate()
                .filter(|(_, e)| e.removed.is_none())
                .map(move |(ei, e)| {
                    (
                        EntryRef {
                            group: gi,
                            index: ei,
                        },
                        g,
                        e,
                    )
                })
        })
    }

    pub fn entry_count(&self) -> usize {
        self.entries().count()
    }

    /// Finds one live entry by id, unique id prefix (4+ hex digits), exact
    /// title, or title ignoring case.
    pub fn find(&self, query: &str) -> Result<EntryRef, VaultError> {
        let q = query.trim();
        if q.is_empty() {
            return Err(VaultError::NotFound(query.to_owned()));
        }
        let pick = |matches: Vec<EntryRef>| -> Option<Result<EntryRef, VaultError>> {
            match matches.len() {
                0 => None,
                1 => Some(Ok(matches[0])),
                _ => Some(Err(VaultError::Ambiguous {
                    query: query.to_owned(),
                    candidates: matches
                        .iter()
                        .take(10)
                        .map(|r| {
                            let e = self.entry(*r);
                            format!("{} {} ({})", e.id.hex(), e.title, self.group_name(*r))
                        })
                        .collect(),
                })),
            }
        };
        let lower = q.to_ascii_lowercase();
        if q.len() >= 4 && q.len() <= 16 && lower.bytes().all(|b| b.is_ascii_hexdigit()) {
            let m: Vec<EntryRef> = self
                .entries()
                .filter(|(_, _, e)| e.id.hex().starts_with(&lower))
                .map(|(r, _, _)| r)
                .collect();
            if let Some(res) = pick(m) {
                return res;
            }
        }
        let exact: Vec<EntryRef> = self
            .entries()
            .filter(|(_, _, e)| e.title == q)
            .map(|(r, _, _)| r)
            .collect();
        if let Some(res) = pick(exact) {
            return res;
        }
        let folded = q.to_lowercase();
        let ci: Vec<EntryRef> = self
            .entries()
            .filter(|(_, _, e)| e.title.to_lowercase() == folded)
            .map(|(r, _, _)| r)
            .collect();
        pick(ci).unwrap_or_else(|| Err(VaultError::NotFound(query.to_owned())))
    }

    pub(super) fn group_index(&self, name: &str) -> Option<usize> {
        self.groups.iter().position(|g| g.name == name)
    }

    /// The index of group `name`, creating it (owners only) when missing.
    pub fn ensure_group(
        &mut self,
        name: &str,
        rng: &mut impl rand::CryptoRng,
    ) -> Result<usize, VaultError> {
        let name = normalize_group(name)?;
        if let Some(i) = self.group_index(&name) {
            return Ok(i);
        }
        if !self.is_owner() {
            return Err(VaultError::AccessDenied(format!(
                "group {name:?} is not granted to {}; only an owner can create groups",
                self.me().name
            )));
        }
        let id = super::fresh_id(rng, |x| self.manifest.groups.iter().any(|g| g.id == x));
        let epoch = 1;
        self.manifest.groups.push(GroupInfo { id, epoch });
        let key = Key32::random(rng);
        let owners: Vec<(MemberId, [u8; 32])> = self
            .manifest
            .members
            .iter()
            .filter(|m| m.role == Role::Owner && m.revoked_at.is_none())
            .map(|m| (m.id, m.public.x25519))
            .collect();
        for (member, x) in owners {
            let info = grant_info(&self.vault_id, id, epoch, member);
            let (enc, sealed_key) =
                keys::seal_group_key(&x, &info, &key, rng).ok_or_else(|| {
                    VaultError::damaged("a member's public key is not a valid X25519 key")
                })?;
            self.manifest.grants.push(Grant {
                member,
                group: id,
                epoch,
                enc,
                sealed_key,
            });
        }
        // A new group goes last in the file's list; it is written at the
        // next save.
        let at = self.groups.len() + self.sealed.len();
        self.groups.push(OpenGroup {
            id,
            name,
            entries: Vec::new(),
            dirty: true,
            key: GroupKey { epoch, key },
            stored: StoredGroup {
                at,
                blob: GroupBlob {
                    group: id,
                    epoch,
                    nonce: [0; 24],
                    ciphertext: Vec::new(),
                },
            },
        });
        self.manifest_dirty = true;
        Ok(self.groups.len() - 1)
    }

    fn check_can_write(&self) -> Result<(), VaultError> {
        if self.me().role == Role::Auditor {
            return Err(VaultError::AccessDenied(
                "auditors cannot change entries".into(),
            ));
        }
        Ok(())
    }

    /// Adds `entry` to group `group` (created if missing and allowed).
    pub fn add(
        &mut self,
        group: &str,
        entry: Entry,
        rng: &mut impl rand::CryptoRng,
    ) -> Result<EntryRef, VaultError> {
        self.check_can_write()?;
        validate_title(&entry.title)?;
        let gi = self.ensure_group(group, rng)?;
        let g = &mut self.groups[gi];
        g.entries.push(entry);
        g.dirty = true;
        Ok(EntryRef {
            group: gi,
            index: g.entries.len() - 1,
        })
    }

    /// Changes an entry through `change`; the group is re-encrypted at the
    /// next save. Every part and custom field the change altered gets a
    /// new stamp (this member, this session's writer, `now`), and the
    /// entry is marked modified when anything changed.
    pub fn edit<T>(
        &mut self,
        r: EntryRef,
        now: i64,
        change: impl FnOnce(&mut Entry) -> T,
    ) -> Result<T, VaultError> {
        self.check_can_write()?;
        let (me, writer) = (self.me, self.writer);
        let g = &mut self.groups[r.group];
        g.dirty = true;
        let e = &mut g.entries[r.index];
        let parts: Vec<_> = Part::ALL.iter().map(|p| e.part_bytes(*p)).collect();
        let fields: Vec<(String, Zeroizing<Vec<u8>>)> = e
            .fields
            .iter()
            .map(|f| (f.name.clone(), field_bytes(f)))
            .collect();
        let out = change(e);
        let changed: Vec<Part> = Part::ALL
            .iter()
            .zip(&parts)
            .filter(|(p, before)| e.part_bytes(**p) != **before)
            .map(|(p, _)| *p)
            .collect();
        let fields_changed: Vec<usize> = (0..e.fields.len())
            .filter(|i| {
                let f = &e.fields[*i];
                fields
                    .iter()
                    .find(|(n, _)| *n == f.name)
                    .is_none_or(|(_, b)| *b != field_bytes(f))
            })
            .collect();
        let fields_gone: Vec<String> = fields
            .iter()
            .filter(|(n, _)| !e.fields.iter().any(|f| f.name == *n))
            .map(|(n, _)| n.clone())
            .collect();
        if changed.is_empty() && fields_changed.is_empty() && fields_gone.is_empty() {
            return Ok(out);
        }
        let stamp = e.next_stamp(now, me, writer);
        for p in changed {
            e.set_stamp(p, stamp);
        }
        for i in fields_changed {
            let name = e.fields[i].name.clone();
            e.fields[i].stamp = Some(stamp);
            e.gone.retain(|(n, _)| *n != name);
        }
        for name in fields_gone {
            e.gone.retain(|(n, _)| *n != name);
            e.gone.push((name, stamp));
        }
        e.modified_at = now;
        e.modified_by = me;
        Ok(out)
    }

    /// Marks a backup code used without stamping the entry as edited.
    pub fn mark_code_used(
        &mut self,
        r: EntryRef,
        code_index: usize,
        now: i64,
    ) -> Result<(), VaultError> {
        self.check_can_write()?;
        let me = self.me;
        let g = &mut self.groups[r.group];
        let code = g.entries[r.index]
            .backup_codes
            .get_mut(code_index)
            .ok_or_else(|| {
                VaultError::Invalid(format!("there is no backup code number {}", code_index + 1))
            })?;
        if code.used_at.is_some() {
            return Err(VaultError::Invalid(format!(
                "backup code number {} is already used",
                code_index + 1
            )));
        }
        code.used_at = Some(now);
        code.used_by = Some(me);
        g.dirty = true;
        Ok(())
    }

    /// Moves an entry to another group (creating it if allowed).
    pub fn move_entry(
        &mut self,
        r: EntryRef,
        to: &str,
        now: i64,
        rng: &mut impl rand::CryptoRng,
    ) -> Result<EntryRef, VaultError> {
        self.check_can_write()?;
        let to_index = self.ensure_group(to, rng)?;
        if to_index == r.group {
            return Ok(r);
        }
        let mut entry = self.groups[r.group].entries.remove(r.index);
        self.groups[r.group].dirty = true;
        let stamp = entry.next_stamp(now, self.me, self.writer);
        entry.set_stamp(Part::Group, stamp);
        let g = &mut self.groups[to_index];
        g.entries.push(entry);
        g.dirty = true;
        Ok(EntryRef {
            group: to_index,
            index: g.entries.len() - 1,
        })
    }

    /// Removes an entry; it stays in the group's data, marked removed, for
    /// the owner's history.
    pub fn remove(&mut self, r: EntryRef, now: i64) -> Result<(), VaultError> {
        let me = self.me;
        self.edit(r, now, |e| e.removed = Some(Removal { at: now, by: me }))
    }

    /// The entry with this id in a readable group, removed ones included,
    /// with its group's name.
    pub fn any_entry(&self, id: [u8; 8]) -> Option<(&Entry, &str)> {
        self.groups.iter().find_map(|g| {
            g.entries
                .iter()
                .find(|e| e.id.0 == id)
                .map(|e| (e, g.name.as_str()))
        })
    }

    /// The group id of an entry.
    pub fn group_id(&self, r: EntryRef) -> GroupId {
        self.groups[r.group].id
    }
}

/// Group paths: segments separated by `/`, each trimmed and non-empty.
pub fn normalize_group(name: &str) -> Result<String, VaultError> {
    let segs: Vec<&str> = name.split('/').map(str::trim).collect();
    if segs.iter().any(|s| s.is_empty())
        || name.chars().count() > 200
        || name.chars().any(char::is_control)
    {
        return Err(VaultError::Invalid(format!(
            "group {name:?} must be a path like Clients/Acme: non-empty parts separated by /"
        )));
    }
    Ok(segs.join("/"))
}

pub fn validate_title(title: &str) -> Result<(), VaultError> {
    if title.trim().is_empty() || title.chars().count() > 500 || title.chars().any(char::is_control)
    {
        return Err(VaultError::Invalid(
            "an entry title must be 1 to 500 characters, without control characters".into(),
        ));
    }
    Ok(())
}

/// A custom field's value and kind, for telling whether it changed.
fn field_bytes(f: &CustomField) -> Zeroizing<Vec<u8>> {
    crate::format::codec::encode_secret(&(&f.value, f.concealed), 0)
}
