//! The access log through the real binary: every reveal recorded before it
//! happens, and every kind of tampering caught by `baton log verify`.

use std::os::unix::fs::PermissionsExt;
use std::os::unix::process::CommandExt;

use baton::format::{read, write};

use crate::common::{Env, code, json, stderr};

/// A vault with two entries and three reveals appended after the seal.
fn vault_with_reveals() -> Env {
    let env = Env::new();
    env.init();
    let codes = env.dir.path().join("codes.txt");
    std::fs::write(&codes, "AAAA-1\nBBBB-2\nCCCC-3\n").unwrap();
    env.ok_stdin(
        &[
            "add",
            "Bank",
            "--group",
            "Finance",
            "--password-stdin",
            "--totp",
            "JBSWY3DPEHPK3PXP",
        ],
        "pw-bank-1\n",
    );
    env.ok(&[
        "add",
        "Mail",
        "--backup-codes-file",
        codes.to_str().unwrap(),
    ]);
    env.ok(&["get", "Bank"]);
    env.ok(&["totp", "Bank"]);
    env.ok(&["codes", "Mail"]);
    env
}

fn tail_frames(bytes: &[u8]) -> (usize, Vec<Vec<u8>>) {
    let file = read::parse(bytes).expect("parses");
    (file.sealed_len, file.tail)
}

fn rebuild(sealed: &[u8], frames: &[Vec<u8>]) -> Vec<u8> {
    let mut out = sealed.to_vec();
    for f in frames {
        out.extend_from_slice(&write::log_frame(f));
    }
    out
}

fn verify_fails(env: &Env, bytes: &[u8], what: &str) -> String {
    std::fs::write(&env.vault, bytes).unwrap();
    let out = env.run(&["log", "verify"]);
    assert_eq!(code(&out), 4, "{what}: {}", stderr(&out));
    stderr(&out)
}

#[test]
fn reveals_are_recorded_with_member_and_entry() {
    let env = vault_with_reveals();
    let log = json(&env.ok(&["log", "--json"]));
    let records = log["records"].as_array().unwrap();
    let find = |action: &str, field: &str| {
        records
            .iter()
            .find(|r| r["action"] == action && r["field"] == field)
            .unwrap_or_else(|| panic!("no {action} {field} record in {log}"))
    };
    let pw = find("reveal", "password");
    assert_eq!(pw["member"], "alice");
    assert_eq!(pw["title"], "Bank");
    assert_eq!(pw["group"], "Finance");
    assert_eq!(find("reveal", "totp")["title"], "Bank");
    assert_eq!(find("reveal", "backup-codes")["title"], "Mail");
    let bank_id = json(&env.ok(&["show", "Bank", "--json"]))["id"]
        .as_str()
        .unwrap()
        .to_owned();
    assert_eq!(pw["entry_id"], bank_id.as_str());
    // The records came before the secrets: the sequence numbers follow the commands.
    let seqs: Vec<u64> = records.iter().map(|r| r["seq"].as_u64().unwrap()).collect();
    assert!(seqs.windows(2).all(|w| w[1] == w[0] + 1), "{seqs:?}");
    let entry_only = json(&env.ok(&["log", "--json", "--entry", "Mail"]));
    assert!(
        entry_only["records"]
            .as_array()
            .unwrap()
            .iter()
            .all(|r| r["title"] == "Mail")
    );
    assert_eq!(code(&env.run(&["log", "verify"])), 0);
    assert!(
        !json(&env.ok(&["log", "--json"]))
            .to_string()
            .contains("pw-bank-1"),
        "the log holds no secret"
    );
}

#[test]
fn the_log_file_holds_no_title_in_plaintext() {
    let env = vault_with_reveals();
    let bytes = env.bytes();
    for needle in ["Bank", "Finance", "Mail", "pw-bank-1"] {
        assert!(
            !crate::common::contains(&bytes, needle.as_bytes()),
            "{needle}"
        );
    }
}

#[test]
fn every_changed_byte_of_an_appended_record_is_caught() {
    let env = vault_with_reveals();
    let good = env.bytes();
    let (sealed, frames) = tail_frames(&good);
    assert_eq!(frames.len(), 3, "three reveals after the last save");
    let state = crate::common::state_dir(&env);
    let file = read::parse(&good).unwrap();
    let seen = baton::store::read_high_water(&state, &file.snapshot.vault_id).unwrap();
    assert_eq!(seen.count as usize, file.snapshot.log.len() + 3);
    for at in sealed..good.len() {
        for xor in [0x01u8, 0x80] {
            let mut b = good.clone();
            b[at] ^= xor;
            let caught = match read::parse(&b) {
                Err(_) => true,
                Ok(f) => baton::vault::check_log(&f, &seen, true).is_err(),
            };
            assert!(caught, "a change at byte {at} (record area) went unnoticed");
        }
    }
    // And through the binary, one byte in each record.
    let mut offset = sealed;
    for f in &frames {
        let mut b = good.clone();
        b[offset + 6 + f.len() / 2] ^= 0x10;
        verify_fails(&env, &b, "changed record byte");
        offset += 6 + f.len();
    }
}

