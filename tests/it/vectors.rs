//! The test vectors in tests/vectors: small vault files, each with its
//! expected outcome in cases.tsv, run through the real binary. Those in
//! tests/vectors/v1 are format-version-1 files, written before version 2,
//! that this build must still read; those in tests/vectors/v2 are of the
//! version this build writes.
//!
//! `cargo test --test it -- --ignored write_vectors` regenerates the
//! current version's (deterministically, from a seeded RNG) after a format
//! change; the version-1 files are never written again.

use std::path::Path;

use baton::crypto::kdf::KdfParams;
use baton::format::{self, read};
use baton::secret::{Concealed, Passphrase};
use baton::vault::{self, CreateOptions, Entry, EntryId};
use rand::SeedableRng;

use crate::common::{PASS, TEST_KDF, bin, code, contains, stderr, vectors_dir, weak_options};

fn create(kdf: KdfParams, seed: u64) -> Vec<u8> {
    let mut rng = rand::rngs::StdRng::seed_from_u64(seed);
    let opts = CreateOptions {
        firm_domain: Some("acme.example".into()),
        kdf,
        ..weak_options(1_790_000_000)
    };
    let mut v = vault::create(
        opts,
        &Passphrase::from_slice(PASS.as_bytes()),
        &Passphrase::from_slice(b"RECOVERYCODE"),
        &mut rng,
    )
    .expect("create");
    let mut e = Entry::new(EntryId::random(&mut rng), "Bank".into(), 1_790_000_000, 1);
    e.username = "boss".into();
    e.password = Concealed::of("vector-secret-1");
    // As every writer does when it writes a password (FORMAT.md §5.3).
    e.rescore();
    v.add("Finance", e, &mut rng).expect("add");
    let e = Entry::new(EntryId::random(&mut rng), "Mail".into(), 1_790_000_000, 1);
    v.add("General", e, &mut rng).expect("add");
    v.seal(1_790_000_001, &mut rng).expect("seal")
}

fn position(hay: &[u8], needle: &[u8]) -> usize {
    hay.windows(needle.len())
        .position(|w| w == needle)
        .expect("needle present")
}

fn flip(b: &[u8], at: usize) -> Vec<u8> {
    let mut v = b.to_vec();
    v[at] ^= 0x01;
    v
}

/// The format versions with a folder of vectors.
const VERSIONS: [u16; 2] = [1, 2];

#[test]
#[ignore = "writes tests/vectors/v2; run after a deliberate format change"]
fn write_vectors() {
    assert_eq!(
        format::FORMAT_VERSION,
        2,
        "a new format version writes its vectors into a new folder"
    );
    let ok = create(TEST_KDF, 1);
    let parsed = read::parse(&ok).expect("parses");
    let manifest_at =
        position(&ok, &parsed.snapshot.manifest.body) + parsed.snapshot.manifest.body.len() / 2;
    let slot = &parsed.snapshot.slots[0].wrapped;
    let slot_at = position(&ok, slot) + 3;
    let blob = &parsed.snapshot.groups[0].ciphertext;
    let blob_at = position(&ok, blob) + blob.len() / 2;
    let mut newer = ok.clone();
    newer[8..10].copy_from_slice(&(format::FORMAT_VERSION + 1).to_le_bytes());
    let mut trailing = ok.clone();
    trailing.extend_from_slice(b"\x03\x00\x00\x00abc");
    // A valid record appended after the seal (a reveal), and the same
    // vault with a second record cut short as a crash would leave it.
    let appended = {
        let file = read::parse(&ok).expect("parses");
        let v = vault::unlock(
            file,
            vault::Credential::Passphrase {
                member: None,
                passphrase: &Passphrase::from_slice(PASS.as_bytes()),
            },
            1_790_000_100,
            8 << 30,
            &format::LogHead::EMPTY,
        )
        .expect("unlocks");
        let r = v.find("Bank").expect("entry");
        let draft = baton::audit::Draft {
            entry: Some(v.entry(r).id.0),
            field: Some(baton::audit::Field::Password),
            details: Some(v.details_for(r)),
            ..baton::audit::Draft::new(1_790_000_100, baton::audit::Action::Reveal)
        };
        let rec = v.prepare_record(draft, &mut rand::rngs::StdRng::seed_from_u64(3));
        let mut b = ok.clone();
        b.extend_from_slice(&format::write::log_frame(&rec));
        b
    };
    let mut torn = appended.clone();
    torn.extend_from_slice(&format::write::log_frame(&[7u8; 40])[..20]);
    let unlock = |bytes: &[u8], writer: u32| {
        let mut v = vault::unlock(
            read::parse(bytes).expect("parses"),
            vault::Credential::Passphrase {
                member: None,
                passphrase: &Passphrase::from_slice(PASS.as_bytes()),
            },
            1_790_000_200,
            8 << 30,
            &format::LogHead::EMPTY,
        )
        .expect("unlocks");
        v.set_writer(writer);
        v
    };
    // Two copies of ok.baton changed apart (Bank's password on one,
    // Mail's username on the other) and merged: a `merge` record joining
    // two heads, binding the group both changed.
    let merged = {
        let mut rng = rand::rngs::StdRng::seed_from_u64(5);
        let mut a = unlock(&ok, 11);
        let r = a.find("Bank").expect("Bank");
        a.edit(r, 1_790_000_200, |e| {
            e.set_password(Concealed::of("vector-secret-2"), 1_790_000_200, 1);
        })
        .expect("edit");
        let a_bytes = a.seal(1_790_000_200, &mut rng).expect("seal");
        let mut b = unlock(&ok, 22);
        let r = b.find("Bank").expect("Bank");
        b.edit(r, 1_790_000_300, |e| e.username = "director".into())
            .expect("edit");
        let b_bytes = b.seal(1_790_000_300, &mut rng).expect("seal");
        let mut m = unlock(&a_bytes, 33);
        m.merge(
            read::parse(&b_bytes).expect("parses"),
            1_790_000_400,
            &mut rng,
        )
        .expect("merges");
        m.seal(1_790_000_400, &mut rng).expect("seal")
    };
    // Two records after the seal that both follow its last record: a log
    // that forks with no merge record joining it.
    let forked = {
        let v = unlock(&ok, 44);
        let mut rng = rand::rngs::StdRng::seed_from_u64(6);
        let mut b = ok.clone();
        for time in [1_790_000_500, 1_790_000_501] {
            let draft = baton::audit::Draft::new(time, baton::audit::Action::Unlock);
            let rec = v.prepare_record(draft, &mut rng);
            b.extend_from_slice(&format::write::log_frame(&rec));
        }
        b
    };
    let files: Vec<(&str, Vec<u8>)> = vec![
        ("ok.baton", ok.clone()),
        ("tampered-manifest.baton", flip(&ok, manifest_at)),
        ("tampered-slot.baton", flip(&ok, slot_at)),
        ("tampered-ciphertext.baton", flip(&ok, blob_at)),
        ("tampered-seal.baton", flip(&ok, ok.len() - 1)),
        ("truncated.baton", ok[..ok.len() - 10].to_vec()),
        ("trailing-bytes.baton", trailing),
        ("appended-record.baton", appended),
        ("torn-record.baton", torn),
        (
            "kdf-out-of-bounds.baton",
            create(
                KdfParams {
                    time: 33,
                    ..TEST_KDF
                },
                2,
            ),
        ),
        ("newer-version.baton", newer),
        ("merged.baton", merged),
        ("forked.baton", forked),
    ];
    let dir = vectors_dir(format::FORMAT_VERSION);
    std::fs::create_dir_all(&dir).expect("the vectors' folder");
    for (name, bytes) in files {
        std::fs::write(dir.join(name), bytes).expect("write vector");
    }
}

