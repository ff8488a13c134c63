//! The background part of `_dash-update-component` (protocol notes §7), as
//! the pinned 4.4.1 renderer speaks it:
//!
//! 1. First request (`?endId=`, maybe `&oldJob=`): the job is accepted and
//!    the answer is `{"cacheKey", "job", "cancel"?, "progressDefault"?}`;
//!    `oldJob` (a run superseded by this one) is cancelled unless the
//!    callback keeps previous runs.
//! 2. Polls (`&cacheKey=..&job=..`, every `interval` ms after the previous
//!    answer): `{"multi": true}` plus the `progress` and `sideUpdate`
//!    updates not yet delivered; the last one also has `response`. A
//!    cancelled job, a delivered one, or one that ended with
//!    `PreventUpdate` and no update answers 204; a failed one 500.
//! 3. Any callback request may carry `cancelJob=` (its inputs are a job's
//!    cancel inputs): the job is cancelled before the callback runs.
//!
//! Every handle is verified before anything is read or changed: a forged,
//! altered or foreign one (another session, another page load) answers 403.

use std::collections::BTreeMap;
use std::sync::Arc;

use axum::body::Bytes;
use axum::http::HeaderMap;
use dash_cache::CacheError;
use dash_protocol::request::{CallbackRequest, OutputSlot, OutputSpec};
use serde_json::value::RawValue;
use serde_json::Value;
use sha2::{Digest, Sha256};

use super::answer::{Batch, StartAnswer};
use super::handles::{self, Binding, JobId, JobQuery, Kind};
use super::pool::Jobs;
use super::progress::{CancelToken, JobLink};
use super::run::JobTask;
use super::store::{JobRecord, Outcome};
use crate::callback::{
    check_request, fill_response, CallEnvironment, CallbackContext, CallbackRegistry,
    DispatchError, RegisteredCallback,
};
use crate::services::Services;
use crate::session::RequestSession;

/// The background part of a request's query, for an app with background
/// callbacks (`None` for the others: nothing to look at).
pub(crate) fn job_query(
    registry: &CallbackRegistry,
    environment: &CallEnvironment,
) -> Result<Option<JobQuery>, DispatchError> {
    if !registry.has_background() {
        return Ok(None);
    }
    JobQuery::parse(environment.query.as_deref())
        .map(Some)
        .map_err(|message| bad(message, None))
}

/// True if the request is one for [`intercept`]: a background callback's,
/// or one that names jobs (`cancelJob` on a cancel input's callback).
pub(crate) fn concerns_jobs(callback: &RegisteredCallback, query: &JobQuery) -> bool {
    callback.spec.is_background() || query.names_jobs()
}

/// Handles the background part of a request to `callback` (found by the
/// dispatch's own parse). `None`: nothing background about it (or only
/// `cancelJob`, done now): dispatch the callback as usual.
pub(crate) async fn intercept(
    registry: &CallbackRegistry,
    callback: Arc<RegisteredCallback>,
    query: JobQuery,
    environment: &CallEnvironment,
    body: &Bytes,
) -> Option<Result<String, DispatchError>> {
    let request = Call {
        services: environment.services.clone(),
        session: environment.session.clone(),
        headers: environment.headers.clone(),
        guard: environment.guard.clone(),
        server_stores: environment.server_stores.clone(),
        facts: crate::callback::RequestFacts {
            path: environment.path.clone(),
            query: environment.query.clone(),
            remote: environment.remote,
            user: environment.user.clone(),
        },
        app_on_error: registry.default_on_error.clone(),
        body: body.clone(),
    };
    let answered = tokio::task::spawn_blocking(move || handle(&callback, query, request)).await;
    match answered {
        Ok(answer) => answer,
        Err(e) => Some(Err(DispatchError::Failed {
            callback: "?".into(),
            message: format!("background request task failed: {e}"),
        })),
    }
}

/// What a background request carries besides its query.
struct Call {
    services: Arc<Services>,
    session: Option<RequestSession>,
    headers: HeaderMap,
    guard: Option<Arc<crate::store_guard::StoreGuard>>,
    server_stores: Option<Arc<crate::server_store::ServerStores>>,
    facts: crate::callback::RequestFacts,
    /// `Dash::on_error`, for a callback without a handler of its own.
    app_on_error: Option<crate::callback::ErrorHandler>,
    body: Bytes,
}

