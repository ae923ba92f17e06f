//! Secret types: passphrases, keys and concealed field values.
//!
//! None of these types implement `Debug`, `Display`, `Clone` or any trait that
//! could print or duplicate them by accident. Their memory is zeroized on drop.
//! Buffers are allocated once at their final size and never grow, so no stray
//! copy of a secret is left behind by a reallocation.

use zeroize::{Zeroize, Zeroizing};

/// A 32-byte symmetric key (slot key, group key) or private key seed.
pub struct Key32(Box<[u8; 32]>);

impl Key32 {
    /// A key from a constant (tests) or public value.
    pub fn from_bytes(bytes: [u8; 32]) -> Self {
        Key32(Box::new(bytes))
    }

    /// Copies exactly 32 bytes straight into the key's own buffer, leaving
    /// no copy on the stack. `None` for any other length.
    pub fn from_slice(bytes: &[u8]) -> Option<Self> {
        if bytes.len() != 32 {
            return None;
        }
        let mut k = Key32(Box::new([0u8; 32]));
        k.0.copy_from_slice(bytes);
        Some(k)
    }

    /// A fresh random key from `rng`.
    pub fn random(rng: &mut impl rand::CryptoRng) -> Self {
        let mut k = Key32(Box::new([0u8; 32]));
        rng.fill_bytes(&mut k.0[..]);
        k
    }

    pub fn expose(&self) -> &[u8; 32] {
        &self.0
    }

    pub fn expose_mut(&mut self) -> &mut [u8; 32] {
        &mut self.0
    }

    /// An explicit copy, for the rare place that must hold the key twice
    /// (for example a group key granted to several members).
    pub fn duplicate(&self) -> Self {
        Key32(Box::new(*self.0))
    }
}

impl Drop for Key32 {
    fn drop(&mut self) {
        self.0.zeroize();
    }
}

/// Secret bytes of a length fixed at creation: a passphrase, a decrypted
/// payload, a TOTP seed.
pub struct SecretBytes(Box<[u8]>);

impl SecretBytes {
    /// Takes ownership of `v`; its spare capacity is released first by
    /// copying into an exact-size buffer, and the original is wiped.
    pub fn from_vec(mut v: Vec<u8>) -> Self {
        let s = SecretBytes(v.as_slice().into());
        v.zeroize();
        s
    }

    pub fn from_slice(s: &[u8]) -> Self {
        SecretBytes(s.into())
    }

    pub fn expose(&self) -> &[u8] {
        &self.0
    }

    pub fn len(&self) -> usize {
        self.0.len()
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl Drop for SecretBytes {
    fn drop(&mut self) {
        self.0.zeroize();
    }
}

/// A passphrase as typed or read. Held as bytes (UTF-8 when it came from a
/// terminal or an environment variable), never as a growing `String`.
pub type Passphrase = SecretBytes;

/// A concealed text value stored in an entry: a password, a concealed custom
/// field, a backup code, notes.
///
/// It is serialized only inside a group's encrypted payload (see
/// `vault::payload`); nothing else in Baton serializes it.
#[derive(PartialEq, Eq)]
pub struct Concealed(Zeroizing<String>);

impl Concealed {
    pub fn new(s: String) -> Self {
        Concealed(Zeroizing::new(s))
    }

    pub fn of(s: &str) -> Self {
        Concealed(Zeroizing::new(s.to_owned()))
    }

    pub fn expose(&self) -> &str {
        &self.0
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// An explicit copy; call sites are few and deliberate.
    pub fn duplicate(&self) -> Self {
        Concealed::of(&self.0)
    }

    /// The mask shown in place of the value.
    pub fn mask(&self) -> &'static str {
        if self.0.is_empty() {
            ""
        } else {
            "••••••••"
        }
    }
}

impl serde::Serialize for Concealed {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.0)
    }
}

impl<'de> serde::Deserialize<'de> for Concealed {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        String::deserialize(d).map(Concealed::new)
    }
}

/// How much of a thread's stack [`wipe_stack`] overwrites: many times the
/// deepest the unlock worker goes (under 32 KiB in a debug build), far
/// less than a thread's 2 MiB.
pub const STACK_WIPE: usize = 256 * 1024;

/// Overwrites [`STACK_WIPE`] bytes of the calling thread's stack below the
/// caller's frame, where the functions it called left their locals (a
/// passphrase's or a decrypted value's bytes in a parser's or a hash's
/// state) that no `Drop` wipes. Call it from a thread's outermost function
/// when the secret work is done: the stack of a finished thread is kept
/// for the next one, contents and all.
#[inline(never)]
pub fn wipe_stack() {
    let scratch = [0u8; STACK_WIPE];
    std::hint::black_box(&scratch);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn concealed_mask_hides_the_value() {
        let c = Concealed::of("hunter2");
        assert_ne!(c.mask(), "hunter2");
        assert_eq!(Concealed::of("").mask(), "");
    }

    #[test]
    fn secret_bytes_keeps_exact_content() {
        let mut v = Vec::with_capacity(64);
        v.extend_from_slice(b"abc");
        let s = SecretBytes::from_vec(v);
        assert_eq!(s.expose(), b"abc");
        assert_eq!(s.len(), 3);
    }
}