#[test]
fn a_deleted_record_is_caught() {
    let env = vault_with_reveals();
    let good = env.bytes();
    let (sealed, mut frames) = tail_frames(&good);
    frames.remove(1);
    let msg = verify_fails(&env, &rebuild(&good[..sealed], &frames), "deleted record");
    assert!(
        msg.contains("the chain is broken") || msg.contains("height"),
        "{msg}"
    );
}

#[test]
fn swapped_records_are_caught() {
    let env = vault_with_reveals();
    let good = env.bytes();
    let (sealed, mut frames) = tail_frames(&good);
    frames.swap(0, 1);
    let msg = verify_fails(&env, &rebuild(&good[..sealed], &frames), "swapped records");
    assert!(msg.contains("access log record"), "{msg}");
}

#[test]
fn a_truncated_tail_is_caught_as_a_rollback() {
    let env = vault_with_reveals();
    let good = env.bytes();
    let (sealed, frames) = tail_frames(&good);
    let msg = verify_fails(
        &env,
        &rebuild(&good[..sealed], &frames[..2]),
        "truncated tail",
    );
    assert!(msg.contains("rolled back"), "{msg}");
}

#[test]
fn an_older_copy_put_back_is_caught() {
    let env = vault_with_reveals();
    std::fs::copy(env.dir.path().join("vault.baton.bak1"), &env.vault).unwrap();
    let out = env.run(&["log", "verify"]);
    assert_eq!(code(&out), 4, "{}", stderr(&out));
    assert!(stderr(&out).contains("rolled back"), "{}", stderr(&out));
    let out = env.run(&["get", "Bank"]);
    assert_eq!(code(&out), 4);
    assert!(out.stdout.is_empty());
}

#[test]
fn a_checkpoint_proves_the_log_extends_it() {
    let env = vault_with_reveals();
    let cp = env.dir.path().join("checkpoint.txt");
    std::fs::write(&cp, env.ok(&["log", "checkpoint"])).unwrap();
    env.ok(&["get", "Bank"]);
    assert_eq!(
        code(&env.run(&["log", "verify", "--checkpoint", cp.to_str().unwrap()])),
        0
    );
    // On a machine that never saw the vault (no high-water mark), a copy
    // cut back before the checkpoint is still caught by the checkpoint.
    let good = env.bytes();
    let (sealed, frames) = tail_frames(&good);
    std::fs::write(&env.vault, rebuild(&good[..sealed], &frames[..1])).unwrap();
    let fresh = tempfile::tempdir().unwrap();
    let out = env
        .cmd(&["log", "verify", "--checkpoint", cp.to_str().unwrap()])
        .env("XDG_STATE_HOME", fresh.path())
        .output()
        .unwrap();
    assert_eq!(code(&out), 4, "{}", stderr(&out));
    assert!(stderr(&out).contains("checkpoint"), "{}", stderr(&out));
    let mut bad = std::fs::read_to_string(&cp).unwrap();
    bad.insert(30, 'x');
    std::fs::write(&cp, bad).unwrap();
    assert_ne!(
        code(&env.run(&["log", "verify", "--checkpoint", cp.to_str().unwrap()])),
        0
    );
}

