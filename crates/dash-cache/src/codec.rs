//! The stored form of a value: a small header, the body, LZ4 for large
//! values, and a CRC-32 so a corrupted or truncated entry reads as a miss.
//!
//! Two bodies exist. [`encode`] writes MessagePack with field names, which
//! any serde type can read back. [`encode_typed`] writes postcard, which
//! has no field names and decodes about twice as fast, tagged with the
//! [fingerprint](crate::schema::fingerprint()) of the type; it is used only
//! when the type's shape can be traced and the value reads back to the same
//! bytes (else it falls back to MessagePack). [`decode`] reads both.

use serde::de::DeserializeOwned;
use serde::Serialize;

use crate::schema::{fingerprint, Fingerprint};
use crate::CacheError;

const MAGIC: u8 = 0xDA;
/// MessagePack with field names.
pub(crate) const FORMAT_NAMED: u8 = 1;
/// Postcard after an eight-byte fingerprint of the type's shape.
pub(crate) const FORMAT_TYPED: u8 = 2;
const FLAG_LZ4: u8 = 1;
const HEADER: usize = 1 + 1 + 1 + 4;
const FINGERPRINT: usize = 8;

/// Values above this many bytes of body are compressed.
pub const COMPRESS_ABOVE: usize = 1024;

/// Encodes a value for storage as MessagePack with field names.
///
/// ```
/// let bytes = dash_cache::codec::encode(&vec![1u32, 2, 3]).unwrap();
/// let back: Vec<u32> = dash_cache::codec::decode(&bytes).unwrap();
/// assert_eq!(back, [1, 2, 3]);
/// ```
pub fn encode<T: Serialize + ?Sized>(value: &T) -> Result<Vec<u8>, CacheError> {
    let packed = rmp_serde::to_vec_named(value).map_err(|e| CacheError::Codec(e.to_string()))?;
    Ok(frame(FORMAT_NAMED, &[], packed))
}

/// Encodes a value to be read back as the same type `T`: positional and
/// fingerprinted when `T` allows it, else as [`encode`] does.
///
/// ```
/// #[derive(serde::Serialize, serde::Deserialize, Debug, PartialEq)]
/// struct Point { x: f64, y: f64 }
///
/// use dash_cache::codec::{decode, encode_typed};
/// let bytes = encode_typed(&vec![Point { x: 1.0, y: 2.0 }]).unwrap();
/// let back: Vec<Point> = decode(&bytes).unwrap();
/// assert_eq!(back, [Point { x: 1.0, y: 2.0 }]);
/// ```
pub fn encode_typed<T>(value: &T) -> Result<Vec<u8>, CacheError>
where
    T: Serialize + DeserializeOwned + 'static,
{
    if let Some(print) = fingerprint::<T>() {
        if let Ok(body) = postcard::to_stdvec(value) {
            if reads_back_the_same::<T>(&body) {
                return Ok(frame(FORMAT_TYPED, &print, body));
            }
        }
    }
    encode(value)
}

/// A positional body is trusted only if decoding it and encoding the result
/// gives the same bytes (this catches `skip_serializing_if` and other
/// attributes that make the written and the read shapes differ).
fn reads_back_the_same<T: Serialize + DeserializeOwned>(body: &[u8]) -> bool {
    match postcard::take_from_bytes::<T>(body) {
        Ok((back, rest)) => {
            rest.is_empty() && postcard::to_stdvec(&back).is_ok_and(|again| again == body)
        }
        Err(_) => false,
    }
}

fn frame(format: u8, print: &[u8], body: Vec<u8>) -> Vec<u8> {
    let (flags, body) = if body.len() > COMPRESS_ABOVE {
        (FLAG_LZ4, lz4_flex::compress_prepend_size(&body))
    } else {
        (0, body)
    };
    framed(format, flags, print, &body)
}

/// An entry around a body given as is (compressed or not, as `lz4` says),
/// for the fuzz target: it reaches the decoders behind the checksum.
pub(crate) fn frame_with(format: u8, print: &[u8], body: &[u8], lz4: bool) -> Vec<u8> {
    framed(format, if lz4 { FLAG_LZ4 } else { 0 }, print, body)
}

