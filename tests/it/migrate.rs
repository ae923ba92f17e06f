//! Migration through the binary: KeePassXC's own databases, a Bitwarden
//! export, and Baton's export imported into a new vault; wrong
//! passphrases and malformed files; importing twice adds nothing.

use std::os::unix::fs::PermissionsExt;
use std::path::PathBuf;

use crate::common::{Env, code, json, stderr};

fn fixture(name: &str) -> PathBuf {
    PathBuf::from(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/fixtures/keepassxc"
    ))
    .join(name)
}

fn import_kdbx(env: &Env, file: &str, passphrase: &str, extra: &[&str]) -> std::process::Output {
    let path = fixture(file);
    let mut args = vec![
        "import",
        path.to_str().expect("utf-8 path"),
        "--from",
        "kdbx",
        "--json",
    ];
    args.extend_from_slice(extra);
    env.cmd(&args)
        .env("BATON_IMPORT_PASSPHRASE", passphrase)
        .output()
        .expect("run")
}

fn get(env: &Env, entry: &str) -> String {
    env.ok(&["get", entry]).trim_end_matches('\n').to_owned()
}

#[test]
fn keepassxc_databases_import_with_what_keepassxc_cli_shows() {
    let env = Env::new();
    env.init();
    // Values as `keepassxc-cli show -s` prints them for the same files.
    let out = import_kdbx(&env, "NewDatabase.kdbx", "a", &[]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let report = json(&String::from_utf8_lossy(&out.stdout));
    assert_eq!(report["added"], 2);
    assert!(
        report["warnings"]
            .to_string()
            .contains("Sample attachment.txt"),
        "{report}"
    );
    assert_eq!(get(&env, "Sample Entry"), "Password");
    assert_eq!(get(&env, "Subgroup Entry"), "SecurePassword");
    let shown = json(&env.ok(&["show", "Subgroup Entry", "--json"]));
    assert_eq!(shown["group"], "Homebanking/Subgroup");
    assert_eq!(shown["username"], "Bank User Name");
    let sample = json(&env.ok(&["show", "Sample Entry", "--json"]));
    assert_eq!(sample["urls"][0], "http://www.somesite.com/");
    assert!(
        sample["has_totp"] == true || sample["totp"].is_object(),
        "{sample}"
    );
    assert_eq!(
        env.ok(&["get", "Sample Entry", "--field", "notes"]).trim(),
        "Notes"
    );

    let out = import_kdbx(
        &env,
        "ProtectedStrings.kdbx",
        "masterpw",
        &["--group", "Old"],
    );
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let list = json(&env.ok(&["list", "--json", "--group", "Old"]));
    let id = list["entries"][0]["id"].as_str().expect("id").to_owned();
    assert_eq!(get(&env, &id), "ProtectedPassword");
    let shown = json(&env.ok(&["show", &id, "--json"]));
    let fields = shown["fields"].as_array().expect("fields");
    let protected = fields
        .iter()
        .find(|f| f["name"] == "TestProtected")
        .expect("TestProtected");
    assert_eq!(
        protected["concealed"], true,
        "a protected string stays concealed"
    );
    assert!(protected["value"].is_null(), "show masks it");
    let unprotected = fields
        .iter()
        .find(|f| f["name"] == "TestUnprotected")
        .expect("TestUnprotected");
    assert_eq!(unprotected["value"], "DEF");
    assert_eq!(
        env.ok(&["get", &id, "--field", "TestProtected"]).trim(),
        "ABC"
    );

    let out = import_kdbx(&env, "NonAscii.kdbx", "Δöض", &[]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert_eq!(get(&env, "秘密"), "🚗🐎🔋📎");
    let out = import_kdbx(&env, "Format400.kdbx", "t", &[]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert_eq!(get(&env, "Format400"), "Format400");
    env.ok(&["log", "verify"]);
}

#[test]
fn importing_the_same_file_twice_adds_nothing_the_second_time() {
    let env = Env::new();
    env.init();
    let first = json(&String::from_utf8_lossy(
        &import_kdbx(&env, "NewDatabase.kdbx", "a", &[]).stdout,
    ));
    let second = json(&String::from_utf8_lossy(
        &import_kdbx(&env, "NewDatabase.kdbx", "a", &[]).stdout,
    ));
    assert_eq!(first["added"], 2);
    assert_eq!(second["added"], 0);
    assert_eq!(second["already_present"], 2);
    let list = json(&env.ok(&["list", "--json"]));
    assert_eq!(list["entries"].as_array().map(Vec::len), Some(2));
}

#[test]
fn a_wrong_passphrase_and_malformed_files_are_clear_errors() {
    let env = Env::new();
    env.init();
    let before = env.bytes();
    let out = import_kdbx(&env, "NewDatabase.kdbx", "not it", &[]);
    assert_eq!(code(&out), 3, "{}", stderr(&out));
    assert!(stderr(&out).contains("wrong passphrase for the file being imported"));
    let garbage = env.dir.path().join("garbage.kdbx");
    std::fs::write(&garbage, b"\x03\xd9\xa2\x9a not really a database").expect("write");
    let out = env
        .cmd(&["import", garbage.to_str().expect("utf-8"), "--from", "kdbx"])
        .env("BATON_IMPORT_PASSPHRASE", "a")
        .output()
        .expect("run");
    assert_eq!(code(&out), 1, "{}", stderr(&out));
    assert!(stderr(&out).contains("KeePass"), "{}", stderr(&out));
    for (from, text) in [
        ("bitwarden-json", "{\"items\": [ {\"type\": 1, "),
        ("baton-json", "[1, 2, 3]"),
        ("keepassxc-csv", "a,b\n1,2\n"),
    ] {
        let f = env.dir.path().join(format!("bad-{from}"));
        std::fs::write(&f, text).expect("write");
        let out = env.run(&["import", f.to_str().expect("utf-8"), "--from", from]);
        assert_eq!(code(&out), 1, "{from}: {}", stderr(&out));
        assert!(!stderr(&out).contains("panicked"), "{}", stderr(&out));
    }
    assert_eq!(env.bytes(), before, "a refused import changes nothing");
}

const BITWARDEN: &str = r#"{
  "encrypted": false,
  "folders": [ { "id": "f1", "name": "Clients/Acme" } ],
  "items": [
    { "id": "i1", "type": 1, "name": "Acme portal", "folderId": "f1", "notes": "line one\nline two",
      "favorite": false,
      "fields": [ { "name": "PIN", "value": "bw-PIN-SECRET-4411", "type": 1 },
                  { "name": "Account", "value": "77-12", "type": 0 } ],
      "login": { "username": "it@acme.example", "password": "bw-pass-SECRET-9031",
                 "totp": "otpauth://totp/Acme:it?secret=JBSWY3DPEHPK3PXP&issuer=Acme",
                 "uris": [ { "uri": "https://portal.acme.example" } ] } },
    { "id": "i2", "type": 2, "name": "Alarm code", "folderId": null,
      "notes": "bw-note-SECRET-5512", "secureNote": { "type": 0 } }
  ]
}"#;

#[test]
fn a_bitwarden_export_imports_faithfully() {
    let env = Env::new();
    env.init();
    let f = env.dir.path().join("bitwarden.json");
    std::fs::write(&f, BITWARDEN).expect("write");
    env.ok(&[
        "import",
        f.to_str().expect("utf-8"),
        "--from",
        "bitwarden-json",
    ]);
    assert_eq!(get(&env, "Acme portal"), "bw-pass-SECRET-9031");
    let shown = json(&env.ok(&["show", "Acme portal", "--json"]));
    assert_eq!(shown["group"], "Clients/Acme");
    assert_eq!(shown["username"], "it@acme.example");
    assert_eq!(shown["urls"][0], "https://portal.acme.example");
    assert_eq!(shown["totp"]["issuer"], "Acme");
    let fields = shown["fields"].as_array().expect("fields");
    let pin = fields.iter().find(|x| x["name"] == "PIN").expect("PIN");
    assert_eq!(pin["concealed"], true, "a hidden field stays concealed");
    let account = fields
        .iter()
        .find(|x| x["name"] == "Account")
        .expect("Account");
    assert_eq!(account["value"], "77-12");
    assert_eq!(
        env.ok(&["get", "Acme portal", "--field", "PIN"]).trim(),
        "bw-PIN-SECRET-4411"
    );
    assert_eq!(
        env.ok(&["get", "Acme portal", "--field", "notes"])
            .trim_end(),
        "line one\nline two"
    );
    assert_eq!(
        env.ok(&["get", "Alarm code", "--field", "notes"]).trim(),
        "bw-note-SECRET-5512"
    );
}

#[test]
fn an_export_imported_into_a_new_vault_keeps_every_entry_and_field() {
    let env = Env::new();
    env.init();
    let f = env.dir.path().join("bitwarden.json");
    std::fs::write(&f, BITWARDEN).expect("write");
    env.ok(&[
        "import",
        f.to_str().expect("utf-8"),
        "--from",
        "bitwarden-json",
    ]);
    let codes = env.dir.path().join("codes.txt");
    std::fs::write(&codes, "AAAA-1\nBBBB-2\nCCCC-3\n").expect("write");
    env.ok_stdin(
        &[
            "add",
            "Bank",
            "--group",
            "Finance",
            "--password-stdin",
            "--username",
            "boss",
            "--notes",
            "multi\nline ünïcode",
            "--tag",
            "money",
            "--identity",
            "it@acme.example",
            "--backup-codes-file",
            codes.to_str().expect("utf-8"),
            "--rotate-days",
            "90",
            "--secret-field",
            "pin=1234",
            "--field",
            "branch=north",
        ],
        "bank-SECRET-1\n",
    );
    env.ok(&["edit", "Bank", "--generate"]);
    env.ok(&["codes", "Bank", "--use", "2"]);
    let out = env.dir.path().join("export.json");
    env.ok(&[
        "export",
        "--format",
        "json",
        "--out",
        out.to_str().expect("utf-8"),
    ]);
    let mode = std::fs::metadata(&out)
        .expect("export")
        .permissions()
        .mode()
        & 0o777;
    assert_eq!(mode, 0o600);
    // Every exported entry is in the log as an export, before the file.
    let log = json(&env.ok(&["log", "--json"]));
    let exports = log["records"]
        .as_array()
        .expect("records")
        .iter()
        .filter(|r| r["action"] == "export" && r["field"] == "all")
        .count();
    assert_eq!(exports, 3);

    let other = Env::new();
    other.init();
    other.ok(&[
        "import",
        out.to_str().expect("utf-8"),
        "--from",
        "baton-json",
    ]);
    for title in ["Bank", "Acme portal", "Alarm code"] {
        let mut a = json(&env.ok(&["show", title, "--json"]));
        let mut b = json(&other.ok(&["show", title, "--json"]));
        for v in [&mut a, &mut b] {
            let o = v.as_object_mut().expect("object");
            // New ids, and the importing member, are the new vault's.
            for k in ["id", "created_by", "modified_by"] {
                o.remove(k);
            }
        }
        assert_eq!(a, b, "{title}");
        if title != "Alarm code" {
            assert_eq!(get(&env, title), get(&other, title), "{title}");
        }
    }
    assert_eq!(
        env.ok(&["get", "Bank", "--field", "pin"]),
        other.ok(&["get", "Bank", "--field", "pin"])
    );
    assert_eq!(env.ok(&["codes", "Bank"]), other.ok(&["codes", "Bank"]));
    assert_eq!(
        env.ok(&["get", "Bank", "--field", "notes"]),
        other.ok(&["get", "Bank", "--field", "notes"])
    );
    // Only owners export.
    let added = env
        .cmd(&["member", "add", "bob", "--groups", "Finance"])
        .env("BATON_NEW_PASSPHRASE", "bob's passphrase 12")
        .output()
        .expect("run");
    assert_eq!(code(&added), 0, "{}", stderr(&added));
    let denied = env
        .cmd(&[
            "export",
            "--format",
            "csv",
            "--out",
            "/tmp/should-not-exist.csv",
        ])
        .env("BATON_MEMBER", "bob")
        .env("BATON_PASSPHRASE", "bob's passphrase 12")
        .output()
        .expect("run");
    assert_eq!(code(&denied), 6, "{}", stderr(&denied));
    let vault = env.vault.to_str().expect("utf-8").to_owned();
    let refused = env.run(&["export", "--format", "json", "--out", &vault]);
    assert_eq!(code(&refused), 2, "{}", stderr(&refused));
}
