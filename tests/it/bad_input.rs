//! Bad input gets a specific message and its documented exit code.

use crate::common::{Env, code, stderr};

#[test]
fn wrong_passphrase_is_exit_3() {
    let env = Env::new();
    env.init();
    let out = env
        .cmd(&["list"])
        .env("BATON_PASSPHRASE", "not it")
        .output()
        .unwrap();
    assert_eq!(code(&out), 3);
    assert!(
        stderr(&out).contains("wrong passphrase"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn unknown_member_is_exit_3() {
    let env = Env::new();
    env.init();
    let out = env.run(&["--member", "mallory", "list"]);
    assert_eq!(code(&out), 3);
    assert!(
        stderr(&out).contains("no member named \"mallory\""),
        "{}",
        stderr(&out)
    );
    let out = env
        .cmd(&["list"])
        .env("BATON_MEMBER", "mallory")
        .output()
        .unwrap();
    assert_eq!(code(&out), 3, "BATON_MEMBER is honoured");
    let out = env
        .cmd(&["list"])
        .env("BATON_MEMBER", "alice")
        .output()
        .unwrap();
    assert_eq!(code(&out), 0);
}

#[test]
fn missing_vault_says_how_to_create_one() {
    let env = Env::new();
    let out = env.run(&["list"]);
    assert_eq!(code(&out), 1);
    assert!(stderr(&out).contains("baton init"), "{}", stderr(&out));
}

#[test]
fn usage_errors_are_exit_2() {
    let env = Env::new();
    assert_eq!(code(&env.run(&["list", "--no-such-flag"])), 2);
    assert_eq!(code(&env.run(&["frobnicate"])), 2);
    assert!(String::from_utf8_lossy(&env.run(&[]).stdout).contains("Usage: baton"));
    assert_eq!(code(&env.run(&["--version"])), 0);
}

#[test]
fn bad_field_values_are_refused_before_any_change() {
    let env = Env::new();
    env.init();
    let before = env.bytes();
    for args in [
        &["add", "X", "--totp", "not base32 !!"][..],
        &["add", "X", "--identity", "not-an-email"],
        &["add", "X", "--expires", "2024-02-30"],
        &["add", "X", "--field", "novalue"],
        &["add", "X", "--field", "password=x"],
        &["add", "X", "--generate", "--length", "2"],
        &["add", "X", "--group", "a//b"],
        &["add", "   "],
    ] {
        let out = env.run(args);
        assert_ne!(code(&out), 0, "{args:?} should fail");
        assert!(
            !stderr(&out).contains("panicked"),
            "{args:?}: {}",
            stderr(&out)
        );
        assert!(
            stderr(&out).contains("baton: ") || stderr(&out).contains("error:"),
            "{args:?}: {}",
            stderr(&out)
        );
    }
    assert_eq!(
        env.bytes(),
        before,
        "a refused command leaves the vault as it was"
    );
}

#[test]
fn edit_refuses_a_title_that_add_refuses() {
    let env = Env::new();
    env.init();
    env.ok(&["add", "Router"]);
    let before = env.bytes();
    let long = "t".repeat(501);
    for title in [long.as_str(), "tab\there"] {
        let out = env.run(&["edit", "Router", "--title", title]);
        assert_eq!(code(&out), 1, "{}", stderr(&out));
        assert!(stderr(&out).contains("title"), "{}", stderr(&out));
        let out = env.run(&["add", title]);
        assert_ne!(code(&out), 0, "add accepts what edit refused");
    }
    assert_eq!(env.bytes(), before, "the vault is unchanged");
}

#[test]
fn changed_bytes_truncation_and_trailing_bytes_are_exit_4() {
    let env = Env::new();
    env.init();
    env.ok(&["add", "X", "--username", "u"]);
    let good = env.bytes();
    let mut cases: Vec<(String, Vec<u8>)> = Vec::new();
    for at in [
        0,
        9,
        12,
        20,
        good.len() / 3,
        good.len() / 2,
        good.len() - 70,
        good.len() - 1,
    ] {
        let mut b = good.clone();
        b[at] ^= 0x40;
        cases.push((format!("flip at {at}"), b));
    }
    cases.push(("truncated".into(), good[..good.len() - 1].to_vec()));
    cases.push(("header only".into(), good[..14].to_vec()));
    cases.push(("empty".into(), Vec::new()));
    let mut trailing = good.clone();
    trailing.extend_from_slice(b"\0\0\0\x05extra");
    cases.push(("trailing bytes".into(), trailing));
    let mut garbage = good.clone();
    garbage.push(7);
    cases.push(("one trailing byte".into(), garbage));
    for (what, bytes) in cases {
        std::fs::write(&env.vault, &bytes).unwrap();
        let out = env.run(&["list"]);
        assert_eq!(code(&out), 4, "{what}: {}", stderr(&out));
        let msg = stderr(&out);
        assert!(
            msg.contains("damaged or was altered")
                || msg.contains("not a Baton vault")
                || msg.contains("newer Baton"),
            "{what}: {msg}"
        );
    }
}

#[test]
fn newer_format_version_has_its_own_message() {
    let env = Env::new();
    env.init();
    let mut b = env.bytes();
    let newer = baton::format::FORMAT_VERSION + 1;
    b[8..10].copy_from_slice(&newer.to_le_bytes());
    std::fs::write(&env.vault, &b).unwrap();
    let out = env.run(&["list"]);
    assert_eq!(code(&out), 4);
    assert!(
        stderr(&out).contains(&format!("newer Baton (format version {newer};")),
        "{}",
        stderr(&out)
    );
}

#[test]
fn control_characters_and_overlong_names_are_refused() {
    let env = Env::new();
    env.init();
    let long = format!("{}=v", "n".repeat(70_000));
    for args in [
        &["add", "X", "--username", "x\u{1b}]52;c;aGk=\u{7}"][..],
        &["add", "X", "--url", "https://a\u{1b}[2K"],
        &["add", "X", "--tag", "t\u{8}"],
        &["add", "X", "--field", "pin\u{1b}[1A=1"],
        &["add", "X", "--field", &long],
        &["add", "X", "--identity", "a@b.example\u{7}"],
    ] {
        let out = env.run(args);
        assert_eq!(code(&out), 2, "{:?}: {}", &args[..3], stderr(&out));
    }
}

#[test]
fn a_malformed_secret_field_is_not_echoed() {
    let env = Env::new();
    env.init();
    let out = env.run(&["add", "X", "--secret-field", "hunter2-no-name"]);
    assert_eq!(code(&out), 2);
    assert!(!stderr(&out).contains("hunter2"), "{}", stderr(&out));
}

#[test]
fn listed_values_cannot_drive_the_terminal() {
    // A vault written by another client (here: the library) with escape
    // sequences in a username: list and show print them escaped.
    use baton::secret::Passphrase;
    use baton::vault::{self, Entry, EntryId};
    use rand::SeedableRng;
    let env = Env::new();
    let mut rng = rand::rngs::StdRng::seed_from_u64(3);
    let mut v = vault::create(
        crate::common::weak_options(1_790_000_000),
        &Passphrase::from_slice(crate::common::PASS.as_bytes()),
        &Passphrase::from_slice(b"RC"),
        &mut rng,
    )
    .unwrap();
    let mut e = Entry::new(EntryId::random(&mut rng), "Box".into(), 1_790_000_000, 1);
    e.username = "x\u{1b}]52;c;aGk=\u{7}y".into();
    v.add("General", e, &mut rng).unwrap();
    std::fs::write(&env.vault, v.seal(1_790_000_000, &mut rng).unwrap()).unwrap();
    for args in [&["list"][..], &["show", "Box"], &["search", "box"]] {
        let out = env.run(args);
        assert_eq!(code(&out), 0, "{}", stderr(&out));
        assert!(!out.stdout.contains(&0x1b), "{args:?} printed a raw escape");
        assert!(
            String::from_utf8_lossy(&out.stdout).contains("\\u{1b}"),
            "{args:?}"
        );
    }
}

/// Each refused value of `add` and `edit` is named by the flag that
/// carried it, an empty group or title is refused as before (exit 1), and
/// nothing changes.
#[test]
fn refused_entry_values_name_their_flag_and_change_nothing() {
    let env = Env::new();
    env.init();
    env.ok(&["add", "Router", "--field", "PIN=1"]);
    let before = env.bytes();
    for (args, exit, says) in [
        (&["add", "X", "--group", ""][..], 1, "group"),
        (&["edit", "Router", "--group", "  "], 1, "group"),
        (&["add", "   "], 1, "title"),
        (
            &["edit", "Router", "--title", " "],
            2,
            "--title: cannot be empty",
        ),
        (
            &["edit", "Router", "--remove-field", "nope"],
            2,
            "--remove-field: Router has no field \"nope\"",
        ),
        (
            &["edit", "Router", "--secret-field", "password=x"],
            2,
            "--secret-field: \"password\" cannot be a custom field name",
        ),
        (
            &["add", "Y", "--identity", "nope"],
            2,
            "--identity: \"nope\" is not an e-mail address",
        ),
    ] {
        let out = env.run(args);
        assert_eq!(code(&out), exit, "{args:?}: {}", stderr(&out));
        assert!(stderr(&out).contains(says), "{args:?}: {}", stderr(&out));
        assert_eq!(env.bytes(), before, "{args:?} changed the vault");
    }
}

/// A KeePass file that is not there is said before its passphrase is
/// asked for.
#[test]
fn a_missing_import_file_is_said_before_its_passphrase_is_asked() {
    let env = Env::new();
    env.init();
    let missing = env.dir.path().join("nowhere.kdbx");
    let out = env.run(&[
        "import",
        missing.to_str().expect("utf-8 path"),
        "--from",
        "kdbx",
    ]);
    assert_eq!(code(&out), 1, "{}", stderr(&out));
    assert!(stderr(&out).contains("cannot read"), "{}", stderr(&out));
    assert!(!stderr(&out).contains("passphrase"), "{}", stderr(&out));
}

/// The security review's finding 10b (THREAT_MODEL §6.10): a right-to-left
/// override makes "Payroll\u{202e}gpj.exe" read as another name, and a
/// zero-width space makes two names that look alike differ. Such
/// characters are refused wherever a name or label is typed (exit 2,
/// naming the flag and the character), and nothing changes.
#[test]
fn direction_controls_and_invisible_characters_are_refused_at_input() {
    let env = Env::new();
    env.init();
    env.ok(&["add", "Router"]);
    let before = env.bytes();
    for (args, says) in [
        (
            &["add", "Pay\u{202e}lortnoc"][..],
            "title: must not contain U+202E",
        ),
        (
            &["edit", "Router", "--title", "Rou\u{200b}ter"],
            "--title: must not contain U+200B",
        ),
        (
            &["add", "X", "--username", "ad\u{2066}min"],
            "--username: must not contain U+2066",
        ),
        (
            &["add", "X", "--url", "https://bank\u{200d}.example"],
            "--url: must not contain U+200D",
        ),
        (
            &["add", "X", "--tag", "ops\u{feff}"],
            "--tag: must not contain U+FEFF",
        ),
        (
            &["add", "X", "--group", "Cli\u{200f}ents"],
            "--group: must not contain U+200F",
        ),
        (
            &["edit", "Router", "--group", "Net\u{61c}"],
            "--group: must not contain U+061C",
        ),
        (
            &["add", "X", "--field", "P\u{ad}IN=1"],
            "--field: must not contain U+00AD",
        ),
        (
            &["add", "X", "--secret-field", "K\u{2060}ey=v"],
            "--secret-field: must not contain U+2060",
        ),
        (
            &["add", "X", "--identity", "it@acme\u{180e}.example"],
            "--identity",
        ),
        (
            &["member", "add", "bo\u{3164}b", "--groups", "General"],
            "must not contain U+3164",
        ),
    ] {
        let out = env
            .cmd(args)
            .env("BATON_NEW_PASSPHRASE", "a new member's passphrase 12")
            .output()
            .expect("run baton");
        assert_eq!(code(&out), 2, "{args:?}: {}", stderr(&out));
        assert!(stderr(&out).contains(says), "{args:?}: {}", stderr(&out));
    }
    assert_eq!(env.bytes(), before, "nothing changed");
}

/// Finding 10b at output: a vault written by another client, or an
/// imported file, may hold those characters already. `list`, `show`,
/// `search` and `log` print them escaped, never raw.
#[test]
fn direction_controls_and_invisible_characters_are_shown_escaped() {
    use baton::secret::Passphrase;
    use baton::vault::{self, Entry, EntryId};
    use rand::SeedableRng;
    let env = Env::new();
    let mut rng = rand::rngs::StdRng::seed_from_u64(4);
    let mut v = vault::create(
        crate::common::weak_options(1_790_000_000),
        &Passphrase::from_slice(crate::common::PASS.as_bytes()),
        &Passphrase::from_slice(b"RC"),
        &mut rng,
    )
    .unwrap();
    let id = EntryId::random(&mut rng);
    let mut e = Entry::new(id, "Pay\u{202e}lortnoc".into(), 1_790_000_000, 1);
    e.username = "ad\u{200b}min".into();
    e.password = baton::secret::Concealed::of("bidi-pw-71");
    v.add("Gen\u{2067}eral", e, &mut rng).unwrap();
    std::fs::write(&env.vault, v.seal(1_790_000_000, &mut rng).unwrap()).unwrap();
    env.ok(&["get", &id.hex()]);
    for args in [
        &["list"][..],
        &["show", &id.hex()],
        &["search", "pay"],
        &["log"],
    ] {
        let out = env.run(args);
        assert_eq!(code(&out), 0, "{args:?}: {}", stderr(&out));
        let text = String::from_utf8_lossy(&out.stdout);
        for c in ['\u{202e}', '\u{200b}', '\u{2067}'] {
            assert!(!text.contains(c), "{args:?} printed {c:?} raw: {text}");
        }
        assert!(text.contains("Pay\\u{202e}lortnoc"), "{args:?}: {text}");
    }
}

/// Finding 10b at import: a file from another tool may hold such
/// characters; they are kept as the file has them (refusing the row would
/// lose the entry), the report warns, and they are shown escaped.
#[test]
fn an_imported_direction_control_is_kept_warned_about_and_shown_escaped() {
    let env = Env::new();
    env.init();
    let csv = env.dir.path().join("rtl.csv");
    std::fs::write(
        &csv,
        "title,username,password\nPay\u{202e}lortnoc,admin,imp-pw-8\nPlain,u,imp-pw-9\n",
    )
    .expect("write the CSV");
    let out = env.ok(&[
        "import",
        csv.to_str().expect("utf-8 path"),
        "--from",
        "csv",
        "--json",
    ]);
    let report = crate::common::json(&out);
    assert_eq!(report["added"], 2, "{report:#}");
    assert!(
        report["warnings"]
            .to_string()
            .contains("1 entry has a title, username, URL, tag, group or field name holding characters that reorder or hide text"),
        "{report:#}"
    );
    let list = env.ok(&["list"]);
    assert!(!list.contains('\u{202e}'), "{list}");
    assert!(list.contains("Pay\\u{202e}lortnoc"), "{list}");
    // The import's own group prefix is typed: refused.
    let out = env.run(&[
        "import",
        csv.to_str().expect("utf-8 path"),
        "--from",
        "csv",
        "--group",
        "Im\u{200b}ported",
    ]);
    assert_eq!(code(&out), 2, "{}", stderr(&out));
    assert!(
        stderr(&out).contains("--group: must not contain U+200B"),
        "{}",
        stderr(&out)
    );
}
