//! RFC 6238 time-based one-time passwords (TOTP) and `otpauth://` URIs.
//!
//! This module owns the TOTP configuration stored with an entry: parsing it
//! from an `otpauth://totp/...` URI or a bare base32 secret, writing it back
//! as a canonical URI, and computing the code for a caller-supplied time.
//! It performs no IO and never reads the clock: the caller passes `now`.

use std::borrow::Cow;
use std::fmt;

use data_encoding::{BASE32_NOPAD, Encoding};
use hmac::digest::Digest;
use hmac::digest::block_api::{BlockSizeUser, EagerHash};
use hmac::{Hmac, KeyInit, Mac};
use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, percent_decode_str, utf8_percent_encode};
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use zeroize::{Zeroize, Zeroizing};

/// Largest accepted secret, in bytes. Real secrets are 10 to 64 bytes.
pub const MAX_SECRET_LEN: usize = 1024;
/// Smallest and largest number of digits in a code.
pub const DIGITS_RANGE: std::ops::RangeInclusive<u8> = 6..=10;
/// Smallest and largest period, in seconds.
pub const PERIOD_RANGE: std::ops::RangeInclusive<u32> = 1..=86_400;

const DEFAULT_DIGITS: u8 = 6;
const DEFAULT_PERIOD: u32 = 30;

/// Characters left as-is in URI components: RFC 3986 "unreserved".
const COMPONENT: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~');

/// The HMAC hash function used to compute codes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum Algorithm {
    Sha1,
    Sha256,
    Sha512,
}

impl Algorithm {
    /// The name used in `otpauth` URIs.
    pub fn uri_name(self) -> &'static str {
        match self {
            Algorithm::Sha1 => "SHA1",
            Algorithm::Sha256 => "SHA256",
            Algorithm::Sha512 => "SHA512",
        }
    }

    fn from_uri_name(name: &str) -> Option<Self> {
        [Algorithm::Sha1, Algorithm::Sha256, Algorithm::Sha512]
            .into_iter()
            .find(|a| a.uri_name().eq_ignore_ascii_case(name))
    }
}

/// Why a TOTP configuration was refused. Messages never include the secret.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TotpError {
    #[error("the TOTP secret is empty")]
    EmptySecret,
    #[error("the TOTP secret is longer than {MAX_SECRET_LEN} bytes")]
    SecretTooLong,
    #[error("the TOTP secret is not valid base32")]
    InvalidBase32,
    #[error("TOTP codes must have between 6 and 10 digits")]
    InvalidDigits,
    #[error("the TOTP period must be between 1 and 86400 seconds")]
    InvalidPeriod,
    #[error("unknown TOTP algorithm (expected SHA1, SHA256 or SHA512)")]
    UnknownAlgorithm,
    #[error("counter-based otpauth://hotp URIs are not supported, only otpauth://totp")]
    HotpNotSupported,
    #[error("not an otpauth://totp URI")]
    NotOtpauthUri,
    #[error("the otpauth URI has no secret parameter")]
    MissingSecret,
    #[error("the otpauth URI repeats the {0} parameter")]
    DuplicateParameter(&'static str),
    #[error("the otpauth URI contains percent-encoded text that is not valid UTF-8")]
    InvalidEncoding,
}

/// A TOTP configuration.
///
/// The secret is key material: it is zeroized on drop, is not printed by
/// `Debug`, and the type is deliberately not `Clone` (see [`Totp::duplicate`]).
pub struct Totp {
    secret: Zeroizing<Vec<u8>>,
    pub algorithm: Algorithm,
    /// Number of digits in a code, 6..=10.
    pub digits: u8,
    /// Length of a time step in seconds, 1..=86400.
    pub period: u32,
    pub issuer: Option<String>,
    pub account: Option<String>,
}

impl Totp {
    /// Builds a configuration, checking that the secret is 1..=1024 bytes,
    /// `digits` is 6..=10 and `period` is 1..=86400.
    ///
    /// `issuer` and `account` are trimmed; empty strings become `None`.
    pub fn new(
        secret: Vec<u8>,
        algorithm: Algorithm,
        digits: u8,
        period: u32,
        issuer: Option<String>,
        account: Option<String>,
    ) -> Result<Self, TotpError> {
        let secret = Zeroizing::new(secret);
        if secret.is_empty() {
            return Err(TotpError::EmptySecret);
        }
        if secret.len() > MAX_SECRET_LEN {
            return Err(TotpError::SecretTooLong);
        }
        if !DIGITS_RANGE.contains(&digits) {
            return Err(TotpError::InvalidDigits);
        }
        if !PERIOD_RANGE.contains(&period) {
            return Err(TotpError::InvalidPeriod);
        }
        Ok(Totp {
            secret,
            algorithm,
            digits,
            period,
            issuer: clean_name(issuer),
            account: clean_name(account),
        })
    }