fn framed(format: u8, flags: u8, print: &[u8], body: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(HEADER + print.len() + body.len());
    out.extend_from_slice(&[MAGIC, format, flags, 0, 0, 0, 0]);
    out.extend_from_slice(print);
    out.extend_from_slice(body);
    let crc = crc32fast::hash(&out[HEADER..]);
    out[3..HEADER].copy_from_slice(&crc.to_le_bytes());
    out
}

/// Decodes a stored value; anything damaged, or written for another shape
/// of the type, is an error (callers treat it as a miss).
pub fn decode<T: DeserializeOwned + 'static>(bytes: &[u8]) -> Result<T, CacheError> {
    unframe(bytes)?.decode()
}

/// A stored value whose checksum was verified and whose body was
/// decompressed: kept in memory, it decodes again without either step (the
/// in-process cache of server-side stores keeps these).
///
/// ```
/// let body = dash_cache::codec::unframe(&dash_cache::codec::encode(&vec![1u8; 5000]).unwrap()).unwrap();
/// assert_eq!(body.decode::<Vec<u8>>().unwrap(), vec![1u8; 5000]);
/// assert!(body.len() >= 5000);
/// ```
#[derive(Debug, Clone)]
pub struct CheckedBody {
    print: Option<Fingerprint>,
    body: Vec<u8>,
}

impl CheckedBody {
    /// Bytes of the decompressed body.
    pub fn len(&self) -> usize {
        self.body.len()
    }

    /// Whether the body is empty (never, for a valid entry).
    pub fn is_empty(&self) -> bool {
        self.body.is_empty()
    }

    /// Reads the value as `T`; a body written for another shape of a
    /// positional type is an error.
    pub fn decode<T: DeserializeOwned + 'static>(&self) -> Result<T, CacheError> {
        let body = &self.body[..];
        let result = match &self.print {
            None => {
                let mut de = rmp_serde::Deserializer::from_read_ref(body);
                de.set_max_depth(MAX_DEPTH);
                T::deserialize(&mut de).map_err(|e| e.to_string())
            }
            Some(print) => {
                let wanted: Option<Fingerprint> = fingerprint::<T>();
                if wanted.as_ref() != Some(print) {
                    return Err(CacheError::Codec(
                        "stored for another shape of this type (a changed struct reads as a miss)"
                            .to_owned(),
                    ));
                }
                match postcard::take_from_bytes(body) {
                    Ok((value, [])) => Ok(value),
                    Ok(_) => Err("trailing bytes after the value".to_owned()),
                    Err(e) => Err(e.to_string()),
                }
            }
        };
        result.map_err(CacheError::Codec)
    }
}

impl CheckedBody {
    /// Reads the value through a serde seed (an element of a list the
    /// caller is building, say). Only values written by [`encode`] (named
    /// MessagePack) can be read this way; a typed entry is an error.
    ///
    /// ```
    /// use serde::de::DeserializeSeed;
    /// let body = dash_cache::codec::unframe(&dash_cache::codec::encode(&vec![7u8; 3]).unwrap()).unwrap();
    /// let v = body.decode_seed(std::marker::PhantomData::<Vec<u8>>).unwrap();
    /// assert_eq!(v, vec![7u8; 3]);
    /// ```
    pub fn decode_seed<'de, S: serde::de::DeserializeSeed<'de>>(
        &'de self,
        seed: S,
    ) -> Result<S::Value, CacheError> {
        if self.print.is_some() {
            return Err(CacheError::Codec(
                "a typed entry is read with decode, not through a seed".to_owned(),
            ));
        }
        let mut de = rmp_serde::Deserializer::from_read_ref(&self.body[..]);
        de.set_max_depth(MAX_DEPTH);
        seed.deserialize(&mut de)
            .map_err(|e| CacheError::Codec(e.to_string()))
    }
}

