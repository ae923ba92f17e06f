//! `baton handover`: revoke a leaving member with a re-key, then turn the
//! verified access log into a rotation checklist (see [`crate::handover`]),
//! follow it (`status`), confirm items (`verify`) and write the Markdown
//! report. Nothing here reveals a secret: the checklist and the report
//! hold titles, groups, ids and times only.

// An IO module (clippy.toml, docs/ARCHITECTURE.md): it may touch files,
// the terminal, the environment, the clock and the OS random source.
#![allow(
    clippy::disallowed_methods,
    clippy::disallowed_macros,
    clippy::disallowed_types
)]

use std::io::Write;
use std::path::Path;

use super::args::{HandoverAction, HandoverArgs};
use super::output;
use super::unlock::{Result, open};
use super::{CliError, Exit};
use crate::session::handover::{Confirmed, HandoverView, ItemView, Started, begin, confirm, views};
use crate::session::{Context, Session};
use crate::{dates, os, store};

pub(super) fn run(ctx: &Context, a: HandoverArgs) -> Result<()> {
    match a.action {
        Some(HandoverAction::Status {
            name, json, report, ..
        }) => status(ctx, name.as_deref(), json, report.as_deref()),
        Some(HandoverAction::Verify {
            entry, member_for, ..
        }) => verify(ctx, &entry, member_for.as_deref()),
        None => {
            let name = a.name.ok_or_else(|| {
                CliError::usage(
                    "name the member who is leaving: baton handover NAME [--report FILE]",
                )
            })?;
            start(ctx, &name, a.report.as_deref())
        }
    }
}

fn owner_session(ctx: &Context, write: bool, what: &str) -> Result<Session> {
    let s = open(ctx, write, what)?;
    if !s.vault.is_owner() {
        return Err(CliError::new(
            Exit::Denied,
            "only an owner can run a handover",
        ));
    }
    Ok(s)
}

/// Revokes `name` (unless already revoked) and records the handover in
/// the same save, then prints the checklist.
fn start(ctx: &Context, name: &str, report: Option<&Path>) -> Result<()> {
    check_report_path(ctx, report)?;
    let mut s = owner_session(ctx, true, "handover")?;
    let started = begin(ctx, &mut s, name)?;
    match &started {
        Started::Existing(h) => println!(
            "{} was handed over at {}; here is where the checklist stands.",
            output::clean(name),
            h.time
        ),
        Started::New(_, Some(o)) => super::member::print_revocation(o),
        Started::New(_, None) => {}
    }
    let view = started.view();
    print_checklist(view);
    write_report(ctx, report, view)
}

fn status(ctx: &Context, name: Option<&str>, json: bool, report: Option<&Path>) -> Result<()> {
    check_report_path(ctx, report)?;
    let mut s = owner_session(ctx, false, "handover status")?;
    s.record_unlock(ctx);
    let all = views(&s.vault);
    let picked: Vec<&HandoverView> = match name {
        Some(n) => all.iter().filter(|h| h.member == n).collect(),
        None => all.iter().collect(),
    };
    if report.is_some() && picked.len() != 1 {
        return Err(CliError::usage(
            "--report writes one handover's report: name the member",
        ));
    }
    if json {
        println!(
            "{}",
            output::json(&serde_json::json!({ "handovers": picked }))
        );
    } else if picked.is_empty() {
        match name {
            Some(n) => println!("No handover of {} is recorded.", output::clean(n)),
            None => println!("No handover is recorded."),
        }
    } else {
        for (i, h) in picked.iter().enumerate() {
            if i > 0 {
                println!();
            }
            print_checklist(h);
        }
    }
    if let Some(h) = picked.first() {
        write_report(ctx, report, h)?;
    }
    Ok(())
}

fn verify(ctx: &Context, entry: &str, member_for: Option<&str>) -> Result<()> {
    let mut s = owner_session(ctx, true, "handover verify")?;
    match confirm(ctx, &mut s, entry, member_for)? {
        Confirmed::Already(title) => println!("{} is already verified.", output::clean(&title)),
        Confirmed::Now {
            title,
            member,
            left,
        } => println!(
            "Verified {} for the handover of {}; {left} item(s) left.",
            output::clean(&title),
            output::clean(&member)
        ),
    }
    Ok(())
}

fn print_checklist(h: &HandoverView) {
    println!(
        "Handover of {} ({}) by {} at {}.",
        output::clean(&h.member),
        h.role,
        output::clean(&h.by),
        h.time
    );
    println!(
        "Computed from the verified access log: {} records, head {}.",
        h.checkpoint.records,
        &h.checkpoint.head[..16]
    );
    if !h.held.is_empty() {
        let held: Vec<String> = h
            .held
            .iter()
            .map(|g| output::clean(g).into_owned())
            .collect();
        println!("Groups they held: {}.", held.join(", "));
    }
    if h.items.is_empty() {
        println!(
            "{} revealed, copied, created or changed no secret since its last rotation: nothing to rotate.",
            output::clean(&h.member)
        );
        return;
    }
    println!("{} of {} item(s) left:", h.left, h.items.len());
    for i in &h.items {
        let removed = if i.removed { " (removed)" } else { "" };
        println!(
            "  [{:<8}] {}  {} ({}){removed} — {} (last {})",
            i.state.as_str(),
            &i.entry_id[..8],
            output::clean(&i.title),
            output::clean(&i.group),
            output::clean(&i.how.join(", ")),
            i.exposed
        );
        if !i.mfa.is_empty() {
            println!("             MFA to move: {}", i.mfa.join(", "));
        }
    }
    if h.left > 0 {
        println!(
            "Next: change each pending password at its service and in Baton (baton edit ENTRY --generate), then confirm it with baton handover verify ENTRY."
        );
    } else {
        println!("Every item is rotated and verified.");
    }
}

