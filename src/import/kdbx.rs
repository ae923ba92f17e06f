//! KeePass / KeePassXC databases (KDBX 3.1 and 4): bytes and the file's
//! passphrase in, entries with group paths out.
//!
//! Decryption and parsing are the `keepass` crate's; this module maps its
//! tree onto Baton's entries:
//!
//! - the group path, without the root group's own name (an entry in the
//!   root goes to Baton's top level), nested groups joined with `/`;
//! - Title, UserName, Password, URL, Notes, the tags (split on `,` and
//!   `;`), every other string as a custom field (concealed when KeePass
//!   protects it);
//! - TOTP: the `otp` attribute (an `otpauth://` URI), KeePassXC's legacy
//!   `TOTP Seed` + `TOTP Settings`, and KeePass 2's own
//!   `TimeOtp-Secret-Base32` family; one that Baton cannot use (Steam
//!   codes, another encoding) stays as concealed custom fields, with a
//!   warning;
//! - older versions' passwords as password history, the creation,
//!   modification and expiry times.
//!
//! Dropped: attachments (one warning per entry, naming them), the recycle
//! bin's entries (each reported as skipped), icons, colours, auto-type,
//! custom data, and history versions' fields other than the password.
//!
//! Nothing here prints a secret: warnings name entries and fields, never
//! values.

use std::collections::HashMap;

use keepass::db::{Entry as KpEntry, Group as KpGroup, Times, Value};
use keepass::error::{DatabaseIntegrityError, DatabaseKeyError, DatabaseOpenError};
use keepass::{Database, DatabaseKey};

use super::{ImportError, Imported, Item, Skipped};
use crate::secret::Concealed;
use crate::totp::{Algorithm, Totp};
use crate::vault::{CustomField, Entry, EntryId, HistoryItem};

/// The title given to an entry that has none.
pub const UNTITLED: &str = "(untitled)";

/// KeePass's standard string fields, mapped onto the entry itself.
const STANDARD: [&str; 5] = ["Title", "UserName", "Password", "URL", "Notes"];

/// String fields that hold a TOTP configuration in one of the forms read
/// here; they do not also become custom fields when the TOTP is usable.
const OTP_URI: &str = "otp";
const KPXC_SEED: &str = "TOTP Seed";
const KPXC_SETTINGS: &str = "TOTP Settings";
const KP_SECRET: &str = "TimeOtp-Secret-Base32";
const KP_LENGTH: &str = "TimeOtp-Length";
const KP_PERIOD: &str = "TimeOtp-Period";
const KP_ALGORITHM: &str = "TimeOtp-Algorithm";

/// Reads a KDBX 3.1 or 4 file opened with `passphrase` (no key file).
///
/// `ram_bytes` is the machine's physical memory: the file's key
/// derivation is refused, before it starts, when it asks for more than
/// [`check_kdf_cost`] allows. `now` stands in for times the file does not
/// give; `rng` makes the new entries' ids.
pub fn parse(
    bytes: &[u8],
    passphrase: &str,
    ram_bytes: u64,
    now: i64,
    rng: &mut impl rand::CryptoRng,
) -> Result<Imported, ImportError> {
    let db = open(bytes, passphrase, ram_bytes)?;

    let mut out = Imported::default();
    let attachments = attachment_names(&db, bytes, passphrase, &mut out.warnings);
    let bin = db
        .meta
        .recyclebin_uuid
        .filter(|u| u.as_bytes() != &[0u8; 16])
        .map(|u| *u.as_bytes());

    let mut walk = Walk {
        out: &mut out,
        attachments: &attachments,
        bin,
        now,
        rng,
    };
    // The root group's own name ("Root", or the database's name) is not a
    // folder of its own: its entries go to Baton's top level.
    walk.group(&db.root, "", false);
    Ok(out.scored())
}

/// Opens the database, turning the crate's errors into Baton's.
///
/// The file's framing is checked first ([`framing`]): the crate indexes
/// its input without bounds checks in places (a KDBX 3.1 header cut short
/// panics inside it), and a file cut short must not cost a key derivation
/// or read as a wrong passphrase. Then the key derivation's cost is
/// checked against a ceiling ([`check_kdf_cost`]), since the crate runs
/// whatever the header asks. A panic the checks did not foresee is still
/// caught and reported as a damaged file rather than taking Baton down.
fn open(bytes: &[u8], passphrase: &str, ram_bytes: u64) -> Result<Database, ImportError> {
    let header = framing(bytes)?;
    check_kdf_cost(&header, ram_bytes)?;
    let version = header.version;
    let result = std::panic::catch_unwind(|| {
        Database::parse(bytes, DatabaseKey::new().with_password(passphrase))
    });
    match result {
        Ok(Ok(db)) => Ok(db),
        Ok(Err(e)) => Err(open_error(e, version)),
        Err(_) => Err(malformed("its contents could not be parsed")),
    }
}

/// The KDBX signature: two magic numbers, then minor and major version.
const SIGNATURE: [u8; 8] = [0x03, 0xd9, 0xa2, 0x9a, 0x67, 0xfb, 0x4b, 0xb5];
/// KeePass 1 (`.kdb`), which the crate also opens: a fixed 124-byte
/// header whose AES-KDF rounds are the u32 at offset 120.
const SIGNATURE_KDB: [u8; 8] = [0x03, 0xd9, 0xa2, 0x9a, 0x65, 0xfb, 0x4b, 0xb5];
const KDB_ROUNDS_AT: usize = 120;
/// KDBX 3.1's ChaCha20 outer cipher (a stream cipher: any body length).
const CHACHA20: [u8; 16] = [
    0xd6, 0x03, 0x8a, 0x2b, 0x8b, 0x6f, 0x4c, 0xb5, 0xa5, 0x24, 0x33, 0x9a, 0x31, 0xdb, 0xb5, 0x9a,
];

/// What [`framing`] read of the unencrypted header.
#[derive(Debug, Default)]
struct Header<'a> {
    /// The major version: 3 or 4, 1 for KeePass 1, or another number (0
    /// for a file without the KDBX signature) left to the crate.
    version: u16,
    /// The AES-KDF rounds, as stored: KDBX 3.1's header field 6, or
    /// KeePass 1's u32 at offset 120.
    transform_rounds: Option<&'a [u8]>,
    /// KDBX 4's key derivation parameters (header field 11), a KeePass
    /// variant dictionary.
    kdf_parameters: Option<&'a [u8]>,
}

