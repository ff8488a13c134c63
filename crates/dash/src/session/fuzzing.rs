//! The entry point of the `session_cookie` fuzz target (`fuzz/`, nightly)
//! and of the replay of its corpus (`tests/fuzz_corpus.rs`, stable).

use axum::http::HeaderValue;

use super::cookie::{decode, encode, request_values, SessionId, Ticket};
use super::secret::AppSecret;

const KEY: &str = "fuzzing-key-0123456789abcdef-0123456789";
const OTHER_KEY: &str = "another-key-0123456789abcdef-0123456789";

/// Reads `data` as a `Cookie` header and as a cookie value; must not panic.
/// Properties: a value accepted is exactly what the server would write for
/// the ticket it holds; a value signed with another key is refused; a
/// value this server wrote reads back as its ticket, and the same value
/// with any one byte changed (here: the byte `data` points at) is refused.
pub fn session_cookie(data: &[u8]) {
    let secret = AppSecret::new(KEY).expect("a long enough key");
    let values = HeaderValue::from_bytes(data)
        .map(|h| request_values(&[h]))
        .unwrap_or_default();
    let text = String::from_utf8_lossy(data);
    for value in values.iter().map(String::as_str).chain([text.as_ref()]) {
        if let Ok((ticket, _)) = decode(&secret, value) {
            assert_eq!(encode(&secret, ticket), value, "accepted only as written");
        }
    }
    // A ticket made from the input, written by this server.
    let mut raw = [0u8; 24];
    for (slot, byte) in raw.iter_mut().zip(data) {
        *slot = *byte;
    }
    let ticket = Ticket {
        id: SessionId::from_bits(u128::from_le_bytes(raw[..16].try_into().expect("16 bytes"))),
        issued_ms: u64::from_le_bytes(raw[16..].try_into().expect("8 bytes")) % 10_000_000_000_000,
    };
    let written = encode(&secret, ticket);
    let (back, _) = decode(&secret, &written).expect("a value this server wrote");
    assert_eq!((back.id, back.issued_ms), (ticket.id, ticket.issued_ms));
    let other = AppSecret::new(OTHER_KEY).expect("a long enough key");
    assert!(decode(&other, &written).is_err(), "another key refuses it");
    if let Some(&pick) = data.first() {
        let mut altered = written.clone().into_bytes();
        let at = usize::from(pick) % altered.len();
        let replacement = data.get(1).copied().unwrap_or(b'x');
        if altered[at] != replacement {
            altered[at] = replacement;
            let altered = String::from_utf8_lossy(&altered);
            assert!(
                decode(&secret, &altered).is_err(),
                "an altered value is refused: {altered}"
            );
        }
    }
}
