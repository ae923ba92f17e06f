//! `baton member`: adding, granting, revoking and listing members. A new member gets a
//! passphrase slot and, by role, the keys they may hold (see
//! `Vault::add_member`); the change is signed into the manifest and bound
//! by a `member-add` record in the same save.

// An IO module (clippy.toml, docs/ARCHITECTURE.md): it may touch files,
// the terminal, the environment, the clock and the OS random source.
#![allow(
    clippy::disallowed_methods,
    clippy::disallowed_macros,
    clippy::disallowed_types
)]

use serde::Serialize;

use super::args::{MemberAction, RoleArg};
use super::output;
use super::unlock::{Result, new_passphrase, open};
use super::{CliError, Exit};
use crate::format::Role;
use crate::session::Context;
use crate::session::members::{self, NewMember, RevokeOutcome, revoke_members};
use crate::vault::Vault;
use crate::{dates, os};

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
    if !s.vault.is_owner() {
        return Err(CliError::new(
            Exit::Denied,
            "only an owner can revoke members",
        ));
    }
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
    // A name is checked before anything is asked (exit 2).
    crate::vault::validate_member_name(name).map_err(|e| CliError::usage(e.to_string()))?;
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
    members::add_member(
        ctx,
        &mut s,
        &NewMember {
            name,
            role,
            groups,
            expires_at,
            passphrase: &passphrase,
            must_change,
        },
    )?;
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
    let granted = members::grant_and_save(ctx, &mut s, name, groups)?;
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
    members::member_rows(v)
        .into_iter()
        .map(|r| MemberView {
            name: r.name,
            role: members::role_name(r.role),
            groups: r.groups,
            expires: r.expires_at.map(dates::format_date),
            revoked: r.revoked_at.map(dates::format_rfc3339),
            last_unlock: r.last_unlock.map(dates::format_rfc3339),
            reveals: r.reveals,
        })
        .collect()
}

fn list(ctx: &Context, json: bool) -> Result<()> {
    let mut s = open(ctx, false, "member list")?;
    s.record_unlock(ctx);
    members::may_list_members(&s.vault)?;
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
