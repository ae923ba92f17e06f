//! The handover checklist, computed from the verified access log alone.
//!
//! When a member leaves, every entry whose secret they saw since that
//! entry's last rotation must be rotated: the **exposure set**. It is
//! derived from signed records, not from anything a client claims:
//!
//! - an exposure is a record by the member that revealed, copied or
//!   exported a concealed value of an entry (password, TOTP code or seed,
//!   backup codes, notes, a concealed field), marked a backup code used,
//!   created or edited the entry, or imported a row equal to it;
//! - a rotation is an `edit` record with field `password` by anyone else;
//!   it clears the entry's earlier exposures;
//! - a password the member knew (revealed, copied or exported it, created
//!   the entry or set its password) exposes every other entry that still
//!   held the same password when the handover began, wherever it is: a
//!   member told by `health` that two entries share a password, who then
//!   reveals one of them, knows the other's too. Which entries held equal
//!   passwords, and when, comes from the caller as classes of equal
//!   values ([`Passwords`]), never as the passwords themselves.
//!
//! A `handover` record by an owner naming the member fixes the set: the
//! exposures in the log before it. After it, an item is **rotated** once
//! an `edit` of its password is recorded, and **verified** once an owner
//! writes a `handover-verify` record for it. `handover` and
//! `handover-verify` records by anyone but an owner are ignored, and a
//! rotation counts only when the entry itself holds a password change at
//! the record's time (its history, or `password_changed_at`), so a member
//! cannot tick items off with records alone. Pure: no IO, no
//! secrets.

use std::collections::HashMap;

use serde::Serialize;

use crate::audit::{Action, Field, Verified};
use crate::format::{GroupId, LogHead, MemberId};

/// Where a checklist item stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum State {
    /// Its password has not changed since the member saw it.
    Pending,
    /// Its password changed after the handover; an owner has yet to confirm.
    Rotated,
    /// An owner confirmed the new credentials work and the old ones do not.
    Verified,
}

impl State {
    pub fn as_str(self) -> &'static str {
        match self {
            State::Pending => "pending",
            State::Rotated => "rotated",
            State::Verified => "verified",
        }
    }
}

/// One record that exposed an entry to the member.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Exposure {
    pub seq: u64,
    pub time: i64,
    pub action: Action,
    pub field: Option<Field>,
    /// Set when the record named another entry, this one's id, whose
    /// password the member learnt and this entry held too; the record's
    /// `action` is what the member did to that one.
    pub via: Option<[u8; 8]>,
}

impl Exposure {
    /// The exposure touched the entry's second factor: its TOTP seed (a
    /// code, the seed, an edit or creation) or its backup codes.
    pub fn touches_mfa(&self) -> bool {
        if self.via.is_some() {
            return false;
        }
        matches!(
            self.field,
            Some(Field::TotpCode | Field::TotpSeed | Field::BackupCodes | Field::All)
        ) || matches!(self.action, Action::Add | Action::Edit | Action::CodeUsed)
    }

    /// What the member did to the entry the record names, as a verb
    /// ("revealed"), for saying how they learnt a password.
    pub fn verb(&self) -> &'static str {
        match self.action {
            Action::Copy => "copied",
            Action::Export => "exported",
            Action::Add => "created",
            Action::Edit => "changed",
            Action::Import => "imported",
            Action::Exposure => "could read",
            _ => "revealed",
        }
    }

    /// What happened, in a few words.
    pub fn describe(&self) -> String {
        if self.via.is_some() {
            return format!("same password as another entry, which they {}", self.verb());
        }
        let what = match self.field {
            Some(Field::Password) => "the password",
            Some(Field::Notes) => "the notes",
            Some(Field::TotpCode) => "a TOTP code",
            Some(Field::TotpSeed) => "the TOTP seed",
            Some(Field::BackupCodes) => "the backup codes",
            Some(Field::Custom) => "a concealed field",
            Some(Field::All) => "every field",
            Some(Field::Username | Field::Url) | None => "",
        };
        match (self.action, what) {
            (Action::Add, _) => "created the entry".into(),
            (Action::Edit, "the password") => "changed the password".into(),
            (Action::Edit, _) => "edited the entry".into(),
            (Action::CodeUsed, _) => "used a backup code".into(),
            (Action::Import, _) => "imported a row equal to it".into(),
            (Action::Copy, w) if !w.is_empty() => format!("copied {w}"),
            (Action::Export, _) => "exported the entry".into(),
            (Action::Exposure, _) => {
                "could read it in a copy of the vault that predates the revocation".into()
            }
            (_, w) if !w.is_empty() => format!("revealed {w}"),
            (a, _) => a.as_str().into(),
        }
    }
}

