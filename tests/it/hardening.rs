//! Faults and hostile input: every corruption of a small vault, and
//! processes killed in the middle of saves and log appends.
//!
//! Corruption (PRODUCT.md §2 invariant 2): every single-bit flip of every
//! byte and every truncation of a vault with appended access-log records
//! goes through the functions the binary opens a vault with
//! (`session::load` and `unlock_loaded`) and those `baton log verify`
//! uses (`store::read`, `read::parse`, `vault::check_log`), and must come
//! back as an integrity error (exit 4) or an unlock error (exit 3) —
//! never success, never a panic. A sample of flips, one per region of the
//! file, goes through the binary itself.
//!
//! Crashes (invariant 7): debug builds die by SIGKILL at the step of a
//! save, an append or a high-water update that `BATON_CRASH_AT` names
//! (`store::CRASH_POINTS`); after each, the vault opens, its log verifies,
//! it holds the old or the new entries, and every record of a command that
//! had finished is still there. Then the same with kills at arbitrary
//! moments. Release builds ignore the variable.

use std::collections::BTreeSet;
use std::os::unix::process::ExitStatusExt;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::{Path, PathBuf};
use std::process::Output;
use std::time::{Duration, Instant};

use baton::cli::{CliError, Exit};
use baton::format::{HEADER_LEN, SEAL_LEN, codec, read};
use baton::secret::Passphrase;
use baton::session::{self, Context};
use baton::{store, vault};
use serde_json::Value;

use crate::common::{
    Env, INIT_WEAK, PASS, code, contains, files_under, json, ok_with_input, release_bin, state_dir,
    stderr,
};

/// The password of the entry the tests reveal; it must never reach a file
/// in the clear, crash or not.
const MAIL_PASSWORD: &str = "mail password 7Qx!vR2#kLp9";
const BANK_PASSWORD: &str = "bank password Zt4$wq8&Yh3m";

/// A small vault made by the binary: two entries, one of them revealed,
/// and a listing, so that two access-log records sit in frames after the
/// seal; this machine's high-water mark covers them.
fn small_vault() -> Env {
    let env = Env::new();
    env.init();
    env.ok_stdin(
        &[
            "add",
            "Mail",
            "--username",
            "it@acme.example",
            "--password-stdin",
        ],
        MAIL_PASSWORD,
    );
    env.ok_stdin(&["add", "Bank", "--password-stdin"], BANK_PASSWORD);
    assert_eq!(env.ok(&["get", "Mail"]).trim(), MAIL_PASSWORD);
    env.ok(&["list"]);
    env
}

// ---------------------------------------------------------------------------
// Corruption
// ---------------------------------------------------------------------------

/// Where each byte of a vault file belongs, for reports and for choosing
/// one byte per region.
struct Regions {
    len: usize,
    /// `[start, end)` and a name; the first range that holds a byte names it.
    ranges: Vec<(usize, usize, &'static str)>,
    sealed_len: usize,
}

impl Regions {
    fn of(bytes: &[u8]) -> Regions {
        let file = read::parse(bytes).expect("the fixture parses");
        let snap = &file.snapshot;
        let body_end = file.sealed_len - SEAL_LEN;
        let find = |needle: &[u8]| -> usize {
            bytes[..body_end]
                .windows(needle.len())
                .position(|w| w == needle)
                .expect("the field's bytes are in the snapshot")
        };
        let mut ranges = vec![
            (0, 8, "header: magic"),
            (8, 10, "header: version"),
            (10, HEADER_LEN, "header: snapshot length"),
        ];
        for slot in &snap.slots {
            let salt = find(&slot.salt);
            let kdf = codec::encode(&slot.kdf).len();
            ranges.push((salt - kdf, salt, "slot: KDF parameters"));
            let enc = codec::encode(slot);
            let start = find(&enc);
            ranges.push((start, start + enc.len(), "slot: salt, nonce, wrapped keys"));
        }
        for blob in &snap.groups {
            let start = find(&blob.ciphertext);
            ranges.push((start, start + blob.ciphertext.len(), "group ciphertext"));
        }
        let m = find(&snap.manifest.body);
        ranges.push((m, m + snap.manifest.body.len(), "signed manifest"));
        for rec in &snap.log {
            let start = find(rec);
            ranges.push((start, start + rec.len(), "folded log records"));
        }
        ranges.push((HEADER_LEN, body_end, "snapshot: other fields"));
        ranges.push((body_end, file.sealed_len, "seal"));
        let mut at = file.sealed_len;
        for rec in &file.tail {
            ranges.push((at, at + 6, "log frame: marker and length"));
            ranges.push((at + 6, at + 6 + rec.len(), "log frame: signed record"));
            at += 6 + rec.len();
        }
        Regions {
            len: bytes.len(),
            ranges,
            sealed_len: file.sealed_len,
        }
    }

    fn name(&self, pos: usize) -> &'static str {
        self.ranges
            .iter()
            .find(|(s, e, _)| (*s..*e).contains(&pos))
            .map_or("beyond the end", |r| r.2)
    }
}

/// What opening a changed file gave.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum Refusal {
    /// Exit 4: not a vault, newer version, damaged or altered, KDF bounds.
    Integrity,
    /// Exit 4: the log lacks the last record this machine saw.
    RolledBack,
    /// Exit 3: wrong passphrase or unknown member.
    Unlock,
}

