//! Migration through the binary: KeePassXC's own databases (fixtures, and
//! one keepassxc-cli builds from KeePass XML written here), a Bitwarden
//! export, and Baton's export imported into a new vault; wrong
//! passphrases and malformed files; importing twice adds nothing.

use std::io::Write;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use crate::common::{Env, KEEPASSXC_CLI, code, json, require_tools, stderr};

fn fixture(name: &str) -> PathBuf {
    PathBuf::from(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/fixtures/keepassxc"
    ))
    .join(name)
}

fn import_kdbx(env: &Env, file: &str, passphrase: &str, extra: &[&str]) -> std::process::Output {
    import_kdbx_at(env, &fixture(file), passphrase, extra)
}

fn import_kdbx_at(
    env: &Env,
    path: &Path,
    passphrase: &str,
    extra: &[&str],
) -> std::process::Output {
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

/// Runs keepassxc-cli with `input` on its standard input (where it reads
/// passwords) and returns what it printed. The tests that build their
/// database with it check first that it is installed (`.ci/run` installs
/// it): without it they fail under CI and skip elsewhere.
fn keepassxc_cli(env: &Env, args: &[&str], input: &str) -> String {
    let mut child = Command::new("keepassxc-cli")
        .args(args)
        .env("HOME", env.dir.path())
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("keepassxc-cli could not be run: {e}"));
    child
        .stdin
        .take()
        .expect("piped")
        .write_all(input.as_bytes())
        .expect("write to keepassxc-cli");
    let out = child.wait_with_output().expect("keepassxc-cli finishes");
    assert!(
        out.status.success(),
        "keepassxc-cli {args:?} failed with {:?}: {}",
        out.status,
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).expect("UTF-8 output")
}

// One entry's values, in Greek, Arabic, Chinese and emoji. None holds a
// character XML must escape, so they go into the file as they are.
const XML_TITLE: &str = "Πύλη بوابة 門戶 🚪";
const XML_USER: &str = "مدير.κέντρο@例え.example";
const XML_PASSWORD: &str = "Κλειδί-كلمة-密码-🔑🐎";
const XML_NOTES: &str = "Πρώτη γραμμή: line one\n\nالسطر الثالث after an empty line\n  \
                         indented 第四行 ✅";
const XML_PIN: &str = "4711-κρυφό-🔒";
const XML_BRANCH: &str = "βόρεια 北";
const XML_OTP: &str =
    "otpauth://totp/Acme:it?secret=JBSWY3DPEHPK3PXP&period=30&digits=6&issuer=Acme";

/// A KeePass 2 XML file, as KeePass's "KeePass XML (2.x)" export writes
/// it: nested groups under the root group, one entry with times, tags,
/// the standard strings, an `otp` string and two custom strings, one
/// protected. An XML file carries protection as `ProtectInMemory`:
/// `Protected` means "encrypted with the KDBX inner stream", which a bare
/// XML file does not have (keepassxc-cli 2.7.4 crashes on it).
fn keepass_xml() -> String {
    let otp = XML_OTP.replace('&', "&amp;");
    format!(
        r#"<?xml version="1.0" encoding="utf-8" standalone="yes"?>
<KeePassFile>
  <Meta><Generator>KeePass</Generator><DatabaseName>Firm</DatabaseName></Meta>
  <Root>
    <Group>
      <UUID>QkJCQkJCQkJCQkJCQkJCAQ==</UUID><Name>Firm</Name>
      <Group>
        <UUID>QkJCQkJCQkJCQkJCQkJCAg==</UUID><Name>Clients</Name>
        <Group>
          <UUID>QkJCQkJCQkJCQkJCQkJCAw==</UUID><Name>Ακρόπολη</Name>
          <Entry>
            <UUID>QkJCQkJCQkJCQkJCQkJCBA==</UUID>
            <Tags>finance;ελληνικά;on call</Tags>
            <Times>
              <CreationTime>2023-11-20T12:00:00Z</CreationTime>
              <LastModificationTime>2024-05-02T08:30:00Z</LastModificationTime>
              <LastAccessTime>2024-05-02T08:30:00Z</LastAccessTime>
              <ExpiryTime>2030-01-01T00:00:00Z</ExpiryTime>
              <Expires>False</Expires>
              <UsageCount>0</UsageCount>
              <LocationChanged>2023-11-20T12:00:00Z</LocationChanged>
            </Times>
            <String><Key>Title</Key><Value>{XML_TITLE}</Value></String>
            <String><Key>UserName</Key><Value>{XML_USER}</Value></String>
            <String><Key>Password</Key><Value ProtectInMemory="True">{XML_PASSWORD}</Value></String>
            <String><Key>URL</Key><Value>https://portal.acme.example/</Value></String>
            <String><Key>Notes</Key><Value>{XML_NOTES}</Value></String>
            <String><Key>otp</Key><Value ProtectInMemory="True">{otp}</Value></String>
            <String><Key>PIN</Key><Value ProtectInMemory="True">{XML_PIN}</Value></String>
            <String><Key>Branch</Key><Value>{XML_BRANCH}</Value></String>
          </Entry>
        </Group>
      </Group>
    </Group>
  </Root>
</KeePassFile>
"#
    )
}

