//! The tree walk: each KeePass group becomes a `/`-separated path (the
//! root's own name left out), each entry outside the recycle bin a Baton
//! entry — its standard and custom fields, tags, times and password
//! history; the recycle bin's entries are reported as skipped.

use std::collections::HashMap;

use keepass::db::{Entry as KpEntry, Group as KpGroup, Times, Value};

use super::UNTITLED;
use super::otp::{totp, used_for_totp};
use crate::import::{Imported, Item, Skipped};
use crate::secret::Concealed;
use crate::vault::{CustomField, Entry, EntryId, HistoryItem};

/// KeePass's standard string fields, mapped onto the entry itself.
const STANDARD: [&str; 5] = ["Title", "UserName", "Password", "URL", "Notes"];

/// One walk over a database's groups, collecting entries, skips and
/// warnings into `out`.
pub(super) struct Walk<'a, R> {
    pub(super) out: &'a mut Imported,
    /// Attachment names by entry UUID.
    pub(super) attachments: &'a HashMap<[u8; 16], Vec<String>>,
    pub(super) bin: Option<[u8; 16]>,
    pub(super) now: i64,
    pub(super) rng: &'a mut R,
}

impl<R: rand::CryptoRng> Walk<'_, R> {
    pub(super) fn group(&mut self, group: &KpGroup, path: &str, in_bin: bool) {
        for e in &group.entries {
            if in_bin {
                self.out.skipped.push(Skipped {
                    what: describe(e, path),
                    why: "in the recycle bin".into(),
                });
            } else {
                let entry = self.entry(e, path);
                self.out.items.push(Item {
                    group: path.to_owned(),
                    entry,
                });
            }
        }
        for child in &group.groups {
            let child_in_bin = in_bin || self.bin == Some(*child.uuid.as_bytes());
            let name = segment(&child.name);
            let child_path = if path.is_empty() {
                name
            } else {
                format!("{path}/{name}")
            };
            if !child_in_bin {
                self.out.groups += 1;
            }
            self.group(child, &child_path, child_in_bin);
        }
    }

    fn entry(&mut self, e: &KpEntry, path: &str) -> Entry {
        let warnings = &mut self.out.warnings;
        let where_ = describe(e, path);
        let mut title = text(e, "Title", &where_, warnings).unwrap_or_default();
        if title.trim().is_empty() {
            warnings.push(format!("{where_} has no title; imported as {UNTITLED}"));
            title = UNTITLED.to_owned();
        }
        let modified = modified_time(&e.times).unwrap_or(self.now);
        let created = created_time(&e.times).unwrap_or(modified);

        let mut entry = Entry::new(EntryId::random(self.rng), title, created, 0);
        entry.modified_at = modified;
        entry.username = text(e, "UserName", &where_, warnings).unwrap_or_default();
        entry.password = concealed(e, "Password", &where_, warnings);
        if let Some(url) = text(e, "URL", &where_, warnings)
            && !url.trim().is_empty()
        {
            entry.urls.push(url.trim().to_owned());
        }
        entry.notes = concealed(e, "Notes", &where_, warnings);
        entry.tags = e
            .tags
            .iter()
            .map(|t| t.trim())
            .filter(|t| !t.is_empty())
            .map(str::to_owned)
            .collect();
        if e.times.expires {
            entry.expires_at = expiry_time(&e.times);
        }

        let (totp, used) = totp(e, &entry, &where_, warnings);
        entry.totp = totp;
        let mut names: Vec<&String> = e
            .fields
            .keys()
            .filter(|k| !STANDARD.contains(&k.as_str()) && !used.contains(&k.as_str()))
            .collect();
        names.sort();
        for name in names {
            let concealed =
                matches!(e.fields.get(name), Some(Value::Protected(_))) || used_for_totp(name);
            let Some(value) = field(e, name, &where_, warnings) else {
                continue;
            };
            entry.fields.push(CustomField {
                stamp: None,
                name: name.clone(),
                value,
                concealed,
            });
        }

        Self::history(e, &mut entry, created, modified, self.now);

        if let Some(names) = self.attachments.get(e.uuid.as_bytes()) {
            warnings.push(format!(
                "{where_}: attachments not imported: {}",
                names.join(", ")
            ));
        }
        entry
    }

    /// Older versions' passwords, oldest first, each kept once per change
    /// (versions that changed other fields only are not repeated), and
    /// when the current password was set.
    fn history(e: &KpEntry, entry: &mut Entry, created: i64, modified: i64, now: i64) {
        let mut versions: Vec<(i64, Concealed)> = Vec::new();
        if let Some(h) = &e.history {
            for old in h.get_entries() {
                let at = modified_time(&old.times).unwrap_or(now);
                let pw = match old.fields.get("Password") {
                    Some(Value::Protected(p)) => std::str::from_utf8(p.unsecure()).ok(),
                    Some(Value::Unprotected(p)) => Some(p.as_str()),
                    _ => None,
                };
                versions.push((at, Concealed::of(pw.unwrap_or(""))));
            }
        }
        // The crate keeps the newest first; KeePass writes the oldest
        // first. Order by time (stable, so equal times keep file order).
        versions.sort_by_key(|(at, _)| *at);

        // The current password has been current since the oldest version
        // of the last run of versions carrying it; with no history at all,
        // since the entry's last modification (a KeePass edit leaves a
        // history version unless history is turned off).
        let mut changed_at = if versions.is_empty() {
            modified
        } else {
            created
        };
        let mut last: Option<usize> = None;
        for (i, (at, pw)) in versions.iter().enumerate() {
            if *pw != entry.password {
                changed_at = versions.get(i + 1).map_or(modified, |(t, _)| *t);
            }
            if pw.is_empty() || *pw == entry.password {
                continue;
            }
            if last.is_some_and(|j| versions[j].1 == *pw) {
                continue;
            }
            last = Some(i);
            entry.history.push(HistoryItem {
                value: pw.duplicate(),
                replaced_at: *at,
                replaced_by: 0,
                field: None,
            });
        }
        entry.password_changed_at = changed_at;
    }
}

