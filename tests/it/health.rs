//! `baton health` and `baton settings` through the binary, on a vault the
//! library writes with one entry for each kind of finding and one healthy
//! entry: each finding is reported for its entry and only there, and no
//! secret is printed.

use baton::format::read;
use baton::secret::{Concealed, Passphrase};
use baton::vault::{self, BackupCode, Credential, Entry, EntryId};
use rand::SeedableRng;

use crate::common::{Env, PASS, code, contains, json, now_unix, state_dir, stderr};

const DAY: i64 = 86_400;

/// Title, password, and what to change; the passwords are distinctive so
/// the output can be searched for them.
struct Fixture {
    title: &'static str,
    group: &'static str,
    password: &'static str,
    expect: Option<&'static str>,
}

const FIXTURES: &[Fixture] = &[
    Fixture {
        title: "Weak",
        group: "Office",
        password: "password1",
        expect: Some("weak"),
    },
    Fixture {
        title: "Reused A",
        group: "Office",
        password: "Kq8#reused-SECRET-tango-31",
        expect: Some("reused"),
    },
    Fixture {
        title: "Reused B",
        group: "Office",
        password: "Kq8#reused-SECRET-tango-31",
        expect: Some("reused"),
    },
    Fixture {
        title: "Due",
        group: "Critical",
        password: "Vb4!due-SECRET-river-62x",
        expect: Some("due-for-rotation"),
    },
    Fixture {
        title: "Expired",
        group: "Office",
        password: "Zt7%expired-SECRET-hill-19",
        expect: Some("expired"),
    },
    Fixture {
        title: "Expiring",
        group: "Office",
        password: "Hy3&expiring-SECRET-lake-44",
        expect: Some("expiring"),
    },
    Fixture {
        title: "Gmail",
        group: "Office",
        password: "Pw9*outside-SECRET-moon-73",
        expect: Some("outside-firm"),
    },
    Fixture {
        title: "Codes",
        group: "Office",
        password: "Rn2^codes-SECRET-star-58q",
        expect: Some("few-backup-codes"),
    },
    Fixture {
        title: "Old",
        group: "Office",
        password: "Mc6(old-SECRET-wind-27pz",
        expect: Some("never-rotated"),
    },
    Fixture {
        title: "Healthy",
        group: "Office",
        password: "Jd5)healthy-SECRET-sun-80",
        expect: None,
    },
];

/// A vault owned by alice at acme.example with the fixtures, written
/// through the library so that dates can lie in the past.
fn fixture_vault() -> Env {
    let env = Env::new();
    env.init();
    let now = now_unix();
    let mut rng = rand::rngs::StdRng::seed_from_u64(70);
    let file = read::parse(&env.bytes()).expect("parses");
    let seen = baton::store::read_high_water(&state_dir(&env), &file.snapshot.vault_id)
        .expect("high-water");
    let mut v = vault::unlock(
        file,
        Credential::Passphrase {
            member: None,
            passphrase: &Passphrase::from_slice(PASS.as_bytes()),
        },
        now,
        8 << 30,
        &seen,
    )
    .expect("unlock");
    for f in FIXTURES {
        let mut e = Entry::new(EntryId::random(&mut rng), f.title.into(), now - 30 * DAY, 1);
        e.identity = Some("it@acme.example".into());
        e.set_password(Concealed::of(f.password), now - 30 * DAY, 1);
        match f.title {
            "Due" => e.password_changed_at = now - 100 * DAY,
            "Expired" => e.expires_at = Some(now - DAY),
            "Expiring" => e.expires_at = Some(now + 5 * DAY),
            "Gmail" => e.identity = Some("jordan@gmail.com".into()),
            "Codes" => {
                for (i, c) in ["A1", "B2", "C3", "D4"].iter().enumerate() {
                    e.backup_codes.push(BackupCode {
                        code: Concealed::of(c),
                        used_at: (i < 2).then_some(now - DAY),
                        used_by: (i < 2).then_some(1),
                    });
                }
            }
            "Old" => e.password_changed_at = now - 400 * DAY,
            "Healthy" => {
                e.backup_codes = (0..5)
                    .map(|i| BackupCode {
                        code: Concealed::of(&format!("HC{i}")),
                        used_at: None,
                        used_by: None,
                    })
                    .collect();
                e.expires_at = Some(now + 200 * DAY);
                e.rotate_days = Some(90);
            }
            _ => {}
        }
        v.add(f.group, e, &mut rng).expect("add");
    }
    let sealed = v.seal(now, &mut rng).expect("seal");
    drop(v);
    std::fs::write(&env.vault, sealed).expect("write");
    env
}