/// An entry to rotate.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Item {
    pub entry: [u8; 8],
    pub group: Option<GroupId>,
    /// The member's exposures since the entry's last rotation, oldest first.
    pub exposures: Vec<Exposure>,
    /// The first password change after the handover: (seq, time).
    pub rotated: Option<(u64, i64)>,
    /// The owner's confirmation: (seq, time, owner).
    pub verified: Option<(u64, i64, MemberId)>,
}

impl Item {
    pub fn state(&self) -> State {
        match (self.rotated, self.verified) {
            (_, Some(_)) => State::Verified,
            (Some(_), None) => State::Rotated,
            (None, None) => State::Pending,
        }
    }

    /// When the member last saw it.
    pub fn last_exposed(&self) -> i64 {
        self.exposures.last().map_or(0, |e| e.time)
    }

    /// The member saw or set its second factor.
    pub fn touches_mfa(&self) -> bool {
        self.exposures.iter().any(Exposure::touches_mfa)
    }
}

/// A handover and its checklist.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Handover {
    /// The member who left.
    pub member: MemberId,
    /// The `handover` record.
    pub seq: u64,
    pub time: i64,
    /// The owner who ran it.
    pub by: MemberId,
    /// The log the exposure set was computed from: every record before the
    /// `handover` record.
    pub checkpoint: LogHead,
    pub items: Vec<Item>,
}

impl Handover {
    /// Items not yet verified.
    pub fn open_items(&self) -> impl Iterator<Item = &Item> {
        self.items.iter().filter(|i| i.state() != State::Verified)
    }

    pub fn is_complete(&self) -> bool {
        self.open_items().next().is_none()
    }

    pub fn item(&self, entry: [u8; 8]) -> Option<&Item> {
        self.items.iter().find(|i| i.entry == entry)
    }
}

/// Whether a record by the member exposed the secret of the entry it names.
fn is_exposure(action: Action, field: Option<Field>) -> bool {
    match action {
        Action::Reveal | Action::Copy | Action::Export => {
            !matches!(field, Some(Field::Username | Field::Url))
        }
        // An import naming the entry: a row of the member's file equal to
        // it, which told them its password.
        Action::Add | Action::Edit | Action::CodeUsed | Action::Import => true,
        _ => false,
    }
}

fn is_rotation(action: Action, field: Option<Field>) -> bool {
    action == Action::Edit && field == Some(Field::Password)
}

/// What the checklist needs to know beyond the records: who is an owner,
/// and whether an entry's password changed at a given time (`None` when
/// the entry cannot be read; its records are then taken as they are).
pub struct Facts<'a> {
    pub is_owner: &'a dyn Fn(MemberId) -> bool,
    pub password_changed: &'a dyn Fn([u8; 8], i64) -> Option<bool>,
    /// The entries of a group (for an `exposure` record, which names a
    /// group rather than an entry); none for a group that cannot be read.
    pub entries_of: &'a dyn Fn(GroupId) -> Vec<[u8; 8]>,
    /// Every entry that can be read, removed ones too, with its passwords
    /// over time as classes of equal values; asked at most once per
    /// handover, and only when the member knew a password.
    pub passwords: &'a dyn Fn() -> Vec<Passwords>,
}

/// One of an entry's passwords, as a class: no secret, but equal
/// passwords (across every entry given) have equal classes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PasswordSpan {
    /// `None` for no password (which nothing shares).
    pub class: Option<u32>,
    /// When it stopped being the entry's password (the time of the change
    /// that replaced it); `None` for the current one.
    pub until: Option<i64>,
}

/// An entry's passwords, oldest first, the current one last.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Passwords {
    pub entry: [u8; 8],
    pub group: GroupId,
    pub spans: Vec<PasswordSpan>,
}

