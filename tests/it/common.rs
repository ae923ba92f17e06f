//! Shared helpers: a temporary vault directory and a way to run the binary.

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

pub const PASS: &str = "correct horse battery staple";

pub fn bin() -> &'static str {
    env!("CARGO_BIN_EXE_baton")
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
        let mut c = Command::new(bin());
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
        self.ok(&[
            "init",
            "--owner",
            "alice",
            "--firm-domain",
            "acme.example",
            "--weak-kdf",
        ])
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
