//! Membership and handover acceptance: a contractor is added with one
//! group, reveals a password, is handed over; their passphrase stops
//! opening the vault, the checklist holds exactly what they saw, moves
//! from pending to rotated to verified, and the report names no secret.
//! Expiry and `member sweep`, the re-key a revocation writes into the
//! file, `totp --qr`, and the handover's edge cases.
//!
//! Drives the binary named by `BATON_TUI_BIN` (CI sets it to the release
//! build), else the test build; the library only to read the file.

use std::collections::BTreeMap;
use std::io::Write;
use std::os::unix::fs::PermissionsExt;
use std::path::Path;
use std::process::{Command, Output, Stdio};
use std::time::Duration;

use baton::format::{LOG_GROUP, read};
use serde_json::Value;

use crate::common::{
    Env, INIT_WEAK, PASS, code, contains, json, now_unix, stderr, stdout, tui_bin,
};

const BOB_PASS: &str = "bob's own passphrase, 41 jars";
const CAROL_PASS: &str = "carol keeps a different one 77";

/// One weak-KDF vault owned by alice, in its own temporary directory.
struct Vault {
    env: Env,
}

/// Who runs a command: the owner (alice, the default member) or a member
/// by name with their passphrase.
#[derive(Clone, Copy)]
enum As<'a> {
    Owner,
    Member(&'a str, &'a str),
}

impl Vault {
    fn new() -> Self {
        let v = Vault { env: Env::new() };
        let out = v.run(As::Owner, INIT_WEAK);
        ok(&out, "init");
        v
    }

    /// `Env::cmd` running the binary under test: a clean environment,
    /// HOME in the temporary directory, the vault, the passphrase and the
    /// lock wait.
    fn cmd(&self, who: As<'_>, args: &[&str]) -> Command {
        let mut c = self.env.cmd_of(&tui_bin(), args);
        if let As::Member(name, pass) = who {
            c.env("BATON_MEMBER", name).env("BATON_PASSPHRASE", pass);
        }
        c
    }

    fn run(&self, who: As<'_>, args: &[&str]) -> Output {
        self.cmd(who, args).output().expect("run baton")
    }

    /// Runs with `input` on standard input.
    fn run_stdin(&self, who: As<'_>, args: &[&str], input: &str) -> Output {
        let mut child = self
            .cmd(who, args)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("spawn baton");
        child
            .stdin
            .take()
            .expect("stdin")
            .write_all(input.as_bytes())
            .expect("write stdin");
        child.wait_with_output().expect("wait")
    }

    /// The owner runs `args`, which must succeed; returns stdout.
    fn owner(&self, args: &[&str]) -> String {
        ok(&self.run(As::Owner, args), &args.join(" "))
    }

    /// Adds an entry with `password` through `--password-stdin`; returns its id.
    fn add(&self, who: As<'_>, title: &str, group: &str, password: &str, extra: &[&str]) -> String {
        let mut args = vec!["add", title, "--group", group, "--password-stdin", "--json"];
        args.extend_from_slice(extra);
        let out = self.run_stdin(who, &args, &format!("{password}\n"));
        let added = json(&ok(&out, &format!("add {title}")));
        assert_eq!(added["title"], title);
        added["id"].as_str().expect("id").to_owned()
    }

    /// The owner adds a member with `BATON_NEW_PASSPHRASE`.
    fn add_member(&self, name: &str, pass: &str, extra: &[&str]) -> Output {
        let mut args = vec!["member", "add", name];
        args.extend_from_slice(extra);
        self.cmd(As::Owner, &args)
            .env("BATON_NEW_PASSPHRASE", pass)
            .output()
            .expect("run baton")
    }

    fn status(&self) -> Value {
        json(&self.owner(&["handover", "status", "--json"]))
    }

    fn log(&self) -> Vec<Value> {
        json(&self.owner(&["log", "--json"]))["records"]
            .as_array()
            .expect("records")
            .clone()
    }

    fn file(&self) -> read::VerifiedFile {
        read::parse(&std::fs::read(&self.env.vault).expect("read vault")).expect("the vault parses")
    }

    fn dir(&self) -> &Path {
        self.env.dir.path()
    }
}

/// Asserts exit 0; returns stdout.
fn ok(out: &Output, what: &str) -> String {
    assert_eq!(
        code(out),
        0,
        "baton {what} failed\nstdout: {}\nstderr: {}",
        stdout(out),
        stderr(out)
    );
    stdout(out)
}

/// Asserts the exit code and that stderr says `why`.
fn fails(out: &Output, exit: i32, why: &str) {
    assert_eq!(
        code(out),
        exit,
        "expected exit {exit}\nstdout: {}\nstderr: {}",
        stdout(out),
        stderr(out)
    );
    assert!(
        stderr(out).contains(why),
        "stderr should say {why:?}: {}",
        stderr(out)
    );
}

/// The single handover of `member` in `handover status --json`.
fn handover_of<'a>(status: &'a Value, member: &str) -> &'a Value {
    let all: Vec<&Value> = status["handovers"]
        .as_array()
        .expect("handovers")
        .iter()
        .filter(|h| h["member"] == member)
        .collect();
    assert_eq!(all.len(), 1, "one handover of {member}: {status:#}");
    all[0]
}

fn items(h: &Value) -> &Vec<Value> {
    h["items"].as_array().expect("items")
}

fn count(log: &[Value], pred: impl Fn(&Value) -> bool) -> usize {
    log.iter().filter(|r| pred(r)).count()
}