/// Checks the unencrypted framing of a KDBX file and returns the header
/// fields that say what opening it will cost.
///
/// - KeePass 1 (`.kdb`): only the AES-KDF rounds are read; the rest is
///   left to the crate.
/// - KDBX 3.1: header fields (type 1 byte, length 2 bytes, value) up to
///   the end field, then a body that a block cipher (AES, Twofish) leaves
///   a whole number of 16-byte blocks long.
/// - KDBX 4: header fields (type 1 byte, length 4 bytes, value), the
///   header's SHA-256 and HMAC, then HMAC blocks (HMAC 32 bytes, length 4,
///   data) ending with an empty block exactly at the end of the file. The
///   crate reads a file cut just before that empty block as complete.
fn framing(bytes: &[u8]) -> Result<Header<'_>, ImportError> {
    if bytes.len() >= 8 && bytes[..8] == SIGNATURE_KDB {
        return Ok(Header {
            version: 1,
            transform_rounds: bytes.get(KDB_ROUNDS_AT..KDB_ROUNDS_AT + 4),
            kdf_parameters: None,
        });
    }
    if bytes.len() < 12 || bytes[..8] != SIGNATURE {
        return Ok(Header::default());
    }
    let major = u16::from_le_bytes([bytes[10], bytes[11]]);
    let cut = || malformed("the file ends early (it was cut short)");
    let le = |at: usize, n: usize| -> Option<usize> {
        let b = bytes.get(at..at.checked_add(n)?)?;
        Some(
            b.iter()
                .rev()
                .fold(0usize, |v, &x| (v << 8) | usize::from(x)),
        )
    };
    let width = match major {
        3 => 2,
        4 => 4,
        _ => {
            return Ok(Header {
                version: major,
                ..Header::default()
            });
        }
    };
    let mut header = Header {
        version: major,
        ..Header::default()
    };
    let mut at = 12;
    let mut cipher = None;
    loop {
        let kind = *bytes.get(at).ok_or_else(cut)?;
        let len = le(at + 1, width).ok_or_else(cut)?;
        let value = at + 1 + width;
        at = value.checked_add(len).ok_or_else(cut)?;
        if at > bytes.len() {
            return Err(cut());
        }
        match (major, kind) {
            (_, 2) => cipher = bytes.get(value..at),
            (3, 6) => header.transform_rounds = bytes.get(value..at),
            (4, 11) => header.kdf_parameters = bytes.get(value..at),
            _ => {}
        }
        if kind == 0 {
            break;
        }
    }
    if major == 3 {
        let body = bytes.len() - at;
        if body == 0 || (cipher != Some(&CHACHA20[..]) && !body.is_multiple_of(16)) {
            return Err(cut());
        }
        return Ok(header);
    }
    // The header's SHA-256 and HMAC-SHA-256, then the blocks.
    at += 64;
    loop {
        let len = le(at + 32, 4).ok_or_else(cut)?;
        at = (at + 36).checked_add(len).ok_or_else(cut)?;
        if at > bytes.len() {
            return Err(cut());
        }
        if len == 0 {
            break;
        }
    }
    if at != bytes.len() {
        return Err(malformed("there are bytes after the end of the database"));
    }
    Ok(header)
}

/// KDBX 4's key derivation functions, by the UUID in `$UUID`. AES-KDF
/// has two: KeePass's original one and the one KeePassXC writes in KDBX
/// 4 files; the crate runs both.
const KDF_AES_KDBX3: [u8; 16] = [
    0xc9, 0xd9, 0xf3, 0x9a, 0x62, 0x8a, 0x44, 0x60, 0xbf, 0x74, 0x0d, 0x08, 0xc1, 0x8a, 0x4f, 0xea,
];
const KDF_AES_KDBX4: [u8; 16] = [
    0x7c, 0x02, 0xbb, 0x82, 0x79, 0xa7, 0x4a, 0xc0, 0x92, 0x7d, 0x11, 0x4a, 0x00, 0x64, 0x82, 0x38,
];
const KDF_ARGON2D: [u8; 16] = [
    0xef, 0x63, 0x6d, 0xdf, 0x8c, 0x29, 0x44, 0x4b, 0x91, 0xf7, 0xa9, 0xa4, 0x03, 0xe3, 0x0a, 0x0c,
];
const KDF_ARGON2ID: [u8; 16] = [
    0x9e, 0x29, 0x8b, 0x19, 0x56, 0xdb, 0x4d, 0x77, 0xb2, 0x3d, 0xfc, 0x3e, 0xc6, 0xf0, 0xa1, 0xe6,
];

/// The most AES-KDF rounds an imported file may ask for: about half a
/// minute with AES instructions. KeePass's historical default is 60,000
/// and KeePassXC's one-second calibration gives tens of millions.
pub const CEILING_AES_ROUNDS: u64 = 2_000_000_000;
/// The most Argon2 work an imported file may ask for, in KiB × passes:
/// the same as the costliest derivation Baton's own vaults allow
/// (4 GiB × 32 passes). KeePassXC calibrates its iterations to a second
/// at 64 MiB, which can be a few hundred passes; those fit.
pub const CEILING_ARGON2_WORK: u64 =
    crate::crypto::kdf::CEILING_MEMORY_KIB as u64 * crate::crypto::kdf::CEILING_TIME as u64;
/// The most Argon2 lanes an imported file may ask for.
pub const CEILING_ARGON2_LANES: u64 = 256;

