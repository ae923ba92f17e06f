//! Member key pairs, group keys sealed to members, and signatures.
//!
//! - Each member holds an X25519 key pair (to receive group keys) and an
//!   Ed25519 key pair (to sign log records, the file seal and, for owners,
//!   the manifest).
//! - A group key is granted to a member by sealing it to the member's X25519
//!   public key with HPKE (RFC 9180) in base mode, suite
//!   DHKEM(X25519, HKDF-SHA256) / HKDF-SHA256 / ChaCha20-Poly1305. The `info`
//!   string binds the vault, the group, the key epoch and the member.
//! - Signatures are Ed25519 (RFC 8032), verified with `verify_strict`.

use ed25519_dalek::{Signature, Signer, SigningKey, VerifyingKey};
use hpke::aead::ChaCha20Poly1305;
use hpke::kdf::HkdfSha256;
use hpke::kem::X25519HkdfSha256;
use hpke::{Deserializable, Kem, OpModeR, OpModeS, Serializable};

use super::DecryptError;
use crate::secret::Key32;

pub const PUBLIC_KEY_LEN: usize = 32;
pub const SIGNATURE_LEN: usize = 64;
/// Length of the HPKE encapsulated key for X25519.
pub const ENC_LEN: usize = 32;

/// A member's private keys: the X25519 secret and the Ed25519 seed.
pub struct MemberSecrets {
    x25519: Key32,
    ed25519: Key32,
}

/// A member's public keys as stored in the manifest.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct MemberPublic {
    pub x25519: [u8; PUBLIC_KEY_LEN],
    pub ed25519: [u8; PUBLIC_KEY_LEN],
}

impl MemberSecrets {
    pub fn generate(rng: &mut impl rand::CryptoRng) -> Self {
        MemberSecrets {
            x25519: Key32::random(rng),
            ed25519: Key32::random(rng),
        }
    }

    /// 64 bytes: the X25519 secret then the Ed25519 seed (the plaintext of
    /// a member slot).
    pub fn to_bytes(&self) -> zeroize::Zeroizing<[u8; 64]> {
        let mut out = zeroize::Zeroizing::new([0u8; 64]);
        out[..32].copy_from_slice(self.x25519.expose());
        out[32..].copy_from_slice(self.ed25519.expose());
        out
    }

    pub fn from_bytes(b: &[u8]) -> Option<Self> {
        if b.len() != 64 {
            return None;
        }
        let mut x = [0u8; 32];
        let mut e = [0u8; 32];
        x.copy_from_slice(&b[..32]);
        e.copy_from_slice(&b[32..]);
        Some(MemberSecrets {
            x25519: Key32::from_bytes(x),
            ed25519: Key32::from_bytes(e),
        })
    }

    pub fn public(&self) -> MemberPublic {
        let sk = self.hpke_private();
        let pk = X25519HkdfSha256::sk_to_pk(&sk);
        let mut x = [0u8; 32];
        x.copy_from_slice(&pk.to_bytes());
        MemberPublic {
            x25519: x,
            ed25519: self.signing_key().verifying_key().to_bytes(),
        }
    }

    fn hpke_private(&self) -> <X25519HkdfSha256 as Kem>::PrivateKey {
        hpke_private(&self.x25519)
    }

    /// The X25519 secret alone, to open what was sealed to this member.
    pub fn x25519(&self) -> &Key32 {
        &self.x25519
    }

    fn signing_key(&self) -> SigningKey {
        SigningKey::from_bytes(self.ed25519.expose())
    }

    /// Ed25519 signature over `label || 0x00 || message`.
    pub fn sign(&self, label: &str, message: &[u8]) -> [u8; SIGNATURE_LEN] {
        let msg = labelled(label, message);
        self.signing_key().sign(&msg).to_bytes()
    }