#[test]
fn vectors_have_their_expected_outcomes() {
    for version in VERSIONS {
        vectors_of_version_have_their_expected_outcomes(version);
    }
}

fn vectors_of_version_have_their_expected_outcomes(version: u16) {
    let folder = vectors_dir(version);
    let table = std::fs::read_to_string(folder.join("cases.tsv")).expect("cases.tsv");
    let mut ran = 0;
    for line in table
        .lines()
        .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
    {
        let cols: Vec<&str> = line.split('\t').collect();
        assert_eq!(
            cols.len(),
            4,
            "cases.tsv line {line:?} needs file, passphrase, exit code, message"
        );
        let (file, passphrase, exit, message) = (cols[0], cols[1], cols[2], cols[3]);
        let dir = tempfile::tempdir().unwrap();
        let vault = dir.path().join("v.baton");
        std::fs::copy(folder.join(file), &vault)
            .unwrap_or_else(|e| panic!("v{version}/{file}: {e}"));
        let out = std::process::Command::new(bin())
            .args(["list", "--json"])
            .env_clear()
            .env("BATON_VAULT", &vault)
            .env("BATON_PASSPHRASE", passphrase)
            .output()
            .unwrap();
        let want: i32 = exit.parse().expect("exit code column");
        assert_eq!(code(&out), want, "v{version}/{file}: {}", stderr(&out));
        let text = if want == 0 {
            String::from_utf8_lossy(&out.stdout).into_owned()
        } else {
            stderr(&out)
        };
        assert!(
            text.contains(message),
            "v{version}/{file}: expected {message:?} in {text:?}"
        );
        assert!(!text.contains("panicked"), "v{version}/{file}");
        ran += 1;
    }
    assert!(ran >= 10, "v{version}: every vector is in the table");
    // And every vector in the folder is in the table.
    for f in std::fs::read_dir(&folder).expect("the vectors' folder") {
        let name = f
            .expect("an entry")
            .file_name()
            .into_string()
            .expect("a name");
        if name.ends_with(".baton") {
            assert!(
                table.lines().any(|l| l.starts_with(&format!("{name}\t"))),
                "v{version}/{name} has no line in cases.tsv"
            );
        }
    }
}

