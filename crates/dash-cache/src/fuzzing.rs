//! Entry point for the `cache_codec` fuzz target in `fuzz/` (cargo-fuzz,
//! nightly) and for the replay of its corpus in `tests/fuzz_corpus.rs`
//! (stable): the same function runs in both.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::codec::{decode, encode, encode_typed, frame_with, FORMAT_NAMED, FORMAT_TYPED};
use crate::schema::fingerprint;

/// A typed value with the shapes callbacks cache: numbers, text, lists,
/// options, nested maps.
#[derive(Debug, Serialize, Deserialize)]
struct Row {
    x: f64,
    label: String,
    tags: Vec<u32>,
    parent: Option<i64>,
    extra: BTreeMap<String, Vec<u8>>,
}

/// The cache value codec on arbitrary bytes: first as a stored entry, then
/// as the body of an entry with a valid header and checksum (the first byte
/// picks the format and the LZ4 flag), so the decoders behind the checksum
/// are reached too. Decoding must fail cleanly or give a value that encodes
/// and decodes to the same bytes.
pub fn cache_value(data: &[u8]) {
    decode_every_way(data);
    if let Some((&selector, body)) = data.split_first() {
        let lz4 = selector & 2 != 0;
        let entry = if selector & 1 == 0 {
            frame_with(FORMAT_NAMED, &[], body, lz4)
        } else {
            let print = fingerprint::<Vec<Row>>().expect("Row can be traced");
            frame_with(FORMAT_TYPED, &print, body, lz4)
        };
        decode_every_way(&entry);
    }
}

fn decode_every_way(bytes: &[u8]) {
    if let Ok(v) = decode::<serde_json::Value>(bytes) {
        let again = encode(&v).expect("a decoded value encodes");
        let back: serde_json::Value = decode(&again).expect("an encoded value decodes");
        assert_eq!(encode(&back).expect("encodes"), again, "stable round trip");
    }
    if let Ok(rows) = decode::<Vec<Row>>(bytes) {
        let again = encode_typed(&rows).expect("decoded rows encode");
        let back: Vec<Row> = decode(&again).expect("encoded rows decode");
        assert_eq!(
            encode_typed(&back).expect("encodes"),
            again,
            "stable round trip"
        );
    }
    let _ = decode::<String>(bytes);
    let _ = decode::<BTreeMap<String, Vec<f64>>>(bytes);
    let _ = decode::<(u8, i128, bool, char)>(bytes);
}
