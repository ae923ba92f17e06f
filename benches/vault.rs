//! Baton's performance suite (PRODUCT.md §6), run by
//! `cargo bench --bench vault`. A plain `harness = false` binary: each
//! measure is warmed up, then timed N times with `std::time::Instant`, and
//! the table shows the median (with min and max) beside its target.
//!
//! Sections (name one or more after `--` to run only those):
//! - `open`: `format::read::parse` (structure, manifest signature, seal
//!   over the whole file) and `vault::unlock` (slot with a negligible
//!   8 KiB KDF, group keys, decrypt, decode) on a 100,000-entry vault.
//! - `search`: `search::Index::build` once, then `Index::query` per
//!   keystroke for 1-, 3- and 6-character queries.
//! - `tui`: a keystroke in the TUI's search field as the runtime handles
//!   it: `tui::update::update` (which filters the 100,000 entries) and
//!   drawing the whole screen into a 120×40 `TestBackend`.
//! - `save`: edit one entry, `Vault::seal`, `store::save` into a temporary
//!   directory on disk (real fsync of the file and the directory).
//! - `argon2`: `crypto::kdf::derive` at m=64 MiB and m=256 MiB, t=3, with
//!   p=4 and p=1, the CPU time per wall time, and the reference C
//!   implementation (`argon2` command, Debian package `argon2`) beside it.
//!
//! Options after `--`: `--entries N` (default 100000), `--runs N` (default
//! 15), `--warmup N` (default 3). Without `--bench` (as under
//! `cargo test --benches`) every section runs once on a small vault, as a
//! smoke test.

// Tests and benchmarks set up real files, processes and clocks.
#![allow(
    clippy::disallowed_methods,
    clippy::disallowed_macros,
    clippy::disallowed_types
)]

#[allow(dead_code)]
mod common;

/// The binary's allocator (src/main.rs), which wipes what it frees, so
/// that the figures are those of the program people run.
#[global_allocator]
static ALLOCATOR: secmem_alloc::zeroizing_alloc::ZeroizeAlloc<std::alloc::System> =
    secmem_alloc::zeroizing_alloc::ZeroizeAlloc::new(std::alloc::System);

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use baton::audit::HighWater;
use baton::crypto::kdf::{self, KdfParams};
use baton::format::read;
use baton::search;
use baton::secret::{Concealed, Passphrase};
use baton::store;
use baton::vault::{self, Credential, Vault};
use common::{NOW, PASSPHRASE, Stats, WEAK_KDF, measure, ms};
use rand::SeedableRng;
use rand::rngs::StdRng;

struct Opts {
    full: bool,
    entries: usize,
    runs: usize,
    warmup: usize,
    sections: Vec<String>,
}

impl Opts {
    fn parse() -> Opts {
        let mut o = Opts {
            full: false,
            entries: 100_000,
            runs: 15,
            warmup: 3,
            sections: Vec::new(),
        };
        let mut args = std::env::args().skip(1);
        let mut explicit_entries = false;
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
                    explicit_entries = true;
                }
                "--runs" => o.runs = num("--runs").max(1),
                "--warmup" => o.warmup = num("--warmup"),
                s if s.starts_with('-') => {} // libtest flags under `cargo test`
                s => o.sections.push(s.to_owned()),
            }
        }
        if !o.full {
            // A smoke run: small, once, fast.
            if !explicit_entries {
                o.entries = 2_000;
            }
            o.runs = 1;
            o.warmup = 0;
        }
        o
    }

    fn wants(&self, section: &str) -> bool {
        self.sections.is_empty() || self.sections.iter().any(|s| s == section)
    }
}

/// One line of a results table.
struct Row {
    name: String,
    stats: Stats,
    target: Option<Duration>,
    note: String,
}

fn row(name: impl Into<String>, stats: Stats, target: Option<Duration>, note: &str) -> Row {
    Row {
        name: name.into(),
        stats,
        target,
        note: note.to_owned(),
    }
}

fn verdict(median: Duration, target: Duration) -> String {
    let r = median.as_secs_f64() / target.as_secs_f64();
    if r <= 1.0 {
        format!("met ({:.0}% of target)", r * 100.0)
    } else {
        format!("MISSED ({r:.2}x target)")
    }
}

fn print_table(title: &str, rows: &[Row]) {
    println!();
    println!("## {title}");
    println!();
    println!(
        "| {:<46} | {:>10} | {:>10} | {:>10} | {:>9} | {:<26} | note |",
        "measure", "median ms", "min ms", "max ms", "target", "verdict"
    );
    println!(
        "|{:-<48}|{:->11}:|{:->11}:|{:->11}:|{:->10}:|{:-<28}|------|",
        "", "", "", "", "", ""
    );
    for r in rows {
        let (target, verdict) = match r.target {
            Some(t) => (
                format!("< {} ms", t.as_millis()),
                verdict(r.stats.median(), t),
            ),
            None => (String::from("-"), String::from("-")),
        };
        println!(
            "| {:<46} | {:>10} | {:>10} | {:>10} | {:>9} | {:<26} | {} |",
            r.name,
            ms(r.stats.median()),
            ms(r.stats.min()),
            ms(r.stats.max()),
            target,
            verdict,
            r.note
        );
    }
}

