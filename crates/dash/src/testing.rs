//! Calling an app's callbacks without a server, for unit tests: the same
//! dispatch as `_dash-update-component` (argument decoding, `set_props`,
//! `on_error`, `PreventUpdate`, `ctx.response()`), with the request built
//! from the values you give.
//!
//! ```
//! use dash::prelude::*;
//! use dash::testing::TestApp;
//! use serde_json::json;
//!
//! let mut app = Dash::new();
//! app.callback(
//!     Callback::new().output(("out", "children")).input(("in", "value")).state(("name", "value")),
//!     |ctx: CallbackContext, v: Option<String>, name: String| {
//!         ctx.set_props("status", json!({"children": "ok"}));
//!         format!("{name}: {}", v.unwrap_or_default())
//!     },
//! );
//! let app = TestApp::new(app).unwrap();
//! let answer = app
//!     .call(("out", "children"))
//!     .input(("in", "value"), "hi")
//!     .state(("name", "value"), "Ann")
//!     .triggered(("in", "value"))
//!     .run()
//!     .unwrap();
//! assert_eq!(answer.output("out", "children"), Some(&json!("Ann: hi")));
//! assert_eq!(answer.side_update("status", "children"), Some(&json!("ok")));
//! ```
//!
//! Pattern-matching callbacks are called with the ids of the components:
//! give each matched Input or State with its own id (`MATCH`: one
//! component, `ALL`: each one), and the components of an `ALL` output with
//! [`TestCall::component`]; a `MATCH` output takes the matched input's
//! values.
//!
//! ```
//! use dash::prelude::*;
//! use dash::testing::TestApp;
//! use dash::{ComponentId, Wildcard};
//! use serde_json::json;
//!
//! let item = |i: i64| ComponentId::object([("type", "item".into()), ("i", i.into())]);
//! let pattern = |w: Wildcard| ComponentId::object([("type", "item".into()), ("i", w.into())]);
//! let mut app = Dash::new();
//! app.callback(
//!     Callback::new().output(("total", "children")).input((pattern(Wildcard::All), "value")),
//!     |values: Vec<Option<u32>>| values.into_iter().flatten().sum::<u32>(),
//! );
//! let app = TestApp::new(app).unwrap();
//! let answer = app
//!     .call(("total", "children"))
//!     .input((item(1), "value"), 2)
//!     .input((item(2), "value"), 5)
//!     .run()
//!     .unwrap();
//! assert_eq!(answer.output("total", "children"), Some(&json!(7)));
//! ```
//!
//! The cache is in memory (`memory://`) unless the app names one with
//! `Dash::cache_url`; a call has no session. A background callback runs as
//! a job to its end (its progress in [`TestAnswer::progress`]).

use std::sync::Arc;

use axum::body::Bytes;
use axum::http::{HeaderMap, HeaderName, HeaderValue};
use dash_protocol::{ComponentId, Dependency};
use serde::Serialize;
use serde_json::Value;

use crate::callback::synthetic::{request_body, same};
use crate::callback::{dispatch, CallEnvironment, CallbackRegistry, DispatchError, Output};
use crate::{Dash, Error};

/// An app whose callbacks can be called directly.
pub struct TestApp {
    registry: Arc<CallbackRegistry>,
    services: Arc<crate::services::Services>,
    server_stores: Arc<crate::server_store::ServerStores>,
    runtime: tokio::runtime::Runtime,
}

impl std::fmt::Debug for TestApp {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TestApp").finish_non_exhaustive()
    }
}

impl TestApp {
    /// Takes the app with its callbacks registered.
    pub fn new(mut app: Dash) -> Result<TestApp, Error> {
        app.prepare_pages();
        let Dash {
            callbacks,
            mut services,
            server_stores,
            ..
        } = app;
        if services.cache_url.is_none() {
            services.cache_url = Some("memory://".into());
        }
        let services = crate::services::Services::open(services)?;
        let server_stores = Arc::new(crate::server_store::ServerStores::new(
            server_stores.registry.clone(),
            &server_stores.settings,
        )?);
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()?;
        Ok(TestApp {
            registry: Arc::new(callbacks),
            services,
            server_stores,
            runtime,
        })
    }

