//! The public session handle: what a layout may put on the page for
//! scripts and callbacks to compare, instead of the session id.
//!
//! It is the HMAC of the id under the purpose `session-handle`: stable for
//! a session, different for every other, and neither the id nor the cookie
//! can be rebuilt from it (that needs the app secret, and the cookie's own
//! tag is under another purpose). It changes when the session is rotated,
//! and when the app secret is.

use super::cookie::SessionId;
use super::secret::AppSecret;

const PURPOSE: &str = "session-handle";

/// The handle of session `id`: 43 base64url characters.
pub(crate) fn of(secret: &AppSecret, id: SessionId) -> String {
    secret.sign(PURPOSE, id.hex().as_bytes())
}

#[cfg(test)]
mod tests {
    use super::super::cookie::{encode, Ticket};
    use super::*;

    #[test]
    fn a_handle_is_stable_and_reveals_neither_id_nor_cookie() {
        let secret = AppSecret::new("0123456789abcdef0123456789abcdef").unwrap();
        let (a, b) = (SessionId::random(), SessionId::random());
        assert_eq!(of(&secret, a), of(&secret, a));
        assert_ne!(of(&secret, a), of(&secret, b));
        let handle = of(&secret, a);
        let cookie = encode(
            &secret,
            Ticket {
                id: a,
                issued_ms: 1,
            },
        );
        assert!(!handle.contains(&a.hex()) && !cookie.contains(&handle));
        let tag = cookie.rsplit_once('.').unwrap().1;
        assert_ne!(tag, handle);
    }
}