/// Names of the files in `dir`.
fn names_in(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .expect("read dir")
        .map(|e| {
            e.expect("dir entry")
                .file_name()
                .to_string_lossy()
                .into_owned()
        })
        .collect();
    names.sort();
    names
}

#[test]
fn a_contractor_is_handed_over_and_the_checklist_runs_from_pending_to_verified() {
    const MAIL_OLD: &str = "mail-OLD-pw-Zk41q";
    const RELAY: &str = "relay-UNSEEN-pw-Hm57";
    const BANK: &str = "bank-FINANCE-pw-Rt93x";
    const SEED: &str = "KRUGS4ZANFZSAYLOEBXXIZLOEBWWC4TL";
    let v = Vault::new();
    let webmail = v.add(As::Owner, "Webmail", "Email", MAIL_OLD, &["--totp", SEED]);
    let relay = v.add(As::Owner, "Mail Relay", "Email", RELAY, &[]);
    let bank = v.add(As::Owner, "Bank", "Finance", BANK, &[]);
    ok(
        &v.add_member("bob", BOB_PASS, &["--groups", "Email"]),
        "member add bob",
    );
    let bob = As::Member("bob", BOB_PASS);

    // Bob reveals one Email password.
    let got = v.run(bob, &["get", "Webmail"]);
    assert_eq!(ok(&got, "get Webmail as bob").trim(), MAIL_OLD);

    // Finance is not his: `list --group Finance` is refused as a group he
    // cannot read, and `get` finds no such entry, by title or by id.
    let listed = v.run(bob, &["list", "--group", "Finance"]);
    fails(
        &listed,
        1,
        "no group \"Finance\" among the groups you can read",
    );
    assert!(!stdout(&listed).contains("Bank"), "{}", stdout(&listed));
    let all = json(&ok(&v.run(bob, &["list", "--json"]), "list as bob"));
    let titles: Vec<&str> = all["entries"]
        .as_array()
        .expect("entries")
        .iter()
        .map(|e| e["title"].as_str().expect("title"))
        .collect();
    assert_eq!(titles, ["Mail Relay", "Webmail"]);
    for query in ["Bank", bank.as_str()] {
        let denied = v.run(bob, &["get", query]);
        fails(&denied, 1, "no entry matches");
        assert!(!contains(&denied.stdout, BANK.as_bytes()));
        assert!(!contains(&denied.stderr, BANK.as_bytes()));
    }

    // The owner hands bob over and writes the report.
    let report = v.dir().join("handover-bob.md");
    let out = v.run(
        As::Owner,
        &["handover", "bob", "--report", report.to_str().unwrap()],
    );
    let text = ok(&out, "handover bob --report");
    assert!(text.contains("Revoked bob"), "{text}");
    assert!(text.contains("new keys for Email"), "{text}");
    assert!(text.contains("1 of 1 item(s) left"), "{text}");

    // Bob's passphrase no longer opens the vault.
    let after = v.run(bob, &["list"]);
    fails(&after, 6, "bob's membership was revoked");
    assert_eq!(code(&v.run(bob, &["get", "Webmail"])), 6);

    // The checklist: exactly the entry bob revealed, pending.
    let status = v.status();
    let h = handover_of(&status, "bob");
    assert_eq!(h["role"], "contractor");
    assert_eq!(h["by"], "alice");
    assert!(h["revoked"].is_string(), "{h:#}");
    assert_eq!(h["left"], 1);
    let list = items(h);
    assert_eq!(list.len(), 1, "only the revealed entry: {h:#}");
    assert_eq!(list[0]["entry_id"], webmail.as_str());
    assert_ne!(list[0]["entry_id"], relay.as_str());
    assert_eq!(list[0]["title"], "Webmail");
    assert_eq!(list[0]["group"], "Email");
    assert_eq!(list[0]["state"], "pending");
    assert_eq!(list[0]["how"], serde_json::json!(["revealed the password"]));
    assert_eq!(list[0]["mfa"], serde_json::json!([]));
    assert!(list[0]["rotated"].is_null() && list[0]["verified"].is_null());
    // The checkpoint is the log just before the handover record.
    let log = v.log();
    let handover_records: Vec<&Value> = log.iter().filter(|r| r["action"] == "handover").collect();
    assert_eq!(handover_records.len(), 1);
    assert_eq!(h["checkpoint"]["records"], handover_records[0]["seq"]);
    let head = h["checkpoint"]["head"].as_str().expect("head").to_owned();
    assert_eq!(head.len(), 64, "a SHA-256 in hex: {head}");

    // A pending item cannot be verified.
    let early = v.run(As::Owner, &["handover", "verify", "Webmail"]);
    fails(&early, 1, "has not changed since bob saw it");
    assert_eq!(
        items(handover_of(&v.status(), "bob"))[0]["state"],
        "pending"
    );

    // The owner rotates it: rotated.
    v.owner(&["edit", "Webmail", "--generate"]);
    let h = v.status();
    let h = handover_of(&h, "bob");
    assert_eq!(items(h)[0]["state"], "rotated");
    assert!(items(h)[0]["rotated"].is_string());
    assert_eq!(h["left"], 1, "rotated is still open until verified");

    // Verified by id; nothing left.
    let done = v.owner(&["handover", "verify", &webmail]);
    assert!(
        done.contains("Verified Webmail for the handover of bob; 0 item(s) left"),
        "{done}"
    );
    let h = v.status();
    let h = handover_of(&h, "bob");
    assert_eq!(items(h)[0]["state"], "verified");
    assert!(items(h)[0]["verified"].is_string());
    assert_eq!(h["left"], 0);

    let mail_new = v.owner(&["get", "Webmail"]).trim().to_owned();
    assert!(!mail_new.is_empty());
    assert_ne!(mail_new, MAIL_OLD, "edit --generate changed the password");

    // The report: private, names bob, the checkpoint head and the entry;
    // no password, old or new, and no TOTP seed. The report of the final
    // state too.
    let final_report = v.dir().join("handover-bob-final.md");
    let out = v.owner(&[
        "handover",
        "status",
        "bob",
        "--report",
        final_report.to_str().unwrap(),
    ]);
    assert!(out.contains("Wrote the report"), "{out}");
    for (path, state) in [(&report, "pending"), (&final_report, "verified")] {
        let mode = std::fs::metadata(path).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600, "{} is private", path.display());
        let bytes = std::fs::read(path).unwrap();
        let text = String::from_utf8(bytes.clone()).expect("UTF-8 report");
        assert!(text.contains("# Handover report: bob"), "{text}");
        assert!(text.contains(&head), "names the checkpoint head: {text}");
        assert!(text.contains("| Webmail | Email |"), "{text}");
        assert!(text.contains(&webmail), "{text}");
        assert!(text.contains(&format!("| {state} |")), "{text}");
        assert!(
            !text.contains("Mail Relay") && !text.contains("Bank"),
            "{text}"
        );
        for secret in [
            MAIL_OLD,
            mail_new.as_str(),
            RELAY,
            BANK,
            SEED,
            BOB_PASS,
            PASS,
        ] {
            assert!(
                !contains(&bytes, secret.as_bytes()),
                "{secret:?} is in the report {}",
                path.display()
            );
        }
    }
    let vault = std::fs::read(&v.env.vault).unwrap();
    for secret in [MAIL_OLD, mail_new.as_str(), SEED] {
        assert!(!contains(&vault, secret.as_bytes()));
    }
    assert_eq!(
        count(&v.log(), |r| r["action"] == "handover-verify"),
        1,
        "one verification record"
    );
    ok(&v.run(As::Owner, &["log", "verify"]), "log verify");
}

