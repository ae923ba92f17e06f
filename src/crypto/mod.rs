//! Cryptographic building blocks, each a thin, documented wrapper over an
//! audited crate. No IO: randomness comes in as an argument.
//!
//! - [`kdf`]: Argon2id (RFC 9106) with bounds checked before any allocation.
//! - [`aead`]: XChaCha20-Poly1305 (draft-irtf-cfrg-xchacha).
//! - [`keys`]: member key pairs, group keys sealed with HPKE (RFC 9180),
//!   Ed25519 signatures (RFC 8032).
//! - [`hash`]: SHA-256 (FIPS 180-4) with domain separation.

pub mod aead;
pub mod hash;
pub mod kdf;
pub mod keys;

/// Every failure of authenticated decryption collapses into this one opaque
/// error: a wrong key and a modified ciphertext are indistinguishable.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
#[error("decryption failed")]
pub struct DecryptError;
