//! Creating a vault: key derivation calibrated to about a second on this
//! machine (or the parameters given), a founding owner, and a recovery
//! code — a second owner slot, shown once — so that the firm is never
//! locked out of its own vault.

use std::time::{Duration, Instant};

use super::context::normalize_recovery;
use super::{Context, Error, Result};
use crate::crypto::kdf::{self, KdfParams};
use crate::secret::Passphrase;
use crate::vault::{self, CreateOptions};
use crate::{os, store};

/// 160 random bits as 32 base32 characters in groups of four.
pub fn new_recovery_code(rng: &mut impl rand::CryptoRng) -> zeroize::Zeroizing<String> {
    let mut raw = zeroize::Zeroizing::new([0u8; 20]);
    rng.fill_bytes(&mut raw[..]);
    let plain = zeroize::Zeroizing::new(data_encoding::BASE32_NOPAD.encode(&raw[..]));
    let mut out = zeroize::Zeroizing::new(String::with_capacity(40));
    for (i, c) in plain.chars().enumerate() {
        if i > 0 && i % 4 == 0 {
            out.push('-');
        }
        out.push(c);
    }
    out
}

/// A firm's e-mail domain: something like `example.com`.
pub fn check_domain(d: &str) -> Result<()> {
    if !d.contains('.') || d.contains('@') || d.contains(char::is_whitespace) {
        return Err(Error::invalid(format!(
            "{d:?} is not an e-mail domain like example.com"
        )));
    }
    Ok(())
}

/// A vault just created, and its recovery code (to be shown once).
pub struct Created {
    pub params: KdfParams,
    pub took: Duration,
    pub recovery_code: zeroize::Zeroizing<String>,
}

/// Creates the vault at `ctx.vault` (refusing to overwrite one), with
/// `kdf` or, when `None`, parameters calibrated to about a second here.
pub fn create_vault(
    ctx: &Context,
    owner: &str,
    firm_domain: Option<&str>,
    passphrase: &Passphrase,
    kdf: Option<KdfParams>,
    weak_kdf: bool,
) -> Result<Created> {
    store::ensure_dir(&ctx.vault)?;
    let lock = store::lock(&ctx.vault, &ctx.holder("init"), ctx.lock_wait)?;
    if ctx.vault.exists() {
        return Err(Error::failed(
            store::StoreError::AlreadyExists(ctx.vault.clone()).to_string(),
        ));
    }
    let (params, took) = match kdf {
        Some(p) => (p, time_kdf(&p)?),
        None => calibrate()?,
    };
    let mut rng = os::rng();
    let code = new_recovery_code(&mut rng);
    let code_bytes = normalize_recovery(code.as_bytes());
    let opts = CreateOptions {
        owner,
        firm_domain: firm_domain.map(str::to_ascii_lowercase),
        kdf: params,
        weak_kdf,
        now: os::now(),
    };
    let mut v = vault::create(opts, passphrase, &code_bytes, &mut rng)?;
    let bytes = v.seal(os::now(), &mut rng)?;
    store::create_new(&ctx.vault, &bytes, &lock)?;
    Ok(Created {
        params,
        took,
        recovery_code: code,
    })
}

fn time_kdf(p: &KdfParams) -> Result<Duration> {
    let start = Instant::now();
    kdf::derive(b"calibration", &[0u8; kdf::SALT_LEN], p)
        .map_err(|e| Error::failed(e.to_string()))?;
    Ok(start.elapsed())
}

/// Finds parameters that take about one second here: 256 MiB where half
/// the RAM allows it, four lanes, passes raised until the target is met.
fn calibrate() -> Result<(KdfParams, Duration)> {
    let ram_half_kib = os::ram_bytes() / 2 / 1024;
    let memory_kib = if ram_half_kib >= u64::from(kdf::PREFERRED_MEMORY_KIB) {
        kdf::PREFERRED_MEMORY_KIB
    } else {
        kdf::FLOOR_MEMORY_KIB
    };
    let mut p = KdfParams {
        memory_kib,
        time: kdf::FLOOR_TIME,
        parallelism: kdf::FLOOR_PARALLELISM,
    };
    let mut took = time_kdf(&p)?;
    for _ in 0..4 {
        match kdf::calibrate_step(&p, took.as_millis() as u64, 1000) {
            Some(next) => {
                p = next;
                took = time_kdf(&p)?;
            }
            None => break,
        }
    }
    Ok((p, took))
}