impl Facts<'_> {
    /// A password `edit` record at `time` that the entry bears out.
    fn rotation(&self, entry: [u8; 8], action: Action, field: Option<Field>, time: i64) -> bool {
        is_rotation(action, field) && (self.password_changed)(entry, time) != Some(false)
    }
}

/// The entries `member` was exposed to in `log` and that were not rotated
/// since, in the order of their first exposure.
pub fn exposure_set(log: &[Verified], member: MemberId, facts: &Facts<'_>) -> Vec<Item> {
    let mut items: Vec<Item> = Vec::new();
    for (pos, v) in log.iter().enumerate() {
        let r = &v.record;
        let Some(entry) = r.entry else { continue };
        if r.member == member {
            if !is_exposure(r.action, r.field) {
                continue;
            }
            let e = Exposure {
                seq: pos as u64,
                time: r.time,
                action: r.action,
                field: r.field,
                via: None,
            };
            match items.iter_mut().find(|i| i.entry == entry) {
                Some(i) => {
                    i.exposures.push(e);
                    i.group = r.group.or(i.group);
                }
                None => items.push(Item {
                    entry,
                    group: r.group,
                    exposures: vec![e],
                    rotated: None,
                    verified: None,
                }),
            }
        } else if facts.rotation(entry, r.action, r.field, r.time) {
            items.retain(|i| i.entry != entry);
        }
    }
    items
}

/// Every handover in the log, with each checklist's state as of the log's
/// end, oldest first.
pub fn handovers(log: &[Verified], facts: &Facts<'_>) -> Vec<Handover> {
    let mut out = Vec::new();
    for (i, v) in log.iter().enumerate() {
        let r = &v.record;
        let (Action::Handover, Some(member)) = (r.action, r.target) else {
            continue;
        };
        if !(facts.is_owner)(r.member) {
            continue;
        }
        let mut items = exposure_set(&log[..i], member, facts);
        let mut equal = Equal::new(log, facts);
        // Entries that held, when the handover began, a password the
        // member had learnt before it.
        let known = knowing_records(&log[..i], member);
        equal.expose(&mut items, &known, i, r.time);
        // Which later records follow the handover (its descendants); the
        // others were written on a copy that had not seen it.
        let mut follows: std::collections::HashSet<[u8; 32]> =
            std::collections::HashSet::from([v.hash]);
        for (j, later) in log.iter().enumerate().skip(i + 1) {
            let l = &later.record;
            let pos = j as u64;
            let after = l.parents.iter().any(|p| follows.contains(p));
            if after {
                follows.insert(later.hash);
            }
            // The member's own record on a copy that had not seen the
            // handover, merged since: an exposure it did not count.
            if !after
                && l.member == member
                && let Some(entry) = l.entry
                && is_exposure(l.action, l.field)
            {
                expose(&mut items, entry, l.group, pos, l);
                if knows_password(l.action, l.field) {
                    let k = Known {
                        entry,
                        seq: j,
                        time: l.time,
                        action: l.action,
                    };
                    equal.expose(&mut items, &[k], j, l.time);
                }
                continue;
            }
            // An owner's merge of such a copy: its content of the group
            // was readable by the member.
            if l.action == Action::Exposure
                && l.target == Some(member)
                && (facts.is_owner)(l.member)
                && let Some(group) = l.group
            {
                let mut known = Vec::new();
                for entry in (facts.entries_of)(group) {
                    expose(&mut items, entry, Some(group), pos, l);
                    known.push(Known {
                        entry,
                        seq: j,
                        time: l.time,
                        action: l.action,
                    });
                }
                equal.expose(&mut items, &known, j, l.time);
                continue;
            }
            let Some(entry) = l.entry else { continue };
            let Some(item) = items.iter_mut().find(|x| x.entry == entry) else {
                continue;
            };
            if facts.rotation(entry, l.action, l.field, l.time) && item.rotated.is_none() {
                item.rotated = Some((pos, l.time));
            } else if l.action == Action::HandoverVerify
                && l.target == Some(member)
                && (facts.is_owner)(l.member)
                && item.verified.is_none()
            {
                item.verified = Some((pos, l.time, l.member));
            }
        }
        out.push(Handover {
            member,
            seq: i as u64,
            time: r.time,
            by: r.member,
            checkpoint: LogHead {
                count: i as u64,
                hash: r.parents.first().copied().unwrap_or([0; 32]),
            },
            items,
        });
    }
    out
}

