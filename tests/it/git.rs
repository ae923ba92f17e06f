//! A vault kept in a git repository, merged by `baton merge-driver` as
//! the user guide's "Sharing the vault" sets it up: two clones of one
//! remote, both commit, and `git pull` merges through the driver.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use crate::common::{PASS, Tool, bin, code, require_tools, stderr, stdout};

const GIT: Tool = Tool {
    program: "git",
    package: "git",
};

/// One clone of the shared repository, on its own "machine" (home).
struct Clone {
    dir: PathBuf,
    home: PathBuf,
}

fn git(dir: &Path, home: &Path, args: &[&str], passphrase: bool) -> Output {
    let mut c = Command::new("git");
    c.args(args)
        .current_dir(dir)
        .env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .env("HOME", home)
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("GIT_AUTHOR_NAME", "Test")
        .env("GIT_AUTHOR_EMAIL", "test@example.invalid")
        .env("GIT_COMMITTER_NAME", "Test")
        .env("GIT_COMMITTER_EMAIL", "test@example.invalid");
    if passphrase {
        c.env("BATON_PASSPHRASE", PASS);
    }
    c.output().expect("run git")
}

impl Clone {
    fn git(&self, args: &[&str]) -> Output {
        git(&self.dir, &self.home, args, true)
    }

    fn git_ok(&self, args: &[&str]) -> String {
        let out = self.git(args);
        assert_eq!(
            code(&out),
            0,
            "git {args:?}: {}{}",
            stdout(&out),
            stderr(&out)
        );
        stdout(&out)
    }

    fn vault(&self) -> PathBuf {
        self.dir.join("vault.baton")
    }

    fn baton(&self, args: &[&str]) -> String {
        let out = Command::new(bin())
            .args(args)
            .env_clear()
            .env("PATH", std::env::var_os("PATH").unwrap_or_default())
            .env("HOME", &self.home)
            .env("BATON_VAULT", self.vault())
            .env("BATON_PASSPHRASE", PASS)
            .output()
            .expect("run baton");
        assert_eq!(code(&out), 0, "baton {args:?}: {}", stderr(&out));
        stdout(&out)
    }

    /// Commits everything with `message`.
    fn commit(&self, message: &str) {
        self.git_ok(&["add", "-A"]);
        self.git_ok(&["commit", "-q", "-m", message]);
    }
}

/// A bare remote and two clones set up as the user guide says: the
/// driver configured, `.gitattributes` and `.gitignore` committed, and a
/// vault with one entry pushed from the desk and pulled on the laptop.
fn shared_repository(root: &Path) -> (Clone, Clone) {
    let remote = root.join("remote.git");
    let home = root.join("home-desk");
    std::fs::create_dir_all(&home).expect("home");
    let out = git(
        root,
        &home,
        &[
            "init",
            "-q",
            "--bare",
            "-b",
            "main",
            remote.to_str().expect("utf-8"),
        ],
        false,
    );
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let clone = |name: &str| {
        let home = root.join(format!("home-{name}"));
        std::fs::create_dir_all(&home).expect("home");
        let dir = root.join(name);
        let out = git(
            root,
            &home,
            &[
                "clone",
                "-q",
                remote.to_str().expect("utf-8"),
                dir.to_str().expect("utf-8"),
            ],
            false,
        );
        assert_eq!(code(&out), 0, "{}", stderr(&out));
        let c = Clone { dir, home };
        c.git_ok(&["config", "merge.baton.name", "Baton vault merge"]);
        c.git_ok(&[
            "config",
            "merge.baton.driver",
            &format!("{} merge-driver %O %A %B", bin()),
        ]);
        c.git_ok(&["config", "pull.rebase", "false"]);
        c
    };
    let desk = clone("desk");
    std::fs::write(desk.dir.join(".gitattributes"), "*.baton merge=baton\n").expect("write");
    std::fs::write(desk.dir.join(".gitignore"), "*.baton.lock\n*.baton.bak*\n").expect("write");
    desk.baton(&["init", "--owner", "alice", "--weak-kdf"]);
    desk.baton(&["add", "Bank", "--group", "Finance", "--username", "boss"]);
    desk.commit("A vault");
    desk.git_ok(&["push", "-q", "origin", "HEAD:main"]);
    let laptop = clone("laptop");
    assert!(laptop.vault().exists());
    (desk, laptop)
}

fn titles(c: &Clone) -> Vec<String> {
    let list: serde_json::Value =
        serde_json::from_str(&c.baton(&["list", "--json"])).expect("JSON");
    let mut t: Vec<String> = list["entries"]
        .as_array()
        .expect("entries")
        .iter()
        .map(|e| e["title"].as_str().expect("title").to_owned())
        .collect();
    t.sort();
    t
}

