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

/// A custom field; `concealed` ones are masked and revealing them is logged.
#[derive(Serialize, Deserialize, PartialEq, Eq)]
pub struct CustomField {
    pub name: String,
    pub value: Concealed,
    pub concealed: bool,
}

/// One MFA backup code and whether it has been used.
#[derive(Serialize, Deserialize, PartialEq, Eq)]
pub struct BackupCode {
    pub code: Concealed,
    pub used_at: Option<i64>,
    pub used_by: Option<MemberId>,
}

/// A password an entry had before, kept when it changes.
#[derive(Serialize, Deserialize, PartialEq, Eq)]
pub struct HistoryItem {
    pub password: Concealed,
    /// When this value stopped being current.
    pub replaced_at: i64,
    pub replaced_by: MemberId,
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
}

impl Entry {
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
                password: old,
                replaced_at: now,
                replaced_by: by,
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
    fn password_change_keeps_history() {
        let mut e = Entry::new(EntryId([1; 8]), "t".into(), 10, 1);
        e.set_password(Concealed::of("a"), 20, 1);
        assert!(
            e.history.is_empty(),
            "an empty first password is not history"
        );
        e.set_password(Concealed::of("b"), 30, 2);
        assert_eq!(e.history.len(), 1);
        assert_eq!(e.history[0].password.expose(), "a");
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
