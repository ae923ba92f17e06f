//! Several people and machines on one vault: copies that meet through
//! `baton merge`, conflict copies a sync engine leaves beside the vault,
//! commands writing at once, and older copies put back. Each machine has
//! its own home (so its own record of what it saw of the log); the real
//! binary does the work.

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

use crate::common::{PASS, bin, code, json, stderr, stdout};

/// One machine: its own home and state directory, and its own copy of
/// the vault at `vault`.
struct Machine {
    home: PathBuf,
    vault: PathBuf,
}

impl Machine {
    fn new(root: &Path, name: &str) -> Self {
        let home = root.join(name);
        std::fs::create_dir_all(&home).expect("home");
        let vault = home.join("vault.baton");
        Machine { home, vault }
    }

    fn cmd(&self, args: &[&str]) -> Command {
        let mut c = Command::new(bin());
        c.args(args)
            .env_clear()
            .env("PATH", std::env::var_os("PATH").unwrap_or_default())
            .env("HOME", &self.home)
            .env("BATON_VAULT", &self.vault)
            .env("BATON_PASSPHRASE", PASS)
            .env("BATON_LOCK_WAIT_MS", "5000")
            .stdin(Stdio::null());
        c
    }

    fn run(&self, args: &[&str]) -> Output {
        self.cmd(args).output().expect("run baton")
    }

    fn ok(&self, args: &[&str]) -> String {
        let out = self.run(args);
        assert_eq!(
            code(&out),
            0,
            "baton {args:?} on {}: {}",
            self.home.display(),
            stderr(&out)
        );
        stdout(&out)
    }

    /// `baton member add ARGS…` with `passphrase` as the new member's,
    /// which must succeed.
    fn add_member(&self, args: &[&str], passphrase: &str) {
        let out = self
            .cmd(args)
            .env("BATON_NEW_PASSPHRASE", passphrase)
            .output()
            .expect("run");
        assert_eq!(code(&out), 0, "baton {args:?}: {}", stderr(&out));
    }

    fn ok_stdin(&self, args: &[&str], input: &str) -> String {
        crate::common::ok_with_input(self.cmd(args), args, Some(input))
    }

    /// Titles of the live entries, sorted.
    fn titles(&self) -> Vec<String> {
        let list = json(&self.ok(&["list", "--json"]));
        let mut t: Vec<String> = list["entries"]
            .as_array()
            .expect("entries")
            .iter()
            .map(|e| e["title"].as_str().expect("title").to_owned())
            .collect();
        t.sort();
        t
    }

    /// The hashes of every record, via the library (the binary shows
    /// positions, not hashes).
    fn record_hashes(&self) -> Vec<[u8; 32]> {
        crate::common::record_hashes(&self.vault)
    }
}

/// A vault on machine `a` with two entries, and the same file copied to
/// machine `b` (as a sync folder or a USB stick would bring it).
fn two_machines() -> (tempfile::TempDir, Machine, Machine) {
    let dir = tempfile::tempdir().expect("temp dir");
    let a = Machine::new(dir.path(), "desk");
    let b = Machine::new(dir.path(), "laptop");
    a.ok(&["init", "--owner", "alice", "--weak-kdf"]);
    a.ok_stdin(
        &[
            "add",
            "Bank",
            "--group",
            "Finance",
            "--username",
            "boss",
            "--password-stdin",
        ],
        "first-password",
    );
    a.ok(&[
        "add",
        "Mail",
        "--group",
        "General",
        "--url",
        "https://mail.example",
    ]);
    std::fs::copy(&a.vault, &b.vault).expect("copy to the laptop");
    (dir, a, b)
}