#[test]
fn an_expired_membership_stops_unlocking_and_a_sweep_revokes_it() {
    let v = Vault::new();
    v.add(As::Owner, "Webmail", "Email", "mail-pw-for-carol", &[]);
    // `--expires` takes RFC 3339 with a time of day (dates::parse): a
    // membership that ends a few seconds from now.
    let expires_at = now_unix() + 4;
    let expires = baton::dates::format_rfc3339(expires_at);
    assert!(expires.ends_with('Z') && expires.contains('T'), "{expires}");
    ok(
        &v.add_member(
            "carol",
            CAROL_PASS,
            &["--groups", "Email", "--expires", &expires],
        ),
        "member add carol --expires",
    );
    let carol = As::Member("carol", CAROL_PASS);
    let before = v.run(carol, &["list"]);
    if now_unix() < expires_at {
        ok(&before, "list as carol before her expiry");
    }
    let members = json(&v.owner(&["member", "list", "--json"]));
    let row = members["members"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["name"] == "carol")
        .expect("carol listed")
        .clone();
    assert_eq!(row["expires"], baton::dates::format_date(expires_at));
    assert!(row["revoked"].is_null());

    // Past the expiry (second resolution: one more second for safety).
    let wait = expires_at + 1 - now_unix();
    if wait > 0 {
        std::thread::sleep(Duration::from_secs(wait as u64));
    }
    let expired = v.run(carol, &["list"]);
    fails(&expired, 6, "carol's membership expired");
    assert_eq!(code(&v.run(carol, &["get", "Webmail"])), 6);

    // The owner is warned at the next unlock, by name, with the way out.
    let owner = v.run(As::Owner, &["list"]);
    ok(&owner, "list as the owner");
    let warned = stderr(&owner);
    let line = warned
        .lines()
        .find(|l| l.contains("past their expiry"))
        .unwrap_or_else(|| panic!("no expiry warning: {warned}"));
    assert!(line.starts_with("warning:"), "{line}");
    assert!(line.contains("carol"), "{line}");
    assert!(line.contains("baton member sweep"), "{line}");

    // The sweep revokes her with a re-key; a second sweep finds none.
    let swept = v.owner(&["member", "sweep"]);
    assert!(swept.contains("Revoked carol"), "{swept}");
    assert!(swept.contains("new keys for Email"), "{swept}");
    let members = json(&v.owner(&["member", "list", "--json"]));
    let row = members["members"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["name"] == "carol")
        .expect("carol listed")
        .clone();
    assert!(row["revoked"].is_string(), "{row:#}");
    assert_eq!(row["groups"], serde_json::json!([]));
    let again = v.run(As::Owner, &["member", "sweep"]);
    assert_eq!(stdout(&again).trim(), "No membership has expired.");
    assert!(
        !stderr(&again).contains("past their expiry"),
        "no warning once revoked: {}",
        stderr(&again)
    );
    let log = v.log();
    assert_eq!(count(&log, |r| r["action"] == "member-revoke"), 1);
    fails(
        &v.run(carol, &["list"]),
        6,
        "carol's membership was revoked",
    );
    ok(&v.run(As::Owner, &["log", "verify"]), "log verify");
}

