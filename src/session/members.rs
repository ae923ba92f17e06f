//! Membership: adding a member (a passphrase slot and, by role, the keys
//! they may hold), granting groups, revoking with a re-key, sweeping
//! expired memberships — each change signed into the manifest and bound
//! by its record in the same save — and the member rows both front ends
//! list.

use super::{Context, Error, Result, Session};
use crate::audit::{Action, Draft};
use crate::format::Role;
use crate::secret::Passphrase;
use crate::vault::Vault;
use crate::{os, store};

/// One member revoked by [`revoke_members`].
pub struct Revoked {
    pub name: String,
    /// The names of the groups that got a new key.
    pub rekeyed: Vec<String>,
    pub log_rotated: bool,
}

/// What [`revoke_members`] did.
pub struct RevokeOutcome {
    pub revoked: Vec<Revoked>,
    /// How many backup generations the save deleted.
    pub purged: usize,
}

/// Revokes `names` in one save: each with a re-key and a signed
/// `member-revoke` record naming them, followed by the records `then`;
/// then deletes the backup generations, which the revoked members' keys
/// still open.
pub fn revoke_members(
    ctx: &Context,
    s: &mut Session,
    names: &[String],
    then: Vec<Draft>,
) -> Result<RevokeOutcome> {
    if !s.vault.is_owner() {
        return Err(Error::denied("only an owner can revoke members"));
    }
    // Every name is checked before anything changes, so a refusal leaves
    // the session's vault as it was.
    for name in names {
        s.vault.check_revocable(name)?;
    }
    let now = os::now();
    let mut revoked = Vec::new();
    for name in names {
        let r = s.vault.revoke(name, now, &mut os::rng())?;
        s.vault.note(Draft {
            target: Some(r.member),
            ..Draft::new(now, Action::MemberRevoke)
        });
        let rekeyed = r
            .rekeyed
            .iter()
            .map(|(g, _)| {
                s.vault
                    .groups()
                    .iter()
                    .find(|o| o.id == *g)
                    .map_or_else(|| format!("group #{g}"), |o| o.name.clone())
            })
            .collect();
        revoked.push(Revoked {
            name: name.clone(),
            rekeyed,
            log_rotated: r.log_rotated,
        });
    }
    for d in then {
        s.vault.note(d);
    }
    // The save deletes the backups before the new file replaces the old.
    let purged = store::backups(&ctx.vault).len();
    s.save(ctx)?;
    Ok(RevokeOutcome { revoked, purged })
}

/// Grants `groups` to contractor `name`, one `member-grant` record per
/// group newly granted, and saves (nothing when none is new). Returns how
/// many were granted. Owners only.
pub fn grant_and_save(
    ctx: &Context,
    s: &mut Session,
    name: &str,
    groups: &[String],
) -> Result<usize> {
    if !s.vault.is_owner() {
        return Err(Error::denied("only an owner can grant groups"));
    }
    let now = os::now();
    let granted = s.vault.grant(name, groups, &mut os::rng())?;
    if granted.is_empty() {
        return Ok(0);
    }
    let target = s
        .vault
        .manifest()
        .members
        .iter()
        .find(|m| m.name == name)
        .map(|m| m.id);
    for g in &granted {
        s.vault.note(Draft {
            target,
            group: Some(*g),
            ..Draft::new(now, Action::MemberGrant)
        });
    }
    s.save(ctx)?;
    Ok(granted.len())
}

pub fn role_name(r: Role) -> &'static str {
    match r {
        Role::Owner => "owner",
        Role::Contractor => "contractor",
        Role::Auditor => "auditor",
    }
}

/// One member as the members view lists them: the facts `baton member
/// list` shows , computed the same way — the groups they
/// hold a grant of at the current key epoch, their last recorded unlock,
/// how many reveals and copies they made — in one pass over the log.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MemberRow {
    pub name: String,
    pub role: Role,
    /// Group names (or "group #ID" for a group this member cannot read),
    /// sorted.
    pub groups: Vec<String>,
    pub expires_at: Option<i64>,
    pub revoked_at: Option<i64>,
    pub last_unlock: Option<i64>,
    pub reveals: u64,
}