    /// Accepts either an
    /// `otpauth://totp/LABEL?secret=...&issuer=...&algorithm=SHA256&digits=8&period=60`
    /// URI or a bare base32 secret.
    ///
    /// URI: the label is percent-decoded and split at the first `:` into
    /// issuer and account (when an `issuer` parameter is given it wins, and a
    /// matching `Issuer:` prefix is stripped from the label). Parameter names
    /// and the algorithm name are case-insensitive; `+` in a parameter value
    /// means a space; unknown parameters are ignored; repeated known
    /// parameters are refused. `otpauth://hotp` is refused with
    /// [`TotpError::HotpNotSupported`].
    ///
    /// Bare secret: RFC 4648 base32, case-insensitive, whitespace and hyphens
    /// ignored, padding optional, with defaults SHA1, 6 digits, 30 seconds.
    pub fn parse(input: &str) -> Result<Self, TotpError> {
        let input = input.trim();
        const SCHEME: &str = "otpauth://";
        match input.get(..SCHEME.len()) {
            Some(prefix) if prefix.eq_ignore_ascii_case(SCHEME) => {
                parse_uri(&input[SCHEME.len()..])
            }
            _ if input.contains("://") => Err(TotpError::NotOtpauthUri),
            _ => {
                let secret = decode_base32(input)?;
                Totp::new(
                    secret.to_vec(),
                    Algorithm::Sha1,
                    DEFAULT_DIGITS,
                    DEFAULT_PERIOD,
                    None,
                    None,
                )
            }
        }
    }

    /// The raw secret bytes.
    pub fn secret(&self) -> &[u8] {
        &self.secret
    }

    /// The secret as RFC 4648 base32 without padding.
    pub fn secret_base32(&self) -> Zeroizing<String> {
        Zeroizing::new(BASE32_NOPAD.encode(&self.secret))
    }

    /// The canonical `otpauth://totp/` URI, which [`Totp::parse`] reads back
    /// to an identical configuration. All parameters are always written, in
    /// the order secret, issuer, algorithm, digits, period.
    pub fn to_uri(&self) -> Zeroizing<String> {
        let mut uri = Zeroizing::new(String::from("otpauth://totp/"));
        let account = self.account.as_deref().unwrap_or("");
        match &self.issuer {
            Some(issuer) => {
                uri.extend(utf8_percent_encode(issuer, COMPONENT));
                uri.push(':');
            }
            // A leading ':' marks "no issuer" so that an account containing
            // ':' is not split on the way back in.
            None if account.contains(':') => uri.push(':'),
            None => {}
        }
        uri.extend(utf8_percent_encode(account, COMPONENT));
        uri.push_str("?secret=");
        uri.push_str(&self.secret_base32());
        if let Some(issuer) = &self.issuer {
            uri.push_str("&issuer=");
            uri.extend(utf8_percent_encode(issuer, COMPONENT));
        }
        uri.push_str("&algorithm=");
        uri.push_str(self.algorithm.uri_name());
        uri.push_str("&digits=");
        uri.push_str(&self.digits.to_string());
        uri.push_str("&period=");
        uri.push_str(&self.period.to_string());
        uri
    }