#[test]
fn two_machines_that_changed_their_copies_merge_and_lose_nothing() {
    let (_dir, a, b) = two_machines();
    a.ok(&["add", "Router", "--group", "General"]);
    a.ok_stdin(&["edit", "Bank", "--password-stdin"], "desk-password");
    b.ok(&["add", "Payroll", "--group", "Finance"]);
    b.ok(&["edit", "Mail", "--username", "laptop-user"]);
    b.ok(&["get", "Bank"]);
    let a_records = a.record_hashes();
    let b_records = b.record_hashes();

    let dry = json(&a.ok(&[
        "merge",
        b.vault.to_str().expect("utf-8"),
        "--dry-run",
        "--json",
    ]));
    assert_eq!(dry["result"], "merged");
    assert_eq!(dry["dry_run"], true);
    assert_eq!(a.record_hashes(), a_records, "a dry run changes nothing");

    let out = json(&a.ok(&["merge", b.vault.to_str().expect("utf-8"), "--json"]));
    assert_eq!(out["result"], "merged");
    assert_eq!(out["conflicts"], 0, "{out}");
    let entries = out["entries"].as_array().expect("entries");
    let from = |title: &str| {
        entries
            .iter()
            .find(|e| e["title"] == title)
            .map(|e| e["from"].as_str().expect("from").to_owned())
    };
    assert_eq!(from("Payroll").as_deref(), Some("other"), "{out}");
    assert_eq!(from("Router").as_deref(), Some("here"), "{out}");
    assert_eq!(from("Mail").as_deref(), Some("other"), "{out}");

    assert_eq!(a.titles(), ["Bank", "Mail", "Payroll", "Router"]);
    assert_eq!(a.ok(&["get", "Bank"]).trim(), "desk-password");
    let mail = json(&a.ok(&["show", "Mail", "--json"]));
    assert_eq!(mail["username"], "laptop-user");
    a.ok(&["log", "verify"]);
    let merged = a.record_hashes();
    for h in a_records.iter().chain(&b_records) {
        assert!(merged.contains(h), "a signed record of one copy was lost");
    }
    let log = json(&a.ok(&["log", "--json"]));
    assert!(
        log["records"]
            .as_array()
            .expect("records")
            .iter()
            .any(|r| r["action"] == "merge"),
        "a signed merge record joins the copies"
    );

    // The laptop takes the merged file: it holds everything the laptop
    // saw, so it replaces the laptop's copy as it is.
    let back = json(&b.ok(&["merge", a.vault.to_str().expect("utf-8"), "--json"]));
    assert_eq!(back["result"], "fast-forward", "{back}");
    assert_eq!(b.titles(), a.titles());
    b.ok(&["log", "verify"]);
    let again = json(&a.ok(&["merge", b.vault.to_str().expect("utf-8"), "--json"]));
    assert_eq!(again["result"], "already-contained", "{again}");
}

#[test]
fn both_copies_changing_one_field_keep_the_later_and_the_other_in_history() {
    let (_dir, a, b) = two_machines();
    b.ok_stdin(&["edit", "Bank", "--password-stdin"], "laptop-password");
    // A second later on the desk: the later change.
    std::thread::sleep(std::time::Duration::from_millis(1100));
    a.ok_stdin(&["edit", "Bank", "--password-stdin"], "desk-password");
    let out = json(&b.ok(&["merge", a.vault.to_str().expect("utf-8"), "--json"]));
    assert_eq!(out["conflicts"], 1, "{out}");
    let bank = out["entries"]
        .as_array()
        .expect("entries")
        .iter()
        .find(|e| e["title"] == "Bank")
        .expect("Bank reported")
        .clone();
    assert_eq!(bank["conflicts"][0]["field"], "password", "{out}");
    assert_eq!(b.ok(&["get", "Bank"]).trim(), "desk-password");
    let text = b.ok(&["merge", a.vault.to_str().expect("utf-8")]);
    assert!(text.contains("already holds"), "{text}");
    // The losing value is kept in the entry's history, encrypted; the
    // export (a logged reveal of everything) shows it.
    let out = b.dir_file("export.json");
    b.ok(&[
        "export",
        "--format",
        "json",
        "--out",
        out.to_str().expect("utf-8"),
    ]);
    let export = std::fs::read_to_string(&out).expect("export");
    assert!(
        export.contains("laptop-password"),
        "the losing password is gone"
    );
}

impl Machine {
    fn dir_file(&self, name: &str) -> PathBuf {
        self.home.join(name)
    }
}