    /// Opens a group key sealed to this member with [`seal_group_key`].
    pub fn open_group_key(
        &self,
        info: &[u8],
        enc: &[u8; ENC_LEN],
        ct: &[u8],
    ) -> Result<Key32, DecryptError> {
        let enc =
            <X25519HkdfSha256 as Kem>::EncappedKey::from_bytes(enc).map_err(|_| DecryptError)?;
        let sk = self.hpke_private();
        let pt = zeroize::Zeroizing::new(
            hpke::single_shot_open::<ChaCha20Poly1305, HkdfSha256, X25519HkdfSha256>(
                &OpModeR::Base,
                &sk,
                &enc,
                info,
                ct,
                b"",
            )
            .map_err(|_| DecryptError)?,
        );
        let arr: [u8; 32] = pt.as_slice().try_into().map_err(|_| DecryptError)?;
        Ok(Key32::from_bytes(arr))
    }
}

fn hpke_private(secret: &Key32) -> <X25519HkdfSha256 as Kem>::PrivateKey {
    <X25519HkdfSha256 as Kem>::PrivateKey::from_bytes(secret.expose())
        .expect("every 32-byte string is a valid X25519 private key")
}

/// The X25519 public key of `secret`.
pub fn x25519_public(secret: &Key32) -> [u8; PUBLIC_KEY_LEN] {
    let pk = X25519HkdfSha256::sk_to_pk(&hpke_private(secret));
    let mut x = [0u8; 32];
    x.copy_from_slice(&pk.to_bytes());
    x
}

/// Opens bytes sealed to the X25519 secret `secret` with [`seal_bytes`].
pub fn open_sealed(
    secret: &Key32,
    info: &[u8],
    enc: &[u8; ENC_LEN],
    ct: &[u8],
) -> Result<zeroize::Zeroizing<Vec<u8>>, DecryptError> {
    let enc = <X25519HkdfSha256 as Kem>::EncappedKey::from_bytes(enc).map_err(|_| DecryptError)?;
    let sk = hpke_private(secret);
    hpke::single_shot_open::<ChaCha20Poly1305, HkdfSha256, X25519HkdfSha256>(
        &OpModeR::Base,
        &sk,
        &enc,
        info,
        ct,
        b"",
    )
    .map(zeroize::Zeroizing::new)
    .map_err(|_| DecryptError)
}

/// `label || 0x00 || message`: what every Baton signature signs.
pub fn labelled(label: &str, message: &[u8]) -> Vec<u8> {
    let mut msg = Vec::with_capacity(label.len() + 1 + message.len());
    msg.extend_from_slice(label.as_bytes());
    msg.push(0);
    msg.extend_from_slice(message);
    msg
}

/// True when `public` is a usable Ed25519 key: a valid point, not of small
/// order.
pub fn is_strong_ed25519(public: &[u8; PUBLIC_KEY_LEN]) -> bool {
    VerifyingKey::from_bytes(public).is_ok_and(|vk| !vk.is_weak())
}

/// Verifies an Ed25519 signature made by [`MemberSecrets::sign`].
pub fn verify(
    public: &[u8; PUBLIC_KEY_LEN],
    label: &str,
    message: &[u8],
    sig: &[u8; SIGNATURE_LEN],
) -> bool {
    let Ok(vk) = VerifyingKey::from_bytes(public) else {
        return false;
    };
    let sig = Signature::from_bytes(sig);
    vk.verify_strict(&labelled(label, message), &sig).is_ok()
}

/// One signature to check in [`verify_many`]: which key (an index into the
/// key table), the message as signed (already [`labelled`]), and the
/// signature.
pub struct SignedItem<'a> {
    pub key: usize,
    pub message: &'a [u8],
    pub sig: &'a [u8; SIGNATURE_LEN],
}