    /// The code at `now` (unix seconds) and the seconds left before it
    /// changes (1..=period). Times before the epoch are treated as the epoch.
    pub fn code_at(&self, now: i64) -> (Zeroizing<String>, u32) {
        let now = u64::try_from(now).unwrap_or(0);
        let period = u64::from(self.period.max(1));
        let counter = (now / period).to_be_bytes();
        let left = period - now % period;
        let mac = match self.algorithm {
            Algorithm::Sha1 => hmac::<sha1::Sha1>(&self.secret, &counter),
            Algorithm::Sha256 => hmac::<sha2::Sha256>(&self.secret, &counter),
            Algorithm::Sha512 => hmac::<sha2::Sha512>(&self.secret, &counter),
        };
        // RFC 4226 section 5.3 dynamic truncation.
        let offset = usize::from(mac.last().copied().unwrap_or(0) & 0x0f);
        let mut word = [0u8; 4];
        if let Some(bytes) = mac.get(offset..offset + 4) {
            word.copy_from_slice(bytes);
        }
        let binary = u64::from(u32::from_be_bytes(word) & 0x7fff_ffff);
        word.zeroize();
        let digits = self
            .digits
            .clamp(*DIGITS_RANGE.start(), *DIGITS_RANGE.end());
        let code = binary % 10u64.pow(u32::from(digits));
        let code = Zeroizing::new(format!("{code:0width$}", width = usize::from(digits)));
        // `left` is at most `period`, which is a u32.
        (code, u32::try_from(left).unwrap_or(self.period))
    }

    /// An explicit copy, including the secret, for when the caller really
    /// needs two owned configurations.
    pub fn duplicate(&self) -> Self {
        Totp {
            secret: self.secret.clone(),
            algorithm: self.algorithm,
            digits: self.digits,
            period: self.period,
            issuer: self.issuer.clone(),
            account: self.account.clone(),
        }
    }
}

impl fmt::Debug for Totp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Totp")
            .field("algorithm", &self.algorithm)
            .field("digits", &self.digits)
            .field("period", &self.period)
            .finish_non_exhaustive()
    }
}

/// HMAC(key, message) without a fallible constructor: the key is reduced to
/// one hash block exactly as RFC 2104 prescribes (hash if longer than a
/// block, then zero-pad), so the fixed-size `KeyInit::new` applies.
fn hmac<D>(key: &[u8], message: &[u8]) -> Zeroizing<Vec<u8>>
where
    D: EagerHash + Digest + BlockSizeUser,
{
    let hashed;
    let key: &[u8] = if key.len() > <D as BlockSizeUser>::block_size() {
        hashed = Zeroizing::new(D::digest(key).to_vec());
        &hashed
    } else {
        key
    };
    let mut block = hmac::digest::Key::<Hmac<D>>::default();
    for (dst, src) in block.iter_mut().zip(key) {
        *dst = *src;
    }
    let mut mac = <Hmac<D> as KeyInit>::new(&block);
    block.as_mut_slice().zeroize();
    mac.update(message);
    Zeroizing::new(mac.finalize().into_bytes().to_vec())
}

/// Trims a label part; empty becomes `None`.
fn clean_name(name: Option<String>) -> Option<String> {
    let name = name?;
    let trimmed = name.trim();
    if trimmed.is_empty() {
        None
    } else if trimmed.len() == name.len() {
        Some(name)
    } else {
        Some(trimmed.to_owned())
    }
}

/// Lenient RFC 4648 base32: case-insensitive, whitespace and `-` ignored,
/// trailing `=` optional, non-zero trailing bits tolerated (as other
/// authenticator apps do).
fn decode_base32(text: &str) -> Result<Zeroizing<Vec<u8>>, TotpError> {
    let mut clean = Zeroizing::new(String::with_capacity(text.len()));
    for c in text.chars() {
        if c.is_whitespace() || c == '-' {
            continue;
        }
        clean.push(c.to_ascii_uppercase());
    }
    let unpadded = clean.trim_end_matches('=');
    if unpadded.is_empty() {
        return Err(TotpError::EmptySecret);
    }
    if unpadded.len() > MAX_SECRET_LEN.div_ceil(5) * 8 {
        return Err(TotpError::SecretTooLong);
    }
    let encoding = lenient_base32()?;
    encoding
        .decode(unpadded.as_bytes())
        .map(Zeroizing::new)
        .map_err(|_| TotpError::InvalidBase32)
}

fn lenient_base32() -> Result<Encoding, TotpError> {
    let mut spec = BASE32_NOPAD.specification();
    spec.check_trailing_bits = false;
    spec.encoding().map_err(|_| TotpError::InvalidBase32)
}

fn percent_decode(text: &str) -> Result<Cow<'_, str>, TotpError> {
    percent_decode_str(text)
        .decode_utf8()
        .map_err(|_| TotpError::InvalidEncoding)
}

