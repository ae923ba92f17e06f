//! Helpers shared by the fuzz targets in `fuzz_targets/`: fixed inputs
//! (clock, passphrase, seeded RNG), a reading of a KeePass header's key
//! derivation cost as the `keepass` crate will run it, a KDBX 4 writer
//! that wraps any bytes as a file's decrypted XML, and panic handling
//! for the one parser that catches panics itself. docs/FUZZING.md says
//! what each target calls and why.

use std::sync::{Mutex, Once};

use rand::SeedableRng;

/// The clock every target passes as `now` (2026-09-21).
pub const NOW: i64 = 1_790_000_000;

/// The passphrase of the test vectors, tried on every vault that parses.
pub const PASSPHRASE: &str = "correct horse battery staple";

/// A fixed-seed RNG, so an input that crashes once crashes every time.
pub fn rng() -> rand::rngs::StdRng {
    rand::rngs::StdRng::seed_from_u64(0x6261_746f_6e00_0001)
}

/// The weak KDF parameters the test vectors were written with (`--weak-kdf`
/// style: Argon2id m = 8 KiB, t = 1, p = 1). `vault_read` unlocks only
/// files whose every slot asks for no more than this, so that one
/// iteration stays well under a millisecond.
pub const WEAK_MEMORY_KIB: u32 = 8;
pub const WEAK_TIME: u32 = 1;
pub const WEAK_PARALLELISM: u32 = 1;

static ONCE: Once = Once::new();
static LAST_PANIC: Mutex<Option<String>> = Mutex::new(None);

/// The KDBX importer wraps the `keepass` crate in `catch_unwind` and
/// reports a panic inside it as a damaged file. libFuzzer's default hook
/// aborts at the panic, before that catch can run; this replaces it with
/// one that only remembers the message, so a panic Baton catches is not
/// a crash. A panic that escapes Baton still aborts in [`no_escape`].
/// With `BATON_FUZZ_STRICT_PANICS=1` the default hook stays, and every
/// panic, caught or not, is a crash (to list the crate's panics).
pub fn quiet_caught_panics() {
    ONCE.call_once(|| {
        if std::env::var_os("BATON_FUZZ_STRICT_PANICS").is_some() {
            return;
        }
        std::panic::set_hook(Box::new(|info| {
            if let Ok(mut last) = LAST_PANIC.lock() {
                *last = Some(info.to_string());
            }
        }));
    });
}

/// Runs `f`; a panic that gets out of it is printed and aborts, which
/// libFuzzer reports as a crash.
pub fn no_escape<T>(f: impl FnOnce() -> T) -> T {
    match std::panic::catch_unwind(std::panic::AssertUnwindSafe(f)) {
        Ok(v) => v,
        Err(_) => {
            let msg = LAST_PANIC.lock().ok().and_then(|m| m.clone());
            eprintln!(
                "panic escaped the parser: {}",
                msg.as_deref().unwrap_or("(no message)")
            );
            std::process::abort();
        }
    }
}

/// What opening a KeePass file will cost, as the `keepass` crate (0.8)
/// reads the header — not as Baton's ceiling check reads it, so that a
/// difference between the two shows up as a timeout.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum KdfCost {
    /// No derivation, or one within the fuzzing budget.
    Cheap,
    /// Within Baton's ceiling but too slow for fuzzing: skipped.
    Costly,
    /// Beyond Baton's ceiling: Baton must refuse it before deriving.
    BeyondCeiling,
}

/// Fuzzing budget: AES-KDF rounds, Argon2 memory in bytes, passes, lanes.
const BUDGET_AES_ROUNDS: u64 = 10_000;
const BUDGET_ARGON2_MEMORY: u64 = 1024 * 1024;
const BUDGET_ARGON2_PASSES: u64 = 4;
const BUDGET_ARGON2_LANES: u64 = 4;

const KDBX_ID: [u8; 4] = [0x03, 0xd9, 0xa2, 0x9a];
const KEEPASS_1_ID: u32 = 0xb54b_fb65;
const KEEPASS_LATEST_ID: u32 = 0xb54b_fb67;
const KDF_AES_KDBX3: [u8; 16] = [
    0xc9, 0xd9, 0xf3, 0x9a, 0x62, 0x8a, 0x44, 0x60, 0xbf, 0x74, 0x0d, 0x08, 0xc1, 0x8a, 0x4f, 0xea,
];
const KDF_AES_KDBX4: [u8; 16] = [
    0x7c, 0x02, 0xbb, 0x82, 0x79, 0xa7, 0x4a, 0xc0, 0x92, 0x7d, 0x11, 0x4a, 0x00, 0x64, 0x82, 0x38,
];
const KDF_ARGON2D: [u8; 16] = [
    0xef, 0x63, 0x6d, 0xdf, 0x8c, 0x29, 0x44, 0x4b, 0x91, 0xf7, 0xa9, 0xa4, 0x03, 0xe3, 0x0a, 0x0c,
];
const KDF_ARGON2ID: [u8; 16] = [
    0x9e, 0x29, 0x8b, 0x19, 0x56, 0xdb, 0x47, 0x73, 0xb2, 0x3d, 0xfc, 0x3e, 0xc6, 0xf0, 0xa1, 0xe6,
];

