//! Merging two versions of one entry, part by part (docs/FORMAT.md §17.2).
//!
//! Each part (title, username, password, URLs, notes, tags, identity,
//! TOTP, backup codes, rotation, expiry, removal, group) and each custom
//! field carries the stamp of its last change, and each version of the
//! entry a clock of the writers whose changes it holds. For a part whose
//! stamps differ:
//!
//! 1. if one version holds the other's change and not the reverse, its
//!    value is the newer one and wins: no conflict;
//! 2. otherwise both changed it without seeing the other's change: a
//!    conflict. The value with the later stamp wins (time, then member id,
//!    then writer id: the same on every machine, whichever copy merges
//!    into which), and the other value goes to the entry's history, so
//!    nothing is lost; the merge reports it.
//!
//! A removal is a part like the others, so a removed entry stays removed
//! unless a restore is newer. A removed custom field leaves its name and
//! stamp in `gone`, so it does not come back. Backup codes marked used on
//! either side stay used; histories are united. Pure.

use zeroize::Zeroizing;

use super::entry::{CustomField, Entry, HistoryItem, Part, Stamp};
use crate::format::MemberId;
use crate::secret::Concealed;

/// One part both versions changed, each without seeing the other.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PartConflict {
    /// The part's name (`password`, `url`, …) or the custom field's.
    pub part: String,
    pub kept: Stamp,
    pub lost: Stamp,
}

/// Which version a part's value came from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Winner {
    A,
    B,
}

/// Decides between two stamps of one part (rule 1, then rule 2).
/// `conflict` is true when neither version knew the other's change.
fn decide(
    a: &Entry,
    sa: &Stamp,
    b: &Entry,
    sb: &Stamp,
    revoked: &dyn Fn(MemberId) -> bool,
) -> (Winner, bool) {
    if sa == sb {
        return (Winner::A, false);
    }
    match (a.knows(sb), b.knows(sa)) {
        (true, false) => (Winner::A, false),
        (false, true) => (Winner::B, false),
        // In a conflict, a change by a member the merged vault has
        // revoked loses, whatever its time says: an old copy of theirs
        // never overrides a value changed without them.
        _ => match (revoked(sa.member), revoked(sb.member)) {
            (true, false) => (Winner::B, true),
            (false, true) => (Winner::A, true),
            _ if later(sa, sb) => (Winner::A, true),
            _ => (Winner::B, true),
        },
    }
}

/// The deterministic order of rule 2.
fn later(a: &Stamp, b: &Stamp) -> bool {
    (a.time, a.member, a.writer) > (b.time, b.member, b.writer)
}

/// The result of [`merge`].
pub struct Merged {
    pub entry: Entry,
    pub conflicts: Vec<PartConflict>,
    /// The `Group` part came from `b`: the entry lives where `b` has it.
    pub group_from_b: bool,
}

/// Merges two versions of the same entry (same id). `revoked` says which
/// members the merged vault has revoked.
pub fn merge(mut a: Entry, mut b: Entry, revoked: &dyn Fn(MemberId) -> bool) -> Merged {
    // Use marks of both, taken before either list of codes moves.
    let used: Vec<(Concealed, i64, Option<MemberId>)> = a
        .backup_codes
        .iter()
        .chain(&b.backup_codes)
        .filter_map(|c| c.used_at.map(|t| (c.code.duplicate(), t, c.used_by)))
        .collect();
    let mut conflicts = Vec::new();
    let mut lost: Vec<HistoryItem> = Vec::new();
    let mut group_from_b = false;
    for part in Part::ALL {
        let (sa, sb) = (a.stamp(part), b.stamp(part));
        let (winner, conflict) = decide(&a, &sa, &b, &sb, revoked);
        let (kept, other) = match winner {
            Winner::A => (sa, sb),
            Winner::B => (sb, sa),
        };
        if part == Part::Group {
            group_from_b = winner == Winner::B;
            if conflict {
                conflicts.push(PartConflict {
                    part: part.as_str().into(),
                    kept,
                    lost: other,
                });
            }
            a.set_stamp(part, kept);
            continue;
        }
        let differs = a.part_bytes(part) != b.part_bytes(part);
        if conflict && differs {
            let (loser, by) = match winner {
                Winner::A => (&b, sb),
                Winner::B => (&a, sa),
            };
            lost.push(HistoryItem {
                value: render(loser, part),
                replaced_at: kept.time,
                replaced_by: by.member,
                field: (part != Part::Password).then(|| part.as_str().to_owned()),
            });
            conflicts.push(PartConflict {
                part: part.as_str().into(),
                kept,
                lost: other,
            });
        }
        if winner == Winner::B && differs {
            take(&mut a, &mut b, part);
        }
        if winner == Winner::B || sa == sb {
            a.set_stamp(part, sb);
        }
    }
    merge_fields(&mut a, &mut b, &mut conflicts, &mut lost, revoked);
    merge_codes(&mut a, &used);
    merge_history(&mut a, std::mem::take(&mut b.history), lost);
    for (w, t) in &b.clock {
        match a.clock.iter_mut().find(|(x, _)| x == w) {
            Some((_, mine)) => *mine = (*mine).max(*t),
            None => a.clock.push((*w, *t)),
        }
    }
    a.clock.sort_unstable();
    a.stamps.sort_unstable_by_key(|(p, _)| *p);
    a.gone.sort_by(|x, y| x.0.cmp(&y.0));
    // Parts still at the creation stamp need no entry in `stamps`.
    let created = a.created_stamp();
    a.stamps.retain(|(_, s)| *s != created);
    if (b.modified_at, b.modified_by) > (a.modified_at, a.modified_by) {
        a.modified_at = b.modified_at;
        a.modified_by = b.modified_by;
    }
    Merged {
        entry: a,
        conflicts,
        group_from_b,
    }
}