/// Escapes text for a Markdown table cell or list item.
fn md(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in output::clean(text).chars() {
        if matches!(
            c,
            '\\' | '`' | '*' | '_' | '|' | '<' | '>' | '[' | ']' | '#' | '~'
        ) {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

/// The handover report in Markdown: who, when, the log checkpoint, each
/// item with when it was exposed and where it stands, and the MFA to
/// move. Titles, groups, ids and times only: no secret.
pub fn report_markdown(h: &HandoverView, written: i64) -> String {
    use std::fmt::Write as _;
    let mut o = String::new();
    let _ = writeln!(o, "# Handover report: {}\n", md(&h.member));
    let _ = writeln!(o, "- Member: {} ({})", md(&h.member), h.role);
    if let Some(r) = &h.revoked {
        let _ = writeln!(o, "- Revoked: {r}; every group they held was re-keyed");
    }
    if !h.held.is_empty() {
        let held: Vec<String> = h.held.iter().map(|g| md(g)).collect();
        let _ = writeln!(
            o,
            "- Groups held: {} (everything in them was readable to them; the list below is what the access log shows they revealed, created or changed)",
            held.join(", ")
        );
    }
    let _ = writeln!(o, "- Handover by: {}, {}", md(&h.by), h.time);
    let _ = writeln!(
        o,
        "- Computed from: the verified access log, its first {} records (head `{}`)",
        h.checkpoint.records, h.checkpoint.head
    );
    let _ = writeln!(o, "- Written: {}", dates::format_rfc3339(written));
    let _ = writeln!(
        o,
        "- Status: {} of {} item(s) left\n",
        h.left,
        h.items.len()
    );
    let _ = writeln!(o, "## Credentials to rotate\n");
    if h.items.is_empty() {
        let _ = writeln!(
            o,
            "None: {} revealed, copied, created or changed no secret since its last rotation.\n",
            md(&h.member)
        );
    } else {
        let _ = writeln!(
            o,
            "| Entry | Group | Id | Last exposed | How | State | Rotated | Verified |"
        );
        let _ = writeln!(o, "|---|---|---|---|---|---|---|---|");
        for i in &h.items {
            let removed = if i.removed { " (removed)" } else { "" };
            let _ = writeln!(
                o,
                "| {}{removed} | {} | `{}` | {} | {} | {} | {} | {} |",
                md(&i.title),
                md(&i.group),
                i.entry_id,
                i.exposed,
                md(&i.how.join(", ")),
                i.state.as_str(),
                i.rotated.as_deref().unwrap_or("-"),
                i.verified.as_deref().unwrap_or("-"),
            );
        }
        let _ = writeln!(o);
    }
    let mfa: Vec<&ItemView> = h.items.iter().filter(|i| !i.mfa.is_empty()).collect();
    let _ = writeln!(o, "## MFA to move\n");
    if mfa.is_empty() {
        let _ = writeln!(o, "None.\n");
    } else {
        for i in mfa {
            let _ = writeln!(o, "- **{}** ({}):", md(&i.title), md(&i.group));
            if i.mfa.contains(&"TOTP seed") {
                let _ = writeln!(
                    o,
                    "  - TOTP seed: enrol it in the firm's authenticator (`baton totp {} --qr` shows its QR code; a logged reveal), then re-enrol the account with a new seed and store it (`baton edit {} --totp URI`).",
                    i.entry_id, i.entry_id
                );
            }
            if i.mfa.contains(&"backup codes") {
                let _ = writeln!(
                    o,
                    "  - Backup codes: generate new ones at the service and store them (`baton edit {} --backup-codes-file FILE`).",
                    i.entry_id
                );
            }
        }
        let _ = writeln!(o);
    }
    let _ = writeln!(o, "## Next steps\n");
    let _ = writeln!(
        o,
        "1. Change each pending password at its service, then in Baton: `baton edit ENTRY --generate`."
    );
    let _ = writeln!(
        o,
        "2. Confirm that the new credentials work: `baton handover verify ENTRY`."
    );
    let _ = writeln!(o, "3. Check the access log offline: `baton log verify`.");
    o
}

/// Refuses a report path before anything changes: an existing file or
/// link, the vault or one of its companion files, this machine's
/// high-water marks ([`store::check_output`]).
fn check_report_path(ctx: &Context, path: Option<&Path>) -> Result<()> {
    match path {
        Some(path) => Ok(store::check_output(path, ctx.protected())?),
        None => Ok(()),
    }
}

fn write_report(ctx: &Context, path: Option<&Path>, h: &HandoverView) -> Result<()> {
    let Some(path) = path else { return Ok(()) };
    let text = report_markdown(h, os::now());
    let mut f = store::create_output(path, ctx.protected())?;
    f.write_all(text.as_bytes())
        .and_then(|()| f.sync_all())
        .map_err(|e| CliError::other(format!("cannot write {}: {e}", path.display())))?;
    println!("Wrote the report to {}.", path.display());
    Ok(())
}
