//! The entry model: what Baton stores about one account.

use serde::{Deserialize, Serialize};

use crate::format::MemberId;
use crate::secret::Concealed;
use crate::totp::Totp;

/// A stable entry id: 8 random bytes, shown as 16 lowercase hex digits.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct EntryId(pub [u8; 8]);

impl EntryId {
    pub fn random(rng: &mut impl rand::CryptoRng) -> Self {
        let mut b = [0u8; 8];
        rng.fill_bytes(&mut b);
        EntryId(b)
    }

    pub fn hex(&self) -> String {
        data_encoding::HEXLOWER.encode(&self.0)
    }

    pub fn parse(s: &str) -> Option<Self> {
        let v = data_encoding::HEXLOWER_PERMISSIVE
            .decode(s.as_bytes())
            .ok()?;
        Some(EntryId(v.try_into().ok()?))
    }
}

impl std::fmt::Display for EntryId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.hex())
    }
}

impl std::fmt::Debug for EntryId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "EntryId({})", self.hex())
    }
}

/// When, by whom and by which writer a part of an entry last changed.
/// A writer is one process's session (a random id it drew at unlock), so
/// that two machines of one member never pass for one writer.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct Stamp {
    pub time: i64,
    pub member: MemberId,
    pub writer: u32,
}

/// The parts of an entry that merge one by one (custom fields merge by
/// name, each with its own stamp).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum Part {
    Title,
    Username,
    Password,
    Urls,
    Notes,
    Tags,
    Identity,
    Totp,
    /// The list of codes (which are used merges as a union).
    BackupCodes,
    RotateDays,
    ExpiresAt,
    /// Removed or restored.
    Removed,
    /// Which group the entry is in.
    Group,
}

impl Part {
    pub const ALL: [Part; 13] = [
        Part::Title,
        Part::Username,
        Part::Password,
        Part::Urls,
        Part::Notes,
        Part::Tags,
        Part::Identity,
        Part::Totp,
        Part::BackupCodes,
        Part::RotateDays,
        Part::ExpiresAt,
        Part::Removed,
        Part::Group,
    ];

    pub fn as_str(&self) -> &'static str {
        match self {
            Part::Title => "title",
            Part::Username => "username",
            Part::Password => "password",
            Part::Urls => "url",
            Part::Notes => "notes",
            Part::Tags => "tags",
            Part::Identity => "identity",
            Part::Totp => "totp",
            Part::BackupCodes => "backup-codes",
            Part::RotateDays => "rotate-days",
            Part::ExpiresAt => "expires",
            Part::Removed => "removed",
            Part::Group => "group",
        }
    }
}

/// A custom field; `concealed` ones are masked and revealing them is logged.
#[derive(Serialize, Deserialize, PartialEq, Eq)]
pub struct CustomField {
    pub name: String,
    pub value: Concealed,
    pub concealed: bool,
    /// When the field last changed; `None` when it has not changed since
    /// the entry was created.
    pub stamp: Option<Stamp>,
}

/// One MFA backup code and whether it has been used.
#[derive(Serialize, Deserialize, PartialEq, Eq)]
pub struct BackupCode {
    pub code: Concealed,
    pub used_at: Option<i64>,
    pub used_by: Option<MemberId>,
}

/// A value an entry had before: a password replaced by a change, or any
/// part's value that lost a conflict when two copies met.
#[derive(Serialize, Deserialize, PartialEq, Eq)]
pub struct HistoryItem {
    pub value: Concealed,
    /// When this value stopped being current.
    pub replaced_at: i64,
    pub replaced_by: MemberId,
    /// `None` for a password; otherwise the part or custom field the value
    /// was, as `baton history` names it.
    pub field: Option<String>,
}

/// When and by whom an entry was removed (kept for the owner).
#[derive(Clone, Copy, Debug, Serialize, Deserialize, PartialEq, Eq)]
pub struct Removal {
    pub at: i64,
    pub by: MemberId,
}

#[derive(Serialize, Deserialize)]
pub struct Entry {
    pub id: EntryId,
    pub title: String,
    pub username: String,
    pub password: Concealed,
    pub urls: Vec<String>,
    pub notes: Concealed,
    pub tags: Vec<String>,
    /// The e-mail the account is registered under.
    pub identity: Option<String>,
    pub fields: Vec<CustomField>,
    pub totp: Option<Totp>,
    pub backup_codes: Vec<BackupCode>,
    pub rotate_days: Option<u32>,
    pub expires_at: Option<i64>,
    pub created_at: i64,
    pub created_by: MemberId,
    pub modified_at: i64,
    pub modified_by: MemberId,
    pub password_changed_at: i64,
    pub history: Vec<HistoryItem>,
    pub removed: Option<Removal>,
    /// The password's zxcvbn score, 0 (guessable) to 4, computed when the
    /// password is written (so `health` needs no estimator run); `None`
    /// without a password.
    pub strength: Option<u8>,
    /// The parts changed since the entry was created, each with its
    /// stamp; a part not listed carries the creation stamp.
    pub stamps: Vec<(Part, Stamp)>,
    /// For each writer whose changes this entry holds, the time of the
    /// latest: a stamp of writer `w` at time `t` is known to this entry
    /// when `clock[w] >= t`.
    pub clock: Vec<(u32, i64)>,
    /// Custom fields removed, by name, with the removal's stamp.
    pub gone: Vec<(String, Stamp)>,
}

