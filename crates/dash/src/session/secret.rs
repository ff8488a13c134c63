//! The app secret: the key the server signs with (session cookies today;
//! server-side store references and background-job handles later).
//!
//! A signature is HMAC-SHA-256 (the `hmac` and `sha2` crates) over a
//! purpose string and the message, so a value signed for one purpose never
//! verifies for another. Tags travel as unpadded base64url. Verification is
//! constant-time (`Mac::verify_slice`) and tries the current key, then the
//! previous keys still in their grace period (key rotation).

use std::fmt;
use std::sync::{Arc, RwLock};
use std::time::Duration;

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use hmac::{Hmac, Mac};
use sha2::Sha256;

use crate::Error;

type HmacSha256 = Hmac<Sha256>;

/// The shortest key accepted from `Dash::secret_key` or `DASH_SECRET_KEY`,
/// in bytes: 256 bits of text, e.g. `openssl rand -hex 32` (64 characters).
pub const MIN_SECRET_KEY_BYTES: usize = 32;

/// Bytes of a key made by the server.
pub(crate) const GENERATED_KEY_BYTES: usize = 32;

/// Where the app secret came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum SecretSource {
    /// `Dash::secret_key` or `DASH_SECRET_KEY`.
    Configured,
    /// Made once at first start and kept in the cache backend, shared by
    /// every worker and host.
    Stored,
    /// Made by this process only, because the backend could not be reached
    /// (the app opted into starting degraded): other processes reject what
    /// it signs.
    Ephemeral,
}

/// Which key verified a value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verified {
    /// The key in use: nothing to do.
    Current,
    /// A previous key in its grace period: sign the value again with the
    /// current key.
    Previous,
}

/// One key. Never printed.
#[derive(Clone, PartialEq, Eq)]
pub(crate) struct Key(Vec<u8>);

impl Key {
    pub(crate) fn new(bytes: impl Into<Vec<u8>>) -> Self {
        Key(bytes.into())
    }

    pub(crate) fn random() -> Self {
        Key(rand::random::<[u8; GENERATED_KEY_BYTES]>().to_vec())
    }

    pub(crate) fn bytes(&self) -> &[u8] {
        &self.0
    }

    fn mac(&self, purpose: &str, message: &[u8]) -> HmacSha256 {
        let mut mac = HmacSha256::new_from_slice(&self.0).expect("HMAC takes keys of any length");
        // The purpose is length-prefixed: ("ab", "c…") and ("a", "bc…")
        // sign different bytes.
        mac.update(&(purpose.len() as u64).to_be_bytes());
        mac.update(purpose.as_bytes());
        mac.update(message);
        mac
    }
}

/// A key kept for verification only.
#[derive(Clone)]
pub(crate) struct PreviousKey {
    pub key: Key,
    /// Accepted until then (milliseconds since 1970); `None`: as long as
    /// it is configured.
    pub until_ms: Option<u64>,
}

#[derive(Clone)]
pub(crate) struct Keys {
    pub current: Key,
    pub previous: Vec<PreviousKey>,
}

/// The app's signing key, with the previous keys still accepted.
///
/// Cheap to clone (clones share the keys, so a rotation picked up from the
/// backend reaches all of them). Its `Debug` output shows where it came
/// from and how many keys it holds, never a key.
///
/// ```
/// use dash::session::{AppSecret, Verified};
///
/// let secret = AppSecret::new("0123456789abcdef0123456789abcdef").unwrap();
/// let token = secret.sign_value("download", "report-42");
/// assert_eq!(secret.verify_value("download", &token), Some(("report-42", Verified::Current)));
/// // The same value signed for another purpose does not verify.
/// assert_eq!(secret.verify_value("upload", &token), None);
///
/// // Rotation: the new secret still accepts what the old one signed.
/// let rotated = AppSecret::new("fedcba9876543210fedcba9876543210")
///     .unwrap()
///     .with_previous("0123456789abcdef0123456789abcdef")
///     .unwrap();
/// assert_eq!(rotated.verify_value("download", &token), Some(("report-42", Verified::Previous)));
/// assert!(!format!("{rotated:?}").contains("0123"));
/// ```
#[derive(Clone)]
pub struct AppSecret {
    keys: Arc<RwLock<Keys>>,
    source: SecretSource,
}

impl fmt::Debug for AppSecret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AppSecret")
            .field("source", &self.source)
            .field("previous_keys", &self.read().previous.len())
            .finish_non_exhaustive()
    }
}

fn check_length(name: &str, key: &[u8]) -> Result<(), Error> {
    if key.len() < MIN_SECRET_KEY_BYTES {
        return Err(Error::InvalidSetting {
            name: name.into(),
            reason: format!(
                "the key has {} bytes; use at least {MIN_SECRET_KEY_BYTES} random ones, e.g. the output of `openssl rand -hex 32`",
                key.len()
            ),
        });
    }
    Ok(())
}

impl AppSecret {
    /// A secret with this key (at least [`MIN_SECRET_KEY_BYTES`] bytes).
    pub fn new(key: impl AsRef<[u8]>) -> Result<Self, Error> {
        check_length("secret_key", key.as_ref())?;
        Ok(Self::from_keys(
            Keys {
                current: Key::new(key.as_ref()),
                previous: Vec::new(),
            },
            SecretSource::Configured,
        ))
    }

    /// Also accepts values signed with `key` (a secret being rotated out).
    pub fn with_previous(self, key: impl AsRef<[u8]>) -> Result<Self, Error> {
        check_length("previous_secret_key", key.as_ref())?;
        self.write().previous.push(PreviousKey {
            key: Key::new(key.as_ref()),
            until_ms: None,
        });
        Ok(self)
    }