#[test]
fn a_revocation_rekeys_the_file_and_drops_the_backups() {
    const MAIL: &str = "mail-pw-before-rekey-8Jq";
    let v = Vault::new();
    let webmail = v.add(As::Owner, "Webmail", "Email", MAIL, &[]);
    v.add(As::Owner, "Bank", "Finance", "bank-pw-Xy12", &[]);
    ok(
        &v.add_member("bob", BOB_PASS, &["--groups", "Email"]),
        "member add bob",
    );
    let bob = As::Member("bob", BOB_PASS);
    ok(&v.run(bob, &["get", "Webmail"]), "get as bob");

    let backups = |v: &Vault| -> Vec<String> {
        names_in(v.dir())
            .into_iter()
            .filter(|n| n.contains(".bak"))
            .collect()
    };
    assert!(
        !backups(&v).is_empty(),
        "the saves so far left backups: {:?}",
        names_in(v.dir())
    );

    let file = v.file();
    let bob_id = file
        .manifest
        .members
        .iter()
        .find(|m| m.name == "bob")
        .expect("bob in the manifest")
        .id;
    let bob_groups: Vec<_> = file
        .manifest
        .grants
        .iter()
        .filter(|g| g.member == bob_id && g.group != LOG_GROUP)
        .map(|g| g.group)
        .collect();
    assert_eq!(bob_groups.len(), 1, "bob holds Email only");
    let email = bob_groups[0];
    let epochs: BTreeMap<_, _> = file
        .manifest
        .groups
        .iter()
        .map(|g| (g.id, g.epoch))
        .collect();
    assert_eq!(epochs.len(), 2, "Email and Finance");
    assert!(file.snapshot.slots.iter().any(|s| s.member == bob_id));

    let out = v.owner(&["member", "revoke", "bob"]);
    assert!(out.contains("Revoked bob"), "{out}");
    assert!(out.contains("new keys for Email"), "{out}");
    assert!(!out.contains("Finance"), "{out}");
    assert!(out.contains("backup generation(s)"), "{out}");
    assert_eq!(
        backups(&v),
        Vec::<String>::new(),
        "the backups the old keys open are deleted"
    );

    let file = v.file();
    for g in &file.manifest.groups {
        let old = epochs[&g.id];
        if g.id == email {
            assert_eq!(g.epoch, old + 1, "Email has a new key");
        } else {
            assert_eq!(g.epoch, old, "Finance, which bob never held, keeps its key");
        }
    }
    assert!(
        !file.manifest.grants.iter().any(|g| g.member == bob_id),
        "bob has no grants"
    );
    assert!(
        !file.snapshot.slots.iter().any(|s| s.member == bob_id),
        "bob has no slots"
    );
    let bob_row = file
        .manifest
        .members
        .iter()
        .find(|m| m.id == bob_id)
        .unwrap();
    assert!(bob_row.revoked_at.is_some());
    // Every current group key reaches the owner, at its new epoch.
    let alice = file
        .manifest
        .members
        .iter()
        .find(|m| m.name == "alice")
        .unwrap()
        .id;
    assert!(
        file.manifest
            .grants
            .iter()
            .any(|g| g.member == alice && g.group == email && g.epoch == epochs[&email] + 1)
    );

    // The owner still reads Email; bob opens nothing.
    assert_eq!(v.owner(&["get", &webmail]).trim(), MAIL);
    fails(&v.run(bob, &["list"]), 6, "revoked");
    fails(
        &v.run(As::Owner, &["member", "revoke", "bob"]),
        1,
        "already revoked",
    );

    // Refusals: yourself, the founding owner, a contractor, an unknown name.
    let before = v.file().manifest;
    fails(
        &v.run(As::Owner, &["member", "revoke", "alice"]),
        1,
        "you cannot revoke yourself",
    );
    ok(
        &v.add_member(
            "dave",
            "dave the second owner's words",
            &["--role", "owner"],
        ),
        "member add dave --role owner",
    );
    let dave = As::Member("dave", "dave the second owner's words");
    fails(
        &v.run(dave, &["member", "revoke", "alice"]),
        1,
        "the founding owner cannot be revoked",
    );
    ok(
        &v.add_member("erin", "erin contracts too 303", &["--groups", "Email"]),
        "member add erin",
    );
    let erin = As::Member("erin", "erin contracts too 303");
    fails(
        &v.run(erin, &["member", "revoke", "dave"]),
        6,
        "only an owner can revoke members",
    );
    fails(
        &v.run(As::Owner, &["member", "revoke", "nobody"]),
        3,
        "nobody",
    );
    let after = v.file().manifest;
    for name in ["alice", "dave", "erin"] {
        let m = after.members.iter().find(|m| m.name == name).unwrap();
        assert!(m.revoked_at.is_none(), "{name} was not revoked");
    }
    assert_eq!(
        before.groups, after.groups,
        "no refused revocation re-keyed anything"
    );
    ok(&v.run(As::Owner, &["log", "verify"]), "log verify");
}