fn ram() -> u64 {
    baton::os::ram_bytes()
}

fn unlock(bytes: &[u8]) -> Vault {
    let pass = Passphrase::from_slice(PASSPHRASE.as_bytes());
    let file = read::parse(bytes).expect("bench vault parses");
    vault::unlock(
        file,
        Credential::Passphrase {
            member: None,
            passphrase: &pass,
        },
        NOW,
        ram(),
        &HighWater::EMPTY,
    )
    .expect("bench vault unlocks")
}

/// Builds the bench vault, reporting how long that took.
fn setup(o: &Opts) -> Vec<u8> {
    let t = Instant::now();
    let specs = common::generate(o.entries, 1);
    let gen_time = t.elapsed();
    let (v, bytes) = common::build_vault(specs, WEAK_KDF, true, 0xba70);
    drop(v);
    println!(
        "setup: {} entries generated in {} ms, vault built and sealed in {} ms total; file {:.1} MB",
        o.entries,
        gen_time.as_millis(),
        t.elapsed().as_millis(),
        bytes.len() as f64 / 1e6
    );
    bytes
}

fn bench_open(o: &Opts, bytes: &[u8]) {
    let pass = Passphrase::from_slice(PASSPHRASE.as_bytes());
    let mut parse_t = Vec::new();
    let mut unlock_t = Vec::new();
    let mut total_t = Vec::new();
    let mut entries = 0;
    for i in 0..o.warmup + o.runs {
        let t0 = Instant::now();
        let file = read::parse(bytes).expect("bench vault parses");
        let t1 = Instant::now();
        let v = vault::unlock(
            file,
            Credential::Passphrase {
                member: None,
                passphrase: &pass,
            },
            NOW,
            ram(),
            &HighWater::EMPTY,
        )
        .expect("bench vault unlocks");
        let t2 = Instant::now();
        entries = v.entry_count();
        drop(v); // dropping (zeroizing) is the lock's cost, not the open's
        if i >= o.warmup {
            parse_t.push(t1 - t0);
            unlock_t.push(t2 - t1);
            total_t.push(t2 - t0);
        }
    }
    assert_eq!(entries, o.entries);
    let kdf_t = measure(o.warmup, o.runs, || {
        kdf::derive(PASSPHRASE.as_bytes(), &[7; kdf::SALT_LEN], &WEAK_KDF).expect("weak kdf");
    });

    // What the CLI adds before parsing: reading the file and fingerprinting it.
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("vault.baton");
    std::fs::write(&path, bytes).expect("write bench vault");
    let read_t = measure(o.warmup, o.runs, || {
        let b = store::read(&path).expect("read");
        std::hint::black_box(store::fingerprint(&b));
    });

    let parts = open_breakdown(o, bytes);
    let target = Duration::from_millis(150);
    let mut rows = vec![
        row(
            "parse (structure + manifest sig + seal)",
            Stats::new(parse_t),
            None,
            "format::read::parse",
        ),
        row(
            "unlock (slot, group keys, decrypt, decode)",
            Stats::new(unlock_t),
            None,
            "vault::unlock, KDF m=8 KiB t=1 p=1",
        ),
        row(
            "open total (parse + unlock)",
            Stats::new(total_t),
            Some(target),
            "PRODUCT.md §6",
        ),
        row(
            "  of which the 8 KiB KDF",
            kdf_t,
            None,
            "kdf::derive, included above",
        ),
    ];
    rows.extend(parts);
    rows.push(row(
        "read file + fingerprint (CLI adds this)",
        read_t,
        None,
        "store::read + store::fingerprint, page cache",
    ));
    print_table(
        &format!("Open a {}-entry vault, excluding the KDF", o.entries),
        &rows,
    );
}