/// Moves `part`'s value from `b` into `a`.
fn take(a: &mut Entry, b: &mut Entry, part: Part) {
    match part {
        Part::Title => a.title = std::mem::take(&mut b.title),
        Part::Username => a.username = std::mem::take(&mut b.username),
        Part::Password => {
            a.password = std::mem::replace(&mut b.password, Concealed::of(""));
            a.password_changed_at = b.password_changed_at;
            a.strength = b.strength;
        }
        Part::Urls => a.urls = std::mem::take(&mut b.urls),
        Part::Notes => a.notes = std::mem::replace(&mut b.notes, Concealed::of("")),
        Part::Tags => a.tags = std::mem::take(&mut b.tags),
        Part::Identity => a.identity = b.identity.take(),
        Part::Totp => a.totp = b.totp.take(),
        Part::BackupCodes => a.backup_codes = std::mem::take(&mut b.backup_codes),
        Part::RotateDays => a.rotate_days = b.rotate_days,
        Part::ExpiresAt => a.expires_at = b.expires_at,
        Part::Removed => a.removed = b.removed,
        Part::Group => {}
    }
}

/// A part's value as text, for the history.
fn render(e: &Entry, part: Part) -> Concealed {
    let text: Zeroizing<String> = Zeroizing::new(match part {
        Part::Title => e.title.clone(),
        Part::Username => e.username.clone(),
        Part::Password => e.password.expose().to_owned(),
        Part::Urls => e.urls.join("\n"),
        Part::Notes => e.notes.expose().to_owned(),
        Part::Tags => e.tags.join(", "),
        Part::Identity => e.identity.clone().unwrap_or_default(),
        Part::Totp => e
            .totp
            .as_ref()
            .map(|t| t.to_uri().to_string())
            .unwrap_or_default(),
        Part::BackupCodes => e
            .backup_codes
            .iter()
            .map(|c| c.code.expose())
            .collect::<Vec<_>>()
            .join("\n"),
        Part::RotateDays => e.rotate_days.map(|d| d.to_string()).unwrap_or_default(),
        Part::ExpiresAt => e
            .expires_at
            .map(crate::dates::format_date)
            .unwrap_or_default(),
        Part::Removed => if e.removed.is_some() {
            "removed"
        } else {
            "present"
        }
        .to_owned(),
        Part::Group => String::new(),
    });
    Concealed::of(&text)
}

/// A custom field's state in one version.
enum FieldState<'a> {
    Present(&'a CustomField, Stamp),
    Gone(Stamp),
    Absent,
}

fn field_state<'a>(e: &'a Entry, name: &str) -> FieldState<'a> {
    if let Some(f) = e.fields.iter().find(|f| f.name == name) {
        return FieldState::Present(f, f.stamp.unwrap_or_else(|| e.created_stamp()));
    }
    match e.gone.iter().find(|(n, _)| n == name) {
        Some((_, s)) => FieldState::Gone(*s),
        None => FieldState::Absent,
    }
}

fn field_bytes(f: &CustomField) -> Zeroizing<Vec<u8>> {
    crate::format::codec::encode_secret(&(&f.value, f.concealed), 0)
}