impl Entry {
    /// The fewest bytes an entry's encoding takes (its 8-byte id and one
    /// byte at least for each other field): a bound on how many entries a
    /// group's bytes can hold, used to size the list once when decoding.
    pub const MIN_ENCODED: usize = 24;

    pub fn new(id: EntryId, title: String, now: i64, by: MemberId) -> Self {
        Entry {
            id,
            title,
            username: String::new(),
            password: Concealed::of(""),
            urls: Vec::new(),
            notes: Concealed::of(""),
            tags: Vec::new(),
            identity: None,
            fields: Vec::new(),
            totp: None,
            backup_codes: Vec::new(),
            rotate_days: None,
            expires_at: None,
            created_at: now,
            created_by: by,
            modified_at: now,
            modified_by: by,
            password_changed_at: now,
            history: Vec::new(),
            removed: None,
            strength: None,
            stamps: Vec::new(),
            clock: Vec::new(),
            gone: Vec::new(),
        }
    }

    /// The stamp a part was created with.
    pub fn created_stamp(&self) -> Stamp {
        Stamp {
            time: self.created_at,
            member: self.created_by,
            writer: 0,
        }
    }

    /// A part's stamp.
    pub fn stamp(&self, part: Part) -> Stamp {
        self.stamps
            .iter()
            .find(|(p, _)| *p == part)
            .map_or_else(|| self.created_stamp(), |(_, s)| *s)
    }

    /// True when this entry holds the change `s` (or a later one by its
    /// writer). Creation stamps are known to every copy of the entry.
    pub fn knows(&self, s: &Stamp) -> bool {
        s.writer == 0
            || self
                .clock
                .iter()
                .any(|(w, t)| *w == s.writer && *t >= s.time)
    }

    /// A new stamp for a change by `member` through `writer` at `now`:
    /// later than this writer's earlier changes, so that a copy holding
    /// those does not pass for holding this one.
    pub fn next_stamp(&mut self, now: i64, member: MemberId, writer: u32) -> Stamp {
        let time = match self.clock.iter_mut().find(|(w, _)| *w == writer) {
            Some((_, t)) => {
                *t = (*t + 1).max(now);
                *t
            }
            None => {
                self.clock.push((writer, now));
                now
            }
        };
        Stamp {
            time,
            member,
            writer,
        }
    }

    /// Records that `part` changed with stamp `s`.
    pub fn set_stamp(&mut self, part: Part, s: Stamp) {
        match self.stamps.iter_mut().find(|(p, _)| *p == part) {
            Some((_, x)) => *x = s,
            None => self.stamps.push((part, s)),
        }
    }

    /// The bytes of one part, for telling whether it changed.
    pub fn part_bytes(&self, part: Part) -> zeroize::Zeroizing<Vec<u8>> {
        use crate::format::codec::encode_secret;
        match part {
            Part::Title => encode_secret(&self.title, 0),
            Part::Username => encode_secret(&self.username, 0),
            Part::Password => encode_secret(&self.password, 0),
            Part::Urls => encode_secret(&self.urls, 0),
            Part::Notes => encode_secret(&self.notes, 0),
            Part::Tags => encode_secret(&self.tags, 0),
            Part::Identity => encode_secret(&self.identity, 0),
            Part::Totp => encode_secret(&self.totp, 0),
            Part::BackupCodes => {
                let codes: Vec<&Concealed> = self.backup_codes.iter().map(|c| &c.code).collect();
                encode_secret(&codes, 0)
            }
            Part::RotateDays => encode_secret(&self.rotate_days, 0),
            Part::ExpiresAt => encode_secret(&self.expires_at, 0),
            Part::Removed => encode_secret(&self.removed.is_some(), 0),
            Part::Group => zeroize::Zeroizing::new(Vec::new()),
        }
    }

    /// Replaces the password, keeping the old one in history when it
    /// differs and is not empty.
    pub fn set_password(&mut self, new: Concealed, now: i64, by: MemberId) {
        if new == self.password {
            return;
        }
        let old = std::mem::replace(&mut self.password, new);
        self.strength = strength(&self.password, &[&self.title, &self.username]);
        if !old.is_empty() {
            self.history.push(HistoryItem {
                value: old,
                replaced_at: now,
                replaced_by: by,
                field: None,
            });
        }
        self.password_changed_at = now;
    }

    /// Scores the current password again (after an import, or when the
    /// title or username it is weighed against changed).
    pub fn rescore(&mut self) {
        self.strength = strength(&self.password, &[&self.title, &self.username]);
    }