#[test]
fn an_owners_unlock_upgrades_a_version_1_vector_once() {
    let dir = tempfile::tempdir().unwrap();
    let vault = dir.path().join("v.baton");
    std::fs::copy(vectors_dir(1).join("appended-record.baton"), &vault).unwrap();
    let run = |args: &[&str]| {
        std::process::Command::new(bin())
            .args(args)
            .env_clear()
            .env("HOME", dir.path())
            .env("BATON_VAULT", &vault)
            .env("BATON_PASSPHRASE", PASS)
            .output()
            .unwrap()
    };
    let out = run(&["list", "--json"]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert!(
        stderr(&out).contains("upgraded to format version 2"),
        "{}",
        stderr(&out)
    );
    let bytes = std::fs::read(&vault).unwrap();
    assert_eq!(bytes[8..10], 2u16.to_le_bytes());
    let file = read::parse(&bytes).expect("the upgraded file parses");
    assert_eq!(file.version, 2);
    assert_eq!(
        file.legacy_records(),
        2,
        "the version-1 records are kept as they were signed"
    );
    // Opened again: already version 2, nothing more to upgrade.
    let out = run(&["list", "--json"]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert!(!stderr(&out).contains("upgraded"), "{}", stderr(&out));
    assert!(String::from_utf8_lossy(&out.stdout).contains("\"title\": \"Bank\""));
    let out = run(&["log", "verify"]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let out = run(&["log", "--json"]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let log = crate::common::json(&String::from_utf8_lossy(&out.stdout));
    let actions: Vec<&str> = log["records"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["action"].as_str().unwrap())
        .collect();
    assert_eq!(actions[..3], ["init", "reveal", "upgrade"], "{actions:?}");
}

/// torn-record.baton opens with a warning that the torn record is
/// dropped (README.md of each folder), whether or not the owner's unlock
/// upgrades the file on the way.
#[test]
fn a_torn_vector_warns_that_its_torn_record_is_dropped() {
    for version in VERSIONS {
        let dir = tempfile::tempdir().unwrap();
        let vault = dir.path().join("v.baton");
        std::fs::copy(vectors_dir(version).join("torn-record.baton"), &vault).unwrap();
        let out = std::process::Command::new(bin())
            .args(["list", "--json"])
            .env_clear()
            .env("HOME", dir.path())
            .env("BATON_VAULT", &vault)
            .env("BATON_PASSPHRASE", PASS)
            .output()
            .unwrap();
        assert_eq!(code(&out), 0, "v{version}: {}", stderr(&out));
        assert!(
            stderr(&out).contains("was cut short by a crash"),
            "v{version}/torn-record.baton opened without the torn-record warning: {}",
            stderr(&out)
        );
    }
}

/// A session that does not upgrade a version-1 vault (one opened by a
/// member who is not an owner: "it can be read") still appends its
/// `unlock` record, and its reveals' records, to the file as log frames.
/// The file must stay readable: every record of a version-1 file's tail
/// is read as a version-1 record.
#[test]
fn a_record_appended_to_a_version_1_vault_keeps_it_readable() {
    let ok = std::fs::read(vectors_dir(1).join("ok.baton")).expect("ok vector");
    let v = vault::unlock(
        read::parse(&ok).expect("parses"),
        vault::Credential::Passphrase {
            member: None,
            passphrase: &Passphrase::from_slice(PASS.as_bytes()),
        },
        1_790_000_100,
        8 << 30,
        &format::LogHead::EMPTY,
    )
    .expect("unlocks");
    assert_eq!(v.file_version(), 1, "not upgraded: nothing was saved");
    let draft = baton::audit::Draft::new(1_790_000_100, baton::audit::Action::Unlock);
    let rec = v.prepare_record(draft, &mut rand::rngs::StdRng::seed_from_u64(4));
    let mut with_record = ok.clone();
    with_record.extend_from_slice(&format::write::log_frame(&rec));
    let file = read::parse(&with_record).expect("parses");
    let checked = vault::check_log(&file, &format::LogHead::EMPTY, true);
    assert!(
        checked.is_ok(),
        "the vault no longer opens: {}",
        checked.err().map(|e| e.to_string()).unwrap_or_default()
    );
}

#[test]
fn vectors_hold_no_plaintext() {
    for version in VERSIONS {
        let ok = std::fs::read(vectors_dir(version).join("ok.baton")).expect("ok vector");
        for needle in ["vector-secret-1", "Bank", "Finance", "boss"] {
            assert!(!contains(&ok, needle.as_bytes()), "v{version}: {needle}");
        }
        let file = format::read::parse(&ok).expect("parses");
        assert_eq!(file.version, version);
    }
    let _ = Path::new("");
}

#[test]
fn ok_vector_holds_what_the_readme_says() {
    for version in VERSIONS {
        ok_vector_of_version_holds_what_the_readme_says(version);
    }
}

fn ok_vector_of_version_holds_what_the_readme_says(version: u16) {
    let ok = std::fs::read(vectors_dir(version).join("ok.baton")).expect("ok vector");
    // Version 1's one folded record is a version-1 record; version 2's
    // file holds none.
    let legacy = read::parse(&ok).expect("parses").legacy_records();
    assert_eq!(legacy, if version == 1 { 1 } else { 0 }, "v{version}");
    let v = vault::unlock(
        read::parse(&ok).expect("parses"),
        vault::Credential::Passphrase {
            member: None,
            passphrase: &Passphrase::from_slice(PASS.as_bytes()),
        },
        1_790_000_100,
        8 << 30,
        &format::LogHead::EMPTY,
    )
    .expect("unlocks");
    assert_eq!(v.file_version(), version);
    let (bank, mail) = (v.find("Bank").expect("Bank"), v.find("Mail").expect("Mail"));
    assert_eq!(
        (v.group_name(bank), v.group_name(mail)),
        ("Finance", "General")
    );
    let (bank, mail) = (v.entry(bank), v.entry(mail));
    assert_eq!(bank.username, "boss");
    assert_eq!(bank.password.expose(), "vector-secret-1");
    let score = baton::vault::entry::strength(&bank.password, &["Bank", "boss"]);
    assert!(score.is_some());
    assert_eq!(
        bank.strength, score,
        "the stored strength is the password's score"
    );
    assert_eq!(score, Some(4));
    assert!(mail.password.is_empty());
    assert_eq!(mail.strength, None, "no password, no strength");
    // FORMAT.md §13: it opens with its recovery code too.
    vault::unlock(
        read::parse(&ok).expect("parses"),
        vault::Credential::Recovery {
            code: &Passphrase::from_slice(b"RECOVERYCODE"),
        },
        1_790_000_100,
        8 << 30,
        &format::LogHead::EMPTY,
    )
    .expect("opens with the recovery code");
}

// ---------------------------------------------------------------------------
// The worked example of docs/FORMAT.md §12, made from the vector files.
//
// The walk below reads ok.baton, appended-record.baton and torn-record.baton
// byte by byte as FORMAT.md describes them (its own varint reader, SHA-256
// and Ed25519 over the byte ranges the text names), checks every value
// against what the library decodes, and renders §12's dumps and the figures
// of its prose. `print_worked_example` prints them to copy into FORMAT.md;
// `worked_example_is_current` fails when §12 no longer says the same.

use std::ops::Range;

use sha2::{Digest, Sha256};

/// Bytes as lowercase hex pairs separated by spaces.
fn hex(b: &[u8]) -> String {
    b.iter()
        .map(|x| format!("{x:02x}"))
        .collect::<Vec<_>>()
        .join(" ")
}

/// The first `head` and last `tail` bytes, with `…` for the rest.
fn ends(b: &[u8], head: usize, tail: usize) -> String {
    assert!(head + tail < b.len(), "nothing would be elided");
    let mut s = hex(&b[..head]);
    s.push_str(" …");
    if tail > 0 {
        s.push(' ');
        s.push_str(&hex(&b[b.len() - tail..]));
    }
    s
}

/// A number with its digits in groups of three, as §12 writes them.
fn grouped(n: u64) -> String {
    let s = n.to_string();
    let mut out = String::new();
    for (i, c) in s.chars().enumerate() {
        if i > 0 && (s.len() - i).is_multiple_of(3) {
            out.push(' ');
        }
        out.push(c);
    }
    out
}

/// An unsigned LEB128 varint at `at`: its value and its length (§2.1).
fn varint(b: &[u8], at: usize) -> (u64, usize) {
    let mut v = 0u64;
    for i in 0..10 {
        let byte = b[at + i];
        v |= u64::from(byte & 0x7f) << (7 * i);
        if byte & 0x80 == 0 {
            return (v, i + 1);
        }
    }
    panic!("varint at {at} is longer than 10 bytes");
}

fn unzigzag(v: u64) -> i64 {
    ((v >> 1) as i64) ^ -((v & 1) as i64)
}

fn u32le(b: &[u8], at: usize) -> u32 {
    u32::from_le_bytes(b[at..at + 4].try_into().unwrap())
}

/// `SHA-256(label || 0x00 || parts…)` (§6.2).
fn labelled_sha256(label: &str, parts: &[&[u8]]) -> [u8; 32] {
    let mut h = Sha256::new();
    h.update(label.as_bytes());
    h.update([0u8]);
    for p in parts {
        h.update(p);
    }
    h.finalize().into()
}

/// An Ed25519 signature over `label || 0x00 || parts…` verifies (§6.2).
fn signed(key: &[u8], label: &str, parts: &[&[u8]], sig: &[u8]) -> bool {
    let key = ed25519_dalek::VerifyingKey::from_bytes(key.try_into().unwrap()).unwrap();
    let sig = ed25519_dalek::Signature::from_bytes(sig.try_into().unwrap());
    let mut msg = label.as_bytes().to_vec();
    msg.push(0);
    for p in parts {
        msg.extend_from_slice(p);
    }
    key.verify_strict(&msg, &sig).is_ok()
}

/// A dump in §12's layout: the decimal offset in a 6-wide column, the bytes
/// from column 6, the description from column 34, two further columns in
/// per level of nesting.
struct Dump<'a> {
    b: &'a [u8],
    at: usize,
    out: String,
}

impl<'a> Dump<'a> {
    fn new(b: &'a [u8], at: usize) -> Self {
        Dump {
            b,
            at,
            out: String::new(),
        }
    }

    fn line(&mut self, s: &str) {
        self.out.push_str(s);
        self.out.push('\n');
    }

    /// The varint at the cursor, not consumed.
    fn varint(&self) -> (u64, usize) {
        varint(self.b, self.at)
    }

    /// One row: `len` bytes at the cursor, whole or as `head … tail`.
    /// Moves past them and returns their range.
    fn row(
        &mut self,
        depth: usize,
        len: usize,
        elide: Option<(usize, usize)>,
        text: &str,
    ) -> Range<usize> {
        let r = self.at..self.at + len;
        let bytes = &self.b[r.clone()];
        let shown = match elide {
            None => hex(bytes),
            Some((head, tail)) => ends(bytes, head, tail),
        };
        let width = 28 + 2 * depth;
        assert!(shown.chars().count() + 2 <= width, "row too wide: {shown}");
        let line = format!("{:<6}{shown:<width$}{text}", r.start);
        self.line(&line);
        self.at = r.end;
        r
    }

    /// A row of one varint; returns its value.
    fn varint_row(&mut self, depth: usize, text: impl Fn(u64) -> String) -> u64 {
        let (v, n) = self.varint();
        self.row(depth, n, None, &text(v));
        v
    }
}

/// `count` varints one after another from `at`: their values and total length.
fn varints(b: &[u8], at: usize, count: usize) -> (Vec<u64>, usize) {
    let mut vals = Vec::new();
    let mut len = 0;
    for _ in 0..count {
        let (v, n) = varint(b, at + len);
        vals.push(v);
        len += n;
    }
    (vals, len)
}

const ACTIONS: [&str; 18] = [
    "Init",
    "Unlock",
    "SessionEnd",
    "Add",
    "Edit",
    "Remove",
    "Reveal",
    "Copy",
    "CodeUsed",
    "PassphraseChange",
    "Import",
    "Export",
    "MemberAdd",
    "MemberGrant",
    "MemberRevoke",
    "Handover",
    "HandoverVerify",
    "SettingsChange",
];
const SLOT_KINDS: [&str; 2] = ["Passphrase", "Recovery"];

fn plural(n: u64, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

/// Words wrapped at 74 columns.
fn wrap(text: &str) -> String {
    let mut out = String::new();
    let mut col = 0;
    for w in text.split_whitespace() {
        let len = w.chars().count();
        if col > 0 && col + 1 + len > 74 {
            out.push('\n');
            col = 0;
        } else if col > 0 {
            out.push(' ');
            col += 1;
        }
        out.push_str(w);
        col += len;
    }
    out.push('\n');
    out
}

/// §12's text, rendered from the vector files: prose paragraphs and code
/// blocks, in order.
enum Block {
    Prose(String),
    Code(String),
}

fn worked_example() -> Vec<Block> {
    use baton::audit;
    use baton::format::{MAGIC, codec, labels};

    // The labels the text names are the library's.
    assert_eq!(labels::VAULT_ID, "baton vault id v1");
    assert_eq!(labels::MANIFEST, "baton manifest v1");
    assert_eq!(labels::SEAL, "baton seal v1");
    // Version 1's record labels (version 2's records use their own).
    assert_eq!(audit::V1_RECORD_LABEL, "baton log record v1");
    assert_eq!(audit::V1_HASH_LABEL, "baton log hash v1");
    assert_eq!(audit::BLOB_LABEL, "baton blob v1");
    assert_eq!(audit::SLOT_HASH_LABEL, "baton slot hash v1");
    assert_eq!(audit::MANIFEST_HASH_LABEL, "baton manifest hash v1");

    // §12 dissects the version-1 files, which this build still reads.
    let ok = std::fs::read(vectors_dir(1).join("ok.baton")).expect("ok vector");
    let file = read::parse(&ok).expect("ok.baton parses");
    assert_eq!(file.version, 1);
    let (s, m) = (&file.snapshot, &file.manifest);
    // The manifest as version 1 encodes it (with its id counters).
    let m1: format::v1::ManifestV1 = codec::decode(&s.manifest.body).expect("a v1 manifest");
    assert_eq!(
        (m1.vault_id, m1.members.len(), m1.log_public),
        (m.vault_id, m.members.len(), m.log_public)
    );
    let mut blocks = Vec::new();

    let mut d = Dump::new(&ok, 0);
    d.line("offset");
    assert_eq!(ok[..8], MAGIC);
    d.row(0, 8, None, "magic \"BATONVLT\"");
    assert_eq!(u16::from_le_bytes([ok[8], ok[9]]), 1);
    d.row(0, 2, None, "version 1");
    let l = u32le(&ok, 10) as usize;
    let total = 14 + l + 64;
    assert_eq!(total, ok.len(), "no frames after the seal");
    d.row(
        0,
        4,
        None,
        &format!("L = {l}; file = 14 + {l} + 64 = {total} bytes (no frames)"),
    );

    d.line("-- Snapshot");
    let r = d.row(0, 16, Some((4, 2)), "vault_id (16 bytes)");
    assert_eq!(ok[r], s.vault_id);
    let g = d.varint_row(0, |v| format!("generation {v}"));
    assert_eq!(g, s.generation);
    let v = d.varint_row(0, |v| format!("saver {v}"));
    assert_eq!(v, u64::from(s.saver));
    let v = d.varint_row(0, |v| {
        format!(
            "saved_at: varint {} → zigzag → {}",
            grouped(v),
            grouped(unzigzag(v) as u64)
        )
    });
    assert_eq!(unzigzag(v), s.saved_at);
    let signed_manifest_at = d.at;
    let body_len = d.varint_row(0, |v| format!("manifest.body length {v}")) as usize;
    let body = d.at..d.at + body_len;
    assert_eq!(ok[body.clone()], s.manifest.body[..]);

    d.line(&format!(
        "-- Manifest (the body, bytes {} .. {})",
        body.start, body.end
    ));
    let r = d.row(0, 16, Some((4, 2)), "vault_id");
    assert_eq!(ok[r], m.vault_id);
    let nonce = d.row(0, 16, Some((4, 2)), "vault_nonce (16 bytes)");
    assert_eq!(ok[nonce.clone()], m.vault_nonce);
    let v = d.varint_row(0, |v| format!("format_version {v}"));
    assert_eq!(v, u64::from(m.format_version));
    let v = d.varint_row(0, |v| format!("version {v}"));
    assert_eq!((v, m.version), (2, 2), "the first save re-signs version 2");
    let v = d.varint_row(0, |v| format!("created_at {}", grouped(unzigzag(v) as u64)));
    assert_eq!(unzigzag(v), m.created_at);
    assert_eq!(ok[d.at], u8::from(m.weak_kdf));
    assert!(m.weak_kdf);
    d.row(0, 1, None, "weak_kdf true");
    assert_eq!(ok[d.at], 1, "firm_domain is Some");
    let (n, nl) = varint(&ok, d.at + 1);
    let dom_at = d.at + 1 + nl;
    let domain = std::str::from_utf8(&ok[dom_at..dom_at + n as usize]).unwrap();
    assert_eq!(Some(domain), m.firm_domain.as_deref());
    d.row(
        0,
        1 + nl + n as usize,
        Some((6, 0)),
        &format!("firm_domain Some({domain:?})"),
    );
    let n = d.varint_row(0, |v| format!("{}:", plural(v, "member", "members")));
    assert_eq!(n as usize, m.members.len());
    let mut founder_ed25519 = 0..0;
    for mem in &m.members {
        let (id, a) = varint(&ok, d.at);
        let (nl, b) = varint(&ok, d.at + a);
        let name_at = d.at + a + b;
        let name = std::str::from_utf8(&ok[name_at..name_at + nl as usize]).unwrap();
        let (role, c) = varint(&ok, name_at + nl as usize);
        assert_eq!(
            (id, name, role),
            (u64::from(mem.id), mem.name.as_str(), mem.role as u64)
        );
        let role = ["Owner", "Contractor", "Auditor"][role as usize];
        d.row(
            1,
            a + b + nl as usize + c,
            None,
            &format!("id {id}, name {name:?}, role {role}"),
        );
        let r = d.row(1, 32, Some((4, 2)), "x25519 (32 bytes)");
        assert_eq!(ok[r], mem.public.x25519);
        let r = d.row(1, 32, Some((4, 2)), "ed25519 (32 bytes)");
        assert_eq!(ok[r.clone()], mem.public.ed25519);
        if mem.id == 1 {
            founder_ed25519 = r;
        }
        let (k, n) = varints(&ok, d.at, 3);
        assert_eq!(
            k,
            [mem.kdf.memory_kib, mem.kdf.time, mem.kdf.parallelism].map(u64::from)
        );
        d.row(
            1,
            n,
            None,
            &format!("kdf m = {} KiB, t = {}, p = {}", k[0], k[1], k[2]),
        );
        let (a, n) = varints(&ok, d.at, 2);
        assert_eq!(
            (unzigzag(a[0]), a[1]),
            (mem.added_at, u64::from(mem.added_by))
        );
        d.row(
            1,
            n,
            None,
            &format!(
                "added_at {}, added_by {}",
                grouped(unzigzag(a[0]) as u64),
                a[1]
            ),
        );
        assert_eq!(ok[d.at..d.at + 4], [0, 0, 0, 0]);
        assert!(mem.expires_at.is_none() && mem.revoked_at.is_none());
        assert!(!mem.must_change_passphrase && mem.endorsement.is_none());
        d.row(
            1,
            3,
            None,
            "expires_at None, revoked_at None, must_change_passphrase false",
        );
        d.row(1, 1, None, "endorsement None (the founding owner)");
    }
    let (n, a) = varint(&ok, d.at);
    let (g, b) = varints(&ok, d.at + a, 2 * n as usize);
    let pairs: Vec<String> = g
        .chunks(2)
        .zip(&m.groups)
        .map(|(p, info)| {
            assert_eq!(p, [u64::from(info.id), u64::from(info.epoch)]);
            format!("(id {}, epoch {})", p[0], p[1])
        })
        .collect();
    assert_eq!(pairs.len(), m.groups.len());
    d.row(
        0,
        a + b,
        None,
        &format!("{}: {}", plural(n, "group", "groups"), pairs.join(", ")),
    );
    let n = d.varint_row(0, |v| format!("{}:", plural(v, "grant", "grants")));
    assert_eq!(n as usize, m.grants.len());
    for (i, grant) in m.grants.iter().enumerate() {
        let (f, a) = varints(&ok, d.at, 3);
        assert_eq!(f, [grant.member, grant.group, grant.epoch].map(u64::from));
        assert_eq!(ok[d.at + a..d.at + a + 32], grant.enc);
        let (kl, b) = varint(&ok, d.at + a + 32);
        let key_at = d.at + a + 32 + b;
        assert_eq!(ok[key_at..key_at + kl as usize], grant.sealed_key[..]);
        if i == 0 {
            assert_eq!(f[1], 0, "the first grant is the log key's");
            d.row(
                1,
                a,
                None,
                &format!(
                    "member {}, group {} (the log key), epoch {}",
                    f[0], f[1], f[2]
                ),
            );
            d.row(1, 32, Some((4, 2)), "enc (32 bytes)");
            d.row(
                1,
                b + kl as usize,
                Some((4, 0)),
                &format!("sealed_key, {kl} bytes"),
            );
        } else {
            d.row(
                1,
                a + 32 + b + kl as usize,
                Some((3, 0)),
                &format!(
                    "member {}, group {}, epoch {}, enc, sealed_key",
                    f[0], f[1], f[2]
                ),
            );
        }
    }
    let r = d.row(0, 32, Some((4, 2)), "log_public (32 bytes)");
    assert_eq!(ok[r], m.log_public);
    let v = d.varint_row(0, |v| format!("next_member_id {v}"));
    assert_eq!(v, u64::from(m1.next_member_id));
    let v = d.varint_row(0, |v| format!("next_group_id {v}"));
    assert_eq!(v, u64::from(m1.next_group_id));
    let (n, a) = varint(&ok, d.at);
    let (c, b) = varints(&ok, d.at + a, n as usize);
    assert_eq!(
        c,
        m.critical_groups
            .iter()
            .map(|&g| u64::from(g))
            .collect::<Vec<_>>()
    );
    let text = if n == 0 {
        "critical_groups: none (count 0)".to_owned()
    } else {
        format!("critical_groups: {c:?}")
    };
    d.row(0, a + b, None, &text);
    let v = d.varint_row(0, |v| format!("critical_rotate_days {v}"));
    assert_eq!(v, u64::from(m.critical_rotate_days));
    assert_eq!(d.at, body.end, "the manifest is walked to its end");

    d.line("-- Snapshot, continued");
    let v = d.varint_row(0, |v| format!("signer {v}"));
    assert_eq!(v, u64::from(s.manifest.signer));
    assert_eq!(ok[d.at], 64);
    let sig = d.row(0, 65, Some((4, 0)), "signature: byte string of 64");
    let manifest_sig = sig.start + 1..sig.end;
    assert_eq!(ok[manifest_sig.clone()], s.manifest.signature.0);
    let signed_manifest = signed_manifest_at..d.at;
    assert_eq!(
        ok[signed_manifest.clone()],
        codec::encode(&s.manifest)[..],
        "the SignedManifest is stored canonically"
    );
    let n = d.varint_row(0, |v| format!("{}:", plural(v, "slot", "slots")));
    assert_eq!(n as usize, s.slots.len());
    let mut slots = Vec::new();
    for (i, slot) in s.slots.iter().enumerate() {
        let (f, a) = varints(&ok, d.at, 5);
        let (wl, b) = varint(&ok, d.at + a + 16 + 24);
        assert!(wl < 128);
        let len = a + 16 + 24 + b + wl as usize;
        assert_eq!(ok[d.at..d.at + len], codec::encode(slot)[..]);
        let kind = SLOT_KINDS[f[1] as usize];
        let text = if i == 0 {
            format!(
                "member {}, {kind}, kdf, salt, nonce, wrapped (length {wl:02x} = {wl}, {wl} bytes)",
                f[0]
            )
        } else {
            format!("member {}, {kind}, …", f[0])
        };
        slots.push(d.row(1, len, Some((5, 0)), &text));
    }
    let n = d.varint_row(0, |v| {
        format!("{}:", plural(v, "group blob", "group blobs"))
    });
    assert_eq!(n as usize, s.groups.len());
    for blob in &s.groups {
        let (f, a) = varints(&ok, d.at, 2);
        assert_eq!(f, [blob.group, blob.epoch].map(u64::from));
        assert_eq!(ok[d.at + a..d.at + a + 24], blob.nonce);
        let (cl, b) = varint(&ok, d.at + a + 24);
        assert!(cl < 128);
        let ct_at = d.at + a + 24 + b;
        assert_eq!(ok[ct_at..ct_at + cl as usize], blob.ciphertext[..]);
        d.row(
            1,
            a + 24 + b + cl as usize,
            Some((4, 0)),
            &format!(
                "group {}, epoch {}, nonce, ciphertext (length {cl:02x} = {cl})",
                f[0], f[1]
            ),
        );
    }
    let n = d.varint_row(0, |v| {
        format!("log: {}", plural(v, "folded record", "folded records"))
    });
    assert_eq!((n, s.log.len()), (1, 1));
    let (rl, a) = d.varint();
    let rec = d.at + a..d.at + a + rl as usize;
    d.row(
        1,
        a,
        None,
        &format!("its length, {rl} (bytes {} .. {})", rec.start, rec.end),
    );
    assert_eq!(ok[rec.clone()], s.log[0][..]);

    d.line("-- SignedRecord (§16.3)");
    let (bl, a) = d.varint();
    let rbody = d.at + a..d.at + a + bl as usize;
    d.row(
        1,
        a,
        None,
        &format!("body length {bl} (bytes {} .. {})", rbody.start, rbody.end),
    );
    let record: audit::RecordV1 = codec::decode(&ok[rbody.clone()]).expect("record 0");
    d.line("-- Record (the body)");
    let v = d.varint_row(2, |v| format!("seq {v}"));
    assert_eq!((v, record.seq), (0, 0));
    assert_eq!(ok[d.at..d.at + 32], [0; 32]);
    d.row(
        2,
        32,
        Some((2, 1)),
        "prev: 32 zero bytes (the first record)",
    );
    let v = d.varint_row(2, |v| format!("time {}", grouped(unzigzag(v) as u64)));
    assert_eq!(unzigzag(v), record.time);
    let v = d.varint_row(2, |v| format!("member {v}"));
    assert_eq!(v, u64::from(record.member));
    let v = d.varint_row(2, |v| format!("action {v}, {}", ACTIONS[v as usize]));
    assert_eq!(ACTIONS[v as usize], format!("{:?}", record.action));
    assert_eq!(record.action, audit::Action::Init);
    assert_eq!(ok[d.at..d.at + 5], [0; 5]);
    d.row(2, 5, None, "entry, group, field, details, target: None");
    let n = d.varint_row(2, |v| format!("{}:", plural(v, "binding", "bindings")));
    assert_eq!(n as usize, record.bindings.len());
    let mut bound = Vec::new();
    for (i, binding) in record.bindings.iter().enumerate() {
        let (subject, a) = varint(&ok, d.at);
        let (fields, b) = varints(&ok, d.at + a, [0, 1, 2][subject as usize]);
        let head = a + b;
        let hash: [u8; 32] = ok[d.at + head..d.at + head + 32].try_into().unwrap();
        assert_eq!(hash, binding.hash);
        let text = match subject {
            0 => {
                assert_eq!(binding.subject, audit::Subject::Manifest);
                "Manifest, manifest hash".to_owned()
            }
            1 => {
                assert_eq!(
                    binding.subject,
                    audit::Subject::Group {
                        group: fields[0] as u32
                    }
                );
                let what = if i == 0 { " (32 bytes)" } else { "" };
                format!("Group {{ group {} }}, blob hash{what}", fields[0])
            }
            _ => {
                let kind = SLOT_KINDS[fields[1] as usize];
                assert_eq!(format!("{:?}", binding.subject), {
                    format!("Slot {{ member: {}, kind: {kind} }}", fields[0])
                });
                format!("Slot {{ member {}, {kind} }}, slot hash", fields[0])
            }
        };
        d.row(3, head + 32, Some((head + 4, 2)), &text);
        bound.push((subject, fields, hash));
    }
    assert_eq!(d.at, rbody.end, "the record body is walked to its end");
    d.line("-- SignedRecord, continued");
    assert_eq!(ok[d.at], 64);
    let r = d.row(1, 65, Some((5, 2)), "sig: byte string of 64");
    let record_sig = r.start + 1..r.end;
    assert_eq!(d.at, rec.end);
    d.line("-- Snapshot, continued");
    let v = d.varint_row(0, |v| format!("log_head: count {v}"));
    assert_eq!(v, s.log_head.count);
    let head = d.row(1, 32, Some((4, 2)), "hash (32 bytes)");
    assert_eq!(ok[head.clone()], s.log_head.hash);
    assert_eq!(d.at, 14 + l, "the snapshot is walked to its end");
    d.line("-- Seal");
    let seal = d.row(0, 64, Some((4, 4)), "64 raw bytes");
    assert_eq!(d.at, ok.len());
    let dump = d.out;

    // What the prose after the dump claims.
    let ed = &ok[founder_ed25519.clone()];
    let vault_id = &ok[14..30];
    let id = labelled_sha256("baton vault id v1", &[ed, &ok[nonce.clone()]]);
    assert_eq!(&id[..16], vault_id, "the vault id is derived (§6.10)");
    assert!(signed(
        ed,
        "baton manifest v1",
        &[&ok[body.clone()]],
        &ok[manifest_sig]
    ));
    let seal_digest = labelled_sha256("baton seal v1", &[&ok[..14 + l]]);
    assert!(signed(ed, "baton seal v1", &[&seal_digest], &ok[seal]));
    assert!(signed(
        ed,
        "baton log record v1",
        &[vault_id, &ok[rbody.clone()]],
        &ok[record_sig]
    ));
    let record_hash = labelled_sha256("baton log hash v1", &[&ok[rec.clone()]]);
    assert_eq!(record_hash[..], ok[head]);
    let (_, _, decoded_hash) =
        audit::decode_record(&s.log[0], audit::Encoding::V1).expect("a version-1 record");
    assert_eq!(record_hash, decoded_hash);
    // Every binding's hash, recomputed from the bytes it covers.
    let mut slot_ranges = slots.iter();
    for (subject, fields, hash) in &bound {
        let want = match subject {
            0 => labelled_sha256("baton manifest hash v1", &[&ok[signed_manifest.clone()]]),
            1 => {
                let blob = s
                    .groups
                    .iter()
                    .find(|b| u64::from(b.group) == fields[0])
                    .unwrap();
                assert_eq!(*hash, audit::blob_hash(blob));
                labelled_sha256(
                    "baton blob v1",
                    &[
                        &blob.group.to_le_bytes(),
                        &blob.epoch.to_le_bytes(),
                        &blob.nonce,
                        &blob.ciphertext,
                    ],
                )
            }
            _ => labelled_sha256(
                "baton slot hash v1",
                &[&ok[slot_ranges.next().unwrap().clone()]],
            ),
        };
        assert_eq!(*hash, want, "binding {subject} {fields:?}");
    }
    assert_eq!(
        bound.iter().map(|b| b.0).collect::<Vec<_>>(),
        [1, 1, 2, 2, 0],
        "the prose names the first (a blob), third (a slot) and fifth (the manifest)"
    );
    let first_blob = s
        .groups
        .iter()
        .find(|b| u64::from(b.group) == bound[0].1[0])
        .unwrap();

    blocks.push(Block::Prose(format!(
        "`tests/vectors/v1/ok.baton` ({} bytes), field by field; `…` elides bytes \
         shown in full in the file. Offsets are decimal. It is a vault created, given \
         two groups and saved once: its one record, `init`, binds both group blobs, \
         both slots and the manifest (which that first save re-signed at version 2), \
         and nothing follows the seal.",
        ok.len()
    )));
    blocks.push(Block::Code(dump));
    blocks.push(Block::Prose(format!(
        "The vault id checks out: `SHA-256(\"baton vault id v1\" || 0x00 || {} || {})` \
         begins `{}`, which is the vault id. The manifest signature (§6.7), \
         the seal (§6.8) and the record's signature over `\"baton log record v1\" || \
         0x00 || vault_id || bytes {} .. {}` (§16.4) verify under the ed25519 \
         key at offset {}. The record hash, `SHA-256(\"baton log hash v1\" || 0x00 || \
         bytes {} .. {})`, is `{}`, the `log_head` hash. The \
         first binding's hash is `SHA-256(\"baton blob v1\" || 0x00 || {} || \
         {} || the blob's nonce || its {} ciphertext bytes)`, the third is \
         `SHA-256(\"baton slot hash v1\" || 0x00 || bytes {} .. {})`, and the fifth \
         is `SHA-256(\"baton manifest hash v1\" || 0x00 || bytes {} .. {})`, the \
         `SignedManifest` as stored (body length, body, signer, signature). \
         (`print_worked_example` in `tests/it/vectors.rs` prints this section's \
         dumps and figures from the vector files: it walks their bytes as this \
         document describes them, checks each value against what the reference \
         reader decodes, and recomputes every hash and verifies every signature \
         named here; `worked_example_is_current` fails when this section no \
         longer says the same.)",
        ends(ed, 4, 2),
        ends(&ok[nonce.clone()], 4, 2),
        hex(vault_id),
        rbody.start,
        rbody.end,
        founder_ed25519.start,
        rec.start,
        rec.end,
        ends(&record_hash, 4, 2),
        hex(&first_blob.group.to_le_bytes()),
        hex(&first_blob.epoch.to_le_bytes()),
        first_blob.ciphertext.len(),
        slots[0].start,
        slots[0].end,
        signed_manifest.start,
        signed_manifest.end,
    )));

    // The appended reveal.
    let app = std::fs::read(vectors_dir(1).join("appended-record.baton")).expect("vector");
    assert_eq!(app[..ok.len()], ok[..]);
    let afile = read::parse(&app).expect("appended-record.baton parses");
    assert_eq!((afile.tail.len(), afile.torn_tail), (1, false));
    assert_eq!(afile.legacy_records(), 2, "both records are version 1's");
    let mut d = Dump::new(&app, ok.len());
    assert_eq!(app[d.at..d.at + 2], *b"LR");
    d.row(0, 2, None, "frame marker \"LR\"");
    let n = u32le(&app, d.at) as usize;
    d.row(0, 4, None, &format!("n = {n}"));
    assert_eq!(d.at + n, app.len(), "one frame, to the end of the file");
    let frame = d.at..app.len();
    assert_eq!(app[frame.clone()], afile.tail[0][..]);
    let (bl, a) = d.varint();
    let rbody = d.at + a..d.at + a + bl as usize;
    d.row(0, a, None, &format!("SignedRecord: body length {bl}"));
    let record: audit::RecordV1 = codec::decode(&app[rbody.clone()]).expect("record 1");
    let v = d.varint_row(1, |v| format!("seq {v}"));
    assert_eq!((v, record.seq), (1, 1));
    let r = d.row(1, 32, Some((4, 2)), "prev: the hash of record 0");
    assert_eq!(app[r], record_hash);
    let v = d.varint_row(1, |v| format!("time {}", grouped(unzigzag(v) as u64)));
    assert_eq!(unzigzag(v), record.time);
    let (f, a) = varints(&app, d.at, 2);
    assert_eq!(f[0], u64::from(record.member));
    assert_eq!(record.action, audit::Action::Reveal);
    let action = ACTIONS[f[1] as usize];
    d.row(
        1,
        a,
        None,
        &format!("member {}, action {} ({action})", f[0], f[1]),
    );
    let entry = record.entry.expect("a reveal names its entry");
    assert_eq!(app[d.at], 1);
    assert_eq!(app[d.at + 1..d.at + 9], entry);
    let entry_hex: String = entry.iter().map(|b| format!("{b:02x}")).collect();
    d.row(1, 9, Some((5, 2)), &format!("entry Some({entry_hex})"));
    assert_eq!(record.group, None);
    assert_eq!(record.field, Some(audit::Field::Password));
    assert_eq!(app[d.at..d.at + 3], [0, 1, 0]);
    d.row(1, 3, None, "group None, field Some(Password)");
    let details = record.details.as_ref().expect("a reveal carries details");
    assert_eq!(app[d.at], 1);
    assert_eq!(app[d.at + 1..d.at + 33], details.enc);
    d.row(1, 33, Some((5, 2)), "details Some: enc (32 bytes)");
    let (cl, a) = d.varint();
    assert_eq!(cl as usize, details.ciphertext.len());
    // The sealed plaintext: the entry's title and group name (§16.3).
    let plain = codec::encode(&audit::Details {
        title: Some("Bank".into()),
        group: Some("Finance".into()),
        note: None,
    });
    assert_eq!(plain.len() + 16, cl as usize);
    d.row(
        2,
        a + cl as usize,
        Some((5, 2)),
        &format!(
            "ciphertext, {cl} bytes ({} of Details + 16 of tag)",
            plain.len()
        ),
    );
    assert_eq!((app[d.at], record.target), (0, None));
    d.row(1, 1, None, "target None");
    assert!(app[d.at] == 0 && record.bindings.is_empty());
    d.row(1, 1, None, "no bindings");
    assert_eq!(d.at, rbody.end);
    assert_eq!(app[d.at], 64);
    let r = d.row(1, 65, Some((5, 2)), "sig: byte string of 64");
    assert_eq!(d.at, app.len());
    assert!(signed(
        ed,
        "baton log record v1",
        &[vault_id, &app[rbody]],
        &app[r.start + 1..r.end]
    ));
    audit::verify(
        &m.vault_id,
        m,
        &[s.log[0].clone(), afile.tail[0].clone()],
        2,
        None,
    )
    .expect("the log of appended-record.baton verifies");
    blocks.push(Block::Prose(format!(
        "`tests/vectors/v1/appended-record.baton` is the same {} bytes followed by \
         one frame, a reveal (bytes {} .. {}):",
        ok.len(),
        ok.len(),
        app.len()
    )));
    blocks.push(Block::Code(d.out));

    // The torn frame.
    let torn = std::fs::read(vectors_dir(1).join("torn-record.baton")).expect("vector");
    assert_eq!(torn[..app.len()], app[..]);
    let tail = &torn[app.len()..];
    assert_eq!(tail[..2], *b"LR");
    let announced = u32le(tail, 2) as usize;
    assert!(tail.len() - 6 < announced);
    let tfile = read::parse(&torn).expect("torn-record.baton parses");
    assert!(tfile.torn_tail);
    assert_eq!((tfile.tail.len(), tfile.valid_len), (1, app.len()));
    blocks.push(Block::Prose(format!(
        "`torn-record.baton` adds `{}` and {} of the {announced} bytes that \
         length announces: a torn tail (§16.2).",
        hex(&tail[..6]),
        tail.len() - 6
    )));

    // The last paragraph's encodings.
    assert_eq!(
        codec::encode(&KdfParams {
            memory_kib: 65536,
            time: 3,
            parallelism: 4
        }),
        [0x80, 0x80, 0x04, 0x03, 0x04]
    );
    assert_eq!(codec::encode(&Some(-1i64)), [0x01, 0x01]);
    blocks
}

/// §12 as it stands in docs/FORMAT.md.
fn format_md_section_12() -> String {
    let doc = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/docs/FORMAT.md"))
        .expect("docs/FORMAT.md");
    let start = doc.find("\n## 12. Worked example\n").expect("§12");
    let end = start + doc[start..].find("\n## 13.").expect("§13");
    doc[start..end].to_owned()
}

#[test]
#[ignore = "prints docs/FORMAT.md §12 from the vector files, to copy into it"]
fn print_worked_example() {
    for block in worked_example() {
        match block {
            Block::Prose(p) => println!("{}", wrap(&p)),
            Block::Code(c) => println!("```\n{c}```\n"),
        }
    }
}

#[test]
fn worked_example_is_current() {
    let section = format_md_section_12();
    let flat = |s: &str| s.split_whitespace().collect::<Vec<_>>().join(" ");
    let flat_section = flat(&section);
    for block in worked_example() {
        match block {
            Block::Code(c) => assert!(
                section.contains(&format!("```\n{c}```")),
                "FORMAT.md §12 lacks this dump (cargo test --test it -- --ignored \
                 print_worked_example --nocapture):\n{c}"
            ),
            Block::Prose(p) => assert!(
                flat_section.contains(&flat(&p)),
                "FORMAT.md §12 lacks this paragraph:\n{}",
                wrap(&p)
            ),
        }
    }
}

/// `v2/merged.baton` holds both copies' changes, joined by a `merge`
/// record with two parents, and its log verifies.
#[test]
fn the_merged_vector_holds_both_changes() {
    let bytes = std::fs::read(vectors_dir(2).join("merged.baton")).expect("merged vector");
    let v = vault::unlock(
        read::parse(&bytes).expect("parses"),
        vault::Credential::Passphrase {
            member: None,
            passphrase: &Passphrase::from_slice(PASS.as_bytes()),
        },
        1_790_000_500,
        8 << 30,
        &format::LogHead::EMPTY,
    )
    .expect("unlocks");
    v.verify_log_fully().expect("the log verifies");
    let bank = v.entry(v.find("Bank").expect("Bank"));
    assert_eq!(bank.password.expose(), "vector-secret-2");
    assert_eq!(bank.username, "director");
    let merges: Vec<_> = v
        .log()
        .iter()
        .filter(|r| r.record.action == baton::audit::Action::Merge)
        .collect();
    assert_eq!(merges.len(), 1);
    assert_eq!(merges[0].record.parents.len(), 2);
    assert!(
        !merges[0].record.bindings.is_empty(),
        "it binds what both changed"
    );
}
