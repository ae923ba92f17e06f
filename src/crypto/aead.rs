//! XChaCha20-Poly1305 (draft-irtf-cfrg-xchacha-03, over RFC 8439's
//! ChaCha20-Poly1305) with random 192-bit nonces, through the
//! `chacha20poly1305` crate.

use chacha20poly1305::aead::{AeadInOut, KeyInit};
use chacha20poly1305::{XChaCha20Poly1305, XNonce};

use super::DecryptError;
use crate::secret::Key32;

pub const NONCE_LEN: usize = 24;
pub const TAG_LEN: usize = 16;

/// Encrypts `buf` in place and appends the tag. `buf` should have
/// `TAG_LEN` spare capacity so that no plaintext copy is left behind by a
/// reallocation.
pub fn seal_in_place(key: &Key32, nonce: &[u8; NONCE_LEN], aad: &[u8], buf: &mut Vec<u8>) {
    let cipher = XChaCha20Poly1305::new(key.expose().into());
    let nonce = XNonce::from(*nonce);
    cipher
        .encrypt_in_place(&nonce, aad, buf)
        .expect("encryption only fails for messages over 256 GiB, which Baton never builds");
}

/// Encrypts a copy of `plaintext`.
pub fn seal(key: &Key32, nonce: &[u8; NONCE_LEN], aad: &[u8], plaintext: &[u8]) -> Vec<u8> {
    let mut buf = Vec::with_capacity(plaintext.len() + TAG_LEN);
    buf.extend_from_slice(plaintext);
    seal_in_place(key, nonce, aad, &mut buf);
    buf
}

/// Decrypts `buf` in place (the tag is removed). On failure `buf` holds
/// nothing useful and the caller must discard it.
pub fn open_in_place(
    key: &Key32,
    nonce: &[u8; NONCE_LEN],
    aad: &[u8],
    buf: &mut Vec<u8>,
) -> Result<(), DecryptError> {
    let cipher = XChaCha20Poly1305::new(key.expose().into());
    let nonce = XNonce::from(*nonce);
    cipher
        .decrypt_in_place(&nonce, aad, buf)
        .map_err(|_| DecryptError)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip_and_tamper_detection() {
        let key = Key32::from_bytes([7; 32]);
        let nonce = [9; NONCE_LEN];
        let ct = seal(&key, &nonce, b"aad", b"secret");
        assert_eq!(ct.len(), 6 + TAG_LEN);
        let mut ok = ct.clone();
        open_in_place(&key, &nonce, b"aad", &mut ok).expect("opens");
        assert_eq!(ok, b"secret");
        let mut bad_aad = ct.clone();
        assert_eq!(
            open_in_place(&key, &nonce, b"aaX", &mut bad_aad),
            Err(DecryptError)
        );
        let mut flipped = ct.clone();
        flipped[0] ^= 1;
        assert_eq!(
            open_in_place(&key, &nonce, b"aad", &mut flipped),
            Err(DecryptError)
        );
        let other = Key32::from_bytes([8; 32]);
        let mut wrong_key = ct;
        assert_eq!(
            open_in_place(&other, &nonce, b"aad", &mut wrong_key),
            Err(DecryptError)
        );
    }
}
