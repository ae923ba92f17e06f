//! Shared helpers: a temporary vault directory and a way to run the binary,
//! the weak key-derivation settings tests create vaults with, and the
//! binary the terminal tests drive.

use std::ffi::{OsStr, OsString};
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

use baton::crypto::kdf::KdfParams;
use baton::vault::CreateOptions;

pub const PASS: &str = "correct horse battery staple";

/// `baton init` for a vault owned by alice with `--weak-kdf`'s cheap
/// Argon2id parameters: quick to unlock, for tests only.
pub const INIT_WEAK: &[&str] = &["init", "--owner", "alice", "--weak-kdf"];

/// Added to [`INIT_WEAK`] by the terminal tests: Argon2id at 8 MiB, one
/// pass, one lane.
pub const KDF_8_MIB: &[&str] = &[
    "--kdf-memory",
    "8",
    "--kdf-time",
    "1",
    "--kdf-parallelism",
    "1",
];

/// Argon2id at 8 KiB, one pass, one lane (the least it accepts), for the
/// vaults tests build with the library. The test vectors were written with
/// it (tests/vectors/README.md).
pub const TEST_KDF: KdfParams = KdfParams {
    memory_kib: 8,
    time: 1,
    parallelism: 1,
};

/// How the tests create a vault with the library: owned by alice, no firm
/// domain, [`TEST_KDF`], created at `now`.
pub fn weak_options(now: i64) -> CreateOptions<'static> {
    CreateOptions {
        owner: "alice",
        firm_domain: None,
        kdf: TEST_KDF,
        weak_kdf: true,
        now,
    }
}

/// The test build of the binary.
pub fn bin() -> &'static str {
    env!("CARGO_BIN_EXE_baton")
}

/// The binary the terminal and membership tests drive: `BATON_TUI_BIN`
/// (CI sets it to the release build, as people run it), else the test
/// build.
pub fn tui_bin() -> PathBuf {
    let bin = std::env::var_os("BATON_TUI_BIN")
        .filter(|p| !p.is_empty())
        .map_or_else(|| PathBuf::from(bin()), PathBuf::from);
    assert!(
        bin.is_file(),
        "BATON_TUI_BIN names {}, which is not a file",
        bin.display()
    );
    bin
}

/// The clock, in seconds since 1970.
pub fn now_unix() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .expect("clock after 1970")
        .as_secs() as i64
}

/// `KEY=VALUE`, an argument of `env`.
pub fn var(key: &str, value: impl AsRef<OsStr>) -> OsString {
    let mut s = OsString::from(key);
    s.push("=");
    s.push(value);
    s
}

/// Every regular file under `dir`, recursively.
pub fn files_under(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut todo = vec![dir.to_path_buf()];
    while let Some(d) = todo.pop() {
        let entries =
            std::fs::read_dir(&d).unwrap_or_else(|e| panic!("read dir {}: {e}", d.display()));
        for e in entries {
            let p = e.expect("dir entry").path();
            if p.is_dir() {
                todo.push(p);
            } else if p.is_file() {
                out.push(p);
            }
        }
    }
    out
}

/// A temporary directory holding one vault.
pub struct Env {
    pub dir: tempfile::TempDir,
    pub vault: PathBuf,
}

impl Env {
    pub fn new() -> Self {
        let dir = tempfile::tempdir().expect("temp dir");
        let vault = dir.path().join("vault.baton");
        Env { dir, vault }
    }

    /// A command with the vault, passphrase and a clean environment set.
    pub fn cmd(&self, args: &[&str]) -> Command {
        self.cmd_of(Path::new(bin()), args)
    }

    /// As [`Env::cmd`], running the binary `program`.
    pub fn cmd_of(&self, program: &Path, args: &[&str]) -> Command {
        let mut c = Command::new(program);
        c.args(args)
            .env_clear()
            .env("PATH", std::env::var_os("PATH").unwrap_or_default())
            .env("HOME", self.dir.path())
            .env("BATON_VAULT", &self.vault)
            .env("BATON_PASSPHRASE", PASS)
            .env("BATON_LOCK_WAIT_MS", "2000")
            .stdin(Stdio::null());
        c
    }

    pub fn run(&self, args: &[&str]) -> Output {
        self.cmd(args).output().expect("run baton")
    }

    /// Runs and asserts success; returns stdout.
    pub fn ok(&self, args: &[&str]) -> String {
        let out = self.run(args);
        assert!(
            out.status.success(),
            "baton {args:?} failed with {:?}\nstdout: {}\nstderr: {}",
            out.status.code(),
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8(out.stdout).expect("utf-8 output")
    }

    /// Runs with `input` on standard input and asserts success.
    pub fn ok_stdin(&self, args: &[&str], input: &str) -> String {
        ok_with_input(self.cmd(args), args, Some(input))
    }

    /// A new weak-KDF vault owned by `alice`.
    pub fn init(&self) -> String {
        self.ok(&[INIT_WEAK, &["--firm-domain", "acme.example"]].concat())
    }

    pub fn bytes(&self) -> Vec<u8> {
        std::fs::read(&self.vault).expect("read vault")
    }
}

/// Runs `c` (a `baton` command for `args`) with `input` on standard input,
/// or none, and asserts success; returns stdout.
pub fn ok_with_input(mut c: Command, args: &[&str], input: Option<&str>) -> String {
    use std::io::Write;
    let mut child = c
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn baton");
    let mut stdin = child.stdin.take().expect("stdin");
    if let Some(s) = input {
        stdin.write_all(s.as_bytes()).expect("write stdin");
    }
    drop(stdin);
    let out = child.wait_with_output().expect("wait");
    assert!(
        out.status.success(),
        "baton {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).expect("utf-8")
}

pub fn code(out: &Output) -> i32 {
    out.status.code().expect("exited normally, not by a signal")
}

pub fn stdout(out: &Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

pub fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

pub fn contains(hay: &[u8], needle: &[u8]) -> bool {
    !needle.is_empty() && hay.windows(needle.len()).any(|w| w == needle)
}

pub fn json(s: &str) -> serde_json::Value {
    serde_json::from_str(s).expect("valid JSON")
}

pub fn vectors_dir() -> &'static Path {
    Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/vectors"))
}

/// The state directory (high-water marks) the binary uses for `env`.
pub fn state_dir(env: &Env) -> PathBuf {
    env.dir.path().join(".local").join("state").join("baton")
}