/// The main steps of parse and unlock, timed one by one through the public
/// API on data of the same size: where the open's time goes.
fn open_breakdown(o: &Opts, bytes: &[u8]) -> Vec<Row> {
    use baton::crypto::aead;
    use baton::format::{HEADER_LEN, Snapshot, codec, write};
    use baton::secret::Key32;
    use baton::vault::{Entry, GroupPayload};

    let body_len = u32::from_le_bytes(bytes[10..14].try_into().expect("4 bytes")) as usize;
    let body = &bytes[HEADER_LEN..HEADER_LEN + body_len];
    let decode_t = measure(o.warmup, o.runs, || {
        std::hint::black_box(codec::decode::<Snapshot>(body).expect("snapshot decodes"));
    });
    let digest_t = measure(o.warmup, o.runs, || {
        std::hint::black_box(write::seal_digest(&bytes[..HEADER_LEN + body_len]));
    });

    // Group payloads: the same plaintext unlock decodes, encoded from a
    // borrowed view (postcard encodes &str/&[T] as String/Vec<T>).
    #[derive(serde::Serialize)]
    struct View<'a> {
        name: &'a str,
        entries: &'a [Entry],
    }
    let v = unlock(bytes);
    let plains: Vec<Vec<u8>> = v
        .groups()
        .iter()
        .map(|g| {
            codec::encode(&View {
                name: &g.name,
                entries: &g.entries,
            })
        })
        .collect();
    drop(v);
    let key = Key32::from_bytes([9; 32]);
    let nonce = [3u8; aead::NONCE_LEN];
    let sealed: Vec<Vec<u8>> = plains
        .iter()
        .map(|p| aead::seal(&key, &nonce, b"aad", p))
        .collect();
    let total: usize = sealed.iter().map(Vec::len).sum();
    let decrypt_t = measure(o.warmup, o.runs, || {
        for c in &sealed {
            let mut buf = c.clone();
            aead::open_in_place(&key, &nonce, b"aad", &mut buf).expect("opens");
            std::hint::black_box(&buf);
        }
    });
    let mut decode_groups = Vec::new();
    let mut wipe = Vec::new();
    for i in 0..o.warmup + o.runs {
        let mut bufs: Vec<zeroize::Zeroizing<Vec<u8>>> = plains
            .iter()
            .map(|p| zeroize::Zeroizing::new(p.clone()))
            .collect();
        let t0 = Instant::now();
        let decoded: Vec<GroupPayload> = bufs
            .iter()
            .map(|b| codec::decode(b).expect("payload decodes"))
            .collect();
        let t1 = Instant::now();
        bufs.clear();
        let t2 = Instant::now();
        drop(decoded);
        if i >= o.warmup {
            decode_groups.push(t1 - t0);
            wipe.push(t2 - t1);
        }
    }
    let mb = total as f64 / 1e6;
    vec![
        row(
            "  parse: postcard decode of the snapshot",
            decode_t,
            None,
            &format!("codec::decode::<Snapshot>, {:.1} MB", body_len as f64 / 1e6),
        ),
        row(
            "  parse: seal digest (SHA-256 of the file)",
            digest_t,
            None,
            "write::seal_digest",
        ),
        row(
            "  unlock: copy + XChaCha20-Poly1305, 1 thread",
            decrypt_t,
            None,
            &format!("aead::open_in_place, {mb:.1} MB in {} groups", sealed.len()),
        ),
        row(
            "  unlock: decode the groups, 1 thread",
            Stats::new(decode_groups),
            None,
            "codec::decode::<GroupPayload>",
        ),
        row(
            "  unlock: zeroize plaintexts, 1 thread",
            Stats::new(wipe),
            None,
            "Zeroizing<Vec<u8>> drop",
        ),
    ]
}

fn bench_tui(o: &Opts, bytes: &[u8]) {
    use baton::session::Context;
    use baton::tui::action::{Intent, Msg};
    use baton::tui::app::{App, MainScreen, Screen, Settings};
    use baton::tui::{Now, runtime, update::update, view};
    use ratatui::{Terminal, backend::TestBackend};

    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("vault.baton");
    std::fs::write(&path, bytes).expect("write bench vault");
    let ctx = Context {
        lock_wait: Duration::from_secs(1),
        ..Context::at(path, Some(dir.path().join("state")))
    };
    let opened = runtime::open(&ctx, None, &Passphrase::from_slice(PASSPHRASE.as_bytes()))
        .expect("bench vault opens");
    let mut app = App::new(
        "vault.baton".into(),
        Screen::Main(Box::new(MainScreen::new(opened.session, opened.index))),
        Settings::default(),
    );
    let now = Now { ms: 0, unix: NOW };
    let (w, h) = (120, 40);
    let mut term = Terminal::new(TestBackend::new(w, h)).expect("test backend");
    update(&mut app, Msg::Resize(w, h), now);
    update(&mut app, Intent::Search, now);
    let mut draw = |app: &App| {
        term.draw(|f| view::render(app, f)).expect("draw");
    };
    let target = Some(Duration::from_millis(16));
    let mut rows = Vec::new();
    let draw_only = measure(o.warmup, o.runs, || draw(&app));
    rows.push(row(
        "draw the main view, 120x40 (no update)",
        draw_only,
        None,
        "view::render into TestBackend",
    ));
    // Each keystroke of "payrol", typed from an empty search, and then
    // each Backspace back to empty: update + draw, timed one by one.
    let word = "payrol";
    let n = word.chars().count();
    let mut typed: Vec<Vec<Duration>> = vec![Vec::new(); n];
    let mut erased: Vec<Vec<Duration>> = vec![Vec::new(); n];
    for i in 0..o.warmup + o.runs {
        for (k, c) in word.chars().enumerate() {
            let t = Instant::now();
            update(&mut app, Intent::Char(c), now);
            draw(&app);
            if i >= o.warmup {
                typed[k].push(t.elapsed());
            }
        }
        for samples in erased.iter_mut() {
            let t = Instant::now();
            update(&mut app, Intent::Backspace, now);
            draw(&app);
            if i >= o.warmup {
                samples.push(t.elapsed());
            }
        }
    }
    for (k, samples) in typed.into_iter().enumerate() {
        rows.push(row(
            format!("type {:?}", &word[..=k]),
            Stats::new(samples),
            target,
            "update (filter) + draw",
        ));
    }
    for (k, samples) in erased.into_iter().enumerate() {
        rows.push(row(
            format!("Backspace to {:?}", &word[..n - 1 - k]),
            Stats::new(samples),
            target,
            "update (filter) + draw",
        ));
    }
    print_table(
        &format!(
            "TUI: one keystroke in the search field, {} entries",
            o.entries
        ),
        &rows,
    );
}

