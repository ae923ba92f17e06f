//! Every command of the vault core, run as a user would run it.

use std::os::unix::fs::PermissionsExt;

use crate::common::{Env, PASS, SETSID, code, contains, json, now_unix, require_tools, stderr};

/// clap checks how the arguments are defined (clashing names or short
/// flags, defaults that fail their own parser, conflicts naming unknown
/// arguments) only in debug builds, and only for the commands a parsed
/// command line reaches; this checks every command and argument at once,
/// so a misdefined one fails the suite.
#[test]
fn the_argument_definitions_are_consistent() {
    use clap::CommandFactory;
    baton::cli::args::Cli::command().debug_assert();
}

#[test]
fn init_creates_a_private_vault_and_refuses_to_overwrite() {
    let env = Env::new();
    let nested = env.dir.path().join("new-dir").join("v.baton");
    let out = env
        .cmd(&["init", "--weak-kdf", "--owner", "alice"])
        .env("BATON_VAULT", &nested)
        .output()
        .unwrap();
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("Recovery code"), "{text}");
    let mode = std::fs::metadata(&nested).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode, 0o600);
    let dir_mode = std::fs::metadata(nested.parent().unwrap())
        .unwrap()
        .permissions()
        .mode()
        & 0o777;
    assert_eq!(dir_mode, 0o700);
    let before = std::fs::read(&nested).unwrap();
    let again = env
        .cmd(&["init", "--weak-kdf"])
        .env("BATON_VAULT", &nested)
        .output()
        .unwrap();
    assert_eq!(code(&again), 1);
    assert!(
        stderr(&again).contains("already exists"),
        "{}",
        stderr(&again)
    );
    assert_eq!(
        std::fs::read(&nested).unwrap(),
        before,
        "the existing vault is untouched"
    );
}

#[test]
fn init_refuses_weak_parameters_without_weak_kdf() {
    let env = Env::new();
    let out = env.run(&[
        "init",
        "--kdf-memory",
        "8",
        "--kdf-time",
        "1",
        "--kdf-parallelism",
        "1",
    ]);
    assert_eq!(code(&out), 2);
    assert!(stderr(&out).contains("below the floor"), "{}", stderr(&out));
    assert!(!env.vault.exists());
}

#[test]
fn secrets_never_appear_in_the_file() {
    let env = Env::new();
    env.init();
    let codes = env.dir.path().join("codes.txt");
    std::fs::write(&codes, "QWER-7788\nZXCV-9911\n").unwrap();
    env.ok_stdin(
        &[
            "add",
            "Payroll Portal",
            "--group",
            "Finance/Payroll",
            "--username",
            "payroll-admin",
            "--url",
            "https://payroll.example.net",
            "--notes",
            "vault door is blue",
            "--tag",
            "critical",
            "--identity",
            "it@acme.example",
            "--password-stdin",
            "--totp",
            "JBSWY3DPEHPK3PXP",
            "--backup-codes-file",
            codes.to_str().unwrap(),
            "--secret-field",
            "pin=918273",
        ],
        "Pl41ntext-Never!\n",
    );
    let bytes = env.bytes();
    for needle in [
        "Pl41ntext-Never!",
        "Payroll Portal",
        "Finance/Payroll",
        "payroll-admin",
        "payroll.example.net",
        "vault door is blue",
        "critical",
        "QWER-7788",
        "918273",
        "it@acme.example",
        "JBSWY3DPEHPK3PXP",
    ] {
        assert!(
            !contains(&bytes, needle.as_bytes()),
            "{needle:?} is in the vault file in plaintext"
        );
    }
    for b in std::fs::read_dir(env.dir.path()).unwrap() {
        let p = b.unwrap().path();
        if p.file_name()
            .unwrap()
            .to_string_lossy()
            .starts_with("vault.baton")
        {
            let data = std::fs::read(&p).unwrap();
            assert!(
                !contains(&data, b"Pl41ntext-Never!"),
                "{} holds the password",
                p.display()
            );
        }
    }
}

