//! Answering one `_dash-update-component` request.

use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::Arc;
use std::time::Instant;

use axum::body::Bytes;
use axum::http::HeaderMap;
use dash_protocol::request::{CallbackRequest, OutputSlot, OutputSpec, OutputTarget};
use dash_protocol::response::CallbackResponse;
use dash_protocol::{excerpt, CallbackShape, ProtocolError, ECHO_LIMIT};
use futures_util::FutureExt;
use serde_json::value::RawValue;

use super::args::ArgSource;
use super::context::CallbackContext;
use super::error::CallbackError;
use super::handler::{CallError, CallFuture, ErasedHandler};
use super::on_error::ErrorHandler;
use super::one_pass::{parse_in_one_pass, take_decoded};
use super::output::{ReturnError, Returned, NO_UPDATE_JSON};
use super::placement::INLINE_BODY_LIMIT;
use super::registry::{CallbackRegistry, RegisteredCallback};
use crate::server_store::{OutputPlan, PendingWrite, ReadRefusal, ServerStores};
use crate::store_guard::{Passage, StoreGuard};

/// Why a request got no 200 answer.
#[derive(Debug)]
pub(crate) enum DispatchError {
    /// The request is wrong: 400 with a JSON body naming the problem.
    BadRequest {
        message: String,
        callback: Option<String>,
        property: Option<String>,
        expected: Option<String>,
    },
    /// `PreventUpdate`: 204.
    Prevented,
    /// The callback failed or panicked: 500.
    Failed { callback: String, message: String },
    /// A server store refused the browser's reference (403) or no longer
    /// has its value (410).
    Refused {
        status: u16,
        callback: String,
        store: String,
        message: String,
    },
    /// A background job handle that this session and page were not given:
    /// 403 (`background/protocol.rs`).
    Forbidden { message: String },
    /// A callback whose access rule needs a signed-in user, called without
    /// one: 401 (`auth/callback_access.rs`).
    Unauthorized { message: String },
}

impl DispatchError {
    fn bad(message: impl Into<String>, callback: Option<&str>) -> Self {
        DispatchError::BadRequest {
            message: message.into(),
            callback: callback.map(str::to_owned),
            property: None,
            expected: None,
        }
    }
}

/// What the blocking part of a call produced.
enum Stage {
    Done(Returned),
    Pending(CallFuture),
}

struct Prepared {
    callback: Arc<RegisteredCallback>,
    guard: Option<Arc<StoreGuard>>,
    outputs: Option<OutputSpec>,
    context: CallbackContext,
    stage: Stage,
    on_error: Option<ErrorHandler>,
}

/// What a call gets from the request and the app besides its body.
pub(crate) struct CallEnvironment {
    pub services: Arc<crate::services::Services>,
    pub session: Option<crate::session::RequestSession>,
    pub guard: Option<Arc<StoreGuard>>,
    pub headers: HeaderMap,
    pub server_stores: Option<Arc<ServerStores>>,
    /// The request's query string (background job handles).
    pub query: Option<String>,
    /// The request's path and peer (`CallbackContext::request_path`,
    /// `remote_addr`).
    pub path: String,
    pub remote: Option<std::net::SocketAddr>,
    /// The signed-in user (`crate::auth`).
    pub user: Option<crate::auth::User>,
}

/// A 200 answer: the JSON, and the headers the callback added
/// (`ctx.response()`; `true`: appended, else replacing).
pub(crate) struct Answer {
    pub json: String,
    pub headers: Vec<(axum::http::HeaderName, axum::http::HeaderValue, bool)>,
}

impl From<String> for Answer {
    fn from(json: String) -> Self {
        Answer {
            json,
            headers: Vec::new(),
        }
    }
}