#[test]
fn totp_qr_draws_the_seed_logs_one_seed_reveal_and_joins_the_checklist() {
    const SEED: &str = "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ";
    let v = Vault::new();
    let router = v.add(
        As::Owner,
        "Router",
        "Email",
        "router-pw-Qa55",
        &["--totp", SEED],
    );
    ok(
        &v.add_member("bob", BOB_PASS, &["--groups", "Email"]),
        "member add bob",
    );
    let bob = As::Member("bob", BOB_PASS);
    let seed_reveals = |v: &Vault, who: &str| {
        count(&v.log(), |r| {
            r["action"] == "reveal"
                && r["field"] == "totp-seed"
                && r["member"] == who
                && r["entry_id"] == router.as_str()
        })
    };
    assert_eq!(seed_reveals(&v, "bob"), 0);

    let out = v.run(bob, &["totp", "Router", "--qr"]);
    let drawn = ok(&out, "totp Router --qr as bob");
    let blocks = drawn
        .chars()
        .filter(|c| matches!(c, '█' | '▀' | '▄'))
        .count();
    assert!(blocks > 100, "a QR code in block characters:\n{drawn}");
    let rows: Vec<&str> = drawn.lines().filter(|l| l.contains('█')).collect();
    assert!(rows.len() >= 10, "{drawn}");
    assert!(
        !drawn.contains(SEED) && !drawn.contains("otpauth"),
        "the seed is drawn, not written out:\n{drawn}"
    );
    assert!(drawn.contains("Router"), "{drawn}");
    assert_eq!(seed_reveals(&v, "bob"), 1, "one reveal record of the seed");
    let log = v.log();
    let rec = log
        .iter()
        .find(|r| r["field"] == "totp-seed")
        .expect("the reveal");
    assert_eq!(rec["title"], "Router");
    assert_eq!(rec["group"], "Email");

    // An entry without a TOTP seed: refused, nothing revealed.
    v.add(As::Owner, "Plain", "Email", "plain-pw-1", &[]);
    let records = v.log().len();
    fails(
        &v.run(bob, &["totp", "Plain", "--qr"]),
        1,
        "has no TOTP secret",
    );
    assert_eq!(
        count(&v.log(), |r| r["field"] == "totp-seed"),
        1,
        "no seed reveal for an entry without one"
    );
    assert!(v.log().len() <= records + 2, "an unlock at most");

    // Bob's handover lists the entry, with the TOTP seed to move.
    let text = v.owner(&["handover", "bob"]);
    assert!(text.contains("MFA to move: TOTP seed"), "{text}");
    let status = v.status();
    let h = handover_of(&status, "bob");
    let list = items(h);
    assert_eq!(list.len(), 1, "{h:#}");
    assert_eq!(list[0]["entry_id"], router.as_str());
    assert_eq!(list[0]["title"], "Router");
    assert_eq!(
        list[0]["how"],
        serde_json::json!(["revealed the TOTP seed"])
    );
    assert_eq!(list[0]["mfa"], serde_json::json!(["TOTP seed"]));
    assert_eq!(list[0]["state"], "pending");
    ok(&v.run(As::Owner, &["log", "verify"]), "log verify");
}

#[test]
fn a_member_who_revealed_nothing_has_an_empty_checklist_and_a_second_handover_writes_nothing() {
    let v = Vault::new();
    v.add(
        As::Owner,
        "Webmail",
        "Email",
        "mail-pw-never-seen",
        &["--username", "it-admin"],
    );
    // The owner revealing a password does not put it on bob's checklist.
    v.owner(&["get", "Webmail"]);
    ok(
        &v.add_member("bob", BOB_PASS, &["--groups", "Email"]),
        "member add bob",
    );
    let bob = As::Member("bob", BOB_PASS);
    ok(&v.run(bob, &["list"]), "list as bob");
    ok(&v.run(bob, &["show", "Webmail"]), "show as bob");
    // A username is not a secret: revealing it exposes nothing to rotate.
    let user = v.run(bob, &["get", "Webmail", "--field", "username"]);
    assert_eq!(ok(&user, "get username as bob").trim(), "it-admin");

    let first = v.owner(&["handover", "bob"]);
    assert!(first.contains("Revoked bob"), "{first}");
    assert!(first.contains("nothing to rotate"), "{first}");
    let status = v.status();
    let h = handover_of(&status, "bob");
    assert_eq!(items(h).len(), 0, "{h:#}");
    assert_eq!(h["left"], 0);

    let log = v.log();
    assert_eq!(count(&log, |r| r["action"] == "handover"), 1);
    assert_eq!(count(&log, |r| r["action"] == "member-revoke"), 1);
    let bytes = std::fs::read(&v.env.vault).unwrap();

    let second = v.owner(&["handover", "bob"]);
    assert!(second.contains("bob was handed over at"), "{second}");
    assert!(!second.contains("Revoked"), "{second}");
    assert_eq!(
        std::fs::read(&v.env.vault).unwrap(),
        bytes,
        "a second handover of bob leaves the file as it was"
    );
    let log = v.log();
    assert_eq!(count(&log, |r| r["action"] == "handover"), 1);
    assert_eq!(count(&log, |r| r["action"] == "member-revoke"), 1);
    assert_eq!(
        v.status()["handovers"].as_array().unwrap().len(),
        1,
        "one handover"
    );
    ok(&v.run(As::Owner, &["log", "verify"]), "log verify");
}

#[test]
fn entries_the_contractor_created_are_on_the_checklist() {
    const SEED: &str = "MFRGGZDFMZTWQ2LKNNWG23TPOBYXE43U";
    const VENDOR: &str = "vendor-pw-set-by-bob-66";
    let v = Vault::new();
    v.add(As::Owner, "Webmail", "Email", "mail-pw-owner-only", &[]);
    ok(
        &v.add_member("bob", BOB_PASS, &["--groups", "Email"]),
        "member add bob",
    );
    let bob = As::Member("bob", BOB_PASS);
    let vendor = v.add(bob, "Vendor Portal", "Email", VENDOR, &["--totp", SEED]);
    // Not a group of his: refused, nothing created.
    let out = v.run_stdin(
        bob,
        &["add", "Sneaky", "--group", "Finance", "--password-stdin"],
        "x\n",
    );
    assert_ne!(code(&out), 0, "{}", stderr(&out));
    assert_eq!(code(&out), 6, "{}", stderr(&out));

    let text = v.owner(&["handover", "bob"]);
    assert!(text.contains("Vendor Portal"), "{text}");
    let status = v.status();
    let h = handover_of(&status, "bob");
    let list = items(h);
    assert_eq!(list.len(), 1, "only the entry bob created: {h:#}");
    assert_eq!(list[0]["entry_id"], vendor.as_str());
    assert_eq!(list[0]["title"], "Vendor Portal");
    assert_eq!(list[0]["group"], "Email");
    assert_eq!(list[0]["how"], serde_json::json!(["created the entry"]));
    assert_eq!(list[0]["mfa"], serde_json::json!(["TOTP seed"]));
    assert_eq!(list[0]["state"], "pending");
    // The owner still reads what bob stored, after the re-key.
    assert_eq!(v.owner(&["get", &vendor]).trim(), VENDOR);
    ok(&v.run(As::Owner, &["log", "verify"]), "log verify");
}

