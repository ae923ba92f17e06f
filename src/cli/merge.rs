//! `baton merge OTHER` and `baton merge-driver BASE OURS THEIRS`: another
//! copy of the vault merged into this one (see [`crate::vault::merge`]),
//! and the same for git. The output says what came from each side and
//! every conflict; `--json` is the stable form (docs/USER_GUIDE.md).

// An IO module (clippy.toml, docs/ARCHITECTURE.md): it may touch files,
// the terminal, the environment, the clock and the OS random source.
#![allow(
    clippy::disallowed_methods,
    clippy::disallowed_macros,
    clippy::disallowed_types
)]

use std::path::Path;

use serde::Serialize;

use super::output::{self, clean};
use super::unlock::{Result, open};
use super::{CliError, Exit};
use crate::dates;
use crate::session::Context;
use crate::session::sync::{self, Driven};
use crate::vault::Vault;
use crate::vault::merge::{MergeReport, Relation, Side};

#[derive(Serialize)]
struct StampView {
    time: String,
    member: String,
}

#[derive(Serialize)]
struct ConflictView {
    field: String,
    kept: StampView,
    lost: StampView,
}

#[derive(Serialize)]
struct EntryView {
    id: String,
    title: String,
    group: String,
    added: bool,
    from: &'static str,
    conflicts: Vec<ConflictView>,
}

#[derive(Serialize)]
struct ExposedView {
    member: String,
    group: String,
}

#[derive(Serialize)]
struct ReportView {
    result: &'static str,
    dry_run: bool,
    other: String,
    records_from_other: usize,
    records_only_here: usize,
    members_from: &'static str,
    members_added: Vec<String>,
    members_revoked: Vec<String>,
    rekeyed_groups: usize,
    groups_carried_unread: usize,
    /// Revoked members who could read a group in a copy that predates
    /// their revocation: that group's entries join their checklist.
    exposed: Vec<ExposedView>,
    entries: Vec<EntryView>,
    conflicts: usize,
}

fn side(s: Side) -> &'static str {
    match s {
        Side::Ours => "here",
        Side::Theirs => "other",
        Side::Both => "both",
    }
}

fn view(v: &Vault, r: &MergeReport, other: &Path, dry_run: bool) -> ReportView {
    let stamp = |s: &crate::vault::Stamp| StampView {
        time: dates::format_rfc3339(s.time),
        member: v.member_name(s.member).to_owned(),
    };
    ReportView {
        result: match r.relation {
            Relation::Held => "already-contained",
            Relation::FastForward => "fast-forward",
            Relation::Merged => "merged",
        },
        dry_run,
        other: other.display().to_string(),
        records_from_other: r.records_theirs,
        records_only_here: r.records_ours,
        members_from: side(r.manifest),
        members_added: r.members_added.clone(),
        members_revoked: r.members_revoked.clone(),
        rekeyed_groups: r.rekeyed.len(),
        groups_carried_unread: r.carried.len(),
        exposed: r
            .exposed
            .iter()
            .map(|(m, g)| ExposedView {
                member: m.clone(),
                group: v
                    .groups()
                    .iter()
                    .find(|x| x.id == *g)
                    .map_or_else(|| format!("#{g}"), |x| x.name.clone()),
            })
            .collect(),
        entries: r
            .entries
            .iter()
            .map(|e| EntryView {
                id: crate::vault::EntryId(e.id).hex(),
                title: e.title.clone(),
                group: e.group.clone(),
                added: e.added,
                from: side(e.from),
                conflicts: e
                    .conflicts
                    .iter()
                    .map(|c| ConflictView {
                        field: c.part.clone(),
                        kept: stamp(&c.kept),
                        lost: stamp(&c.lost),
                    })
                    .collect(),
            })
            .collect(),
        conflicts: r.conflicts(),
    }
}

pub fn merge(ctx: &Context, other: &Path, dry_run: bool, json: bool) -> Result<()> {
    let copy = sync::read_copy(other)?;
    let what = if dry_run { "merge --dry-run" } else { "merge" };
    // A vault older than what this machine saw opens for a merge with a
    // copy that holds all of it: afterwards the vault holds it all again.
    let mut s = if sync::holds_seen(ctx, &copy) {
        super::unlock::open_behind(ctx, !dry_run, what)?
    } else {
        open(ctx, !dry_run, what)?
    };
    let report = sync::merge(ctx, &mut s, copy, dry_run)?;
    let v = view(&s.vault, &report, other, dry_run);
    if json {
        println!("{}", output::json(&v));
        return Ok(());
    }
    print_text(&v, &ctx.vault);
    Ok(())
}

