//! A vault file from anywhere: the strict reader on arbitrary bytes; when
//! the file verifies, its access log (no passphrase needed), and when its
//! key slots ask for no more than the weak test KDF, an unlock with the
//! test vectors' passphrase. Costlier files are not unlocked: the KDF
//! ceiling is checked before allocation and has its own tests, and an
//! Argon2 run per input would slow fuzzing a thousandfold.
#![no_main]

use baton::audit::HighWater;
use baton::format::read;
use baton::secret::Passphrase;
use baton::vault::{self, Credential};
use baton_fuzz::{NOW, PASSPHRASE, WEAK_MEMORY_KIB, WEAK_PARALLELISM, WEAK_TIME};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = read::version(data);
    let Ok(file) = read::parse(data) else {
        return;
    };
    let cheap = file.snapshot.slots.iter().all(|s| {
        s.kdf.memory_kib <= WEAK_MEMORY_KIB
            && s.kdf.time <= WEAK_TIME
            && s.kdf.parallelism <= WEAK_PARALLELISM
    });
    if !cheap {
        let _ = vault::check_log(&file, &HighWater::EMPTY, true);
        return;
    }
    let passphrase = Passphrase::from_slice(PASSPHRASE.as_bytes());
    let cred = Credential::Passphrase {
        member: None,
        passphrase: &passphrase,
    };
    let Ok(v) = vault::unlock(file, cred, NOW, 1 << 30, &HighWater::EMPTY) else {
        return;
    };
    let _ = v.verify_log_fully();
    for (_, _, entry) in v.entries() {
        let _ = entry.password.expose().len();
    }
});
