//! Argon2id (RFC 9106, version 0x13) turning a passphrase into a slot key,
//! with the bounds Baton enforces *before* any memory is allocated.
//!
//! Floor (refused unless the vault was created with `--weak-kdf`):
//! m ≥ 64 MiB, t ≥ 3, p ≥ 4 — RFC 9106's second recommended option.
//! Ceiling (always): m ≤ 4 GiB and ≤ half the machine's RAM, t ≤ 32, p ≤ 16,
//! so that a crafted file cannot make Baton allocate or spin without bound.

use argon2::{Algorithm, Argon2, Params, Version};
use serde::{Deserialize, Serialize};

use crate::secret::Key32;

pub const SALT_LEN: usize = 16;

pub const FLOOR_MEMORY_KIB: u32 = 64 * 1024;
pub const FLOOR_TIME: u32 = 3;
pub const FLOOR_PARALLELISM: u32 = 4;
pub const CEILING_MEMORY_KIB: u32 = 4 * 1024 * 1024;
pub const CEILING_TIME: u32 = 32;
pub const CEILING_PARALLELISM: u32 = 16;
/// The preferred memory cost where the machine allows it.
pub const PREFERRED_MEMORY_KIB: u32 = 256 * 1024;

/// Argon2id cost parameters, stored per member slot.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct KdfParams {
    /// Memory in KiB.
    pub memory_kib: u32,
    /// Passes over memory.
    pub time: u32,
    /// Lanes, all computed in parallel.
    pub parallelism: u32,
}

impl KdfParams {
    /// Parameters used for `--weak-kdf` vaults (tests and demos only).
    pub const WEAK: KdfParams = KdfParams {
        memory_kib: 1024,
        time: 1,
        parallelism: 1,
    };

    /// Argon2id at 8 KiB, one pass, one lane (the least it accepts), for
    /// unit tests that create vaults by the dozen. Integration tests use
    /// the same (`tests/it/common.rs`).
    #[cfg(test)]
    pub(crate) const TEST: KdfParams = KdfParams {
        memory_kib: 8,
        time: 1,
        parallelism: 1,
    };

    pub fn floor() -> KdfParams {
        KdfParams {
            memory_kib: FLOOR_MEMORY_KIB,
            time: FLOOR_TIME,
            parallelism: FLOOR_PARALLELISM,
        }
    }

    pub fn is_below_floor(&self) -> bool {
        self.memory_kib < FLOOR_MEMORY_KIB
            || self.time < FLOOR_TIME
            || self.parallelism < FLOOR_PARALLELISM
    }

    /// True when every cost is at least `other`'s: a save may keep or raise
    /// parameters, never lower them.
    pub fn at_least(&self, other: &KdfParams) -> bool {
        self.memory_kib >= other.memory_kib
            && self.time >= other.time
            && self.parallelism >= other.parallelism
    }
}

impl std::fmt::Display for KdfParams {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "m={} MiB, t={}, p={}",
            self.memory_kib / 1024,
            self.time,
            self.parallelism
        )
    }
}

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum KdfError {
    #[error(
        "key derivation parameters ({0}) are below the floor of m=64 MiB, t=3, p=4; \
         only vaults created with --weak-kdf may use them"
    )]
    BelowFloor(KdfParams),
    #[error(
        "key derivation parameters ({params}) exceed the ceiling (m ≤ {max_mib} MiB, t ≤ 32, p ≤ 16); \
         refusing to allocate"
    )]
    AboveCeiling { params: KdfParams, max_mib: u64 },
    #[error("key derivation parameters ({0}) are not valid Argon2id parameters")]
    Invalid(KdfParams),
    #[error("not enough memory for key derivation ({0})")]
    OutOfMemory(KdfParams),
}

/// Checks `p` against the floor and ceiling without allocating anything.
/// `ram_bytes` is the machine's physical memory.
pub fn check_bounds(p: &KdfParams, weak_allowed: bool, ram_bytes: u64) -> Result<(), KdfError> {
    let max_kib = u64::from(CEILING_MEMORY_KIB).min(ram_bytes / 2 / 1024);
    if u64::from(p.memory_kib) > max_kib
        || p.time > CEILING_TIME
        || p.parallelism > CEILING_PARALLELISM
    {
        return Err(KdfError::AboveCeiling {
            params: *p,
            max_mib: max_kib / 1024,
        });
    }
    if p.time == 0 || p.parallelism == 0 || u64::from(p.memory_kib) < 8 * u64::from(p.parallelism) {
        return Err(KdfError::Invalid(*p));
    }
    if !weak_allowed && p.is_below_floor() {
        return Err(KdfError::BelowFloor(*p));
    }
    Ok(())
}