fn print_text(v: &ReportView, vault: &Path) {
    let other = clean(&v.other);
    let here = vault.display().to_string();
    let would = if v.dry_run { "would be " } else { "" };
    match v.result {
        "already-contained" => {
            println!("{here} already holds everything in {other}; nothing to merge.");
            return;
        }
        "fast-forward" => {
            println!(
                "{other} holds everything in {here} and {} more: it {}replaces {here} as it is.",
                output::count(
                    v.records_from_other,
                    "access-log record",
                    "access-log records"
                ),
                if v.dry_run { "would " } else { "" }
            );
            return;
        }
        _ => {}
    }
    println!(
        "{other} {would}merged into {here}: {} from it, {} only here, joined by a signed merge record.",
        output::count(
            v.records_from_other,
            "access-log record",
            "access-log records"
        ),
        v.records_only_here
    );
    match v.members_from {
        "other" => println!("Members and groups: as the other copy has them (it is newer)."),
        "both" => println!("Members and groups: merged from both copies."),
        _ => {}
    }
    for m in &v.members_added {
        println!("  member {} comes from the other copy", clean(m));
    }
    for m in &v.members_revoked {
        println!(
            "  member {} was revoked in the other copy, and stays revoked",
            clean(m)
        );
    }
    if v.rekeyed_groups > 0 {
        println!(
            "  {} group(s) get a fresh key: what a revoked member held is encrypted anew",
            v.rekeyed_groups
        );
    }
    if v.groups_carried_unread > 0 {
        println!(
            "  {} group(s) you cannot read are kept as the newer copy has them",
            v.groups_carried_unread
        );
    }
    for x in &v.exposed {
        println!(
            "  {} could read group {} in a copy that predates their revocation: its entries join their handover checklist (baton handover status)",
            clean(&x.member),
            clean(&x.group)
        );
    }
    if v.entries.is_empty() {
        println!("Entries: no differences.");
    }
    for e in &v.entries {
        let what = match (e.added, e.from) {
            (true, "other") => "added from the other copy",
            (true, _) => "only here (kept)",
            (false, "other") => "changed in the other copy",
            (false, "here") => "changed only here (kept)",
            _ => "changed in both copies",
        };
        println!(
            "  {} [{}] {}: {what}",
            e.id,
            clean(&e.group),
            clean(&e.title)
        );
        for c in &e.conflicts {
            println!(
                "    conflict on {}: kept {}'s change of {}; {}'s change of {} is in the entry's history",
                clean(&c.field),
                clean(&c.kept.member),
                c.kept.time,
                clean(&c.lost.member),
                c.lost.time
            );
        }
    }
    if v.conflicts > 0 {
        println!(
            "{}: both copies changed the same field; the later change was kept and the other is in the entry's history.",
            output::count(v.conflicts, "conflict", "conflicts")
        );
    }
}

/// The git merge driver. Exit 0 with the merge in OURS; exit 1 (git then
/// reports a conflict and keeps OURS) when a passphrase is needed and none
/// was given; exit 4 for a file that is not a copy of this vault.
pub fn driver(ctx: &Context, ours: &Path, theirs: &Path) -> Result<()> {
    let passphrase = ctx.unattended_passphrase()?;
    match sync::merge_driver(ctx, ours, theirs, passphrase.as_ref())? {
        Driven::Merged(r) => {
            let what = match r.relation {
                Relation::Held => "ours already holds theirs".to_owned(),
                Relation::FastForward => "theirs holds ours: taken as it is".to_owned(),
                Relation::Merged => format!(
                    "merged: {} from theirs, {} changed, {}",
                    output::count(r.records_theirs, "access-log record", "access-log records"),
                    output::count(r.entries.len(), "entry", "entries"),
                    output::count(r.conflicts(), "conflict", "conflicts")
                ),
            };
            eprintln!("baton merge-driver: {what}");
            Ok(())
        }
        Driven::NeedsPassphrase => Err(CliError::new(
            Exit::Other,
            "baton merge-driver: both sides changed the vault, and merging them needs a passphrase: set BATON_PASSPHRASE (and BATON_MEMBER) or --passphrase-file, then run the merge again; ours is kept as it was",
        )),
    }
}
