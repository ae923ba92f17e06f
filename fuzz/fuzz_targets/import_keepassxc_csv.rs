//! `import::keepassxc_csv::parse` on any UTF-8 text (the command line refuses
//! other bytes before parsing).
#![no_main]

use baton_fuzz::{NOW, rng};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data) {
        let _ = baton::import::keepassxc_csv::parse(text, NOW, &mut rng());
    }
});