fn bench_search(o: &Opts, bytes: &[u8]) {
    let v = unlock(bytes);
    let build_t = measure(o.warmup.min(1), o.runs.min(5), || {
        std::hint::black_box(search::Index::build(&v));
    });
    let index = search::Index::build(&v);
    assert_eq!(index.len(), o.entries);
    let target = Duration::from_millis(16);
    let mut rows = vec![row(
        "Index::build (once per unlock)",
        build_t,
        None,
        "not per keystroke",
    )];
    // Queries as typed: one keystroke each, all prefixes of a real search.
    let queries = [
        "p", "pay", "payrol", "g", "git", "github", "a", "acm", "acme v", "zqxjkv",
    ];
    for q in queries {
        let hits = index.query(q).len();
        let stats = measure(o.warmup, o.runs, || {
            std::hint::black_box(index.query(q));
        });
        rows.push(row(
            format!("query {q:?} ({} chars)", q.chars().count()),
            stats,
            Some(target),
            &format!("{hits} hits"),
        ));
    }
    print_table(
        &format!("Search {} entries, per keystroke", o.entries),
        &rows,
    );
    // `baton search`: open (parse + unlock, no KDF) and one search without
    // an index, against the 150 ms target for open and search.
    let mut once = Vec::new();
    for q in ["payrol", "github", "acme v", "p"] {
        let stats = measure(o.warmup.min(2), o.runs.min(10), || {
            std::hint::black_box(search::search_once(&v, q));
        });
        once.push(row(
            format!("search_once {q:?} alone"),
            stats,
            None,
            "the search half of the row below",
        ));
        // Timed until the hits are ready, as `baton search` prints them;
        // dropping (zeroizing) the vault comes after, and is timed below.
        let mut samples = Vec::new();
        let mut drops = Vec::new();
        for i in 0..o.warmup.min(2) + o.runs.min(10) {
            let t0 = Instant::now();
            let w = unlock(bytes);
            std::hint::black_box(search::search_once(&w, q));
            let t1 = Instant::now();
            drop(w);
            if i >= o.warmup.min(2) {
                samples.push(t1 - t0);
                drops.push(t1.elapsed());
            }
        }
        let stats = Stats::new(samples);
        if q == "p" {
            once.push(row(
                "drop (zeroize) the vault afterwards",
                Stats::new(drops),
                None,
                "after the hits are printed",
            ));
        }
        once.push(row(
            format!("open + search_once {q:?}"),
            stats,
            Some(Duration::from_millis(150)),
            "parse + unlock + one search, no index",
        ));
    }
    print_table(
        &format!("Open and search {} entries once (baton search)", o.entries),
        &once,
    );
}

