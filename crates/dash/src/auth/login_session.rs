//! A sign-in: the `dash_login` cookie and its record in the cache backend.
//!
//! The cookie holds a random login id (128 bits) signed with the app
//! secret (purpose `login`); the record (`auth/login/<id>`: user, issued
//! at, last seen) lives in the backend every worker and host shares, with
//! a TTL of the sooner timeout. So logout (the record deleted) and both
//! timeouts hold everywhere, and a cookie whose record is gone is refused.
//! A pre-login cookie `dash_login_csrf` holds a random token whose
//! signature (purpose `login-csrf`) the form must send back.

use std::fmt;
use std::time::Duration;

use axum::http::{HeaderMap, HeaderValue};
use cookie::{Cookie, SameSite};
use dash_cache::{CacheBackend, CacheError};
use serde::{Deserialize, Serialize};

use crate::session::{AppSecret, Verified};

pub(crate) const LOGIN_COOKIE: &str = "dash_login";
pub(crate) const CSRF_COOKIE: &str = "dash_login_csrf";
const PURPOSE: &str = "login";
const CSRF_PURPOSE: &str = "login-csrf";

/// A login id. Its `Debug` output hides it.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) struct LoginId(u128);

impl fmt::Debug for LoginId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("LoginId(..)")
    }
}

impl LoginId {
    fn random() -> Self {
        LoginId(rand::random())
    }

    fn hex(self) -> String {
        format!("{:032x}", self.0)
    }