/// Refuses a key derivation costlier than Baton's ceiling before any of
/// it runs: a crafted file could otherwise ask for 2^64 AES rounds or
/// terabytes of Argon2 memory, and the `keepass` crate would try.
///
/// The parameters are read as the crate will read them, never more
/// leniently: a repeated dictionary key counts by its last value (the
/// crate keeps the last), and a number by the first 8 bytes of its value
/// whatever its stated length ([`crate_number`]).
///
/// - AES-KDF (KeePass 1's and KDBX 3.1's only one, and KDBX 4's `$UUID`
///   = either AES-KDF): rounds ≤ [`CEILING_AES_ROUNDS`].
/// - Argon2d / Argon2id: memory ≤ 4 GiB and ≤ half of `ram_bytes` (as for
///   Baton's own vaults), memory × passes ≤ [`CEILING_ARGON2_WORK`],
///   lanes ≤ [`CEILING_ARGON2_LANES`].
///
/// KDBX 4 parameters that cannot be read are refused here: whatever the
/// crate would make of them, it must not be a derivation left unchecked.
fn check_kdf_cost(header: &Header<'_>, ram_bytes: u64) -> Result<(), ImportError> {
    let too_costly = |what: String| {
        ImportError::Malformed(format!(
            "the KeePass file asks for a key derivation of {what}, beyond what Baton will run \
             for an import; if the file is yours, lower it in KeePassXC \
             (Database > Database Security) and export again"
        ))
    };
    if header.version == 1 || header.version == 3 {
        if let Some(rounds) = header.transform_rounds.and_then(crate_number)
            && rounds > CEILING_AES_ROUNDS
        {
            return Err(too_costly(format!(
                "{rounds} AES rounds (at most {CEILING_AES_ROUNDS})"
            )));
        }
        return Ok(());
    }
    let Some(dict) = header.kdf_parameters else {
        return Ok(());
    };
    let Some(params) = variant_dictionary(dict) else {
        return Err(malformed("its key derivation parameters cannot be read"));
    };
    // The crate keeps the last of a repeated key.
    let get = |key: &str| {
        params
            .iter()
            .rev()
            .find(|(k, _)| *k == key.as_bytes())
            .map(|(_, v)| *v)
    };
    let uuid = get("$UUID").unwrap_or_default();
    if uuid == KDF_AES_KDBX3 || uuid == KDF_AES_KDBX4 {
        if let Some(rounds) = get("R").and_then(crate_number)
            && rounds > CEILING_AES_ROUNDS
        {
            return Err(too_costly(format!(
                "{rounds} AES rounds (at most {CEILING_AES_ROUNDS})"
            )));
        }
    } else if uuid == KDF_ARGON2D || uuid == KDF_ARGON2ID {
        let memory_kib = get("M").and_then(crate_number).unwrap_or(0) / 1024;
        let passes = get("I").and_then(crate_number).unwrap_or(0);
        let lanes = get("P").and_then(crate_number).unwrap_or(0);
        let max_kib = u64::from(crate::crypto::kdf::CEILING_MEMORY_KIB).min(ram_bytes / 2 / 1024);
        if memory_kib > max_kib {
            return Err(too_costly(format!(
                "{} MiB of Argon2 memory (at most {} MiB on this machine)",
                memory_kib / 1024,
                max_kib / 1024
            )));
        }
        if memory_kib.saturating_mul(passes) > CEILING_ARGON2_WORK {
            return Err(too_costly(format!(
                "{passes} Argon2 passes over {} MiB (at most {} MiB × passes)",
                memory_kib / 1024,
                CEILING_ARGON2_WORK / 1024
            )));
        }
        if lanes > CEILING_ARGON2_LANES {
            return Err(too_costly(format!(
                "{lanes} Argon2 lanes (at most {CEILING_ARGON2_LANES})"
            )));
        }
    }
    Ok(())
}

/// A number of the key derivation's parameters as the crate reads it, or
/// more: the crate reads a u64 from the first 8 bytes of a value and a
/// u32 from the first 4, ignoring any bytes after them (and panics,
/// deriving nothing, on a shorter value). So: the first 8 bytes when
/// there are 8, else the first 4, else nothing. The u64 of the first 8
/// bytes is never less than the u32 of the first 4.
fn crate_number(b: &[u8]) -> Option<u64> {
    match b.len() {
        0..4 => None,
        4..8 => le_u64(&b[..4]),
        _ => le_u64(&b[..8]),
    }
}

/// A little-endian integer of 4 or 8 bytes.
fn le_u64(b: &[u8]) -> Option<u64> {
    match b.len() {
        4 => Some(u64::from(u32::from_le_bytes(b.try_into().ok()?))),
        8 => Some(u64::from_le_bytes(b.try_into().ok()?)),
        _ => None,
    }
}

/// KeePass's variant dictionary (KDBX 4 header field 11): a version
/// (u16, major byte 1), then items of type (u8), key length (u32), key,
/// value length (u32), value, ending with type 0. Returns the keys and
/// raw values, or `None` when it does not parse (the crate then refuses
/// the file).
fn variant_dictionary(b: &[u8]) -> Option<Vec<(&[u8], &[u8])>> {
    if b.len() < 2 || b[1] != 1 {
        return None;
    }
    let mut at = 2;
    let mut items = Vec::new();
    let take = |at: &mut usize, n: usize| -> Option<&[u8]> {
        let v = b.get(*at..at.checked_add(n)?)?;
        *at += n;
        Some(v)
    };
    loop {
        let kind = *take(&mut at, 1)?.first()?;
        if kind == 0 {
            return Some(items);
        }
        let n = usize::try_from(le_u64(take(&mut at, 4)?)?).ok()?;
        let key = take(&mut at, n)?;
        let n = usize::try_from(le_u64(take(&mut at, 4)?)?).ok()?;
        let value = take(&mut at, n)?;
        items.push((key, value));
    }
}

fn malformed(why: &str) -> ImportError {
    ImportError::Malformed(format!("not a readable KeePass (KDBX) database: {why}"))
}

fn open_error(e: DatabaseOpenError, version: u16) -> ImportError {
    match e {
        DatabaseOpenError::Key(DatabaseKeyError::IncorrectKey) => ImportError::WrongPassphrase,
        // KDBX 3.1 has no key check before the body: a wrong key shows as
        // a decryption (padding) failure. (A body cut at a 16-byte
        // boundary looks the same and cannot be told apart without the
        // key.) KDBX 4 checks the key with the header's HMAC first, so
        // there a decryption failure is damage.
        DatabaseOpenError::DatabaseIntegrity(DatabaseIntegrityError::Cryptography(_))
            if version == 3 =>
        {
            ImportError::WrongPassphrase
        }
        DatabaseOpenError::UnsupportedVersion => {
            malformed("this KeePass version (KDB 2 beta) is not supported")
        }
        DatabaseOpenError::Key(e) => malformed(&format!("the key could not be used ({e})")),
        DatabaseOpenError::Io(_) => malformed("the file ends too early"),
        DatabaseOpenError::DatabaseIntegrity(e) => match e {
            DatabaseIntegrityError::Io(_) => malformed("the file ends too early"),
            DatabaseIntegrityError::InvalidKDBXIdentifier => {
                malformed("it does not start with the KeePass signature")
            }
            other => malformed(&other.to_string()),
        },
    }
}

struct Walk<'a, R> {
    out: &'a mut Imported,
    /// Attachment names by entry UUID.
    attachments: &'a HashMap<[u8; 16], Vec<String>>,
    bin: Option<[u8; 16]>,
    now: i64,
    rng: &'a mut R,
}

