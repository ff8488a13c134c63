//! `ctx.response()`: headers and cookies a callback adds to its answer, as
//! Python Dash's `callback_context.response` does. They go on a 200 answer
//! only (a `PreventUpdate` or a failure answers without them).

use std::sync::Mutex;

use axum::http::header::{self, HeaderName, HeaderValue};

use super::CallbackError;

/// Headers the answer must not take from a callback: the server sets them.
const RESERVED: &[HeaderName] = &[
    header::CONTENT_TYPE,
    header::CONTENT_LENGTH,
    header::CONTENT_ENCODING,
    header::TRANSFER_ENCODING,
    header::CONNECTION,
    header::SET_COOKIE,
];

/// What a call adds to its answer (kept in the context).
#[derive(Debug, Default)]
pub(crate) struct ResponseParts {
    headers: Mutex<Vec<(HeaderName, HeaderValue, bool)>>,
}

impl ResponseParts {
    /// The headers, in order; `true`: appended (a cookie), else replacing.
    pub(crate) fn take(&self) -> Vec<(HeaderName, HeaderValue, bool)> {
        std::mem::take(&mut *self.headers.lock().unwrap_or_else(|p| p.into_inner()))
    }

    fn push(&self, name: HeaderName, value: HeaderValue, append: bool) {
        let mut headers = self.headers.lock().unwrap_or_else(|p| p.into_inner());
        if !append {
            headers.retain(|(n, _, _)| *n != name);
        }
        headers.push((name, value, append));
    }
}

/// The answer's headers and cookies, from [`CallbackContext::response`](crate::CallbackContext::response).
///
/// ```
/// use dash::{Callback, CallbackContext, Dash};
/// let mut app = Dash::new();
/// app.callback(
///     Callback::new().output(("out", "children")).input(("theme", "value")),
///     |ctx: CallbackContext, theme: Option<String>| -> Result<String, dash::CallbackError> {
///         let theme = theme.unwrap_or_else(|| "light".into());
///         ctx.response().set_cookie(dash::cookie::Cookie::build(("theme", theme.clone())).path("/").build())?;
///         ctx.response().set_header("Cache-Control", "no-store")?;
///         Ok(format!("theme: {theme}"))
///     },
/// );
/// ```
#[derive(Debug, Clone, Copy)]
pub struct ResponseHeaders<'a> {
    pub(crate) parts: &'a ResponseParts,
}

impl ResponseHeaders<'_> {
    /// Sets a header of the answer (replacing an earlier value of the same
    /// name). Content and framing headers and `Set-Cookie` are refused: use
    /// [`set_cookie`](Self::set_cookie) for cookies.
    pub fn set_header(&self, name: &str, value: &str) -> Result<(), CallbackError> {
        let name = HeaderName::from_bytes(name.as_bytes())
            .map_err(|_| CallbackError::msg(format!("{name:?} is not a header name")))?;
        if RESERVED.contains(&name) {
            return Err(CallbackError::msg(format!(
                "the header {name} is set by the server, not by a callback"
            )));
        }
        let value = HeaderValue::from_str(value)
            .map_err(|_| CallbackError::msg(format!("not a valid value for the header {name}")))?;
        self.parts.push(name, value, false);
        Ok(())
    }

    /// Adds a `Set-Cookie` header (the `cookie` crate's builder).
    pub fn set_cookie(&self, cookie: cookie::Cookie<'_>) -> Result<(), CallbackError> {
        let value = HeaderValue::from_str(&cookie.to_string()).map_err(|_| {
            CallbackError::msg(format!(
                "the cookie {:?} has characters a header cannot carry",
                cookie.name()
            ))
        })?;
        self.parts.push(header::SET_COOKIE, value, true);
        Ok(())
    }

    /// Removes a cookie from the browser (an expired `Set-Cookie` with
    /// path `/`), as Flask's `delete_cookie`.
    pub fn delete_cookie(&self, name: &str) -> Result<(), CallbackError> {
        let mut c = cookie::Cookie::build((name.to_owned(), ""))
            .path("/")
            .build();
        c.make_removal();
        self.set_cookie(c)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn headers_replace_cookies_append_reserved_refused() {
        let parts = ResponseParts::default();
        let r = ResponseHeaders { parts: &parts };
        r.set_header("X-A", "1").unwrap();
        r.set_header("x-a", "2").unwrap();
        r.set_cookie(cookie::Cookie::new("a", "1")).unwrap();
        r.set_cookie(cookie::Cookie::new("b", "2")).unwrap();
        assert!(r.set_header("Content-Type", "text/html").is_err());
        assert!(r.set_header("Set-Cookie", "x=1").is_err());
        assert!(r.set_header("bad name", "1").is_err());
        assert!(r.set_header("X-B", "line\nbreak").is_err());
        let got: Vec<(String, String, bool)> = parts
            .take()
            .into_iter()
            .map(|(n, v, a)| (n.to_string(), v.to_str().unwrap().to_owned(), a))
            .collect();
        assert_eq!(
            got,
            vec![
                ("x-a".into(), "2".into(), false),
                ("set-cookie".into(), "a=1".into(), true),
                ("set-cookie".into(), "b=2".into(), true),
            ]
        );
        r.delete_cookie("a").unwrap();
        let removal = parts.take();
        assert!(removal[0].1.to_str().unwrap().contains("Max-Age=0"));
    }
}