    fn key(self) -> String {
        format!("auth/login/{}", self.hex())
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
struct Record {
    user: String,
    issued_ms: u64,
    seen_ms: u64,
}

/// The lifetimes of a sign-in.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Lifetimes {
    pub idle: Duration,
    pub absolute: Duration,
    pub refresh: Duration,
}

impl Record {
    /// What is left of the sooner timeout at `now`.
    fn ttl(&self, now: u64, life: &Lifetimes) -> Duration {
        let end_idle = self.seen_ms.saturating_add(life.idle.as_millis() as u64);
        let end_absolute = self
            .issued_ms
            .saturating_add(life.absolute.as_millis() as u64);
        Duration::from_millis(end_idle.min(end_absolute).saturating_sub(now))
    }
}

fn values<'a>(headers: &'a HeaderMap, name: &'a str) -> impl Iterator<Item = String> + 'a {
    headers
        .get_all(axum::http::header::COOKIE)
        .iter()
        .filter_map(|h| h.to_str().ok())
        .flat_map(Cookie::split_parse)
        .filter_map(Result::ok)
        .filter(move |c| c.name() == name)
        .map(|c| c.value().to_owned())
}

/// The login id of the first `dash_login` cookie whose signature holds.
pub(crate) fn read_cookie(secret: &AppSecret, headers: &HeaderMap) -> Option<LoginId> {
    read_cookie_key(secret, headers).map(|(id, _)| id)
}

/// The same, and whether a previous key of the secret signed it (then the
/// answer signs it again with the current key).
pub(crate) fn read_cookie_key(
    secret: &AppSecret,
    headers: &HeaderMap,
) -> Option<(LoginId, Verified)> {
    values(headers, LOGIN_COOKIE).find_map(|v| {
        if v.len() > 128 {
            return None;
        }
        let (hex, verified) = secret.verify_value(PURPOSE, &v)?;
        let lower_hex =
            hex.len() == 32 && hex.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'));
        lower_hex
            .then(|| u128::from_str_radix(hex, 16).ok())
            .flatten()
            .map(|bits| (LoginId(bits), verified))
    })
}

/// The cookie value naming `id`.
pub(crate) fn cookie_value(secret: &AppSecret, id: LoginId) -> String {
    secret.sign_value(PURPOSE, &id.hex())
}

/// Begins a sign-in for `user`.
pub(crate) fn start(
    backend: &dyn CacheBackend,
    user: &str,
    life: &Lifetimes,
) -> Result<LoginId, CacheError> {
    let id = LoginId::random();
    let now = crate::session::now_ms();
    let record = Record {
        user: user.to_owned(),
        issued_ms: now,
        seen_ms: now,
    };
    write(backend, id, &record, now, life)?;
    Ok(id)
}

fn write(
    backend: &dyn CacheBackend,
    id: LoginId,
    record: &Record,
    now: u64,
    life: &Lifetimes,
) -> Result<(), CacheError> {
    let bytes = serde_json::to_vec(record).expect("plain fields serialize");
    backend.set(&id.key(), &bytes, Some(record.ttl(now, life)))
}

/// The user of a live sign-in, else `None` (unknown, logged out, idle or
/// past its absolute lifetime). Writes the last-seen time back at most
/// every `life.refresh`.
pub(crate) fn check(
    backend: &dyn CacheBackend,
    id: LoginId,
    life: &Lifetimes,
) -> Result<Option<String>, CacheError> {
    let Some(bytes) = backend.get(&id.key())? else {
        return Ok(None);
    };
    let Ok(mut record) = serde_json::from_slice::<Record>(&bytes) else {
        return Ok(None);
    };
    let now = crate::session::now_ms();
    if record.ttl(now, life).is_zero() {
        backend.delete(&id.key())?;
        return Ok(None);
    }
    if now.saturating_sub(record.seen_ms) >= life.refresh.as_millis() as u64 {
        record.seen_ms = now;
        write(backend, id, &record, now, life)?;
    }
    Ok(Some(record.user))
}

/// Ends a sign-in everywhere.
pub(crate) fn end(backend: &dyn CacheBackend, id: LoginId) -> Result<(), CacheError> {
    backend.delete(&id.key()).map(|_| ())
}

/// A new CSRF token: the cookie's value and the form field's.
pub(crate) fn new_csrf(secret: &AppSecret) -> (String, String) {
    let token = format!("{:032x}", rand::random::<u128>());
    let field = secret.sign(CSRF_PURPOSE, token.as_bytes());
    (token, field)
}

/// The form field for the request's CSRF cookie, if it has one.
pub(crate) fn csrf_field(secret: &AppSecret, headers: &HeaderMap) -> Option<String> {
    values(headers, CSRF_COOKIE)
        .find(|t| t.len() == 32)
        .map(|t| secret.sign(CSRF_PURPOSE, t.as_bytes()))
}

/// Whether `field` is the signature of one of the request's CSRF cookies.
pub(crate) fn csrf_holds(secret: &AppSecret, headers: &HeaderMap, field: &str) -> bool {
    values(headers, CSRF_COOKIE)
        .any(|t| t.len() == 32 && secret.verify(CSRF_PURPOSE, t.as_bytes(), field).is_some())
}

/// `Set-Cookie`: HttpOnly, SameSite=Lax, `Secure` when asked; `remove`
/// expires it at once.
pub(crate) fn set_cookie(
    name: &'static str,
    value: String,
    path: &str,
    secure: bool,
    remove: bool,
) -> Option<HeaderValue> {
    let mut cookie = Cookie::build((name, value))
        .path(path.to_owned())
        .http_only(true)
        .same_site(SameSite::Lax)
        .secure(secure)
        .build();
    if remove {
        cookie.make_removal();
    }
    HeaderValue::from_str(&cookie.to_string()).ok()
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use super::*;

    fn secret() -> AppSecret {
        AppSecret::new("0123456789abcdef0123456789abcdef").unwrap()
    }

    fn headers(cookie: &str) -> HeaderMap {
        let mut h = HeaderMap::new();
        h.insert("cookie", cookie.parse().unwrap());
        h
    }

    #[test]
    fn records_end_at_logout_idle_and_absolute_time() {
        let backend: Arc<dyn CacheBackend> =
            Arc::new(dash_cache::MemoryBackend::new(Default::default()));
        let life = Lifetimes {
            idle: Duration::from_secs(60),
            absolute: Duration::from_secs(3600),
            refresh: Duration::from_secs(1),
        };
        let id = start(&*backend, "alice", &life).unwrap();
        assert_eq!(
            check(&*backend, id, &life).unwrap().as_deref(),
            Some("alice")
        );
        end(&*backend, id).unwrap();
        assert_eq!(check(&*backend, id, &life).unwrap(), None);
        let r = Record {
            user: "a".into(),
            issued_ms: 1_000,
            seen_ms: 50_000,
        };
        let short = Lifetimes {
            idle: Duration::from_secs(10),
            absolute: Duration::from_secs(55),
            refresh: Duration::from_secs(1),
        };
        assert_eq!(r.ttl(50_000, &short), Duration::from_secs(6));
        assert_eq!(r.ttl(70_000, &short), Duration::ZERO);
    }

    #[test]
    fn cookies_verify_only_under_their_secret_and_purpose() {
        let s = secret();
        let id = LoginId::random();
        let v = cookie_value(&s, id);
        assert_eq!(
            read_cookie(&s, &headers(&format!("{LOGIN_COOKIE}={v}"))),
            Some(id)
        );
        let other = AppSecret::new("fedcba9876543210fedcba9876543210").unwrap();
        assert_eq!(
            read_cookie(&other, &headers(&format!("{LOGIN_COOKIE}={v}"))),
            None
        );
        let wrong_purpose = s.sign_value("session-cookie", &id.hex());
        assert_eq!(
            read_cookie(&s, &headers(&format!("{LOGIN_COOKIE}={wrong_purpose}"))),
            None
        );
        let (token, field) = new_csrf(&s);
        let h = headers(&format!("{CSRF_COOKIE}={token}"));
        assert!(csrf_holds(&s, &h, &field));
        assert!(!csrf_holds(&s, &h, &new_csrf(&s).1));
        assert!(!format!("{id:?}").contains(&id.hex()[..6]));
    }
}