#[test]
fn add_list_show_get_round_trip() {
    let env = Env::new();
    env.init();
    env.ok_stdin(
        &[
            "add",
            "Bank",
            "--group",
            "Finance",
            "--username",
            "boss",
            "--url",
            "https://bank.example",
            "--password-stdin",
        ],
        "hunter2-long\n",
    );
    env.ok(&[
        "add",
        "Mail",
        "--generate",
        "--length",
        "32",
        "--field",
        "account=77",
    ]);

    let list = json(&env.ok(&["list", "--json"]));
    let entries = list["entries"].as_array().unwrap();
    assert_eq!(entries.len(), 2);
    let bank = entries.iter().find(|e| e["title"] == "Bank").unwrap();
    assert_eq!(bank["group"], "Finance");
    assert_eq!(bank["username"], "boss");
    assert_eq!(bank["has_password"], true);
    assert!(
        !list.to_string().contains("hunter2-long"),
        "list shows no secret"
    );

    let finance = json(&env.ok(&["list", "--group", "Finance", "--json"]));
    assert_eq!(finance["entries"].as_array().unwrap().len(), 1);

    let shown = env.ok(&["show", "Bank"]);
    assert!(shown.contains("boss") && shown.contains("••••"), "{shown}");
    assert!(!shown.contains("hunter2-long"), "show masks the password");
    let shown_json = json(&env.ok(&["show", "bank", "--json"]));
    assert_eq!(shown_json["password_set"], true);
    assert!(!shown_json.to_string().contains("hunter2-long"));

    assert_eq!(env.ok(&["get", "Bank"]), "hunter2-long\n");
    let id = bank["id"].as_str().unwrap();
    assert_eq!(env.ok(&["get", &id[..6], "--field", "username"]), "boss\n");
    assert_eq!(env.ok(&["get", "Mail", "--field", "account"]), "77\n");
    let generated = env.ok(&["get", "Mail"]);
    assert_eq!(generated.trim_end().chars().count(), 32);
}

#[test]
fn search_is_fuzzy_and_shows_no_secrets() {
    let env = Env::new();
    env.init();
    env.ok_stdin(
        &[
            "add",
            "Acme Payroll",
            "--group",
            "Clients/Acme",
            "--username",
            "pay",
            "--password-stdin",
        ],
        "zzsecretzz\n",
    );
    env.ok(&["add", "Office Wifi", "--tag", "network"]);
    let hits = json(&env.ok(&["search", "acmpay", "--json"]));
    let titles: Vec<&str> = hits["entries"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["title"].as_str().unwrap())
        .collect();
    assert_eq!(titles, ["Acme Payroll"]);
    let by_tag = json(&env.ok(&["search", "netw", "--json"]));
    assert_eq!(by_tag["entries"][0]["title"], "Office Wifi");
    let by_group = json(&env.ok(&["search", "clients", "--json"]));
    assert_eq!(by_group["entries"][0]["title"], "Acme Payroll");
    assert!(
        json(&env.ok(&["search", "zzsecretzz", "--json"]))["entries"]
            .as_array()
            .unwrap()
            .is_empty(),
        "passwords are not searched"
    );
}

#[test]
fn totp_matches_the_library_computation() {
    let env = Env::new();
    env.init();
    let uri = "otpauth://totp/Bank:boss?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ&issuer=Bank&digits=8&algorithm=SHA256";
    env.ok(&["add", "Bank", "--totp", uri]);
    let totp = baton::totp::Totp::parse(uri).unwrap();
    for _ in 0..3 {
        let out = json(&env.ok(&["totp", "Bank", "--json"]));
        let (expected, left) = totp.code_at(now_unix());
        if left < 3 {
            std::thread::sleep(std::time::Duration::from_secs(3));
            continue;
        }
        assert_eq!(out["code"].as_str().unwrap(), expected.as_str());
        assert_eq!(out["code"].as_str().unwrap().len(), 8);
        return;
    }
    panic!("could not sample a TOTP code away from a period boundary");
}