/// Classifies an error by the exit code the binary would give and checks
/// that its message says what happened.
fn refusal(e: &CliError) -> Result<Refusal, String> {
    let m = &e.message;
    match e.exit {
        Exit::Integrity if m.contains("rolled back") => Ok(Refusal::RolledBack),
        Exit::Integrity
            if m.contains("damaged or was altered")
                || m.contains("not a Baton vault")
                || m.contains("newer Baton")
                || m.contains("key derivation parameters") =>
        {
            Ok(Refusal::Integrity)
        }
        Exit::Unlock if m.contains("wrong passphrase") || m.contains("no member named") => {
            Ok(Refusal::Unlock)
        }
        other => Err(format!("exit {} ({other:?}): {m}", other as i32)),
    }
}

/// One scratch copy of the vault and of this machine's state, so that
/// each thread opens its own file.
struct Scratch {
    _dir: tempfile::TempDir,
    ctx: Context,
    mark: Option<(PathBuf, Vec<u8>)>,
}

impl Scratch {
    /// `mark`: this machine's high-water file for the vault (relative path
    /// under the state directory, contents), or none for a machine that
    /// never saw it.
    fn new(mark: Option<&(PathBuf, Vec<u8>)>) -> Scratch {
        let dir = tempfile::tempdir().expect("temp dir");
        let state = dir.path().join("state");
        let ctx = Context {
            lock_wait: Duration::from_millis(0),
            ..Context::at(dir.path().join("vault.baton"), Some(state))
        };
        let s = Scratch {
            _dir: dir,
            ctx,
            mark: mark.cloned(),
        };
        s.reset_state();
        s
    }

    /// Puts this machine's state back as it was: the mark, or none (an
    /// opening that succeeds writes one).
    fn reset_state(&self) {
        let seen = self.ctx.state_dir.as_ref().expect("state dir").join("seen");
        let _ = std::fs::remove_dir_all(&seen);
        std::fs::create_dir_all(&seen).expect("state dir");
        if let Some((rel, text)) = &self.mark {
            std::fs::write(seen.join(rel), text).expect("copy the mark");
        }
    }

    /// Writes `bytes` as the vault, then opens it as `baton list` does
    /// and verifies it as `baton log verify` does. `Ok` carries, for each
    /// way, the record hashes of the log it accepted and whether a torn
    /// frame was dropped. A panic is reported as an `Err`.
    fn try_open(&self, bytes: &[u8]) -> Result<[Result<Opened, CliError>; 2], String> {
        std::fs::write(&self.ctx.vault, bytes).expect("write the scratch vault");
        let ctx = &self.ctx;
        let open = catch_unwind(AssertUnwindSafe(|| -> Result<Opened, CliError> {
            let loaded = session::load(ctx, false, "hardening test")?;
            let pw = Passphrase::from_slice(PASS.as_bytes());
            let s = session::unlock_loaded(ctx, loaded, None, &pw, false)?;
            Ok(Opened {
                log: s.vault.log().iter().map(|v| v.hash).collect(),
                torn: s.vault.torn_tail(),
            })
        }))
        .map_err(|p| format!("opening panicked: {}", panic_text(&p)))?;
        let verify = catch_unwind(AssertUnwindSafe(|| -> Result<Opened, CliError> {
            let bytes = store::read(&ctx.vault)?;
            let file = read::parse(&bytes)?;
            let seen = ctx.seen(&file.snapshot.vault_id)?;
            let checked = vault::check_log(&file, &seen, true)?;
            Ok(Opened {
                log: checked.verified.iter().map(|v| v.hash).collect(),
                torn: checked.torn_tail,
            })
        }))
        .map_err(|p| format!("`log verify` panicked: {}", panic_text(&p)))?;
        if open.is_ok() || verify.is_ok() {
            self.reset_state();
        }
        Ok([open, verify])
    }
}

struct Opened {
    log: Vec<[u8; 32]>,
    torn: bool,
}

fn panic_text(p: &Box<dyn std::any::Any + Send>) -> String {
    p.downcast_ref::<&str>()
        .map(|s| (*s).to_owned())
        .or_else(|| p.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "(no message)".to_owned())
}

/// One changed copy of the file: a bit flipped or a cut.
#[derive(Clone, Copy, Debug)]
enum Change {
    Flip { pos: usize, bit: u8 },
    Cut { len: usize },
}

impl Change {
    fn apply(self, original: &[u8], buf: &mut Vec<u8>) {
        buf.clear();
        match self {
            Change::Flip { pos, bit } => {
                buf.extend_from_slice(original);
                buf[pos] ^= 1 << bit;
            }
            Change::Cut { len } => buf.extend_from_slice(&original[..len]),
        }
    }

    fn pos(self) -> usize {
        match self {
            Change::Flip { pos, .. } => pos,
            Change::Cut { len } => len,
        }
    }

    fn describe(self, regions: &Regions) -> String {
        match self {
            Change::Flip { pos, bit } => {
                format!("bit {bit} of byte {pos} ({})", regions.name(pos))
            }
            Change::Cut { len } => format!(
                "the file cut to {len} of {} bytes (in {})",
                regions.len,
                regions.name(len)
            ),
        }
    }
}

/// The fixture's bytes, this machine's mark for it, and the log's record
/// hashes.
struct Fixture {
    _env: Env,
    bytes: Vec<u8>,
    mark: (PathBuf, Vec<u8>),
    log: Vec<[u8; 32]>,
}