fn findings(env: &Env) -> (i32, serde_json::Value, String) {
    let out = env.run(&["health", "--json"]);
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    (code(&out), json(&text), text)
}

#[test]
fn each_finding_is_reported_for_its_entry_and_only_there() {
    let env = fixture_vault();
    env.ok(&["settings", "--critical-group", "Critical"]);
    let (exit, report, text) = findings(&env);
    assert_eq!(exit, 1, "findings exit 1");
    let mut got: Vec<(String, String)> = report["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .map(|f| {
            (
                f["title"].as_str().unwrap_or("").to_owned(),
                f["kind"].as_str().unwrap_or("").to_owned(),
            )
        })
        .collect();
    got.sort();
    let mut want: Vec<(String, String)> = FIXTURES
        .iter()
        .filter_map(|f| f.expect.map(|k| (f.title.to_owned(), k.to_owned())))
        .collect();
    want.sort();
    assert_eq!(got, want, "{report:#}");
    assert_eq!(report["entries_checked"], FIXTURES.len());
    for f in FIXTURES {
        assert!(!text.contains(f.password), "{} printed", f.title);
    }
    for c in ["A1", "B2", "C3", "D4", "HC0"] {
        assert!(!text.contains(&format!("\"{c}\"")), "a backup code printed");
    }
    let human = env.run(&["health"]);
    assert_eq!(code(&human), 1);
    let human = String::from_utf8_lossy(&human.stdout).into_owned();
    assert!(human.contains("Registered outside the firm (1)"), "{human}");
    assert!(human.contains("jordan@gmail.com"), "{human}");
    for f in FIXTURES {
        assert!(!human.contains(f.password), "{} printed", f.title);
    }
    // No reveal was recorded: health reads no secret out.
    let log = json(&env.ok(&["log", "--json"]));
    let reveals = log["records"]
        .as_array()
        .expect("records")
        .iter()
        .filter(|r| r["action"] == "reveal" || r["action"] == "copy")
        .count();
    assert_eq!(reveals, 0);
    // The vault file holds no password in the clear either.
    let bytes = env.bytes();
    for f in FIXTURES {
        assert!(!contains(&bytes, f.password.as_bytes()));
    }
}

#[test]
fn a_healthy_vault_exits_0_and_fixing_a_finding_clears_it() {
    let env = fixture_vault();
    // Without the critical mark, Due is 100 days old and due for nothing.
    let (_, report, _) = findings(&env);
    assert!(
        !report["findings"]
            .as_array()
            .expect("findings")
            .iter()
            .any(|f| f["title"] == "Due"),
        "{report:#}"
    );
    // Fix everything but Healthy by removing the others.
    for f in FIXTURES
        .iter()
        .filter(|f| f.title != "Healthy" && f.title != "Due")
    {
        env.ok(&["rm", f.title]);
    }
    let (exit, report, _) = findings(&env);
    assert_eq!(exit, 0, "{report:#}");
    assert_eq!(report["findings"].as_array().map(Vec::len), Some(0));
    // A weak password written now is found; generating a new one fixes it.
    env.ok_stdin(&["edit", "Due", "--password-stdin"], "letmein\n");
    let (exit, report, _) = findings(&env);
    assert_eq!(exit, 1);
    assert_eq!(report["findings"][0]["kind"], "weak");
    env.ok(&["edit", "Due", "--generate"]);
    assert_eq!(findings(&env).0, 0);
}