impl MemberRow {
    /// Past its expiry and still holding keys: `s` revokes it.
    pub fn expired(&self, now: i64) -> bool {
        self.revoked_at.is_none() && self.expires_at.is_some_and(|t| t <= now)
    }
}

/// Who may list the members, their groups and how much each revealed
/// (`baton member list`, the terminal UI's `M`): owners, and auditors,
/// who read it to audit. A contractor is refused.
pub fn may_list_members(v: &Vault) -> Result<()> {
    if v.me().role == Role::Contractor {
        return Err(Error::denied(
            "member list is for owners and auditors; ask an owner",
        ));
    }
    Ok(())
}

pub fn member_rows(v: &Vault) -> Vec<MemberRow> {
    use crate::audit::Action as LogAction;
    let manifest = v.manifest();
    let mut activity: std::collections::HashMap<crate::format::MemberId, (Option<i64>, u64)> =
        std::collections::HashMap::new();
    for r in v.log() {
        let a = activity.entry(r.record.member).or_default();
        match r.record.action {
            LogAction::Unlock => a.0 = a.0.max(Some(r.record.time)),
            LogAction::Reveal | LogAction::Copy => a.1 += 1,
            _ => {}
        }
    }
    manifest
        .members
        .iter()
        .map(|m| {
            let mut groups: Vec<String> = manifest
                .grants
                .iter()
                .filter(|g| g.member == m.id && g.group != crate::format::LOG_GROUP)
                .filter(|g| {
                    manifest
                        .groups
                        .iter()
                        .any(|i| i.id == g.group && i.epoch == g.epoch)
                })
                .map(|g| {
                    v.groups()
                        .iter()
                        .find(|o| o.id == g.group)
                        .map_or_else(|| format!("group #{}", g.group), |o| o.name.clone())
                })
                .collect();
            groups.sort();
            groups.dedup();
            let (last_unlock, reveals) = activity.get(&m.id).copied().unwrap_or_default();
            MemberRow {
                name: m.name.clone(),
                role: m.role,
                groups,
                expires_at: m.expires_at,
                revoked_at: m.revoked_at,
                last_unlock,
                reveals,
            }
        })
        .collect()
}

/// A member to add.
pub struct NewMember<'a> {
    pub name: &'a str,
    pub role: Role,
    /// The groups a contractor may read and change (owners and auditors
    /// hold what their role gives).
    pub groups: &'a [String],
    pub expires_at: Option<i64>,
    pub passphrase: &'a Passphrase,
    /// The member must choose their own passphrase before anything else.
    pub must_change: bool,
}

/// Adds a member (owners only) with a `member-add` record naming them,
/// and saves.
pub fn add_member(ctx: &Context, s: &mut Session, m: &NewMember<'_>) -> Result<()> {
    if !s.vault.is_owner() {
        return Err(Error::denied("only an owner can add members"));
    }
    let now = os::now();
    if m.expires_at.is_some_and(|t| t <= now) {
        return Err(Error::invalid(
            "the membership would expire at once: that date has passed",
        ));
    }
    if m.role == Role::Contractor && m.groups.is_empty() {
        return Err(Error::invalid(
            "a contractor needs at least one group to read and change",
        ));
    }
    let id = s.vault.add_member_with(
        m.name,
        m.role,
        m.groups,
        m.expires_at,
        m.passphrase,
        m.must_change,
        now,
        &mut os::rng(),
    )?;
    s.vault.note(Draft {
        target: Some(id),
        ..Draft::new(now, Action::MemberAdd)
    });
    s.save(ctx)?;
    Ok(())
}

/// The names of the memberships past their expiry that still hold keys.
pub fn expired_names(v: &Vault) -> Vec<String> {
    v.expired_members(os::now())
        .iter()
        .map(|m| m.name.clone())
        .collect()
}
