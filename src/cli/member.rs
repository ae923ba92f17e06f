//! `baton member`: adding, granting, revoking and listing members. A new member gets a
//! passphrase slot and, by role, the keys they may hold (see
//! `Vault::add_member`); the change is signed into the manifest and bound
//! by a `member-add` record in the same save.

use serde::Serialize;

use super::args::{MemberAction, RoleArg};
use super::output;
use super::session::{Context, Result, Session, new_passphrase, open};
use super::{CliError, Exit};
use crate::audit::{Action, Draft};
use crate::format::Role;
use crate::vault::Vault;
use crate::{dates, os, store};

pub(super) fn run(ctx: &Context, a: MemberAction) -> Result<()> {
    match a {
        MemberAction::Add {
            name,
            role,
            groups,
            expires,
            must_change,
            ..
        } => add(ctx, &name, role, &groups, expires.as_deref(), must_change),
        MemberAction::Grant { name, groups, .. } => grant(ctx, &name, &groups),
        MemberAction::List { json, .. } => list(ctx, json),
        MemberAction::Revoke { name, .. } => {
            let mut s = open(ctx, true, "member revoke")?;
            print_revocation(&revoke_members(ctx, &mut s, &[name], Vec::new())?);
            Ok(())
        }
        MemberAction::Sweep { .. } => sweep(ctx),
    }
}

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
/// still open. Prints nothing (the terminal UI calls it too).
pub(crate) fn revoke_members(
    ctx: &Context,
    s: &mut Session,
    names: &[String],
    then: Vec<Draft>,
) -> Result<RevokeOutcome> {
    if !s.vault.is_owner() {
        return Err(CliError::new(
            Exit::Denied,
            "only an owner can revoke members",
        ));
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

/// Prints what [`revoke_members`] did.
pub(super) fn print_revocation(o: &RevokeOutcome) {
    for r in &o.revoked {
        let mut what = if r.rekeyed.is_empty() {
            "no group to re-key".to_owned()
        } else {
            let names: Vec<String> = r
                .rekeyed
                .iter()
                .map(|g| output::clean(g).into_owned())
                .collect();
            format!("new keys for {}", names.join(", "))
        };
        if r.log_rotated {
            what.push_str("; a new access-log key");
        }
        println!(
            "Revoked {}: their passphrase no longer opens the vault; {what}.",
            output::clean(&r.name)
        );
    }
    println!(
        "Deleted {} backup generation(s) encrypted under the old keys.",
        o.purged
    );
}

fn sweep(ctx: &Context) -> Result<()> {
    let mut s = open(ctx, true, "member sweep")?;
    let names: Vec<String> = s
        .vault
        .expired_members(os::now())
        .iter()
        .map(|m| m.name.clone())
        .collect();
    if names.is_empty() {
        println!("No membership has expired.");
        return Ok(());
    }
    print_revocation(&revoke_members(ctx, &mut s, &names, Vec::new())?);
    Ok(())
}

fn role_of(r: RoleArg) -> Role {
    match r {
        RoleArg::Owner => Role::Owner,
        RoleArg::Contractor => Role::Contractor,
        RoleArg::Auditor => Role::Auditor,
    }
}

fn add(
    ctx: &Context,
    name: &str,
    role: RoleArg,
    groups: &[String],
    expires: Option<&str>,
    must_change: bool,
) -> Result<()> {
    let role = role_of(role);
    let expires_at = expires
        .map(dates::parse)
        .transpose()
        .map_err(|e| CliError::usage(format!("--expires: {e}")))?;
    if expires_at.is_some_and(|t| t <= os::now()) {
        return Err(CliError::usage("--expires: that date has passed"));
    }
    if role == Role::Contractor && groups.is_empty() {
        return Err(CliError::usage(
            "a contractor needs --groups: the groups they may read and change",
        ));
    }
    let mut s = open(ctx, true, "member add")?;
    if !s.vault.is_owner() {
        return Err(CliError::new(Exit::Denied, "only an owner can add members"));
    }
    let passphrase = new_passphrase(Some("BATON_NEW_PASSPHRASE"), name)?;
    let now = os::now();
    let id = s.vault.add_member_with(
        name,
        role,
        groups,
        expires_at,
        &passphrase,
        must_change,
        now,
        &mut os::rng(),
    )?;
    s.vault.note(Draft {
        target: Some(id),
        ..Draft::new(now, Action::MemberAdd)
    });
    s.save(ctx)?;
    let what = match role {
        Role::Owner => "an owner (every group)".to_owned(),
        Role::Auditor => "an auditor (the access log, no secrets)".to_owned(),
        Role::Contractor => format!("a contractor with {}", groups.join(", ")),
    };
    println!("Added {} as {what}.", output::clean(name));
    if must_change {
        println!(
            "{} must choose their own passphrase first: baton passwd --member {}",
            output::clean(name),
            output::clean(name)
        );
    }
    Ok(())
}

fn grant(ctx: &Context, name: &str, groups: &[String]) -> Result<()> {
    let mut s = open(ctx, true, "member grant")?;
    if !s.vault.is_owner() {
        return Err(CliError::new(
            Exit::Denied,
            "only an owner can grant groups",
        ));
    }
    let granted = grant_and_save(ctx, &mut s, name, groups)?;
    if granted == 0 {
        println!("{} already holds those groups.", output::clean(name));
        return Ok(());
    }
    println!(
        "Granted {} group(s) to {}; they take effect at the next unlock.",
        granted,
        output::clean(name)
    );
    Ok(())
}

/// Grants `groups` to contractor `name`, one `member-grant` record per
/// group newly granted, and saves (nothing when none is new). Returns how
/// many were granted. Prints nothing (the terminal UI calls it too).
pub(crate) fn grant_and_save(
    ctx: &Context,
    s: &mut Session,
    name: &str,
    groups: &[String],
) -> Result<usize> {
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

#[derive(Serialize)]
struct MemberView {
    name: String,
    role: &'static str,
    /// Group names this viewer can read; others as "group #ID".
    groups: Vec<String>,
    expires: Option<String>,
    revoked: Option<String>,
    last_unlock: Option<String>,
    reveals: u64,
}

fn views(v: &Vault) -> Vec<MemberView> {
    member_rows(v)
        .into_iter()
        .map(|r| MemberView {
            name: r.name,
            role: role_name(r.role),
            groups: r.groups,
            expires: r.expires_at.map(dates::format_date),
            revoked: r.revoked_at.map(dates::format_rfc3339),
            last_unlock: r.last_unlock.map(dates::format_rfc3339),
            reveals: r.reveals,
        })
        .collect()
}

pub fn role_name(r: Role) -> &'static str {
    match r {
        Role::Owner => "owner",
        Role::Contractor => "contractor",
        Role::Auditor => "auditor",
    }
}

/// One member as the members view lists them: the facts `baton member
/// list` shows (`cli::member`), computed the same way — the groups they
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

fn list(ctx: &Context, json: bool) -> Result<()> {
    let mut s = open(ctx, false, "member list")?;
    s.record_unlock(ctx);
    let rows = views(&s.vault);
    if json {
        println!("{}", output::json(&serde_json::json!({ "members": rows })));
        return Ok(());
    }
    println!(
        "{:<20}  {:<10}  {:<10}  {:<20}  {:>7}  GROUPS",
        "NAME", "ROLE", "EXPIRES", "LAST UNLOCK", "REVEALS"
    );
    for r in &rows {
        let groups = match r.role {
            "owner" => "(all)".to_owned(),
            _ if r.groups.is_empty() => "-".to_owned(),
            _ => r.groups.join(", "),
        };
        let state = r
            .revoked
            .as_ref()
            .map_or(String::new(), |t| format!("  (revoked {t})"));
        println!(
            "{:<20}  {:<10}  {:<10}  {:<20}  {:>7}  {}{state}",
            output::clean(&r.name),
            r.role,
            r.expires.as_deref().unwrap_or("-"),
            r.last_unlock.as_deref().unwrap_or("-"),
            r.reveals,
            output::clean(&groups)
        );
    }
    Ok(())
}