fn bad(message: impl Into<String>, callback: Option<&str>) -> DispatchError {
    DispatchError::BadRequest {
        message: message.into(),
        callback: callback.map(str::to_owned),
        property: None,
        expected: None,
    }
}

fn forbidden(message: &str) -> DispatchError {
    DispatchError::Forbidden {
        message: message.to_owned(),
    }
}

/// The verified handles of a request.
struct Verified {
    binding: Binding,
    cancel: Vec<JobId>,
    old: Vec<JobId>,
    polled: Option<JobId>,
}

fn verify_all(session: &RequestSession, query: &JobQuery) -> Result<Verified, DispatchError> {
    let secret = session.secret();
    let binding = handles::binding(secret, &session.id().hex(), query.end_id.as_deref())
        .ok_or_else(|| forbidden("the endId was not issued to this session"))?;
    let job = |handle: &String, kind| {
        handles::verify(secret, &binding, kind, handle)
            .ok_or_else(|| forbidden("a job handle was not issued to this session and page"))
    };
    let cancel = query
        .cancel_jobs
        .iter()
        .map(|h| job(h, Kind::Job))
        .collect::<Result<_, _>>()?;
    let old = query
        .old_jobs
        .iter()
        .map(|h| job(h, Kind::Job))
        .collect::<Result<_, _>>()?;
    let polled = match (&query.cache_key, &query.job) {
        (None, None) => None,
        (Some(key), Some(handle)) => {
            let a = job(key, Kind::CacheKey)?;
            let b = job(handle, Kind::Job)?;
            if a != b {
                return Err(forbidden("cacheKey and job name different jobs"));
            }
            Some(a)
        }
        _ => return Err(forbidden("cacheKey and job come together")),
    };
    Ok(Verified {
        binding,
        cancel,
        old,
        polled,
    })
}

fn handle(
    callback: &Arc<RegisteredCallback>,
    query: JobQuery,
    call: Call,
) -> Option<Result<String, DispatchError>> {
    let Some(session) = call.session.clone() else {
        return Some(Err(DispatchError::Failed {
            callback: callback.key.clone(),
            message: "background callbacks need the app's sessions (serve the app with Dash::run, Dash::serve or Dash::into_router)".into(),
        }));
    };
    let verified = match verify_all(&session, &query) {
        Ok(v) => v,
        Err(e) => {
            tracing::warn!(callback = %dash_protocol::excerpt(&callback.key, dash_protocol::ECHO_LIMIT), "background handle refused");
            return Some(Err(e));
        }
    };
    let jobs = call.services.jobs();
    for id in &verified.cancel {
        if let Err(e) = jobs.cancel(id, None) {
            tracing::warn!(job = id.short(), error = %e, "cannot cancel a background job");
        }
    }
    if !callback.spec.is_background() {
        return None;
    }
    let request = match CallbackRequest::parse(&call.body) {
        Ok(r) => r,
        Err(e) => return Some(Err(bad(e.to_string(), None))),
    };
    if let Err(e) = check_request(callback, &request) {
        return Some(Err(e));
    }
    Some(match verified.polled {
        Some(id) => poll(callback, &request, &id, &call, jobs),
        None => {
            if callback.spec.background.cancels_previous() {
                for id in &verified.old {
                    if let Err(e) = jobs.cancel(id, Some(&callback.key)) {
                        tracing::warn!(job = id.short(), error = %e, "cannot cancel a superseded background job");
                    }
                }
            }
            start(callback, request, &call, session, &verified.binding, jobs)
        }
    })
}