/// The code and the rest of `baton totp`'s line ("123456 (17 s left)").
fn totp_code(line: &str) -> String {
    let (code, rest) = line.trim_end().split_once(' ').expect("code and time left");
    assert!(
        code.len() == 6 && code.bytes().all(|b| b.is_ascii_digit()),
        "six digits: {line:?}"
    );
    assert!(
        rest.starts_with('(') && rest.ends_with(" s left)"),
        "{line:?}"
    );
    code.to_owned()
}

#[test]
fn a_database_keepassxc_cli_builds_from_keepass_xml_imports_faithfully() {
    if !require_tools(&[KEEPASSXC_CLI]) {
        return;
    }
    let env = Env::new();
    env.init();
    let xml = env.dir.path().join("firm.xml");
    std::fs::write(&xml, keepass_xml()).expect("write XML");
    let kdbx = env.dir.path().join("firm.kdbx");
    let (xml_s, kdbx_s) = (xml.to_str().expect("utf-8"), kdbx.to_str().expect("utf-8"));
    let pass = "Ωμέγα-كلمة-🗝";
    // It asks for the new database's password, then for it again.
    keepassxc_cli(
        &env,
        &["import", "-q", "-p", xml_s, kdbx_s],
        &format!("{pass}\n{pass}\n"),
    );
    let kp_path = format!("Clients/Ακρόπολη/{XML_TITLE}");
    let kp_show = |attrs: &[&str]| {
        let mut args = vec!["show", "-q", "-s"];
        for a in attrs {
            args.extend(["-a", a]);
        }
        args.extend([kdbx_s, kp_path.as_str()]);
        keepassxc_cli(&env, &args, &format!("{pass}\n"))
    };
    // What KeePassXC itself reads from the converted file.
    let kp = kp_show(&["Title", "UserName", "Password", "PIN", "Branch"]);
    assert_eq!(
        kp.lines().collect::<Vec<_>>(),
        [XML_TITLE, XML_USER, XML_PASSWORD, XML_PIN, XML_BRANCH],
        "keepassxc-cli read back the XML as written"
    );

    let out = import_kdbx_at(&env, &kdbx, pass, &[]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let report = json(&String::from_utf8_lossy(&out.stdout));
    assert_eq!(report["added"], 1, "{report}");
    assert_eq!(report["warnings"], serde_json::json!([]), "{report}");

    // Title, username and password, as Baton and KeePassXC read them.
    let kp: Vec<&str> = kp.lines().collect();
    assert_eq!(get(&env, XML_TITLE), kp[2]);
    assert_eq!(get(&env, XML_TITLE), XML_PASSWORD);
    assert_eq!(
        env.ok(&["get", XML_TITLE, "--field", "username"]),
        format!("{}\n", kp[1])
    );
    let shown = json(&env.ok(&["show", XML_TITLE, "--json"]));
    assert_eq!(shown["title"], kp[0]);
    assert_eq!(shown["title"], XML_TITLE);
    assert_eq!(shown["username"], XML_USER);
    assert_eq!(shown["urls"][0], "https://portal.acme.example/");
    // The root group's own name is not a level.
    assert_eq!(shown["group"], "Clients/Ακρόπολη");
    // KeePassXC keeps tags sorted (it wrote "finance,on call,ελληνικά").
    let kp_tags = kp_show(&["Tags"]);
    let kp_tags: Vec<&str> = kp_tags.trim_end().split(',').collect();
    let mut tags = kp_tags.clone();
    tags.sort_unstable();
    assert_eq!(tags, ["finance", "on call", "ελληνικά"], "{kp_tags:?}");
    assert_eq!(shown["tags"], serde_json::json!(kp_tags), "{shown}");
    assert_eq!(shown["created_at"], "2023-11-20T12:00:00Z", "{shown}");
    assert_eq!(shown["modified_at"], "2024-05-02T08:30:00Z", "{shown}");
    assert!(shown["expires_at"].is_null(), "it does not expire: {shown}");

    // Notes, line for line, empty line and indentation included.
    let notes = env.ok(&["get", XML_TITLE, "--field", "notes"]);
    assert_eq!(notes, format!("{XML_NOTES}\n"));
    assert_eq!(notes, kp_show(&["Notes"]));

    // The protected string stays concealed, the plain one is shown; the
    // `otp` string became the TOTP, not a field.
    let fields = shown["fields"].as_array().expect("fields");
    let names: Vec<&str> = fields.iter().filter_map(|f| f["name"].as_str()).collect();
    assert_eq!(names.len(), 2, "PIN and Branch only: {names:?}");
    let pin = fields.iter().find(|f| f["name"] == "PIN").expect("PIN");
    assert_eq!(pin["concealed"], true, "a protected string stays concealed");
    assert!(pin["value"].is_null(), "show masks it: {pin}");
    let branch = fields
        .iter()
        .find(|f| f["name"] == "Branch")
        .expect("Branch");
    assert_eq!(branch["concealed"], false);
    assert_eq!(branch["value"], XML_BRANCH);
    let text = shown.to_string();
    for secret in [XML_PASSWORD, XML_PIN, "JBSWY3DPEHPK3PXP", "Πρώτη"] {
        assert!(!text.contains(secret), "show reveals nothing: {text}");
    }
    assert_eq!(
        env.ok(&["get", XML_TITLE, "--field", "PIN"]),
        format!("{}\n", kp[3])
    );

    assert_eq!(shown["totp"]["digits"], 6, "{shown}");
    assert_eq!(shown["totp"]["period"], 30, "{shown}");
    assert_eq!(shown["totp"]["issuer"], "Acme", "{shown}");
    // The same code as keepassxc-cli's, read within one 30-second window:
    // equal codes before and after Baton's mean no window ended between.
    let mut compared = false;
    for _ in 0..2 {
        let before = keepassxc_cli(
            &env,
            &["show", "-q", "-t", kdbx_s, &kp_path],
            &format!("{pass}\n"),
        );
        let ours = totp_code(&env.ok(&["totp", XML_TITLE]));
        let after = keepassxc_cli(
            &env,
            &["show", "-q", "-t", kdbx_s, &kp_path],
            &format!("{pass}\n"),
        );
        if before == after {
            assert_eq!(ours, before.trim_end(), "Baton's TOTP code is KeePassXC's");
            compared = true;
            break;
        }
    }
    assert!(
        compared,
        "a 30-second window ended during each of two tries"
    );
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

/// A genuine KDBX 4 file, passphrase "a", written by the `keepass` crate
/// (AES-256, gzip, ChaCha20 inner stream, AES-KDF at 10 rounds): `levels`
/// groups nested one in the other below the root group, and an entry
/// "deep" in the deepest. Written on a thread with a large stack, since
/// the crate's writer recurses once per group.
fn nested_kdbx(levels: usize) -> Vec<u8> {
    use keepass::config::{DatabaseConfig, KdfConfig};
    use keepass::db::{Entry, Group, Value};
    use keepass::{Database, DatabaseKey};
    std::thread::Builder::new()
        .stack_size(256 << 20)
        .spawn(move || {
            let mut entry = Entry::new();
            for (k, v) in [("Title", "deep"), ("Password", "deep-password")] {
                entry
                    .fields
                    .insert(k.to_owned(), Value::Unprotected(v.to_owned()));
            }
            let mut g = Group::new("g");
            g.entries.push(entry);
            for _ in 1..levels {
                let mut parent = Group::new("g");
                parent.groups.push(g);
                g = parent;
            }
            let mut db = Database::new(DatabaseConfig::default());
            db.config.kdf_config = KdfConfig::Aes { rounds: 10 };
            db.root = Group::new("Root");
            db.root.groups.push(g);
            let mut buf = Vec::new();
            db.save(&mut buf, DatabaseKey::new().with_password("a"))
                .expect("save the KDBX");
            buf
        })
        .expect("spawn the writer")
        .join()
        .expect("the writer finishes")
}

/// Regression test (security review, finding 6): 5,000 nested groups
/// overflowed the stack in the `keepass` crate's recursive XML parser
/// (SIGABRT, exit 134). Now a clear refusal, exit 1, nothing changed; 64
/// levels, the limit, still import.
#[test]
fn a_kdbx_with_5000_nested_groups_is_refused_not_a_crash() {
    let env = Env::new();
    env.init();
    let before = env.bytes();
    let deep = env.dir.path().join("deep.kdbx");
    std::fs::write(&deep, nested_kdbx(5_000)).expect("write");
    let out = import_kdbx_at(&env, &deep, "a", &[]);
    assert_eq!(
        out.status.code(),
        Some(1),
        "{:?}: {}",
        out.status,
        stderr(&out)
    );
    assert!(
        stderr(&out).contains("its groups are nested more than 64 levels deep"),
        "{}",
        stderr(&out)
    );
    assert_eq!(env.bytes(), before, "a refused import changes nothing");

    let limit = env.dir.path().join("limit.kdbx");
    std::fs::write(&limit, nested_kdbx(64)).expect("write");
    let out = import_kdbx_at(&env, &limit, "a", &[]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let path = vec!["g"; 64].join("/");
    let shown = json(&env.ok(&["show", "deep", "--json"]));
    assert_eq!(shown["group"], path.as_str(), "{shown}");
    assert_eq!(get(&env, "deep"), "deep-password");
}

/// Regression test (security review, finding 6): the import's Argon2id
/// UUID was mistyped, so an Argon2id file asking for 1 TiB skipped the
/// cost ceiling and aborted with "memory allocation failed". The file is
/// one KeePassXC wrote, with its memory parameter set to 1 TiB.
#[test]
fn an_argon2id_kdbx_asking_for_a_terabyte_is_refused_not_a_crash() {
    let env = Env::new();
    env.init();
    let before = env.bytes();
    let mut kdbx = std::fs::read(fixture("Argon2id.kdbx")).expect("fixture");
    // The variant dictionary's item "M": key length 1, "M", value length 8.
    let item = [1, 0, 0, 0, b'M', 8, 0, 0, 0];
    let at = kdbx
        .windows(item.len())
        .position(|w| w == item)
        .expect("the Argon2 memory parameter")
        + item.len();
    assert_eq!(kdbx[at..at + 8], 8192u64.to_le_bytes(), "8 KiB as written");
    kdbx[at..at + 8].copy_from_slice(&(1u64 << 40).to_le_bytes());
    let file = env.dir.path().join("terabyte.kdbx");
    std::fs::write(&file, &kdbx).expect("write");
    let out = import_kdbx_at(&env, &file, "a", &[]);
    assert_eq!(
        out.status.code(),
        Some(1),
        "{:?}: {}",
        out.status,
        stderr(&out)
    );
    assert!(
        stderr(&out).contains("1048576 MiB of Argon2 memory"),
        "{}",
        stderr(&out)
    );
    assert_eq!(env.bytes(), before, "a refused import changes nothing");
    // The file as KeePassXC wrote it imports.
    let out = import_kdbx(&env, "Argon2id.kdbx", "a", &[]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
}

/// The security review's finding 5 (THREAT_MODEL §6.5): a file whose
/// only row equals an entry already in the vault adds nothing, and once
/// left no trace — a silent way to confirm a guessed password. Every
/// import is now recorded, by the member who ran it, saying what it read.
#[test]
fn an_import_that_adds_nothing_is_still_recorded() {
    const GUESS: &str = "guess-pw-Tr55";
    let env = Env::new();
    env.init();
    env.ok_stdin(
        &[
            "add",
            "Firewall",
            "--group",
            "Net",
            "--username",
            "admin",
            "--password-stdin",
        ],
        &format!("{GUESS}\n"),
    );
    let csv = env.dir.path().join("probe.csv");
    std::fs::write(
        &csv,
        format!("title,username,password,group\nFirewall,admin,{GUESS},Net\n"),
    )
    .expect("write the CSV");
    let out = env.ok(&[
        "import",
        csv.to_str().expect("utf-8 path"),
        "--from",
        "csv",
        "--json",
    ]);
    let report = json(&out);
    assert_eq!(report["added"], 0, "{report:#}");
    assert_eq!(report["already_present"], 1, "{report:#}");

    let log = json(&env.ok(&["log", "--json"]));
    let imports: Vec<&serde_json::Value> = log["records"]
        .as_array()
        .expect("records")
        .iter()
        .filter(|r| r["action"] == "import")
        .collect();
    assert_eq!(imports.len(), 1, "one import record: {log:#}");
    assert_eq!(imports[0]["member"], "alice");
    let note = imports[0]["note"].as_str().expect("a sealed note");
    assert!(note.contains("probe.csv"), "{note}");
    assert!(
        note.contains("1 row read: 0 added, 1 already in the vault"),
        "{note}"
    );
    assert!(!log.to_string().contains(GUESS), "no password in the log");
    env.ok(&["log", "verify"]);
}