/// Parses everything after `otpauth://`.
fn parse_uri(rest: &str) -> Result<Totp, TotpError> {
    let rest = rest.split_once('#').map_or(rest, |(before, _)| before);
    let (kind, rest) = rest.split_once('/').unwrap_or((rest, ""));
    if kind.eq_ignore_ascii_case("hotp") {
        return Err(TotpError::HotpNotSupported);
    }
    if !kind.eq_ignore_ascii_case("totp") {
        return Err(TotpError::NotOtpauthUri);
    }
    let (label, query) = rest.split_once('?').unwrap_or((rest, ""));

    let mut secret: Option<Zeroizing<Vec<u8>>> = None;
    let mut issuer: Option<String> = None;
    let mut algorithm: Option<Algorithm> = None;
    let mut digits: Option<u8> = None;
    let mut period: Option<u32> = None;

    for pair in query.split('&').filter(|p| !p.is_empty()) {
        let (name, raw) = pair.split_once('=').unwrap_or((pair, ""));
        let plus_as_space = Zeroizing::new(raw.replace('+', " "));
        let value = Zeroizing::new(percent_decode(&plus_as_space)?.into_owned());
        let name = percent_decode(name)?;
        if name.eq_ignore_ascii_case("secret") {
            once(&secret, "secret")?;
            secret = Some(decode_base32(&value)?);
        } else if name.eq_ignore_ascii_case("issuer") {
            once(&issuer, "issuer")?;
            issuer = Some(value.to_string());
        } else if name.eq_ignore_ascii_case("algorithm") {
            once(&algorithm, "algorithm")?;
            algorithm =
                Some(Algorithm::from_uri_name(value.trim()).ok_or(TotpError::UnknownAlgorithm)?);
        } else if name.eq_ignore_ascii_case("digits") {
            once(&digits, "digits")?;
            digits = Some(value.trim().parse().map_err(|_| TotpError::InvalidDigits)?);
        } else if name.eq_ignore_ascii_case("period") {
            once(&period, "period")?;
            period = Some(value.trim().parse().map_err(|_| TotpError::InvalidPeriod)?);
        }
    }

    let label = percent_decode(label)?;
    let issuer = issuer.filter(|i| !i.trim().is_empty());
    let (label_issuer, account) = match &issuer {
        Some(i) if label.len() > i.len() && label.starts_with(i.as_str()) => {
            match label[i.len()..].strip_prefix(':') {
                Some(account) => (None, account),
                None => split_label(&label),
            }
        }
        _ => split_label(&label),
    };
    let issuer = issuer.or_else(|| label_issuer.map(str::to_owned));

    let secret = secret.ok_or(TotpError::MissingSecret)?;
    Totp::new(
        secret.to_vec(),
        algorithm.unwrap_or(Algorithm::Sha1),
        digits.unwrap_or(DEFAULT_DIGITS),
        period.unwrap_or(DEFAULT_PERIOD),
        issuer,
        Some(account.to_owned()),
    )
}

/// "Issuer:account" → (Some(issuer), account); no colon → (None, label).
fn split_label(label: &str) -> (Option<&str>, &str) {
    match label.split_once(':') {
        Some((issuer, account)) => (Some(issuer), account),
        None => (None, label),
    }
}

fn once<T>(slot: &Option<T>, name: &'static str) -> Result<(), TotpError> {
    match slot {
        Some(_) => Err(TotpError::DuplicateParameter(name)),
        None => Ok(()),
    }
}

/// Secret bytes on the wire: serialized as a byte string.
struct SecretRef<'a>(&'a [u8]);

impl Serialize for SecretRef<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_bytes(self.0)
    }
}

/// Secret bytes read back into a zeroizing buffer sized up front.
struct SecretBuf(Zeroizing<Vec<u8>>);

impl<'de> Deserialize<'de> for SecretBuf {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Visitor;
        impl<'de> serde::de::Visitor<'de> for Visitor {
            type Value = SecretBuf;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("TOTP secret bytes")
            }
            fn visit_bytes<E: serde::de::Error>(self, v: &[u8]) -> Result<SecretBuf, E> {
                Ok(SecretBuf(Zeroizing::new(v.to_vec())))
            }
            fn visit_byte_buf<E: serde::de::Error>(self, v: Vec<u8>) -> Result<SecretBuf, E> {
                Ok(SecretBuf(Zeroizing::new(v)))
            }
            fn visit_seq<A: serde::de::SeqAccess<'de>>(
                self,
                mut seq: A,
            ) -> Result<SecretBuf, A::Error> {
                let hint = seq.size_hint().unwrap_or(0).min(MAX_SECRET_LEN + 1);
                let mut buf = Zeroizing::new(Vec::with_capacity(hint));
                while let Some(byte) = seq.next_element::<u8>()? {
                    if buf.len() > MAX_SECRET_LEN {
                        return Err(serde::de::Error::custom(TotpError::SecretTooLong));
                    }
                    buf.push(byte);
                }
                Ok(SecretBuf(buf))
            }
        }
        deserializer.deserialize_bytes(Visitor)
    }
}

