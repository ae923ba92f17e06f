//! Files written where the user names them — `export --out`, `handover
//! --report`, `handover status --report` — are new files of mode 0600,
//! never written through a symbolic link, never onto the vault, its
//! backups, lock or temporary files, nor this machine's high-water marks;
//! an existing file is refused, not replaced (`store::create_output`).
//! The security review's finding 8: `export --out` through a link to the
//! vault replaced the vault with plaintext JSON.

use std::os::unix::fs::{PermissionsExt, symlink};
use std::path::{Path, PathBuf};
use std::process::Output;

use crate::common::{Env, code, json, stderr};

const SECRET: &str = "bank-SECRET-8812";

/// A vault with two entries, saved twice after `init`: backups 1 and 2
/// exist, backup 3 not yet.
fn vault() -> Env {
    let env = Env::new();
    env.init();
    env.ok_stdin(
        &["add", "Bank", "--group", "Finance", "--password-stdin"],
        &format!("{SECRET}\n"),
    );
    env.ok(&["add", "Webmail", "--group", "Email", "--generate"]);
    env
}

fn export(env: &Env, out: &Path) -> Output {
    env.run(&[
        "export",
        "--format",
        "json",
        "--out",
        out.to_str().expect("utf-8"),
    ])
}

/// Exit 2, naming the file and saying why.
#[track_caller]
fn refused(out: &Output, path: &Path, why: &str) {
    let err = stderr(out);
    assert_eq!(code(out), 2, "{}: {err}", path.display());
    assert!(
        err.contains(&format!("refusing to write {}", path.display())),
        "{err}"
    );
    assert!(err.contains(why), "{}: {err}", path.display());
}

/// Every file beside the vault and its bytes (a symbolic link as where it
/// points), to compare before and after.
fn files_beside(env: &Env) -> Vec<(PathBuf, Vec<u8>)> {
    let mut out: Vec<(PathBuf, Vec<u8>)> = std::fs::read_dir(env.dir.path())
        .expect("list")
        .map(|e| e.expect("entry").path())
        .filter(|p| !p.is_dir() || p.is_symlink())
        .map(|p| {
            let bytes = match std::fs::read_link(&p) {
                Ok(target) => target.into_os_string().into_encoded_bytes(),
                Err(_) => std::fs::read(&p).expect("read"),
            };
            (p, bytes)
        })
        .collect();
    out.sort();
    out
}

/// Regression test (security review, finding 8): `export --out` at a
/// symbolic link to the vault wrote the plaintext export over the vault.
/// Now refused before anything is recorded: the vault is unchanged byte
/// for byte, the link is still a link, and no export is in the log.
#[test]
fn export_through_a_symlink_to_the_vault_is_refused_and_the_vault_unchanged() {
    let env = vault();
    let link = env.dir.path().join("export.json");
    symlink(&env.vault, &link).expect("symlink");
    let before = env.bytes();
    let out = export(&env, &link);
    refused(&out, &link, "symbolic link");
    assert!(env.bytes() == before, "the vault is unchanged");
    assert!(link.is_symlink(), "the link is left as it was");
    assert!(!String::from_utf8_lossy(&env.bytes()).contains(SECRET));
    let log = json(&env.ok(&["log", "--json"]));
    let exports = log["records"]
        .as_array()
        .expect("records")
        .iter()
        .filter(|r| r["action"] == "export")
        .count();
    assert_eq!(exports, 0, "nothing recorded: nothing happened");
    // (Reading the log appended a record of its own.)
    let before = env.bytes();

    // A link to a backup, and a dangling link: refused, nothing created.
    let backup = env.dir.path().join("vault.baton.bak1");
    let backup_before = std::fs::read(&backup).expect("backup 1 exists");
    let to_backup = env.dir.path().join("to-backup.json");
    symlink(&backup, &to_backup).expect("symlink");
    refused(&export(&env, &to_backup), &to_backup, "symbolic link");
    assert!(std::fs::read(&backup).expect("backup") == backup_before);
    let target = env.dir.path().join("not-yet.json");
    let dangling = env.dir.path().join("dangling.json");
    symlink(&target, &dangling).expect("symlink");
    refused(&export(&env, &dangling), &dangling, "symbolic link");
    assert!(!target.exists(), "nothing was created through the link");
    assert!(env.bytes() == before, "the vault is unchanged");
}

