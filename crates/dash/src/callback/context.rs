//! The callback context: what triggered a call, the request, `set_props`.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use axum::body::Bytes;
use axum::http::HeaderMap;
use dash_protocol::request::{ArgSlot, CallbackRequest};
use dash_protocol::ComponentId;
use serde::Serialize;
use serde_json::{Map, Value};

/// One input that triggered a call.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Triggered {
    /// `<idstr>.<prop>`.
    pub prop_id: String,
    /// Its current value.
    pub value: Value,
}

/// What a callback may know about the call: which inputs triggered it, every
/// input and state by id, the HTTP request's headers and cookies. Take it as
/// an argument anywhere in the function's signature; it uses no Input slot.
///
/// ```
/// use dash::{Callback, CallbackContext, Dash};
/// let mut app = Dash::new();
/// app.callback(
///     Callback::new().output(("out", "children")).input(("a", "n_clicks")).input(("b", "n_clicks")),
///     |ctx: CallbackContext, _a: Option<u32>, _b: Option<u32>| {
///         format!("last click: {:?}", ctx.triggered_id())
///     },
/// );
/// ```
#[derive(Clone)]
pub struct CallbackContext {
    inner: Arc<Inner>,
}

struct Inner {
    services: Arc<crate::services::Services>,
    session: Option<crate::session::RequestSession>,
    callback: String,
    triggered: Vec<String>,
    headers: HeaderMap,
    body: Bytes,
    inline: bool,
    side_updates: Mutex<Vec<(ComponentId, Map<String, Value>)>>,
    server_stores: Option<Arc<crate::server_store::ServerStores>>,
    binding: std::sync::OnceLock<Option<crate::server_store::Binding>>,
    /// In a background job: where `set_props` goes, at once.
    job: Option<Arc<crate::background::JobLink>>,
    /// The HTTP request's path, query and peer (set once, after `new`).
    facts: std::sync::OnceLock<super::context_args::RequestFacts>,
    /// Headers and cookies for the answer (`response()`).
    response: super::response::ResponseParts,
}

impl CallbackContext {
    /// The page load's facts for a layout made in a callback (pages).
    pub(crate) fn layout_context(&self) -> crate::LayoutContext {
        crate::LayoutContext::new(self.inner.session.clone()).with_user(self.facts().user.clone())
    }

    #[allow(clippy::too_many_arguments)]
    pub(crate) fn new(
        services: Arc<crate::services::Services>,
        session: Option<crate::session::RequestSession>,
        callback: String,
        triggered: Vec<String>,
        headers: HeaderMap,
        body: Bytes,
        inline: bool,
        server_stores: Option<Arc<crate::server_store::ServerStores>>,
    ) -> Self {
        CallbackContext {
            inner: Arc::new(Inner {
                services,
                session,
                callback,
                triggered,
                headers,
                body,
                inline,
                side_updates: Mutex::new(Vec::new()),
                server_stores,
                binding: std::sync::OnceLock::new(),
                job: None,
                facts: std::sync::OnceLock::new(),
                response: Default::default(),
            }),
        }
    }

    /// The app's server stores (`None` outside a request of the router).
    pub(crate) fn server_stores(&self) -> Option<&Arc<crate::server_store::ServerStores>> {
        self.inner.server_stores.as_ref()
    }

    /// The session id and secret references are signed for (resolved once).
    pub(crate) fn store_binding(&self) -> Option<crate::server_store::Binding> {
        self.inner
            .binding
            .get_or_init(|| {
                self.with_session(|s| crate::server_store::Binding {
                    session: s.id().hex(),
                    secret: s.secret().clone(),
                })
            })
            .clone()
    }

    /// The cache backend, if it can be opened.
    pub(crate) fn store_backend(&self) -> Option<Arc<dyn dash_cache::CacheBackend>> {
        self.inner
            .services
            .cache()
            .ok()
            .map(|c| c.backend().clone())
    }

    /// Runs `f`, which may block on the backend, without holding an async
    /// worker when the call runs inline.
    pub(crate) fn blocking<R>(&self, f: impl FnOnce() -> R) -> R {
        if !self.inner.inline {
            return f();
        }
        let mut f = Some(f);
        let mut out = None;
        super::placement::blocking_section(&mut || {
            if let Some(f) = f.take() {
                out = Some(f());
            }
        });
        out.expect("the blocking section runs its function")
    }

    /// The same call's context for a background job: `set_props` streams
    /// to the job's updates.
    pub(crate) fn for_job(self, job: Arc<crate::background::JobLink>) -> Self {
        let inner = &self.inner;
        CallbackContext {
            inner: Arc::new(Inner {
                services: inner.services.clone(),
                session: inner.session.clone(),
                callback: inner.callback.clone(),
                triggered: inner.triggered.clone(),
                headers: inner.headers.clone(),
                body: inner.body.clone(),
                inline: false,
                side_updates: Mutex::new(Vec::new()),
                server_stores: inner.server_stores.clone(),
                binding: inner.binding.clone(),
                job: Some(job),
                facts: inner.facts.clone(),
                response: Default::default(),
            }),
        }
    }