/// Whether a record by the member shows they knew the password the entry
/// it names had then: they revealed, copied or exported it, created the
/// entry, or set its password (an `exposure` record: they could read it).
fn knows_password(action: Action, field: Option<Field>) -> bool {
    match action {
        Action::Reveal | Action::Copy | Action::Export => {
            matches!(field, Some(Field::Password | Field::All))
        }
        Action::Add | Action::Import | Action::Exposure => true,
        Action::Edit => field == Some(Field::Password),
        _ => false,
    }
}

/// A record by which the member learnt the password of `entry`.
#[derive(Clone, Copy, Debug)]
struct Known {
    entry: [u8; 8],
    /// The record's place in the log.
    seq: usize,
    time: i64,
    action: Action,
}

/// The member's records, in `log`, that show they knew a password.
fn knowing_records(log: &[Verified], member: MemberId) -> Vec<Known> {
    log.iter()
        .enumerate()
        .filter_map(|(seq, v)| {
            let r = &v.record;
            let entry = r.entry?;
            (r.member == member && knows_password(r.action, r.field)).then_some(Known {
                entry,
                seq,
                time: r.time,
                action: r.action,
            })
        })
        .collect()
}

/// The class of the password `spans` (sorted by `until`, the current one
/// last) held at a record of time `t` that `changed_after` password
/// changes of the same second follow in the log: times are in seconds, so
/// the log's order tells which side of a change made within the second a
/// record was written on.
fn value_at(spans: &[PasswordSpan], t: i64, changed_after: usize) -> Option<u32> {
    let first = spans.iter().position(|s| s.until.is_none_or(|u| u >= t))?;
    let at_t = spans[first..]
        .iter()
        .take_while(|s| s.until == Some(t))
        .count();
    let pick = first + at_t.saturating_sub(changed_after);
    spans.get(pick.min(spans.len() - 1)).and_then(|s| s.class)
}

/// Which entries held equal passwords, and when: the caller's
/// [`Passwords`], asked for once, and where in the log passwords changed.
struct Equal<'a> {
    log: &'a [Verified],
    facts: &'a Facts<'a>,
    passwords: Option<Vec<Passwords>>,
    /// The places of the password changes of each entry, by entry and time.
    changes: Option<Changes>,
}

/// Places in the log of password changes, by entry and time.
type Changes = HashMap<([u8; 8], i64), Vec<usize>>;

impl<'a> Equal<'a> {
    fn new(log: &'a [Verified], facts: &'a Facts<'a>) -> Self {
        Equal {
            log,
            facts,
            passwords: None,
            changes: None,
        }
    }

    /// How many password changes of `entry` at time `t` the log holds
    /// after place `seq`.
    fn changed_after(&mut self, entry: [u8; 8], seq: usize, t: i64) -> usize {
        let log = self.log;
        let changes = self.changes.get_or_insert_with(|| {
            let mut m = Changes::new();
            for (pos, v) in log.iter().enumerate() {
                let r = &v.record;
                if let Some(e) = r.entry
                    && is_rotation(r.action, r.field)
                {
                    m.entry((e, r.time)).or_default().push(pos);
                }
            }
            m
        });
        changes
            .get(&(entry, t))
            .map_or(0, |places| places.iter().filter(|p| **p > seq).count())
    }

