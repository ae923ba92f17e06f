//! The one place Baton serializes structured data: postcard 1.x, whose wire
//! format is specified and stable since 1.0 (docs/FORMAT.md says why not
//! bincode). Decoding is strict: trailing bytes are an error.

use serde::Serialize;
use serde::de::DeserializeOwned;
use zeroize::Zeroizing;

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum CodecError {
    #[error("malformed data")]
    Malformed,
    #[error("unexpected bytes after the end of a structure")]
    TrailingBytes,
}

pub fn encode<T: Serialize + ?Sized>(value: &T) -> Vec<u8> {
    postcard::to_stdvec(value).expect("serializing to a Vec cannot fail for Baton's types")
}

/// Serializes secret data into a buffer allocated once at its exact size
/// plus `spare` bytes (room for an AEAD tag), so no reallocation leaves a
/// plaintext copy in freed memory.
pub fn encode_secret<T: Serialize + ?Sized>(value: &T, spare: usize) -> Zeroizing<Vec<u8>> {
    let size = postcard::experimental::serialized_size(value)
        .expect("sizing cannot fail for Baton's types");
    let mut buf = Zeroizing::new(vec![0u8; size]);
    buf.reserve_exact(spare);
    let used = postcard::to_slice(value, &mut buf[..])
        .expect("the buffer was sized by serialized_size")
        .len();
    debug_assert_eq!(used, size);
    buf
}

/// Serializes `value` into `buf`, replacing what it held (a buffer the
/// caller reuses for many values, and wipes when it holds secrets). One
/// pass when the value fits the buffer's capacity.
pub fn encode_into<T: Serialize + ?Sized>(value: &T, buf: &mut Vec<u8>) {
    let cap = buf.capacity().max(4096);
    buf.resize(cap, 0);
    if let Ok(used) = postcard::to_slice(value, &mut buf[..]).map(|s| s.len()) {
        buf.truncate(used);
        return;
    }
    let size = postcard::experimental::serialized_size(value)
        .expect("sizing cannot fail for Baton's types");
    // A bigger buffer; the old one is wiped before it is freed.
    let mut bigger = vec![0u8; size];
    zeroize::Zeroize::zeroize(buf);
    postcard::to_slice(value, &mut bigger[..]).expect("the buffer was sized by serialized_size");
    *buf = bigger;
}

/// Decodes exactly one `T` from `bytes`; anything left over is an error.
pub fn decode<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, CodecError> {
    let (value, rest) = postcard::take_from_bytes(bytes).map_err(|_| CodecError::Malformed)?;
    if !rest.is_empty() {
        return Err(CodecError::TrailingBytes);
    }
    Ok(value)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strict_decoding() {
        let bytes = encode(&(1u32, String::from("x")));
        assert_eq!(decode::<(u32, String)>(&bytes), Ok((1, "x".into())));
        let mut longer = bytes.clone();
        longer.push(0);
        assert_eq!(
            decode::<(u32, String)>(&longer),
            Err(CodecError::TrailingBytes)
        );
        assert_eq!(
            decode::<(u32, String)>(&bytes[..bytes.len() - 1]),
            Err(CodecError::Malformed)
        );
    }

    #[test]
    fn secret_encoding_matches_plain_encoding() {
        let v = (7u64, String::from("secret"));
        let s = encode_secret(&v, 16);
        assert_eq!(&s[..], &encode(&v)[..]);
        assert!(s.capacity() >= s.len() + 16);
    }
}