/// Custom fields merge by name, each with its own stamp; a removal is a
/// stamped state like a value.
fn merge_fields(
    a: &mut Entry,
    b: &mut Entry,
    conflicts: &mut Vec<PartConflict>,
    lost: &mut Vec<HistoryItem>,
    revoked: &dyn Fn(MemberId) -> bool,
) {
    let mut names: Vec<String> = Vec::new();
    for n in a
        .fields
        .iter()
        .map(|f| &f.name)
        .chain(a.gone.iter().map(|(n, _)| n))
        .chain(b.fields.iter().map(|f| &f.name))
        .chain(b.gone.iter().map(|(n, _)| n))
    {
        if !names.contains(n) {
            names.push(n.clone());
        }
    }
    // (name, from b, conflict loser to history)
    let mut from_b: Vec<String> = Vec::new();
    for name in &names {
        let (sa, sb) = (field_state(a, name), field_state(b, name));
        let (stamp_a, stamp_b) = match (&sa, &sb) {
            (FieldState::Absent, _) => {
                from_b.push(name.clone());
                continue;
            }
            (_, FieldState::Absent) => continue,
            (FieldState::Present(_, x) | FieldState::Gone(x), FieldState::Present(_, y))
            | (FieldState::Present(_, x) | FieldState::Gone(x), FieldState::Gone(y)) => (*x, *y),
        };
        let (winner, conflict) = decide(a, &stamp_a, b, &stamp_b, revoked);
        let differs = match (&sa, &sb) {
            (FieldState::Present(x, _), FieldState::Present(y, _)) => {
                field_bytes(x) != field_bytes(y)
            }
            (FieldState::Gone(_), FieldState::Gone(_)) => false,
            _ => true,
        };
        if conflict && differs {
            let (loser, kept, other) = match winner {
                Winner::A => (&sb, stamp_a, stamp_b),
                Winner::B => (&sa, stamp_b, stamp_a),
            };
            if let FieldState::Present(f, _) = loser {
                lost.push(HistoryItem {
                    value: f.value.duplicate(),
                    replaced_at: kept.time,
                    replaced_by: other.member,
                    field: Some(name.clone()),
                });
            }
            conflicts.push(PartConflict {
                part: name.clone(),
                kept,
                lost: other,
            });
        }
        if winner == Winner::B && stamp_a != stamp_b {
            from_b.push(name.clone());
        }
    }
    for name in from_b {
        a.fields.retain(|f| f.name != name);
        a.gone.retain(|(n, _)| *n != name);
        if let Some(i) = b.fields.iter().position(|f| f.name == name) {
            let mut f = b.fields.remove(i);
            f.stamp = Some(f.stamp.unwrap_or_else(|| b.created_stamp()));
            a.fields.push(f);
        } else if let Some((_, s)) = b.gone.iter().find(|(n, _)| *n == name) {
            a.gone.push((name, *s));
        }
    }
}

/// A code used on either side stays used (the earlier use is kept).
fn merge_codes(a: &mut Entry, used: &[(Concealed, i64, Option<MemberId>)]) {
    for code in &mut a.backup_codes {
        for (_, at, by) in used.iter().filter(|(v, _, _)| *v == code.code) {
            if code.used_at.is_none_or(|t| *at < t) {
                code.used_at = Some(*at);
                code.used_by = *by;
            }
        }
    }
}