fn fixture() -> Fixture {
    let env = small_vault();
    let bytes = env.bytes();
    let file = read::parse(&bytes).expect("parses");
    assert!(file.tail.len() >= 2, "the fixture has appended log records");
    let rel = PathBuf::from(
        file.snapshot
            .vault_id
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect::<String>(),
    );
    let text =
        std::fs::read(state_dir(&env).join("seen").join(&rel)).expect("the binary left a mark");
    let mark = (rel, text);
    let s = Scratch::new(Some(&mark));
    let [open, verify] = s.try_open(&bytes).expect("no panic");
    let log = open.expect("the fixture opens").log;
    assert_eq!(verify.expect("the fixture verifies").log, log);
    let seen = store::read_high_water(&state_dir(&env), &file.snapshot.vault_id).unwrap();
    assert_eq!(
        seen.count,
        log.len() as u64,
        "the mark covers the whole log"
    );
    Fixture {
        _env: env,
        bytes,
        mark,
        log,
    }
}

/// Runs `check` on every change, on all cores, each thread with its own
/// scratch vault; returns the failures.
fn for_each_change(
    changes: &[Change],
    original: &[u8],
    mark: Option<&(PathBuf, Vec<u8>)>,
    check: &(dyn Fn(Change, [Result<Opened, CliError>; 2]) -> Result<(), String> + Sync),
) -> Vec<(Change, String)> {
    let threads = std::thread::available_parallelism().map_or(2, |n| n.get());
    std::thread::scope(|scope| {
        let handles: Vec<_> = (0..threads)
            .map(|t| {
                scope.spawn(move || {
                    let scratch = Scratch::new(mark);
                    let mut buf = Vec::with_capacity(original.len());
                    let mut failures = Vec::new();
                    for &c in changes.iter().skip(t).step_by(threads) {
                        c.apply(original, &mut buf);
                        let outcome = scratch.try_open(&buf).and_then(|o| check(c, o));
                        if let Err(why) = outcome {
                            failures.push((c, why));
                        }
                    }
                    failures
                })
            })
            .collect();
        handles
            .into_iter()
            .flat_map(|h| h.join().expect("a checking thread"))
            .collect()
    })
}

fn assert_no_failures(what: &str, failures: &[(Change, String)], regions: &Regions) {
    if failures.is_empty() {
        return;
    }
    let shown: Vec<String> = failures
        .iter()
        .take(20)
        .map(|(c, why)| format!("  {}: {why}", c.describe(regions)))
        .collect();
    panic!(
        "{what}: {} of the changes were not refused as they must be, first ones:\n{}",
        failures.len(),
        shown.join("\n")
    );
}

fn all_changes(len: usize, from: usize) -> Vec<Change> {
    let mut changes: Vec<Change> = (from..len)
        .flat_map(|pos| (0..8).map(move |bit| Change::Flip { pos, bit }))
        .collect();
    changes.extend((from..len).map(|len| Change::Cut { len }));
    changes
}

/// Every flipped bit and every cut, on the machine that wrote the vault:
/// each is refused by opening and by `log verify`, with an integrity
/// error (exit 4) or an unlock error (exit 3), and nothing panics.
#[test]
fn every_flipped_bit_and_every_cut_is_refused_without_a_panic() {
    let started = Instant::now();
    let fx = fixture();
    let regions = Regions::of(&fx.bytes);
    let changes = all_changes(fx.bytes.len(), 0);
    let tally = std::sync::Mutex::new(std::collections::BTreeMap::new());
    let failures = for_each_change(&changes, &fx.bytes, Some(&fx.mark), &|c, outcomes| {
        let mut kinds = Vec::new();
        for (way, o) in ["opening", "`log verify`"].iter().zip(outcomes) {
            match o {
                Ok(opened) => {
                    return Err(format!("{way} accepted it ({} records)", opened.log.len()));
                }
                Err(e) => kinds.push(refusal(&e).map_err(|why| format!("{way}: {why}"))?),
            }
        }
        let mut t = tally.lock().unwrap();
        *t.entry((regions.name(c.pos()), kinds[0])).or_insert(0u32) += 1;
        Ok(())
    });
    assert_no_failures("on the machine that saw the log", &failures, &regions);
    let t = tally.into_inner().unwrap();
    eprintln!(
        "{} changes of a {}-byte vault refused in {:.1?}:",
        changes.len(),
        fx.bytes.len(),
        started.elapsed()
    );
    for ((region, kind), n) in &t {
        eprintln!("  {region:<32} {kind:?}: {n}");
    }
    // Every region was reached, so no range of the file went unchecked.
    for (_, _, name) in &regions.ranges {
        assert!(
            t.keys().any(|(r, _)| r == name),
            "no change landed in {name}"
        );
    }
}

/// A machine that never saw the vault has no high-water mark, so a log
/// cut after its seal looks like one a crash cut short (FORMAT.md §15):
/// that, and only that, opens. Every change to the frames after the seal
/// is refused, or opens as a strict prefix of the log — flagged as torn
/// when the cut is not at a frame's end. Nothing panics.
#[test]
fn without_a_high_water_mark_a_changed_log_opens_only_as_a_cut_one() {
    let fx = fixture();
    let regions = Regions::of(&fx.bytes);
    let changes = all_changes(fx.bytes.len(), regions.sealed_len);
    let cut_opened = std::sync::atomic::AtomicUsize::new(0);
    let failures = for_each_change(&changes, &fx.bytes, None, &|c, outcomes| {
        for (way, o) in ["opening", "`log verify`"].iter().zip(outcomes) {
            match o {
                Err(e) => {
                    refusal(&e).map_err(|why| format!("{way}: {why}"))?;
                }
                Ok(opened) => {
                    let n = opened.log.len();
                    if n >= fx.log.len() || opened.log[..] != fx.log[..n] {
                        return Err(format!(
                            "{way} accepted a log that is not a cut of the original"
                        ));
                    }
                    let at_frame_end = matches!(c, Change::Cut { len } if regions
                        .ranges
                        .iter()
                        .any(|r| r.2 == "log frame: signed record" && r.1 == len)
                        || len == regions.sealed_len);
                    if !opened.torn && !at_frame_end {
                        return Err(format!("{way} did not report the torn record"));
                    }
                    cut_opened.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                }
            }
        }
        Ok(())
    });
    assert_no_failures("on a machine that never saw the log", &failures, &regions);
    eprintln!(
        "{} changes after the seal; {} openings saw a cut log",
        changes.len(),
        cut_opened.into_inner()
    );
}