impl<R: rand::CryptoRng> Walk<'_, R> {
    fn group(&mut self, group: &KpGroup, path: &str, in_bin: bool) {
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
                password: pw.duplicate(),
                replaced_at: *at,
                replaced_by: 0,
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

/// Fields that carry TOTP secrets: kept concealed when they stay custom
/// fields because Baton could not use them.
fn used_for_totp(name: &str) -> bool {
    [OTP_URI, KPXC_SEED, KPXC_SETTINGS, KP_SECRET].contains(&name)
        || name.starts_with("TimeOtp-Secret")
}

/// The entry's TOTP, from the first of its configurations Baton can use,
/// and the names of the fields it came from (not kept as custom fields).
fn totp(
    e: &KpEntry,
    entry: &Entry,
    where_: &str,
    warnings: &mut Vec<String>,
) -> (Option<Totp>, Vec<&'static str>) {
    let get = |name: &str| {
        e.get(name)
            .map(str::trim)
            .filter(|v| !v.is_empty())
            .map(Concealed::of)
    };
    let issuer = Some(entry.title.clone());
    let account = Some(entry.username.clone());
    let mut found: Option<(Totp, Vec<&'static str>)> = None;

    if let Some(uri) = get(OTP_URI) {
        match Totp::parse(uri.expose()) {
            Ok(t) => found = Some((t, vec![OTP_URI])),
            Err(err) => warnings.push(format!(
                "{where_}: its {OTP_URI:?} TOTP could not be used ({err}); kept as a concealed field"
            )),
        }
    }

    if let Some(seed) = get(KPXC_SEED) {
        let settings = get(KPXC_SETTINGS);
        let parsed = kpxc_totp(&seed, settings.as_ref(), issuer.clone(), account.clone());
        let mut names = vec![KPXC_SEED];
        if settings.is_some() {
            names.push(KPXC_SETTINGS);
        }
        match (parsed, &mut found) {
            // The same secret as the otp URI: KeePassXC's older copy.
            (Ok(t), Some((first, used))) if t.secret() == first.secret() => used.extend(names),
            (Ok(_), Some(_)) => warnings.push(format!(
                "{where_}: a second TOTP ({KPXC_SEED:?}) differs from its otp URI; kept as concealed fields"
            )),
            (Ok(t), None) => found = Some((t, names)),
            (Err(why), _) => warnings.push(format!(
                "{where_}: its {KPXC_SEED:?} TOTP could not be used ({why}); kept as concealed fields"
            )),
        }
    }

    if found.is_none()
        && let Some(secret) = get(KP_SECRET)
    {
        let num = |name: &str, default: u32| {
            get(name).map_or(Some(default), |v| v.expose().parse::<u32>().ok())
        };
        let algorithm = match get(KP_ALGORITHM) {
            None => Some(Algorithm::Sha1),
            Some(a) => match a.expose() {
                "HMAC-SHA-1" => Some(Algorithm::Sha1),
                "HMAC-SHA-256" => Some(Algorithm::Sha256),
                "HMAC-SHA-512" => Some(Algorithm::Sha512),
                _ => None,
            },
        };
        let built = match (num(KP_LENGTH, 6), num(KP_PERIOD, 30), algorithm) {
            (Some(digits), Some(period), Some(alg)) => Totp::parse(secret.expose())
                .and_then(|base| {
                    Totp::new(
                        base.secret().to_vec(),
                        alg,
                        u8::try_from(digits).unwrap_or(0),
                        period,
                        issuer,
                        account,
                    )
                })
                .map_err(|e| e.to_string()),
            _ => Err("unknown length, period or algorithm".to_owned()),
        };
        match built {
                Ok(t) => {
                    let mut names = vec![KP_SECRET];
                    for n in [KP_LENGTH, KP_PERIOD, KP_ALGORITHM] {
                        if e.fields.contains_key(n) {
                            names.push(n);
                        }
                    }
                    found = Some((t, names));
                }
                Err(why) => warnings.push(format!(
                    "{where_}: its {KP_SECRET:?} TOTP could not be used ({why}); kept as concealed fields"
                )),
            }
    }

    match found {
        Some((t, names)) => (Some(t), names),
        None => (None, Vec::new()),
    }
}

/// KeePassXC's legacy TOTP: a seed (base32, or an otpauth URI) and
/// settings "period;digits", where digits "S" means Steam codes.
fn kpxc_totp(
    seed: &Concealed,
    settings: Option<&Concealed>,
    issuer: Option<String>,
    account: Option<String>,
) -> Result<Totp, String> {
    let base = Totp::parse(seed.expose()).map_err(|e| e.to_string())?;
    if seed.expose().contains("://") {
        return Ok(base);
    }
    let (period, digits) = match settings {
        None => (30, 6),
        Some(s) => {
            let mut parts = s.expose().split(';').map(str::trim);
            let period = parts.next().and_then(|p| p.parse::<u32>().ok());
            let digits = parts.next().unwrap_or("6");
            if digits.eq_ignore_ascii_case("S") {
                return Err("Steam codes are not supported".into());
            }
            match (period, digits.parse::<u8>().ok()) {
                (Some(p), Some(d)) => (p, d),
                _ => return Err(format!("unknown {KPXC_SETTINGS:?}")),
            }
        }
    };
    Totp::new(
        base.secret().to_vec(),
        Algorithm::Sha1,
        digits,
        period,
        issuer,
        account,
    )
    .map_err(|e| e.to_string())
}

/// Which entries have attachments, and their names. The `keepass` crate
/// does not keep an entry's attachment references, so when the file holds
/// any attachment its decrypted XML is read again for the names (the
/// content is never looked at).
fn attachment_names(
    db: &Database,
    bytes: &[u8],
    passphrase: &str,
    warnings: &mut Vec<String>,
) -> HashMap<[u8; 16], Vec<String>> {
    let count = db.header_attachments.len() + db.meta.binaries.binaries.len();
    if count == 0 {
        return HashMap::new();
    }
    let xml = std::panic::catch_unwind(|| {
        Database::get_xml(
            &mut &bytes[..],
            DatabaseKey::new().with_password(passphrase),
        )
    });
    match xml {
        Ok(Ok(xml)) => scan_attachments(&String::from_utf8_lossy(&xml)),
        _ => {
            warnings.push(format!(
                "the file holds {count} attachment(s); none were imported"
            ));
            HashMap::new()
        }
    }
}

/// Scans KeePass XML for each current entry's `<Binary><Key>` names, by
/// the entry's UUID (history versions are ignored). A tag-level scan: the
/// document was already parsed in full by the `keepass` crate.
fn scan_attachments(xml: &str) -> HashMap<[u8; 16], Vec<String>> {
    let mut map = HashMap::new();
    let mut stack: Vec<&str> = Vec::new();
    let mut text = String::new();
    let mut uuid: Option<[u8; 16]> = None;
    let mut names: Vec<String> = Vec::new();
    let mut rest = xml;

    while let Some(lt) = rest.find('<') {
        text.push_str(&rest[..lt]);
        rest = &rest[lt..];
        if let Some(r) = rest.strip_prefix("<!--") {
            rest = r.find("-->").map_or("", |i| &r[i + 3..]);
            continue;
        }
        if let Some(r) = rest.strip_prefix("<![CDATA[") {
            let end = r.find("]]>").unwrap_or(r.len());
            text.push_str(&r[..end]);
            rest = r.get(end + 3..).unwrap_or("");
            continue;
        }
        // The tag runs to the first `>` outside quotes.
        let mut quote = None;
        let mut end = None;
        for (i, c) in rest.char_indices().skip(1) {
            match (quote, c) {
                (Some(q), c) if c == q => quote = None,
                (None, '"' | '\'') => quote = Some(c),
                (None, '>') => {
                    end = Some(i);
                    break;
                }
                _ => {}
            }
        }
        let Some(end) = end else { break };
        let tag = &rest[1..end];
        rest = &rest[end + 1..];
        if tag.starts_with('?') || tag.starts_with('!') {
            continue;
        }
        let (closing, body) = match tag.strip_prefix('/') {
            Some(body) => (true, body),
            None => (false, tag),
        };
        let self_closing = !closing && body.ends_with('/');
        let name = body
            .trim_end_matches('/')
            .split(char::is_whitespace)
            .next()
            .unwrap_or("");
        if !closing {
            if name == "Entry" && !stack.contains(&"History") {
                uuid = None;
                names.clear();
            }
            stack.push(name);
            text.clear();
            if !self_closing {
                continue;
            }
        }
        let n = stack.len();
        let parent = n.checked_sub(2).and_then(|i| stack.get(i)).copied();
        let grandparent = n.checked_sub(3).and_then(|i| stack.get(i)).copied();
        if !stack.contains(&"History") {
            match name {
                "UUID" if parent == Some("Entry") => {
                    uuid = data_encoding::BASE64
                        .decode(unescape(text.trim()).as_bytes())
                        .ok()
                        .and_then(|b| <[u8; 16]>::try_from(b).ok());
                }
                "Key" if parent == Some("Binary") && grandparent == Some("Entry") => {
                    names.push(unescape(&text));
                }
                "Entry" => {
                    if let Some(u) = uuid.take()
                        && !names.is_empty()
                    {
                        map.insert(u, std::mem::take(&mut names));
                    }
                }
                _ => {}
            }
        }
        stack.pop();
        text.clear();
    }
    map
}

/// Replaces XML's character and entity references.
fn unescape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(amp) = rest.find('&') {
        out.push_str(&rest[..amp]);
        rest = &rest[amp..];
        let Some(semi) = rest.find(';') else { break };
        let entity = &rest[1..semi];
        let c = match entity {
            "lt" => Some('<'),
            "gt" => Some('>'),
            "amp" => Some('&'),
            "quot" => Some('"'),
            "apos" => Some('\''),
            _ => entity
                .strip_prefix("#x")
                .or_else(|| entity.strip_prefix("#X"))
                .map(|h| u32::from_str_radix(h, 16))
                .or_else(|| entity.strip_prefix('#').map(str::parse::<u32>))
                .and_then(Result::ok)
                .and_then(char::from_u32),
        };
        match c {
            Some(c) => {
                out.push(c);
                rest = &rest[semi + 1..];
            }
            None => {
                out.push('&');
                rest = &rest[1..];
            }
        }
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use std::path::PathBuf;
    use std::process::{Command, Stdio};

    use rand::SeedableRng;
    use rand::rngs::StdRng;

    use super::*;

    const NOW: i64 = 1_800_000_000;
    /// The physical memory the tests assume (16 GiB).
    const RAM: u64 = 16 << 30;

    /// The KeePassXC test databases and their passphrases (README.md there).
    const FIXTURES: [(&str, &str); 4] = [
        ("NewDatabase.kdbx", "a"),
        ("Format400.kdbx", "t"),
        ("ProtectedStrings.kdbx", "masterpw"),
        ("NonAscii.kdbx", "\u{394}\u{f6}\u{636}"),
    ];

    fn dir() -> PathBuf {
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/keepassxc")
    }

    fn bytes(name: &str) -> Vec<u8> {
        std::fs::read(dir().join(name)).expect("fixture present")
    }

    fn import(name: &str, pass: &str) -> Imported {
        parse(&bytes(name), pass, RAM, NOW, &mut StdRng::seed_from_u64(1)).expect("imports")
    }

    fn find<'a>(imp: &'a Imported, title: &str) -> &'a Item {
        imp.items
            .iter()
            .find(|i| i.entry.title == title)
            .unwrap_or_else(|| panic!("no entry {title}"))
    }

    /// (file, group, title, username, password, url, notes) as
    /// `keepassxc-cli show -s` 2.7.4 prints them.
    const EXPECTED: [(&str, &str, &str, &str, &str, &str, &str); 5] = [
        (
            "NewDatabase.kdbx",
            "",
            "Sample Entry",
            "User Name",
            "Password",
            "http://www.somesite.com/",
            "Notes",
        ),
        (
            "NewDatabase.kdbx",
            "Homebanking/Subgroup",
            "Subgroup Entry",
            "Bank User Name",
            "SecurePassword",
            "https://www.bank.com",
            "Important note",
        ),
        (
            "Format400.kdbx",
            "",
            "Format400",
            "Format400",
            "Format400",
            "",
            "",
        ),
        (
            "ProtectedStrings.kdbx",
            "",
            "Sample Entry",
            "Protected User Name",
            "ProtectedPassword",
            "http://www.somesite.com/",
            "Notes",
        ),
        (
            "NonAscii.kdbx",
            "",
            "\u{79d8}\u{5bc6}",
            "",
            "\u{1f697}\u{1f40e}\u{1f50b}\u{1f4ce}",
            "",
            "",
        ),
    ];

    #[test]
    fn every_fixture_imports_with_the_values_keepassxc_shows() {
        for (file, pass) in FIXTURES {
            let imp = import(file, pass);
            assert!(!imp.items.is_empty(), "{file}");
        }
        for (file, group, title, user, pw, url, notes) in EXPECTED {
            let pass = FIXTURES.iter().find(|f| f.0 == file).expect("known").1;
            let imp = import(file, pass);
            let item = find(&imp, title);
            assert_eq!(item.group, group, "{file} {title}");
            assert_eq!(item.entry.username, user, "{file} {title}");
            assert_eq!(item.entry.password.expose(), pw, "{file} {title}");
            let urls: Vec<&str> = item.entry.urls.iter().map(String::as_str).collect();
            let want: Vec<&str> = Some(url).filter(|u| !u.is_empty()).into_iter().collect();
            assert_eq!(urls, want, "{file} {title}");
            assert_eq!(item.entry.notes.expose(), notes, "{file} {title}");
            assert!(item.entry.strength.is_some(), "scored");
        }
    }

    #[test]
    fn non_ascii_title_and_passphrase() {
        let imp = import("NonAscii.kdbx", "Δöض");
        assert_eq!(imp.items.len(), 1);
        assert_eq!(imp.items[0].entry.title, "秘密");
    }

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
    fn keepassxc_totp_seed_becomes_the_entry_totp_not_a_field() {
        let imp = import("NewDatabase.kdbx", "a");
        let e = &find(&imp, "Sample Entry").entry;
        let totp = e.totp.as_ref().expect("TOTP Seed + TOTP Settings 30;6");
        assert_eq!(
            totp.secret_base32().as_str(),
            "HXDMVJECJJWSRB3HWIZR4IFUGFTMXBOZ"
        );
        assert_eq!((totp.digits, totp.period), (6, 30));
        assert!(e.field("TOTP Seed").is_none());
        assert!(e.field("TOTP Settings").is_none());
        // Custom attributes differing only in case are both kept.
        let names: Vec<&str> = e.fields.iter().map(|f| f.name.as_str()).collect();
        assert_eq!(names, ["TestAttribute1", "testattribute1"]);
        assert_eq!(e.fields[0].value.expose(), "b");
        assert_eq!(e.fields[1].value.expose(), "a");
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
            assert_ne!(h.password.expose(), e.password.expose());
            assert!(!h.password.is_empty());
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
    fn attachments_are_named_in_a_warning() {
        let imp = import("Format400.kdbx", "t");
        let w: Vec<&String> = imp
            .warnings
            .iter()
            .filter(|w| w.contains("attachment"))
            .collect();
        assert_eq!(w.len(), 1, "{:?}", imp.warnings);
        assert!(w[0].contains("\"Format400\""), "{}", w[0]);
        assert!(w[0].ends_with("not imported: Format400"), "{}", w[0]);
        // The custom attribute "Format400" is still a field.
        assert_eq!(
            imp.items[0]
                .entry
                .field("Format400")
                .map(|f| f.value.expose()),
            Some("Format400")
        );

        let imp = import("NewDatabase.kdbx", "a");
        let w: Vec<&String> = imp
            .warnings
            .iter()
            .filter(|w| w.contains("attachment"))
            .collect();
        assert_eq!(w.len(), 1, "{:?}", imp.warnings);
        assert!(w[0].contains("Sample attachment.txt"), "{}", w[0]);
    }

    #[test]
    fn wrong_passphrase_is_reported_as_such() {
        for (file, _) in FIXTURES {
            let r = parse(
                &bytes(file),
                "wrong",
                RAM,
                NOW,
                &mut StdRng::seed_from_u64(1),
            );
            assert!(
                matches!(r, Err(ImportError::WrongPassphrase)),
                "{file}: {:?}",
                r.err()
            );
        }
    }

    #[test]
    fn garbage_is_malformed() {
        let mut rng = StdRng::seed_from_u64(1);
        for bad in [
            &b""[..],
            b"not a keepass file",
            &[0u8; 64],
            b"\x03\xd9\xa2\x9a\x67\xfb\x4b\xb5\x01\x00\x04\x00",
        ] {
            let r = parse(bad, "a", RAM, NOW, &mut rng);
            assert!(matches!(r, Err(ImportError::Malformed(_))), "{:?}", r.err());
        }
    }

    #[test]
    fn every_truncation_is_rejected_without_panicking() {
        let mut rng = StdRng::seed_from_u64(1);
        for (file, pass) in [
            ("Format400.kdbx", "t"),
            ("ProtectedStrings.kdbx", "masterpw"),
        ] {
            let full = bytes(file);
            for len in 0..full.len() {
                match parse(&full[..len], pass, RAM, NOW, &mut rng) {
                    Err(ImportError::Malformed(m)) => assert!(!m.is_empty()),
                    // KDBX 3.1 cut at a cipher block boundary: without a
                    // key check before the body it reads as a wrong key.
                    Err(ImportError::WrongPassphrase)
                        if file.starts_with("Protected")
                            && (full.len() - len).is_multiple_of(16) => {}
                    Err(e) => panic!("{file} cut at {len}: {e:?}"),
                    Ok(_) => panic!("{file} cut at {len} imported"),
                }
            }
        }
    }

    /// `file` with the unencrypted header value found by `find` replaced
    /// by `value` of the same length (the header's HMAC no longer holds,
    /// which only a derivation could tell).
    fn patched(
        file: &str,
        find: impl for<'h> Fn(&Header<'h>) -> Option<&'h [u8]>,
        value: &[u8],
    ) -> Vec<u8> {
        let mut b = bytes(file);
        let copy = b.clone();
        let header = framing(&copy).expect("framing");
        let at = find(&header).expect("field present");
        let offset = at.as_ptr() as usize - copy.as_ptr() as usize;
        assert_eq!(at.len(), value.len());
        b[offset..offset + value.len()].copy_from_slice(value);
        b
    }

    /// The value of `key` in KDBX 4's KDF parameters.
    fn kdf_value<'a>(h: &Header<'a>, key: &str) -> Option<&'a [u8]> {
        variant_dictionary(h.kdf_parameters?)?
            .into_iter()
            .find(|(k, _)| *k == key.as_bytes())
            .map(|(_, v)| v)
    }

    fn refused_for_cost(bytes: &[u8], pass: &str, ram: u64) -> String {
        match parse(bytes, pass, ram, NOW, &mut StdRng::seed_from_u64(1)) {
            Err(ImportError::Malformed(m)) if m.contains("key derivation") => m,
            Err(e) => panic!("refused for another reason: {e}"),
            Ok(_) => panic!("imported"),
        }
    }

    #[test]
    fn a_kdbx4_asking_for_a_terabyte_of_argon2_memory_is_refused_before_deriving() {
        let b = patched(
            "Format400.kdbx",
            |h| kdf_value(h, "M"),
            &(1u64 << 40).to_le_bytes(),
        );
        let m = refused_for_cost(&b, "t", RAM);
        assert!(m.contains("1048576 MiB of Argon2 memory"), "{m}");
        // The same file's own 1 MiB is within the ceiling even on a small machine.
        assert!(
            parse(
                &bytes("Format400.kdbx"),
                "t",
                64 << 20,
                NOW,
                &mut StdRng::seed_from_u64(1)
            )
            .is_ok()
        );
    }

    #[test]
    fn argon2_memory_is_held_to_half_the_machines_memory() {
        // 1 MiB of Argon2 memory on a machine with 1 MiB of memory.
        let m = refused_for_cost(&bytes("Format400.kdbx"), "t", 1 << 20);
        assert!(m.contains("at most 0 MiB on this machine"), "{m}");
    }

    #[test]
    fn a_kdbx4_asking_for_endless_argon2_passes_or_lanes_is_refused() {
        let b = patched(
            "Format400.kdbx",
            |h| kdf_value(h, "I"),
            &u64::MAX.to_le_bytes(),
        );
        let m = refused_for_cost(&b, "t", RAM);
        assert!(m.contains("Argon2 passes"), "{m}");
        let b = patched(
            "Format400.kdbx",
            |h| kdf_value(h, "P"),
            &100_000u32.to_le_bytes(),
        );
        let m = refused_for_cost(&b, "t", RAM);
        assert!(m.contains("100000 Argon2 lanes"), "{m}");
    }

    #[test]
    fn a_kdbx3_asking_for_endless_aes_rounds_is_refused_before_deriving() {
        let b = patched(
            "ProtectedStrings.kdbx",
            |h| h.transform_rounds,
            &u64::MAX.to_le_bytes(),
        );
        let m = refused_for_cost(&b, "masterpw", RAM);
        assert!(m.contains(&format!("{} AES rounds", u64::MAX)), "{m}");
        // Just under the ceiling is left to the derivation (and then the
        // header's changed bytes make it a wrong key, not a cost refusal).
        let b = patched(
            "ProtectedStrings.kdbx",
            |h| h.transform_rounds,
            &6001u64.to_le_bytes(),
        );
        assert!(matches!(
            parse(&b, "masterpw", RAM, NOW, &mut StdRng::seed_from_u64(1)),
            Err(ImportError::WrongPassphrase)
        ));
    }

    #[test]
    fn a_variant_dictionary_cut_short_is_not_read() {
        let full = bytes("Format400.kdbx");
        let h = framing(&full).expect("framing");
        let dict = h.kdf_parameters.expect("kdf parameters");
        assert!(variant_dictionary(dict).is_some());
        for len in 0..dict.len() {
            assert!(variant_dictionary(&dict[..len]).is_none(), "cut at {len}");
        }
    }

    /// A KDBX 4 file's unencrypted framing with `items` as its key
    /// derivation parameters (header field 11), each (type, key, value):
    /// enough for the cost check, which runs before anything else.
    fn kdbx4_with_kdf(items: &[(u8, &str, &[u8])]) -> Vec<u8> {
        let mut dict = vec![0x00, 0x01];
        for (kind, key, value) in items {
            dict.push(*kind);
            dict.extend_from_slice(&(key.len() as u32).to_le_bytes());
            dict.extend_from_slice(key.as_bytes());
            dict.extend_from_slice(&(value.len() as u32).to_le_bytes());
            dict.extend_from_slice(value);
        }
        dict.push(0);
        let mut b = SIGNATURE.to_vec();
        b.extend_from_slice(&[0, 0, 4, 0]);
        b.push(11);
        b.extend_from_slice(&(dict.len() as u32).to_le_bytes());
        b.extend_from_slice(&dict);
        b.extend_from_slice(&[0, 4, 0, 0, 0, b'\r', b'\n', b'\r', b'\n']);
        // Header SHA-256 and HMAC, then the final empty HMAC block.
        b.extend_from_slice(&[0; 64 + 32 + 4]);
        b
    }

    #[test]
    fn aes_kdf_under_its_kdbx4_uuid_is_held_to_the_ceiling() {
        // KeePassXC writes this UUID for AES-KDF in KDBX 4 files; the
        // crate runs it, so the ceiling must see it.
        let max = u64::MAX.to_le_bytes();
        let b = kdbx4_with_kdf(&[
            (0x42, "$UUID", &KDF_AES_KDBX4),
            (0x05, "R", &max),
            (0x42, "S", &[0; 32]),
        ]);
        let m = refused_for_cost(&b, "a", RAM);
        assert!(m.contains(&format!("{} AES rounds", u64::MAX)), "{m}");
    }

    #[test]
    fn a_repeated_kdf_parameter_counts_by_its_last_value_as_in_the_crate() {
        let (one, max) = (1u64.to_le_bytes(), u64::MAX.to_le_bytes());
        let b = kdbx4_with_kdf(&[
            (0x42, "$UUID", &KDF_AES_KDBX3),
            (0x05, "R", &one),
            (0x05, "R", &max),
            (0x42, "S", &[0; 32]),
        ]);
        let m = refused_for_cost(&b, "a", RAM);
        assert!(m.contains(&format!("{} AES rounds", u64::MAX)), "{m}");
        let b = kdbx4_with_kdf(&[
            (0x42, "$UUID", &KDF_ARGON2ID),
            (0x05, "M", &(1u64 << 20).to_le_bytes()),
            (0x05, "M", &(1u64 << 40).to_le_bytes()),
            (0x05, "I", &one),
            (0x04, "P", &1u32.to_le_bytes()),
        ]);
        let m = refused_for_cost(&b, "a", RAM);
        assert!(m.contains("1048576 MiB of Argon2 memory"), "{m}");
    }

    #[test]
    fn a_kdf_number_with_extra_bytes_counts_by_its_first_eight_as_in_the_crate() {
        let mut long = u64::MAX.to_le_bytes().to_vec();
        long.extend_from_slice(&[0; 8]);
        let b = kdbx4_with_kdf(&[
            (0x42, "$UUID", &KDF_AES_KDBX3),
            (0x05, "R", &long),
            (0x42, "S", &[0; 32]),
        ]);
        let m = refused_for_cost(&b, "a", RAM);
        assert!(m.contains(&format!("{} AES rounds", u64::MAX)), "{m}");
        // KDBX 3.1: header field 6 of 9 bytes, then a one-block body.
        let mut b = SIGNATURE.to_vec();
        b.extend_from_slice(&[1, 0, 3, 0, 6, 9, 0]);
        b.extend_from_slice(&u64::MAX.to_le_bytes());
        b.push(0);
        b.extend_from_slice(&[0, 4, 0, b'\r', b'\n', b'\r', b'\n']);
        b.extend_from_slice(&[0; 16]);
        let m = refused_for_cost(&b, "a", RAM);
        assert!(m.contains(&format!("{} AES rounds", u64::MAX)), "{m}");
    }

    #[test]
    fn keepass1_aes_rounds_are_held_to_the_ceiling() {
        // KeePass 1's fixed header: signature, flags, version, seed, IV,
        // counts, contents hash, transform seed, then the rounds (u32).
        let kdb = |rounds: u32| {
            let mut b = SIGNATURE_KDB.to_vec();
            b.extend_from_slice(&[0; KDB_ROUNDS_AT - 8]);
            b.extend_from_slice(&rounds.to_le_bytes());
            b.extend_from_slice(&[0; 16]);
            b
        };
        let m = refused_for_cost(&kdb(u32::MAX), "a", RAM);
        assert!(m.contains(&format!("{} AES rounds", u32::MAX)), "{m}");
        let r = parse(&kdb(5), "a", RAM, NOW, &mut StdRng::seed_from_u64(1));
        assert!(
            !matches!(&r, Err(ImportError::Malformed(m)) if m.contains("key derivation")),
            "five rounds are within the ceiling"
        );
    }

    #[test]
    fn unreadable_kdf_parameters_are_refused_before_the_crate_reads_them() {
        let mut b = kdbx4_with_kdf(&[(0x42, "$UUID", &KDF_AES_KDBX4)]);
        // Drop the dictionary's end byte, and shorten field 11 to match.
        let at = 12 + 5 + 2 + 1 + 4 + 5 + 4 + 16;
        b.remove(at);
        b[13] -= 1;
        match parse(&b, "a", RAM, NOW, &mut StdRng::seed_from_u64(1)) {
            Err(ImportError::Malformed(m)) => {
                assert!(
                    m.contains("key derivation parameters cannot be read"),
                    "{m}"
                )
            }
            Err(e) => panic!("{e}"),
            Ok(_) => panic!("imported"),
        }
    }

    #[test]
    fn a_slash_in_a_group_name_does_not_make_a_level() {
        assert_eq!(segment("a/b"), "a\u{2215}b");
        assert_eq!(segment("  "), "(unnamed)");
        assert_eq!(segment("x\ny"), "x y");
    }

    #[test]
    fn attachment_scan_ignores_history_and_unescapes_names() {
        let xml = r#"<?xml version="1.0"?><Root><Group><Entry><UUID>AAAAAAAAAAAAAAAAAAAAAQ==</UUID>
            <Binary><Key>a &amp; b.txt</Key><Value Ref="0"/></Binary>
            <History><Entry><UUID>AAAAAAAAAAAAAAAAAAAAAQ==</UUID>
            <Binary><Key>old.txt</Key><Value Ref="1"/></Binary></Entry></History>
            </Entry><Entry><UUID>AAAAAAAAAAAAAAAAAAAAAg==</UUID><!-- <Binary> --></Entry></Group></Root>"#;
        let map = scan_attachments(xml);
        let mut one = [0u8; 16];
        one[15] = 1;
        assert_eq!(map.len(), 1);
        assert_eq!(map[&one], ["a & b.txt"]);
    }

    /// Compares with what `keepassxc-cli show -s` prints for each entry,
    /// when keepassxc-cli is installed (the CI script installs it).
    #[test]
    fn matches_keepassxc_cli_when_present() {
        if Command::new("keepassxc-cli")
            .arg("--version")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .is_err()
        {
            println!("keepassxc-cli not installed; comparison skipped");
            return;
        }
        for (file, pass) in FIXTURES {
            let imp = import(file, pass);
            for item in &imp.items {
                let path = if item.group.is_empty() {
                    item.entry.title.clone()
                } else {
                    format!("{}/{}", item.group, item.entry.title)
                };
                let shown = cli_show(&dir().join(file), pass, &path);
                let want = |attr: &str| {
                    shown
                        .lines()
                        .find_map(|l| l.strip_prefix(&format!("{attr}: ")))
                        .unwrap_or_else(|| panic!("{file} {path}: no {attr} in output"))
                        .to_owned()
                };
                assert_eq!(item.entry.title, want("Title"), "{file} {path}");
                assert_eq!(item.entry.username, want("UserName"), "{file} {path}");
                assert_eq!(
                    item.entry.password.expose(),
                    want("Password"),
                    "{file} {path}"
                );
            }
        }
    }

    fn cli_show(file: &std::path::Path, pass: &str, entry: &str) -> String {
        use std::io::Write;
        let mut child = Command::new("keepassxc-cli")
            .args(["show", "-s", "-q", "--all"])
            .arg(file)
            .arg(entry)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("keepassxc-cli runs");
        child
            .stdin
            .take()
            .expect("piped")
            .write_all(format!("{pass}\n").as_bytes())
            .expect("passphrase written");
        let out = child.wait_with_output().expect("keepassxc-cli finishes");
        String::from_utf8(out.stdout).expect("UTF-8 output")
    }
}

#[cfg(test)]
mod totp_tests {
    use super::*;

    #[test]
    fn keepassxc_totp_settings() {
        let seed = Concealed::of("HXDMVJECJJWSRB3HWIZR4IFUGFTMXBOZ");
        let t = kpxc_totp(&seed, Some(&Concealed::of("60;8")), None, None).expect("usable");
        assert_eq!((t.period, t.digits), (60, 8));
        let steam = kpxc_totp(&seed, Some(&Concealed::of("30;S")), None, None);
        assert!(steam.is_err(), "Steam codes are not Baton's TOTP");
        assert!(kpxc_totp(&seed, Some(&Concealed::of("x")), None, None).is_err());
    }
}