    /// Exposes, through `known`'s records, every other entry whose
    /// password at place `at` (of time `at_time`) in the log is one the
    /// member learnt: an item of its own, or an exposure added to the
    /// entry's item unless the member knew its password directly.
    fn expose(&mut self, items: &mut Vec<Item>, known: &[Known], at: usize, at_time: i64) {
        if known.is_empty() {
            return;
        }
        let facts = self.facts;
        let passwords = self.passwords.take().unwrap_or_else(|| (facts.passwords)());
        let by_entry: HashMap<[u8; 8], &Passwords> =
            passwords.iter().map(|p| (p.entry, p)).collect();
        // Each class the member learnt, with the first record that showed it.
        let mut learnt: HashMap<u32, Known> = HashMap::new();
        for k in known {
            let Some(p) = by_entry.get(&k.entry) else {
                continue;
            };
            let after = self.changed_after(k.entry, k.seq, k.time);
            let mut classes = vec![value_at(&p.spans, k.time, after)];
            if k.action == Action::Edit {
                // The password they replaced, too.
                classes.push(value_at(&p.spans, k.time, after + 1));
            }
            for c in classes.into_iter().flatten() {
                learnt.entry(c).or_insert(*k);
            }
        }
        if !learnt.is_empty() {
            for p in &passwords {
                let after = self.changed_after(p.entry, at, at_time);
                let Some(k) = value_at(&p.spans, at_time, after).and_then(|c| learnt.get(&c))
                else {
                    continue;
                };
                if k.entry == p.entry {
                    continue;
                }
                let e = Exposure {
                    seq: k.seq as u64,
                    time: k.time,
                    action: k.action,
                    field: Some(Field::Password),
                    via: Some(k.entry),
                };
                match items.iter_mut().find(|i| i.entry == p.entry) {
                    Some(i)
                        if i.exposures.iter().any(|x| {
                            x.via == Some(k.entry)
                                || (x.via.is_none() && knows_password(x.action, x.field))
                        }) => {}
                    Some(i) => {
                        let place = i.exposures.partition_point(|x| x.seq <= e.seq);
                        i.exposures.insert(place, e);
                    }
                    None => items.push(Item {
                        entry: p.entry,
                        group: Some(p.group),
                        exposures: vec![e],
                        rotated: None,
                        verified: None,
                    }),
                }
            }
        }
        self.passwords = Some(passwords);
    }
}