#[test]
fn backup_codes_reveal_and_mark_used() {
    let env = Env::new();
    env.init();
    let f = env.dir.path().join("codes.txt");
    std::fs::write(&f, "AAAA-1111\n\nBBBB-2222\nCCCC-3333\nDDDD-4444\n").unwrap();
    env.ok(&["add", "Bank", "--backup-codes-file", f.to_str().unwrap()]);
    let all = env.ok(&["codes", "Bank"]);
    assert!(
        all.contains("1. AAAA-1111") && all.contains("4. DDDD-4444"),
        "{all}"
    );
    env.ok(&["codes", "Bank", "--use", "2"]);
    let left = json(&env.ok(&["codes", "Bank", "--json"]));
    let numbers: Vec<u64> = left["unused"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["number"].as_u64().unwrap())
        .collect();
    assert_eq!(numbers, [1, 3, 4]);
    assert_eq!(left["used"], 1);
    let again = env.run(&["codes", "Bank", "--use", "2"]);
    assert_eq!(code(&again), 1);
    assert!(stderr(&again).contains("already used"));
    let out_of_range = env.run(&["codes", "Bank", "--use", "9"]);
    assert_eq!(code(&out_of_range), 1);
}

#[test]
fn edit_keeps_password_history_and_moves_groups() {
    let env = Env::new();
    env.init();
    env.ok_stdin(&["add", "Router", "--password-stdin"], "first-pass\n");
    env.ok_stdin(
        &[
            "edit",
            "Router",
            "--password-stdin",
            "--title",
            "Core Router",
            "--group",
            "Network",
            "--username",
            "admin",
        ],
        "second-pass\n",
    );
    let d = json(&env.ok(&["show", "Core Router", "--json"]));
    assert_eq!(d["group"], "Network");
    assert_eq!(d["username"], "admin");
    assert_eq!(d["password_history"], 1);
    assert_eq!(env.ok(&["get", "Core Router"]), "second-pass\n");
    assert_eq!(
        code(&env.run(&["show", "Router"])),
        1,
        "the old title no longer matches"
    );
}

#[test]
fn rm_hides_the_entry() {
    let env = Env::new();
    env.init();
    env.ok(&["add", "Old Fax"]);
    env.ok(&["add", "Keep"]);
    env.ok(&["rm", "Old Fax"]);
    let list = json(&env.ok(&["list", "--json"]));
    let titles: Vec<&str> = list["entries"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["title"].as_str().unwrap())
        .collect();
    assert_eq!(titles, ["Keep"]);
    let out = env.run(&["get", "Old Fax"]);
    assert_eq!(code(&out), 1);
    assert!(stderr(&out).contains("no entry matches"));
}

#[test]
fn ambiguous_titles_are_refused_and_ids_disambiguate() {
    let env = Env::new();
    env.init();
    env.ok(&["add", "Portal", "--group", "A"]);
    env.ok(&["add", "Portal", "--group", "B"]);
    let out = env.run(&["show", "Portal"]);
    assert_eq!(code(&out), 1);
    assert!(
        stderr(&out).contains("matches several entries"),
        "{}",
        stderr(&out)
    );
    let list = json(&env.ok(&["list", "--json"]));
    let id = list["entries"][0]["id"].as_str().unwrap().to_owned();
    assert!(env.ok(&["show", &id]).contains(&id));
}

#[test]
fn gen_produces_passwords_and_passphrases() {
    let env = Env::new();
    let p = env.ok(&["gen"]);
    assert_eq!(p.trim_end().chars().count(), 24);
    let p = env.ok(&["gen", "--length", "40", "--no-symbols"]);
    let p = p.trim_end();
    assert_eq!(p.len(), 40);
    assert!(p.chars().all(|c| c.is_ascii_alphanumeric()), "{p}");
    let words = env.ok(&["gen", "--words", "6"]);
    assert_eq!(words.trim_end().split('-').count(), 6);
    let out = env.run(&["gen", "--entropy"]);
    assert!(stderr(&out).contains("bits of entropy"));
    assert_ne!(env.ok(&["gen"]), env.ok(&["gen"]));
}