/// Accepts the job, or answers at once from the result cache.
fn start(
    callback: &Arc<RegisteredCallback>,
    request: CallbackRequest<'_>,
    call: &Call,
    session: RequestSession,
    binding: &Binding,
    jobs: &Jobs,
) -> Result<String, DispatchError> {
    let spec = &callback.spec.background;
    let key = callback.key.clone();
    let failed = |e: CacheError| DispatchError::Failed {
        callback: key.clone(),
        message: format!("the background job cannot be started: the cache backend failed: {e}"),
    };
    let context = CallbackContext::new(
        call.services.clone(),
        Some(session.clone()),
        key.clone(),
        request.changed_prop_ids.clone(),
        call.headers.clone(),
        call.body.clone(),
        false,
        call.server_stores.clone(),
    );
    context.set_request_facts(call.facts.clone());
    let slot = (!spec.cache_by.is_empty()).then(|| cache_slot(callback, &request, &context));
    if let Some(slot) = &slot {
        match jobs.store().cached(slot, spec.expire) {
            Ok(Some(value)) => return cached_answer(callback, request.outputs, value, call),
            Ok(None) => {}
            Err(e) => tracing::warn!(error = %e, "the background result cache cannot be read"),
        }
    }
    let id = JobId::random();
    let record = JobRecord {
        callback: key.clone(),
        delivered: 0,
        cache_slot: slot.clone(),
        created_ms: crate::session::now_ms(),
    };
    jobs.store()
        .create(&id, &record, jobs.holder(), jobs.lease())
        .map_err(failed)?;
    let link = Arc::new(JobLink::new(
        id.clone(),
        jobs.store().clone(),
        spec.progress_keys(),
        CancelToken::default(),
        key.clone(),
    ));
    tracing::info!(job = id.short(), pid = std::process::id(), callback = %dash_protocol::excerpt(&key, dash_protocol::ECHO_LIMIT), "background job started");
    jobs.submit(JobTask {
        callback: callback.clone(),
        body: call.body.clone(),
        context: context.for_job(link.clone()),
        link,
        cache_slot: slot,
        on_error: callback
            .spec
            .on_error
            .clone()
            .or_else(|| call.app_on_error.clone()),
    });
    let (cache_key, job) = handles::sign_job(session.secret(), binding, &id);
    let answer = StartAnswer {
        cache_key,
        job,
        cancel: &spec.cancel,
        progress_default: spec.progress_default_map(),
    };
    serde_json::to_string(&answer).map_err(|e| DispatchError::Failed {
        callback: key,
        message: e.to_string(),
    })
}

/// The key of a cached result: the callback, the request's values and
/// concrete outputs (so MATCH components never share one), the `cache_by`
/// parts.
fn cache_slot(
    callback: &RegisteredCallback,
    request: &CallbackRequest<'_>,
    context: &CallbackContext,
) -> String {
    let mut parts: Vec<Value> = vec![Value::String(callback.key.clone())];
    for slot in request.inputs.iter().chain(&request.state) {
        for e in slot.entries() {
            parts.push(Value::String(format!("{}.{}", e.id, e.property)));
            parts.push(Value::String(
                e.value.map_or("null", |v| v.get()).to_owned(),
            ));
        }
    }
    let targets = match &request.outputs {
        None => Vec::new(),
        Some(OutputSpec::One(t)) => vec![t],
        Some(OutputSpec::Many(slots)) => slots
            .iter()
            .flat_map(|s| match s {
                OutputSlot::One(t) => std::slice::from_ref(t).iter(),
                OutputSlot::Many(ts) => ts.iter(),
            })
            .collect(),
    };
    for t in targets {
        parts.push(Value::String(format!("{}.{}", t.id, t.property)));
    }
    for part in &callback.spec.background.cache_by {
        parts.push(part(context));
    }
    let text = serde_json::to_string(&parts).unwrap_or_default();
    hex::encode(Sha256::digest(text.as_bytes()))
}

/// A cached result, answered as a plain callback answers: the renderer
/// applies it without starting a job.
fn cached_answer(
    callback: &RegisteredCallback,
    outputs: Option<OutputSpec>,
    value: String,
    call: &Call,
) -> Result<String, DispatchError> {
    let value = match &call.server_stores {
        Some(stores) => stores.learn_answer(value),
        None => value,
    };
    let response = fill_response(callback, outputs, value, None, call.guard.as_deref())?;
    serde_json::to_string(&response).map_err(|e| DispatchError::Failed {
        callback: callback.key.clone(),
        message: e.to_string(),
    })
}

/// Why a poll stopped taking updates.
#[derive(PartialEq, Eq)]
enum Stop {
    /// Every update the job wrote is in this answer or an earlier one.
    AllTaken,
    /// The next update is not written yet.
    Missing,
    /// The next update goes with the next answer.
    Deferred,
}