/// Parses the body, calls the callback and builds the JSON answer. Small
/// requests to callbacks that have been cheap run inline; the rest on the
/// blocking pool (see `placement`).
pub(crate) async fn dispatch(
    registry: Arc<CallbackRegistry>,
    environment: CallEnvironment,
    body: Bytes,
) -> Result<Answer, DispatchError> {
    // Apps with background callbacks: the requests that concern jobs go to
    // `background`, found with the same parse as the rest.
    let jobs = crate::background::job_query(&registry, &environment)?;
    let mut environment = Some(environment);
    let inline = if body.len() <= INLINE_BODY_LIMIT {
        let request = parse(&body)?;
        let callback = find(
            &registry,
            &request,
            environment.as_ref().and_then(|e| e.user.as_ref()),
        )?;
        if let (Some(query), Some(env)) = (&jobs, &environment) {
            if crate::background::concerns_jobs(&callback, query) {
                let answer = crate::background::intercept(
                    &registry,
                    callback.clone(),
                    query.clone(),
                    env,
                    &body,
                )
                .await;
                if let Some(answer) = answer {
                    return answer.map(Answer::from);
                }
            }
        }
        match environment.take() {
            Some(env) if callback.cost.runs_inline() => Some(prepare(
                callback,
                env,
                &body,
                request,
                true,
                registry.default_on_error.as_ref(),
            )?),
            other => {
                environment = other;
                None
            }
        }
    } else {
        None
    };
    let prepared = match (inline, environment) {
        (Some(p), _) => p,
        (None, Some(env)) => {
            // A large body: parsed once on the blocking pool. A background
            // request found there is answered by `background`, which reads
            // the body itself (only its requests are parsed twice).
            let big = body.len() > INLINE_BODY_LIMIT;
            let (registry2, body2, jobs2) = (registry.clone(), body.clone(), jobs.clone());
            let routed = tokio::task::spawn_blocking(move || {
                // Debug mode's store guard measures the values' text: two passes.
                let one_pass = match env.guard {
                    None => parse_in_one_pass(
                        &registry2,
                        &body2,
                        env.user.as_ref(),
                        env.server_stores.as_deref(),
                    ),
                    Some(_) => None,
                };
                let (request, callback) = match one_pass {
                    Some(found) => found,
                    None => {
                        let request = parse(&body2)?;
                        let callback = find(&registry2, &request, env.user.as_ref())?;
                        (request, callback)
                    }
                };
                if let (true, Some(query)) = (big, &jobs2) {
                    if crate::background::concerns_jobs(&callback, query) {
                        return Ok(Err((callback, env)));
                    }
                }
                prepare(
                    callback,
                    env,
                    &body2,
                    request,
                    false,
                    registry2.default_on_error.as_ref(),
                )
                .map(Ok)
            })
            .await
            .map_err(task_failed)??;
            match routed {
                Ok(p) => p,
                Err((callback, env)) => {
                    let query = jobs.clone().unwrap_or_default();
                    if let Some(answer) =
                        crate::background::intercept(&registry, callback, query, &env, &body).await
                    {
                        return answer.map(Answer::from);
                    }
                    let registry = registry.clone();
                    tokio::task::spawn_blocking(move || {
                        let request = parse(&body)?;
                        let callback = find(&registry, &request, env.user.as_ref())?;
                        prepare(
                            callback,
                            env,
                            &body,
                            request,
                            false,
                            registry.default_on_error.as_ref(),
                        )
                    })
                    .await
                    .map_err(task_failed)??
                }
            }
        }
        (None, None) => unreachable!("the environment is kept unless the call ran inline"),
    };
    let Prepared {
        callback,
        guard,
        outputs,
        context,
        stage,
        on_error,
    } = prepared;
    let value = match stage {
        Stage::Done(v) => v,
        Stage::Pending(fut) => {
            let outcome = AssertUnwindSafe(fut).catch_unwind().await;
            let mut returned = match (outcome, &on_error) {
                (Ok(Ok(v)), _) => v,
                (Ok(Err(ReturnError::Callback(e))), Some(h)) if !e.is_prevent_update() => {
                    Returned::plain(handled(&callback.key, h, &e, &context)?)
                }
                (Ok(Err(e)), _) => return Err(return_error(&callback.key, e)),
                (Err(panic), Some(h)) => {
                    let e = CallbackError::msg(format!(
                        "the callback panicked: {}",
                        panic_text(&*panic)
                    ));
                    Returned::plain(handled(&callback.key, h, &e, &context)?)
                }
                (Err(panic), None) => {
                    return Err(DispatchError::Failed {
                        callback: callback.key.clone(),
                        message: format!("the callback panicked: {}", panic_text(&*panic)),
                    })
                }
            };
            let writes = returned
                .take_writes()
                .map_err(|why| wrong_count(&callback.key, why))?;
            if !writes.is_empty() {
                let (ctx, key) = (context.clone(), callback.key.clone());
                tokio::task::spawn_blocking(move || commit(&ctx, &key, writes))
                    .await
                    .map_err(|e| DispatchError::Failed {
                        callback: callback.key.clone(),
                        message: format!("storing a server store value failed: {e}"),
                    })??;
            }
            returned
        }
    };
    let json = build_response(&callback, outputs, value.json, &context, guard.as_deref())?;
    Ok(Answer {
        json,
        headers: context.take_response_headers(),
    })
}

