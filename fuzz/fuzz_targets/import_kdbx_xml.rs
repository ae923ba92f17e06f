//! The KeePass import after decryption: the fuzzer's bytes are a KDBX
//! file's decrypted XML. `baton_fuzz::kdbx4_around` writes a genuine KDBX
//! 4 file around them (a key derivation of two SHA-256s, a valid header
//! HMAC and block HMACs), which `import::kdbx::parse` opens with its
//! passphrase, so every input reaches what `import_kdbx`'s mutations
//! rarely get past the block HMAC to: the nesting check, the `keepass`
//! crate's XML parser, the depth check of its tree, the attachment scan
//! and the mapping onto entries (groups, fields, TOTP, history, times).
#![no_main]

use baton_fuzz::{KDBX_PASSPHRASE, NOW, kdbx4_around, no_escape, quiet_caught_panics, rng};
use libfuzzer_sys::fuzz_target;

const RAM: u64 = 1 << 30;

fuzz_target!(|data: &[u8]| {
    quiet_caught_panics();
    let file = kdbx4_around(data);
    let _ = no_escape(|| baton::import::kdbx::parse(&file, KDBX_PASSPHRASE, RAM, NOW, &mut rng()));
});