/// Checks a stored value's header and checksum and decompresses its body.
pub fn unframe(bytes: &[u8]) -> Result<CheckedBody, CacheError> {
    let bad = |why: &str| CacheError::Codec(why.to_owned());
    if bytes.len() < HEADER || bytes[0] != MAGIC {
        return Err(bad("not a dash-cache entry"));
    }
    let (format, flags) = (bytes[1], bytes[2]);
    let crc = u32::from_le_bytes([bytes[3], bytes[4], bytes[5], bytes[6]]);
    let checked = &bytes[HEADER..];
    if crc32fast::hash(checked) != crc {
        return Err(bad("checksum mismatch (corrupted or truncated entry)"));
    }
    let (print, body) = match format {
        FORMAT_NAMED => (None, checked),
        FORMAT_TYPED if checked.len() >= FINGERPRINT => {
            let (print, body) = checked.split_at(FINGERPRINT);
            let mut p = [0u8; FINGERPRINT];
            p.copy_from_slice(print);
            (Some(p), body)
        }
        _ => return Err(bad("not a dash-cache entry format this version reads")),
    };
    let body = if flags & FLAG_LZ4 != 0 {
        decompress(body)?
    } else {
        body.to_vec()
    };
    Ok(CheckedBody { print, body })
}

/// The deepest nesting a MessagePack body may have. rmp-serde's own limit
/// (1024) overflows a 2 MiB thread stack in a debug build on a damaged entry
/// of nested arrays (found by the `cache_codec` fuzz corpus replay);
/// anything that went through JSON is at most 128 deep (serde_json's limit).
const MAX_DEPTH: usize = 256;

/// LZ4 writes at most this many bytes per compressed byte (a match's length
/// grows by 255 per extra byte), plus a few of slack.
const LZ4_MAX_RATIO: usize = 256;

