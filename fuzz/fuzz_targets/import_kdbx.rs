//! KeePass / KeePassXC databases: `import::kdbx::parse` with passphrase
//! "a" (that of the generated seeds) and 1 GiB of RAM. Before calling
//! it, the target reads the key derivation the header asks for, as the
//! `keepass` crate will run it (`baton_fuzz::kdbx_cost`): within the
//! fuzzing budget it runs; beyond Baton's ceiling it runs too, and Baton
//! must refuse it before deriving (a timeout there is a finding); in
//! between, where Baton would rightly spend seconds, it is skipped.
#![no_main]

use baton_fuzz::{KdfCost, NOW, kdbx_cost, no_escape, quiet_caught_panics, rng};
use libfuzzer_sys::fuzz_target;

const RAM: u64 = 1 << 30;

fuzz_target!(|data: &[u8]| {
    quiet_caught_panics();
    if kdbx_cost(data, RAM) == KdfCost::Costly {
        return;
    }
    let _ = no_escape(|| baton::import::kdbx::parse(data, "a", RAM, NOW, &mut rng()));
});
