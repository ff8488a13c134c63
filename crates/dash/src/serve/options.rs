//! The builder methods for serving limits (see `settings.rs` for the
//! defaults and the environment variables).

use std::time::Duration;

use crate::Dash;

impl Dash {
    /// The largest request body accepted, in bytes; larger ones get 413.
    /// Unset, `DASH_MAX_BODY_BYTES` (e.g. `64MiB`), else 128 MiB.
    ///
    /// Why 128 MiB: the largest `dcc.Store` values worth sending from a
    /// browser are 10-50 MB, and the renderer sends a store twice when it
    /// is both an Input and a State of one callback (100 MB for a 50 MB
    /// store); `dcc.Upload` sends files as base64, a third larger, so a
    /// 90 MB file fits too. Much more than that should stay on the server
    /// (the cache). Together with [`Dash::body_budget_bytes`] it bounds
    /// memory: a request costs about 2.5 times its body at its peak.
    ///
    /// ```
    /// let app = dash::Dash::new().max_body_bytes(32 << 20);
    /// # let _ = app;
    /// ```
    pub fn max_body_bytes(mut self, bytes: usize) -> Self {
        self.settings.serve.max_body_bytes = Some(bytes);
        self
    }

    /// The bytes of request bodies all requests of one process may hold
    /// at once; a request beyond it gets 503 with `Retry-After: 1`. Unset,
    /// `DASH_BODY_BUDGET_BYTES`, else 512 MiB (four near-limit bodies or
    /// fifty 10 MB stores). Never below [`Dash::max_body_bytes`].
    ///
    /// ```
    /// let app = dash::Dash::new().body_budget_bytes(256 << 20);
    /// # let _ = app;
    /// ```
    pub fn body_budget_bytes(mut self, bytes: usize) -> Self {
        self.settings.serve.body_budget_bytes = Some(bytes);
        self
    }

    /// How long a request head may take once its first byte arrived, and
    /// how long a request body may stop arriving (408); a slower
    /// connection is closed. Unset, `DASH_HEADER_TIMEOUT` (seconds, or
    /// `500ms`), else 15 s.
    ///
    /// ```
    /// let app = dash::Dash::new().header_timeout(std::time::Duration::from_secs(5));
    /// # let _ = app;
    /// ```
    pub fn header_timeout(mut self, timeout: Duration) -> Self {
        self.settings.serve.header_timeout = Some(timeout);
        self
    }

    /// How long a connection without a request in progress stays open
    /// (keep-alive). Unset, `DASH_IDLE_TIMEOUT`, else 75 s: longer than
    /// the 60 s of nginx's upstream keep-alive and of cloud load balancers,
    /// so a proxy never reuses a connection this server is closing.
    ///
    /// ```
    /// let app = dash::Dash::new().idle_timeout(std::time::Duration::from_secs(30));
    /// # let _ = app;
    /// ```
    pub fn idle_timeout(mut self, timeout: Duration) -> Self {
        self.settings.serve.idle_timeout = Some(timeout);
        self
    }

    /// The most connections one process keeps open; beyond it a new
    /// connection gets 503 with `Retry-After: 1`. Unset,
    /// `DASH_MAX_CONNECTIONS`, else 4096, lowered to fit the descriptor
    /// limit (whose soft value is raised to the hard one at start).
    ///
    /// ```
    /// let app = dash::Dash::new().max_connections(10_000);
    /// # let _ = app;
    /// ```
    pub fn max_connections(mut self, connections: usize) -> Self {
        self.settings.serve.max_connections = Some(connections);
        self
    }

    /// On SIGTERM or SIGINT, how long the requests in flight may take to
    /// finish before the process exits anyway. Unset,
    /// `DASH_GRACEFUL_TIMEOUT`, else 30 s (gunicorn's default). A second
    /// signal stops at once.
    ///
    /// ```
    /// let app = dash::Dash::new().graceful_timeout(std::time::Duration::from_secs(10));
    /// # let _ = app;
    /// ```
    pub fn graceful_timeout(mut self, timeout: Duration) -> Self {
        self.settings.serve.graceful_timeout = Some(timeout);
        self
    }

    /// Who may show the app in a frame: CSP `frame-ancestors` sources such
    /// as `'self'` (the default), `'none'`, `https://portal.example.com`.
    /// Sent on every answer as `Content-Security-Policy: frame-ancestors
    /// ...`, with `X-Frame-Options` (`SAMEORIGIN`, `DENY`) when it can say
    /// the same. Unset, `DASH_FRAME_ANCESTORS` (space-separated). A source
    /// that is not a CSP source is an error at start.
    ///
    /// ```
    /// let app = dash::Dash::new().frame_ancestors(["'self'", "https://portal.example.com"]);
    /// # let _ = app;
    /// ```
    pub fn frame_ancestors<S: Into<String>>(
        mut self,
        sources: impl IntoIterator<Item = S>,
    ) -> Self {
        self.settings.serve.frame_ancestors = Some(sources.into_iter().map(Into::into).collect());
        self
    }
}
