//! `baton handover`: revoke a leaving member with a re-key, then turn the
//! verified access log into a rotation checklist (see [`crate::handover`]),
//! follow it (`status`), confirm items (`verify`) and write the Markdown
//! report. Nothing here reveals a secret: the checklist and the report
//! hold titles, groups, ids and times only.

use std::io::Write;
use std::path::Path;

use serde::Serialize;

use super::args::{HandoverAction, HandoverArgs};
use super::member::{RevokeOutcome, revoke_members};
use super::output;
use super::session::{Context, Result, Session, open};
use super::{CliError, Exit};
use crate::audit::{Action, Details, Draft};
use crate::format::Role;
use crate::handover::{self, Handover, Item, State};
use crate::vault::{EntryId, Vault};
use crate::{dates, os};

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
    write_report(report, view)
}

/// What [`begin`] did.
pub enum Started {
    /// A handover of the member was already recorded; nothing changed.
    Existing(HandoverView),
    /// A new handover, with the revocation when the member was not revoked.
    New(HandoverView, Option<RevokeOutcome>),
}

impl Started {
    pub fn view(&self) -> &HandoverView {
        match self {
            Started::Existing(v) | Started::New(v, _) => v,
        }
    }
}

/// Starts the handover of `name` (owners only): checks every log record's
/// signature, revokes the member with a re-key unless already revoked,
/// and writes the `handover` record in the same save. Prints nothing.
pub(crate) fn begin(ctx: &Context, s: &mut Session, name: &str) -> Result<Started> {
    if !s.vault.is_owner() {
        return Err(CliError::new(
            Exit::Denied,
            "only an owner can run a handover",
        ));
    }
    let m = s
        .vault
        .manifest()
        .members
        .iter()
        .find(|m| m.name == name)
        .ok_or_else(|| {
            CliError::new(
                Exit::Unlock,
                format!("no member named {name:?} in this vault"),
            )
        })?;
    let (id, revoked) = (m.id, m.revoked_at.is_some());
    s.vault.verify_log_fully()?;
    let find = |v: &Vault| {
        checklists(v)
            .into_iter()
            .rev()
            .find(|h| h.member == id)
            .map(|h| view(v, &h))
    };
    // A member still holding keys is revoked whatever the log says.
    if revoked && let Some(existing) = find(&s.vault) {
        return Ok(Started::Existing(existing));
    }
    // The groups they held, for the report: after the revocation no grant
    // names them any more.
    let mut held: Vec<String> = s
        .vault
        .manifest()
        .grants
        .iter()
        .filter(|g| g.member == id)
        .filter_map(|g| s.vault.groups().iter().find(|o| o.id == g.group))
        .map(|o| o.name.clone())
        .collect();
    held.sort();
    held.dedup();
    let record = Draft {
        target: Some(id),
        details: (!held.is_empty()).then(|| Details {
            title: None,
            group: None,
            note: Some(format!("{GROUPS_NOTE}{}", held.join(", "))),
        }),
        ..Draft::new(os::now(), Action::Handover)
    };
    let outcome = if revoked {
        s.vault.note(record);
        s.save(ctx)?;
        None
    } else {
        Some(revoke_members(ctx, s, &[name.to_owned()], vec![record])?)
    };
    let h = find(&s.vault).ok_or_else(|| CliError::other("the handover record was not written"))?;
    Ok(Started::New(h, outcome))
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
        write_report(report, h)?;
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

/// What [`confirm`] did.
pub enum Confirmed {
    Already(String),
    Now {
        title: String,
        member: String,
        left: usize,
    },
}

/// Confirms a rotated checklist item (owners only) with a signed
/// `handover-verify` record. `entry` is an id, an id prefix or a title;
/// `member_for` picks the handover when several list the entry. A pending
/// item is refused unless its entry was removed. Prints nothing.
pub(crate) fn confirm(
    ctx: &Context,
    s: &mut Session,
    entry: &str,
    member_for: Option<&str>,
) -> Result<Confirmed> {
    if !s.vault.is_owner() {
        return Err(CliError::new(
            Exit::Denied,
            "only an owner can verify handover items",
        ));
    }
    let all = checklists(&s.vault);
    let candidates: Vec<(&Handover, &Item)> = all
        .iter()
        .filter(|h| member_for.is_none_or(|n| s.vault.member_name(h.member) == n))
        .flat_map(|h| h.items.iter().map(move |i| (h, i)))
        .filter(|(_, i)| matches_entry(&s.vault, i, entry))
        .collect();
    let open: Vec<&(&Handover, &Item)> = candidates
        .iter()
        .filter(|(_, i)| i.state() != State::Verified)
        .collect();
    let (h, item) = match (open.as_slice(), candidates.as_slice()) {
        ([one], _) => **one,
        ([], []) => {
            return Err(CliError::other(format!(
                "no handover checklist holds an entry matching {entry:?}; see baton handover status"
            )));
        }
        ([], _) => return Ok(Confirmed::Already(entry.to_owned())),
        (several, _) => {
            let names: Vec<String> = several
                .iter()
                .map(|(h, i)| {
                    format!(
                        "{} for {}",
                        EntryId(i.entry).hex(),
                        s.vault.member_name(h.member)
                    )
                })
                .collect();
            return Err(CliError::usage(format!(
                "{entry:?} matches several open items ({}); give the entry id, or --for MEMBER",
                names.join(", ")
            )));
        }
    };
    let found = s.vault.any_entry(item.entry);
    let title = found.map_or_else(|| EntryId(item.entry).hex(), |(e, _)| e.title.clone());
    let removed = found.is_some_and(|(e, _)| e.removed.is_some());
    let member = s.vault.member_name(h.member).to_owned();
    if item.state() == State::Pending && !removed {
        return Err(CliError::other(format!(
            "{}'s password has not changed since {} saw it; change it at the service and in Baton first (baton edit {} --generate)",
            output::clean(&title),
            output::clean(&member),
            EntryId(item.entry).hex()
        )));
    }
    let draft = Draft {
        entry: Some(item.entry),
        group: item.group,
        target: Some(h.member),
        details: Some(Details {
            title: Some(title.clone()),
            group: found.map(|(_, g)| g.to_owned()),
            note: None,
        }),
        ..Draft::new(os::now(), Action::HandoverVerify)
    };
    let left = h.open_items().count().saturating_sub(1);
    s.record(ctx, draft)?;
    Ok(Confirmed::Now {
        title,
        member,
        left,
    })
}

/// Every handover recorded in `v`'s log, its items' states checked
/// against the entries this member can read.
pub fn checklists(v: &Vault) -> Vec<Handover> {
    let is_owner = |id| {
        v.manifest()
            .members
            .iter()
            .any(|m| m.id == id && m.role == Role::Owner)
    };
    let password_changed = |entry: [u8; 8], time: i64| {
        v.any_entry(entry).map(|(e, _)| {
            e.password_changed_at == time || e.history.iter().any(|h| h.replaced_at == time)
        })
    };
    handover::handovers(
        v.log(),
        &handover::Facts {
            is_owner: &is_owner,
            password_changed: &password_changed,
        },
    )
}

/// ENTRY as an id, an id prefix of 4+ hex digits, or a title (any case).
fn matches_entry(v: &Vault, item: &Item, query: &str) -> bool {
    let q = query.trim();
    let hex = EntryId(item.entry).hex();
    if q.len() >= 4 && hex.starts_with(&q.to_ascii_lowercase()) {
        return true;
    }
    v.any_entry(item.entry)
        .is_some_and(|(e, _)| e.title == q || e.title.to_lowercase() == q.to_lowercase())
}

/// How the `handover` record's sealed note lists the groups the member held.
const GROUPS_NOTE: &str = "held: ";

/// One checklist item as shown and reported; no secret.
#[derive(Serialize)]
pub struct ItemView {
    pub entry_id: String,
    pub title: String,
    pub group: String,
    pub removed: bool,
    pub state: State,
    /// When the member last saw it (RFC 3339).
    pub exposed: String,
    /// What the member did, oldest first ("revealed the password").
    pub how: Vec<String>,
    /// Second factors to move: "TOTP seed", "backup codes".
    pub mfa: Vec<&'static str>,
    pub rotated: Option<String>,
    pub verified: Option<String>,
}

#[derive(Serialize)]
pub struct CheckpointView {
    /// Records before the handover record: what the set was computed from.
    pub records: u64,
    /// The hash of the last of them (hex).
    pub head: String,
}

/// One handover as shown and reported; no secret.
#[derive(Serialize)]
pub struct HandoverView {
    pub member: String,
    pub role: &'static str,
    pub revoked: Option<String>,
    /// The groups the member held when the handover began (empty when
    /// they were revoked before it).
    pub held: Vec<String>,
    pub by: String,
    pub time: String,
    pub checkpoint: CheckpointView,
    pub left: usize,
    pub items: Vec<ItemView>,
}

/// Every recorded handover, oldest first.
pub fn views(v: &Vault) -> Vec<HandoverView> {
    checklists(v).iter().map(|h| view(v, h)).collect()
}

fn view(v: &Vault, h: &Handover) -> HandoverView {
    let member = v.manifest().members.iter().find(|m| m.id == h.member);
    let mut items: Vec<ItemView> = h.items.iter().map(|i| item_view(v, i)).collect();
    items.sort_by(|a, b| {
        (a.state != State::Pending, &a.group, &a.title).cmp(&(
            b.state != State::Pending,
            &b.group,
            &b.title,
        ))
    });
    HandoverView {
        member: v.member_name(h.member).to_owned(),
        role: match member.map(|m| m.role) {
            Some(Role::Owner) => "owner",
            Some(Role::Auditor) => "auditor",
            _ => "contractor",
        },
        revoked: member.and_then(|m| m.revoked_at).map(dates::format_rfc3339),
        held: v
            .log()
            .get(h.seq as usize)
            .and_then(|r| v.record_details(&r.record))
            .and_then(|d| d.note)
            .and_then(|n| n.strip_prefix(GROUPS_NOTE).map(str::to_owned))
            .map(|n| n.split(", ").map(str::to_owned).collect())
            .unwrap_or_default(),
        by: v.member_name(h.by).to_owned(),
        time: dates::format_rfc3339(h.time),
        checkpoint: CheckpointView {
            records: h.checkpoint.count,
            head: data_encoding::HEXLOWER.encode(&h.checkpoint.hash),
        },
        left: h.open_items().count(),
        items,
    }
}

fn item_view(v: &Vault, i: &Item) -> ItemView {
    let found = v.any_entry(i.entry);
    let (title, group) = match found {
        Some((e, g)) => (e.title.clone(), g.to_owned()),
        None => {
            // Not readable here: the sealed log details still name it.
            let d = i
                .exposures
                .iter()
                .rev()
                .find_map(|x| v.log().get(x.seq as usize))
                .and_then(|r| v.record_details(&r.record))
                .unwrap_or_default();
            (
                d.title.unwrap_or_else(|| "(unknown entry)".into()),
                d.group.unwrap_or_default(),
            )
        }
    };
    let mut mfa = Vec::new();
    if i.touches_mfa() {
        if found.is_some_and(|(e, _)| e.totp.is_some()) {
            mfa.push("TOTP seed");
        }
        if found.is_some_and(|(e, _)| !e.backup_codes.is_empty()) {
            mfa.push("backup codes");
        }
    }
    let mut how: Vec<String> = Vec::new();
    for x in &i.exposures {
        let d = x.describe();
        if !how.contains(&d) {
            how.push(d);
        }
    }
    ItemView {
        entry_id: EntryId(i.entry).hex(),
        title,
        group,
        removed: found.is_some_and(|(e, _)| e.removed.is_some()),
        state: i.state(),
        exposed: dates::format_rfc3339(i.last_exposed()),
        how,
        mfa,
        rotated: i.rotated.map(|(_, t)| dates::format_rfc3339(t)),
        verified: i.verified.map(|(_, t, _)| dates::format_rfc3339(t)),
    }
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
            i.how.join(", "),
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

/// Refuses a report path that would overwrite the vault, its lock, a
/// backup or another vault file — checked before anything changes.
fn check_report_path(ctx: &Context, path: Option<&Path>) -> Result<()> {
    let Some(path) = path else { return Ok(()) };
    let refuse = |why: &str| {
        Err(CliError::usage(format!(
            "--report {}: {why}; choose another file",
            path.display()
        )))
    };
    if path.is_dir() {
        return refuse("that is a directory");
    }
    let canonical = |p: &Path| {
        let dir = p.parent().filter(|d| !d.as_os_str().is_empty());
        let dir = dir.map_or_else(|| Path::new(".").canonicalize(), Path::canonicalize);
        dir.ok().zip(p.file_name().map(|n| n.to_os_string()))
    };
    if let (Some((rdir, rname)), Some((vdir, vname))) = (canonical(path), canonical(&ctx.vault))
        && rdir == vdir
        && rname
            .as_encoded_bytes()
            .starts_with(vname.as_encoded_bytes())
    {
        return refuse("that is the vault or one of its companion files");
    }
    let mut head = [0u8; 8];
    if let Ok(mut f) = std::fs::File::open(path)
        && std::io::Read::read_exact(&mut f, &mut head).is_ok()
        && head == crate::format::MAGIC
    {
        return refuse("that file is a Baton vault");
    }
    Ok(())
}

fn write_report(path: Option<&Path>, h: &HandoverView) -> Result<()> {
    let Some(path) = path else { return Ok(()) };
    let text = report_markdown(h, os::now());
    let mut f = os::create_private(path)
        .map_err(|e| CliError::other(format!("cannot write {}: {e}", path.display())))?;
    f.write_all(text.as_bytes())
        .and_then(|()| f.sync_all())
        .map_err(|e| CliError::other(format!("cannot write {}: {e}", path.display())))?;
    println!("Wrote the report to {}.", path.display());
    Ok(())
}
