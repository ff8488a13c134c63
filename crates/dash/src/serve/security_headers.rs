//! Headers on every answer, errors included:
//!
//! - `X-Content-Type-Options: nosniff`: a browser never runs an answer as
//!   a script or stylesheet against its declared type (an uploaded asset,
//!   a JSON error echoing input).
//! - `Referrer-Policy: strict-origin-when-cross-origin`: Dash pages keep
//!   state in the URL (`dcc.Location` paths and queries); other sites (CDN
//!   scripts, links) see only the origin, never the path or query, while
//!   map tile servers that require a `Referer` (OpenStreetMap's policy)
//!   still get one, and the app's own requests keep the full URL.
//! - `Content-Security-Policy: frame-ancestors ...` (default `'self'`,
//!   [`Dash::frame_ancestors`](crate::Dash::frame_ancestors)): who may show
//!   the app in a frame (clickjacking), with `X-Frame-Options` saying the
//!   same for browsers without CSP (`SAMEORIGIN` for `'self'`, `DENY` for
//!   `'none'`; left out for other lists, which it cannot express).

use axum::http::header::{
    CONTENT_SECURITY_POLICY, REFERRER_POLICY, X_CONTENT_TYPE_OPTIONS, X_FRAME_OPTIONS,
};
use axum::http::{HeaderMap, HeaderValue};

use crate::Error;

/// The header values, checked once at start.
#[derive(Debug, Clone)]
pub(crate) struct SecurityHeaders {
    frame_ancestors: HeaderValue,
    frame_options: Option<HeaderValue>,
}

impl SecurityHeaders {
    /// From a `frame-ancestors` source list (`None`: `'self'`).
    pub(crate) fn new(frame_ancestors: Option<&[String]>) -> Result<Self, Error> {
        let default = ["'self'".to_owned()];
        let sources = frame_ancestors.unwrap_or(&default);
        let bad = |reason: String| Error::InvalidSetting {
            name: "frame_ancestors".into(),
            reason,
        };
        if sources.is_empty() {
            return Err(bad("give at least one source, or \"'none'\"".into()));
        }
        for s in sources {
            if !is_source(s) {
                return Err(bad(format!(
                    "{s:?} is not a CSP source ('self', 'none', *, a scheme such as https: or an origin such as https://portal.example.com)"
                )));
            }
        }
        if sources.len() > 1 && sources.iter().any(|s| s == "'none'") {
            return Err(bad("'none' cannot be combined with other sources".into()));
        }
        let frame_options = match sources {
            [only] if only == "'self'" => Some(HeaderValue::from_static("SAMEORIGIN")),
            [only] if only == "'none'" => Some(HeaderValue::from_static("DENY")),
            _ => None,
        };
        let policy = format!("frame-ancestors {}", sources.join(" "));
        Ok(SecurityHeaders {
            frame_ancestors: HeaderValue::from_str(&policy).map_err(|e| bad(e.to_string()))?,
            frame_options,
        })
    }

    /// Adds the headers an answer does not set itself.
    pub(crate) fn apply(&self, headers: &mut HeaderMap) {
        headers
            .entry(X_CONTENT_TYPE_OPTIONS)
            .or_insert(HeaderValue::from_static("nosniff"));
        headers
            .entry(REFERRER_POLICY)
            .or_insert(HeaderValue::from_static("strict-origin-when-cross-origin"));
        headers
            .entry(CONTENT_SECURITY_POLICY)
            .or_insert_with(|| self.frame_ancestors.clone());
        if let Some(v) = &self.frame_options {
            headers.entry(X_FRAME_OPTIONS).or_insert_with(|| v.clone());
        }
    }
}

/// A CSP source expression we accept: a keyword, `*`, a scheme or a host
/// source, in the characters URLs use (no spaces, `;` or `,`).
fn is_source(s: &str) -> bool {
    if s == "'self'" || s == "'none'" || s == "*" {
        return true;
    }
    !s.is_empty()
        && s.bytes().all(|b| {
            b.is_ascii_alphanumeric() || matches!(b, b':' | b'/' | b'.' | b'-' | b'*' | b'_' | b'+')
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn applied(sources: Option<&[&str]>) -> HeaderMap {
        let owned: Option<Vec<String>> =
            sources.map(|s| s.iter().map(|x| (*x).to_owned()).collect());
        let mut h = HeaderMap::new();
        SecurityHeaders::new(owned.as_deref())
            .unwrap()
            .apply(&mut h);
        h
    }

    #[test]
    fn frame_options_follow_the_frame_ancestors() {
        let h = applied(None);
        assert_eq!(h["content-security-policy"], "frame-ancestors 'self'");
        assert_eq!(h["x-frame-options"], "SAMEORIGIN");
        assert_eq!(h["x-content-type-options"], "nosniff");
        let h = applied(Some(&["'none'"]));
        assert_eq!(h["x-frame-options"], "DENY");
        let h = applied(Some(&["'self'", "https://portal.example.com"]));
        assert_eq!(
            h["content-security-policy"],
            "frame-ancestors 'self' https://portal.example.com"
        );
        assert!(h.get("x-frame-options").is_none());
    }

    #[test]
    fn bad_sources_are_refused() {
        for bad in [
            vec!["x; script-src *"],
            vec![],
            vec!["'none'", "'self'"],
            vec!["a b"],
        ] {
            let owned: Vec<String> = bad.iter().map(|x| (*x).to_owned()).collect();
            assert!(SecurityHeaders::new(Some(&owned)).is_err(), "{bad:?}");
        }
    }
}