#[test]
fn a_member_added_with_must_change_chooses_a_passphrase_before_anything_else() {
    let v = Vault::new();
    v.add(As::Owner, "Webmail", "Email", "mail-SECRET-9", &[]);
    let added = v.add_member(
        "bob",
        "temporary 1",
        &["--groups", "Email", "--must-change"],
    );
    assert!(ok(&added, "member add").contains("baton passwd --member bob"));
    let bob_tmp = As::Member("bob", "temporary 1");
    let refused = v.run(bob_tmp, &["get", "Webmail"]);
    fails(&refused, 6, "must choose their own passphrase");
    assert!(!stdout(&refused).contains("mail-SECRET-9"));
    let changed = v
        .cmd(bob_tmp, &["passwd"])
        .env("BATON_NEW_PASSPHRASE", BOB_PASS)
        .output()
        .expect("run baton");
    ok(&changed, "passwd");
    fails(&v.run(bob_tmp, &["list"]), 3, "wrong passphrase");
    let got = ok(
        &v.run(As::Member("bob", BOB_PASS), &["get", "Webmail"]),
        "get",
    );
    assert_eq!(got.trim(), "mail-SECRET-9");
    // The owner is not held to it.
    v.owner(&["list"]);
}

#[test]
fn a_contractors_own_handover_record_does_not_spare_them_the_revocation() {
    use baton::audit::{Action, Draft};
    use baton::vault::{self, Credential};
    let v = Vault::new();
    v.add(As::Owner, "Webmail", "Email", "mail-SECRET-5", &[]);
    ok(
        &v.add_member("bob", BOB_PASS, &["--groups", "Email"]),
        "member add",
    );
    let bob = As::Member("bob", BOB_PASS);
    ok(&v.run(bob, &["get", "Webmail"]), "get");
    // Bob writes, with his own key, a handover of himself and a save.
    let file = v.file();
    let bob_id = file
        .manifest
        .members
        .iter()
        .find(|m| m.name == "bob")
        .expect("bob")
        .id;
    let pass = baton::secret::Passphrase::from_slice(BOB_PASS.as_bytes());
    let mut opened = vault::unlock(
        file,
        Credential::Passphrase {
            member: Some("bob"),
            passphrase: &pass,
        },
        now_unix(),
        8 << 30,
        &baton::format::LogHead::EMPTY,
    )
    .expect("bob unlocks through the library");
    opened.note(Draft {
        target: Some(bob_id),
        ..Draft::new(now_unix(), Action::Handover)
    });
    let r = opened.find("Webmail").expect("Webmail");
    opened.edit(r, now_unix(), |_| ()).expect("edit");
    let forged = opened
        .seal(now_unix(), &mut baton::os::rng())
        .expect("seal");
    std::fs::write(&v.env.vault, forged).expect("write");
    ok(&v.run(As::Owner, &["log", "verify"]), "log verify");

    let out = ok(&v.run(As::Owner, &["handover", "bob"]), "handover");
    assert!(out.contains("Revoked bob"), "{out}");
    fails(&v.run(bob, &["list"]), 6, "revoked");
    let h = handover_of(&v.status(), "bob").clone();
    assert_eq!(h["by"], "alice");
    assert_eq!(items(&h).len(), 1);
    assert_eq!(items(&h)[0]["title"], "Webmail");
}

#[test]
fn a_report_never_overwrites_the_vault() {
    let v = Vault::new();
    v.add(As::Owner, "Webmail", "Email", "mail-SECRET-6", &[]);
    ok(
        &v.add_member("bob", BOB_PASS, &["--groups", "Email"]),
        "member add",
    );
    let before = std::fs::read(&v.env.vault).expect("read");
    let vault_path = v.env.vault.to_string_lossy().into_owned();
    fails(
        &v.run(As::Owner, &["handover", "bob", "--report", &vault_path]),
        2,
        "companion files",
    );
    assert_eq!(
        std::fs::read(&v.env.vault).expect("read"),
        before,
        "nothing changed"
    );
    let copy = v.dir().join("copy-of-vault");
    std::fs::write(&copy, &before).expect("write copy");
    fails(
        &v.run(
            As::Owner,
            &[
                "handover",
                "status",
                "bob",
                "--report",
                &copy.to_string_lossy(),
            ],
        ),
        2,
        "already exists",
    );
    assert_eq!(std::fs::read(&copy).expect("read"), before);
    let fine = v.dir().join("bob.md");
    ok(
        &v.run(
            As::Owner,
            &["handover", "bob", "--report", &fine.to_string_lossy()],
        ),
        "handover",
    );
    assert!(
        std::fs::read_to_string(&fine)
            .expect("report")
            .contains("# Handover report: bob")
    );
}