#[test]
fn passwd_changes_the_passphrase() {
    let env = Env::new();
    env.init();
    env.ok(&["add", "X"]);
    let out = env
        .cmd(&["passwd"])
        .env("BATON_NEW_PASSPHRASE", "a brand new passphrase")
        .output()
        .unwrap();
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert_eq!(
        code(&env.run(&["list"])),
        3,
        "the old passphrase no longer opens the vault"
    );
    let out = env
        .cmd(&["list", "--json"])
        .env("BATON_PASSPHRASE", "a brand new passphrase")
        .output()
        .unwrap();
    assert_eq!(code(&out), 0);
    let pf = env.dir.path().join("pass.txt");
    std::fs::write(&pf, "a brand new passphrase\n").unwrap();
    let out = env
        .cmd(&["list"])
        .env_remove("BATON_PASSPHRASE")
        .arg("--passphrase-file")
        .arg(&pf)
        .output()
        .unwrap();
    assert_eq!(
        code(&out),
        0,
        "--passphrase-file reads the first line: {}",
        stderr(&out)
    );
}

#[test]
fn recovery_code_opens_the_vault_and_resets_the_passphrase() {
    let env = Env::new();
    let text = env.init();
    let code_line = text
        .lines()
        .map(str::trim)
        .find(|l| l.len() == 39 && l.matches('-').count() == 7)
        .expect("recovery code printed");
    env.ok(&["add", "X"]);
    let typed = code_line.to_lowercase().replace('-', " ");
    let out = env
        .cmd(&["--recovery", "passwd"])
        .env("BATON_PASSPHRASE", &typed)
        .env("BATON_NEW_PASSPHRASE", "recovered passphrase here")
        .output()
        .unwrap();
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let out = env
        .cmd(&["get", "X", "--field", "username"])
        .env("BATON_PASSPHRASE", "recovered passphrase here")
        .output()
        .unwrap();
    assert_eq!(
        code(&out),
        1,
        "opens (the entry has no username): {}",
        stderr(&out)
    );
    assert!(stderr(&out).contains("username is empty"));
    let wrong = env
        .cmd(&["--recovery", "list"])
        .env("BATON_PASSPHRASE", "AAAA-BBBB")
        .output()
        .unwrap();
    assert_eq!(code(&wrong), 3);
}

#[test]
fn weak_kdf_is_warned_at_every_unlock() {
    let env = Env::new();
    env.init();
    let out = env.run(&["list"]);
    assert!(stderr(&out).contains("--weak-kdf"), "{}", stderr(&out));
}

#[test]
fn vault_path_from_home_when_unset() {
    let env = Env::new();
    let out = env
        .cmd(&["init", "--weak-kdf"])
        .env_remove("BATON_VAULT")
        .output()
        .unwrap();
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert!(
        env.dir
            .path()
            .join(".local/share/baton/vault.baton")
            .exists()
    );
    let out = env
        .cmd(&["list"])
        .env_remove("BATON_VAULT")
        .output()
        .unwrap();
    assert_eq!(code(&out), 0);
    let _ = PASS;
}