#[derive(Serialize)]
#[serde(rename = "Totp")]
struct TotpRef<'a> {
    secret: SecretRef<'a>,
    algorithm: Algorithm,
    digits: u8,
    period: u32,
    issuer: &'a Option<String>,
    account: &'a Option<String>,
}

#[derive(Deserialize)]
#[serde(rename = "Totp")]
struct TotpOwned {
    secret: SecretBuf,
    algorithm: Algorithm,
    digits: u8,
    period: u32,
    issuer: Option<String>,
    account: Option<String>,
}

/// Serializes the secret bytes and all settings.
///
/// Only ever serialize a `Totp` inside an encrypted payload: the output
/// contains the raw secret.
impl Serialize for Totp {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        TotpRef {
            secret: SecretRef(&self.secret),
            algorithm: self.algorithm,
            digits: self.digits,
            period: self.period,
            issuer: &self.issuer,
            account: &self.account,
        }
        .serialize(serializer)
    }
}

/// Reads what [`Totp`]'s `Serialize` wrote (from a decrypted payload) and
/// applies the same checks as [`Totp::new`].
impl<'de> Deserialize<'de> for Totp {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let owned = TotpOwned::deserialize(deserializer)?;
        let mut secret = owned.secret.0;
        Totp::new(
            std::mem::take(&mut *secret),
            owned.algorithm,
            owned.digits,
            owned.period,
            owned.issuer,
            owned.account,
        )
        .map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SEED_SHA1: &[u8] = b"12345678901234567890";
    const SEED_SHA256: &[u8] = b"12345678901234567890123456789012";
    const SEED_SHA512: &[u8] = b"1234567890123456789012345678901234567890123456789012345678901234";

    fn rfc(secret: &[u8], algorithm: Algorithm) -> Totp {
        Totp::new(secret.to_vec(), algorithm, 8, 30, None, None).expect("valid test input")
    }

    fn same(a: &Totp, b: &Totp) {
        assert_eq!(a.secret(), b.secret());
        assert_eq!(a.algorithm, b.algorithm);
        assert_eq!(a.digits, b.digits);
        assert_eq!(a.period, b.period);
        assert_eq!(a.issuer, b.issuer);
        assert_eq!(a.account, b.account);
    }

    /// RFC 6238 Appendix B.
    #[test]
    fn rfc6238_vectors() {
        let table: [(i64, &str, &str, &str); 6] = [
            (59, "94287082", "46119246", "90693936"),
            (1111111109, "07081804", "68084774", "25091201"),
            (1111111111, "14050471", "67062674", "99943326"),
            (1234567890, "89005924", "91819424", "93441116"),
            (2000000000, "69279037", "90698825", "38618901"),
            (20000000000, "65353130", "77737706", "47863826"),
        ];
        let sha1 = rfc(SEED_SHA1, Algorithm::Sha1);
        let sha256 = rfc(SEED_SHA256, Algorithm::Sha256);
        let sha512 = rfc(SEED_SHA512, Algorithm::Sha512);
        for (time, c1, c256, c512) in table {
            assert_eq!(sha1.code_at(time).0.as_str(), c1, "SHA1 at {time}");
            assert_eq!(sha256.code_at(time).0.as_str(), c256, "SHA256 at {time}");
            assert_eq!(sha512.code_at(time).0.as_str(), c512, "SHA512 at {time}");
        }
    }

    /// RFC 4226 Appendix D (HOTP counters 0 and 1, 6 digits) via TOTP with
    /// a 30 s period: t = 0 is counter 0, t = 30 is counter 1.
    #[test]
    fn rfc4226_six_digits() {
        let t = Totp::new(SEED_SHA1.to_vec(), Algorithm::Sha1, 6, 30, None, None)
            .expect("valid test input");
        assert_eq!(t.code_at(0).0.as_str(), "755224");
        assert_eq!(t.code_at(30).0.as_str(), "287082");
        assert_eq!(t.code_at(9 * 30).0.as_str(), "520489");
    }