fn task_failed(e: tokio::task::JoinError) -> DispatchError {
    DispatchError::Failed {
        callback: "?".into(),
        message: format!("callback task failed: {e}"),
    }
}

fn parse(body: &[u8]) -> Result<CallbackRequest<'_>, DispatchError> {
    CallbackRequest::parse(body).map_err(|e| DispatchError::bad(e.to_string(), None))
}

/// The callback the request names, if the request's user may call it.
fn find(
    registry: &CallbackRegistry,
    request: &CallbackRequest<'_>,
    user: Option<&crate::auth::User>,
) -> Result<Arc<RegisteredCallback>, DispatchError> {
    let callback = registry.get(&request.output).cloned().ok_or_else(|| {
        let key = excerpt(&request.output, ECHO_LIMIT);
        DispatchError::bad(
            format!("no callback has the output key {key:?}"),
            Some(&key),
        )
    })?;
    crate::auth::check_callback_access(&callback.spec, &callback.key, user)?;
    Ok(callback)
}

fn prepare(
    callback: Arc<RegisteredCallback>,
    environment: CallEnvironment,
    body: &Bytes,
    mut request: CallbackRequest<'_>,
    inline: bool,
    app_on_error: Option<&ErrorHandler>,
) -> Result<Prepared, DispatchError> {
    let CallEnvironment {
        services,
        session,
        guard,
        headers,
        server_stores,
        query,
        path,
        remote,
        user,
    } = environment;
    let spec = &callback.spec;
    let key = callback.key.as_str();
    check_request(&callback, &request)?;
    if let Some(guard) = &guard {
        check_sent_stores(guard, &callback, &request);
    }
    let context = CallbackContext::new(
        services,
        session,
        callback.key.clone(),
        std::mem::take(&mut request.changed_prop_ids),
        headers,
        body.clone(),
        inline,
        server_stores.clone(),
    );
    context.set_request_facts(super::context_args::RequestFacts {
        path,
        query,
        remote,
        user,
    });
    let output_plan = match (&server_stores, &request.outputs) {
        (Some(stores), Some(outputs)) if !stores.is_empty() => {
            output_plan(stores, &callback, outputs, &context)?.map(Arc::new)
        }
        _ => None,
    };
    let decoded = take_decoded(&mut request);
    let slots = spec
        .inputs
        .iter()
        .zip(&request.inputs)
        .chain(spec.states.iter().zip(&request.state))
        .collect();
    let source = ArgSource {
        callback: key,
        slots,
        context: &context,
        output_plan,
        decoded,
    };
    let started = Instant::now();
    let stage = match &callback.handler {
        ErasedHandler::Sync(f, _) => {
            catch_unwind(AssertUnwindSafe(|| f(&source))).map(|r| r.map(Stage::Done))
        }
        ErasedHandler::Async(f, _) => {
            catch_unwind(AssertUnwindSafe(|| f(&source))).map(|r| r.map(Stage::Pending))
        }
        ErasedHandler::Clientside => {
            return Err(DispatchError::bad(
                format!("callback {key} runs in the browser (a clientside callback): the server does not answer it"),
                Some(key),
            ))
        }
    };
    callback.cost.record(started.elapsed());
    let on_error = callback.spec.on_error.as_ref().or(app_on_error);
    let stage = match (stage, on_error) {
        (Ok(Ok(Stage::Done(mut returned))), _) => {
            let writes = returned
                .take_writes()
                .map_err(|why| wrong_count(key, why))?;
            if !writes.is_empty() {
                context.blocking(|| commit(&context, key, writes))?;
            }
            Stage::Done(returned)
        }
        (Ok(Ok(pending)), _) => pending,
        (Ok(Err(CallError::Return(ReturnError::Callback(e)))), Some(h))
            if !e.is_prevent_update() =>
        {
            Stage::Done(Returned::plain(handled(key, h, &e, &context)?))
        }
        (Ok(Err(e)), _) => return Err(call_error(key, e)),
        (Err(panic), Some(h)) => {
            let e = CallbackError::msg(format!("the callback panicked: {}", panic_text(&*panic)));
            Stage::Done(Returned::plain(handled(key, h, &e, &context)?))
        }
        (Err(panic), None) => {
            return Err(DispatchError::Failed {
                callback: key.to_owned(),
                message: format!("the callback panicked: {}", panic_text(&*panic)),
            })
        }
    };
    let on_error = on_error.cloned();
    let outputs = request.outputs;
    drop(source);
    Ok(Prepared {
        callback,
        guard,
        outputs,
        context,
        stage,
        on_error,
    })
}