/// `baton health`: the findings over every entry, from the strength
/// scores stored with each password (so no estimator runs), against "well
/// under a second". Scoring every password once, as writes do, is timed
/// on its own.
fn bench_health(o: &Opts, bytes: &[u8]) {
    let mut v = unlock(bytes);
    let refs: Vec<_> = v.entries().map(|(r, _, _)| r).collect();
    let t = Instant::now();
    for r in &refs {
        v.edit(*r, NOW, |e| e.rescore()).expect("owner edits");
    }
    let scoring = t.elapsed();
    let policy = baton::health::Policy {
        firm_domain: Some("acme.example".into()),
        critical_groups: v.groups().iter().take(3).map(|g| g.id).collect(),
        critical_rotate_days: 90,
    };
    let found = baton::health::findings(&v, &policy, NOW).len();
    let findings_t = measure(o.warmup, o.runs, || {
        std::hint::black_box(baton::health::findings(&v, &policy, NOW));
    });
    // The whole command without the KDF: open a saved vault, then find.
    let saved = v.seal(NOW, &mut baton::os::rng()).expect("seal");
    drop(v);
    let open_t = measure(o.warmup.min(2), o.runs.min(10), || {
        let w = unlock(&saved);
        std::hint::black_box(baton::health::findings(&w, &policy, NOW));
    });
    let target = Some(Duration::from_millis(1000));
    print_table(
        &format!("Health over {} entries (baton health)", o.entries),
        &[
            row(
                "health::findings",
                findings_t,
                target,
                &format!("{found} findings"),
            ),
            row(
                "open + health::findings",
                open_t,
                target,
                "parse + unlock (no KDF) + findings",
            ),
        ],
    );
    println!(
        "\nScoring every password with zxcvbn, as writes do (once, not per `health`): {} ms for {} entries ({:.1} µs each).",
        scoring.as_millis(),
        refs.len(),
        scoring.as_secs_f64() * 1e6 / refs.len().max(1) as f64
    );
}

/// `baton export` and `baton import --from baton-json` of every entry:
/// the writers and the parser (which scores each password with zxcvbn).
fn bench_migrate(o: &Opts, bytes: &[u8]) {
    let v = unlock(bytes);
    let runs = o.runs.min(3);
    let json_t = measure(o.warmup.min(1), runs, || {
        std::hint::black_box(baton::export::to_json(&v));
    });
    let csv_t = measure(o.warmup.min(1), runs, || {
        std::hint::black_box(baton::export::to_csv(&v));
    });
    let text = baton::export::to_json(&v);
    let mb = text.len() as f64 / 1e6;
    drop(v);
    let parse_t = measure(0, 1, || {
        let got =
            baton::import::baton_json::parse(&text, NOW, &mut baton::os::rng()).expect("parses");
        std::hint::black_box(got.items.len());
    });
    let mut rows = vec![
        row("export::to_json", json_t, None, &format!("{mb:.1} MB")),
        row("export::to_csv", csv_t, None, ""),
        row(
            "import::baton_json::parse (1 run)",
            parse_t,
            None,
            "includes a zxcvbn score per password, on every core",
        ),
    ];
    rows.extend(bench_kdbx_import(o));
    print_table(&format!("Export and import {} entries", o.entries), &rows);
}

/// `import::kdbx::parse` on a KDBX 4 file of the bench's accounts,
/// written by `keepassxc-cli import` (skipped when it is not installed).
/// The file's own KDF is calibrated by KeePassXC to its least time
/// (100 ms); a run with a wrong passphrase, which stops after the KDF and
/// the header's HMAC, measures that part so it can be told apart.
fn bench_kdbx_import(o: &Opts) -> Vec<Row> {
    if Command::new("keepassxc-cli")
        .arg("--version")
        .output()
        .is_err()
    {
        println!("kdbx import: skipped (keepassxc-cli is not installed)");
        return Vec::new();
    }
    let dir = tempfile::tempdir().expect("temp dir");
    let xml = dir.path().join("bench.xml");
    let kdbx = dir.path().join("bench.kdbx");
    let specs = common::generate(o.entries, 1);
    std::fs::write(&xml, common::keepass_xml(&specs)).expect("write xml");
    let t = Instant::now();
    let mut child = Command::new("keepassxc-cli")
        .args(["import", "-q", "-p", "-t", "100"])
        .arg(&xml)
        .arg(&kdbx)
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("keepassxc-cli runs");
    {
        use std::io::Write;
        let mut stdin = child.stdin.take().expect("stdin");
        writeln!(stdin, "{PASSPHRASE}\n{PASSPHRASE}").expect("passphrase to keepassxc-cli");
    }
    assert!(
        child.wait().expect("keepassxc-cli").success(),
        "keepassxc-cli import"
    );
    let bytes = std::fs::read(&kdbx).expect("kdbx written");
    println!(
        "kdbx import: {} entries written by keepassxc-cli in {} ms; file {:.1} MB",
        o.entries,
        t.elapsed().as_millis(),
        bytes.len() as f64 / 1e6
    );
    let ram = baton::os::ram_bytes();
    let parse_t = measure(0, 1, || {
        let got = baton::import::kdbx::parse(&bytes, PASSPHRASE, ram, NOW, &mut baton::os::rng())
            .expect("parses");
        assert_eq!(got.items.len(), o.entries);
        std::hint::black_box(got.items.len());
    });
    let kdf_t = measure(0, o.runs.min(3), || {
        let got = baton::import::kdbx::parse(&bytes, "not it", ram, NOW, &mut baton::os::rng());
        assert!(matches!(
            got,
            Err(baton::import::ImportError::WrongPassphrase)
        ));
    });
    let crate_t = measure(0, 1, || {
        let db = keepass::Database::parse(
            &bytes,
            keepass::DatabaseKey::new().with_password(PASSPHRASE),
        )
        .expect("the keepass crate opens it");
        std::hint::black_box(db.root.groups.len());
    });
    let rest = parse_t.median().saturating_sub(kdf_t.median());
    vec![
        row(
            "import::kdbx::parse (1 run)",
            parse_t,
            None,
            &format!(
                "KeePassXC's KDF included; {} ms without it",
                rest.as_millis()
            ),
        ),
        row(
            "  of which the file's KDF + header",
            kdf_t,
            None,
            "a wrong passphrase",
        ),
        row(
            "  of which keepass::Database::parse (1 run)",
            crate_t,
            None,
            "the crate's decryption and XML reading, KDF included",
        ),
    ]
}