    /// RFC 2202 test case 6: a key longer than one block is hashed first.
    #[test]
    fn hmac_long_key() {
        let mac = hmac::<sha1::Sha1>(
            &[0xaa; 80],
            b"Test Using Larger Than Block-Size Key - Hash Key First",
        );
        assert_eq!(
            BASE32_NOPAD.encode(&mac),
            BASE32_NOPAD.encode(&[
                0xaa, 0x4a, 0xe5, 0xe1, 0x52, 0x72, 0xd0, 0x0e, 0x95, 0x70, 0x56, 0x37, 0xce, 0x8a,
                0x3b, 0x55, 0xed, 0x40, 0x21, 0x12
            ])
        );
    }

    #[test]
    fn ten_digits_are_zero_padded_31_bit_value() {
        // RFC 4226 Appendix D: truncated values 0x4c93cf18 (counter 0) and
        // 0x41397eea (counter 1).
        let t = Totp::new(SEED_SHA1.to_vec(), Algorithm::Sha1, 10, 30, None, None)
            .expect("valid test input");
        assert_eq!(t.code_at(0).0.as_str(), "1284755224");
        assert_eq!(t.code_at(30).0.as_str(), "1094287082");
    }

    #[test]
    fn seconds_left() {
        let t = rfc(SEED_SHA1, Algorithm::Sha1);
        assert_eq!(t.code_at(59).1, 1);
        assert_eq!(t.code_at(60).1, 30);
        assert_eq!(t.code_at(61).1, 29);
        let t = Totp::new(SEED_SHA1.to_vec(), Algorithm::Sha1, 6, 60, None, None)
            .expect("valid test input");
        assert_eq!(t.code_at(1_700_000_000).1, 40); // 1_700_000_000 % 60 == 20
    }

    #[test]
    fn negative_time_is_the_epoch() {
        let t = rfc(SEED_SHA1, Algorithm::Sha1);
        assert_eq!(t.code_at(-1), t.code_at(0));
        assert_eq!(t.code_at(i64::MIN).0.as_str(), "84755224");
        assert_eq!(t.code_at(i64::MIN).1, 30);
        let _ = t.code_at(i64::MAX);
    }

    #[test]
    fn bare_secret() {
        // "12345678901234567890" in base32.
        let b32 = "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ";
        let t = Totp::parse(b32).expect("valid test input");
        assert_eq!(t.secret(), SEED_SHA1);
        assert_eq!((t.algorithm, t.digits, t.period), (Algorithm::Sha1, 6, 30));
        assert_eq!(t.issuer, None);
        let messy =
            Totp::parse("  gezd gnbv-gy3t qojq gezd gnbv gy3t qojq ").expect("valid test input");
        assert_eq!(messy.secret(), SEED_SHA1);
        // "f" padded and unpadded (RFC 4648 section 10).
        assert_eq!(
            Totp::parse("MY======").expect("valid test input").secret(),
            b"f"
        );
        assert_eq!(Totp::parse("my").expect("valid test input").secret(), b"f");
    }

    #[test]
    fn bad_base32() {
        assert_eq!(
            Totp::parse("GEZDGNB1").unwrap_err(),
            TotpError::InvalidBase32
        );
        assert_eq!(Totp::parse("A").unwrap_err(), TotpError::InvalidBase32);
        assert_eq!(
            Totp::parse("GEZDGNBVGY3TQOJQé").unwrap_err(),
            TotpError::InvalidBase32
        );
        assert_eq!(Totp::parse("").unwrap_err(), TotpError::EmptySecret);
        assert_eq!(Totp::parse(" - = ").unwrap_err(), TotpError::EmptySecret);
        assert_eq!(
            Totp::parse(&"A".repeat(4000)).unwrap_err(),
            TotpError::SecretTooLong
        );
        assert_eq!(
            Totp::parse("https://example.com/?secret=MY").unwrap_err(),
            TotpError::NotOtpauthUri
        );
    }

    #[test]
    fn uri_with_encoded_label_and_issuer() {
        let uri = "otpauth://totp/ACME%20Co:john.doe%40email.com?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ&issuer=ACME+Co&ALGORITHM=sha256&Digits=8&period=60";
        let t = Totp::parse(uri).expect("valid test input");
        assert_eq!(t.secret(), SEED_SHA1);
        assert_eq!(t.algorithm, Algorithm::Sha256);
        assert_eq!(t.digits, 8);
        assert_eq!(t.period, 60);
        assert_eq!(t.issuer.as_deref(), Some("ACME Co"));
        assert_eq!(t.account.as_deref(), Some("john.doe@email.com"));
    }

