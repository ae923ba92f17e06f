//! The test vectors in tests/vectors: small vault files, each with its
//! expected outcome in cases.tsv, run through the real binary.
//!
//! `cargo test --test it -- --ignored write_vectors` regenerates them
//! (deterministically, from a seeded RNG) after a format change.

use std::path::Path;

use baton::crypto::kdf::KdfParams;
use baton::format::{self, read};
use baton::secret::{Concealed, Passphrase};
use baton::vault::{self, CreateOptions, Entry, EntryId};
use rand::SeedableRng;

use crate::common::{PASS, bin, code, contains, stderr, vectors_dir};

fn create(kdf: KdfParams, seed: u64) -> Vec<u8> {
    let mut rng = rand::rngs::StdRng::seed_from_u64(seed);
    let opts = CreateOptions {
        owner: "alice",
        firm_domain: Some("acme.example".into()),
        kdf,
        weak_kdf: true,
        now: 1_790_000_000,
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

#[test]
#[ignore = "writes tests/vectors; run after a deliberate format change"]
fn write_vectors() {
    let weak = KdfParams {
        memory_kib: 8,
        time: 1,
        parallelism: 1,
    };
    let ok = create(weak, 1);
    let parsed = read::parse(&ok).expect("parses");
    let manifest_at =
        position(&ok, &parsed.snapshot.manifest.body) + parsed.snapshot.manifest.body.len() / 2;
    let slot = &parsed.snapshot.slots[0].wrapped;
    let slot_at = position(&ok, slot) + 3;
    let blob = &parsed.snapshot.groups[0].ciphertext;
    let blob_at = position(&ok, blob) + blob.len() / 2;
    let mut newer = ok.clone();
    newer[8] = 2;
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
                    memory_kib: 8,
                    time: 33,
                    parallelism: 1,
                },
                2,
            ),
        ),
        ("newer-version.baton", newer),
        (
            "not-a-vault.baton",
            b"PK\x03\x04 this is a zip file, not a vault".to_vec(),
        ),
    ];
    for (name, bytes) in files {
        std::fs::write(vectors_dir().join(name), bytes).expect("write vector");
    }
}

#[test]
fn vectors_have_their_expected_outcomes() {
    let table = std::fs::read_to_string(vectors_dir().join("cases.tsv")).expect("cases.tsv");
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
        std::fs::copy(vectors_dir().join(file), &vault).unwrap_or_else(|e| panic!("{file}: {e}"));
        let out = std::process::Command::new(bin())
            .args(["list", "--json"])
            .env_clear()
            .env("BATON_VAULT", &vault)
            .env("BATON_PASSPHRASE", passphrase)
            .output()
            .unwrap();
        let want: i32 = exit.parse().expect("exit code column");
        assert_eq!(code(&out), want, "{file}: {}", stderr(&out));
        let text = if want == 0 {
            String::from_utf8_lossy(&out.stdout).into_owned()
        } else {
            stderr(&out)
        };
        assert!(
            text.contains(message),
            "{file}: expected {message:?} in {text:?}"
        );
        assert!(!text.contains("panicked"), "{file}");
        ran += 1;
    }
    assert!(ran >= 10, "every vector is in the table");
}

#[test]
fn vectors_hold_no_plaintext() {
    let ok = std::fs::read(vectors_dir().join("ok.baton")).expect("ok vector");
    for needle in ["vector-secret-1", "Bank", "Finance", "boss"] {
        assert!(!contains(&ok, needle.as_bytes()), "{needle}");
    }
    assert!(format::read::parse(&ok).is_ok());
    let _ = Path::new("");
}
