//! `import::csv::parse` on any UTF-8 text, twice: with no `--map` (columns
//! matched to field names) and with a fixed map that uses every kind of
//! target, custom and concealed fields included.
#![no_main]

use baton_fuzz::{NOW, rng};
use libfuzzer_sys::fuzz_target;

const MAP: [(&str, &str); 10] = [
    ("Name", "title"),
    ("Login", "username"),
    ("Secret", "password"),
    ("Site", "url"),
    ("Site2", "url"),
    ("Folder", "group"),
    ("Labels", "tags"),
    ("OTP", "totp"),
    ("Extra", "field:Extra"),
    ("PIN", "secret:PIN"),
];

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let _ = baton::import::csv::parse(text, &[], NOW, &mut rng());
    let map: Vec<(String, String)> = MAP
        .iter()
        .map(|(c, f)| (c.to_string(), f.to_string()))
        .collect();
    let _ = baton::import::csv::parse(text, &map, NOW, &mut rng());
});