    /// Records the HTTP request's path, query and peer (once).
    pub(crate) fn set_request_facts(&self, facts: super::context_args::RequestFacts) {
        let _ = self.inner.facts.set(facts);
    }

    pub(crate) fn facts(&self) -> &super::context_args::RequestFacts {
        static NONE: std::sync::OnceLock<super::context_args::RequestFacts> =
            std::sync::OnceLock::new();
        self.inner
            .facts
            .get()
            .unwrap_or_else(|| NONE.get_or_init(Default::default))
    }

    /// The request body, as the renderer sent it.
    pub(crate) fn body(&self) -> &Bytes {
        &self.inner.body
    }

    /// The headers and cookies to add to the answer, as Python Dash's
    /// `callback_context.response`: see [`ResponseHeaders`](super::ResponseHeaders).
    pub fn response(&self) -> super::ResponseHeaders<'_> {
        super::ResponseHeaders {
            parts: &self.inner.response,
        }
    }

    /// What `response()` collected, for the answer.
    pub(crate) fn take_response_headers(
        &self,
    ) -> Vec<(axum::http::HeaderName, axum::http::HeaderValue, bool)> {
        self.inner.response.take()
    }

    /// The background job this call runs as, if any.
    pub(crate) fn job(&self) -> Option<&Arc<crate::background::JobLink>> {
        self.inner.job.as_ref()
    }

    /// The app's server-side cache, shared by every worker process (and,
    /// with Redis, every host): `DASH_CACHE_URL`, by default the SQLite file
    /// `.dash-cache/cache.sqlite`.
    ///
    /// ```no_run
    /// # use dash::CallbackContext;
    /// # fn expensive(f: &str) -> Vec<f64> { vec![] }
    /// # fn cb(ctx: CallbackContext, fruit: String) -> Result<usize, dash::CallbackError> {
    /// let data: Vec<f64> = ctx.cache()?.memoize("global_store", &fruit, None, || expensive(&fruit))?;
    /// # Ok(data.len()) }
    /// ```
    pub fn cache(&self) -> Result<dash_cache::Cache, crate::CallbackError> {
        let cache =
            self.inner.services.cache().map_err(|e| {
                crate::CallbackError::msg(format!("the cache cannot be opened: {e}"))
            })?;
        Ok(if self.inner.inline {
            // This call runs on an async worker: a miss must not hold it.
            cache.with_blocking_section(Arc::new(super::placement::blocking_section))
        } else {
            cache.clone()
        })
    }

    /// Runs the session lookup (it may read the backend) without holding
    /// an async worker when the call runs inline.
    fn with_session<T>(&self, f: impl FnOnce(&crate::session::RequestSession) -> T) -> Option<T> {
        let session = self.inner.session.as_ref()?;
        if !self.inner.inline {
            return Some(f(session));
        }
        let mut f = Some(f);
        let mut out = None;
        super::placement::blocking_section(&mut || {
            if let Some(f) = f.take() {
                out = Some(f(session));
            }
        });
        out
    }

    /// This browser's session id: server-side only (for keys of your own
    /// server data); never put it on the page, use
    /// [`session_handle`](Self::session_handle) there. A request without a
    /// valid session cookie (none, forged, altered, expired or unknown)
    /// gets a new session, whose cookie this answer sets. `None` only for a
    /// request that did not come through the app's router.
    pub fn session_id(&self) -> Option<String> {
        self.with_session(|s| s.id().hex())
    }

    /// The public handle of this browser's session, the value
    /// [`LayoutContext::session_handle`](crate::LayoutContext::session_handle)
    /// gave the page: compare the two to check that page data belongs to
    /// this session.
    ///
    /// ```
    /// # use dash::{CallbackContext, CallbackError};
    /// fn check(ctx: &CallbackContext, from_page: &str) -> Result<(), CallbackError> {
    ///     if ctx.session_handle().as_deref() != Some(from_page) {
    ///         return Err(CallbackError::msg("this page belongs to another session"));
    ///     }
    ///     Ok(())
    /// }
    /// ```
    pub fn session_handle(&self) -> Option<String> {
        self.with_session(|s| s.handle())
    }

    /// Gives this browser a new session id and cookie in this answer (call
    /// it when a user logs in, against session fixation): the old id is
    /// refused from then on, the session's server data moves to the new id,
    /// and the absolute lifetime starts again. The handle changes too; send
    /// the new [`session_handle`](Self::session_handle) to the page if it
    /// keeps one.
    pub fn rotate_session(&self) -> Result<(), crate::CallbackError> {
        self.with_session(|s| s.rotate())
            .ok_or_else(|| crate::CallbackError::msg("this request has no session"))?
            .map_err(|e| {
                crate::CallbackError::msg(format!("the session cannot be rotated: {}", e.0))
            })
    }

    /// A cache only this session can read; its entries expire after the
    /// session has been idle for the configured time (default 30 minutes).
    pub fn session_cache(&self) -> Result<dash_cache::Cache, crate::CallbackError> {
        let namespace = self
            .with_session(|s| s.data_namespace())
            .ok_or_else(|| crate::CallbackError::msg("this request has no session"))?;
        let idle = self.inner.services.settings().session.idle;
        Ok(self.cache()?.with_idle_expiry(&namespace, idle))
    }

    /// The callback's key (its `output` string).
    pub fn callback(&self) -> &str {
        &self.inner.callback
    }

    /// `<idstr>.<prop>` of each input that triggered this call; empty on the
    /// initial call.
    pub fn triggered_prop_ids(&self) -> &[String] {
        &self.inner.triggered
    }

    /// The id of the first triggered input, if any.
    pub fn triggered_id(&self) -> Option<ComponentId> {
        let first = self.inner.triggered.first()?;
        let (id, _) = first.rsplit_once('.')?;
        ComponentId::parse(id).ok()
    }

    /// The triggered inputs with their values.
    pub fn triggered(&self) -> Vec<Triggered> {
        let inputs = self.inputs();
        self.inner
            .triggered
            .iter()
            .map(|p| Triggered {
                prop_id: p.clone(),
                value: inputs.get(p).cloned().unwrap_or(Value::Null),
            })
            .collect()
    }

    /// Every input value keyed by `<idstr>.<prop>` (wildcard lists flattened).
    pub fn inputs(&self) -> Map<String, Value> {
        self.collect(|r| &r.inputs)
    }

    /// Every state value keyed by `<idstr>.<prop>`.
    pub fn states(&self) -> Map<String, Value> {
        self.collect(|r| &r.state)
    }

    fn collect(
        &self,
        pick: impl for<'a> Fn(&'a CallbackRequest<'a>) -> &'a Vec<ArgSlot<'a>>,
    ) -> Map<String, Value> {
        let mut out = Map::new();
        if let Ok(req) = CallbackRequest::parse(&self.inner.body) {
            for slot in pick(&req) {
                for e in slot.entries() {
                    let v = e
                        .value
                        .and_then(|raw| serde_json::from_str(raw.get()).ok())
                        .unwrap_or(Value::Null);
                    out.insert(format!("{}.{}", e.id, e.property), v);
                }
            }
        }
        out
    }

    /// The request's headers.
    pub fn headers(&self) -> &HeaderMap {
        &self.inner.headers
    }

    /// One request header as text.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.inner.headers.get(name).and_then(|v| v.to_str().ok())
    }

    /// The request's cookies (parsed with the `cookie` crate).
    pub fn cookies(&self) -> HashMap<String, String> {
        self.inner
            .headers
            .get_all(axum::http::header::COOKIE)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .flat_map(cookie::Cookie::split_parse)
            .filter_map(Result::ok)
            .map(|c| (c.name().to_owned(), c.value().to_owned()))
            .collect()
    }

    /// One cookie's value.
    pub fn cookie(&self, name: &str) -> Option<String> {
        self.cookies().remove(name)
    }

    /// Updates props of any component in the layout, besides the outputs
    /// (Python's `set_props`). `props` serializes to a JSON object. In a
    /// background job each call reaches the page on its own, in order.
    /// The `data` of a [`ServerStore`](crate::ServerStore) is stored on the
    /// server as an output's value is, and the page gets its reference.
    pub fn set_props(&self, id: impl Into<ComponentId>, props: impl Serialize) {
        let props = match serde_json::to_value(props) {
            Ok(Value::Object(m)) => m,
            _ => {
                tracing::warn!(callback = %self.inner.callback, "set_props needs an object of props; ignored");
                return;
            }
        };
        let mut props = props;
        let id = id.into();
        // A server store's data is written here; the page gets its reference.
        self.capture_store_props(&id, &mut props);
        if let Some(job) = &self.inner.job {
            job.set_props(&id, props);
            return;
        }
        let mut updates = self
            .inner
            .side_updates
            .lock()
            .unwrap_or_else(|p| p.into_inner());
        match updates.iter_mut().find(|(i, _)| *i == id) {
            Some((_, existing)) => existing.extend(props),
            None => updates.push((id, props)),
        }
    }

    pub(crate) fn take_side_updates(&self) -> Vec<(ComponentId, Map<String, Value>)> {
        std::mem::take(
            &mut *self
                .inner
                .side_updates
                .lock()
                .unwrap_or_else(|p| p.into_inner()),
        )
    }
}
