//! `baton log`: reading the access log, verifying it offline, and signed
//! checkpoints. The `--json` shapes are documented in docs/ACCESS_LOG.md.

// An IO module (clippy.toml, docs/ARCHITECTURE.md): it may touch files,
// the terminal, the environment, the clock and the OS random source.
#![allow(
    clippy::disallowed_methods,
    clippy::disallowed_macros,
    clippy::disallowed_types
)]

use std::path::PathBuf;

use serde::Serialize;

use super::args::{LogAction, LogArgs};
use super::output;
use super::unlock::{Result, open};
use super::{CliError, Exit};
use crate::audit::{Checkpoint, Verified};
use crate::format::{Role, read};
use crate::session::Context;
use crate::vault::{self, EntryId, Vault};
use crate::{dates, os, store};

pub(super) fn run(ctx: &Context, a: LogArgs) -> Result<()> {
    match a.action {
        Some(LogAction::Verify { checkpoint, json }) => verify(ctx, checkpoint, json),
        Some(LogAction::Checkpoint { .. }) => checkpoint(ctx),
        None => list(ctx, &a),
    }
}

/// One record in `log --json`.
#[derive(Serialize)]
struct RecordView<'a> {
    seq: u64,
    time: String,
    member: &'a str,
    action: &'static str,
    field: Option<&'static str>,
    entry_id: Option<String>,
    /// `null` when this member does not hold the log key.
    title: Option<String>,
    group: Option<String>,
    note: Option<String>,
}

fn view<'a>(v: &'a Vault, seq: usize, rec: &'a Verified) -> RecordView<'a> {
    let r = &rec.record;
    let details = v.record_details(r).unwrap_or_default();
    RecordView {
        seq: seq as u64,
        time: dates::format_rfc3339(r.time),
        member: v.member_name(r.member),
        action: r.action.as_str(),
        field: r.field.map(|f| f.as_str()),
        entry_id: r.entry.map(|e| EntryId(e).hex()),
        title: details.title,
        group: details.group,
        note: details.note,
    }
}

fn list(ctx: &Context, a: &LogArgs) -> Result<()> {
    let mut s = open(ctx, false, "log")?;
    s.record_unlock(ctx);
    let v = &s.vault;
    let me = v.me();
    let member_filter = match (&a.member, me.role) {
        (Some(name), _) => {
            let m = v
                .manifest()
                .members
                .iter()
                .find(|m| &m.name == name)
                .ok_or_else(|| {
                    CliError::other(format!("no member named {name:?} in this vault"))
                })?;
            if me.role == Role::Contractor && m.id != me.id {
                return Err(CliError::new(
                    Exit::Denied,
                    "a contractor sees only their own records",
                ));
            }
            Some(m.id)
        }
        (None, Role::Contractor) => Some(me.id),
        (None, _) => None,
    };
    let entry_filter = match &a.entry {
        None => None,
        Some(q) => match v.find(q) {
            Ok(r) => Some(v.entry(r).id.0),
            Err(e) => match EntryId::parse(q) {
                Some(id) => Some(id.0),
                None => return Err(e.into()),
            },
        },
    };
    let since = a
        .since
        .as_deref()
        .map(dates::parse)
        .transpose()
        .map_err(|e| CliError::usage(format!("--since: {e}")))?;
    let rows: Vec<RecordView<'_>> = v
        .log()
        .iter()
        .enumerate()
        .filter(|(_, rec)| member_filter.is_none_or(|m| rec.record.member == m))
        .filter(|(_, rec)| entry_filter.is_none_or(|e| rec.record.entry == Some(e)))
        .filter(|(_, rec)| since.is_none_or(|t| rec.record.time >= t))
        .map(|(i, rec)| view(v, i, rec))
        .collect();
    if a.json {
        println!("{}", output::json(&serde_json::json!({ "records": rows })));
        return Ok(());
    }
    if rows.is_empty() {
        println!("No records match.");
        return Ok(());
    }
    println!(
        "{:>6}  {:<20}  {:<12}  {:<17}  {:<12}  ENTRY",
        "SEQ", "TIME", "MEMBER", "ACTION", "FIELD"
    );
    for r in &rows {
        let entry = match (&r.title, &r.entry_id) {
            (Some(t), _) => match &r.group {
                Some(g) => format!("{t} ({g})"),
                None => t.clone(),
            },
            (None, Some(id)) => id.clone(),
            (None, None) => String::new(),
        };
        let note = r
            .note
            .as_deref()
            .map(|n| format!(" [{n}]"))
            .unwrap_or_default();
        // Titles and notes come from other members: never raw to the terminal.
        let (entry, note) = (output::clean(&entry), output::clean(&note));
        println!(
            "{:>6}  {:<20}  {:<12}  {:<17}  {:<12}  {entry}{note}",
            r.seq,
            r.time,
            output::clean(r.member),
            r.action,
            r.field.unwrap_or("")
        );
    }
    Ok(())
}

/// Verifies every record's signature and place in the chain, the
/// snapshot's bindings, this machine's high-water mark and, if given, a
/// checkpoint. Needs no passphrase: only public keys are used.
fn verify(ctx: &Context, checkpoint: Option<PathBuf>, json: bool) -> Result<()> {
    let bytes = store::read(&ctx.vault)?;
    let file = read::parse(&bytes)?;
    drop(bytes);
    let vault_id = file.snapshot.vault_id;
    let seen = ctx.seen(&vault_id)?;
    let checked = vault::check_log(&file, &seen, true)?;
    if let Some(path) = checkpoint {
        let text = std::fs::read_to_string(&path)
            .map_err(|e| CliError::other(format!("cannot read {}: {e}", path.display())))?;
        let cp = Checkpoint::from_text(&text).ok_or_else(|| {
            CliError::usage(format!("{} is not a Baton checkpoint", path.display()))
        })?;
        cp.check(&vault_id, &file.manifest, &checked.verified)
            .map_err(|why| CliError::new(Exit::Integrity, format!("checkpoint: {why}")))?;
    }
    let head = crate::audit::head_of(&checked.verified);
    if let Some(w) = ctx.remember(&vault_id, &head) {
        eprintln!("{w}");
    }
    let last = checked
        .verified
        .last()
        .map(|v| dates::format_rfc3339(v.record.time));
    if json {
        println!(
            "{}",
            output::json(&serde_json::json!({
                "ok": true,
                "records": head.count,
                "head": data_encoding::HEXLOWER.encode(&head.hash),
                "last_record_at": last,
                "torn_tail": checked.torn_tail,
            }))
        );
    } else {
        println!(
            "The access log is intact: {} records, each signed by its member and chained; head {}.",
            head.count,
            &data_encoding::HEXLOWER.encode(&head.hash)[..16]
        );
        if checked.torn_tail {
            println!(
                "Note: a final record was cut short by a crash; it was never acknowledged and is not part of the log."
            );
        }
    }
    Ok(())
}

fn checkpoint(ctx: &Context) -> Result<()> {
    let s = open(ctx, false, "log checkpoint")?;
    print!("{}", s.vault.checkpoint(os::now()).to_text());
    Ok(())
}