/// The outputs' JSON an error handler makes of a failure.
pub(crate) fn handled(
    key: &str,
    handler: &ErrorHandler,
    error: &CallbackError,
    context: &CallbackContext,
) -> Result<String, DispatchError> {
    tracing::debug!(callback = %key, "callback failure handled by on_error");
    handler
        .outputs_for(error, context)
        .map_err(|message| DispatchError::Failed {
            callback: key.to_owned(),
            message,
        })
}

/// The counts of Inputs and States and the presence of `outputs`, then
/// the shape of each (`check_shape`): a 400 before the callback runs.
pub(crate) fn check_request(
    callback: &RegisteredCallback,
    request: &CallbackRequest<'_>,
) -> Result<(), DispatchError> {
    let spec = &callback.spec;
    let key = callback.key.as_str();
    if request.inputs.len() != spec.inputs.len() || request.state.len() != spec.states.len() {
        return Err(DispatchError::bad(
            format!(
                "callback {key} declares {} Input(s) and {} State(s); the request has {} and {}",
                spec.inputs.len(),
                spec.states.len(),
                request.inputs.len(),
                request.state.len()
            ),
            Some(key),
        ));
    }
    if !spec.outputs.is_empty() && request.outputs.is_none() {
        return Err(DispatchError::bad(
            format!("callback {key} has outputs but the request has no \"outputs\""),
            Some(key),
        ));
    }
    check_shape(callback, request)
}

/// A request that does not fit the callback's declaration is refused before
/// the callback runs (400), naming the field and what it should be.
fn check_shape(
    callback: &RegisteredCallback,
    request: &CallbackRequest<'_>,
) -> Result<(), DispatchError> {
    let spec = &callback.spec;
    let shape = CallbackShape {
        outputs: &spec.outputs,
        multi_output: spec.is_multi_output(),
        inputs: &spec.inputs,
        states: &spec.states,
    };
    request.check_shape(&shape).map_err(|e| match e {
        ProtocolError::RequestShape {
            ref dependency,
            ref expected,
            ..
        } => DispatchError::BadRequest {
            message: format!("callback {}: {e}", callback.key),
            callback: Some(callback.key.clone()),
            property: dependency.clone(),
            expected: Some(expected.clone()),
        },
        other => DispatchError::bad(
            format!("callback {}: {other}", callback.key),
            Some(&callback.key),
        ),
    })
}

/// Debug mode: large `dcc.Store` values the browser sent.
fn check_sent_stores(
    guard: &StoreGuard,
    callback: &RegisteredCallback,
    request: &CallbackRequest<'_>,
) {
    for entry in request
        .inputs
        .iter()
        .chain(&request.state)
        .flat_map(|s| s.entries())
    {
        if let Some(v) = entry.value {
            guard.check(
                &entry.id,
                &entry.property,
                v.get().len(),
                Passage::Sent,
                &callback.key,
            );
        }
    }
}