/// Adds an exposure of `entry` by record `r` (at `pos`) to its item,
/// creating the item when the entry had none.
fn expose(
    items: &mut Vec<Item>,
    entry: [u8; 8],
    group: Option<GroupId>,
    pos: u64,
    r: &crate::audit::Record,
) {
    let e = Exposure {
        seq: pos,
        time: r.time,
        action: r.action,
        field: if r.action == Action::Exposure {
            Some(Field::All)
        } else {
            r.field
        },
        via: None,
    };
    match items.iter_mut().find(|i| i.entry == entry) {
        Some(i) => i.exposures.push(e),
        None => items.push(Item {
            entry,
            group,
            exposures: vec![e],
            rotated: None,
            verified: None,
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::audit::Record;

    const BOB: MemberId = 2;
    const OWNER: MemberId = 1;
    const CAROL: MemberId = 3;

    /// Member 1 is the owner; entries are not readable, so records are
    /// taken as they are.
    const TRUST: Facts<'static> = Facts {
        is_owner: &|m| m == OWNER,
        password_changed: &|_, _| None,
        entries_of: &|_| Vec::new(),
        passwords: &Vec::new,
    };

    fn rec(
        member: MemberId,
        action: Action,
        entry: Option<u8>,
        field: Option<Field>,
        target: Option<MemberId>,
    ) -> Record {
        Record {
            height: 0,
            parents: Vec::new(),
            time: 0,
            member,
            action,
            entry: entry.map(|e| [e; 8]),
            group: Some(1),
            field,
            details: None,
            target,
            bindings: Vec::new(),
        }
    }

    fn log(records: Vec<Record>) -> Vec<Verified> {
        records
            .into_iter()
            .enumerate()
            .map(|(i, mut record)| {
                record.height = i as u64;
                record.time = 1000 + i as i64;
                record.parents = if i == 0 {
                    Vec::new()
                } else {
                    vec![[i as u8; 32]]
                };
                // A chain: each record's hash is the next one's parent.
                Verified {
                    record,
                    hash: [i as u8 + 1; 32],
                }
            })
            .collect()
    }

    fn entries(items: &[Item]) -> Vec<u8> {
        items.iter().map(|i| i.entry[0]).collect()
    }

    #[test]
    fn the_set_holds_what_the_member_saw_or_set_and_nothing_else() {
        let l = log(vec![
            rec(BOB, Action::Unlock, None, None, None),
            rec(BOB, Action::Reveal, Some(1), Some(Field::Password), None),
            rec(BOB, Action::Copy, Some(2), Some(Field::Username), None),
            rec(BOB, Action::Reveal, Some(3), Some(Field::TotpCode), None),
            rec(BOB, Action::Add, Some(4), None, None),
            rec(OWNER, Action::Reveal, Some(5), Some(Field::Password), None),
            rec(BOB, Action::Copy, Some(6), Some(Field::Url), None),
            rec(
                BOB,
                Action::CodeUsed,
                Some(7),
                Some(Field::BackupCodes),
                None,
            ),
            rec(BOB, Action::Remove, Some(8), None, None),
        ]);
        let set = exposure_set(&l, BOB, &TRUST);
        assert_eq!(entries(&set), [1, 3, 4, 7]);
        assert!(!set[0].touches_mfa(), "a password reveal is not MFA");
        assert!(set[1].touches_mfa() && set[2].touches_mfa() && set[3].touches_mfa());
    }

    #[test]
    fn a_rotation_by_someone_else_clears_earlier_exposures_only() {
        let l = log(vec![
            rec(BOB, Action::Reveal, Some(1), Some(Field::Password), None),
            rec(BOB, Action::Reveal, Some(2), Some(Field::Password), None),
            rec(OWNER, Action::Edit, Some(1), Some(Field::Password), None),
            rec(OWNER, Action::Edit, Some(2), None, None),
            rec(BOB, Action::Edit, Some(3), Some(Field::Password), None),
        ]);
        let set = exposure_set(&l, BOB, &TRUST);
        assert_eq!(
            entries(&set),
            [2, 3],
            "1 was rotated after bob saw it; a title edit does not rotate 2; bob's own change exposes 3"
        );
        let l2 = log(vec![
            rec(BOB, Action::Reveal, Some(1), Some(Field::Password), None),
            rec(OWNER, Action::Edit, Some(1), Some(Field::Password), None),
            rec(BOB, Action::Copy, Some(1), Some(Field::Password), None),
        ]);
        let set = exposure_set(&l2, BOB, &TRUST);
        assert_eq!(entries(&set), [1], "seen again after the rotation");
        assert_eq!(set[0].exposures.len(), 1);
        assert_eq!(set[0].exposures[0].seq, 2);
    }

    #[test]
    fn items_move_from_pending_to_rotated_to_verified() {
        let l = log(vec![
            rec(BOB, Action::Reveal, Some(1), Some(Field::Password), None),
            rec(BOB, Action::Reveal, Some(2), Some(Field::Password), None),
            rec(OWNER, Action::MemberRevoke, None, None, Some(BOB)),
            rec(OWNER, Action::Handover, None, None, Some(BOB)),
            rec(OWNER, Action::Edit, Some(1), Some(Field::Password), None),
            rec(OWNER, Action::Edit, Some(1), Some(Field::Password), None),
            rec(OWNER, Action::HandoverVerify, Some(1), None, Some(BOB)),
            rec(OWNER, Action::HandoverVerify, Some(2), None, Some(3)),
            rec(OWNER, Action::Reveal, Some(2), Some(Field::Password), None),
        ]);
        let hs = handovers(&l, &TRUST);
        assert_eq!(hs.len(), 1);
        let h = &hs[0];
        assert_eq!((h.member, h.seq, h.by), (BOB, 3, OWNER));
        assert_eq!(h.checkpoint.count, 3, "computed from the records before it");
        assert_eq!(h.checkpoint.hash, [3; 32]);
        let states: Vec<State> = h.items.iter().map(Item::state).collect();
        assert_eq!(states, [State::Verified, State::Pending]);
        assert_eq!(
            h.items[0].rotated,
            Some((4, 1004)),
            "the first change counts"
        );
        assert_eq!(
            h.open_items().map(|i| i.entry[0]).collect::<Vec<_>>(),
            [2],
            "a verify record for another member's handover does not count"
        );
        assert!(!h.is_complete());
    }

    #[test]
    fn records_after_the_handover_do_not_join_its_set() {
        let l = log(vec![
            rec(OWNER, Action::Handover, None, None, Some(BOB)),
            rec(BOB, Action::Reveal, Some(1), Some(Field::Password), None),
        ]);
        let hs = handovers(&l, &TRUST);
        assert!(hs[0].items.is_empty());
        assert!(hs[0].is_complete());
    }

    /// Bob revealed a password on a copy of the vault that had not seen
    /// his handover; merged, his record follows the handover in stored
    /// order but not in the log's graph: it joins the checklist, and so
    /// does every entry of a group an owner's merge says he could read.
    #[test]
    fn records_from_a_copy_that_had_not_seen_the_handover_join_its_set() {
        let mut l = log(vec![
            rec(OWNER, Action::Add, Some(1), None, None),
            rec(OWNER, Action::Handover, None, None, Some(BOB)),
            rec(BOB, Action::Reveal, Some(1), Some(Field::Password), None),
            rec(OWNER, Action::Merge, None, None, None),
            rec(OWNER, Action::Exposure, None, None, Some(BOB)),
        ]);
        // Bob's record follows the add, not the handover; the merge joins.
        l[2].record.parents = vec![l[0].hash];
        l[3].record.parents = vec![l[1].hash, l[2].hash];
        let facts = Facts {
            is_owner: &|m| m == OWNER,
            password_changed: &|_, _| None,
            entries_of: &|g| {
                if g == 1 {
                    vec![[1; 8], [9; 8]]
                } else {
                    Vec::new()
                }
            },
            passwords: &Vec::new,
        };
        let hs = handovers(&l, &facts);
        assert_eq!(entries(&hs[0].items), [1, 9]);
        assert!(
            hs[0].items[0]
                .exposures
                .iter()
                .any(|e| e.action == Action::Reveal)
        );
    }

    #[test]
    fn only_owners_start_or_confirm_a_handover_and_rotations_need_the_entry() {
        let l = log(vec![
            rec(BOB, Action::Reveal, Some(1), Some(Field::Password), None),
            rec(BOB, Action::Reveal, Some(2), Some(Field::Password), None),
            rec(BOB, Action::Handover, None, None, Some(BOB)),
            rec(OWNER, Action::Handover, None, None, Some(BOB)),
            rec(CAROL, Action::Edit, Some(1), Some(Field::Password), None),
            rec(OWNER, Action::Edit, Some(2), Some(Field::Password), None),
            rec(CAROL, Action::HandoverVerify, Some(2), None, Some(BOB)),
        ]);
        // Entry 1's password never changed; entry 2's changed at 1005.
        let facts = Facts {
            is_owner: &|m| m == OWNER,
            password_changed: &|e, t| Some(e == [2; 8] && t == 1005),
            entries_of: &|_| Vec::new(),
            passwords: &Vec::new,
        };
        let hs = handovers(&l, &facts);
        assert_eq!(hs.len(), 1, "bob's own handover record is ignored");
        assert_eq!(hs[0].seq, 3);
        let states: Vec<State> = hs[0].items.iter().map(Item::state).collect();
        assert_eq!(
            states,
            [State::Pending, State::Rotated],
            "carol's record claims a change entry 1 does not hold; her verify is not an owner's"
        );
    }

    fn spans(list: &[(Option<u32>, Option<i64>)]) -> Vec<PasswordSpan> {
        list.iter()
            .map(|&(class, until)| PasswordSpan { class, until })
            .collect()
    }

    #[test]
    fn the_password_at_a_record_follows_the_log_order_within_a_second() {
        // Class 7 until a change at 1000, then class 8.
        let s = spans(&[(Some(7), Some(1000)), (Some(8), None)]);
        assert_eq!(value_at(&s, 999, 0), Some(7));
        assert_eq!(value_at(&s, 1000, 1), Some(7), "the change follows it");
        assert_eq!(value_at(&s, 1000, 0), Some(8), "the change preceded it");
        assert_eq!(value_at(&s, 1001, 0), Some(8));
        assert_eq!(value_at(&s, 1000, 5), Some(7), "more changes than held");
        assert_eq!(value_at(&spans(&[(None, None)]), 1000, 0), None);
    }

    /// The security review's finding 4: a password the member revealed
    /// exposes every other entry still holding it when the handover
    /// begins, whichever group it is in; not one that changed before, nor
    /// one with another password. A later change of such an entry's
    /// password rotates its item like any other.
    #[test]
    fn entries_holding_a_password_the_member_revealed_join_the_set() {
        let l = log(vec![
            rec(BOB, Action::Reveal, Some(1), Some(Field::Password), None),
            rec(OWNER, Action::Edit, Some(3), Some(Field::Password), None),
            rec(OWNER, Action::Handover, None, None, Some(BOB)),
            rec(OWNER, Action::Edit, Some(2), Some(Field::Password), None),
        ]);
        // Times: 1000, 1001, 1002, 1003. Entries 1, 2, 3 and 5 had class 7.
        let passwords = || {
            vec![
                Passwords {
                    entry: [1; 8],
                    group: 1,
                    spans: spans(&[(Some(7), None)]),
                },
                Passwords {
                    entry: [2; 8],
                    group: 2,
                    spans: spans(&[(Some(7), Some(1003)), (Some(8), None)]),
                },
                Passwords {
                    entry: [3; 8],
                    group: 1,
                    spans: spans(&[(Some(7), Some(1001)), (Some(9), None)]),
                },
                Passwords {
                    entry: [4; 8],
                    group: 1,
                    spans: spans(&[(Some(5), None)]),
                },
                Passwords {
                    entry: [5; 8],
                    group: 1,
                    spans: spans(&[(Some(7), Some(999)), (Some(6), None)]),
                },
            ]
        };
        let facts = Facts {
            passwords: &passwords,
            ..TRUST
        };
        let hs = handovers(&l, &facts);
        let items = &hs[0].items;
        assert_eq!(entries(items), [1, 2]);
        let reused = &items[1];
        assert_eq!(reused.group, Some(2), "in a group bob never read");
        assert_eq!(reused.exposures.len(), 1);
        assert_eq!(reused.exposures[0].via, Some([1; 8]));
        assert_eq!(reused.exposures[0].action, Action::Reveal);
        assert_eq!(reused.exposures[0].seq, 0, "the record bob learnt it by");
        assert!(!reused.touches_mfa());
        assert_eq!(
            reused.exposures[0].describe(),
            "same password as another entry, which they revealed"
        );
        assert_eq!(reused.state(), State::Rotated, "its change at 1003");
        assert_eq!(items[0].state(), State::Pending);
    }

    /// A member who set a password knew the one it replaced as well; an
    /// entry whose password they knew directly gets no second reason.
    #[test]
    fn a_member_who_changed_a_password_knew_the_old_one_too() {
        let l = log(vec![
            rec(BOB, Action::Edit, Some(1), Some(Field::Password), None),
            rec(BOB, Action::Reveal, Some(3), Some(Field::Password), None),
            rec(OWNER, Action::Handover, None, None, Some(BOB)),
        ]);
        // Entry 1 went from class 7 to class 8 at 1000; 2 holds 7, 3 holds 8.
        let passwords = || {
            vec![
                Passwords {
                    entry: [1; 8],
                    group: 1,
                    spans: spans(&[(Some(7), Some(1000)), (Some(8), None)]),
                },
                Passwords {
                    entry: [2; 8],
                    group: 1,
                    spans: spans(&[(Some(7), None)]),
                },
                Passwords {
                    entry: [3; 8],
                    group: 1,
                    spans: spans(&[(Some(8), None)]),
                },
            ]
        };
        let facts = Facts {
            passwords: &passwords,
            ..TRUST
        };
        let items = &handovers(&l, &facts)[0].items;
        assert_eq!(entries(items), [1, 3, 2]);
        assert_eq!(
            items[1].exposures.len(),
            1,
            "3 was revealed: no second reason"
        );
        assert_eq!(items[2].exposures[0].via, Some([1; 8]));
        assert_eq!(items[2].exposures[0].verb(), "changed");
    }

    /// The security review's finding 5: a member's import naming an
    /// entry (a row of their file equal to it) told them its password.
    #[test]
    fn an_import_naming_an_entry_exposes_it_and_one_naming_none_does_not() {
        let l = log(vec![
            rec(BOB, Action::Import, None, None, None),
            rec(BOB, Action::Import, Some(4), None, None),
        ]);
        let set = exposure_set(&l, BOB, &TRUST);
        assert_eq!(entries(&set), [4]);
        assert_eq!(set[0].exposures[0].describe(), "imported a row equal to it");
        assert!(!set[0].touches_mfa());
    }
}
