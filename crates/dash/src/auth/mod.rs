//! Authentication: HTTP basic auth or a login page, access rules by path,
//! and the signed-in user for callbacks and layouts (docs/login.md).
//!
//! - [`Users`] (`users.rs`): `name:<argon2 PHC hash>[:group,..]` records
//!   from a file or the environment, checked with the `argon2` crate;
//!   [`hash_password`] makes a hash.
//! - [`BasicAuth`] (`basic.rs`): every request carries
//!   `Authorization: Basic`; checked headers are remembered for a while
//!   by their HMAC.
//! - [`LoginPage`] (`login.rs`, `login_session.rs`): a form at `/login`,
//!   a signed `dash_login` cookie naming a record in the cache backend
//!   (so logout and the idle and absolute timeouts hold on every worker
//!   and host), `/logout`, a CSRF token tied to a pre-login cookie.
//! - [`Access`] (`access.rs`): public, any signed-in user, given users or
//!   groups, by exact path or path prefix.
//! - The layer (`layer.rs`): applied by `build()` around every route, so
//!   `run()` with `--workers N` keeps it. A refused request gets 401 (a
//!   redirect to the form for a page in login page mode) or 403, never the
//!   app's data; failed attempts are throttled (`throttle.rs`).
//!
//! ```no_run
//! use dash::auth::{LoginPage, Users};
//! use dash::prelude::*;
//!
//! fn main() -> Result<(), dash::Error> {
//!     let users = Users::from_env_file("DASH_USERS_FILE")?;
//!     let mut app = Dash::new()
//!         .url_base_pathname("/app/")
//!         .auth(LoginPage::new(users).public_page("/", "<h1>Welcome</h1><a href=\"/login\">Sign in</a>"));
//!     app.layout_fn_with(|page: &LayoutContext| {
//!         let name = page.user().map(|u| u.name().to_owned()).unwrap_or_default();
//!         html::Div::new().id("whoami").children(format!("Signed in as {name}"))
//!     });
//!     app.run()
//! }
//! ```

mod access;
mod basic;
mod callback_access;
mod layer;
mod login;
mod login_session;
mod throttle;
mod users;

pub use access::Access;
pub use basic::BasicAuth;
pub use login::LoginPage;
pub use users::{hash_password, User, Users};

pub(crate) use callback_access::check as check_callback_access;
pub(crate) use layer::{wrap, PageAccess};

/// An auth mode for [`Dash::auth`](crate::Dash::auth).
#[derive(Debug, Clone)]
pub enum Auth {
    /// HTTP basic auth.
    Basic(BasicAuth),
    /// A login page and a session cookie.
    Login(LoginPage),
}

impl From<BasicAuth> for Auth {
    fn from(b: BasicAuth) -> Self {
        Auth::Basic(b)
    }
}

impl From<LoginPage> for Auth {
    fn from(l: LoginPage) -> Self {
        Auth::Login(l)
    }
}

impl crate::Dash {
    /// Puts the app behind an auth mode ([`BasicAuth`] or [`LoginPage`]):
    /// every route of every worker is checked before the app sees it.
    pub fn auth(mut self, auth: impl Into<Auth>) -> Self {
        self.auth = Some(auth.into());
        self
    }
}

impl crate::CallbackContext {
    /// The signed-in user of the request (`None` without an auth mode, or
    /// on a public path nobody signed in to).
    pub fn user(&self) -> Option<&User> {
        self.facts().user.as_ref()
    }
}

impl crate::LayoutContext {
    /// The signed-in user of the page load (`None` without an auth mode,
    /// or outside a page load).
    pub fn user(&self) -> Option<&User> {
        self.user_ref()
    }
}