/// Names the entry for warnings and skip reports: its title and group.
fn describe(e: &KpEntry, path: &str) -> String {
    let title = e.get_title().unwrap_or("").trim();
    let title = if title.is_empty() { UNTITLED } else { title };
    if path.is_empty() {
        format!("entry {title:?}")
    } else {
        format!("entry {title:?} in {path}")
    }
}

/// One group name as a path segment. A `/` inside a KeePass group name
/// would read as a deeper level in Baton's `/`-separated paths, so it is
/// replaced by U+2215 DIVISION SLASH (`∕`), which looks the same but does
/// not separate; control characters become spaces; surrounding space is
/// trimmed, and a name left empty becomes "(unnamed)".
fn segment(name: &str) -> String {
    let s: String = name
        .chars()
        .map(|c| match c {
            '/' => '\u{2215}',
            c if c.is_control() => ' ',
            c => c,
        })
        .collect();
    let s = s.trim();
    if s.is_empty() {
        "(unnamed)".to_owned()
    } else {
        s.to_owned()
    }
}

/// Seconds since the epoch of the entry's last modification, creation
/// and expiry. KeePass stores times without a zone (KeePassXC writes UTC);
/// they are read as UTC.
fn modified_time(t: &Times) -> Option<i64> {
    t.get_last_modification().map(|d| d.and_utc().timestamp())
}

fn created_time(t: &Times) -> Option<i64> {
    t.get_creation().map(|d| d.and_utc().timestamp())
}

fn expiry_time(t: &Times) -> Option<i64> {
    t.get_expiry().map(|d| d.and_utc().timestamp())
}

/// A string field as text; `None` when absent. A protected value that is
/// not UTF-8 is dropped with a warning.
fn text(e: &KpEntry, name: &str, where_: &str, warnings: &mut Vec<String>) -> Option<String> {
    match e.fields.get(name)? {
        Value::Unprotected(s) => Some(s.clone()),
        Value::Protected(p) => match std::str::from_utf8(p.unsecure()) {
            Ok(s) => Some(s.to_owned()),
            Err(_) => {
                warnings.push(format!(
                    "{where_}: field {name:?} is not text; not imported"
                ));
                None
            }
        },
        Value::Bytes(_) => None,
    }
}

/// A string field held as a secret from the moment it is copied out.
fn field(e: &KpEntry, name: &str, where_: &str, warnings: &mut Vec<String>) -> Option<Concealed> {
    match e.fields.get(name)? {
        Value::Unprotected(s) => Some(Concealed::of(s)),
        Value::Protected(p) => match std::str::from_utf8(p.unsecure()) {
            Ok(s) => Some(Concealed::of(s)),
            Err(_) => {
                warnings.push(format!(
                    "{where_}: field {name:?} is not text; not imported"
                ));
                None
            }
        },
        Value::Bytes(_) => None,
    }
}

fn concealed(e: &KpEntry, name: &str, where_: &str, warnings: &mut Vec<String>) -> Concealed {
    field(e, name, where_, warnings).unwrap_or_else(|| Concealed::of(""))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::import::kdbx::tests::{find, import};

    #[test]
    fn groups_are_paths_without_the_root_and_the_count_excludes_the_root() {
        let imp = import("NewDatabase.kdbx", "a");
        // keepassxc-cli ls -R: General, Windows, Network, Internet, eMail,
        // Homebanking, Homebanking/Subgroup.
        assert_eq!(imp.groups, 7);
        assert_eq!(imp.items.len(), 2);
        assert!(imp.skipped.is_empty());
    }

    #[test]
    fn history_and_times_are_kept() {
        let imp = import("NewDatabase.kdbx", "a");
        let e = &find(&imp, "Sample Entry").entry;
        // Last Modified and Created as `keepassxc-cli export --format csv`
        // prints them: 2021-11-07T21:48:40Z, 2010-09-06T20:28:24Z.
        assert_eq!(e.modified_at, 1_636_321_720);
        assert_eq!(e.created_at, 1_283_804_904);
        assert!(e.password_changed_at >= e.created_at);
        assert!(e.password_changed_at <= e.modified_at);
        for h in &e.history {
            assert_ne!(h.value.expose(), e.password.expose());
            assert!(!h.value.is_empty());
            assert_eq!(h.field, None, "a password");
            assert_eq!(h.replaced_by, 0);
        }
        assert!(e.expires_at.is_none());
    }

    #[test]
    fn protected_strings_become_concealed_fields() {
        let imp = import("ProtectedStrings.kdbx", "masterpw");
        let e = &imp.items[0].entry;
        let p = e.field("TestProtected").expect("field");
        assert_eq!(p.value.expose(), "ABC");
        assert!(p.concealed);
        let u = e.field("TestUnprotected").expect("field");
        assert_eq!(u.value.expose(), "DEF");
        assert!(!u.concealed);
    }

    #[test]
    fn a_slash_in_a_group_name_does_not_make_a_level() {
        assert_eq!(segment("a/b"), "a\u{2215}b");
        assert_eq!(segment("  "), "(unnamed)");
        assert_eq!(segment("x\ny"), "x y");
    }
}
