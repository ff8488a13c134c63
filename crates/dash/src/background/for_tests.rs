//! A background callback run to its end in this process, for
//! `dash::testing`: the job's own code path (`run::execute`, its
//! `Progress` and `set_props` written as the job's updates to the app's
//! backend, server store outputs written by the job), without the
//! renderer's polling.

use std::sync::Arc;

use axum::body::Bytes;
use dash_protocol::request::CallbackRequest;
use dash_protocol::ComponentId;
use serde_json::value::RawValue;
use serde_json::Value;

use super::handles::JobId;
use super::progress::{CancelToken, JobLink};
use super::run::{execute, JobTask, Ran};
use super::store::{JobStore, Outcome, Update};
use crate::callback::{
    check_request, fill_response, CallbackContext, DispatchError, ErrorHandler, RegisteredCallback,
};

/// What a job did: each `Progress::set` in order (`<id>.<prop>` and the
/// value per progress output), and the answer that ended it (its outputs,
/// and its `set_props` updates as `sideUpdate`).
pub(crate) struct FinishedJob {
    pub(crate) progress: Vec<Vec<(String, Value)>>,
    pub(crate) answer: Value,
}

/// Runs `callback` as a job started by the request `body`.
pub(crate) async fn run_to_end(
    callback: Arc<RegisteredCallback>,
    context: CallbackContext,
    body: Bytes,
    backend: Arc<dyn dash_cache::CacheBackend>,
    on_error: Option<ErrorHandler>,
) -> Result<FinishedJob, DispatchError> {
    let failed = |message: String| DispatchError::Failed {
        callback: callback.key.clone(),
        message,
    };
    let request = CallbackRequest::parse(&body).map_err(|e| failed(e.to_string()))?;
    check_request(&callback, &request)?;
    let outputs = request.outputs.clone();
    drop(request);
    let store = JobStore::new(backend);
    let id = JobId::random();
    let link = Arc::new(JobLink::new(
        id.clone(),
        store.clone(),
        callback.spec.background.progress_keys(),
        CancelToken::default(),
        callback.key.clone(),
    ));
    let task = JobTask {
        callback: callback.clone(),
        body,
        context: context.for_job(link.clone()),
        link: link.clone(),
        cache_slot: None,
        on_error,
    };
    let ran = execute(&task, &store).await;
    let mut progress = Vec::new();
    let mut side: Vec<(String, Vec<(String, String)>)> = Vec::new();
    for seq in 0..link.written() {
        match store.update(&id, seq) {
            Ok(Some(Update::Progress { values })) => progress.push(
                values
                    .into_iter()
                    .map(|(k, v)| (k, serde_json::from_str(&v).unwrap_or(Value::Null)))
                    .collect(),
            ),
            Ok(Some(Update::Props { id, props })) => side.push((id, props)),
            Ok(None) => {}
            Err(e) => return Err(failed(format!("a job update could not be read: {e}"))),
        }
    }
    let _ = store.remove(&id, false);
    let value = match ran {
        Ran::Aborted => return Err(DispatchError::Prevented),
        Ran::Finished(Outcome::Done { value, .. }) => value,
        Ran::Finished(Outcome::Prevented { .. } | Outcome::Cancelled) => {
            return Err(DispatchError::Prevented)
        }
        Ran::Finished(Outcome::Failed { message, .. }) => {
            return Err(failed(format!("background job: {message}")))
        }
    };
    let mut response = fill_response(&callback, outputs, value, None, None)?;
    for (id, props) in side {
        let id = ComponentId::parse(&id).map_err(|e| failed(e.to_string()))?;
        for (prop, value) in props {
            let raw = RawValue::from_string(value).map_err(|e| failed(e.to_string()))?;
            response.side_update(&id, &prop, raw);
        }
    }
    let answer = serde_json::to_value(&response).map_err(|e| failed(e.to_string()))?;
    Ok(FinishedJob { progress, answer })
}
