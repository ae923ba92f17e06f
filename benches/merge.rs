//! Merging two copies of a vault (PRODUCT.md §6: two 100,000-entry copies
//! that each changed 1,000 entries, under 1 s beyond the KDF), run by
//! `cargo bench --bench merge`. A plain `harness = false` binary like
//! `benches/vault.rs`.
//!
//! Two layouts: the entries spread over 20 groups, and the worst case of
//! all of them in one group (every merge then merges that whole group
//! entry by entry). Each copy changes 1,000 entries; 100 of them are
//! changed on both sides (a conflict each).
//!
//! Sections (name one or more after `--`):
//! - `library`: `read::parse` of the other copy, `Vault::merge`, and
//!   `Vault::seal` of the result, on a vault unlocked before the clock
//!   starts.
//! - `process`: `baton merge OTHER` as users run it (the release binary,
//!   a weak KDF, so the figure is all but the KDF), when
//!   `target/release/baton` exists; on a machine that opened the vault
//!   before (the usual case), and on one that never saw it.
//!
//! Options after `--`: `--entries N` (default 100000), `--runs N` (default
//! 7). Without `--bench` (as under `cargo test --benches`) it runs once
//! on 2,000 entries, as a smoke test.

// Tests and benchmarks set up real files, processes and clocks.
#![allow(
    clippy::disallowed_methods,
    clippy::disallowed_macros,
    clippy::disallowed_types
)]

#[allow(dead_code)]
mod common;

#[global_allocator]
static ALLOCATOR: secmem_alloc::zeroizing_alloc::ZeroizeAlloc<std::alloc::System> =
    secmem_alloc::zeroizing_alloc::ZeroizeAlloc::new(std::alloc::System);

use std::path::PathBuf;
use std::process::Command;
use std::time::Instant;

use baton::audit::HighWater;
use baton::format::read;
use baton::secret::{Concealed, Passphrase};
use baton::vault::{self, Credential, Vault, merge::Relation};
use common::{NOW, PASSPHRASE, Stats, WEAK_KDF, ms};

struct Opts {
    full: bool,
    entries: usize,
    runs: usize,
    sections: Vec<String>,
}

fn opts() -> Opts {
    let mut o = Opts {
        full: false,
        entries: 100_000,
        runs: 7,
        sections: Vec::new(),
    };
    let mut explicit = false;
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        let mut num = |what: &str| -> usize {
            args.next()
                .and_then(|v| v.parse().ok())
                .unwrap_or_else(|| panic!("{what} needs a number"))
        };
        match a.as_str() {
            "--bench" => o.full = true,
            "--entries" => {
                o.entries = num("--entries");
                explicit = true;
            }
            "--runs" => o.runs = num("--runs").max(1),
            s if s.starts_with('-') => {}
            s => o.sections.push(s.to_owned()),
        }
    }
    if !o.full {
        if !explicit {
            o.entries = 2_000;
        }
        o.runs = 1;
    }
    o
}

fn unlock(bytes: &[u8]) -> Vault {
    let pass = Passphrase::from_slice(PASSPHRASE.as_bytes());
    let mut v = vault::unlock(
        read::parse(bytes).expect("parses"),
        Credential::Passphrase {
            member: None,
            passphrase: &pass,
        },
        NOW,
        baton::os::ram_bytes(),
        &HighWater::EMPTY,
    )
    .expect("unlocks");
    v.set_writer(rand::random());
    v
}

/// Changes `count` entries, starting at the `from`-th, as one member's
/// session would, and seals the copy.
fn changed_copy(base: &[u8], from: usize, count: usize, what: &str) -> Vec<u8> {
    let mut v = unlock(base);
    let refs: Vec<_> = v.entries().map(|(r, _, _)| r).collect();
    for (i, r) in refs.iter().skip(from).take(count).enumerate() {
        v.edit(*r, NOW + 60, |e| {
            e.password = Concealed::new(format!("{what}-{i}-changed-password"));
            e.notes = Concealed::new(format!("changed on the {what}"));
        })
        .expect("owner edits");
    }
    v.seal(NOW + 60, &mut rand::rng()).expect("seals")
}

/// A vault of `n` entries (in one group when `one_group`), and two copies
/// of it that each changed 1,000 entries, 100 of them the same.
fn copies(n: usize, one_group: bool) -> (Vec<u8>, Vec<u8>) {
    let mut specs = common::generate(n, 7);
    if one_group {
        for s in &mut specs {
            s.group = "Everything";
        }
    }
    let (_, base) = common::build_vault(specs, WEAK_KDF, true, 0x5eed);
    let changes = 1_000.min(n / 4);
    let overlap = changes / 10;
    let ours = changed_copy(&base, 0, changes, "desk");
    let theirs = changed_copy(&base, changes - overlap, changes, "laptop");
    (ours, theirs)
}