#[test]
fn a_torn_final_record_is_reported_and_hides_nothing() {
    let env = vault_with_reveals();
    let good = env.bytes();
    let mut torn = good.clone();
    torn.extend_from_slice(&write::log_frame(&[9u8; 50])[..30]);
    std::fs::write(&env.vault, &torn).unwrap();
    let out = env.run(&["log", "verify"]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert!(String::from_utf8_lossy(&out.stdout).contains("cut short"));
    // The next reveal drops the torn bytes and appends after the last
    // complete record.
    env.ok(&["get", "Bank"]);
    let after = env.bytes();
    assert_eq!(
        &after[..good.len()],
        &good[..],
        "every complete record is kept"
    );
    let (_, frames) = tail_frames(&after);
    assert_eq!(frames.len(), 4);
    assert_eq!(code(&env.run(&["log", "verify"])), 0);
}

#[test]
fn no_secret_is_shown_when_the_record_cannot_be_written() {
    // Baton runs as a user who may read the vault but not write it. Root
    // ignores file permissions, so as root the test runs Baton as nobody.
    let env = vault_with_reveals();
    let dir = env.dir.path();
    let as_root =
        std::os::unix::fs::MetadataExt::uid(&std::fs::metadata("/proc/self").unwrap()) == 0;
    let (uid, gid) = if as_root {
        (65534, 65534)
    } else {
        let me = std::fs::metadata("/proc/self").unwrap();
        (
            std::os::unix::fs::MetadataExt::uid(&me),
            std::os::unix::fs::MetadataExt::gid(&me),
        )
    };
    std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o755)).unwrap();
    std::fs::set_permissions(
        &env.vault,
        std::fs::Permissions::from_mode(if as_root { 0o644 } else { 0o444 }),
    )
    .unwrap();
    let lock = dir.join("vault.baton.lock");
    std::fs::set_permissions(&lock, std::fs::Permissions::from_mode(0o666)).unwrap();
    let home = dir.join("nobody-home");
    std::fs::create_dir(&home).unwrap();
    std::fs::set_permissions(&home, std::fs::Permissions::from_mode(0o777)).unwrap();
    // The other user runs a copy of the binary beside the vault: the build
    // directory may be one they cannot enter (a checkout under a 0700
    // temporary directory).
    let bin = dir.join("baton");
    std::fs::copy(crate::common::bin(), &bin).unwrap();
    std::fs::set_permissions(&bin, std::fs::Permissions::from_mode(0o755)).unwrap();
    let before = env.bytes();
    for args in [
        &["get", "Bank"][..],
        &["totp", "Bank"],
        &["codes", "Mail"],
        &["get", "Bank", "--field", "totp"],
    ] {
        let out = env
            .cmd_of(&bin, args)
            .env("HOME", &home)
            .uid(uid)
            .gid(gid)
            .output()
            .unwrap();
        assert_ne!(
            code(&out),
            0,
            "{args:?} succeeded without a record: {}",
            stderr(&out)
        );
        assert!(
            out.stdout.is_empty(),
            "{args:?} printed {:?}",
            String::from_utf8_lossy(&out.stdout)
        );
        assert!(
            stderr(&out).contains("nothing was revealed"),
            "{args:?}: {}",
            stderr(&out)
        );
    }
    assert_eq!(env.bytes(), before);
    // Reading without revealing still works, with a warning.
    let out = env
        .cmd_of(&bin, &["list"])
        .env("HOME", &home)
        .uid(uid)
        .gid(gid)
        .output()
        .unwrap();
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert!(String::from_utf8_lossy(&out.stdout).contains("Bank"));
}

#[test]
fn a_record_re_signed_in_another_members_name_is_caught() {
    // Bob, a contractor, rewrites his own record to say alice wrote it and
    // signs it again with his key.
    use baton::audit::SignedRecord;
    use baton::format::codec;
    use baton::secret::Passphrase;
    use baton::vault::{self, Credential};
    use rand::SeedableRng;
    let env = Env::new();
    env.init();
    env.ok(&["add", "Bank"]);
    let mut rng = rand::rngs::StdRng::seed_from_u64(21);
    let file = read::parse(&env.bytes()).unwrap();
    let pass = Passphrase::from_slice(crate::common::PASS.as_bytes());
    let seen =
        baton::store::read_high_water(&crate::common::state_dir(&env), &file.snapshot.vault_id)
            .unwrap();
    let mut v = vault::unlock(
        file,
        Credential::Passphrase {
            member: None,
            passphrase: &pass,
        },
        1_790_000_000,
        8 << 30,
        &seen,
    )
    .unwrap();
    let bob = vault::testkit::add_member(
        &mut v,
        "bob",
        baton::format::Role::Contractor,
        b"bob's passphrase",
        1_790_000_000,
        &mut rng,
    )
    .unwrap();
    let bob_id = v
        .manifest()
        .members
        .iter()
        .find(|m| m.name == "bob")
        .expect("bob is listed")
        .id;
    let sealed = v.seal(1_790_000_000, &mut rng).unwrap();
    std::fs::write(&env.vault, &sealed).unwrap();
    // Bob opens the vault: his own unlock record, signed by him.
    let out = env
        .cmd(&["--member", "bob", "list"])
        .env("BATON_PASSPHRASE", "bob's passphrase")
        .output()
        .unwrap();
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert_eq!(code(&env.run(&["log", "verify"])), 0);
    let good = env.bytes();
    let (sealed_len, frames) = tail_frames(&good);
    let last = frames.last().unwrap();
    let signed: SignedRecord = codec::decode(last).unwrap();
    let mut record: baton::audit::Record = codec::decode(&signed.body).unwrap();
    assert_eq!(record.member, bob_id, "the last record is bob's");
    record.member = baton::format::FOUNDING_OWNER;
    let body = codec::encode(&record);
    let mut msg = file_vault_id(&good).to_vec();
    msg.extend_from_slice(&body);
    let sig = baton::format::Sig(bob.sign(baton::audit::RECORD_LABEL, &msg));
    let forged = codec::encode(&SignedRecord { body, sig });
    let mut frames = frames.clone();
    let n = frames.len();
    frames[n - 1] = forged;
    let msg = verify_fails(
        &env,
        &rebuild(&good[..sealed_len], &frames),
        "record re-signed by bob as alice",
    );
    assert!(msg.contains("the signature is not alice's"), "{msg}");
}

fn file_vault_id(bytes: &[u8]) -> [u8; 16] {
    read::parse(bytes).unwrap().snapshot.vault_id
}