    #[test]
    fn uri_label_forms() {
        let s = "secret=MY";
        // Encoded colon and a space after it (Google key-uri format).
        let t = Totp::parse(&format!("otpauth://totp/Example%3A%20alice?{s}"))
            .expect("valid test input");
        assert_eq!(t.issuer.as_deref(), Some("Example"));
        assert_eq!(t.account.as_deref(), Some("alice"));
        // No issuer anywhere.
        let t = Totp::parse(&format!("OTPAUTH://TOTP/alice%40example.com?{s}"))
            .expect("valid test input");
        assert_eq!(t.issuer, None);
        assert_eq!(t.account.as_deref(), Some("alice@example.com"));
        // Issuer parameter only.
        let t = Totp::parse(&format!("otpauth://totp/alice?{s}&issuer=Big%20Corp"))
            .expect("valid test input");
        assert_eq!(t.issuer.as_deref(), Some("Big Corp"));
        assert_eq!(t.account.as_deref(), Some("alice"));
        // Parameter wins over a different label prefix.
        let t = Totp::parse(&format!("otpauth://totp/Old:alice?issuer=New&{s}"))
            .expect("valid test input");
        assert_eq!(t.issuer.as_deref(), Some("New"));
        assert_eq!(t.account.as_deref(), Some("alice"));
        // Issuer containing a colon, matched against the parameter.
        let t = Totp::parse(&format!("otpauth://totp/a%3Ab:c?issuer=a%3Ab&{s}"))
            .expect("valid test input");
        assert_eq!(t.issuer.as_deref(), Some("a:b"));
        assert_eq!(t.account.as_deref(), Some("c"));
        // Empty label, unknown parameters ignored, fragment ignored.
        let t = Totp::parse(&format!("otpauth://totp/?{s}&image=x&color=red#frag"))
            .expect("valid test input");
        assert_eq!((&t.issuer, &t.account), (&None, &None));
        assert_eq!(t.secret(), b"f");
    }

    #[test]
    fn uri_errors() {
        assert_eq!(
            Totp::parse("otpauth://hotp/x?secret=MY&counter=1").unwrap_err(),
            TotpError::HotpNotSupported
        );
        assert_eq!(
            Totp::parse("otpauth://totp/x?issuer=a").unwrap_err(),
            TotpError::MissingSecret
        );
        assert_eq!(
            Totp::parse("otpauth://totp/x?secret=").unwrap_err(),
            TotpError::EmptySecret
        );
        assert_eq!(
            Totp::parse("otpauth://totp/x?secret=MY&digits=5").unwrap_err(),
            TotpError::InvalidDigits
        );
        assert_eq!(
            Totp::parse("otpauth://totp/x?secret=MY&digits=11").unwrap_err(),
            TotpError::InvalidDigits
        );
        assert_eq!(
            Totp::parse("otpauth://totp/x?secret=MY&digits=999999").unwrap_err(),
            TotpError::InvalidDigits
        );
        assert_eq!(
            Totp::parse("otpauth://totp/x?secret=MY&period=0").unwrap_err(),
            TotpError::InvalidPeriod
        );
        assert_eq!(
            Totp::parse("otpauth://totp/x?secret=MY&period=-5").unwrap_err(),
            TotpError::InvalidPeriod
        );
        assert_eq!(
            Totp::parse("otpauth://totp/x?secret=MY&algorithm=MD5").unwrap_err(),
            TotpError::UnknownAlgorithm
        );
        assert_eq!(
            Totp::parse("otpauth://totp/x?secret=MY&SECRET=MZ").unwrap_err(),
            TotpError::DuplicateParameter("secret")
        );
        assert_eq!(
            Totp::parse("otpauth://totp/%FF?secret=MY").unwrap_err(),
            TotpError::InvalidEncoding
        );
        assert_eq!(
            Totp::parse("otpauth://totp/x?secret=M1").unwrap_err(),
            TotpError::InvalidBase32
        );
        assert_eq!(
            Totp::parse("otpauth://steam/x?secret=MY").unwrap_err(),
            TotpError::NotOtpauthUri
        );
        // Odd inputs must not panic.
        for s in [
            "otpauth://",
            "otpauth://totp",
            "otpauth://totp/?",
            "otpauth://totp/é?&&=&=",
        ] {
            assert!(Totp::parse(s).is_err(), "{s}");
        }
    }