/// One flip in each region of the file, through the binary: `list` and
/// `log verify` exit 4 and say what is wrong.
#[test]
fn a_flip_in_each_region_is_refused_by_the_binary() {
    let env = small_vault();
    let good = env.bytes();
    let regions = Regions::of(&good);
    let seal = "the seal signature does not match the contents";
    // (region, offset in it (None: the middle), bit, what the error says
    // to `list` and to `log verify`)
    let cases: &[(&str, Option<usize>, u8, [&str; 2])] = &[
        ("header: magic", Some(0), 0, ["not a Baton vault"; 2]),
        // Version 2 with its lowest bit flipped reads as version 3.
        (
            "header: version",
            Some(0),
            0,
            ["newer Baton (format version 3"; 2],
        ),
        (
            "header: snapshot length",
            Some(0),
            0,
            ["the snapshot is malformed"; 2],
        ),
        (
            "slot: KDF parameters",
            None,
            0,
            ["a key slot's KDF parameters differ from the signed manifest"; 2],
        ),
        ("slot: salt, nonce, wrapped keys", None, 0, [seal; 2]),
        (
            "signed manifest",
            None,
            0,
            ["the manifest signature does not match"; 2],
        ),
        ("group ciphertext", None, 0, [seal; 2]),
        ("folded log records", None, 0, [seal; 2]),
        ("seal", None, 0, [seal; 2]),
        (
            "log frame: marker and length",
            Some(0),
            0,
            ["bytes after the seal are not an access-log record"; 2],
        ),
        // A length 256 bytes longer makes the first frame run past the
        // end of the file, as if a crash had cut it short; this machine
        // saw the records that would drop.
        (
            "log frame: marker and length",
            Some(3),
            0,
            ["the vault was rolled back: this machine has seen"; 2],
        ),
        (
            "log frame: signed record",
            None,
            0,
            // Opening skips the signatures of the record this machine saw
            // last and of those it follows, but only when the log still
            // links them: here it does not (record 4 names the changed
            // record 3), so opening, like `log verify`, checks them all.
            ["access log record 3: the signature is not alice's"; 2],
        ),
    ];
    for &(region, offset, bit, [list_says, verify_says]) in cases {
        let mut b = good.clone();
        let (s, e, _) = *regions.ranges.iter().find(|r| r.2 == region).unwrap();
        let pos = offset.map_or((s + e) / 2, |o| s + o);
        b[pos] ^= 1 << bit;
        std::fs::write(&env.vault, &b).unwrap();
        for (args, says) in [
            (&["list"][..], list_says),
            (&["log", "verify"], verify_says),
        ] {
            let out = env.run(args);
            assert_eq!(
                code(&out),
                4,
                "{region} (byte {pos}) with {args:?}: {}",
                stderr(&out)
            );
            assert!(
                stderr(&out).contains(says),
                "{region} (byte {pos}) with {args:?} should say {says:?}: {}",
                stderr(&out)
            );
        }
    }
    // The last frame's record, changed, on this machine: the log no
    // longer holds the record this machine saw last, so nothing in it is
    // taken as seen before and the changed record's signature fails.
    let last = regions
        .ranges
        .iter()
        .rfind(|r| r.2 == "log frame: signed record")
        .unwrap();
    let mut b = good.clone();
    b[last.1 - 1] ^= 1;
    std::fs::write(&env.vault, &b).unwrap();
    let out = env.run(&["list"]);
    assert_eq!(code(&out), 4, "{}", stderr(&out));
    assert!(
        stderr(&out).contains("access log record 4: the signature is not alice's"),
        "{}",
        stderr(&out)
    );
    // The same on a machine that never saw it: the signature fails.
    let elsewhere = tempfile::tempdir().unwrap();
    let out = env
        .cmd(&["log", "verify"])
        .env("XDG_STATE_HOME", elsewhere.path())
        .output()
        .unwrap();
    assert_eq!(code(&out), 4, "{}", stderr(&out));
    assert!(
        stderr(&out).contains("the signature is not alice's"),
        "{}",
        stderr(&out)
    );
    // Untouched, with the wrong passphrase: exit 3.
    std::fs::write(&env.vault, &good).unwrap();
    let out = env
        .cmd(&["list"])
        .env("BATON_PASSPHRASE", "not the passphrase")
        .output()
        .unwrap();
    assert_eq!(code(&out), 3, "{}", stderr(&out));
    assert!(
        stderr(&out).contains("wrong passphrase"),
        "{}",
        stderr(&out)
    );
    env.ok(&["list"]);
}

// ---------------------------------------------------------------------------
// Crashes
// ---------------------------------------------------------------------------

/// Runs `args` with `BATON_CRASH_AT=point` and asserts that the process
/// died there, by SIGKILL — so a point that is renamed or no longer
/// reached fails the test instead of letting it pass without a crash.
fn crash(env: &Env, point: &str, args: &[&str]) -> Output {
    let out = env
        .cmd(args)
        .env("BATON_CRASH_AT", point)
        .output()
        .expect("run baton");
    assert_eq!(
        out.status.signal(),
        Some(9),
        "baton {args:?} with BATON_CRASH_AT={point} was not killed there: {:?}\n{}",
        out.status,
        stderr(&out)
    );
    out
}