    /// A call of the callback that has `output` among its outputs.
    pub fn call(&self, output: impl Into<Output>) -> TestCall<'_> {
        TestCall {
            app: self,
            output: output.into().0,
            values: Vec::new(),
            triggered: Vec::new(),
            headers: HeaderMap::new(),
            components: Vec::new(),
        }
    }
}

/// One call being built: the values of its Inputs and States (any left out
/// are absent from the request, as for a component the page lacks), what
/// triggered it and the request's headers.
#[derive(Debug)]
pub struct TestCall<'a> {
    app: &'a TestApp,
    output: Dependency,
    values: Vec<(Dependency, Value)>,
    triggered: Vec<String>,
    headers: HeaderMap,
    components: Vec<ComponentId>,
}

fn dependency(d: impl Into<crate::callback::Input>) -> Dependency {
    d.into().0
}

impl TestCall<'_> {
    /// The value of an Input.
    pub fn input(
        mut self,
        input: impl Into<crate::callback::Input>,
        value: impl Serialize,
    ) -> Self {
        self.values.push((
            dependency(input),
            serde_json::to_value(value).unwrap_or(Value::Null),
        ));
        self
    }

    /// The value of a State.
    pub fn state(
        mut self,
        state: impl Into<crate::callback::State>,
        value: impl Serialize,
    ) -> Self {
        self.values.push((
            state.into().0,
            serde_json::to_value(value).unwrap_or(Value::Null),
        ));
        self
    }

    /// An Input that triggered the call (none: the initial call).
    pub fn triggered(mut self, input: impl Into<crate::callback::Input>) -> Self {
        let d = dependency(input);
        self.triggered.push(format!("{}.{}", d.id, d.property));
        self
    }

    /// A component on the page, for an `ALL` output (the renderer lists the
    /// components it matches).
    pub fn component(mut self, id: impl Into<ComponentId>) -> Self {
        self.components.push(id.into());
        self
    }

    /// A header of the request (`ctx.header`, `ctx.cookies`).
    pub fn header(mut self, name: &str, value: &str) -> Self {
        if let (Ok(n), Ok(v)) = (
            HeaderName::from_bytes(name.as_bytes()),
            HeaderValue::from_str(value),
        ) {
            self.headers.append(n, v);
        }
        self
    }

    fn body(&self) -> Result<Value, Error> {
        let callback = self
            .app
            .registry
            .callbacks()
            .find(|c| c.spec.outputs.iter().any(|o| same(o, &self.output)))
            .ok_or_else(|| {
                bad(format!(
                    "no callback has the output {}.{}",
                    self.output.id, self.output.property
                ))
            })?;
        request_body(callback, &self.values, &self.triggered, &self.components).map_err(bad)
    }

    /// Runs the callback and returns its answer. A background callback
    /// runs as a job, to its end: [`TestAnswer::progress`] lists its
    /// `Progress::set` calls, its `set_props` are side updates.
    pub fn run(self) -> Result<TestAnswer, Error> {
        let body = Bytes::from(self.body()?.to_string());
        if let Some(callback) = self.background_callback() {
            return self.run_job(callback, body);
        }
        let environment = CallEnvironment {
            services: self.app.services.clone(),
            session: None,
            guard: None,
            headers: self.headers.clone(),
            server_stores: Some(self.app.server_stores.clone()),
            query: None,
            path: "/_dash-update-component".into(),
            remote: None,
            user: None,
        };
        let registry = self.app.registry.clone();
        let answer = self
            .app
            .runtime
            .block_on(async move { dispatch(registry, environment, body).await });
        match answer {
            Ok(a) => Ok(TestAnswer {
                body: serde_json::from_str(&a.json).unwrap_or(Value::Null),
                headers: a
                    .headers
                    .into_iter()
                    .map(|(n, v, _)| (n.to_string(), v.to_str().unwrap_or_default().to_owned()))
                    .collect(),
                prevented: false,
                progress: Vec::new(),
            }),
            Err(DispatchError::Prevented) => Ok(TestAnswer::prevented_answer()),
            Err(e) => Err(failed(e)),
        }
    }
}