fn bench_save(o: &Opts, bytes: &[u8]) {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("vault.baton");
    let lock = store::lock(&path, "pid 0, bench: save", Duration::from_secs(5)).expect("lock");
    store::create_new(&path, bytes, &lock).expect("create vault file");
    let mut fp = store::fingerprint(bytes);
    let mut v = unlock(bytes);
    let r = v
        .entries()
        .nth(o.entries / 2)
        .map(|(r, _, _)| r)
        .expect("the vault has entries");
    let mut rng = StdRng::seed_from_u64(99);
    let (mut seal_t, mut save_t, mut total_t) = (Vec::new(), Vec::new(), Vec::new());
    let mut size = 0;
    for i in 0..o.warmup + o.runs {
        let now = NOW + 60 * (i as i64 + 1);
        let t0 = Instant::now();
        v.edit(r, now, |e| {
            e.set_password(Concealed::new(format!("new-password-{i}")), now, 1)
        })
        .expect("owner may edit");
        let t1 = Instant::now();
        let new = v.seal(now, &mut rng).expect("owner can seal");
        let t2 = Instant::now();
        store::save(&path, &new, &fp, &lock).expect("save");
        fp = store::fingerprint(&new);
        let t3 = Instant::now();
        size = new.len();
        if i >= o.warmup {
            seal_t.push(t2 - t1);
            save_t.push(t3 - t2);
            total_t.push(t3 - t0);
        }
    }
    // Two steps of Vault::seal, timed on their own through the public API.
    let last = store::read(&path).expect("read the saved vault");
    let body_len = u32::from_le_bytes(last[10..14].try_into().expect("4 bytes")) as usize;
    let body_end = baton::format::HEADER_LEN + body_len;
    let snapshot: baton::format::Snapshot =
        baton::format::codec::decode(&last[baton::format::HEADER_LEN..body_end])
            .expect("snapshot decodes");
    let encode_t = measure(o.warmup, o.runs, || {
        std::hint::black_box(baton::format::codec::encode(&snapshot));
    });
    let digest_t = measure(o.warmup, o.runs, || {
        std::hint::black_box(baton::format::write::seal_digest(&last[..body_end]));
    });
    print_table(
        &format!(
            "Save after editing one entry, {} entries ({:.1} MB file)",
            o.entries,
            size as f64 / 1e6
        ),
        &[
            row(
                "Vault::seal (re-encrypt 1 group, encode, sign)",
                Stats::new(seal_t),
                None,
                "",
            ),
            row(
                "  seal: postcard encode of the whole snapshot",
                encode_t,
                None,
                "codec::encode::<Snapshot> in write::file_bytes",
            ),
            row(
                "  seal: seal digest (SHA-256 of the file)",
                digest_t,
                None,
                "write::seal_digest",
            ),
            row(
                "store::save + fingerprint (fsync file + dir)",
                Stats::new(save_t),
                None,
                &format!("on {}", fs_of(dir.path())),
            ),
            row(
                "save total (edit + seal + store::save)",
                Stats::new(total_t),
                Some(Duration::from_millis(300)),
                "PRODUCT.md §6",
            ),
        ],
    );
}

/// The filesystem type of `p`, for the report.
fn fs_of(p: &Path) -> String {
    Command::new("df")
        .args(["--output=fstype"])
        .arg(p)
        .output()
        .ok()
        .and_then(|o| String::from_utf8(o.stdout).ok())
        .and_then(|s| s.lines().nth(1).map(|l| l.trim().to_owned()))
        .unwrap_or_else(|| "?".into())
}