#[test]
fn a_pull_merges_the_vault_through_the_driver() {
    if !require_tools(&[GIT]) {
        return;
    }
    let root = tempfile::tempdir().expect("temp dir");
    let (desk, laptop) = shared_repository(root.path());
    laptop.baton(&["add", "From the laptop", "--group", "General"]);
    laptop.baton(&["edit", "Bank", "--url", "https://bank.example"]);
    laptop.commit("Laptop");
    laptop.git_ok(&["push", "-q", "origin", "HEAD:main"]);
    desk.baton(&["add", "From the desk", "--group", "General"]);
    desk.baton(&["edit", "Bank", "--username", "director"]);
    desk.commit("Desk");
    let out = desk.git(&["pull", "-q", "--no-edit", "origin", "main"]);
    assert_eq!(code(&out), 0, "git pull: {}{}", stdout(&out), stderr(&out));
    assert_eq!(
        desk.git_ok(&["status", "--porcelain"]),
        "",
        "the merge is committed and leaves nothing behind"
    );
    assert_eq!(titles(&desk), ["Bank", "From the desk", "From the laptop"]);
    let bank: serde_json::Value =
        serde_json::from_str(&desk.baton(&["show", "Bank", "--json"])).expect("JSON");
    assert_eq!(bank["username"], "director");
    assert_eq!(bank["urls"][0], "https://bank.example");
    desk.baton(&["log", "verify"]);
    // Using the vault records access in it: that is committed too, and
    // the laptop pulls the merge, which holds everything its copy holds.
    desk.commit("Access records");
    desk.git_ok(&["push", "-q", "origin", "HEAD:main"]);
    laptop.git_ok(&["pull", "-q", "--no-edit", "origin", "main"]);
    assert_eq!(titles(&laptop), titles(&desk));
}

#[test]
fn a_pull_without_a_passphrase_is_a_conflict_that_keeps_ours() {
    if !require_tools(&[GIT]) {
        return;
    }
    let root = tempfile::tempdir().expect("temp dir");
    let (desk, laptop) = shared_repository(root.path());
    laptop.baton(&["add", "From the laptop"]);
    laptop.commit("Laptop");
    laptop.git_ok(&["push", "-q", "origin", "HEAD:main"]);
    desk.baton(&["add", "From the desk"]);
    desk.commit("Desk");
    let ours = std::fs::read(desk.vault()).expect("read");
    let out = git(
        &desk.dir,
        &desk.home,
        &["pull", "-q", "--no-edit", "origin", "main"],
        false,
    );
    assert_ne!(
        code(&out),
        0,
        "the merge cannot succeed without a passphrase"
    );
    assert!(
        format!("{}{}", stdout(&out), stderr(&out)).contains("needs a passphrase"),
        "{}{}",
        stdout(&out),
        stderr(&out)
    );
    assert_eq!(std::fs::read(desk.vault()).expect("read"), ours);
    // With the passphrase, the same merge goes through.
    desk.git_ok(&["merge", "--abort"]);
    let out = desk.git(&["pull", "-q", "--no-edit", "origin", "main"]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert_eq!(titles(&desk), ["Bank", "From the desk", "From the laptop"]);
}

#[test]
fn a_pull_that_only_adds_to_ours_needs_no_passphrase() {
    if !require_tools(&[GIT]) {
        return;
    }
    let root = tempfile::tempdir().expect("temp dir");
    let (desk, laptop) = shared_repository(root.path());
    laptop.baton(&["add", "From the laptop"]);
    laptop.commit("Laptop");
    // The desk merges the laptop's file by hand and goes on: its vault
    // holds everything in the laptop's.
    desk.baton(&["add", "From the desk"]);
    desk.baton(&["merge", laptop.vault().to_str().expect("utf-8")]);
    desk.commit("Desk, with the laptop's work merged");
    desk.git_ok(&["push", "-q", "origin", "HEAD:main"]);
    let out = git(
        &laptop.dir,
        &laptop.home,
        &["pull", "-q", "--no-edit", "origin", "main"],
        false,
    );
    assert_eq!(code(&out), 0, "{}{}", stdout(&out), stderr(&out));
    assert_eq!(
        titles(&laptop),
        ["Bank", "From the desk", "From the laptop"]
    );
}

#[test]
fn the_driver_refuses_another_vault_with_exit_4() {
    let root = tempfile::tempdir().expect("temp dir");
    let make = |name: &str| {
        let home = root.path().join(name);
        std::fs::create_dir_all(&home).expect("home");
        let vault = home.join("vault.baton");
        let out = Command::new(bin())
            .args(["init", "--weak-kdf"])
            .env_clear()
            .env("HOME", &home)
            .env("BATON_VAULT", &vault)
            .env("BATON_PASSPHRASE", PASS)
            .output()
            .expect("run");
        assert_eq!(code(&out), 0, "{}", stderr(&out));
        vault
    };
    let (a, b) = (make("a"), make("b"));
    let before = std::fs::read(&a).expect("read");
    let out = Command::new(bin())
        .args([
            "merge-driver",
            a.to_str().expect("utf-8"),
            a.to_str().expect("utf-8"),
            b.to_str().expect("utf-8"),
        ])
        .env_clear()
        .env("HOME", root.path())
        .env("BATON_PASSPHRASE", PASS)
        .output()
        .expect("run");
    assert_eq!(code(&out), 4, "{}", stderr(&out));
    assert_eq!(std::fs::read(&a).expect("read"), before);
}