/// Argon2id(passphrase, salt) → 32-byte key. Call [`check_bounds`] first;
/// this function trusts its parameters.
pub fn derive(passphrase: &[u8], salt: &[u8; SALT_LEN], p: &KdfParams) -> Result<Key32, KdfError> {
    let params = Params::new(p.memory_kib, p.time, p.parallelism, Some(32))
        .map_err(|_| KdfError::Invalid(*p))?;
    let argon = Argon2::new(Algorithm::Argon2id, Version::V0x13, params);
    let mut out = Key32::from_bytes([0u8; 32]);
    argon
        .hash_password_into(passphrase, salt, out.expose_mut())
        .map_err(|e| match e {
            argon2::Error::OutOfMemory => KdfError::OutOfMemory(*p),
            _ => KdfError::Invalid(*p),
        })?;
    Ok(out)
}

/// One step of calibration: given the parameters tried and how long one
/// derivation took, the next parameters to try, or `None` when `tried` is
/// close enough to `target_ms`. Raises passes first (memory is already at
/// the preferred size), never goes below the floor or above the ceiling.
pub fn calibrate_step(tried: &KdfParams, elapsed_ms: u64, target_ms: u64) -> Option<KdfParams> {
    let elapsed_ms = elapsed_ms.max(1);
    if elapsed_ms * 10 >= target_ms * 7 {
        if elapsed_ms > target_ms * 2 && tried.memory_kib > FLOOR_MEMORY_KIB {
            // Far too slow: halve the memory, but not below the floor.
            let m = (tried.memory_kib / 2).max(FLOOR_MEMORY_KIB);
            return Some(KdfParams {
                memory_kib: m,
                ..*tried
            });
        }
        return None;
    }
    let per_pass = elapsed_ms as f64 / f64::from(tried.time);
    let want = (target_ms as f64 / per_pass).round() as u32;
    let t = want.clamp(tried.time + 1, CEILING_TIME);
    if t == tried.time {
        return None;
    }
    Some(KdfParams { time: t, ..*tried })
}

#[cfg(test)]
mod tests {
    use super::*;

    const GIB: u64 = 1024 * 1024 * 1024;

    #[test]
    fn bounds() {
        let ok = KdfParams {
            memory_kib: FLOOR_MEMORY_KIB,
            time: 3,
            parallelism: 4,
        };
        assert_eq!(check_bounds(&ok, false, 8 * GIB), Ok(()));
        assert!(matches!(
            check_bounds(&KdfParams::WEAK, false, 8 * GIB),
            Err(KdfError::BelowFloor(_))
        ));
        assert_eq!(check_bounds(&KdfParams::WEAK, true, 8 * GIB), Ok(()));
        assert_eq!(check_bounds(&KdfParams::TEST, true, 8 * GIB), Ok(()));
        let huge = KdfParams {
            memory_kib: u32::MAX,
            time: 3,
            parallelism: 4,
        };
        assert!(matches!(
            check_bounds(&huge, true, 64 * GIB),
            Err(KdfError::AboveCeiling { .. })
        ));
        // 1 GiB on a machine with 1 GiB RAM: above half the RAM.
        let gib = KdfParams {
            memory_kib: 1024 * 1024,
            time: 3,
            parallelism: 4,
        };
        assert!(matches!(
            check_bounds(&gib, true, GIB),
            Err(KdfError::AboveCeiling { .. })
        ));
        let passes = KdfParams { time: 33, ..ok };
        assert!(matches!(
            check_bounds(&passes, true, 8 * GIB),
            Err(KdfError::AboveCeiling { .. })
        ));
        let lanes = KdfParams {
            parallelism: 17,
            ..ok
        };
        assert!(matches!(
            check_bounds(&lanes, true, 8 * GIB),
            Err(KdfError::AboveCeiling { .. })
        ));
        let zero = KdfParams { time: 0, ..ok };
        assert!(matches!(
            check_bounds(&zero, true, 8 * GIB),
            Err(KdfError::Invalid(_))
        ));
    }

    #[test]
    fn rfc9106_argon2id_vector_shape() {
        // Same inputs give the same key; any change of salt or parameters changes it.
        let p = KdfParams {
            memory_kib: 64,
            time: 1,
            parallelism: 1,
        };
        let a = derive(b"pw", &[1; SALT_LEN], &p).expect("derive");
        let b = derive(b"pw", &[1; SALT_LEN], &p).expect("derive");
        let c = derive(b"pw", &[2; SALT_LEN], &p).expect("derive");
        let d = derive(b"pw", &[1; SALT_LEN], &KdfParams { time: 2, ..p }).expect("derive");
        assert_eq!(a.expose(), b.expose());
        assert_ne!(a.expose(), c.expose());
        assert_ne!(a.expose(), d.expose());
    }

    #[test]
    fn calibration_moves_toward_target() {
        let start = KdfParams {
            memory_kib: PREFERRED_MEMORY_KIB,
            time: 3,
            parallelism: 4,
        };
        let next = calibrate_step(&start, 300, 1000).expect("raise");
        assert_eq!(next.time, 10);
        assert_eq!(calibrate_step(&next, 990, 1000), None);
        let slow = calibrate_step(&start, 5000, 1000).expect("lower memory");
        assert_eq!(slow.memory_kib, PREFERRED_MEMORY_KIB / 2);
        let at_floor = KdfParams::floor();
        assert_eq!(calibrate_step(&at_floor, 5000, 1000), None);
    }
}
