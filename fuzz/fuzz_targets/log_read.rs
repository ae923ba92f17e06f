//! The access log's reader and verifier: the input is appended, as the
//! bytes after the seal, to a fixed valid vault (tests/vectors/v1/ok.baton),
//! so the frame splitter, record decoding, sequence and hash chain,
//! signatures, revocation order, high-water mark and bindings all see
//! arbitrary records. The seal covers only the snapshot, so this is
//! exactly what anyone with write access to the file controls. The same
//! bytes are also read as an auditor's checkpoint line and checked
//! against the fixed vault's log.
#![no_main]

use std::sync::OnceLock;

use baton::audit::{Checkpoint, HighWater, Verified};
use baton::format::read::{self, VerifiedFile};
use baton::vault;
use libfuzzer_sys::fuzz_target;

const SEALED: &[u8] = include_bytes!("../../tests/vectors/v1/ok.baton");

fn base() -> &'static (VerifiedFile, Vec<Verified>) {
    static BASE: OnceLock<(VerifiedFile, Vec<Verified>)> = OnceLock::new();
    BASE.get_or_init(|| {
        let file = read::parse(SEALED).expect("the test vector parses");
        let log = vault::check_log(&file, &HighWater::EMPTY, true).expect("its log verifies");
        (file, log.verified)
    })
}

fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data)
        && let Some(cp) = Checkpoint::from_text(text)
    {
        let (file, verified) = base();
        let _ = cp.check(&file.snapshot.vault_id, &file.manifest, verified);
    }
    let mut bytes = Vec::with_capacity(SEALED.len() + data.len());
    bytes.extend_from_slice(SEALED);
    bytes.extend_from_slice(data);
    let Ok(file) = read::parse(&bytes) else {
        return;
    };
    let _ = vault::check_log(&file, &HighWater::EMPTY, true);
    // A remembered head from another history must be refused, not panic.
    let seen = HighWater {
        count: 2,
        hash: [7; 32],
    };
    let _ = vault::check_log(&file, &seen, false);
});