fn library(o: &Opts, one_group: bool, ours: &[u8], theirs: &[u8]) {
    let mut samples = Vec::new();
    let mut conflicts = 0;
    for _ in 0..o.runs {
        let mut v = unlock(ours);
        let start = Instant::now();
        let file = read::parse(theirs).expect("parses");
        let parsed = start.elapsed();
        let report = v.merge(file, NOW + 120, &mut rand::rng()).expect("merges");
        let merged = start.elapsed();
        let bytes = v.seal(NOW + 120, &mut rand::rng()).expect("seals");
        samples.push(start.elapsed());
        eprintln!(
            "  parse {} ms, merge {} ms, seal {} ms",
            parsed.as_millis(),
            (merged - parsed).as_millis(),
            (start.elapsed() - merged).as_millis()
        );
        assert_eq!(report.relation, Relation::Merged);
        conflicts = report.conflicts();
        std::hint::black_box(bytes);
    }
    let stats = Stats::new(samples);
    println!(
        "| library: parse + merge + seal, {} entries{} | {} | {} | {} | < 1000 ms | {} conflicts |",
        o.entries,
        if one_group {
            " in one group"
        } else {
            " in 20 groups"
        },
        ms(stats.median()),
        ms(stats.min()),
        ms(stats.max()),
        conflicts
    );
}

fn release_bin() -> Option<PathBuf> {
    let target = std::env::var_os("CARGO_TARGET_DIR").map_or_else(
        || PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("target"),
        PathBuf::from,
    );
    let p = target.join("release").join("baton");
    p.exists().then_some(p)
}

/// `baton merge` timed as users run it. With `seen`, this machine opened
/// the vault before (a `baton list`, untimed, leaves its high-water mark),
/// as on any machine that uses the vault: the unlock then checks the
/// signatures of records it has not verified yet. Without, the machine
/// never saw the vault and checks every signature of both copies.
fn process(o: &Opts, one_group: bool, seen: bool, ours: &[u8], theirs: &[u8]) {
    let Some(bin) = release_bin() else {
        println!("process: no release binary (cargo build --release first); skipped");
        return;
    };
    let mut samples = Vec::new();
    for _ in 0..o.runs {
        let dir = tempfile::tempdir().expect("temp dir");
        let (a, b) = (
            dir.path().join("vault.baton"),
            dir.path().join("other.baton"),
        );
        std::fs::write(&a, ours).expect("write");
        std::fs::write(&b, theirs).expect("write");
        if seen {
            let out = Command::new(&bin)
                .arg("list")
                .env_clear()
                .env("HOME", dir.path())
                .env("BATON_VAULT", &a)
                .env("BATON_PASSPHRASE", PASSPHRASE)
                .output()
                .expect("run baton");
            assert!(
                out.status.success(),
                "{}",
                String::from_utf8_lossy(&out.stderr)
            );
        }
        let start = Instant::now();
        let out = Command::new(&bin)
            .args(["merge", b.to_str().expect("utf-8")])
            .env_clear()
            .env("HOME", dir.path())
            .env("BATON_VAULT", &a)
            .env("BATON_PASSPHRASE", PASSPHRASE)
            .output()
            .expect("run baton");
        samples.push(start.elapsed());
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    let stats = Stats::new(samples);
    println!(
        "| process: `baton merge`, {} entries{}, {} | {} | {} | {} | < 1000 ms | weak KDF (8 KiB) |",
        o.entries,
        if one_group {
            " in one group"
        } else {
            " in 20 groups"
        },
        if seen {
            "vault opened here before"
        } else {
            "first open on this machine"
        },
        ms(stats.median()),
        ms(stats.min()),
        ms(stats.max()),
    );
}

fn main() {
    let o = opts();
    let wants = |s: &str| o.sections.is_empty() || o.sections.iter().any(|x| x == s);
    println!("| measure | median ms | min ms | max ms | target | note |");
    println!("|---|---:|---:|---:|---|---|");
    for one_group in [false, true] {
        let t = Instant::now();
        let (ours, theirs) = copies(o.entries, one_group);
        eprintln!(
            "setup: two copies of {} entries ({:.1} MB each) in {} ms",
            o.entries,
            ours.len() as f64 / 1e6,
            t.elapsed().as_millis()
        );
        // For profiling the process by hand: the two copies, kept.
        if let Some(dir) = std::env::var_os("BATON_BENCH_KEEP") {
            let dir = PathBuf::from(dir);
            let tag = if one_group { "one" } else { "twenty" };
            std::fs::write(dir.join(format!("ours-{tag}.baton")), &ours).expect("write");
            std::fs::write(dir.join(format!("theirs-{tag}.baton")), &theirs).expect("write");
        }
        if wants("library") {
            library(&o, one_group, &ours, &theirs);
        }
        if wants("process") {
            for seen in [true, false] {
                process(&o, one_group, seen, &ours, &theirs);
            }
        }
    }
}