/// CPU seconds from /proc/self/stat: (own user, own system, waited-for
/// children's user, children's system).
fn cpu_times() -> [f64; 4] {
    let Ok(stat) = std::fs::read_to_string("/proc/self/stat") else {
        return [0.0; 4];
    };
    let after = stat.rsplit(')').next().unwrap_or("");
    let f: Vec<f64> = after
        .split_whitespace()
        .map(|x| x.parse().unwrap_or(0.0))
        .collect();
    // Fields 14-17 of proc(5), counted from field 3 after the command name.
    let tick = 100.0; // USER_HZ on Linux
    let at = |i: usize| f.get(i).copied().unwrap_or(0.0) / tick;
    [at(11), at(12), at(13), at(14)]
}

const REF_SALT: &[u8; 16] = b"somesalt16bytes!";

/// Runs the reference C implementation once; returns the raw hash in hex.
fn reference_argon2(p: &KdfParams) -> Option<String> {
    use std::io::Write;
    let log2_m = p.memory_kib.trailing_zeros();
    let mut child = Command::new("argon2")
        .arg(std::str::from_utf8(REF_SALT).expect("ascii salt"))
        .args(["-id", "-t", &p.time.to_string(), "-m", &log2_m.to_string()])
        .args(["-p", &p.parallelism.to_string(), "-l", "32", "-r"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .ok()?;
    child.stdin.take()?.write_all(b"pw").ok()?;
    let out = child.wait_with_output().ok()?;
    out.status
        .success()
        .then(|| String::from_utf8_lossy(&out.stdout).trim().to_owned())
}

/// Who computes an Argon2id in the comparison.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Impl {
    /// `crypto::kdf::derive`, as Baton unlocks.
    Baton,
    /// The `argon2` command (reference C implementation), one process per hash.
    Reference,
    /// The same argon2 crate on memory allocated and faulted in once, to
    /// show what the fresh 64/256 MiB allocation per call costs.
    ReusedBuffer,
}

fn bench_argon2(o: &Opts) {
    let mib = |m: u32| m * 1024;
    let sizes: Vec<u32> = if o.full {
        vec![mib(64), mib(256)]
    } else {
        vec![mib(1)]
    };
    let runs = if o.full { o.runs.min(7) } else { 1 };
    let warmup = o.warmup.min(1);
    let have_ref = o.full
        && Command::new("argon2")
            .arg("-h")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .is_ok();
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    let mut rows = Vec::new();
    let mut summary = Vec::new();
    for m in sizes {
        let params = |p: u32| KdfParams {
            memory_kib: m,
            time: 3,
            parallelism: p,
        };
        // Ours p=4, ours p=1, reference p=4, reference p=1, interleaved run
        // by run so that load from elsewhere on the machine hits all alike;
        // last, the argon2 crate on a buffer allocated once (no page faults).
        let mut variants: Vec<(Impl, u32)> = vec![(Impl::Baton, 4), (Impl::Baton, 1)];
        if have_ref {
            variants.extend([(Impl::Reference, 4), (Impl::Reference, 1)]);
        }
        variants.push((Impl::ReusedBuffer, 4));
        let mut buffer = vec![argon2::Block::default(); m as usize];
        let mut samples = vec![Vec::new(); variants.len()];
        let mut cpu = vec![0.0f64; variants.len()];
        let mut sys = vec![0.0f64; variants.len()];
        let mut wall = vec![0.0f64; variants.len()];
        for i in 0..warmup + runs {
            for (k, &(imp, p)) in variants.iter().enumerate() {
                let reference = imp == Impl::Reference;
                let c0 = cpu_times();
                let t = Instant::now();
                match imp {
                    Impl::Reference => {
                        reference_argon2(&params(p)).expect("the argon2 command runs");
                    }
                    Impl::Baton => {
                        std::hint::black_box(
                            kdf::derive(b"pw", REF_SALT, &params(p)).expect("valid parameters"),
                        );
                    }
                    Impl::ReusedBuffer => {
                        let ap = argon2::Params::new(m, 3, p, Some(32)).expect("valid parameters");
                        let a = argon2::Argon2::new(
                            argon2::Algorithm::Argon2id,
                            argon2::Version::V0x13,
                            ap,
                        );
                        let mut out = [0u8; 32];
                        a.hash_password_into_with_memory(
                            b"pw",
                            REF_SALT,
                            &mut out,
                            &mut buffer[..],
                        )
                        .expect("valid parameters");
                        std::hint::black_box(out);
                    }
                }
                let d = t.elapsed();
                let c1 = cpu_times();
                if i >= warmup {
                    samples[k].push(d);
                    let (u, sy) = if reference { (2, 3) } else { (0, 1) };
                    cpu[k] += (c1[u] - c0[u]) + (c1[sy] - c0[sy]);
                    sys[k] += c1[sy] - c0[sy];
                    wall[k] += d.as_secs_f64();
                }
            }
        }
        let medians: Vec<Duration> = samples
            .iter()
            .map(|s| Stats::new(s.clone()).median())
            .collect();
        for (k, &(imp, p)) in variants.iter().enumerate() {
            let reference = imp == Impl::Reference;
            let name = match imp {
                Impl::Reference => format!("reference argon2 CLI m={} MiB t=3 p={p}", m / 1024),
                Impl::Baton => format!("baton kdf::derive m={} MiB t=3 p={p}", m / 1024),
                Impl::ReusedBuffer => {
                    format!("argon2 crate, buffer reused, m={} MiB p={p}", m / 1024)
                }
            };
            let note = if wall[k] < 0.5 {
                String::from("too short to measure CPU time (10 ms ticks)")
            } else {
                format!(
                    "{:.2} cores busy, {:.0}% of CPU in the kernel{}",
                    cpu[k] / wall[k],
                    100.0 * sys[k] / cpu[k].max(1e-9),
                    if reference { "; whole process" } else { "" }
                )
            };
            rows.push(row(name, Stats::new(samples[k].clone()), None, &note));
        }
        if have_ref {
            for (k, p) in [(0usize, 4u32), (1, 1)] {
                let ours = kdf::derive(b"pw", REF_SALT, &params(p)).expect("valid parameters");
                let same = reference_argon2(&params(p))
                    .is_some_and(|h| h == data_encoding::HEXLOWER.encode(ours.expose()));
                let r = medians[k].as_secs_f64() / medians[k + 2].as_secs_f64();
                summary.push(format!(
                    "m={} MiB p={p}: baton {} ms vs reference C {} ms: baton/ref = {r:.2} ({}); same key: {}",
                    m / 1024,
                    ms(medians[k]),
                    ms(medians[k + 2]),
                    if r <= 1.0 {
                        "met: no slower"
                    } else if r <= 1.05 {
                        "a tie within 5%, below this machine's run-to-run spread"
                    } else {
                        "MISSED: slower"
                    },
                    if same { "yes" } else { "NO" }
                ));
            }
        }
        if !o.full {
            continue; // too short to judge
        }
        let ratio = medians[1].as_secs_f64() / medians[0].as_secs_f64();
        let ideal = cores.min(4) as f64;
        let busy = cpu[0] / wall[0];
        // What the lanes can get here: the reference's own threads are the
        // yardstick when it is installed (a shared VM may not give 2.0).
        let yardstick = if have_ref {
            format!("reference C p=4 keeps {:.2} cores busy", cpu[2] / wall[2])
        } else {
            format!("ideal {ideal:.1}")
        };
        let parallel = if have_ref {
            busy >= 0.9 * (cpu[2] / wall[2])
        } else {
            busy >= 0.75 * ideal
        };
        summary.push(format!(
            "m={} MiB: p=1 / p=4 wall-time ratio = {ratio:.2}; baton p=4 keeps {busy:.2} of {cores} cores busy \
             ({yardstick}): {}",
            m / 1024,
            if parallel {
                "lanes run in parallel"
            } else {
                "lanes do NOT run fully in parallel"
            }
        ));
    }
    print_table("Argon2id (crypto::kdf::derive)", &rows);
    println!();
    for s in summary {
        println!("- {s}");
    }
    if o.full && !have_ref {
        println!("- the reference `argon2` command is not installed (apt-get install argon2)");
    }
}

fn main() {
    let o = Opts::parse();
    let cpu = std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("model name"))
                .and_then(|l| l.split(':').nth(1))
                .map(|m| m.trim().to_owned())
        })
        .unwrap_or_else(|| "unknown CPU".into());
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    println!(
        "# Baton benchmarks{}: {} entries, median of {} runs after {} warm-up; {cores} cores, {cpu}",
        if o.full { "" } else { " (smoke run)" },
        o.entries,
        o.runs,
        o.warmup
    );
    let needs_vault = ["open", "search", "tui", "save", "health", "migrate"]
        .iter()
        .any(|s| o.wants(s));
    let bytes = if needs_vault { setup(&o) } else { Vec::new() };
    if o.wants("open") {
        bench_open(&o, &bytes);
    }
    if o.wants("search") {
        bench_search(&o, &bytes);
    }
    if o.wants("tui") {
        bench_tui(&o, &bytes);
    }
    if o.wants("save") {
        bench_save(&o, &bytes);
    }
    if o.wants("health") {
        bench_health(&o, &bytes);
    }
    if o.wants("migrate") {
        bench_migrate(&o, &bytes);
    }
    if o.wants("argon2") {
        bench_argon2(&o);
    }
}