    #[test]
    fn new_validates() {
        let ok = |d, p| Totp::new(vec![1], Algorithm::Sha1, d, p, None, None);
        assert_eq!(
            Totp::new(vec![], Algorithm::Sha1, 6, 30, None, None).unwrap_err(),
            TotpError::EmptySecret
        );
        assert_eq!(
            Totp::new(vec![0; 1025], Algorithm::Sha1, 6, 30, None, None).unwrap_err(),
            TotpError::SecretTooLong
        );
        assert!(Totp::new(vec![0; 1024], Algorithm::Sha1, 6, 30, None, None).is_ok());
        assert_eq!(ok(5, 30).unwrap_err(), TotpError::InvalidDigits);
        assert_eq!(ok(11, 30).unwrap_err(), TotpError::InvalidDigits);
        assert!(ok(10, 30).is_ok() && ok(6, 1).is_ok() && ok(6, 86_400).is_ok());
        assert_eq!(ok(6, 0).unwrap_err(), TotpError::InvalidPeriod);
        assert_eq!(ok(6, 86_401).unwrap_err(), TotpError::InvalidPeriod);
    }

    #[test]
    fn canonical_uri() {
        let t = Totp::new(
            SEED_SHA1.to_vec(),
            Algorithm::Sha512,
            8,
            60,
            Some("ACME Co".into()),
            Some("john@x.com".into()),
        )
        .expect("valid test input");
        assert_eq!(
            t.to_uri().as_str(),
            "otpauth://totp/ACME%20Co:john%40x.com?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ\
             &issuer=ACME%20Co&algorithm=SHA512&digits=8&period=60"
        );
        assert_eq!(
            t.secret_base32().as_str(),
            "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ"
        );
    }

    #[test]
    fn uri_round_trip() {
        let names: [(Option<&str>, Option<&str>); 8] = [
            (None, None),
            (Some("ACME"), None),
            (None, Some("bob")),
            (Some("ACME Co"), Some("bob@example.com")),
            (None, Some("a:b")),
            (Some("x:y"), Some("z:w")),
            (Some("Ünïcødé & ?=#+%"), Some("späce + plus/slash")),
            (Some("x:y"), None),
        ];
        for (i, (issuer, account)) in names.into_iter().enumerate() {
            for algorithm in [Algorithm::Sha1, Algorithm::Sha256, Algorithm::Sha512] {
                let t = Totp::new(
                    (0..=i as u8 * 7 + 3).collect(),
                    algorithm,
                    6 + i as u8 % 5,
                    1 + i as u32 * 1000,
                    issuer.map(Into::into),
                    account.map(Into::into),
                )
                .expect("valid test input");
                let back = Totp::parse(&t.to_uri()).expect("valid test input");
                same(&t, &back);
                assert_eq!(back.to_uri(), t.to_uri());
            }
        }
    }

    #[test]
    fn serde_round_trip() {
        let t = Totp::new(
            SEED_SHA256.to_vec(),
            Algorithm::Sha256,
            7,
            45,
            Some("I".into()),
            None,
        )
        .expect("valid test input");
        let bytes = postcard::to_stdvec(&t).expect("valid test input");
        same(
            &t,
            &postcard::from_bytes::<Totp>(&bytes).expect("valid test input"),
        );
        let json = serde_json::to_string(&t).expect("valid test input");
        same(
            &t,
            &serde_json::from_str::<Totp>(&json).expect("valid test input"),
        );
        // Deserialization re-validates.
        let bad = json.replace("\"digits\":7", "\"digits\":3");
        assert!(serde_json::from_str::<Totp>(&bad).is_err());
    }

    #[test]
    fn debug_hides_secret() {
        let t = Totp::new(
            b"hunter2hunter2".to_vec(),
            Algorithm::Sha1,
            6,
            30,
            None,
            None,
        )
        .expect("valid test input");
        let s = format!("{t:?}");
        assert_eq!(s, "Totp { algorithm: Sha1, digits: 6, period: 30, .. }");
        assert_eq!(t.duplicate().secret(), t.secret());
    }
}
