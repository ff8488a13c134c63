//! HTTP basic auth (dash-auth's `BasicAuth`): every request carries
//! `Authorization: Basic <base64 user:password>`, checked against the
//! users' argon2 hashes.
//!
//! Argon2 is slow on purpose, and a page makes many requests, so a checked
//! header is remembered for a while in a small in-process cache keyed by an
//! HMAC-SHA-256 of the header under a key made at start (never the header
//! or the password itself).

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use axum::http::HeaderMap;
use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use hmac::{Hmac, Mac};
use sha2::Sha256;

use super::access::{Access, Rules};
use super::{User, Users};

/// HTTP basic auth over every route of the app (Python: dash-auth's
/// `BasicAuth(app, USER_PWD)`, with hashes instead of plain passwords).
///
/// ```no_run
/// use dash::auth::{BasicAuth, Users};
/// # fn main() -> Result<(), dash::Error> {
/// let users = Users::from_env_file("DASH_USERS_FILE")?;
/// let app = dash::Dash::new().auth(BasicAuth::new(users).realm("Team reports"));
/// # Ok(()) }
/// ```
#[derive(Debug, Clone)]
pub struct BasicAuth {
    pub(crate) users: Users,
    pub(crate) realm: String,
    pub(crate) rules: Rules,
    pub(crate) remember: Duration,
    pub(crate) remember_entries: usize,
    pub(crate) limit: super::throttle::Limit,
}

impl BasicAuth {
    /// Basic auth for these users; every path needs a signed-in user until
    /// rules say otherwise.
    pub fn new(users: Users) -> Self {
        BasicAuth {
            users,
            realm: "Dash".into(),
            rules: Rules::default(),
            remember: Duration::from_secs(60),
            remember_entries: 1024,
            limit: Default::default(),
        }
    }

    /// The realm the browser shows in its password dialog (default `Dash`).
    pub fn realm(mut self, realm: impl Into<String>) -> Self {
        self.realm = realm.into().replace(['"', '\\'], "");
        self
    }

    /// The access of one exact path (e.g. `"/_dash-health"` public).
    pub fn rule(mut self, path: impl Into<String>, access: Access) -> Self {
        self.rules.add(path, false, access);
        self
    }

    /// The access of every path under `prefix` (segment-wise:
    /// `/reports` covers `/reports` and `/reports/x`, not `/reportsx`).
    pub fn rule_prefix(mut self, prefix: impl Into<String>, access: Access) -> Self {
        self.rules.add(prefix, true, access);
        self
    }

    /// How long a checked header is remembered in this process (default
    /// 60 s) and how many are (default 1024); `Duration::ZERO` checks every
    /// request with argon2.
    pub fn remember_credentials(mut self, for_how_long: Duration, entries: usize) -> Self {
        self.remember = for_how_long;
        self.remember_entries = entries;
        self
    }

    /// Failed attempts allowed per user name (and per peer address, ten
    /// times as many) in `window` before attempts are refused with 429
    /// until the window ends (default 5 per 5 minutes).
    pub fn failure_limit(mut self, per_user: u32, window: Duration) -> Self {
        self.limit = super::throttle::Limit::per_user(per_user, window);
        self
    }
}

/// A header as sent, split into name and password.
pub(crate) struct Credentials {
    pub name: String,
    pub password: String,
}

/// Reads `Authorization: Basic ..`; `None` if absent or not readable.
pub(crate) fn credentials(headers: &HeaderMap) -> Option<(Credentials, &[u8])> {
    let raw = headers.get(axum::http::header::AUTHORIZATION)?;
    let text = raw.to_str().ok()?;
    let (scheme, encoded) = text.trim().split_once(' ')?;
    if !scheme.eq_ignore_ascii_case("basic") || encoded.len() > 4096 {
        return None;
    }
    let decoded = STANDARD.decode(encoded.trim()).ok()?;
    let decoded = String::from_utf8(decoded).ok()?;
    let (name, password) = decoded.split_once(':')?;
    Some((
        Credentials {
            name: name.to_owned(),
            password: password.to_owned(),
        },
        raw.as_bytes(),
    ))
}

/// Recently verified headers, by their HMAC under a per-process key.
pub(crate) struct Remembered {
    key: [u8; 32],
    ttl: Duration,
    max: usize,
    entries: Mutex<HashMap<[u8; 32], (User, Instant)>>,
}

impl Remembered {
    pub(crate) fn new(ttl: Duration, max: usize) -> Self {
        Remembered {
            key: rand::random(),
            ttl,
            max,
            entries: Mutex::new(HashMap::new()),
        }
    }

    fn digest(&self, header: &[u8]) -> [u8; 32] {
        let mut mac =
            <Hmac<Sha256> as Mac>::new_from_slice(&self.key).expect("HMAC takes any key length");
        mac.update(header);
        mac.finalize().into_bytes().into()
    }

    fn entries(&self) -> std::sync::MutexGuard<'_, HashMap<[u8; 32], (User, Instant)>> {
        self.entries.lock().unwrap_or_else(|p| p.into_inner())
    }

    pub(crate) fn get(&self, header: &[u8]) -> Option<User> {
        if self.ttl.is_zero() {
            return None;
        }
        let digest = self.digest(header);
        let mut entries = self.entries();
        match entries.get(&digest) {
            Some((user, at)) if at.elapsed() < self.ttl => Some(user.clone()),
            Some(_) => {
                entries.remove(&digest);
                None
            }
            None => None,
        }
    }

    pub(crate) fn put(&self, header: &[u8], user: User) {
        if self.ttl.is_zero() || self.max == 0 {
            return;
        }
        let digest = self.digest(header);
        let mut entries = self.entries();
        if entries.len() >= self.max {
            let ttl = self.ttl;
            entries.retain(|_, (_, at)| at.elapsed() < ttl);
            if entries.len() >= self.max {
                entries.clear();
            }
        }
        entries.insert(digest, (user, Instant::now()));
    }

    #[cfg(test)]
    fn len(&self) -> usize {
        self.entries().len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn headers_are_read_case_insensitively_and_junk_is_none() {
        let mut h = HeaderMap::new();
        let value = format!("basic {}", STANDARD.encode("alice:pa:ss"));
        h.insert("authorization", value.parse().unwrap());
        let (c, _) = credentials(&h).unwrap();
        assert_eq!((c.name.as_str(), c.password.as_str()), ("alice", "pa:ss"));
        for junk in ["Bearer x", "Basic !!!", "Basic", "Basic YWxpY2U="] {
            h.insert("authorization", junk.parse().unwrap());
            assert!(credentials(&h).is_none(), "{junk}");
        }
    }

    #[test]
    fn remembered_headers_expire_and_stay_bounded() {
        let r = Remembered::new(Duration::from_millis(60), 4);
        let alice = User::new("alice", Vec::<String>::new());
        r.put(b"Basic a", alice.clone());
        assert_eq!(r.get(b"Basic a"), Some(alice.clone()));
        assert_eq!(r.get(b"Basic b"), None);
        for i in 0..20 {
            r.put(format!("Basic {i}").as_bytes(), alice.clone());
        }
        assert!(r.len() <= 4);
        std::thread::sleep(Duration::from_millis(90));
        assert_eq!(r.get(b"Basic 19"), None);
        // Keyed by a MAC under a random key, not by the header.
        let other = Remembered::new(Duration::from_secs(1), 4);
        assert_ne!(r.digest(b"Basic a"), other.digest(b"Basic a"));
    }
}