/// What a vault shows after a command completed: its entries' titles and
/// its access log as `baton log --json` prints it.
struct Seen {
    titles: BTreeSet<String>,
    log: Vec<Value>,
}

/// Checks that the vault opens whole: `log verify` and `list` exit 0,
/// the log still begins with every record `before` held (so every record
/// of a completed command survived), no file in the directory holds a
/// secret in the clear, every backup is a whole vault, and this machine's
/// high-water mark can be read. Returns what the vault now shows, and
/// whether `log verify` reported a torn frame.
fn assert_whole(env: &Env, before: &Seen, what: &str) -> (Seen, bool) {
    let out = env.run(&["log", "verify", "--json"]);
    assert_eq!(code(&out), 0, "{what}: log verify: {}", stderr(&out));
    let torn = json(&String::from_utf8_lossy(&out.stdout))["torn_tail"] == true;
    let out = env.run(&["list", "--json"]);
    assert_eq!(code(&out), 0, "{what}: list: {}", stderr(&out));
    let titles = titles(&String::from_utf8_lossy(&out.stdout));
    let log = log_records(env);
    assert!(
        log.len() >= before.log.len() && log[..before.log.len()] == before.log[..],
        "{what}: records of completed commands are missing or changed\nbefore: {:#?}\nafter: {:#?}",
        before.log,
        log
    );
    for name in files_under(env.dir.path()) {
        let bytes = std::fs::read(&name).unwrap_or_default();
        for secret in [MAIL_PASSWORD, BANK_PASSWORD] {
            assert!(
                !contains(&bytes, secret.as_bytes()),
                "{what}: {} holds a password in the clear",
                name.display()
            );
        }
    }
    for b in store::backups(&env.vault) {
        let bytes = std::fs::read(&b).unwrap();
        assert!(
            read::parse(&bytes).is_ok(),
            "{what}: {} is not a whole vault",
            b.display()
        );
    }
    let id = read::parse(&env.bytes()).unwrap().snapshot.vault_id;
    store::read_high_water(&state_dir(env), &id)
        .unwrap_or_else(|e| panic!("{what}: the high-water mark cannot be read: {e}"));
    (Seen { titles, log }, torn)
}

fn titles(list_json: &str) -> BTreeSet<String> {
    json(list_json)["entries"]
        .as_array()
        .expect("entries")
        .iter()
        .map(|e| e["title"].as_str().expect("title").to_owned())
        .collect()
}

fn log_records(env: &Env) -> Vec<Value> {
    json(&env.ok(&["log", "--json"]))["records"]
        .as_array()
        .expect("records")
        .clone()
}

fn seen_now(env: &Env) -> Seen {
    let titles = titles(&env.ok(&["list", "--json"]));
    Seen {
        titles,
        log: log_records(env),
    }
}

/// What a crashed command had done, as the next commands see it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum After {
    /// Nothing: the vault and its log are as before.
    Old,
    /// All of it: the new entry, or the record, is there.
    New,
}

