//! Handovers: beginning one (checking every log signature, revoking the
//! leaving member with a re-key, and writing the `handover` record in the
//! same save), confirming checklist items with `handover-verify` records,
//! and the checklist views both front ends show. The checklist itself is
//! computed from signed records by [`crate::handover`]; nothing here
//! reveals a secret.

use std::collections::HashMap;

use serde::Serialize;

use super::members::{RevokeOutcome, revoke_members};
use super::{Context, Error, Result, Session};
use crate::audit::{Action, Details, Draft};
use crate::format::Role;
use crate::handover::{self, Handover, Item, State};
use crate::secret::Concealed;
use crate::vault::{EntryId, Vault, VaultError};
use crate::{dates, os};

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
/// and writes the `handover` record in the same save.
pub fn begin(ctx: &Context, s: &mut Session, name: &str) -> Result<Started> {
    if !s.vault.is_owner() {
        return Err(Error::denied("only an owner can run a handover"));
    }
    let m = s
        .vault
        .manifest()
        .members
        .iter()
        .find(|m| m.name == name)
        .ok_or_else(|| Error::Vault(VaultError::UnknownMember(name.to_owned())))?;
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
    let h = find(&s.vault).ok_or_else(|| Error::failed("the handover record was not written"))?;
    Ok(Started::New(h, outcome))
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
/// item is refused unless its entry was removed.
pub fn confirm(
    ctx: &Context,
    s: &mut Session,
    entry: &str,
    member_for: Option<&str>,
) -> Result<Confirmed> {
    if !s.vault.is_owner() {
        return Err(Error::denied("only an owner can verify handover items"));
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
            return Err(Error::failed(format!(
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
            return Err(Error::invalid(format!(
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
        return Err(Error::failed(format!(
            "{}'s password has not changed since {} saw it; change it at the service and in Baton first (baton edit {} --generate)",
            crate::text::clean(&title),
            crate::text::clean(&member),
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
            e.password_changed_at == time
                || e.history
                    .iter()
                    .any(|h| h.replaced_at == time && h.field.is_none())
        })
    };
    let entries_of = |group: crate::format::GroupId| {
        v.groups()
            .iter()
            .filter(|g| g.id == group)
            .flat_map(|g| g.entries.iter().filter(|e| e.removed.is_none()))
            .map(|e| e.id.0)
            .collect()
    };
    let passwords = || password_classes(v);
    handover::handovers(
        v.log(),
        &handover::Facts {
            is_owner: &is_owner,
            password_changed: &password_changed,
            entries_of: &entries_of,
            passwords: &passwords,
        },
    )
}

/// Every entry this member can read, removed ones too, with its passwords
/// over time (its password history, then the current one) as classes of
/// equal values: what the checklist needs to tell which entries shared a
/// password the leaving member knew, without the passwords leaving here.
fn password_classes(v: &Vault) -> Vec<handover::Passwords> {
    fn class_of<'v>(classes: &mut HashMap<&'v str, u32>, p: &'v Concealed) -> Option<u32> {
        let p = p.expose();
        if p.is_empty() {
            return None;
        }
        let next = u32::try_from(classes.len()).unwrap_or(u32::MAX);
        Some(*classes.entry(p).or_insert(next))
    }
    let mut classes: HashMap<&str, u32> = HashMap::new();
    let mut out = Vec::new();
    for g in v.groups() {
        for e in &g.entries {
            let mut history: Vec<&crate::vault::HistoryItem> =
                e.history.iter().filter(|h| h.field.is_none()).collect();
            history.sort_by_key(|h| h.replaced_at);
            let mut spans: Vec<handover::PasswordSpan> = history
                .iter()
                .map(|h| handover::PasswordSpan {
                    class: class_of(&mut classes, &h.value),
                    until: Some(h.replaced_at),
                })
                .collect();
            spans.push(handover::PasswordSpan {
                class: class_of(&mut classes, &e.password),
                until: None,
            });
            out.push(handover::Passwords {
                entry: e.id.0,
                group: g.id,
                spans,
            });
        }
    }
    out
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
    let name = v.member_name(h.member);
    let mut items: Vec<ItemView> = h.items.iter().map(|i| item_view(v, i, name)).collect();
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

/// The title of entry `id`, or of the entry record `seq` names when it
/// cannot be read here.
fn title_of(v: &Vault, id: [u8; 8], seq: u64) -> String {
    v.any_entry(id)
        .map(|(e, _)| e.title.clone())
        .or_else(|| {
            v.log()
                .get(seq as usize)
                .filter(|r| r.record.entry == Some(id))
                .and_then(|r| v.record_details(&r.record))
                .and_then(|d| d.title)
        })
        .unwrap_or_else(|| "another entry".into())
}

fn item_view(v: &Vault, i: &Item, member: &str) -> ItemView {
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
        let d = match x.via {
            Some(other) => format!(
                "same password as {}, which {member} {}",
                title_of(v, other, x.seq),
                x.verb()
            ),
            None => x.describe(),
        };
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
