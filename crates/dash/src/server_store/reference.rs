//! The reference the browser holds: `{"ref": "<key>.<tag>", "size": N,
//! "expires": T}`.
//!
//! `key` is 128 random bits (32 hex digits); `tag` is HMAC-SHA-256 under the
//! app secret with its own purpose, over the store's id, the session id, the
//! key, the size and the expiry, each length-prefixed. So a reference
//! altered in any part, made up, moved to another store or sent with another
//! session's cookie does not verify; the session id itself never leaves the
//! server.

use serde::{Deserialize, Serialize};

use crate::session::AppSecret;

/// The purpose string of reference signatures (domain separation from
/// session cookies and any other signed value).
const PURPOSE: &str = "dash-rs/server-store-reference/v1";

/// Hex digits of a key (128 bits).
pub(crate) const KEY_HEX: usize = 32;

/// The reference as the browser holds it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct Reference {
    /// `<key>.<tag>`.
    #[serde(rename = "ref")]
    pub reference: String,
    /// Bytes the value takes on the server.
    pub size: u64,
    /// Refused after this time (milliseconds since 1970).
    pub expires: u64,
}

/// What a verified reference names.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Verified {
    pub key: String,
    pub size: u64,
    pub expires: u64,
}

/// Why a reference was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Refused {
    /// Not a reference at all.
    Shape,
    /// Altered, made up, or for another session or store.
    Signature,
}

fn message(store: &str, session: &str, key: &str, size: u64, expires: u64) -> Vec<u8> {
    let mut out = Vec::with_capacity(128);
    for part in [
        store.as_bytes(),
        session.as_bytes(),
        key.as_bytes(),
        &size.to_be_bytes(),
        &expires.to_be_bytes(),
    ] {
        out.extend_from_slice(&(part.len() as u64).to_be_bytes());
        out.extend_from_slice(part);
    }
    out
}

/// A fresh random key.
pub(crate) fn new_key() -> String {
    hex::encode(rand::random::<[u8; KEY_HEX / 2]>())
}

/// Signs a reference for `store` and `session`.
pub(crate) fn sign(
    secret: &AppSecret,
    store: &str,
    session: &str,
    key: &str,
    size: u64,
    expires: u64,
) -> Reference {
    let tag = secret.sign(PURPOSE, &message(store, session, key, size, expires));
    Reference {
        reference: format!("{key}.{tag}"),
        size,
        expires,
    }
}

/// Parses and verifies the JSON text of a store's data.
pub(crate) fn verify(
    secret: &AppSecret,
    store: &str,
    session: &str,
    json: &str,
) -> Result<Verified, Refused> {
    let r: Reference = serde_json::from_str(json).map_err(|_| Refused::Shape)?;
    let (key, tag) = r.reference.split_once('.').ok_or(Refused::Shape)?;
    if key.len() != KEY_HEX || !key.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f')) {
        return Err(Refused::Shape);
    }
    secret
        .verify(
            PURPOSE,
            &message(store, session, key, r.size, r.expires),
            tag,
        )
        .ok_or(Refused::Signature)?;
    Ok(Verified {
        key: key.to_owned(),
        size: r.size,
        expires: r.expires,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const K: &str = "0123456789abcdef0123456789abcdef";

    #[test]
    fn every_part_is_signed() {
        let s = AppSecret::new(K).unwrap();
        let key = new_key();
        assert_eq!(key.len(), 32);
        let r = sign(&s, "store", "sess", &key, 100, 5_000);
        let json = serde_json::to_string(&r).unwrap();
        let ok = verify(&s, "store", "sess", &json).unwrap();
        assert_eq!(
            (ok.key.as_str(), ok.size, ok.expires),
            (key.as_str(), 100, 5_000)
        );
        assert_eq!(verify(&s, "other", "sess", &json), Err(Refused::Signature));
        assert_eq!(verify(&s, "store", "other", &json), Err(Refused::Signature));
        for altered in [
            json.replace("100", "101"),
            json.replace("5000", "5001"),
            json.replace(&key[..4], "ffff"),
        ] {
            assert_eq!(
                verify(&s, "store", "sess", &altered),
                Err(Refused::Signature)
            );
        }
        let other = AppSecret::new("fedcba9876543210fedcba9876543210").unwrap();
        assert_eq!(
            verify(&other, "store", "sess", &json),
            Err(Refused::Signature)
        );
        for junk in [
            "1",
            "\"x\"",
            "{}",
            r#"{"ref":"abc.def","size":1,"expires":1}"#,
            &json.replace('}', r#","extra":1}"#),
        ] {
            assert_eq!(verify(&s, "store", "sess", junk), Err(Refused::Shape));
        }
    }
}