/// Kills `add`, `get` and `member revoke` at every crash point of a save,
/// an append and a high-water update, one after another on the same
/// vault, and `init` at each point of creating one. After each kill the
/// vault opens whole and holds exactly the old or the new state — the one
/// the point implies — and every record of the commands that completed
/// before is still in its log.
#[test]
fn every_crash_point_leaves_a_whole_vault() {
    let started = Instant::now();
    let mut hit: BTreeSet<&str> = BTreeSet::new();
    let env = small_vault();
    let out = env
        .cmd(&[
            "member",
            "add",
            "bob",
            "--role",
            "contractor",
            "--groups",
            "General",
        ])
        .env("BATON_NEW_PASSPHRASE", "bob's passphrase, long enough")
        .output()
        .unwrap();
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let mut seen = seen_now(&env);

    // Saves: `add` writes a new file and renames it over the vault, then
    // moves this machine's high-water mark.
    let saves = [
        ("save.checked", After::Old),
        ("save.backups-shifted", After::Old),
        ("save.backups-rotated", After::Old),
        ("save.temp-partial", After::Old),
        ("save.temp-written", After::Old),
        ("save.temp-synced", After::Old),
        ("save.renamed", After::New),
        ("save.dir-synced", After::New),
        ("high-water.checked", After::New),
        ("high-water.temp-partial", After::New),
        ("high-water.temp-written", After::New),
        ("high-water.temp-synced", After::New),
        ("high-water.renamed", After::New),
    ];
    for (point, after) in saves {
        let title = format!("added at {point}");
        crash(&env, point, &["add", &title]);
        hit.insert(point);
        let (now, torn) = assert_whole(&env, &seen, point);
        assert!(!torn, "{point}: a save leaves no torn frame");
        let record = &now.log[seen.log.len()];
        match after {
            After::New => {
                let mut expected = seen.titles.clone();
                expected.insert(title.clone());
                assert_eq!(now.titles, expected, "{point}: the entries");
                assert_eq!(record["action"], "add", "{point}: {record}");
                assert_eq!(record["title"], title.as_str(), "{point}");
            }
            After::Old => {
                assert_eq!(now.titles, seen.titles, "{point}: the entries changed");
                assert_eq!(record["action"], "unlock", "{point}: {record}");
            }
        }
        seen = now;
    }

    // Appends: `get` writes its reveal record at the end of the file and
    // syncs it before showing anything.
    let appends = [
        ("append.opened", After::Old),
        ("append.partial", After::Old),
        ("append.written", After::New),
        ("append.synced", After::New),
    ];
    for (point, after) in appends {
        let out = crash(&env, point, &["get", "Mail"]);
        hit.insert(point);
        assert!(
            !contains(&out.stdout, MAIL_PASSWORD.as_bytes()),
            "{point}: a secret was shown before its record was durable"
        );
        let (now, torn) = assert_whole(&env, &seen, point);
        assert_eq!(torn, point == "append.partial", "{point}: torn frame");
        assert_eq!(now.titles, seen.titles, "{point}");
        let record = &now.log[seen.log.len()];
        let revealed = record["action"] == "reveal" && record["title"] == "Mail";
        assert_eq!(revealed, after == After::New, "{point}: {record}");
        seen = now;
    }
    // A torn frame is cut off before the next append writes: killed just
    // after that cut, the file ends at the last whole frame.
    crash(&env, "append.partial", &["get", "Mail"]);
    crash(&env, "append.torn-dropped", &["get", "Mail"]);
    hit.insert("append.torn-dropped");
    let (now, torn) = assert_whole(&env, &seen, "append.torn-dropped");
    assert!(!torn, "the torn frame was cut off");
    assert_eq!(now.log[seen.log.len()]["action"], "unlock");
    seen = now;

    // A revocation's save deletes the backups before the new file
    // replaces the old: killed between, bob is still a member and the
    // backups are gone.
    crash(&env, "save.backups-dropped", &["member", "revoke", "bob"]);
    hit.insert("save.backups-dropped");
    let (now, _) = assert_whole(&env, &seen, "save.backups-dropped");
    assert_eq!(now.log[seen.log.len()]["action"], "unlock");
    assert!(store::backups(&env.vault).is_empty());
    env.ok(&["member", "revoke", "bob"]);
    let now = seen_now(&env);
    assert!(
        now.log[seen.log.len()..]
            .iter()
            .any(|r| r["action"] == "member-revoke"),
        "the revocation went through once retried"
    );

    // Creation: the vault appears whole, by a hard link, or not at all.
    for point in [
        "create.temp-partial",
        "create.temp-written",
        "create.temp-synced",
        "create.linked",
        "create.temp-removed",
    ] {
        let env = Env::new();
        crash(&env, point, INIT_WEAK);
        hit.insert(point);
        let created = matches!(point, "create.linked" | "create.temp-removed");
        assert_eq!(env.vault.exists(), created, "{point}");
        if created {
            let (now, _) = assert_whole(
                &env,
                &Seen {
                    titles: BTreeSet::new(),
                    log: Vec::new(),
                },
                point,
            );
            assert_eq!(now.log[0]["action"], "init", "{point}");
        } else {
            let out = env.run(&["list"]);
            assert_eq!(code(&out), 1, "{point}: {}", stderr(&out));
            assert!(stderr(&out).contains("no vault"), "{}", stderr(&out));
            env.init();
            env.ok(&["log", "verify"]);
        }
    }

    let listed: BTreeSet<&str> = store::CRASH_POINTS.iter().copied().collect();
    assert_eq!(
        hit, listed,
        "every crash point is exercised, and only those"
    );
    eprintln!(
        "{} crash points, each killed and checked, in {:.1?}",
        hit.len(),
        started.elapsed()
    );
}

/// The crash points exist only in debug builds: the release binary does
/// not contain the variable's name, and with it set, it saves and
/// reveals as usual.
#[test]
fn release_builds_ignore_crash_points() {
    let debug = std::fs::read(crate::common::bin()).expect("read the test binary");
    assert!(
        contains(&debug, b"BATON_CRASH_AT"),
        "the debug binary reads BATON_CRASH_AT, so the check below means something"
    );
    let Some(release) = release_bin() else {
        return;
    };
    let bytes =
        std::fs::read(&release).unwrap_or_else(|e| panic!("read {}: {e}", release.display()));
    assert!(
        !contains(&bytes, b"BATON_CRASH_AT"),
        "{} contains the crash-point variable: is it a release build?",
        release.display()
    );
    let env = Env::new();
    let run = |point: &str, args: &[&str], input: Option<&str>| {
        let mut c = env.cmd_of(&release, args);
        c.env("BATON_CRASH_AT", point);
        ok_with_input(c, args, input)
    };
    run("create.linked", INIT_WEAK, None);
    run(
        "save.renamed",
        &["add", "Mail", "--password-stdin"],
        Some(MAIL_PASSWORD),
    );
    let out = run("append.synced", &["get", "Mail"], None);
    assert_eq!(out.trim(), MAIL_PASSWORD);
    let log = log_records(&env);
    assert!(log.iter().any(|r| r["action"] == "reveal"));
}