/// The titles of a checklist's items, with what each says the member did.
fn titles_and_how(h: &Value) -> BTreeMap<String, Vec<String>> {
    items(h)
        .iter()
        .map(|i| {
            let how = i["how"]
                .as_array()
                .expect("how")
                .iter()
                .map(|x| x.as_str().expect("text").to_owned())
                .collect();
            (i["title"].as_str().expect("title").to_owned(), how)
        })
        .collect()
}

/// The security review's finding 4 (THREAT_MODEL §6.4): `health` told bob
/// that Core switch has the same password as Firewall; he revealed
/// Firewall, so he knows Core switch's password as well — and Bank's, in
/// a group he never held. Every entry holding the password he revealed
/// joins his checklist, saying why; one with another password does not.
#[test]
fn entries_sharing_a_revealed_password_join_the_checklist() {
    const SHARED: &str = "shared-NET-pw-Qz81";
    let v = Vault::new();
    v.add(As::Owner, "Firewall", "Net", SHARED, &[]);
    let switch = v.add(As::Owner, "Core switch", "Net", SHARED, &[]);
    v.add(As::Owner, "Bank", "Finance", SHARED, &[]);
    v.add(As::Owner, "Relay", "Net", "relay-other-pw-Lm22", &[]);
    ok(
        &v.add_member("bob", BOB_PASS, &["--groups", "Net"]),
        "member add bob",
    );
    let bob = As::Member("bob", BOB_PASS);
    let health = stdout(&v.run(bob, &["health"]));
    assert!(
        health.contains("same password as Firewall"),
        "bob is told of the reuse: {health}"
    );
    assert!(!health.contains("Bank"), "{health}");
    ok(&v.run(bob, &["get", "Firewall"]), "get Firewall as bob");

    v.owner(&["handover", "bob"]);
    let status = v.status();
    let h = handover_of(&status, "bob");
    let got = titles_and_how(h);
    let want: BTreeMap<String, Vec<String>> = [
        ("Firewall", "revealed the password"),
        (
            "Core switch",
            "same password as Firewall, which bob revealed",
        ),
        ("Bank", "same password as Firewall, which bob revealed"),
    ]
    .into_iter()
    .map(|(t, how)| (t.to_owned(), vec![how.to_owned()]))
    .collect();
    assert_eq!(got, want, "{h:#}");
    assert_eq!(h["left"], 3);
    for i in items(h) {
        assert_eq!(i["state"], "pending", "{i:#}");
        assert_eq!(i["mfa"], serde_json::json!([]), "{i:#}");
    }
    // The text checklist says it too.
    let text = v.owner(&["handover", "status", "bob"]);
    assert!(
        text.contains("same password as Firewall, which bob revealed"),
        "{text}"
    );

    // Rotating Core switch turns its item rotated, as for any other.
    v.owner(&["edit", "Core switch", "--generate"]);
    let status = v.status();
    let h = handover_of(&status, "bob");
    let item = items(h)
        .iter()
        .find(|i| i["entry_id"] == switch.as_str())
        .expect("Core switch listed");
    assert_eq!(item["state"], "rotated", "{item:#}");
    ok(&v.run(As::Owner, &["log", "verify"]), "log verify");
}

/// A password bob revealed stays known to him after the entry he read it
/// from is rotated: an entry still holding it joins his checklist, though
/// the entry he revealed does not. One rotated before he saw it does not.
#[test]
fn a_password_bob_revealed_counts_after_its_own_entry_is_rotated() {
    const SHARED: &str = "shared-before-rotation-Wx40";
    let v = Vault::new();
    v.add(As::Owner, "Firewall", "Net", SHARED, &[]);
    v.add(As::Owner, "Core switch", "Net", SHARED, &[]);
    v.add(As::Owner, "Old router", "Net", SHARED, &[]);
    ok(
        &v.add_member("bob", BOB_PASS, &["--groups", "Net"]),
        "member add bob",
    );
    // Rotated before bob saw anything: not his to know.
    v.owner(&["edit", "Old router", "--generate"]);
    let bob = As::Member("bob", BOB_PASS);
    ok(&v.run(bob, &["get", "Firewall"]), "get Firewall as bob");
    v.owner(&["edit", "Firewall", "--generate"]);

    v.owner(&["handover", "bob"]);
    let status = v.status();
    let got = titles_and_how(handover_of(&status, "bob"));
    let want: BTreeMap<String, Vec<String>> = [(
        "Core switch".to_owned(),
        vec!["same password as Firewall, which bob revealed".to_owned()],
    )]
    .into_iter()
    .collect();
    assert_eq!(got, want);
}