    pub(crate) fn from_keys(keys: Keys, source: SecretSource) -> Self {
        AppSecret {
            keys: Arc::new(RwLock::new(keys)),
            source,
        }
    }

    /// A secret only this process knows.
    pub(crate) fn ephemeral() -> Self {
        Self::from_keys(
            Keys {
                current: Key::random(),
                previous: Vec::new(),
            },
            SecretSource::Ephemeral,
        )
    }

    /// Where the key came from.
    pub fn source(&self) -> SecretSource {
        self.source
    }

    pub(crate) fn read(&self) -> std::sync::RwLockReadGuard<'_, Keys> {
        self.keys.read().unwrap_or_else(|p| p.into_inner())
    }

    pub(crate) fn write(&self) -> std::sync::RwLockWriteGuard<'_, Keys> {
        self.keys.write().unwrap_or_else(|p| p.into_inner())
    }

    /// The tag of `message` for `purpose` under the current key: 43
    /// base64url characters.
    pub fn sign(&self, purpose: &str, message: &[u8]) -> String {
        let tag = self
            .read()
            .current
            .mac(purpose, message)
            .finalize()
            .into_bytes();
        URL_SAFE_NO_PAD.encode(tag)
    }

    /// Checks `tag` against the current key, then each previous key in its
    /// grace period, in constant time per key.
    pub fn verify(&self, purpose: &str, message: &[u8], tag: &str) -> Option<Verified> {
        // An HMAC-SHA-256 tag is 32 bytes: 43 characters.
        if tag.len() != 43 {
            return None;
        }
        let tag = URL_SAFE_NO_PAD.decode(tag).ok()?;
        let keys = self.read();
        if keys
            .current
            .mac(purpose, message)
            .verify_slice(&tag)
            .is_ok()
        {
            return Some(Verified::Current);
        }
        let now = super::now_ms();
        keys.previous
            .iter()
            .filter(|p| p.until_ms.is_none_or(|until| now < until))
            .any(|p| p.key.mac(purpose, message).verify_slice(&tag).is_ok())
            .then_some(Verified::Previous)
    }

    /// `value.tag`: `value` with its signature for `purpose`.
    pub fn sign_value(&self, purpose: &str, value: &str) -> String {
        format!("{value}.{}", self.sign(purpose, value.as_bytes()))
    }

    /// The value of a `value.tag` string if the tag is right for `purpose`.
    pub fn verify_value<'a>(&self, purpose: &str, signed: &'a str) -> Option<(&'a str, Verified)> {
        let (value, tag) = signed.rsplit_once('.')?;
        self.verify(purpose, value.as_bytes(), tag)
            .map(|v| (value, v))
    }

    /// Puts `current` in use, keeping the key it replaces for `grace`.
    pub(crate) fn adopt(&self, current: Key, grace: Duration) {
        let mut keys = self.write();
        if keys.current == current {
            return;
        }
        let until = super::now_ms().saturating_add(grace.as_millis() as u64);
        keys.previous.retain(|p| p.key != current);
        let old = std::mem::replace(&mut keys.current, current);
        keys.previous.insert(
            0,
            PreviousKey {
                key: old,
                until_ms: Some(until),
            },
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const K1: &str = "0123456789abcdef0123456789abcdef";
    const K2: &str = "fedcba9876543210fedcba9876543210";

    #[test]
    fn short_keys_are_refused() {
        let e = AppSecret::new("short").unwrap_err().to_string();
        assert!(e.contains("at least 32"), "{e}");
        assert!(!e.contains("short"), "the key itself is not in the error");
    }

    #[test]
    fn purposes_are_separated_and_tags_checked() {
        let s = AppSecret::new(K1).unwrap();
        let tag = s.sign("a", b"bc");
        assert_eq!(tag.len(), 43);
        assert_eq!(s.verify("a", b"bc", &tag), Some(Verified::Current));
        assert_eq!(s.verify("ab", b"c", &tag), None);
        assert_eq!(s.verify("a", b"bd", &tag), None);
        assert_eq!(s.verify("a", b"bc", &tag[..42]), None);
        assert_eq!(s.verify("a", b"bc", &format!("{tag}A")), None);
        assert_eq!(s.verify("a", b"bc", "!".repeat(43).as_str()), None);
        let other = AppSecret::new(K2).unwrap();
        assert_eq!(other.verify("a", b"bc", &tag), None);
    }

    #[test]
    fn adopted_keys_keep_the_old_one_for_the_grace_period() {
        let s = AppSecret::new(K1).unwrap();
        let old = s.sign_value("p", "v");
        s.adopt(Key::new(K2), Duration::from_secs(60));
        assert_eq!(s.verify_value("p", &old), Some(("v", Verified::Previous)));
        assert_eq!(
            s.verify_value("p", &s.sign_value("p", "v")),
            Some(("v", Verified::Current))
        );
        let s = AppSecret::new(K1).unwrap();
        s.adopt(Key::new(K2), Duration::ZERO);
        assert_eq!(s.verify_value("p", &old), None, "grace over");
    }

    #[test]
    fn debug_output_has_no_key() {
        let s = AppSecret::new(K1).unwrap().with_previous(K2).unwrap();
        let d = format!("{s:?}");
        assert!(!d.contains("0123") && !d.contains("fedc"), "{d}");
        assert!(d.contains("previous_keys: 1"), "{d}");
    }
}