/// Verifies many signatures made with [`MemberSecrets::sign`] in batches
/// (the verification equation checked for a random linear combination of
/// each batch, with the terms of one key coalesced) spread over all cores.
/// Returns the index of the first item that does not verify, found by
/// checking a failing batch one by one with `verify_strict`. Keys of small
/// order are refused outright; for any other key, batch verification
/// accepts the same signatures as single verification, plus at most
/// non-canonical forms that only the key's holder could have produced,
/// which changes nothing about who wrote what. `items` carry messages
/// already framed with [`labelled`].
pub fn verify_many(keys: &[[u8; PUBLIC_KEY_LEN]], items: &[SignedItem<'_>]) -> Result<(), usize> {
    use rayon::prelude::*;
    const CHUNK: usize = 2048;
    // A weak (small-order) key would let batch verification accept a
    // signature anyone can make: such keys verify nothing.
    let decoded: Vec<Option<VerifyingKey>> = keys
        .iter()
        .map(|k| VerifyingKey::from_bytes(k).ok().filter(|vk| !vk.is_weak()))
        .collect();
    let key_of = |it: &SignedItem<'_>| decoded.get(it.key).copied().flatten();
    let strict = |it: &SignedItem<'_>| {
        key_of(it).is_some_and(|vk| {
            vk.verify_strict(it.message, &Signature::from_bytes(it.sig))
                .is_ok()
        })
    };
    let first_bad = items
        .par_chunks(CHUNK)
        .enumerate()
        .filter_map(|(c, chunk)| {
            let all_keys_usable = chunk.iter().all(|it| key_of(it).is_some());
            if all_keys_usable && batch_holds(keys, chunk) {
                return None;
            }
            chunk
                .iter()
                .position(|it| !strict(it))
                .map(|p| c * CHUNK + p)
        })
        .min();
    first_bad.map_or(Ok(()), Err)
}

