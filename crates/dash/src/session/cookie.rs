//! The session cookie: its value format, reading it from a request's
//! `Cookie` headers and writing the `Set-Cookie` header (both with the
//! `cookie` crate).
//!
//! The value is `s1.<id>.<issued>.<tag>`: a format version, the session id
//! (128 random bits, 32 lowercase hex digits), the issue time (milliseconds
//! since 1970) and the HMAC-SHA-256 tag of everything before it under the
//! app secret (purpose `session-cookie`, 43 base64url characters). The tag
//! is checked over the bytes as received, before anything is parsed, so any
//! change to any part, even one that would decode to the same id, is
//! refused.

use std::fmt;

use axum::http::HeaderValue;
use cookie::{Cookie, SameSite};

use super::secret::{AppSecret, Verified};

/// The cookie's name.
pub(crate) const COOKIE_NAME: &str = "dash_session";
const PURPOSE: &str = "session-cookie";
const VERSION: &str = "s1";
/// Values longer than this are not even looked at (ours have 97 bytes).
const MAX_VALUE_LEN: usize = 160;

/// A session id: 128 random bits. Its `Debug` output hides it, so it does
/// not end up in logs by accident.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) struct SessionId(u128);

impl SessionId {
    /// The id with these bits (the fuzz target builds tickets from input).
    pub(crate) fn from_bits(bits: u128) -> Self {
        SessionId(bits)
    }

    pub(crate) fn random() -> Self {
        SessionId(rand::random())
    }

    /// 32 lowercase hex digits.
    pub(crate) fn hex(&self) -> String {
        format!("{:032x}", self.0)
    }
}

impl fmt::Debug for SessionId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("SessionId(..)")
    }
}

/// What a valid cookie says.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Ticket {
    pub id: SessionId,
    pub issued_ms: u64,
}

/// Why a cookie value was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Rejected {
    /// Longer than any value the server makes.
    TooLong,
    /// No tag, or a tag that no key accepts.
    BadSignature,
    /// Signed, yet not a value of this format (cannot happen without the
    /// secret; checked anyway).
    Malformed,
}

/// The cookie value for `ticket`.
pub(crate) fn encode(secret: &AppSecret, ticket: Ticket) -> String {
    let payload = format!("{VERSION}.{}.{}", ticket.id.hex(), ticket.issued_ms);
    let tag = secret.sign(PURPOSE, payload.as_bytes());
    format!("{payload}.{tag}")
}

/// Verifies a cookie value, then reads it.
pub(crate) fn decode(secret: &AppSecret, value: &str) -> Result<(Ticket, Verified), Rejected> {
    if value.len() > MAX_VALUE_LEN {
        return Err(Rejected::TooLong);
    }
    let (payload, tag) = value.rsplit_once('.').ok_or(Rejected::BadSignature)?;
    let verified = secret
        .verify(PURPOSE, payload.as_bytes(), tag)
        .ok_or(Rejected::BadSignature)?;
    let mut parts = payload.split('.');
    let (Some(VERSION), Some(id), Some(issued), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return Err(Rejected::Malformed);
    };
    let lower_hex = |s: &str| s.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'));
    if id.len() != 32 || !lower_hex(id) || issued.is_empty() || issued.len() > 19 {
        return Err(Rejected::Malformed);
    }
    if !issued.bytes().all(|b| b.is_ascii_digit()) {
        return Err(Rejected::Malformed);
    }
    let id = u128::from_str_radix(id, 16).map_err(|_| Rejected::Malformed)?;
    let issued_ms = issued.parse().map_err(|_| Rejected::Malformed)?;
    Ok((
        Ticket {
            id: SessionId(id),
            issued_ms,
        },
        verified,
    ))
}

/// Every `dash_session` value in a request's `Cookie` headers, in order
/// (a browser may send several, e.g. one per matching path).
pub(crate) fn request_values(headers: &[HeaderValue]) -> Vec<String> {
    headers
        .iter()
        .filter_map(|h| h.to_str().ok())
        .flat_map(Cookie::split_parse)
        .filter_map(Result::ok)
        .filter(|c| c.name() == COOKIE_NAME)
        .map(|c| c.value().to_owned())
        .collect()
}

/// `Set-Cookie` for a session: HttpOnly, SameSite=Lax, `Path` = the
/// requests prefix, `Secure` when asked; no expiry date (it ends with the
/// browser; the server ends it sooner, see the lifetimes).
pub(crate) fn set_cookie(value: String, path: &str, secure: bool) -> Option<HeaderValue> {
    let cookie = Cookie::build((COOKIE_NAME, value))
        .path(path.to_owned())
        .http_only(true)
        .same_site(SameSite::Lax)
        .secure(secure)
        .build();
    HeaderValue::from_str(&cookie.to_string()).ok()
}