impl TestCall<'_> {
    fn background_callback(&self) -> Option<Arc<crate::callback::RegisteredCallback>> {
        self.app
            .registry
            .callbacks()
            .find(|c| c.spec.outputs.iter().any(|o| same(o, &self.output)))
            .filter(|c| c.spec.is_background())
            .cloned()
    }

    fn run_job(
        self,
        callback: Arc<crate::callback::RegisteredCallback>,
        body: Bytes,
    ) -> Result<TestAnswer, Error> {
        let services = self.app.services.clone();
        let context = crate::callback::CallbackContext::new(
            services.clone(),
            None,
            callback.key.clone(),
            self.triggered.clone(),
            self.headers.clone(),
            body.clone(),
            false,
            Some(self.app.server_stores.clone()),
        );
        let on_error = callback
            .spec
            .on_error
            .clone()
            .or_else(|| self.app.registry.default_on_error.clone());
        let backend = services.opened_cache().backend().clone();
        let run = crate::background::run_to_end(callback, context, body, backend, on_error);
        match self.app.runtime.block_on(run) {
            Ok(job) => Ok(TestAnswer {
                body: job.answer,
                headers: Vec::new(),
                prevented: false,
                progress: job.progress,
            }),
            Err(DispatchError::Prevented) => Ok(TestAnswer::prevented_answer()),
            Err(e) => Err(failed(e)),
        }
    }
}

/// The answer of a call.
#[derive(Debug, Clone, PartialEq)]
pub struct TestAnswer {
    body: Value,
    headers: Vec<(String, String)>,
    prevented: bool,
    progress: Vec<Vec<(String, Value)>>,
}

impl TestAnswer {
    fn prevented_answer() -> TestAnswer {
        TestAnswer {
            body: Value::Null,
            headers: Vec::new(),
            prevented: true,
            progress: Vec::new(),
        }
    }

    /// The value written to an output (`None`: not written, e.g. `no_update`).
    pub fn output(&self, id: impl Into<ComponentId>, property: &str) -> Option<&Value> {
        self.body
            .get("response")?
            .get(id.into().to_string())?
            .get(property)
    }

    /// A prop written with `set_props`.
    pub fn side_update(&self, id: impl Into<ComponentId>, property: &str) -> Option<&Value> {
        self.body
            .get("sideUpdate")?
            .get(id.into().to_string())?
            .get(property)
    }

    /// A background callback's `Progress::set` calls, in order: for each,
    /// `("<id>.<prop>", value)` per progress output.
    pub fn progress(&self) -> &[Vec<(String, Value)>] {
        &self.progress
    }

    /// True if the callback raised `PreventUpdate` (HTTP 204).
    pub fn prevented(&self) -> bool {
        self.prevented
    }

    /// The headers added with `ctx.response()`, in order (`set-cookie` for
    /// cookies).
    pub fn headers(&self) -> &[(String, String)] {
        &self.headers
    }

    /// The JSON body the renderer would receive.
    pub fn json(&self) -> &Value {
        &self.body
    }
}

fn failed(e: DispatchError) -> Error {
    let (status, message) = match e {
        DispatchError::Prevented => (204, "prevented".to_owned()),
        DispatchError::BadRequest { message, .. } => (400, message),
        DispatchError::Failed { message, .. } => (500, message),
        DispatchError::Forbidden { message } => (403, message),
        DispatchError::Unauthorized { message } => (401, message),
        DispatchError::Refused {
            status, message, ..
        } => (status, message),
    };
    Error::CallFailed { status, message }
}

fn bad(message: String) -> Error {
    Error::CallFailed {
        status: 400,
        message,
    }
}