/// Both histories and the values that lost a conflict, each once, oldest
/// first.
fn merge_history(a: &mut Entry, b: Vec<HistoryItem>, lost: Vec<HistoryItem>) {
    for item in b.into_iter().chain(lost) {
        if !a.history.contains(&item) {
            a.history.push(item);
        }
    }
    a.history.sort_by(|x, y| {
        (x.replaced_at, x.replaced_by, &x.field, x.value.expose()).cmp(&(
            y.replaced_at,
            y.replaced_by,
            &y.field,
            y.value.expose(),
        ))
    });
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::vault::EntryId;

    const OWNER: u32 = 1;
    const BOB: u32 = 7;

    fn none(_: u32) -> bool {
        false
    }

    fn unused_code(code: &str) -> crate::vault::BackupCode {
        crate::vault::BackupCode {
            code: Concealed::of(code),
            used_at: None,
            used_by: None,
        }
    }

    fn base() -> Entry {
        let mut e = Entry::new(EntryId([3; 8]), "Bank".into(), 100, OWNER);
        e.username = "boss".into();
        e.password = Concealed::of("first");
        e
    }

    /// Changes an entry as `Vault::edit` does: a new stamp for what the
    /// change touched.
    fn change(
        e: &mut Entry,
        now: i64,
        member: u32,
        writer: u32,
        parts: &[Part],
        f: impl FnOnce(&mut Entry),
    ) {
        f(e);
        let s = e.next_stamp(now, member, writer);
        for p in parts {
            e.set_stamp(*p, s);
        }
    }

    fn copy(e: &Entry) -> Entry {
        let bytes = crate::format::codec::encode_secret(e, 0);
        crate::format::codec::decode(&bytes).expect("decodes")
    }

    #[test]
    fn a_change_on_one_side_wins_without_a_conflict() {
        let a = base();
        let mut b = copy(&a);
        change(&mut b, 200, BOB, 9, &[Part::Username], |e| {
            e.username = "bob".into()
        });
        for (x, y) in [(copy(&a), copy(&b)), (copy(&b), copy(&a))] {
            let m = merge(x, y, &none);
            assert_eq!(m.entry.username, "bob");
            assert!(m.conflicts.is_empty());
            assert!(m.entry.history.is_empty());
        }
    }

    #[test]
    fn a_newer_change_made_after_seeing_the_other_wins_whatever_the_clocks_say() {
        let a = base();
        let mut b = copy(&a);
        change(&mut b, 500, BOB, 9, &[Part::Password], |e| {
            e.password = Concealed::of("bob's")
        });
        // The owner's machine, its clock behind, sees Bob's change and
        // changes the password again.
        let mut c = copy(&b);
        change(&mut c, 300, OWNER, 4, &[Part::Password], |e| {
            e.password = Concealed::of("owner's")
        });
        let m = merge(copy(&b), copy(&c), &none);
        assert_eq!(m.entry.password.expose(), "owner's");
        assert!(m.conflicts.is_empty(), "{:?}", m.conflicts);
    }

    #[test]
    fn a_true_conflict_keeps_the_later_stamp_and_the_other_in_history() {
        let a = base();
        let mut x = copy(&a);
        let mut y = copy(&a);
        change(&mut x, 200, OWNER, 4, &[Part::Password], |e| {
            e.password = Concealed::of("x")
        });
        change(&mut y, 300, BOB, 9, &[Part::Password], |e| {
            e.password = Concealed::of("y")
        });
        for (p, q) in [(copy(&x), copy(&y)), (copy(&y), copy(&x))] {
            let m = merge(p, q, &none);
            assert_eq!(m.entry.password.expose(), "y", "the later stamp wins");
            assert_eq!(m.conflicts.len(), 1);
            assert_eq!(m.conflicts[0].part, "password");
            assert!(
                m.entry
                    .history
                    .iter()
                    .any(|h| h.value.expose() == "x" && h.field.is_none()),
                "the losing password is in the history"
            );
        }
    }

    #[test]
    fn different_parts_changed_on_each_side_both_survive() {
        let a = base();
        let mut x = copy(&a);
        let mut y = copy(&a);
        change(&mut x, 200, OWNER, 4, &[Part::Urls], |e| {
            e.urls = vec!["https://x".into()]
        });
        change(&mut y, 200, BOB, 9, &[Part::Notes], |e| {
            e.notes = Concealed::of("n")
        });
        let m = merge(x, y, &none);
        assert_eq!(m.entry.urls, ["https://x"]);
        assert_eq!(m.entry.notes.expose(), "n");
        assert!(m.conflicts.is_empty());
    }

    #[test]
    fn one_member_on_two_machines_is_two_writers() {
        let a = base();
        let mut x = copy(&a);
        let mut y = copy(&a);
        change(&mut x, 200, BOB, 1000, &[Part::Username], |e| {
            e.username = "laptop".into()
        });
        change(&mut y, 300, BOB, 2000, &[Part::Notes], |e| {
            e.notes = Concealed::of("desk")
        });
        let m = merge(x, y, &none);
        assert_eq!(
            m.entry.username, "laptop",
            "the laptop's change is not lost"
        );
        assert_eq!(m.entry.notes.expose(), "desk");
    }

    #[test]
    fn a_removal_survives_a_concurrent_edit() {
        let a = base();
        let mut x = copy(&a);
        let mut y = copy(&a);
        change(&mut x, 200, OWNER, 4, &[Part::Removed], |e| {
            e.removed = Some(crate::vault::Removal { at: 200, by: OWNER });
        });
        change(&mut y, 300, BOB, 9, &[Part::Username], |e| {
            e.username = "new".into()
        });
        let m = merge(x, y, &none);
        assert!(m.entry.removed.is_some(), "the removal stands");
        assert_eq!(m.entry.username, "new", "and the edit is kept in the trash");
    }

    #[test]
    fn a_removed_custom_field_stays_removed_and_an_added_one_arrives() {
        let mut a = base();
        a.fields.push(CustomField {
            name: "PIN".into(),
            value: Concealed::of("1234"),
            concealed: true,
            stamp: None,
        });
        let mut x = copy(&a);
        let mut y = copy(&a);
        let s = x.next_stamp(200, OWNER, 4);
        x.fields.clear();
        x.gone.push(("PIN".into(), s));
        let s = y.next_stamp(210, BOB, 9);
        y.fields.push(CustomField {
            name: "Branch".into(),
            value: Concealed::of("Main"),
            concealed: false,
            stamp: Some(s),
        });
        for (p, q) in [(copy(&x), copy(&y)), (copy(&y), copy(&x))] {
            let m = merge(p, q, &none);
            let names: Vec<&str> = m.entry.fields.iter().map(|f| f.name.as_str()).collect();
            assert_eq!(names, ["Branch"]);
            assert!(m.entry.gone.iter().any(|(n, _)| n == "PIN"));
            assert!(m.conflicts.is_empty());
        }
    }

    #[test]
    fn backup_code_use_marks_are_united() {
        let mut a = base();
        a.backup_codes = ["111", "222"].into_iter().map(unused_code).collect();
        let mut x = copy(&a);
        let mut y = copy(&a);
        x.backup_codes[0].used_at = Some(200);
        y.backup_codes[1].used_at = Some(300);
        let m = merge(x, y, &none);
        assert!(m.entry.backup_codes.iter().all(|c| c.used_at.is_some()));
    }

    #[test]
    fn merging_is_idempotent_and_the_same_in_both_orders() {
        let a = base();
        let mut x = copy(&a);
        let mut y = copy(&a);
        change(&mut x, 200, OWNER, 4, &[Part::Password, Part::Title], |e| {
            e.password = Concealed::of("x");
            e.title = "Bank X".into();
        });
        change(&mut y, 250, BOB, 9, &[Part::Password, Part::Tags], |e| {
            e.password = Concealed::of("y");
            e.tags = vec!["t".into()];
        });
        let xy = merge(copy(&x), copy(&y), &none).entry;
        let yx = merge(copy(&y), copy(&x), &none).entry;
        let enc = |e: &Entry| crate::format::codec::encode_secret(e, 0).to_vec();
        assert_eq!(enc(&xy), enc(&yx), "commutative");
        let again = merge(copy(&xy), copy(&xy), &none).entry;
        assert_eq!(enc(&again), enc(&xy), "idempotent");
        let more = merge(copy(&xy), copy(&y), &none);
        assert_eq!(
            enc(&more.entry),
            enc(&xy),
            "merging a side again changes nothing"
        );
        assert!(more.conflicts.is_empty());
    }

    #[test]
    fn a_revoked_members_change_loses_a_conflict_whatever_its_time() {
        let a = base();
        let mut x = copy(&a);
        let mut y = copy(&a);
        change(&mut x, 200, OWNER, 4, &[Part::Password], |e| {
            e.password = Concealed::of("rotated")
        });
        change(&mut y, 9_999, BOB, 9, &[Part::Password], |e| {
            e.password = Concealed::of("bob's")
        });
        let bob_revoked = |m: u32| m == BOB;
        for (p, q) in [(copy(&x), copy(&y)), (copy(&y), copy(&x))] {
            let m = merge(p, q, &bob_revoked);
            assert_eq!(m.entry.password.expose(), "rotated");
            assert_eq!(m.conflicts.len(), 1);
            assert!(m.entry.history.iter().any(|h| h.value.expose() == "bob's"));
        }
    }

    #[test]
    fn use_marks_survive_when_the_other_side_replaced_the_codes() {
        let mut a = base();
        a.backup_codes = ["111", "222"].into_iter().map(unused_code).collect();
        let mut x = copy(&a);
        let mut y = copy(&a);
        x.backup_codes[0].used_at = Some(150);
        // The other side replaced the list, keeping code 111.
        change(&mut y, 200, BOB, 9, &[Part::BackupCodes], |e| {
            e.backup_codes.truncate(1);
            e.backup_codes.push(unused_code("333"));
        });
        let m = merge(x, y, &none);
        assert_eq!(m.entry.backup_codes.len(), 2);
        assert_eq!(
            m.entry.backup_codes[0].used_at,
            Some(150),
            "the use of 111 was lost"
        );
    }
}