/// The vault, its backups (made or not yet), its lock and temporary
/// files, by any spelling of their directory, and the high-water marks:
/// refused before anything happens, every file left as it was.
#[test]
fn export_onto_the_vaults_own_files_is_refused() {
    let env = vault();
    let dir = env.dir.path();
    let alias = dir.join("alias");
    symlink(dir, &alias).expect("symlink to the vault's directory");
    let state = dir.join(".local/state/baton");
    assert!(
        state.join("seen").is_dir(),
        "the high-water marks are there"
    );
    let before = files_beside(&env);
    let companions = [
        (env.vault.clone(), "companion files"),
        (dir.join("vault.baton.bak1"), "companion files"),
        (dir.join("vault.baton.bak3"), "companion files"),
        (dir.join("vault.baton.lock"), "companion files"),
        (dir.join("vault.baton.tmp.4242"), "companion files"),
        (dir.join(".").join("vault.baton"), "companion files"),
        (alias.join("vault.baton.bak3"), "companion files"),
        (alias.join("vault.baton.lock"), "companion files"),
        (state.join("seen").join("export.json"), "access log"),
        (state.join("export.json"), "access log"),
    ];
    for (path, why) in &companions {
        refused(&export(&env, path), path, why);
    }
    assert_eq!(
        files_beside(&env),
        before,
        "nothing beside the vault changed"
    );
    assert!(!dir.join("vault.baton.bak3").exists());
    assert!(!dir.join("vault.baton.tmp.4242").exists());
    assert!(!state.join("export.json").exists());
    assert!(!state.join("seen").join("export.json").exists());
}

/// An existing file is refused, not replaced, and the message says what
/// to do; a directory likewise.
#[test]
fn export_onto_an_existing_file_is_refused_naming_it() {
    let env = vault();
    let old = env.dir.path().join("old-export.json");
    std::fs::write(&old, "keep me").expect("write");
    let out = export(&env, &old);
    refused(&out, &old, "already exists");
    assert!(
        stderr(&out).contains("remove it or choose another name"),
        "{}",
        stderr(&out)
    );
    assert_eq!(std::fs::read_to_string(&old).expect("read"), "keep me");
    let sub = env.dir.path().join("exports");
    std::fs::create_dir(&sub).expect("mkdir");
    refused(&export(&env, &sub), &sub, "is a directory");
}

/// A new file is written, mode 0600, and holds the export.
#[test]
fn export_to_a_new_file_writes_it_with_mode_0600() {
    let env = vault();
    let out = env.dir.path().join("new-export.json");
    let run = export(&env, &out);
    assert_eq!(code(&run), 0, "{}", stderr(&run));
    let mode = std::fs::symlink_metadata(&out)
        .expect("written")
        .permissions()
        .mode();
    assert_eq!(mode & 0o777, 0o600);
    assert!(
        std::fs::read_to_string(&out)
            .expect("read")
            .contains(SECRET)
    );
    // A second export to the same name is refused, the first kept.
    let first = std::fs::read(&out).expect("read");
    refused(&export(&env, &out), &out, "already exists");
    assert!(std::fs::read(&out).expect("read") == first);
}

/// `handover --report` at a link to the vault is refused before the
/// member is revoked: nothing changes. `handover status --report` onto an
/// existing file is refused too; to a new file it writes the report.
#[test]
fn a_handover_report_through_a_link_or_onto_a_file_is_refused_before_anything_changes() {
    let env = vault();
    let added = env
        .cmd(&["member", "add", "bob", "--groups", "Email"])
        .env("BATON_NEW_PASSPHRASE", "bob's own passphrase, 41 jars")
        .output()
        .expect("run");
    assert_eq!(code(&added), 0, "{}", stderr(&added));
    let link = env.dir.path().join("handover-bob.md");
    symlink(&env.vault, &link).expect("symlink");
    let before = env.bytes();
    let out = env.run(&["handover", "bob", "--report", link.to_str().expect("utf-8")]);
    refused(&out, &link, "symbolic link");
    assert!(env.bytes() == before, "bob is not revoked, nothing changed");

    let report = env.dir.path().join("bob.md");
    let out = env.run(&[
        "handover",
        "bob",
        "--report",
        report.to_str().expect("utf-8"),
    ]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let mode = std::fs::metadata(&report)
        .expect("report")
        .permissions()
        .mode();
    assert_eq!(mode & 0o777, 0o600);
    let text = std::fs::read_to_string(&report).expect("report");
    assert!(text.contains("# Handover report: bob"), "{text}");

    let again = env.run(&[
        "handover",
        "status",
        "bob",
        "--report",
        report.to_str().expect("utf-8"),
    ]);
    refused(&again, &report, "already exists");
    assert_eq!(std::fs::read_to_string(&report).expect("report"), text);
    let fresh = env.dir.path().join("bob-later.md");
    let out = env.run(&[
        "handover",
        "status",
        "bob",
        "--report",
        fresh.to_str().expect("utf-8"),
    ]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert!(fresh.is_file());
}
