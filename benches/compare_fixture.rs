//! Fixture writer for benches/keepassxc_compare.sh: writes the same seeded
//! entries as a Baton vault (through the library, at the Argon2id
//! parameters given) and as a KeePass 2 XML file for `keepassxc-cli
//! import`, and times Baton's KDF at those parameters.
//!
//! ```text
//! cargo bench --bench compare_fixture -- vault PATH ENTRIES M_KIB T P
//! cargo bench --bench compare_fixture -- xml PATH ENTRIES
//! cargo bench --bench compare_fixture -- kdf-ms M_KIB T P
//! ```
//!
//! The vault's passphrase is `common::PASSPHRASE`. Without arguments (as
//! under `cargo bench` or `cargo test --benches`) it writes a small vault
//! and XML into a temporary directory, as a smoke test.

// Tests and benchmarks set up real files, processes and clocks.
#![allow(
    clippy::disallowed_methods,
    clippy::disallowed_macros,
    clippy::disallowed_types
)]

#[allow(dead_code)]
mod common;

use std::path::Path;
use std::time::Instant;

use baton::crypto::kdf::{self, KdfParams};

/// Writes `bytes` to a new file readable by its owner only (as Baton does).
fn write_private(path: &Path, bytes: &[u8]) {
    use std::io::Write;
    use std::os::unix::fs::OpenOptionsExt;
    let mut f = std::fs::OpenOptions::new()
        .write(true)
        .create(true)
        .truncate(true)
        .mode(0o600)
        .open(path)
        .unwrap_or_else(|e| panic!("cannot create {}: {e}", path.display()));
    f.write_all(bytes).expect("write the file");
}

fn write_vault(path: &Path, entries: usize, kdf: KdfParams) {
    let specs = common::generate(entries, 1);
    // A seed of its own per file name, so each vault has its own id.
    let seed = path
        .to_string_lossy()
        .bytes()
        .fold(0xcbf2_9ce4_8422_2325u64, |h, b| {
            (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
        });
    let (_, bytes) = common::build_vault(specs, kdf, kdf.is_below_floor(), seed);
    write_private(path, &bytes);
    println!(
        "wrote {} ({entries} entries, {:.1} MB, Argon2id {kdf})",
        path.display(),
        bytes.len() as f64 / 1e6
    );
}

fn write_xml(path: &Path, entries: usize) {
    let specs = common::generate(entries, 1);
    let xml = common::keepass_xml(&specs);
    write_private(path, xml.as_bytes());
    println!(
        "wrote {} ({entries} entries, {:.1} MB)",
        path.display(),
        xml.len() as f64 / 1e6
    );
}

/// Median of 5 derivations, in whole milliseconds.
fn kdf_ms(kdf: KdfParams) -> u128 {
    let stats = common::measure(1, 5, || {
        kdf::derive(common::PASSPHRASE.as_bytes(), &[7; kdf::SALT_LEN], &kdf)
            .expect("valid parameters");
    });
    stats.median().as_millis()
}

fn num<T: std::str::FromStr>(args: &[String], i: usize, what: &str) -> T {
    args.get(i)
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| panic!("argument {i} ({what}) is missing or not a number"))
}

fn params(args: &[String], from: usize) -> KdfParams {
    KdfParams {
        memory_kib: num(args, from, "M_KIB"),
        time: num(args, from + 1, "T"),
        parallelism: num(args, from + 2, "P"),
    }
}

fn main() {
    let args: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| !a.starts_with("--"))
        .collect();
    match args.first().map(String::as_str) {
        Some("vault") => write_vault(
            Path::new(&args[1]),
            num(&args, 2, "ENTRIES"),
            params(&args, 3),
        ),
        Some("xml") => write_xml(Path::new(&args[1]), num(&args, 2, "ENTRIES")),
        Some("kdf-ms") => println!("{}", kdf_ms(params(&args, 1))),
        _ => {
            let dir = tempfile::tempdir().expect("temp dir");
            let t = Instant::now();
            write_vault(&dir.path().join("v.baton"), 200, common::WEAK_KDF);
            write_xml(&dir.path().join("v.xml"), 200);
            println!(
                "compare_fixture smoke run in {} ms (see benches/keepassxc_compare.sh)",
                t.elapsed().as_millis()
            );
        }
    }
}