/// Starts `add` and `get` on a vault of a few thousand entries and kills
/// each after a delay that sweeps the length of an uninterrupted run, so
/// that kills land while the file is read, the key derived, the new file
/// written and renamed, and the record appended. After each: the vault
/// opens whole, every add that had exited 0 is there, and every record of
/// a completed command is still in the log.
#[test]
fn kills_at_any_moment_leave_a_whole_vault() {
    let started = Instant::now();
    let env = small_vault();
    let csv: String = std::iter::once("title,username,password,url,notes\n".to_owned())
        .chain((0..2000).map(|i| {
            format!(
                "Service {i},user{i}@acme.example,pw-{i}-{},https://s{i}.example,{}\n",
                i * 7919,
                "n".repeat(80)
            )
        }))
        .collect();
    let csv_path = env.dir.path().join("many.csv");
    std::fs::write(&csv_path, csv).unwrap();
    env.ok(&["import", csv_path.to_str().unwrap(), "--from", "csv"]);
    std::fs::remove_file(&csv_path).unwrap();

    // How long one uninterrupted run takes here.
    let time = |args: &[&str]| {
        let t = Instant::now();
        env.ok(args);
        t.elapsed()
    };
    let add_time = (0..3)
        .map(|i| time(&["add", &format!("timing {i}")]))
        .min()
        .unwrap();
    let get_time = (0..3).map(|_| time(&["get", "Mail"])).min().unwrap();

    let mut seen = seen_now(&env);
    let mut acknowledged: BTreeSet<String> = seen.titles.clone();
    let steps = 24u32;
    // Kills that left the new file half made beside the vault.
    let (mut killed, mut finished, mut mid_save) = (0, 0, 0);
    for i in 0..steps {
        for (cmd, took) in [("add", add_time), ("get", get_time)] {
            let delay = took * 5 / 4 * i / steps;
            let title = format!("kill {i}");
            let args: Vec<&str> = if cmd == "add" {
                vec!["add", &title]
            } else {
                vec!["get", "Mail"]
            };
            let mut child = env
                .cmd(&args)
                .stdout(std::process::Stdio::null())
                .stderr(std::process::Stdio::null())
                .spawn()
                .unwrap();
            std::thread::sleep(delay);
            let status = match child.try_wait().unwrap() {
                Some(s) => s,
                None => {
                    child.kill().unwrap();
                    child.wait().unwrap()
                }
            };
            let what = format!("{cmd} killed after {delay:?}");
            if status.success() {
                finished += 1;
                if cmd == "add" {
                    acknowledged.insert(title.clone());
                }
            } else {
                assert_eq!(status.signal(), Some(9), "{what}: {status:?}");
                killed += 1;
                let tmp = env
                    .dir
                    .path()
                    .join(format!("vault.baton.tmp.{}", child.id()));
                if tmp.exists() {
                    mid_save += 1;
                }
            }
            let (now, _) = assert_whole(&env, &seen, &what);
            assert!(
                acknowledged.is_subset(&now.titles),
                "{what}: an add that exited 0 is lost: {:?}",
                acknowledged.difference(&now.titles).collect::<Vec<_>>()
            );
            let grew = now.titles.len() - seen.titles.len();
            assert!(
                grew == 0 || (cmd == "add" && grew == 1 && now.titles.contains(&title)),
                "{what}: the entries are neither the old nor the new ones"
            );
            if cmd == "get" && status.success() {
                assert!(
                    now.log[seen.log.len()..]
                        .iter()
                        .any(|r| r["action"] == "reveal"),
                    "{what}: the acknowledged reveal is not in the log"
                );
            }
            acknowledged.extend(now.titles.iter().cloned());
            seen = now;
        }
    }
    eprintln!(
        "{killed} kills ({mid_save} while the new file was written), {finished} runs finished first \
         (add {add_time:?}, get {get_time:?}), in {:.1?}",
        started.elapsed()
    );
    assert!(
        killed >= steps as usize / 2,
        "too few runs were cut short for the test to mean anything"
    );
}

/// Regression: saves killed after keeping their backup but before
/// replacing the vault each shifted the backups again, so three such
/// crashes pushed every older generation out and left the backups all
/// copies of the current vault. A cut-off save's backup 1 is the current
/// vault already, and stays generation 1.
#[test]
fn interrupted_saves_do_not_push_out_older_backups() {
    let env = Env::new();
    env.init();
    for i in 0..4 {
        env.ok(&["add", &format!("e{i}")]);
    }
    assert_backups_are_the_last_generations(&env);
    for point in [
        "save.backups-rotated",
        "save.temp-synced",
        "save.backups-rotated",
    ] {
        crash(&env, point, &["add", "never saved"]);
    }
    env.ok(&["list"]);
    env.ok(&["add", "saved"]);
    assert_backups_are_the_last_generations(&env);
    let titles = titles(&env.ok(&["list", "--json"]));
    assert!(titles.contains("saved") && !titles.contains("never saved"));
}

/// Backups 1, 2, 3 hold the three generations before the vault's.
fn assert_backups_are_the_last_generations(env: &Env) {
    let generation = |p: &Path| {
        read::parse(&std::fs::read(p).unwrap())
            .unwrap()
            .snapshot
            .generation
    };
    let current = generation(&env.vault);
    let backups: Vec<u64> = (1..=store::BACKUP_GENERATIONS)
        .map(|g| generation(&store::backup_path(&env.vault, g)))
        .collect();
    assert_eq!(
        backups,
        vec![current - 1, current - 2, current - 3],
        "generations of backups 1..3 (the vault is {current})"
    );
}

/// A save killed after writing its temporary file leaves it beside the
/// vault; the next save, holding the lock, removes it, so killed saves do
/// not pile files up.
#[test]
fn the_next_save_removes_a_killed_saves_temporary_file() {
    let env = small_vault();
    let temps = |env: &Env| -> Vec<PathBuf> {
        files_under(env.dir.path())
            .into_iter()
            .filter(|p| {
                p.file_name()
                    .and_then(|n| n.to_str())
                    .is_some_and(|n| n.starts_with("vault.baton.tmp."))
            })
            .collect()
    };
    let out = crash(&env, "save.temp-synced", &["add", "Killed"]);
    assert_eq!(out.status.signal(), Some(9));
    assert_eq!(
        temps(&env).len(),
        1,
        "the killed save left its temporary file"
    );
    // Another name of the same shape, as a save by another process left it.
    std::fs::write(env.dir.path().join("vault.baton.tmp.1"), b"sealed bytes").unwrap();
    // Not a temporary file of the vault: left alone.
    std::fs::write(env.dir.path().join("vault.baton.tmp.notes"), b"mine").unwrap();
    assert_eq!(code(&env.run(&["add", "Saved"])), 0);
    assert!(
        temps(&env)
            .iter()
            .all(|p| p.ends_with("vault.baton.tmp.notes")),
        "{:?}",
        temps(&env)
    );
    assert!(env.dir.path().join("vault.baton.tmp.notes").exists());
}