/// Which outputs of this call are server stores; `None` if none is.
pub(crate) fn output_plan(
    stores: &ServerStores,
    callback: &RegisteredCallback,
    outputs: &OutputSpec,
    context: &CallbackContext,
) -> Result<Option<OutputPlan>, DispatchError> {
    use crate::server_store::{store_target, Slot};
    let key = &callback.key;
    let one = |t: &OutputTarget| match store_target(stores, &t.id, t.clean_property()) {
        Some((id, spec)) => Slot::Store(id, spec),
        None => Slot::Plain,
    };
    let all = |ts: &[OutputTarget]| Slot::All(ts.iter().map(one).collect());
    let multi = callback.spec.is_multi_output();
    let slots = match outputs {
        OutputSpec::One(t) => vec![one(t)],
        // One wildcard output alone: its components' list.
        OutputSpec::Many(slots) if !multi => vec![Slot::All(
            slots
                .iter()
                .filter_map(|s| match s {
                    OutputSlot::One(t) => Some(one(t)),
                    OutputSlot::Many(_) => None,
                })
                .collect(),
        )],
        OutputSpec::Many(slots) => slots
            .iter()
            .map(|s| match s {
                OutputSlot::One(t) => one(t),
                OutputSlot::Many(ts) => all(ts),
            })
            .collect(),
    };
    let is_store = |s: &Slot| match s {
        Slot::Plain => false,
        Slot::Store(..) => true,
        Slot::All(ts) => ts.iter().any(|t| matches!(t, Slot::Store(..))),
    };
    if !slots.iter().any(is_store) {
        return Ok(None);
    }
    let binding = context
        .store_binding()
        .ok_or_else(|| DispatchError::Failed {
            callback: key.clone(),
            message: "a ServerStore output needs the request's session".into(),
        })?;
    Ok(Some(OutputPlan {
        slots,
        multi,
        binding,
        expires: stores.expires_from_now(),
    }))
}

/// A wildcard output to server stores whose list does not fit the
/// components the request named: refused (400), nothing written.
pub(crate) fn wrong_count(key: &str, why: String) -> DispatchError {
    DispatchError::bad(format!("callback {key}: {why}"), Some(key))
}

/// Writes the server store values a call returned (may block).
pub(crate) fn commit(
    context: &CallbackContext,
    key: &str,
    writes: Vec<PendingWrite>,
) -> Result<(), DispatchError> {
    let fail = |message: String| DispatchError::Failed {
        callback: key.to_owned(),
        message,
    };
    let stores = context
        .server_stores()
        .ok_or_else(|| fail("this request has no server stores".into()))?;
    let backend = context.store_backend().ok_or_else(|| {
        fail("a ServerStore value cannot be stored: the cache cannot be opened".into())
    })?;
    stores.commit(&*backend, writes).map_err(fail)
}

pub(crate) fn call_error(key: &str, e: CallError) -> DispatchError {
    match e {
        CallError::Arg(super::args::ArgError {
            refusal: Some(r),
            callback,
            ..
        }) => {
            let (status, store, message) = match *r {
                ReadRefusal::Forbidden { store, message } => (403, store, message),
                ReadRefusal::Gone { store, message } => (410, store, message),
            };
            DispatchError::Refused {
                status,
                callback,
                store,
                message,
            }
        }
        CallError::Arg(a) => DispatchError::BadRequest {
            message: format!(
                "callback {}: the value of {} does not fit the argument type {}: {}",
                a.callback,
                a.property,
                a.expected,
                excerpt(&a.message, 2 * ECHO_LIMIT)
            ),
            callback: Some(a.callback),
            property: Some(a.property),
            expected: Some(a.expected),
        },
        CallError::Return(r) => return_error(key, r),
    }
}

pub(crate) fn return_error(key: &str, e: ReturnError) -> DispatchError {
    match e {
        ReturnError::Callback(c) if c.is_prevent_update() => DispatchError::Prevented,
        ReturnError::Callback(c) => DispatchError::Failed {
            callback: key.to_owned(),
            message: c.to_string(),
        },
        ReturnError::Serialize(s) => DispatchError::Failed {
            callback: key.to_owned(),
            message: format!("the return value cannot be serialized to JSON: {s}"),
        },
    }
}

pub(crate) fn panic_text(panic: &(dyn std::any::Any + Send)) -> String {
    if let Some(s) = panic.downcast_ref::<&str>() {
        (*s).to_owned()
    } else if let Some(s) = panic.downcast_ref::<String>() {
        s.clone()
    } else {
        "(no message)".to_owned()
    }
}

fn build_response(
    callback: &RegisteredCallback,
    outputs: Option<OutputSpec>,
    value: String,
    context: &CallbackContext,
    guard: Option<&StoreGuard>,
) -> Result<String, DispatchError> {
    let response = fill_response(callback, outputs, value, Some(context), guard)?;
    serde_json::to_string(&response).map_err(|e| DispatchError::Failed {
        callback: callback.key.clone(),
        message: format!("cannot encode the response: {e}"),
    })
}