/// One poll: the updates not yet delivered, and the result once they are.
fn poll(
    callback: &RegisteredCallback,
    request: &CallbackRequest<'_>,
    id: &JobId,
    call: &Call,
    jobs: &Jobs,
) -> Result<String, DispatchError> {
    match poll_backend(callback, request, id, call, jobs) {
        Ok(answer) => answer,
        Err(e) => {
            // The page asks again at the next interval.
            tracing::warn!(job = id.short(), error = %e, "a background poll could not read the cache backend");
            Ok(Batch::default().answer(None))
        }
    }
}

fn poll_backend(
    callback: &RegisteredCallback,
    request: &CallbackRequest<'_>,
    id: &JobId,
    call: &Call,
    jobs: &Jobs,
) -> Result<Result<String, DispatchError>, CacheError> {
    let store = jobs.store();
    let Some(record) = store.record(id)? else {
        // Delivered already, or expired: the renderer's chain ends.
        return Ok(Err(DispatchError::Prevented));
    };
    if record.callback != callback.key {
        return Ok(Err(forbidden("this job belongs to another callback")));
    }
    let mut end = store.end(id)?;
    if end.is_none() && !store.alive(id)? {
        jobs.fail_lapsed(id)?;
        end = store.end(id)?;
    }
    if let Some(Outcome::Cancelled) = end {
        store.remove(id, true)?;
        return Ok(Err(DispatchError::Prevented));
    }
    let known = end.as_ref().and_then(Outcome::updates);
    let mut batch = Batch::default();
    let mut seq = record.delivered;
    let stop = loop {
        if known.is_some_and(|n| seq >= n) {
            break Stop::AllTaken;
        }
        match store.update(id, seq)? {
            Some(update) => {
                if !batch.add(&update) {
                    break Stop::Deferred;
                }
                seq += 1;
            }
            // An ended job wrote all it will: a missing update was lost.
            None if known.is_some() => seq += 1,
            None => break Stop::Missing,
        }
    };
    if seq > record.delivered {
        store.save_record(
            id,
            &JobRecord {
                delivered: seq,
                ..record.clone()
            },
        )?;
        store.drop_updates(id, record.delivered..seq)?;
    }
    let Some(end) = end.filter(|_| stop != Stop::Deferred) else {
        return Ok(Ok(batch.answer(None)));
    };
    let key = callback.key.clone();
    Ok(match end {
        Outcome::Done { value, .. } => {
            store.remove(id, false)?;
            final_answer(callback, request.outputs.clone(), value, &batch, call)
        }
        Outcome::Prevented { .. } => {
            store.remove(id, false)?;
            if batch.is_empty() {
                Err(DispatchError::Prevented)
            } else {
                Ok(batch.answer(Some(&BTreeMap::new())))
            }
        }
        // The updates the job wrote before it failed reach the page first.
        Outcome::Failed { .. } if !batch.is_empty() => Ok(batch.answer(None)),
        Outcome::Failed { message, updates } => {
            store.remove(id, updates.is_none())?;
            Err(DispatchError::Failed {
                callback: key,
                message: format!("background job: {message}"),
            })
        }
        Outcome::Cancelled => Err(DispatchError::Prevented),
    })
}

/// The answer that ends the job in the renderer: its result with the last
/// updates. A result that changes nothing answers 204, as Python.
fn final_answer(
    callback: &RegisteredCallback,
    outputs: Option<OutputSpec>,
    value: String,
    batch: &Batch,
    call: &Call,
) -> Result<String, DispatchError> {
    let value = match &call.server_stores {
        Some(stores) => stores.learn_answer(value),
        None => value,
    };
    let response = fill_response(callback, outputs, value, None, call.guard.as_deref())?;
    let mut map: BTreeMap<String, BTreeMap<String, &RawValue>> = BTreeMap::new();
    for (id, prop, v) in response.outputs() {
        map.entry(id.to_owned())
            .or_default()
            .insert(prop.to_owned(), v);
    }
    if map.is_empty() && batch.is_empty() {
        return Err(DispatchError::Prevented);
    }
    Ok(batch.answer(Some(&map)))
}