/// The security review's finding 5, for a contractor: a row of his import
/// equal to an entry he can read confirms its password without a reveal.
/// The row is recorded against that entry, which joins his checklist like
/// an entry his import added; an entry his file did not touch does not.
#[test]
fn a_contractors_import_is_recorded_entry_by_entry_and_joins_his_checklist() {
    const GUESS: &str = "fw-guess-pw-Tr55";
    let v = Vault::new();
    let firewall = v.add(
        As::Owner,
        "Firewall",
        "Net",
        GUESS,
        &["--username", "admin"],
    );
    v.add(As::Owner, "Core switch", "Net", "switch-pw-Zy71", &[]);
    ok(
        &v.add_member("bob", BOB_PASS, &["--groups", "Net"]),
        "member add bob",
    );
    let bob = As::Member("bob", BOB_PASS);
    let csv = v.dir().join("probe.csv");
    std::fs::write(
        &csv,
        format!(
            "title,username,password,group\nFirewall,admin,{GUESS},Net\nPrinter,lp,printer-pw-Kd02,Net\n"
        ),
    )
    .expect("write the CSV");
    let out = v.run(
        bob,
        &[
            "import",
            csv.to_str().expect("path"),
            "--from",
            "csv",
            "--json",
        ],
    );
    let report = json(&ok(&out, "import as bob"));
    assert_eq!(
        (report["added"].clone(), report["already_present"].clone()),
        (1.into(), 1.into())
    );

    let log = v.log();
    let by_bob = |action: &str| -> Vec<Value> {
        log.iter()
            .filter(|r| r["member"] == "bob" && r["action"] == action)
            .cloned()
            .collect()
    };
    let imports = by_bob("import");
    assert_eq!(
        imports.len(),
        2,
        "the import and the row it matched: {imports:#?}"
    );
    assert!(imports.iter().any(|r| {
        r["entry_id"].is_null()
            && r["note"]
                .as_str()
                .is_some_and(|n| n.contains("2 rows read: 1 added, 1 already in the vault"))
    }));
    assert!(
        imports
            .iter()
            .any(|r| r["entry_id"] == firewall.as_str() && r["title"] == "Firewall"),
        "{imports:#?}"
    );
    let adds = by_bob("add");
    assert_eq!(adds.len(), 1, "{adds:#?}");
    assert_eq!(adds[0]["title"], "Printer");

    v.owner(&["handover", "bob"]);
    let status = v.status();
    let got = titles_and_how(handover_of(&status, "bob"));
    let want: BTreeMap<String, Vec<String>> = [
        ("Firewall", "imported a row equal to it"),
        ("Printer", "created the entry"),
    ]
    .into_iter()
    .map(|(t, how)| (t.to_owned(), vec![how.to_owned()]))
    .collect();
    assert_eq!(got, want);
}

/// The security review's finding 10c (THREAT_MODEL §6.10): `member list`
/// names every member, their groups and how much each revealed — for
/// owners and auditors. A contractor is refused (exit 6).
#[test]
fn member_list_is_for_owners_and_auditors_only() {
    let v = Vault::new();
    v.add(As::Owner, "Webmail", "Email", "mail-SECRET-3", &[]);
    ok(
        &v.add_member("bob", BOB_PASS, &["--groups", "Email"]),
        "member add bob",
    );
    ok(
        &v.add_member("audrey", CAROL_PASS, &["--role", "auditor"]),
        "member add audrey",
    );
    let bob = As::Member("bob", BOB_PASS);
    for args in [&["member", "list"][..], &["member", "list", "--json"]] {
        let out = v.run(bob, args);
        fails(&out, 6, "member list is for owners and auditors");
        assert!(stdout(&out).is_empty(), "{}", stdout(&out));
    }
    let audrey = As::Member("audrey", CAROL_PASS);
    let listed = ok(&v.run(audrey, &["member", "list"]), "member list as audrey");
    assert!(
        listed.contains("bob") && listed.contains("alice"),
        "{listed}"
    );
    assert!(v.owner(&["member", "list"]).contains("audrey"));
}

/// The security review's finding 10d: an auditor reads and verifies the
/// access log and nothing else. Every command that would change the
/// vault or show a secret is refused with exit 6 and says why, before
/// any entry is looked up; `list` says what an auditor does instead of
/// offering to add an entry.
#[test]
fn an_auditor_is_refused_every_write_and_reveal_with_exit_6() {
    let v = Vault::new();
    v.add(As::Owner, "Webmail", "Email", "mail-SECRET-4", &[]);
    ok(
        &v.add_member("bob", BOB_PASS, &["--groups", "Email"]),
        "member add bob",
    );
    ok(
        &v.add_member("audrey", CAROL_PASS, &["--role", "auditor"]),
        "member add audrey",
    );
    let audrey = As::Member("audrey", CAROL_PASS);
    let csv = v.dir().join("rows.csv");
    std::fs::write(&csv, "title,password\nNew,pw-new-1\n").expect("write the CSV");
    let csv = csv.to_str().expect("path").to_owned();
    let out_file = v.dir().join("out.json");
    let out_file = out_file.to_str().expect("path").to_owned();
    let read_only = "auditors are read-only";
    for (args, says) in [
        (vec!["add", "X"], read_only),
        (vec!["edit", "Webmail", "--title", "Y"], read_only),
        (vec!["rm", "Webmail"], read_only),
        (vec!["codes", "Webmail", "--use", "1"], read_only),
        (vec!["import", &csv, "--from", "csv"], read_only),
        (vec!["get", "Webmail"], read_only),
        (vec!["totp", "Webmail"], read_only),
        (vec!["codes", "Webmail"], read_only),
        (vec!["show", "Webmail"], read_only),
        (vec!["member", "sweep"], "only an owner"),
        (vec!["member", "revoke", "bob"], "only an owner"),
        (
            vec!["member", "grant", "bob", "--groups", "Email"],
            "only an owner",
        ),
        (
            vec!["settings", "--firm-domain", "acme.example"],
            "only an owner",
        ),
        (
            vec!["export", "--format", "json", "--out", &out_file],
            "only an owner",
        ),
        (vec!["handover", "bob"], "only an owner"),
    ] {
        let out = v.run(audrey, &args);
        fails(&out, 6, says);
    }
    let listed = ok(&v.run(audrey, &["list"]), "list as audrey");
    assert!(!listed.contains("baton add"), "{listed}");
    assert!(listed.contains("baton log"), "{listed}");
    ok(&v.run(audrey, &["log", "verify"]), "log verify as audrey");
    let log = v.log();
    assert_eq!(
        count(&log, |r| r["member"] == "audrey" && r["action"] != "unlock"),
        0,
        "audrey wrote nothing but unlocks: {log:#?}"
    );
}