/// The batch equation of ed25519-zebra (terms of one key coalesced) for
/// `chunk`. Its random coefficients come from a hash of every key,
/// signature and message in the chunk, so whoever wrote the signatures
/// cannot choose them.
fn batch_holds(keys: &[[u8; PUBLIC_KEY_LEN]], chunk: &[SignedItem<'_>]) -> bool {
    use rand::SeedableRng;
    use sha2::{Digest, Sha256};
    let mut transcript = Sha256::new();
    transcript.update(b"baton batch verification v1");
    let mut batch = ed25519_zebra::batch::Verifier::new();
    for it in chunk {
        let key = keys[it.key];
        transcript.update(key);
        transcript.update(it.sig);
        transcript.update((it.message.len() as u64).to_le_bytes());
        transcript.update(it.message);
        let vk = ed25519_zebra::VerificationKeyBytes::from(key);
        batch.queue((vk, ed25519_zebra::Signature::from_bytes(it.sig), it.message));
    }
    let seed: [u8; 32] = transcript.finalize().into();
    batch.verify(rand::rngs::StdRng::from_seed(seed)).is_ok()
}

/// Seals `key` to the X25519 public key `to` (HPKE base mode). Returns the
/// encapsulated key and the ciphertext (32 + 16 bytes).
pub fn seal_group_key(
    to: &[u8; PUBLIC_KEY_LEN],
    info: &[u8],
    key: &Key32,
    rng: &mut impl rand::CryptoRng,
) -> Option<([u8; ENC_LEN], Vec<u8>)> {
    seal_bytes(to, info, key.expose(), rng)
}

/// Seals `plaintext` to the X25519 public key `to` (HPKE base mode, empty
/// aad). `None` when `to` is not a valid public key.
pub fn seal_bytes(
    to: &[u8; PUBLIC_KEY_LEN],
    info: &[u8],
    plaintext: &[u8],
    rng: &mut impl rand::CryptoRng,
) -> Option<([u8; ENC_LEN], Vec<u8>)> {
    let pk = <X25519HkdfSha256 as Kem>::PublicKey::from_bytes(to).ok()?;
    let (enc, ct) =
        hpke::single_shot_seal_with_rng::<ChaCha20Poly1305, HkdfSha256, X25519HkdfSha256>(
            &OpModeS::Base,
            &pk,
            info,
            plaintext,
            b"",
            rng,
        )
        .ok()?;
    let mut e = [0u8; ENC_LEN];
    e.copy_from_slice(&enc.to_bytes());
    Some((e, ct))
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;

    #[test]
    fn group_key_opens_only_for_its_member_and_info() {
        let mut rng = rand::rngs::StdRng::seed_from_u64(1);
        let alice = MemberSecrets::generate(&mut rng);
        let bob = MemberSecrets::generate(&mut rng);
        let gk = Key32::random(&mut rng);
        let (enc, ct) =
            seal_group_key(&alice.public().x25519, b"info", &gk, &mut rng).expect("seal");
        let opened = alice.open_group_key(b"info", &enc, &ct).expect("open");
        assert_eq!(opened.expose(), gk.expose());
        assert!(bob.open_group_key(b"info", &enc, &ct).is_err());
        assert!(alice.open_group_key(b"other", &enc, &ct).is_err());
    }

    #[test]
    fn signatures_bind_label_message_and_key() {
        let mut rng = rand::rngs::StdRng::seed_from_u64(2);
        let a = MemberSecrets::generate(&mut rng);
        let b = MemberSecrets::generate(&mut rng);
        let sig = a.sign("l", b"m");
        assert!(verify(&a.public().ed25519, "l", b"m", &sig));
        assert!(!verify(&a.public().ed25519, "l2", b"m", &sig));
        assert!(!verify(&a.public().ed25519, "l", b"m2", &sig));
        assert!(!verify(&b.public().ed25519, "l", b"m", &sig));
    }

    #[test]
    fn secrets_round_trip_bytes() {
        let mut rng = rand::rngs::StdRng::seed_from_u64(3);
        let a = MemberSecrets::generate(&mut rng);
        let b = MemberSecrets::from_bytes(&a.to_bytes()[..]).expect("64 bytes");
        assert_eq!(a.public(), b.public());
        assert!(MemberSecrets::from_bytes(&[0; 63]).is_none());
    }
}

#[cfg(test)]
mod batch_tests {
    use super::*;
    use rand::SeedableRng;

    #[test]
    fn batch_verification_names_the_first_bad_signature() {
        let mut rng = rand::rngs::StdRng::seed_from_u64(4);
        let a = MemberSecrets::generate(&mut rng);
        let msgs: Vec<Vec<u8>> = (0..3000u32)
            .map(|i| labelled("l", &i.to_le_bytes()))
            .collect();
        let mut sigs: Vec<[u8; 64]> = (0..3000u32)
            .map(|i| a.sign("l", &i.to_le_bytes()))
            .collect();
        let keys = [a.public().ed25519];
        let items = |sigs: &[[u8; 64]]| -> Result<(), usize> {
            let it: Vec<SignedItem<'_>> = msgs
                .iter()
                .zip(sigs)
                .map(|(m, s)| SignedItem {
                    key: 0,
                    message: m,
                    sig: s,
                })
                .collect();
            verify_many(&keys, &it)
        };
        assert_eq!(items(&sigs), Ok(()));
        sigs[2500][5] ^= 1;
        sigs[1700][40] ^= 1;
        assert_eq!(items(&sigs), Err(1700));
    }

    #[test]
    fn a_small_order_key_verifies_nothing() {
        // The identity point: with it, (R = sB, s) would satisfy the batch
        // equation for any message.
        let mut identity = [0u8; 32];
        identity[0] = 1;
        assert!(!is_strong_ed25519(&identity));
        let mut rng = rand::rngs::StdRng::seed_from_u64(5);
        let a = MemberSecrets::generate(&mut rng);
        let sig = a.sign("l", b"m");
        let msg = labelled("l", b"m");
        let items = [SignedItem {
            key: 0,
            message: &msg,
            sig: &sig,
        }];
        assert_eq!(verify_many(&[identity], &items), Err(0));
    }
}
