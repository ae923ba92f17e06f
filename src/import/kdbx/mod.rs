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
//!
//! The work is split by concern: `guard` checks the unencrypted header
//! (framing, and the key derivation's cost) before the crate reads it,
//! `nesting` bounds how deeply the decrypted file nests before the crate
//! parses it, `walk` maps the group tree onto entries, `otp` maps the TOTP
//! attributes, and `attachments` finds the names of attachments, which are
//! not imported.

mod attachments;
mod guard;
mod nesting;
mod otp;
mod walk;

use keepass::error::{DatabaseIntegrityError, DatabaseKeyError, DatabaseOpenError};
use keepass::{Database, DatabaseKey};
use zeroize::Zeroizing;

use super::{ImportError, Imported};
use attachments::attachment_names;
pub use guard::{CEILING_AES_ROUNDS, CEILING_ARGON2_LANES, CEILING_ARGON2_WORK};
use guard::{check_kdf_cost, framing};
pub use nesting::{MAX_GROUP_DEPTH, MAX_XML_DEPTH};
use walk::Walk;

/// The title given to an entry that has none.
pub const UNTITLED: &str = "(untitled)";

/// Reads a KDBX 3.1 or 4 file opened with `passphrase` (no key file).
///
/// `ram_bytes` is the machine's physical memory: the file's key
/// derivation is refused, before it starts, when it asks for more than
/// [`check_kdf_cost`] allows. A file whose groups nest more than
/// [`MAX_GROUP_DEPTH`] levels below the root, or whose XML nests more than
/// [`MAX_XML_DEPTH`] elements, is refused before anything recurses over
/// it. `now` stands in for times the file does not give; `rng` makes the
/// new entries' ids.
pub fn parse(
    bytes: &[u8],
    passphrase: &str,
    ram_bytes: u64,
    now: i64,
    rng: &mut impl rand::CryptoRng,
) -> Result<Imported, ImportError> {
    let (db, xml) = open(bytes, passphrase, ram_bytes)?;

    let mut out = Imported::default();
    let attachments = attachment_names(&db, xml.as_deref().map(Vec::as_slice), &mut out.warnings);
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

/// Opens the database, turning the crate's errors into Baton's; with it,
/// for KDBX 3.1 and 4, the decrypted XML (for the attachments' names).
///
/// The file's framing is checked first ([`framing`]): the crate indexes
/// its input without bounds checks in places (a KDBX 3.1 header cut short
/// panics inside it), and a file cut short must not cost a key derivation
/// or read as a wrong passphrase. Then the key derivation's cost is
/// checked against a ceiling ([`check_kdf_cost`]), since the crate runs
/// whatever the header asks.
///
/// The crate's XML parser recurses once per nested group, so a KDBX
/// file's XML is decrypted first and its nesting bounded
/// ([`nesting::check_xml`]) before the crate parses it. The crate offers
/// no way to parse XML it has already decrypted, so this derives the
/// file's key twice. A KeePass 1 tree, built without recursion, is
/// measured afterwards ([`nesting::check_tree`]).
///
/// A panic the checks did not foresee is caught and reported as a
/// damaged file rather than taking Baton down.
fn open(bytes: &[u8], passphrase: &str, ram_bytes: u64) -> Result<Opened, ImportError> {
    let header = framing(bytes)?;
    check_kdf_cost(&header, ram_bytes)?;
    let version = header.version;
    let key = || DatabaseKey::new().with_password(passphrase);
    let xml = if matches!(version, 3 | 4) {
        let xml = Zeroizing::new(catching(version, || {
            Database::get_xml(&mut &bytes[..], key())
        })?);
        nesting::check_xml(&xml)?;
        Some(xml)
    } else {
        None
    };
    let mut db = catching(version, || Database::parse(bytes, key()))?;
    if let Err(e) = nesting::check_tree(&db.root) {
        nesting::dismantle(std::mem::take(&mut db.root));
        return Err(e);
    }
    Ok((db, xml))
}

/// An opened database, and its decrypted XML when it has one.
type Opened = (Database, Option<Zeroizing<Vec<u8>>>);

/// Runs one of the crate's readers, its errors and panics made Baton's.
fn catching<T>(
    version: u16,
    read: impl FnOnce() -> Result<T, DatabaseOpenError> + std::panic::UnwindSafe,
) -> Result<T, ImportError> {
    match std::panic::catch_unwind(read) {
        Ok(Ok(v)) => Ok(v),
        Ok(Err(e)) => Err(open_error(e, version)),
        Err(_) => Err(malformed("its contents could not be parsed")),
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

#[cfg(test)]
// Tests read fixtures and run the real keepassxc-cli.
#[allow(
    clippy::disallowed_methods,
    clippy::disallowed_macros,
    clippy::disallowed_types
)]
mod tests {
    use std::path::PathBuf;
    use std::process::{Command, Stdio};

    use rand::SeedableRng;
    use rand::rngs::StdRng;

    use super::*;
    use crate::import::Item;

    // The fixtures and helpers below serve the submodules' tests too.

    pub(super) const NOW: i64 = 1_800_000_000;
    /// The physical memory the tests assume (16 GiB).
    pub(super) const RAM: u64 = 16 << 30;

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

    pub(super) fn bytes(name: &str) -> Vec<u8> {
        std::fs::read(dir().join(name)).expect("fixture present")
    }

    pub(super) fn import(name: &str, pass: &str) -> Imported {
        parse(&bytes(name), pass, RAM, NOW, &mut StdRng::seed_from_u64(1)).expect("imports")
    }

    pub(super) fn find<'a>(imp: &'a Imported, title: &str) -> &'a Item {
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

    /// Compares with what `keepassxc-cli show -s` prints for each entry,
    /// when keepassxc-cli is installed (the CI script installs it).
    #[test]
    fn matches_keepassxc_cli_when_present() {
        if !crate::import::tool::keepassxc_cli() {
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