/// `Set-Cookie` that removes the session cookie at `path`.
pub(crate) fn removal(path: &str) -> Option<HeaderValue> {
    let mut cookie = Cookie::build((COOKIE_NAME, ""))
        .path(path.to_owned())
        .http_only(true)
        .same_site(SameSite::Lax)
        .build();
    cookie.make_removal();
    HeaderValue::from_str(&cookie.to_string()).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn secret() -> AppSecret {
        AppSecret::new("0123456789abcdef0123456789abcdef").unwrap()
    }

    fn ticket() -> Ticket {
        Ticket {
            id: SessionId::random(),
            issued_ms: 1_700_000_000_123,
        }
    }

    #[test]
    fn a_value_reads_back() {
        let t = ticket();
        let v = encode(&secret(), t);
        assert!(v.starts_with("s1.") && v.len() <= MAX_VALUE_LEN, "{v}");
        assert_eq!(decode(&secret(), &v), Ok((t, Verified::Current)));
    }

    #[test]
    fn any_change_to_any_character_is_refused() {
        let v = encode(&secret(), ticket());
        let s = secret();
        for i in 0..v.len() {
            for replacement in ['0', 'a', 'f', 'A', 'z', '.', '-', '_'] {
                let mut altered: Vec<char> = v.chars().collect();
                if altered[i] == replacement {
                    continue;
                }
                altered[i] = replacement;
                let altered: String = altered.into_iter().collect();
                assert!(decode(&s, &altered).is_err(), "accepted {altered}");
            }
        }
    }

    #[test]
    fn truncated_extended_and_foreign_values_are_refused() {
        let v = encode(&secret(), ticket());
        for n in 0..v.len() {
            assert!(decode(&secret(), &v[..n]).is_err(), "accepted {}", &v[..n]);
        }
        assert!(decode(&secret(), &format!("{v}0")).is_err());
        assert!(decode(&secret(), &format!("x{v}")).is_err());
        assert_eq!(
            decode(&secret(), &"a".repeat(10_000)),
            Err(Rejected::TooLong)
        );
        let other = AppSecret::new("fedcba9876543210fedcba9876543210").unwrap();
        assert_eq!(decode(&other, &v), Err(Rejected::BadSignature));
        let old_format = "0123456789abcdef0123456789abcdef";
        assert_eq!(decode(&secret(), old_format), Err(Rejected::BadSignature));
        for junk in ["", ".", "..", "s1...", "\u{0}", "é.é"] {
            assert!(decode(&secret(), junk).is_err(), "{junk:?}");
        }
    }

    #[test]
    fn a_previous_key_still_reads_and_says_so() {
        let t = ticket();
        let v = encode(&secret(), t);
        let rotated = AppSecret::new("fedcba9876543210fedcba9876543210")
            .unwrap()
            .with_previous("0123456789abcdef0123456789abcdef")
            .unwrap();
        assert_eq!(decode(&rotated, &v), Ok((t, Verified::Previous)));
    }

    #[test]
    fn signed_but_malformed_payloads_are_refused() {
        let s = secret();
        for payload in [
            "s2.0123456789abcdef0123456789abcdef.1",
            "s1.0123456789ABCDEF0123456789abcdef.1",
            "s1.+123456789abcdef0123456789abcdef.1",
            "s1.0123456789abcdef0123456789abcdef.",
            "s1.0123456789abcdef0123456789abcdef.99999999999999999999",
            "s1.0123456789abcdef0123456789abcdef.1.2",
            "s1.0123456789abcdef0123456789abcde.1",
        ] {
            let v = format!("{payload}.{}", s.sign(PURPOSE, payload.as_bytes()));
            assert_eq!(decode(&s, &v), Err(Rejected::Malformed), "{payload}");
        }
    }

    #[test]
    fn cookie_headers_are_read_with_the_cookie_crate() {
        let headers = [
            HeaderValue::from_static("a=b; dash_session=one;theme=dark"),
            HeaderValue::from_static("dash_session=\"two\""),
            HeaderValue::from_bytes(b"dash_session=\xff").unwrap(),
        ];
        let values = request_values(&headers);
        assert_eq!(values, ["one", "\"two\""]);
        assert!(request_values(&[]).is_empty());
    }

    #[test]
    fn set_cookie_has_the_attributes() {
        let h = set_cookie("s1.x.1.y".into(), "/team/app/", true).unwrap();
        let h = h.to_str().unwrap();
        for part in [
            "dash_session=s1.x.1.y",
            "HttpOnly",
            "SameSite=Lax",
            "Secure",
            "Path=/team/app/",
        ] {
            assert!(h.contains(part), "{h} lacks {part}");
        }
        let plain = set_cookie("v".into(), "/", false).unwrap();
        assert!(!plain.to_str().unwrap().contains("Secure"));
    }

    #[test]
    fn ids_do_not_print() {
        let id = SessionId::random();
        assert!(!format!("{id:?}").contains(&id.hex()[..8]));
        assert_eq!(id.hex().len(), 32);
    }
}
