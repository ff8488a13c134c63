//! Access rules on callbacks: `Callback::access`, checked by dispatch
//! before the callback's arguments are read.

use super::{Access, User};
use crate::callback::{Callback, DispatchError};

impl Callback {
    /// Who may call this callback (with [`Dash::auth`](crate::Dash::auth)):
    /// a request from someone it does not allow answers 401 (nobody signed
    /// in) or 403 (a signed-in user it does not allow) and the function does
    /// not run. Callbacks declared with a [`Page`](crate::pages::Page) that
    /// has an access rule get the page's.
    ///
    /// ```
    /// use dash::prelude::*;
    /// use dash::auth::Access;
    ///
    /// let admin_only = Callback::new()
    ///     .output(("report", "children"))
    ///     .input(("run", "n_clicks"))
    ///     .access(Access::groups(["admins"]));
    /// # let _ = admin_only;
    /// ```
    pub fn access(mut self, access: Access) -> Self {
        self.access = Some(access);
        self
    }

    /// True if [`Callback::access`] was set.
    pub(crate) fn has_access_rule(&self) -> bool {
        self.access.is_some()
    }
}

/// Refuses a call of `spec` by `user` that its access rule does not allow.
pub(crate) fn check(spec: &Callback, key: &str, user: Option<&User>) -> Result<(), DispatchError> {
    match &spec.access {
        Some(access) if !access.allows(user) => {
            let shown = dash_protocol::excerpt(key, dash_protocol::ECHO_LIMIT);
            Err(match user {
                None => DispatchError::Unauthorized {
                    message: format!("callback {shown:?} needs a signed-in user"),
                },
                Some(_) => DispatchError::Forbidden {
                    message: format!("the signed-in user may not call callback {shown:?}"),
                },
            })
        }
        _ => Ok(()),
    }
}
