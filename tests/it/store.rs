//! The store: the lock, concurrent writers, backups, atomic replacement.

use std::collections::BTreeSet;
use std::fs::OpenOptions;
use std::io::Write;
use std::process::Stdio;
use std::time::{Duration, Instant};

use crate::common::{Env, code, json, stderr};

#[test]
fn a_writer_that_cannot_get_the_lock_exits_5_naming_the_holder() {
    let env = Env::new();
    env.init();
    let lock_path = env.dir.path().join("vault.baton.lock");
    let mut held = OpenOptions::new()
        .read(true)
        .write(true)
        .create(true)
        .truncate(false)
        .open(&lock_path)
        .unwrap();
    held.lock().unwrap();
    held.set_len(0).unwrap();
    held.write_all(b"pid 4242, bob: baton edit").unwrap();
    let before = env.bytes();
    let out = env
        .cmd(&["add", "Blocked"])
        .env("BATON_LOCK_WAIT_MS", "300")
        .output()
        .unwrap();
    assert_eq!(code(&out), 5, "{}", stderr(&out));
    assert!(
        stderr(&out).contains("pid 4242, bob: baton edit"),
        "{}",
        stderr(&out)
    );
    assert_eq!(env.bytes(), before);
    held.unlock().unwrap();
    env.ok(&["add", "Now free"]);
}