#[test]
fn settings_are_for_owners_signed_and_logged() {
    let env = fixture_vault();
    let shown = json(&env.ok(&["settings", "--json"]));
    assert_eq!(shown["firm_domain"], "acme.example");
    assert_eq!(shown["critical_rotate_days"], 90);
    env.ok(&[
        "settings",
        "--critical-group",
        "Critical",
        "--rotate-days",
        "200",
    ]);
    let (_, report, _) = findings(&env);
    assert!(
        !report["findings"]
            .as_array()
            .expect("findings")
            .iter()
            .any(|f| f["kind"] == "due-for-rotation"),
        "100 days is not past a 200-day period"
    );
    env.ok(&["settings", "--rotate-days", "60"]);
    let (_, report, _) = findings(&env);
    assert!(
        report["findings"]
            .as_array()
            .expect("findings")
            .iter()
            .any(|f| f["kind"] == "due-for-rotation" && f["title"] == "Due")
    );
    // Another domain makes the firm's own addresses outsiders.
    env.ok(&["settings", "--firm-domain", "other.example"]);
    let (_, report, _) = findings(&env);
    let outside = report["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .filter(|f| f["kind"] == "outside-firm")
        .count();
    assert_eq!(outside, FIXTURES.len());
    let bad = env.run(&["settings", "--firm-domain", "not a domain"]);
    assert_eq!(code(&bad), 2, "{}", stderr(&bad));
    let bad = env.run(&["settings", "--rotate-days", "0"]);
    assert_eq!(code(&bad), 1, "{}", stderr(&bad));
    let bad = env.run(&["settings", "--critical-group", "Nope"]);
    assert_eq!(code(&bad), 1, "{}", stderr(&bad));
    // A contractor may read the settings but not change them.
    let added = env
        .cmd(&["member", "add", "bob", "--groups", "Office"])
        .env("BATON_NEW_PASSPHRASE", "bob's passphrase 123")
        .output()
        .expect("run");
    assert_eq!(code(&added), 0, "{}", stderr(&added));
    let bob = |args: &[&str]| {
        env.cmd(args)
            .env("BATON_MEMBER", "bob")
            .env("BATON_PASSPHRASE", "bob's passphrase 123")
            .output()
            .expect("run")
    };
    assert_eq!(code(&bob(&["settings", "--rotate-days", "10"])), 6);
    assert_eq!(code(&bob(&["settings"])), 0);
    // A contractor's health covers only their groups.
    let out = bob(&["health", "--json"]);
    let report = json(&String::from_utf8_lossy(&out.stdout));
    assert!(
        report["findings"]
            .as_array()
            .expect("findings")
            .iter()
            .all(|f| f["group"] == "Office")
    );
    let log = json(&env.ok(&["log", "--json"]));
    let changes = log["records"]
        .as_array()
        .expect("records")
        .iter()
        .filter(|r| r["action"] == "settings-change")
        .count();
    assert_eq!(changes, 3);
    env.ok(&["log", "verify"]);
}

/// The security review's finding 4 (THREAT_MODEL §6.4): a reuse finding
/// tells its reader that two entries share a password, so it names only
/// entries the reader can read. Bob holds Net: his findings name Firewall
/// and Core switch, never Bank in Finance, which shares the password too;
/// the owner's name all three.
#[test]
fn reuse_findings_name_only_entries_the_reader_can_read() {
    const SHARED: &str = "shared-reuse-pw-Hq62";
    let env = Env::new();
    env.init();
    for (title, group) in [
        ("Firewall", "Net"),
        ("Core switch", "Net"),
        ("Bank", "Finance"),
    ] {
        env.ok_stdin(
            &["add", title, "--group", group, "--password-stdin"],
            &format!("{SHARED}\n"),
        );
    }
    let added = env
        .cmd(&["member", "add", "bob", "--groups", "Net"])
        .env("BATON_NEW_PASSPHRASE", "bob's own passphrase 77")
        .output()
        .expect("run baton");
    assert_eq!(code(&added), 0, "{}", stderr(&added));
    let as_bob = |args: &[&str]| {
        env.cmd(args)
            .env("BATON_MEMBER", "bob")
            .env("BATON_PASSPHRASE", "bob's own passphrase 77")
            .output()
            .expect("run baton")
    };
    let reused = |report: &serde_json::Value| -> Vec<(String, String)> {
        let mut out: Vec<(String, String)> = report["findings"]
            .as_array()
            .expect("findings")
            .iter()
            .filter(|f| f["kind"] == "reused")
            .map(|f| {
                (
                    f["title"].as_str().expect("title").to_owned(),
                    f["reason"].as_str().expect("reason").to_owned(),
                )
            })
            .collect();
        out.sort();
        out
    };
    let bob = as_bob(&["health", "--json"]);
    let text = String::from_utf8_lossy(&bob.stdout).into_owned();
    assert_eq!(
        reused(&json(&text)),
        [
            (
                "Core switch".to_owned(),
                "same password as Firewall".to_owned()
            ),
            (
                "Firewall".to_owned(),
                "same password as Core switch".to_owned()
            ),
        ]
    );
    assert!(
        !text.contains("Bank") && !text.contains("Finance"),
        "{text}"
    );
    let plain = as_bob(&["health"]);
    let plain = String::from_utf8_lossy(&plain.stdout).into_owned();
    assert!(plain.contains("same password as Firewall"), "{plain}");
    assert!(!plain.contains("Bank"), "{plain}");

    let (_, owner, _) = findings(&env);
    let owner = reused(&owner);
    assert_eq!(owner.len(), 3, "{owner:?}");
    assert!(
        owner
            .iter()
            .any(|(t, r)| t == "Bank" && r.contains("Firewall"))
    );
}