#[test]
fn merge_refuses_another_vault_and_a_damaged_copy_and_changes_nothing() {
    let (dir, a, b) = two_machines();
    let other = Machine::new(dir.path(), "elsewhere");
    other.ok(&["init", "--owner", "alice", "--weak-kdf"]);
    let before_a = std::fs::read(&a.vault).expect("read");
    let before_other = std::fs::read(&other.vault).expect("read");
    let out = a.run(&["merge", other.vault.to_str().expect("utf-8")]);
    assert_eq!(code(&out), 4, "{}", stderr(&out));
    assert!(
        stderr(&out).contains("not a copy of this vault"),
        "{}",
        stderr(&out)
    );
    assert_eq!(std::fs::read(&a.vault).expect("read"), before_a);
    assert_eq!(std::fs::read(&other.vault).expect("read"), before_other);

    let mut damaged = std::fs::read(&b.vault).expect("read");
    let at = damaged.len() / 2;
    damaged[at] ^= 0x40;
    std::fs::write(&b.vault, &damaged).expect("write");
    let out = a.run(&["merge", b.vault.to_str().expect("utf-8")]);
    assert_eq!(code(&out), 4, "{}", stderr(&out));
    assert!(
        stderr(&out).contains(b.vault.to_str().expect("utf-8")),
        "{}",
        stderr(&out)
    );
    assert_eq!(std::fs::read(&a.vault).expect("read"), before_a);

    let missing = a.run(&["merge", "/nonexistent/vault.baton"]);
    assert_eq!(code(&missing), 1);
    assert!(
        stderr(&missing).contains("no such file"),
        "{}",
        stderr(&missing)
    );
    let text = a.run(&["merge", "/etc/hostname"]);
    assert_eq!(code(&text), 4, "{}", stderr(&text));
    assert_eq!(std::fs::read(&a.vault).expect("read"), before_a);
}

#[test]
fn conflict_copies_of_each_sync_engine_are_merged_at_the_next_unlock_and_removed() {
    let host = baton::os::hostname();
    let names = [
        "vault.sync-conflict-20261207-101112-ABCDEF7.baton".to_owned(),
        "vault (Bob's conflicted copy 2026-12-07).baton".to_owned(),
        "vault (conflicted copy 2026-12-07 101112).baton".to_owned(),
        format!("vault-{host}.baton"),
    ];
    for name in names {
        let (_dir, a, b) = two_machines();
        b.ok(&["add", "From the laptop"]);
        a.ok(&["add", "From the desk"]);
        // The sync engine could not reconcile the two files: it keeps the
        // desk's and puts the laptop's beside it.
        let copy = a.vault.with_file_name(&name);
        std::fs::copy(&b.vault, &copy).expect("the engine's conflict copy");
        let out = a.run(&["list"]);
        assert_eq!(code(&out), 0, "{name}: {}", stderr(&out));
        assert!(
            stderr(&out).contains("Merged the") && stderr(&out).contains("removed it"),
            "{name}: {}",
            stderr(&out)
        );
        assert!(!copy.exists(), "{name}: the merged copy is still there");
        assert_eq!(
            a.titles(),
            ["Bank", "From the desk", "From the laptop", "Mail"],
            "{name}"
        );
        a.ok(&["log", "verify"]);
    }
}

