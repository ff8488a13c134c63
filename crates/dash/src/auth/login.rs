//! The login page mode (Python: Flask-Login, or dash-auth's OIDC-style
//! login flow, with a local users file): a form at `/login`, a signed
//! cookie naming a login record in the cache backend, `/logout`, idle and
//! absolute timeouts.

use std::time::Duration;

use super::access::{Access, Rules};
use super::Users;

/// Login page mode.
///
/// ```no_run
/// use std::time::Duration;
/// use dash::auth::{Access, LoginPage, Users};
/// # fn main() -> Result<(), dash::Error> {
/// let users = Users::from_env_file("DASH_USERS_FILE")?;
/// let login = LoginPage::new(users)
///     .public_page("/", "<!DOCTYPE html><h1 id=\"title\">Welcome</h1><a href=\"/login\">Sign in</a>")
///     .landing("/app")
///     .idle_timeout(Duration::from_secs(30 * 60))
///     .absolute_timeout(Duration::from_secs(12 * 3600))
///     .rule_prefix("/app/admin", Access::groups(["admins"]));
/// let app = dash::Dash::new().url_base_pathname("/app/").auth(login);
/// # Ok(()) }
/// ```
#[derive(Debug, Clone)]
pub struct LoginPage {
    pub(crate) users: Users,
    pub(crate) rules: Rules,
    pub(crate) login_path: String,
    pub(crate) logout_path: String,
    pub(crate) landing: Option<String>,
    pub(crate) after_logout: String,
    pub(crate) public_pages: Vec<(String, String)>,
    pub(crate) idle: Duration,
    pub(crate) absolute: Duration,
    pub(crate) refresh: Option<Duration>,
    pub(crate) limit: super::throttle::Limit,
    pub(crate) title: String,
}

impl LoginPage {
    /// Login page mode for these users: `/login` and `/logout` are served
    /// by the login layer, every other path needs a signed-in user until
    /// rules say otherwise.
    pub fn new(users: Users) -> Self {
        LoginPage {
            users,
            rules: Rules::default(),
            login_path: "/login".into(),
            logout_path: "/logout".into(),
            landing: None,
            after_logout: "/login".into(),
            public_pages: Vec::new(),
            idle: Duration::from_secs(30 * 60),
            absolute: Duration::from_secs(12 * 3600),
            refresh: None,
            limit: Default::default(),
            title: "Sign in".into(),
        }
    }

    /// Where the form is (default `/login`).
    pub fn login_path(mut self, path: impl Into<String>) -> Self {
        self.login_path = path.into();
        self
    }

    /// Where signing out is (default `/logout`).
    pub fn logout_path(mut self, path: impl Into<String>) -> Self {
        self.logout_path = path.into();
        self
    }

    /// Where a successful sign-in goes without a `next` (default: the Dash
    /// app's prefix, e.g. `/app` for `url_base_pathname("/app/")`).
    pub fn landing(mut self, path: impl Into<String>) -> Self {
        self.landing = Some(path.into());
        self
    }

    /// Where `/logout` goes (default `/login`).
    pub fn after_logout(mut self, path: impl Into<String>) -> Self {
        self.after_logout = path.into();
        self
    }

    /// Serves this HTML document at `path` to anyone, from the login layer
    /// (e.g. a welcome page at `/` when the Dash app has its own prefix).
    pub fn public_page(mut self, path: impl Into<String>, html: impl Into<String>) -> Self {
        self.public_pages.push((path.into(), html.into()));
        self
    }

    /// The heading of the form (default `Sign in`).
    pub fn title(mut self, title: impl Into<String>) -> Self {
        self.title = title.into();
        self
    }

    /// A sign-in ends after this long without a request (default 30
    /// minutes).
    pub fn idle_timeout(mut self, idle: Duration) -> Self {
        self.idle = idle;
        self
    }

    /// A sign-in ends this long after it began, used or not (default 12
    /// hours).
    pub fn absolute_timeout(mut self, absolute: Duration) -> Self {
        self.absolute = absolute;
        self
    }