#[test]
fn copy_without_any_clipboard_fails_clearly() {
    if !require_tools(&[SETSID]) {
        return;
    }
    let env = Env::new();
    env.init();
    env.ok_stdin(&["add", "X", "--password-stdin"], "pw-for-copy\n");
    let mut c = env.cmd(&["get", "X", "--copy"]);
    c.env_remove("DISPLAY");
    // setsid: no controlling terminal, so no OSC 52 either.
    let out = std::process::Command::new("/usr/bin/setsid")
        .arg("-w")
        .arg(c.get_program())
        .args(c.get_args())
        .envs(c.get_envs().filter_map(|(k, v)| v.map(|v| (k, v))))
        .env_clear()
        .env("BATON_VAULT", &env.vault)
        .env("BATON_PASSPHRASE", PASS)
        .output()
        .unwrap();
    assert_eq!(code(&out), 1);
    assert!(stderr(&out).contains("no clipboard"), "{}", stderr(&out));
    assert!(!String::from_utf8_lossy(&out.stdout).contains("pw-for-copy"));
}

#[test]
fn a_contractor_added_with_one_group_reads_only_that_group() {
    let env = Env::new();
    env.init();
    env.ok_stdin(
        &["add", "Webmail", "--group", "Email", "--password-stdin"],
        "mail-SECRET-1\n",
    );
    env.ok_stdin(
        &["add", "Bank", "--group", "Finance", "--password-stdin"],
        "bank-SECRET-2\n",
    );
    let added = env
        .cmd(&[
            "member",
            "add",
            "bob",
            "--groups",
            "Email",
            "--expires",
            "2099-01-01",
        ])
        .env("BATON_NEW_PASSPHRASE", "bob's own passphrase")
        .output()
        .expect("run");
    assert_eq!(code(&added), 0, "{}", stderr(&added));
    let bob = |args: &[&str]| {
        env.cmd(args)
            .env("BATON_MEMBER", "bob")
            .env("BATON_PASSPHRASE", "bob's own passphrase")
            .output()
            .expect("run")
    };
    let listed = bob(&["list", "--json"]);
    assert_eq!(code(&listed), 0, "{}", stderr(&listed));
    let titles: Vec<String> = json(&String::from_utf8_lossy(&listed.stdout))["entries"]
        .as_array()
        .expect("entries")
        .iter()
        .map(|e| e["title"].as_str().unwrap_or("").to_owned())
        .collect();
    assert_eq!(titles, ["Webmail"]);
    let denied = bob(&["get", "Bank"]);
    assert_ne!(code(&denied), 0);
    assert!(!String::from_utf8_lossy(&denied.stdout).contains("bank-SECRET-2"));
    assert!(
        stderr(&denied).contains("no entry matches"),
        "{}",
        stderr(&denied)
    );
    let got = bob(&["get", "Webmail"]);
    assert_eq!(String::from_utf8_lossy(&got.stdout).trim(), "mail-SECRET-1");
    // The owner's list shows bob's group, expiry and reveal.
    let members = json(&env.ok(&["member", "list", "--json"]));
    let bob_row = members["members"]
        .as_array()
        .expect("members")
        .iter()
        .find(|m| m["name"] == "bob")
        .expect("bob listed")
        .clone();
    assert_eq!(bob_row["role"], "contractor");
    assert_eq!(bob_row["groups"], serde_json::json!(["Email"]));
    assert_eq!(bob_row["expires"], "2099-01-01");
    assert_eq!(bob_row["reveals"], 1);
    // Only an owner adds members; a contractor without groups is refused.
    let refused = bob(&["member", "add", "eve", "--groups", "Email"]);
    assert_eq!(code(&refused), 6, "{}", stderr(&refused));
    let out = env.run(&["member", "add", "eve"]);
    assert_eq!(code(&out), 2, "{}", stderr(&out));
    // Granting Finance opens it to bob at his next unlock.
    env.ok(&["member", "grant", "bob", "--groups", "Finance"]);
    let got = bob(&["get", "Bank"]);
    assert_eq!(String::from_utf8_lossy(&got.stdout).trim(), "bank-SECRET-2");
    assert_eq!(
        code(&env.run(&["member", "grant", "alice", "--groups", "Email"])),
        1
    );
    assert_eq!(
        code(&bob(&["member", "grant", "bob", "--groups", "Email"])),
        6
    );
    assert_eq!(code(&env.run(&["log", "verify"])), 0);
}