fn le(b: &[u8], n: usize) -> Option<u64> {
    let b = b.get(..n)?;
    Some(b.iter().rev().fold(0u64, |v, &x| (v << 8) | u64::from(x)))
}

fn aes(rounds: u64) -> KdfCost {
    if rounds > baton::import::kdbx::CEILING_AES_ROUNDS {
        KdfCost::BeyondCeiling
    } else if rounds > BUDGET_AES_ROUNDS {
        KdfCost::Costly
    } else {
        KdfCost::Cheap
    }
}

/// Reads the key derivation a KeePass file asks for the way the crate
/// does: KeePass 1 rounds at offset 120 (u32); KDBX 3.1 header field 6
/// (the first 8 bytes, last field wins); KDBX 4 header field 11, a
/// variant dictionary whose last item of each key wins and whose numbers
/// are the first 4 or 8 bytes of the value. `ram_bytes` is what the
/// target passes to the importer.
pub fn kdbx_cost(bytes: &[u8], ram_bytes: u64) -> KdfCost {
    if bytes.len() < 12 || bytes[..4] != KDBX_ID {
        return KdfCost::Cheap;
    }
    let id = le(&bytes[4..], 4).unwrap_or(0) as u32;
    if id == KEEPASS_1_ID {
        return le(bytes.get(120..).unwrap_or(&[]), 4).map_or(KdfCost::Cheap, aes);
    }
    if id != KEEPASS_LATEST_ID {
        return KdfCost::Cheap;
    }
    let major = le(&bytes[10..], 2).unwrap_or(0);
    let width = match major {
        3 => 2,
        4 => 4,
        _ => return KdfCost::Cheap,
    };
    let mut at = 12usize;
    let mut rounds = None;
    let mut dict = None;
    while let Some(&kind) = bytes.get(at) {
        let Some(len) = le(bytes.get(at + 1..).unwrap_or(&[]), width) else {
            break;
        };
        let start = at + 1 + width;
        let Some(value) = usize::try_from(len)
            .ok()
            .and_then(|l| start.checked_add(l))
            .and_then(|end| bytes.get(start..end))
        else {
            break;
        };
        at = start + value.len();
        match (major, kind) {
            (_, 0) => break,
            (3, 6) => rounds = le(value, 8),
            (4, 11) => dict = Some(value),
            _ => {}
        }
    }
    if major == 3 {
        return rounds.map_or(KdfCost::Cheap, aes);
    }
    let Some(items) = dict.and_then(variant_dictionary) else {
        return KdfCost::Cheap;
    };
    let get = |key: &str| {
        items
            .iter()
            .rev()
            .find(|(k, _)| *k == key.as_bytes())
            .map(|(_, v)| *v)
    };
    let uuid = get("$UUID").unwrap_or_default();
    if uuid == KDF_AES_KDBX3 || uuid == KDF_AES_KDBX4 {
        return get("R").and_then(|v| le(v, 8)).map_or(KdfCost::Cheap, aes);
    }
    if uuid == KDF_ARGON2D || uuid == KDF_ARGON2ID {
        let memory = get("M").and_then(|v| le(v, 8)).unwrap_or(0);
        let passes = get("I").and_then(|v| le(v, 8)).unwrap_or(0);
        let lanes = get("P").and_then(|v| le(v, 4)).unwrap_or(0);
        use baton::import::kdbx::{CEILING_ARGON2_LANES, CEILING_ARGON2_WORK};
        let kib = memory / 1024;
        let max_kib = u64::from(baton::crypto::kdf::CEILING_MEMORY_KIB).min(ram_bytes / 2 / 1024);
        if kib > max_kib
            || kib.saturating_mul(passes) > CEILING_ARGON2_WORK
            || lanes > CEILING_ARGON2_LANES
        {
            return KdfCost::BeyondCeiling;
        }
        if memory > BUDGET_ARGON2_MEMORY
            || passes > BUDGET_ARGON2_PASSES
            || lanes > BUDGET_ARGON2_LANES
        {
            return KdfCost::Costly;
        }
    }
    KdfCost::Cheap
}

/// The crate's variant dictionary reader: version 0x0100, then items
/// while at least ten bytes remain; `None` where the crate would fail.
fn variant_dictionary(b: &[u8]) -> Option<Vec<(&[u8], &[u8])>> {
    if le(b, 2)? != 0x100 {
        return None;
    }
    let mut at = 2usize;
    let mut items = Vec::new();
    while at + 9 < b.len() {
        let kind = b[at];
        at += 1;
        let klen = usize::try_from(le(b.get(at..)?, 4)?).ok()?;
        at += 4;
        let key = b.get(at..at.checked_add(klen)?)?;
        at += klen;
        let vlen = usize::try_from(le(b.get(at..)?, 4)?).ok()?;
        at += 4;
        let value = b.get(at..at.checked_add(vlen)?)?;
        at += vlen;
        if !matches!(kind, 0x04 | 0x05 | 0x08 | 0x0c | 0x0d | 0x18 | 0x42) {
            return None;
        }
        items.push((key, value));
    }
    Some(items)
}