/// An LZ4 body after its four-byte size. The size is checked against what
/// the body could expand to before anything is allocated: a damaged entry
/// claiming 4 GiB is an error, not a 4 GiB allocation (found by the
/// `cache_codec` fuzz target).
fn decompress(body: &[u8]) -> Result<Vec<u8>, CacheError> {
    let bad = |why: String| CacheError::Codec(why);
    let Some((size, data)) = body.split_first_chunk::<4>() else {
        return Err(bad("the compressed body has no size".into()));
    };
    let size = u32::from_le_bytes(*size) as usize;
    if size > data.len().saturating_mul(LZ4_MAX_RATIO) + 64 {
        return Err(bad(format!(
            "the compressed body of {} bytes claims {size} bytes, more than LZ4 can expand it to",
            data.len()
        )));
    }
    lz4_flex::decompress(data, size).map_err(|e| bad(e.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde::Deserialize;

    #[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
    struct Record {
        x: f64,
        y: f64,
        label: String,
    }

    /// The same fields in another order: read positionally, x and y would swap.
    #[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
    struct Reordered {
        y: f64,
        x: f64,
        label: String,
    }

    #[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
    struct Sparse {
        #[serde(skip_serializing_if = "Option::is_none", default)]
        a: Option<f64>,
        b: f64,
    }

    fn records(n: usize) -> Vec<Record> {
        (0..n)
            .map(|i| Record {
                x: i as f64,
                y: (i % 7) as f64,
                label: format!("row {i}"),
            })
            .collect()
    }

    #[test]
    fn round_trip_small_large_and_json_values() {
        let big: Vec<String> = (0..1000).map(|i| format!("row {i}")).collect();
        let bytes = encode(&big).unwrap();
        assert_eq!(bytes[2], FLAG_LZ4);
        assert!(bytes.len() < 6000);
        assert_eq!(decode::<Vec<String>>(&bytes).unwrap(), big);
        let v = serde_json::json!({"a": [1, 2.5, null, "x"], "b": {"c": true}});
        assert_eq!(
            decode::<serde_json::Value>(&encode(&v).unwrap()).unwrap(),
            v
        );
    }

    #[test]
    fn typed_values_are_positional_and_read_back() {
        for n in [0, 3, 5000] {
            let value = records(n);
            let bytes = encode_typed(&value).unwrap();
            assert_eq!(bytes[1], FORMAT_TYPED, "{n} records");
            assert_eq!(decode::<Vec<Record>>(&bytes).unwrap(), value);
        }
        let named = encode(&records(5000)).unwrap().len();
        let typed = encode_typed(&records(5000)).unwrap().len();
        assert!(typed < named, "positional {typed} B vs named {named} B");
    }

    #[test]
    fn a_changed_type_reads_a_typed_entry_as_a_miss() {
        let bytes = encode_typed(&records(10)).unwrap();
        let err = decode::<Vec<Reordered>>(&bytes).unwrap_err();
        assert!(err.to_string().contains("another shape"), "{err}");
        assert!(decode::<Vec<(f64, f64, String)>>(&bytes).is_err());
        // The named form reads by name, so the reordered struct gets it right.
        let named = decode::<Vec<Reordered>>(&encode(&records(10)).unwrap()).unwrap();
        assert_eq!((named[3].x, named[3].y), (3.0, 3.0));
        assert_eq!((named[9].x, named[9].y), (9.0, 2.0));
    }

    #[test]
    fn untraceable_or_asymmetric_values_fall_back_to_names() {
        let v = serde_json::json!({"a": [1, 2]});
        let bytes = encode_typed(&v).unwrap();
        assert_eq!(bytes[1], FORMAT_NAMED);
        assert_eq!(decode::<serde_json::Value>(&bytes).unwrap(), v);
        // A skipped field makes the positional body unreadable: names it is.
        let sparse = vec![
            Sparse { a: None, b: 2.0 },
            Sparse {
                a: Some(1.0),
                b: 3.0,
            },
        ];
        let bytes = encode_typed(&sparse).unwrap();
        assert_eq!(bytes[1], FORMAT_NAMED);
        assert_eq!(decode::<Vec<Sparse>>(&bytes).unwrap(), sparse);
    }

    #[test]
    fn damage_is_an_error_not_a_panic() {
        for bytes in [
            encode(&"hello world".repeat(200)).unwrap(),
            encode_typed(&"hello world".repeat(200)).unwrap(),
            encode_typed(&records(100)).unwrap(),
        ] {
            assert!(decode::<String>(&bytes[..bytes.len() / 2]).is_err());
            let mut flipped = bytes.clone();
            let last = flipped.len() - 1;
            flipped[last] ^= 0xff;
            assert!(decode::<String>(&flipped).is_err());
            let mut print = bytes.clone();
            print[HEADER] ^= 0x01;
            assert!(decode::<String>(&print).is_err());
        }
        // A size no body of that length can expand to is refused before
        // anything is allocated.
        let lying = frame_with(
            FORMAT_NAMED,
            &[],
            &[0xff, 0xff, 0xff, 0xfb, 0x10, 0x41],
            true,
        );
        let err = decode::<String>(&lying).unwrap_err();
        assert!(
            err.to_string().contains("more than LZ4 can expand"),
            "{err}"
        );
        // The most compressible value there is still reads back.
        let zeros = vec![0u8; 4 << 20];
        assert_eq!(decode::<Vec<u8>>(&encode(&zeros).unwrap()).unwrap(), zeros);
        let flat = "a".repeat(4 << 20);
        assert_eq!(decode::<String>(&encode(&flat).unwrap()).unwrap(), flat);
        // Nesting past the limit is an error, not a stack overflow; values
        // as deep as JSON allows read back.
        let nested = |depth: usize| {
            let mut body = vec![0x91u8; depth]; // a one-element array, `depth` times
            body.push(0xc0); // nil
            frame_with(FORMAT_NAMED, &[], &body, false)
        };
        assert!(decode::<serde_json::Value>(&nested(100_000)).is_err());
        assert!(decode::<serde_json::Value>(&nested(MAX_DEPTH + 1)).is_err());
        let deep: serde_json::Value =
            serde_json::from_str(&format!("{}{}", "[".repeat(127), "]".repeat(127))).unwrap();
        assert_eq!(
            decode::<serde_json::Value>(&encode(&deep).unwrap()).unwrap(),
            deep
        );
        assert!(decode::<String>(b"").is_err());
        assert!(decode::<String>(b"garbage!").is_err());
    }
}