/// Fail-closed after a failed save: once a save fails (here because the
/// file changed under the session, a conflict), the session appends no
/// record, and so reveals nothing, until a save succeeds. The terminal UI
/// keeps one session for as long as it is unlocked, so this is its path.
#[test]
fn after_a_failed_save_nothing_is_revealed() {
    use baton::session::Revealed;
    let env = small_vault();
    let ctx = Context {
        lock_wait: Duration::from_millis(0),
        ..Context::at(env.vault.clone(), Some(crate::common::state_dir(&env)))
    };
    let loaded = session::load(&ctx, true, "test").expect("loads");
    let pw = Passphrase::from_slice(crate::common::PASS.as_bytes());
    let mut s = session::unlock_loaded(&ctx, loaded, None, &pw, false).expect("unlocks");
    let (r, _, _) = s
        .vault
        .entries()
        .find(|(_, _, e)| e.title == "Mail")
        .expect("the entry");

    // A reveal goes through while saves succeed.
    let shown = session::reveal(&mut s, &ctx, r, Revealed::Field("password"), false, |e| {
        Ok::<_, baton::session::Error>(e.password.expose().to_owned())
    });
    assert_eq!(shown.expect("revealed"), MAIL_PASSWORD);

    // The file changes under the session: its next save is refused.
    let mut bytes = std::fs::read(&env.vault).unwrap();
    bytes.push(0);
    std::fs::write(&env.vault, &bytes).unwrap();
    assert!(s.save(&ctx).is_err(), "a save over a changed file");
    assert!(s.is_unsaved());

    let mut called = false;
    let refused = session::reveal(&mut s, &ctx, r, Revealed::Field("password"), false, |_| {
        called = true;
        Ok::<_, baton::session::Error>(())
    });
    let e: baton::session::Error = refused.expect_err("no reveal after a failed save");
    assert!(e.to_string().contains("nothing was revealed"), "{e}");
    assert!(!called, "the value was handed out");
    assert_eq!(
        std::fs::read(&env.vault).unwrap(),
        bytes,
        "a record was appended"
    );
}

/// A panic outside the terminal UI prints where it happened, never its
/// message (which could quote a secret): a debug-only trigger panics at
/// start with a message quoting the passphrase.
#[test]
fn a_panic_prints_no_message() {
    let env = Env::new();
    let out = env
        .cmd(&["gen"])
        .env("BATON_TEST_PANIC", "start")
        .output()
        .expect("run baton");
    let err = stderr(&out);
    assert_eq!(code(&out), 101, "{err}");
    assert!(
        err.contains("baton: internal error at src/os/mod.rs:"),
        "{err}"
    );
    assert!(!err.contains(crate::common::PASS), "{err}");
    assert!(!err.contains("deliberate"), "{err}");
    assert!(out.stdout.is_empty());

    // The trigger is compiled out of release builds.
    let Some(release) = release_bin() else {
        return;
    };
    let out = std::process::Command::new(release)
        .arg("gen")
        .env("BATON_TEST_PANIC", "start")
        .env("HOME", env.dir.path())
        .output()
        .expect("run the release binary");
    assert_eq!(code(&out), 0, "{}", stderr(&out));
}

/// Kills `baton merge` at every crash point of its save: the vault opens
/// whole every time, holding either its own entries only (killed before
/// the rename) or both copies' (after), every record of the commands that
/// completed before is still in its log, and the other copy is untouched.
#[test]
fn a_merge_killed_at_any_moment_leaves_a_whole_vault() {
    let points = [
        ("save.checked", After::Old),
        ("save.backups-shifted", After::Old),
        ("save.backups-rotated", After::Old),
        ("save.temp-partial", After::Old),
        ("save.temp-written", After::Old),
        ("save.temp-synced", After::Old),
        ("save.renamed", After::New),
        ("save.dir-synced", After::New),
        ("high-water.temp-written", After::New),
    ];
    for (point, after) in points {
        let env = small_vault();
        // Another machine's copy, changed there.
        let other = env.dir.path().join("other.baton");
        let home = env.dir.path().join("other-machine");
        std::fs::create_dir(&home).expect("home");
        std::fs::copy(&env.vault, &other).expect("copy");
        let out = env
            .cmd(&["add", "From the other machine"])
            .env("BATON_VAULT", &other)
            .env("HOME", &home)
            .output()
            .expect("run");
        assert_eq!(code(&out), 0, "{}", stderr(&out));
        env.ok(&["add", "From here"]);
        let theirs = std::fs::read(&other).expect("read");
        let seen = seen_now(&env);
        crash(&env, point, &["merge", other.to_str().expect("utf-8")]);
        let (now, _) = assert_whole(&env, &seen, point);
        let mut expected = seen.titles.clone();
        if after == After::New {
            expected.insert("From the other machine".to_owned());
        }
        assert_eq!(now.titles, expected, "{point}: the entries");
        assert_eq!(
            std::fs::read(&other).expect("read"),
            theirs,
            "{point}: the other copy changed"
        );
        // The merge can always be made again, and completes.
        env.ok(&["merge", other.to_str().expect("utf-8")]);
        assert!(
            env.ok(&["list"]).contains("From the other machine"),
            "{point}"
        );
        env.ok(&["log", "verify"]);
    }
}