/// A real Baton process holds the lock while it waits for the password
/// on standard input; a second writer gives up after its wait with exit 5,
/// naming that process, and changes nothing; once the first finishes, the
/// second succeeds and both entries are there.
#[test]
fn a_writer_blocked_by_a_held_lock_exits_5_naming_the_holder() {
    let env = Env::new();
    env.init();
    // A command waiting for input holds no lock: another writes meanwhile.
    let mut waiting = env
        .cmd(&["add", "Waiting", "--password-stdin"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    env.ok(&["add", "Meanwhile"]);
    waiting
        .stdin
        .take()
        .unwrap()
        .write_all(b"waiting's password")
        .unwrap();
    let out = waiting.wait_with_output().unwrap();
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    // A lock held for longer than a writer waits (here by this test, as a
    // stuck process would) makes it give up with exit 5, naming the holder.
    let lock_path = env.dir.path().join("vault.baton.lock");
    let mut held = std::fs::OpenOptions::new()
        .read(true)
        .write(true)
        .create(true)
        .truncate(false)
        .open(&lock_path)
        .unwrap();
    held.lock().unwrap();
    held.set_len(0).unwrap();
    held.write_all(b"pid 4242, carol: baton handover").unwrap();
    let before = env.bytes();
    let started = Instant::now();
    let out = env
        .cmd(&["add", "Blocked"])
        .env("BATON_LOCK_WAIT_MS", "400")
        .output()
        .unwrap();
    let waited = started.elapsed();
    assert_eq!(code(&out), 5, "{}", stderr(&out));
    assert!(
        stderr(&out).contains("locked by another process (pid 4242, carol: baton handover)"),
        "{}",
        stderr(&out)
    );
    assert!(
        waited >= Duration::from_millis(400),
        "gave up after {waited:?}, before its wait was over"
    );
    assert_eq!(env.bytes(), before, "the blocked writer changed the file");
    held.unlock().unwrap();
    env.ok(&["add", "Blocked"]);
    let titles: Vec<String> = json(&env.ok(&["list", "--json"]))["entries"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["title"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(titles, ["Blocked", "Meanwhile", "Waiting"]);
}

/// Writers started while the lock is held all wait for it, then go one at
/// a time: every entry each added, and every record each wrote (adds,
/// reveals), is in the vault, in a log that verifies.
#[test]
fn concurrent_writers_lose_nothing() {
    let env = Env::new();
    env.init();
    env.ok_stdin(&["add", "Shared", "--password-stdin"], "shared password 42");
    let lock_path = env.dir.path().join("vault.baton.lock");
    let held = OpenOptions::new()
        .read(true)
        .write(true)
        .open(&lock_path)
        .unwrap();
    held.lock().unwrap();
    let mut children: Vec<_> = (0..8)
        .map(|i| {
            let args = if i % 2 == 0 {
                vec!["add".to_owned(), format!("entry {i}")]
            } else {
                vec!["get".to_owned(), "Shared".to_owned()]
            };
            env.cmd(&args.iter().map(String::as_str).collect::<Vec<_>>())
                .env("BATON_LOCK_WAIT_MS", "30000")
                .stdout(Stdio::piped())
                .stderr(Stdio::piped())
                .spawn()
                .unwrap()
        })
        .collect();
    // None can finish while the lock is held: all of them are waiting at
    // once, so the order in which they get it is up to them.
    std::thread::sleep(Duration::from_millis(500));
    for c in &mut children {
        assert!(
            c.try_wait().unwrap().is_none(),
            "a writer ran without the lock"
        );
    }
    held.unlock().unwrap();
    for c in children {
        let out = c.wait_with_output().unwrap();
        assert_eq!(code(&out), 0, "{}", stderr(&out));
    }
    let titles: BTreeSet<String> = json(&env.ok(&["list", "--json"]))["entries"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["title"].as_str().unwrap().to_owned())
        .collect();
    let expected: BTreeSet<String> = ["Shared", "entry 0", "entry 2", "entry 4", "entry 6"]
        .map(str::to_owned)
        .into();
    assert_eq!(titles, expected);
    let log = json(&env.ok(&["log", "--json"]));
    let records = log["records"].as_array().unwrap();
    let count = |action: &str| records.iter().filter(|r| r["action"] == action).count();
    assert_eq!(count("add"), 5, "one add record per entry");
    assert_eq!(count("reveal"), 4, "one reveal record per get");
    env.ok(&["log", "verify"]);
}

#[test]
fn saves_keep_three_encrypted_backups() {
    let env = Env::new();
    env.init();
    for i in 0..5 {
        env.ok(&["add", &format!("e{i}")]);
    }
    for g in 1..=3 {
        let p = env.dir.path().join(format!("vault.baton.bak{g}"));
        let bytes = std::fs::read(&p).unwrap_or_else(|_| panic!("backup {g} exists"));
        assert!(
            baton::format::read::parse(&bytes).is_ok(),
            "backup {g} is a whole vault"
        );
    }
    assert!(!env.dir.path().join("vault.baton.bak4").exists());
    // Backup 1 is the generation before the current one: 4 entries. Put
    // back here, this machine reports it as rolled back; opened on a
    // machine that never saw the vault, it is whole.
    std::fs::copy(env.dir.path().join("vault.baton.bak1"), &env.vault).unwrap();
    let out = env.run(&["list"]);
    assert_eq!(code(&out), 4);
    assert!(stderr(&out).contains("rolled back"), "{}", stderr(&out));
    let elsewhere = tempfile::tempdir().unwrap();
    let out = env
        .cmd(&["list", "--json"])
        .env("XDG_STATE_HOME", elsewhere.path())
        .output()
        .unwrap();
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert_eq!(
        json(&String::from_utf8_lossy(&out.stdout))["entries"]
            .as_array()
            .unwrap()
            .len(),
        4
    );
}

#[test]
fn no_temporary_files_are_left_behind() {
    let env = Env::new();
    env.init();
    env.ok(&["add", "a"]);
    env.ok(&["edit", "a", "--username", "b"]);
    let names: Vec<String> = std::fs::read_dir(env.dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert!(names.iter().all(|n| !n.contains(".tmp")), "{names:?}");
}

#[test]
fn a_save_does_not_overwrite_a_change_it_has_not_seen() {
    use baton::store;
    let env = Env::new();
    env.init();
    let loaded = store::fingerprint(&env.bytes());
    env.ok(&["add", "made by another process"]);
    let lock = store::lock(&env.vault, "test", std::time::Duration::from_secs(1)).unwrap();
    let err = store::save(&env.vault, b"stale bytes", &loaded, &lock).unwrap_err();
    assert!(matches!(err, store::StoreError::Conflict(_)), "{err}");
    drop(lock);
    assert_eq!(
        json(&env.ok(&["list", "--json"]))["entries"]
            .as_array()
            .unwrap()
            .len(),
        1
    );
}

#[test]
fn the_process_cannot_dump_core() {
    let env = Env::new();
    env.init();
    let lock_path = env.dir.path().join("vault.baton.lock");
    let held = OpenOptions::new()
        .read(true)
        .write(true)
        .create(true)
        .truncate(false)
        .open(&lock_path)
        .unwrap();
    held.lock().unwrap();
    // `add` waits for the lock, so the process stays alive to be inspected.
    // Started with an unlimited core size, so only Baton itself can lower it.
    let mut c = env.cmd(&["add", "Waiting"]);
    c.env("BATON_LOCK_WAIT_MS", "10000");
    let mut child = std::process::Command::new("/bin/sh")
        .arg("-c")
        .arg("ulimit -c unlimited && exec \"$0\" add Waiting")
        .arg(c.get_program())
        .env_clear()
        .envs(c.get_envs().filter_map(|(k, v)| v.map(|v| (k, v))))
        .spawn()
        .unwrap();
    let limits_path = format!("/proc/{}/limits", child.id());
    let mut limits = String::new();
    for _ in 0..100 {
        std::thread::sleep(std::time::Duration::from_millis(20));
        limits = std::fs::read_to_string(&limits_path).unwrap_or_default();
        if limits.lines().any(|l| {
            l.starts_with("Max core file size") && l.split_whitespace().nth(4) == Some("0")
        }) {
            break;
        }
    }
    let core = limits
        .lines()
        .find(|l| l.starts_with("Max core file size"))
        .expect("limits readable");
    let fields: Vec<&str> = core.split_whitespace().collect();
    assert_eq!(&fields[4..6], ["0", "0"], "{core}");
    held.unlock().unwrap();
    assert!(child.wait().unwrap().success());
}

/// A `baton get` that has loaded the vault and waits for its passphrase
/// (a FIFO the test writes to later); it holds no lock while it waits.
struct Waiting {
    child: std::process::Child,
    fifo: std::path::PathBuf,
}

impl Waiting {
    fn start(env: &Env, entry: &str) -> Waiting {
        Waiting::start_as(env, entry, None)
    }

    /// As [`Waiting::start`], unlocking as `member`.
    fn start_as(env: &Env, entry: &str, member: Option<&str>) -> Waiting {
        let fifo = env.dir.path().join("passphrase.fifo");
        let made = std::process::Command::new("mkfifo")
            .arg(&fifo)
            .status()
            .expect("run mkfifo");
        assert!(made.success(), "mkfifo failed");
        let mut cmd = env.cmd(&["get", entry]);
        if let Some(m) = member {
            cmd.env("BATON_MEMBER", m);
        }
        let child = cmd
            .env_remove("BATON_PASSPHRASE")
            .arg("--passphrase-file")
            .arg(&fifo)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("start baton get");
        // It has read the vault (under the lock, released since) and
        // waits to open the FIFO for its passphrase.
        let wchan = format!("/proc/{}/wchan", child.id());
        let deadline = Instant::now() + Duration::from_secs(10);
        while std::fs::read_to_string(&wchan).unwrap_or_default() != "wait_for_partner" {
            assert!(
                Instant::now() < deadline,
                "baton get never reached its passphrase"
            );
            std::thread::sleep(Duration::from_millis(10));
        }
        Waiting { child, fifo }
    }

    /// Types the passphrase; the command goes on, and its output.
    fn finish(self) -> std::process::Output {
        self.finish_with(crate::common::PASS)
    }

    /// Types `passphrase`; the command goes on, and its output.
    fn finish_with(self, passphrase: &str) -> std::process::Output {
        let mut f = OpenOptions::new()
            .write(true)
            .open(&self.fifo)
            .expect("open the FIFO");
        f.write_all(format!("{passphrase}\n").as_bytes())
            .expect("write the passphrase");
        drop(f);
        self.child.wait_with_output().expect("wait for baton get")
    }
}

/// The review's three ways a waiting command used to cut what it had not
/// read: the vault replaced while it waited at the passphrase (a sync
/// tool), another writer's record appended meanwhile (its lock file even
/// deleted), and a new snapshot saved the same way. Each time the waiting
/// reveal goes through by merging with what the other wrote: every record
/// the other wrote is still in the file, next to the reveal's, and the
/// log verifies.
#[test]
fn a_waiting_command_never_cuts_what_another_wrote_meanwhile() {
    for case in ["replaced", "appended", "saved"] {
        let env = Env::new();
        env.init();
        env.ok(&["add", "Mail", "--generate"]);
        env.ok(&["add", "Bank", "--generate"]);
        let waiting = Waiting::start(&env, "Mail");
        match case {
            "replaced" => {
                // Another machine's copy arrives through a sync folder.
                let copy = env.dir.path().join("elsewhere.baton");
                let home = env.dir.path().join("elsewhere");
                std::fs::create_dir(&home).expect("the other machine's home");
                std::fs::copy(&env.vault, &copy).expect("copy");
                let other = env
                    .cmd(&["add", "From elsewhere"])
                    .env("BATON_VAULT", &copy)
                    .env("HOME", &home)
                    .output()
                    .expect("run");
                assert_eq!(code(&other), 0, "{}", stderr(&other));
                std::fs::rename(&copy, &env.vault).expect("the sync tool's rename");
            }
            "appended" | "saved" => {
                std::fs::remove_file(env.dir.path().join("vault.baton.lock"))
                    .expect("delete the lock file");
                let args: &[&str] = if case == "appended" {
                    &["get", "Bank"]
                } else {
                    &["add", "Meanwhile"]
                };
                let other = env.run(args);
                assert_eq!(code(&other), 0, "{case}: {}", stderr(&other));
            }
            _ => unreachable!(),
        }
        let theirs = records(&env);
        let out = waiting.finish();
        assert_eq!(code(&out), 0, "{case}: {}", stderr(&out));
        assert!(!out.stdout.is_empty(), "{case}: the reveal showed nothing");
        let now = records(&env);
        assert!(
            theirs.iter().all(|h| now.contains(h)),
            "{case}: a record the other writer wrote was lost"
        );
        assert!(
            now.len() > theirs.len(),
            "{case}: the reveal was not recorded"
        );
        env.ok(&["log", "verify"]);
        let log = env.ok(&["log", "--json"]);
        match case {
            "appended" => assert!(
                json(&log)["records"]
                    .as_array()
                    .expect("records")
                    .iter()
                    .any(|r| r["action"] == "reveal"),
                "the other writer's reveal record is gone: {log}"
            ),
            "replaced" => {
                env.ok(&["show", "From elsewhere"]);
            }
            _ => {
                env.ok(&["show", "Meanwhile"]);
            }
        }
    }
}

/// A backup put back on purpose is not a dead end: the refusal says how
/// to accept it, `accept-older` does so with a record in the log, and
/// the copy opens from then on on this machine.
#[test]
fn a_backup_put_back_is_refused_with_the_way_out_and_accepted_on_record() {
    let env = Env::new();
    env.init();
    env.ok(&["add", "Kept"]);
    let backup = env.bytes();
    env.ok(&["add", "Only in the newer vault"]);
    std::fs::write(&env.vault, &backup).expect("put the backup back");

    let out = env.run(&["list"]);
    assert_eq!(code(&out), 4, "{}", stderr(&out));
    assert!(
        stderr(&out).contains("rolled back") && stderr(&out).contains("baton accept-older"),
        "{}",
        stderr(&out)
    );
    assert_eq!(env.bytes(), backup, "a refused command changed the file");

    let accepted = env.ok(&["accept-older"]);
    assert!(accepted.contains("Accepted"), "{accepted}");
    let titles: Vec<String> = json(&env.ok(&["list", "--json"]))["entries"]
        .as_array()
        .expect("entries")
        .iter()
        .map(|e| e["title"].as_str().expect("a title").to_owned())
        .collect();
    assert_eq!(titles, ["Kept"]);
    env.ok(&["log", "verify"]);
    let log = json(&env.ok(&["log", "--json"]));
    let accepts = log["records"]
        .as_array()
        .expect("records")
        .iter()
        .filter(|r| r["action"] == "accept-older")
        .count();
    assert_eq!(accepts, 1, "{log}");
    // Nothing more to accept.
    assert!(env.ok(&["accept-older"]).contains("nothing to accept"));
}

/// The hashes of every record of the vault's log, verified.
fn records(env: &Env) -> Vec<[u8; 32]> {
    crate::common::record_hashes(&env.vault)
}

/// A contractor's reveal waiting at its passphrase while the owner hands
/// them over: it read the vault before the revocation, but its record goes
/// into a save merged with the revoked vault, which no longer lets them
/// in: refused with exit 6, nothing shown, and the handover stands.
#[test]
fn a_reveal_waiting_while_its_member_is_handed_over_is_refused() {
    let env = Env::new();
    env.init();
    env.ok(&["add", "Router", "--group", "Network", "--generate"]);
    let out = env
        .cmd(&[
            "member",
            "add",
            "bob",
            "--role",
            "contractor",
            "--groups",
            "Network",
        ])
        .env("BATON_NEW_PASSPHRASE", "bob's own passphrase 1")
        .output()
        .expect("run");
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let waiting = Waiting::start_as(&env, "Router", Some("bob"));
    env.ok(&["handover", "bob"]);
    let out = waiting.finish_with("bob's own passphrase 1");
    assert_eq!(code(&out), 6, "{}", stderr(&out));
    assert!(out.stdout.is_empty(), "something was shown");
    assert!(stderr(&out).contains("revoked"), "{}", stderr(&out));
    env.ok(&["log", "verify"]);
    let status = env.ok(&["handover", "status"]);
    assert!(status.contains("bob"), "{status}");
}