    pub fn unused_codes(&self) -> impl Iterator<Item = (usize, &BackupCode)> {
        self.backup_codes
            .iter()
            .enumerate()
            .filter(|(_, c)| c.used_at.is_none())
    }

    pub fn field(&self, name: &str) -> Option<&CustomField> {
        self.fields.iter().find(|f| f.name == name).or_else(|| {
            self.fields
                .iter()
                .find(|f| f.name.eq_ignore_ascii_case(name))
        })
    }
}

/// The zxcvbn score (0–4) of `password`, weighed against words the
/// attacker may know (the entry's title and username); `None` when empty.
pub fn strength(password: &Concealed, context: &[&str]) -> Option<u8> {
    if password.is_empty() {
        return None;
    }
    let words: Vec<&str> = context.iter().copied().filter(|w| !w.is_empty()).collect();
    Some(u8::from(zxcvbn::zxcvbn(password.expose(), &words).score()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_smallest_entry_encodes_to_at_least_min_encoded_bytes() {
        let e = Entry::new(EntryId([0; 8]), String::new(), 0, 0);
        assert!(crate::format::codec::encode(&e).len() >= Entry::MIN_ENCODED);
    }

    #[test]
    fn password_change_keeps_history() {
        let mut e = Entry::new(EntryId([1; 8]), "t".into(), 10, 1);
        e.set_password(Concealed::of("a"), 20, 1);
        assert!(
            e.history.is_empty(),
            "an empty first password is not history"
        );
        e.set_password(Concealed::of("b"), 30, 2);
        assert_eq!(e.history.len(), 1);
        assert_eq!(e.history[0].value.expose(), "a");
        assert_eq!(e.history[0].replaced_by, 2);
        assert_eq!(e.password_changed_at, 30);
        e.set_password(Concealed::of("b"), 40, 2);
        assert_eq!(e.history.len(), 1, "the same value is not a change");
        assert_eq!(e.password_changed_at, 30);
    }

    #[test]
    fn entry_id_hex_round_trip() {
        let id = EntryId([0xab, 1, 2, 3, 4, 5, 6, 0xff]);
        assert_eq!(id.hex(), "ab010203040506ff");
        assert_eq!(EntryId::parse("AB010203040506FF"), Some(id));
        assert_eq!(EntryId::parse("ab01"), None);
    }
}

/// Version 1's entry, custom field and history item, read from a
/// version-1 file and converted: every part carries its creation stamp.
pub mod v1 {
    use serde::{Deserialize, Serialize};

    use super::{BackupCode, Entry, EntryId, Removal};
    use crate::format::MemberId;
    use crate::secret::Concealed;
    use crate::totp::Totp;

    #[derive(Serialize, Deserialize)]
    pub struct CustomFieldV1 {
        pub name: String,
        pub value: Concealed,
        pub concealed: bool,
    }

    #[derive(Serialize, Deserialize)]
    pub struct HistoryItemV1 {
        pub password: Concealed,
        pub replaced_at: i64,
        pub replaced_by: MemberId,
    }

    #[derive(Serialize, Deserialize)]
    pub struct EntryV1 {
        pub id: EntryId,
        pub title: String,
        pub username: String,
        pub password: Concealed,
        pub urls: Vec<String>,
        pub notes: Concealed,
        pub tags: Vec<String>,
        pub identity: Option<String>,
        pub fields: Vec<CustomFieldV1>,
        pub totp: Option<Totp>,
        pub backup_codes: Vec<BackupCode>,
        pub rotate_days: Option<u32>,
        pub expires_at: Option<i64>,
        pub created_at: i64,
        pub created_by: MemberId,
        pub modified_at: i64,
        pub modified_by: MemberId,
        pub password_changed_at: i64,
        pub history: Vec<HistoryItemV1>,
        pub removed: Option<Removal>,
        pub strength: Option<u8>,
    }

    impl From<EntryV1> for Entry {
        fn from(e: EntryV1) -> Self {
            Entry {
                id: e.id,
                title: e.title,
                username: e.username,
                password: e.password,
                urls: e.urls,
                notes: e.notes,
                tags: e.tags,
                identity: e.identity,
                fields: e
                    .fields
                    .into_iter()
                    .map(|f| super::CustomField {
                        name: f.name,
                        value: f.value,
                        concealed: f.concealed,
                        stamp: None,
                    })
                    .collect(),
                totp: e.totp,
                backup_codes: e.backup_codes,
                rotate_days: e.rotate_days,
                expires_at: e.expires_at,
                created_at: e.created_at,
                created_by: e.created_by,
                modified_at: e.modified_at,
                modified_by: e.modified_by,
                password_changed_at: e.password_changed_at,
                history: e
                    .history
                    .into_iter()
                    .map(|h| super::HistoryItem {
                        value: h.password,
                        replaced_at: h.replaced_at,
                        replaced_by: h.replaced_by,
                        field: None,
                    })
                    .collect(),
                removed: e.removed,
                strength: e.strength,
                stamps: Vec::new(),
                clock: Vec::new(),
                gone: Vec::new(),
            }
        }
    }
}