/// The passphrase of the files [`kdbx4_around`] writes.
pub const KDBX_PASSPHRASE: &str = "a";

/// A KDBX 4 file, opened by [`KDBX_PASSPHRASE`], whose decrypted XML is
/// `xml`, byte for byte: the outer header (ChaCha20, no compression,
/// AES-KDF with 0 rounds, so deriving the key is two SHA-256s), its
/// SHA-256 and HMAC-SHA-256, then one HMAC block of the ChaCha20-encrypted
/// inner header (plain inner stream: protected values are their own
/// base64) and `xml`, and the final empty block — as KeePass specifies
/// KDBX 4 and as the `keepass` crate reads it. The fuzzer's mutations
/// then reach the XML reader and what follows it, instead of stopping at
/// the block HMAC.
pub fn kdbx4_around(xml: &[u8]) -> Vec<u8> {
    use chacha20::cipher::{KeyIvInit, StreamCipher};
    use hmac::{Hmac, Mac};
    use sha2::{Digest, Sha256, Sha512};

    const CHACHA20: [u8; 16] = [
        0xd6, 0x03, 0x8a, 0x2b, 0x8b, 0x6f, 0x4c, 0xb5, 0xa5, 0x24, 0x33, 0x9a, 0x31, 0xdb, 0xb5,
        0x9a,
    ];
    let field = |out: &mut Vec<u8>, kind: u8, value: &[u8]| {
        out.push(kind);
        out.extend_from_slice(&(value.len() as u32).to_le_bytes());
        out.extend_from_slice(value);
    };
    let master_seed = [0x11u8; 32];
    let iv = [0x22u8; 12];
    let kdf_seed = [0x33u8; 32];

    // The KDF parameters: a variant dictionary, version 1.0.
    let mut kdf = vec![0x00, 0x01];
    for (kind, key, value) in [
        (0x42u8, &b"$UUID"[..], &KDF_AES_KDBX4[..]),
        (0x05, b"R", &0u64.to_le_bytes()[..]),
        (0x42, b"S", &kdf_seed[..]),
    ] {
        kdf.push(kind);
        kdf.extend_from_slice(&(key.len() as u32).to_le_bytes());
        kdf.extend_from_slice(key);
        kdf.extend_from_slice(&(value.len() as u32).to_le_bytes());
        kdf.extend_from_slice(value);
    }
    kdf.push(0);

    let mut header = vec![0x03, 0xd9, 0xa2, 0x9a, 0x67, 0xfb, 0x4b, 0xb5, 0, 0, 4, 0];
    field(&mut header, 2, &CHACHA20);
    field(&mut header, 3, &0u32.to_le_bytes());
    field(&mut header, 4, &master_seed);
    field(&mut header, 7, &iv);
    field(&mut header, 11, &kdf);
    field(&mut header, 0, b"\r\n\r\n");

    // Key: SHA-256 of the password's SHA-256 (the composite key), AES-KDF
    // with no rounds (SHA-256 of its two halves, that is of itself).
    let composite = Sha256::digest(Sha256::digest(KDBX_PASSPHRASE.as_bytes()));
    let transformed = Sha256::digest(composite);
    let master_key = Sha256::digest([&master_seed[..], &transformed[..]].concat());
    let hmac_key = Sha512::digest([&master_seed[..], &transformed[..], &[1u8][..]].concat());
    let block_key = |index: u64| Sha512::digest([&index.to_le_bytes()[..], &hmac_key[..]].concat());
    let hmac = |key: &[u8], parts: &[&[u8]]| {
        let mut mac = Hmac::<Sha256>::new_from_slice(key).expect("HMAC takes any key length");
        for p in parts {
            mac.update(p);
        }
        mac.finalize().into_bytes()
    };

    let mut out = header.clone();
    out.extend_from_slice(&Sha256::digest(&header));
    out.extend_from_slice(&hmac(&block_key(u64::MAX), &[&header]));

    // Inner header: random stream 0 (plain) and its (unused) key, then the XML.
    let mut payload = Vec::with_capacity(xml.len() + 64);
    field(&mut payload, 1, &0u32.to_le_bytes());
    field(&mut payload, 2, &[0x44; 32]);
    field(&mut payload, 0, &[]);
    payload.extend_from_slice(xml);
    chacha20::ChaCha20::new(&master_key, &iv.into()).apply_keystream(&mut payload);

    for (index, block) in [(0u64, &payload[..]), (1, &[][..])] {
        let size = (block.len() as u32).to_le_bytes();
        out.extend_from_slice(&hmac(
            &block_key(index),
            &[&index.to_le_bytes(), &size, block],
        ));
        out.extend_from_slice(&size);
        out.extend_from_slice(block);
    }
    out
}