    /// How often the idle clock is written back to the backend on use
    /// (default: a tenth of the idle timeout, at most a minute).
    pub fn refresh_every(mut self, every: Duration) -> Self {
        self.refresh = Some(every);
        self
    }

    /// The access of one exact path.
    pub fn rule(mut self, path: impl Into<String>, access: Access) -> Self {
        self.rules.add(path, false, access);
        self
    }

    /// The access of every path under `prefix` (segment-wise).
    pub fn rule_prefix(mut self, prefix: impl Into<String>, access: Access) -> Self {
        self.rules.add(prefix, true, access);
        self
    }

    /// The access of paths no rule matches (default
    /// [`Access::SignedIn`]).
    pub fn default_access(mut self, access: Access) -> Self {
        self.rules.set_default(access);
        self
    }

    /// Failed sign-ins allowed per user name (and per peer address, ten
    /// times as many) in `window` before the form answers 429 until the
    /// window ends (default 5 per 5 minutes).
    pub fn failure_limit(mut self, per_user: u32, window: Duration) -> Self {
        self.limit = super::throttle::Limit::per_user(per_user, window);
        self
    }

    pub(crate) fn refresh_interval(&self) -> Duration {
        self.refresh
            .unwrap_or_else(|| (self.idle / 10).min(Duration::from_secs(60)))
    }
}

/// Escapes text for HTML.
pub(crate) fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// The sign-in form.
pub(crate) fn form_html(
    title: &str,
    action: &str,
    csrf: &str,
    next: Option<&str>,
    error: Option<&str>,
) -> String {
    let next = next
        .map(|n| format!(r#"<input type="hidden" name="next" value="{}">"#, escape(n)))
        .unwrap_or_default();
    let error = error
        .map(|e| {
            format!(
                r#"<p id="error" role="alert" style="color:#b00">{}</p>"#,
                escape(e)
            )
        })
        .unwrap_or_default();
    format!(
        r#"<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>{title}</title></head>
<body style="font-family:sans-serif;max-width:24em;margin:4em auto">
<h1 id="title">{title}</h1>
<form method="post" action="{action}">
<input type="hidden" name="csrf" value="{csrf}">{next}
<p><label for="username">Username</label><br><input id="username" name="username" autocomplete="username" required autofocus></p>
<p><label for="password">Password</label><br><input id="password" name="password" type="password" autocomplete="current-password" required></p>
{error}<button id="login" type="submit">Sign in</button>
</form></body></html>
"#,
        title = escape(title),
        action = escape(action),
        csrf = escape(csrf),
    )
}

/// `next` if it is a path on this site (`/x`, not `//host`, `/\host`, a
/// scheme, control characters or raw non-ASCII: browsers send paths
/// percent-encoded), else `None`.
pub(crate) fn safe_next(next: &str) -> Option<&str> {
    let b = next.as_bytes();
    let ok = b.first() == Some(&b'/')
        && !matches!(b.get(1), Some(b'/') | Some(b'\\'))
        && next.len() <= 2048
        && next.is_ascii()
        && !next
            .chars()
            .any(|c| c == '\\' || c.is_control() || c.is_whitespace());
    ok.then_some(next)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_same_site_paths_are_kept_as_next() {
        for good in ["/app", "/app/?x=1", "/"] {
            assert_eq!(safe_next(good), Some(good));
        }
        for bad in [
            "//evil.example",
            "/\\evil.example",
            "https://evil.example",
            "evil.example",
            "javascript:alert(1)",
            "/\tx",
            "/a\\b",
            "/café",
            "",
            " /app",
        ] {
            assert_eq!(safe_next(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn the_form_escapes_what_it_echoes() {
        let html = form_html(
            "Sign in",
            "/login",
            "t",
            Some("/\"><script>"),
            Some("Invalid username or password"),
        );
        assert!(html.contains("name=\"username\"") && html.contains("name=\"password\""));
        assert!(html.contains("id=\"login\""));
        assert!(!html.contains("<script>"));
        assert!(html.contains("Invalid username or password"));
    }
}
