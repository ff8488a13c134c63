//! What a callback can return instead of a value.

use std::fmt;

/// Returned (as `Err(PreventUpdate.into())`) to leave every output as it
/// is: the server answers 204 and the renderer changes nothing.
///
/// ```
/// use dash::{CallbackError, PreventUpdate};
/// fn on_click(n: Option<u32>) -> Result<String, CallbackError> {
///     let n = n.ok_or(PreventUpdate)?;
///     Ok(format!("clicked {n} times"))
/// }
/// assert!(on_click(None).unwrap_err().is_prevent_update());
/// ```
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct PreventUpdate;

/// The error side of a callback's `Result`: [`PreventUpdate`], or a failure
/// that answers this request with HTTP 500 (the server goes on).
///
/// Any `std::error::Error` converts into it with `?`; so does a message
/// through [`CallbackError::msg`].
pub struct CallbackError {
    kind: Kind,
}

enum Kind {
    PreventUpdate,
    Failed(Box<dyn std::error::Error + Send + Sync + 'static>),
    Message(String),
}

impl CallbackError {
    /// A failure described by a message.
    pub fn msg(message: impl fmt::Display) -> Self {
        CallbackError {
            kind: Kind::Message(message.to_string()),
        }
    }

    /// True for [`PreventUpdate`].
    pub fn is_prevent_update(&self) -> bool {
        matches!(self.kind, Kind::PreventUpdate)
    }
}

impl fmt::Debug for CallbackError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self, f)
    }
}

impl fmt::Display for CallbackError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.kind {
            Kind::PreventUpdate => f.write_str("PreventUpdate"),
            Kind::Failed(e) => {
                write!(f, "{e}")?;
                let mut source = e.source();
                while let Some(s) = source {
                    write!(f, ": {s}")?;
                    source = s.source();
                }
                Ok(())
            }
            Kind::Message(m) => f.write_str(m),
        }
    }
}

impl From<PreventUpdate> for CallbackError {
    fn from(_: PreventUpdate) -> Self {
        CallbackError {
            kind: Kind::PreventUpdate,
        }
    }
}

impl<E: std::error::Error + Send + Sync + 'static> From<E> for CallbackError {
    fn from(e: E) -> Self {
        CallbackError {
            kind: Kind::Failed(Box::new(e)),
        }
    }
}
