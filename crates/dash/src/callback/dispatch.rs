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
use super::handler::{CallError, CallFuture, ErasedHandler};
use super::output::{ReturnError, NO_UPDATE_JSON};
use super::placement::INLINE_BODY_LIMIT;
use super::registry::{CallbackRegistry, RegisteredCallback};
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
    /// A background job handle that this session and page were not given:
    /// 403 (`background/protocol.rs`).
    Forbidden { message: String },
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
    Done(String),
    Pending(CallFuture),
}

struct Prepared {
    callback: Arc<RegisteredCallback>,
    guard: Option<Arc<StoreGuard>>,
    outputs: Option<OutputSpec>,
    context: CallbackContext,
    stage: Stage,
}

/// What a call gets from the request and the app besides its body.
pub(crate) struct CallEnvironment {
    pub services: Arc<crate::services::Services>,
    pub session: Option<crate::session::RequestSession>,
    pub guard: Option<Arc<StoreGuard>>,
    pub headers: HeaderMap,
    /// The request's query string (background job handles).
    pub query: Option<String>,
}

/// Parses the body, calls the callback and builds the JSON answer. Small
/// requests to callbacks that have been cheap run inline; the rest on the
/// blocking pool (see `placement`).
pub(crate) async fn dispatch(
    registry: Arc<CallbackRegistry>,
    environment: CallEnvironment,
    body: Bytes,
) -> Result<String, DispatchError> {
    if let Some(answer) = crate::background::intercept(&registry, &environment, &body).await {
        return answer;
    }
    let mut environment = Some(environment);
    let inline = if body.len() <= INLINE_BODY_LIMIT {
        let request = parse(&body)?;
        let callback = find(&registry, &request)?;
        match environment.take() {
            Some(env) if callback.cost.runs_inline() => {
                Some(prepare(callback, env, &body, request, true)?)
            }
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
        (None, Some(env)) => tokio::task::spawn_blocking(move || {
            let request = parse(&body)?;
            let callback = find(&registry, &request)?;
            prepare(callback, env, &body, request, false)
        })
        .await
        .map_err(|e| DispatchError::Failed {
            callback: "?".into(),
            message: format!("callback task failed: {e}"),
        })??,
        (None, None) => unreachable!("the environment is kept unless the call ran inline"),
    };
    let Prepared {
        callback,
        guard,
        outputs,
        context,
        stage,
    } = prepared;
    let value = match stage {
        Stage::Done(v) => v,
        Stage::Pending(fut) => match AssertUnwindSafe(fut).catch_unwind().await {
            Ok(r) => r.map_err(|e| return_error(&callback.key, e))?,
            Err(panic) => {
                return Err(DispatchError::Failed {
                    callback: callback.key.clone(),
                    message: format!("the callback panicked: {}", panic_text(&*panic)),
                })
            }
        },
    };
    build_response(&callback, outputs, value, &context, guard.as_deref())
}

fn parse(body: &[u8]) -> Result<CallbackRequest<'_>, DispatchError> {
    CallbackRequest::parse(body).map_err(|e| DispatchError::bad(e.to_string(), None))
}

fn find(
    registry: &CallbackRegistry,
    request: &CallbackRequest<'_>,
) -> Result<Arc<RegisteredCallback>, DispatchError> {
    registry.get(&request.output).cloned().ok_or_else(|| {
        let key = excerpt(&request.output, ECHO_LIMIT);
        DispatchError::bad(
            format!("no callback has the output key {key:?}"),
            Some(&key),
        )
    })
}

fn prepare(
    callback: Arc<RegisteredCallback>,
    environment: CallEnvironment,
    body: &Bytes,
    mut request: CallbackRequest<'_>,
    inline: bool,
) -> Result<Prepared, DispatchError> {
    let CallEnvironment {
        services,
        session,
        guard,
        headers,
        query: _,
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
    );
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
    };
    let started = Instant::now();
    let stage = match &callback.handler {
        ErasedHandler::Sync(f) => {
            catch_unwind(AssertUnwindSafe(|| f(&source))).map(|r| r.map(Stage::Done))
        }
        ErasedHandler::Async(f) => {
            catch_unwind(AssertUnwindSafe(|| f(&source))).map(|r| r.map(Stage::Pending))
        }
    };
    callback.cost.record(started.elapsed());
    let stage = match stage {
        Ok(r) => r.map_err(|e| call_error(key, e))?,
        Err(panic) => {
            return Err(DispatchError::Failed {
                callback: key.to_owned(),
                message: format!("the callback panicked: {}", panic_text(&*panic)),
            })
        }
    };
    let outputs = request.outputs;
    drop(source);
    Ok(Prepared {
        callback,
        guard,
        outputs,
        context,
        stage,
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

pub(crate) fn call_error(key: &str, e: CallError) -> DispatchError {
    match e {
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
