//! The stored form of a value: a small header, MessagePack, LZ4 for large
//! values, and a CRC-32 so a corrupted or truncated entry reads as a miss.

use serde::de::DeserializeOwned;
use serde::Serialize;

use crate::CacheError;

const MAGIC: u8 = 0xDA;
const VERSION: u8 = 1;
const FLAG_LZ4: u8 = 1;
const HEADER: usize = 1 + 1 + 1 + 4;

/// Values above this many bytes of MessagePack are compressed.
pub const COMPRESS_ABOVE: usize = 1024;

/// Encodes a value for storage.
///
/// ```
/// let bytes = dash_cache::codec::encode(&vec![1u32, 2, 3]).unwrap();
/// let back: Vec<u32> = dash_cache::codec::decode(&bytes).unwrap();
/// assert_eq!(back, [1, 2, 3]);
/// ```
pub fn encode<T: Serialize + ?Sized>(value: &T) -> Result<Vec<u8>, CacheError> {
    let packed = rmp_serde::to_vec_named(value).map_err(|e| CacheError::Codec(e.to_string()))?;
    let (flags, body) = if packed.len() > COMPRESS_ABOVE {
        (FLAG_LZ4, lz4_flex::compress_prepend_size(&packed))
    } else {
        (0, packed)
    };
    let mut out = Vec::with_capacity(HEADER + body.len());
    out.push(MAGIC);
    out.push(VERSION);
    out.push(flags);
    out.extend_from_slice(&crc32fast::hash(&body).to_le_bytes());
    out.extend_from_slice(&body);
    Ok(out)
}

/// Decodes a stored value; anything damaged is an error (callers treat it
/// as a miss).
pub fn decode<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, CacheError> {
    if bytes.len() < HEADER || bytes[0] != MAGIC || bytes[1] != VERSION {
        return Err(CacheError::Codec("not a dash-cache entry".into()));
    }
    let flags = bytes[2];
    let crc = u32::from_le_bytes([bytes[3], bytes[4], bytes[5], bytes[6]]);
    let body = &bytes[HEADER..];
    if crc32fast::hash(body) != crc {
        return Err(CacheError::Codec(
            "checksum mismatch (corrupted or truncated entry)".into(),
        ));
    }
    let result = if flags & FLAG_LZ4 != 0 {
        let raw = lz4_flex::decompress_size_prepended(body)
            .map_err(|e| CacheError::Codec(e.to_string()))?;
        rmp_serde::from_slice(&raw)
    } else {
        rmp_serde::from_slice(body)
    };
    result.map_err(|e| CacheError::Codec(e.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

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
    fn damage_is_an_error_not_a_panic() {
        let bytes = encode(&"hello world".repeat(200)).unwrap();
        assert!(decode::<String>(&bytes[..bytes.len() / 2]).is_err());
        let mut flipped = bytes.clone();
        let last = flipped.len() - 1;
        flipped[last] ^= 0xff;
        assert!(decode::<String>(&flipped).is_err());
        assert!(decode::<String>(b"").is_err());
        assert!(decode::<String>(b"garbage!").is_err());
    }
}