/// The answer of one call: the return value split over the outputs, and
/// the context's `set_props` updates (when a context is given).
pub(crate) fn fill_response(
    callback: &RegisteredCallback,
    outputs: Option<OutputSpec>,
    value: String,
    context: Option<&CallbackContext>,
    guard: Option<&StoreGuard>,
) -> Result<CallbackResponse, DispatchError> {
    let key = callback.key.as_str();
    let fail = |message: String| DispatchError::Failed {
        callback: key.to_owned(),
        message,
    };
    let value = match context.and_then(CallbackContext::server_stores) {
        Some(stores) => stores.learn_answer(value),
        None => value,
    };
    if let Some(guard) = guard {
        guard.learn(value.as_bytes());
    }
    let mut response = CallbackResponse::default();
    let spec = &callback.spec;
    if let (false, Some(outputs)) = (spec.outputs.is_empty(), outputs) {
        if value != NO_UPDATE_JSON {
            if spec.is_multi_output() {
                let OutputSpec::Many(slots) = outputs else {
                    return Err(DispatchError::bad(
                        format!("callback {key} has several outputs but \"outputs\" is not a list"),
                        Some(key),
                    ));
                };
                let values: Vec<&RawValue> = serde_json::from_str(&value).map_err(|_| {
                    fail(format!(
                        "the callback has {} outputs, so it must return a tuple or list of {} values",
                        slots.len(),
                        slots.len()
                    ))
                })?;
                if values.len() != slots.len() {
                    return Err(fail(format!(
                        "the callback returned {} values for {} outputs",
                        values.len(),
                        slots.len()
                    )));
                }
                for (slot, v) in slots.iter().zip(values) {
                    match slot {
                        OutputSlot::One(t) => set_one(&mut response, t, v),
                        OutputSlot::Many(ts) => set_many(&mut response, ts, v).map_err(fail)?,
                    }
                }
            } else {
                match outputs {
                    OutputSpec::One(t) => {
                        let raw = RawValue::from_string(value)
                            .map_err(|e| fail(format!("invalid JSON from the callback: {e}")))?;
                        response.set(&t.id, t.clean_property(), raw);
                    }
                    OutputSpec::Many(slots) => {
                        let targets: Vec<OutputTarget> = slots
                            .into_iter()
                            .filter_map(|s| match s {
                                OutputSlot::One(t) => Some(t),
                                OutputSlot::Many(_) => None,
                            })
                            .collect();
                        let raw: &RawValue = serde_json::from_str(&value)
                            .map_err(|e| fail(format!("invalid JSON from the callback: {e}")))?;
                        set_many(&mut response, &targets, raw).map_err(fail)?;
                    }
                }
            }
        }
    }
    if let Some(guard) = guard {
        for (id, prop, v) in response.outputs() {
            guard.check(&id, prop, v.get().len(), Passage::Written, key);
        }
    }
    let side_updates = context.map(CallbackContext::take_side_updates);
    for (id, props) in side_updates.into_iter().flatten() {
        for (prop, v) in props {
            if let Ok(raw) = serde_json::value::to_raw_value(&v) {
                if let Some(guard) = guard {
                    guard.check(&id, &prop, raw.get().len(), Passage::Written, key);
                }
                response.side_update(&id, &prop, raw);
            }
        }
    }
    Ok(response)
}

fn set_one(response: &mut CallbackResponse, target: &OutputTarget, value: &RawValue) {
    if value.get() != NO_UPDATE_JSON {
        response.set(&target.id, target.clean_property(), value.to_owned());
    }
}

fn set_many(
    response: &mut CallbackResponse,
    targets: &[OutputTarget],
    value: &RawValue,
) -> Result<(), String> {
    if value.get() == NO_UPDATE_JSON {
        return Ok(());
    }
    let values: Vec<&RawValue> = serde_json::from_str(value.get()).map_err(|_| {
        format!(
            "a wildcard ALL output needs a list of {} values",
            targets.len()
        )
    })?;
    if values.len() != targets.len() {
        return Err(format!(
            "a wildcard ALL output matched {} components but the callback returned {} values",
            targets.len(),
            values.len()
        ));
    }
    for (t, v) in targets.iter().zip(values) {
        set_one(response, t, v);
    }
    Ok(())
}