#[test]
fn a_damaged_conflict_copy_or_one_of_another_vault_is_named_and_left() {
    let (dir, a, b) = two_machines();
    let other = Machine::new(dir.path(), "elsewhere");
    other.ok(&["init", "--owner", "alice", "--weak-kdf"]);
    let foreign = a
        .vault
        .with_file_name("vault.sync-conflict-20261207-101112-AAAAAAA.baton");
    std::fs::copy(&other.vault, &foreign).expect("copy");
    let damaged = a
        .vault
        .with_file_name("vault (Bob's conflicted copy 2026-12-07).baton");
    let mut bytes = std::fs::read(&b.vault).expect("read");
    let at = bytes.len() / 2;
    bytes[at] ^= 1;
    std::fs::write(&damaged, &bytes).expect("write");
    let lookalike = a.vault.with_file_name("vault-backup-before-audit.baton");
    std::fs::copy(&b.vault, &lookalike).expect("copy");
    let out = a.run(&["list"]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let err = stderr(&out);
    assert!(err.contains("another vault"), "{err}");
    assert!(err.contains("was left as it is"), "{err}");
    assert!(foreign.exists() && damaged.exists() && lookalike.exists());
}

#[test]
fn commands_writing_at_once_all_succeed_and_nothing_is_lost() {
    let dir = tempfile::tempdir().expect("temp dir");
    let a = Machine::new(dir.path(), "desk");
    a.ok(&["init", "--owner", "alice", "--weak-kdf"]);
    let children: Vec<_> = (0..6)
        .map(|i| {
            a.cmd(&["add", &format!("Entry {i}"), "--group", "Shared"])
                .stdout(Stdio::piped())
                .stderr(Stdio::piped())
                .spawn()
                .expect("spawn")
        })
        .collect();
    for c in children {
        let out = c.wait_with_output().expect("wait");
        assert_eq!(code(&out), 0, "{}", stderr(&out));
    }
    let titles = a.titles();
    assert_eq!(titles.len(), 6, "{titles:?}");
    a.ok(&["log", "verify"]);
    // Six commands that each created "Shared" leave one group of that name.
    let list = json(&a.ok(&["list", "--group", "Shared", "--json"]));
    assert_eq!(list["entries"].as_array().expect("entries").len(), 6);
}

#[test]
fn an_older_copy_says_what_it_is_and_names_the_backup_that_holds_the_rest() {
    let (_dir, a, _b) = two_machines();
    let old = std::fs::read(&a.vault).expect("read");
    a.ok(&["add", "Newer"]);
    // The newest state survives only as a backup generation; an older
    // copy takes the vault's place (a sync tool, a restore gone wrong).
    let backup = a.vault.with_file_name("vault.baton.bak3");
    std::fs::copy(&a.vault, &backup).expect("the backup");
    std::fs::write(&a.vault, &old).expect("an older copy put back");
    let out = a.run(&["list"]);
    assert_eq!(code(&out), 4, "{}", stderr(&out));
    let err = stderr(&out);
    assert!(err.contains("older copy"), "{err}");
    assert!(err.contains("accept-older"), "{err}");
    let line = err
        .lines()
        .find(|l| l.contains("vault.baton.bak3 holds everything"))
        .unwrap_or_else(|| panic!("the backup is not named: {err}"));
    assert!(line.contains("merge"), "{line}");
    // The command it names brings everything back.
    let merged = a.ok(&["merge", backup.to_str().expect("utf-8")]);
    assert!(merged.contains("replaces"), "{merged}");
    assert!(a.titles().contains(&"Newer".to_owned()));
    a.ok(&["list"]);
}

#[test]
fn accept_older_takes_an_older_copy_on_purpose_and_records_it() {
    let (_dir, a, _b) = two_machines();
    let old = std::fs::read(&a.vault).expect("read");
    a.ok(&["add", "Newer"]);
    std::fs::write(&a.vault, &old).expect("an older copy put back");
    assert_eq!(code(&a.run(&["list"])), 4);
    a.ok(&["accept-older"]);
    a.ok(&["add", "After accepting"]);
    assert!(a.titles().contains(&"After accepting".to_owned()));
    let log = json(&a.ok(&["log", "--json"]));
    assert!(
        log["records"]
            .as_array()
            .expect("records")
            .iter()
            .any(|r| r["action"] == "accept-older")
    );
}

#[test]
fn a_copy_that_predates_a_revocation_never_brings_the_revoked_keys_back() {
    let (_dir, a, b) = two_machines();
    let bob = |m: &Machine, args: &[&str]| {
        m.cmd(args)
            .env("BATON_MEMBER", "bob")
            .env("BATON_PASSPHRASE", "bob's own passphrase 1")
            .output()
            .expect("run")
    };
    a.add_member(
        &[
            "member",
            "add",
            "bob",
            "--role",
            "contractor",
            "--groups",
            "Finance",
        ],
        "bob's own passphrase 1",
    );
    std::fs::copy(&a.vault, &b.vault).expect("bob's laptop gets the vault");
    // Offline on his laptop, bob adds an entry to Finance; meanwhile the
    // owner revokes him on the desk.
    let out = bob(&b, &["add", "Bob's note", "--group", "Finance"]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    a.ok(&["member", "revoke", "bob"]);
    let out = json(&a.ok(&["merge", b.vault.to_str().expect("utf-8"), "--json"]));
    assert_eq!(out["result"], "merged", "{out}");
    assert!(a.titles().contains(&"Bob's note".to_owned()));
    // Bob's kept copy of his keys opens nothing in the merged vault.
    let out = bob(&a, &["list"]);
    assert_eq!(code(&out), 6, "{}", stderr(&out));
    let members = json(&a.ok(&["member", "list", "--json"]));
    let bob_row = members["members"]
        .as_array()
        .expect("members")
        .iter()
        .find(|m| m["name"] == "bob")
        .expect("bob listed")
        .clone();
    assert!(!bob_row["revoked"].is_null(), "{members}");
    a.ok(&["log", "verify"]);
}

#[test]
fn a_contractor_cannot_merge_what_only_an_owner_may_and_nothing_changes() {
    let (_dir, a, b) = two_machines();
    a.add_member(
        &[
            "member",
            "add",
            "bob",
            "--role",
            "contractor",
            "--groups",
            "General",
        ],
        "bob's own passphrase 1",
    );
    std::fs::copy(&a.vault, &b.vault).expect("copy");
    // Both copies change the members: only an owner can merge that.
    a.add_member(
        &["member", "add", "carol", "--role", "auditor"],
        "carol's passphrase 12",
    );
    b.add_member(
        &["member", "add", "dave", "--role", "auditor"],
        "dave's passphrase 123",
    );
    let before = std::fs::read(&a.vault).expect("read");
    let out = a
        .cmd(&["merge", b.vault.to_str().expect("utf-8")])
        .env("BATON_MEMBER", "bob")
        .env("BATON_PASSPHRASE", "bob's own passphrase 1")
        .output()
        .expect("run");
    assert_eq!(code(&out), 6, "{}", stderr(&out));
    assert!(stderr(&out).contains("owner"), "{}", stderr(&out));
    assert_eq!(std::fs::read(&a.vault).expect("read"), before);
    // The owner merges: both new members are kept.
    a.ok(&["merge", b.vault.to_str().expect("utf-8")]);
    let members = a.ok(&["member", "list"]);
    assert!(
        members.contains("carol") && members.contains("dave"),
        "{members}"
    );
    a.ok(&["log", "verify"]);
}

#[test]
fn what_a_revoked_member_could_read_in_an_older_copy_joins_the_checklist() {
    let (_dir, a, b) = two_machines();
    a.ok(&["add", "Payroll", "--group", "Finance", "--generate"]);
    a.ok(&["add", "Wiki", "--group", "General"]);
    a.add_member(
        &[
            "member",
            "add",
            "bob",
            "--role",
            "contractor",
            "--groups",
            "Finance",
        ],
        "bob's own passphrase 1",
    );
    std::fs::copy(&a.vault, &b.vault).expect("bob's laptop gets the vault");
    let bob = |args: &[&str]| {
        let out = b
            .cmd(args)
            .env("BATON_MEMBER", "bob")
            .env("BATON_PASSPHRASE", "bob's own passphrase 1")
            .output()
            .expect("run");
        assert_eq!(code(&out), 0, "{}", stderr(&out));
    };
    // Offline, bob reveals a password and adds an entry; meanwhile the
    // owner hands over: bob revealed nothing in the owner's copy.
    bob(&["get", "Bank"]);
    bob(&["add", "Bob's note", "--group", "Finance"]);
    let handover = a.ok(&["handover", "bob"]);
    assert!(handover.contains("nothing to rotate"), "{handover}");
    let merged = a.ok(&["merge", b.vault.to_str().expect("utf-8")]);
    assert!(merged.contains("could read group Finance"), "{merged}");
    let status = json(&a.ok(&["handover", "status", "--json"]));
    let items = status["handovers"][0]["items"].as_array().expect("items");
    let item = |title: &str| {
        items
            .iter()
            .find(|i| i["title"] == title)
            .unwrap_or_else(|| panic!("{title} is not on the checklist: {status}"))
            .clone()
    };
    let bank = item("Bank");
    assert!(
        bank["how"]
            .as_array()
            .expect("how")
            .iter()
            .any(|h| h == "revealed the password"),
        "{bank}"
    );
    item("Bob's note");
    item("Payroll");
    assert!(
        items.iter().all(|i| i["title"] != "Wiki"),
        "bob never held General: {status}"
    );
    a.ok(&["log", "verify"]);
}

#[test]
fn three_machines_that_each_created_one_group_converge_whatever_the_order() {
    let (dir, a, b) = two_machines();
    let c = Machine::new(dir.path(), "home-office");
    std::fs::copy(&a.vault, &c.vault).expect("copy");
    for (m, who) in [(&a, "desk"), (&b, "laptop"), (&c, "home")] {
        m.ok(&["add", &format!("{who} client"), "--group", "Clients"]);
        m.ok(&["edit", "Mail", "--notes", &format!("noted at the {who}")]);
    }
    let path = |m: &Machine| m.vault.to_str().expect("utf-8").to_owned();
    // The desk takes the laptop's copy, the laptop the home office's, then
    // each takes what the other has, in another order.
    a.ok(&["merge", &path(&b)]);
    b.ok(&["merge", &path(&c)]);
    c.ok(&["merge", &path(&a)]);
    a.ok(&["merge", &path(&b)]);
    b.ok(&["merge", &path(&a)]);
    c.ok(&["merge", &path(&b)]);
    let expected = [
        "Bank",
        "Mail",
        "desk client",
        "home client",
        "laptop client",
    ];
    for m in [&a, &b, &c] {
        assert_eq!(m.titles(), expected);
        let clients = json(&m.ok(&["list", "--group", "Clients", "--json"]));
        assert_eq!(clients["entries"].as_array().expect("entries").len(), 3);
        m.ok(&["log", "verify"]);
    }
    // One note won (the latest); the others are in its history.
    let notes: Vec<String> = [&a, &b, &c]
        .iter()
        .map(|m| m.ok(&["get", "Mail", "--field", "notes"]).trim().to_owned())
        .collect();
    assert!(notes.iter().all(|n| n == &notes[0]), "{notes:?}");
}

/// A contractor cannot read a group he was never granted by giving an
/// entry of his own the id of one in that group, on a copy he leaves to
/// be merged: the two are never combined, so nothing of the real entry
/// reaches his group, and both entries survive under distinct ids.
#[test]
fn an_entry_given_another_groups_id_never_carries_its_values_across() {
    use baton::secret::Passphrase;
    use baton::vault::{self, Credential, Entry, EntryId};
    let (_dir, a, b) = two_machines();
    a.ok(&["add", "Contractor notes", "--group", "Field"]);
    a.add_member(
        &[
            "member",
            "add",
            "bob",
            "--role",
            "contractor",
            "--groups",
            "Field",
        ],
        "bob's own passphrase 1",
    );
    let bank = json(&a.ok(&["show", "Bank", "--json"]));
    let bank_id = EntryId::parse(bank["id"].as_str().expect("id")).expect("hex id");
    std::fs::copy(&a.vault, &b.vault).expect("bob's copy");
    // On his copy, bob adds to Field an entry carrying Bank's id.
    let bytes = std::fs::read(&b.vault).expect("read");
    let mut v = vault::unlock(
        baton::format::read::parse(&bytes).expect("parses"),
        Credential::Passphrase {
            member: Some("bob"),
            passphrase: &Passphrase::from_slice(b"bob's own passphrase 1"),
        },
        crate::common::now_unix(),
        8 << 30,
        &baton::audit::HighWater::EMPTY,
    )
    .expect("bob unlocks his copy");
    v.set_writer(77);
    let bob_id = v.me().id;
    let forged = Entry::new(bank_id, "Forged".into(), crate::common::now_unix(), bob_id);
    v.add("Field", forged, &mut rand::rng())
        .expect("bob adds to Field");
    std::fs::write(
        &b.vault,
        v.seal(crate::common::now_unix(), &mut rand::rng())
            .expect("seal"),
    )
    .expect("write");
    // Bob also works in Field on the real vault: both copies changed it.
    let out = a
        .cmd(&["add", "Bob's router", "--group", "Field"])
        .env("BATON_MEMBER", "bob")
        .env("BATON_PASSPHRASE", "bob's own passphrase 1")
        .output()
        .expect("run");
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    a.ok(&["merge", b.vault.to_str().expect("utf-8")]);
    a.ok(&["log", "verify"]);
    // The owner's Bank is where it was, with its password.
    assert_eq!(a.ok(&["get", "Bank"]).trim(), "first-password");
    let bank_after = json(&a.ok(&["show", "Bank", "--json"]));
    assert_eq!(bank_after["group"], "Finance");
    // Bob sees Field only: his forged entry, empty, under another id.
    let out = a
        .cmd(&["list", "--json"])
        .env("BATON_MEMBER", "bob")
        .env("BATON_PASSPHRASE", "bob's own passphrase 1")
        .output()
        .expect("run");
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let list = json(&stdout(&out));
    let entries = list["entries"].as_array().expect("entries");
    assert!(entries.iter().all(|e| e["group"] == "Field"), "{list}");
    let forged = entries
        .iter()
        .find(|e| e["title"] == "Forged")
        .unwrap_or_else(|| panic!("bob's entry was dropped: {list}"));
    assert_ne!(forged["id"], bank["id"], "two entries share one id");
    assert_eq!(
        forged["has_password"], false,
        "Bank's password reached Field"
    );
}

/// An owner revoked on one copy, who went on working on another copy of
/// theirs, brings no one into the vault through a merge: their copy's new
/// members and grants are ignored, and the revocation stands.
#[test]
fn a_revoked_owners_copy_brings_no_one_into_the_vault() {
    let (_dir, a, b) = two_machines();
    a.add_member(
        &["member", "add", "carol", "--role", "owner"],
        "carol's passphrase 123",
    );
    std::fs::copy(&a.vault, &b.vault).expect("carol's copy");
    // On her copy, carol adds an accomplice with Finance.
    let out = b
        .cmd(&[
            "member",
            "add",
            "mallory",
            "--role",
            "contractor",
            "--groups",
            "Finance",
        ])
        .env("BATON_MEMBER", "carol")
        .env("BATON_PASSPHRASE", "carol's passphrase 123")
        .env("BATON_NEW_PASSPHRASE", "mallory's passphrase 1")
        .output()
        .expect("run");
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    // Meanwhile alice revokes carol, and changes the members herself.
    a.ok(&["member", "revoke", "carol"]);
    a.add_member(
        &["member", "add", "dave", "--role", "auditor"],
        "dave's passphrase 1234",
    );
    a.ok(&["merge", b.vault.to_str().expect("utf-8")]);
    a.ok(&["log", "verify"]);
    let members = json(&a.ok(&["member", "list", "--json"]));
    let names: Vec<&str> = members["members"]
        .as_array()
        .expect("members")
        .iter()
        .map(|m| m["name"].as_str().expect("name"))
        .collect();
    assert!(!names.contains(&"mallory"), "{members}");
    assert!(names.contains(&"dave"), "{members}");
    let out = a
        .cmd(&["list"])
        .env("BATON_MEMBER", "mallory")
        .env("BATON_PASSPHRASE", "mallory's passphrase 1")
        .output()
        .expect("run");
    assert_eq!(
        code(&out),
        3,
        "mallory must not be a member: {}",
        stderr(&out)
    );
}
