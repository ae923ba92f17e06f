//! Shared helpers: a temporary vault directory and a way to run the binary,
//! the weak key-derivation settings tests create vaults with, the binary
//! the terminal tests drive, and the one rule for tests that need a
//! program the machine may lack ([`require_tools`]).

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
/// it (tests/vectors/v1/README.md, tests/vectors/v2/README.md).
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

/// A release build of the binary, for the tests that check what release
/// builds leave out: `BATON_TUI_BIN`, or the test build when that is a
/// release build itself. Without one, fails under CI and skips elsewhere
/// (see [`require_tools`]), returning `None`.
#[track_caller]
pub fn release_bin() -> Option<PathBuf> {
    let named = std::env::var_os("BATON_TUI_BIN").is_some_and(|p| !p.is_empty());
    if named || !cfg!(debug_assertions) {
        return Some(tui_bin());
    }
    missing(
        "a release build of baton (BATON_TUI_BIN is not set and the test build is a debug \
         build)",
        "build it with `cargo build --release` and set BATON_TUI_BIN to target/release/baton",
    );
    None
}

/// A program some tests need that a machine may lack, and the Debian
/// package that installs it.
#[derive(Clone, Copy)]
pub struct Tool {
    pub program: &'static str,
    pub package: &'static str,
}

pub const TMUX: Tool = Tool {
    program: "tmux",
    package: "tmux",
};
pub const XVFB: Tool = Tool {
    program: "Xvfb",
    package: "xvfb",
};
pub const XCLIP: Tool = Tool {
    program: "xclip",
    package: "xclip",
};
pub const GCORE: Tool = Tool {
    program: "gcore",
    package: "gdb",
};
pub const KEEPASSXC_CLI: Tool = Tool {
    program: "keepassxc-cli",
    package: "keepassxc",
};
pub const SETSID: Tool = Tool {
    program: "setsid",
    package: "util-linux",
};
pub const SETPRIV: Tool = Tool {
    program: "setpriv",
    package: "util-linux",
};
pub const PRLIMIT: Tool = Tool {
    program: "prlimit",
    package: "util-linux",
};

/// True when the tests run under CI: `CI` is set (to anything but empty,
/// `0` or `false`). `.ci/run` sets it, and installs every [`Tool`].
pub fn in_ci() -> bool {
    std::env::var_os("CI").is_some_and(|v| !v.is_empty() && v != "0" && v != "false")
}

/// Whether every program in `tools` is on `PATH`; the one place that
/// decides what a test does without them. Under CI ([`in_ci`]) a missing
/// program fails the test, naming it and how to install it. Elsewhere
/// the test may skip: this prints `SKIPPED: …` to standard error and
/// returns false, and the test returns at once.
#[track_caller]
pub fn require_tools(tools: &[Tool]) -> bool {
    let absent: Vec<&Tool> = tools
        .iter()
        .filter(|t| on_path(t.program).is_none())
        .collect();
    if absent.is_empty() {
        return true;
    }
    let names: Vec<&str> = absent.iter().map(|t| t.program).collect();
    let mut packages: Vec<&str> = absent.iter().map(|t| t.package).collect();
    packages.sort_unstable();
    packages.dedup();
    missing(
        &format!("{}, not on PATH", names.join(", ")),
        &format!(
            "install with `apt-get install --no-install-recommends {}`",
            packages.join(" ")
        ),
    );
    false
}

/// Fails the running test under CI, else says on standard error that it
/// is skipped, and why: written to the process's standard error itself,
/// which the test harness does not capture (it captures `eprintln!`).
#[track_caller]
fn missing(what: &str, how: &str) {
    use std::io::Write;
    let thread = std::thread::current();
    let test = thread.name().unwrap_or("this test");
    if in_ci() {
        panic!("{test} needs {what}: {how} (.ci/run does)");
    }
    let _ = writeln!(
        std::io::stderr(),
        "SKIPPED: {test} needs {what}: {how} (.ci/run does); with CI set this fails"
    );
}

/// Where `program` is on `PATH`, as the shell would find it.
fn on_path(program: &str) -> Option<PathBuf> {
    use std::os::unix::fs::PermissionsExt;
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .map(|dir| dir.join(program))
        .find(|p| {
            p.metadata()
                .is_ok_and(|m| m.is_file() && m.permissions().mode() & 0o111 != 0)
        })
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

pub fn vectors_dir(version: u16) -> PathBuf {
    Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/vectors")).join(format!("v{version}"))
}

/// The state directory (high-water marks) the binary uses for `env`.
pub fn state_dir(env: &Env) -> PathBuf {
    env.dir.path().join(".local").join("state").join("baton")
}

/// The hashes of every record of the vault at `path`, its whole log
/// verified: for telling that no record was lost.
pub fn record_hashes(path: &Path) -> Vec<[u8; 32]> {
    let bytes = std::fs::read(path).expect("read the vault");
    let file = baton::format::read::parse(&bytes).expect("parses");
    baton::vault::check_log(&file, &baton::audit::HighWater::EMPTY, true)
        .expect("the log verifies")
        .verified
        .iter()
        .map(|v| v.hash)
        .collect()
}
