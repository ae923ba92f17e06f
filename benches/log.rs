//! Access-log benchmarks (PRODUCT.md §6): appending one signed, durable
//! record (target < 5 ms, including fsync), and verifying a 100,000-record
//! log (target < 1 s). Run with `cargo bench --bench log`.

// Tests and benchmarks set up real files, processes and clocks.
#![allow(
    clippy::disallowed_methods,
    clippy::disallowed_macros,
    clippy::disallowed_types
)]

#[allow(dead_code)] // the shared helpers serve several bench binaries
mod common;

use baton::audit::{Action, Details, Draft, Field};
use baton::format::{LogHead, read, write};
use baton::vault;
use common::{NOW, WEAK_KDF, build_vault, generate, measure, ms};
use rand::SeedableRng;
use rand::rngs::StdRng;

const RECORDS: usize = 100_000;

fn reveal_draft(v: &vault::Vault, i: usize) -> Draft {
    let (r, _, e) = v.entries().nth(i % 50).expect("an entry");
    Draft {
        entry: Some(e.id.0),
        group: Some(v.group_id(r)),
        field: Some(Field::Password),
        details: Some(Details {
            note: None,
            ..v.details_for(r)
        }),
        ..Draft::new(NOW + i as i64, Action::Reveal)
    }
}

fn main() {
    let mut rng = StdRng::seed_from_u64(7);
    println!(
        "Baton access-log benchmarks ({} cores)",
        std::thread::available_parallelism().map_or(1, |n| n.get())
    );

    // Append: one record built, signed, written after the seal and fsynced.
    let (mut v, bytes) = build_vault(generate(50, 1), WEAK_KDF, true, 1);
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("vault.baton");
    std::fs::write(&path, &bytes).expect("write vault");
    let lock = baton::store::lock(&path, "bench", std::time::Duration::from_secs(1)).expect("lock");
    let (read, id) = baton::store::read_with_id(&path).expect("read the vault");
    let mut seen = baton::store::Seen::new(id, &read, read.len(), read.len());
    let mut len = bytes.len() as u64;
    let mut i = 0usize;
    let append = measure(10, 200, || {
        let rec = v.prepare_record(reveal_draft(&v, i), &mut rng);
        let frame = write::log_frame(&rec);
        baton::store::append_frame(&path, &frame, len, &mut seen, &lock).expect("append");
        len += frame.len() as u64;
        v.accept_record(rec).expect("accept");
        i += 1;
    });
    println!(
        "append one record (build + sign + write + fdatasync): median {} ms, min {} ms, max {} ms  (target < 5 ms)",
        ms(append.median()),
        ms(append.min()),
        ms(append.max())
    );
    drop(lock);

    // Verify: a vault whose log holds 100,000 records.
    let (mut v, _) = build_vault(generate(50, 2), WEAK_KDF, true, 2);
    for i in 0..RECORDS {
        let rec = v.prepare_record(reveal_draft(&v, i), &mut rng);
        v.accept_record(rec).expect("accept");
    }
    let sealed = v.seal(NOW, &mut rng).expect("seal");
    let file = read::parse(&sealed).expect("parse");
    let n = file.snapshot.log.len();
    let full = measure(1, 5, || {
        let checked = vault::check_log(&file, &LogHead::EMPTY, true).expect("verifies");
        assert_eq!(checked.verified.len(), n);
    });
    println!(
        "verify a {n}-record log (every signature, chain, bindings): median {} ms, min {} ms  (target < 1000 ms)",
        ms(full.median()),
        ms(full.min())
    );
    let manifest = &file.manifest;
    let all: Vec<Vec<u8>> = file.snapshot.log.clone();
    let legacy = file.legacy_records();
    // The last record trusted: none of the signatures are checked.
    let last = baton::audit::record_hash(all.last().expect("records"));
    let sigs_only = measure(1, 5, || {
        baton::audit::verify(&file.snapshot.vault_id, manifest, &all, legacy, None)
            .expect("verifies");
    });
    let no_sigs = measure(1, 5, || {
        baton::audit::verify(&file.snapshot.vault_id, manifest, &all, legacy, Some(&last))
            .expect("verifies");
    });
    println!(
        "  of which audit::verify: {} ms; without signatures: {} ms",
        ms(sigs_only.median()),
        ms(no_sigs.median())
    );
    let seen = baton::audit::head_of(
        &vault::check_log(&file, &LogHead::EMPTY, true)
            .expect("verifies")
            .verified,
    );
    let incremental = measure(1, 5, || {
        vault::check_log(&file, &seen, false).expect("verifies");
    });
    println!(
        "open-time check of the same log already seen by this machine (chain only): median {} ms",
        ms(incremental.median())
    );
}
