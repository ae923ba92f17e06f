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

/// Serializes `head` followed by the sequence `items` — the encoding of
/// a struct whose last field is a `Vec<T>`, byte for byte — as
/// [`encode_secret`] does (one buffer of the exact size plus `spare`
/// bytes), with the items sized and written on all cores: an item's
/// encoding does not depend on its neighbours, so each core writes its
/// share of the list into its own part of the buffer.
pub fn encode_secret_with_seq<H: Serialize + ?Sized, T: Serialize + Sync>(
    head: &H,
    items: &[T],
    spare: usize,
) -> Zeroizing<Vec<u8>> {
    use rayon::prelude::*;
    let head_bytes = Zeroizing::new(encode(head));
    let len_bytes = encode(&items.len());
    let chunk = (items.len() / (rayon::current_num_threads() * 8)).max(256);
    let sizes: Vec<usize> = items
        .par_chunks(chunk)
        .map(|c| {
            c.iter()
                .map(|i| {
                    postcard::experimental::serialized_size(i)
                        .expect("sizing cannot fail for Baton's types")
                })
                .sum()
        })
        .collect();
    let start = head_bytes.len() + len_bytes.len();
    let total = start + sizes.iter().sum::<usize>();
    let mut buf = Zeroizing::new(vec![0u8; total]);
    buf.reserve_exact(spare);
    buf[..head_bytes.len()].copy_from_slice(&head_bytes);
    buf[head_bytes.len()..start].copy_from_slice(&len_bytes);
    let mut parts: Vec<&mut [u8]> = Vec::with_capacity(sizes.len());
    let mut rest = &mut buf[start..];
    for n in &sizes {
        let (part, more) = rest.split_at_mut(*n);
        parts.push(part);
        rest = more;
    }
    items.par_chunks(chunk).zip(parts).for_each(|(c, part)| {
        let mut at = 0;
        for i in c {
            at += postcard::to_slice(i, &mut part[at..])
                .expect("the part was sized by serialized_size")
                .len();
        }
        debug_assert_eq!(at, part.len());
    });
    buf
}

/// Decodes a `H` followed by a sequence of `T` — the shape of a struct
/// whose last field is a `Vec<T>` — exactly as [`decode`] would, but with
/// the sequence's room allocated once: serde's own `Vec` grows from a
/// cautious guess, and every growth copies the items already decoded
/// (and, under Baton's wiping allocator, wipes the old block). The room is
/// the encoded length, held to what the bytes left could hold at
/// `min_item` bytes an item, so a crafted length allocates nothing more.
pub fn decode_with_seq<H: DeserializeOwned, T: DeserializeOwned>(
    bytes: &[u8],
    min_item: usize,
) -> Result<(H, Vec<T>), CodecError> {
    let (head, rest): (H, _) =
        postcard::take_from_bytes(bytes).map_err(|_| CodecError::Malformed)?;
    let (len, mut rest): (usize, _) =
        postcard::take_from_bytes(rest).map_err(|_| CodecError::Malformed)?;
    let room = len.min(rest.len() / min_item.max(1));
    let mut items = Vec::with_capacity(room);
    for _ in 0..len {
        let (item, more) = postcard::take_from_bytes(rest).map_err(|_| CodecError::Malformed)?;
        items.push(item);
        rest = more;
    }
    if !rest.is_empty() {
        return Err(CodecError::TrailingBytes);
    }
    Ok((head, items))
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
    fn a_sequence_decodes_as_its_struct_does() {
        #[derive(serde::Serialize, serde::Deserialize, PartialEq, Debug)]
        struct Shape {
            name: String,
            items: Vec<(u32, String)>,
        }
        let v = Shape {
            name: "g".into(),
            items: (0..300).map(|i| (i, format!("item {i}"))).collect(),
        };
        let bytes = encode(&v);
        let (name, items): (String, Vec<(u32, String)>) =
            decode_with_seq(&bytes, 2).expect("decodes");
        // Written in parallel parts, the same bytes, with the room asked.
        let parallel = encode_secret_with_seq(&v.name, &v.items, 16);
        assert_eq!(*parallel, bytes);
        assert!(parallel.capacity() >= bytes.len() + 16);
        assert_eq!(
            *encode_secret_with_seq(&v.name, &v.items[..0], 0),
            encode(&Shape {
                name: "g".into(),
                items: Vec::new()
            })
        );
        assert_eq!(Shape { name, items }, v);
        let mut longer = bytes.clone();
        longer.push(0);
        assert_eq!(
            decode_with_seq::<String, (u32, String)>(&longer, 2),
            Err(CodecError::TrailingBytes)
        );
        for cut in 0..bytes.len() {
            assert!(decode_with_seq::<String, (u32, String)>(&bytes[..cut], 2).is_err());
        }
        // A length far beyond what the bytes hold allocates nothing for it.
        let mut huge = encode(&"g");
        huge.extend(encode(&(u32::MAX as usize)));
        assert_eq!(
            decode_with_seq::<String, (u32, String)>(&huge, 2),
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
