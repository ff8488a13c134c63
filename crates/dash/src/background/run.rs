//! Running one job's function: its arguments from the request that started
//! it, sync functions on a blocking thread, async ones as a task that stops
//! at its next `.await` once cancelled; panics caught.

use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::Arc;

use axum::body::Bytes;
use dash_protocol::request::CallbackRequest;
use futures_util::FutureExt;

use super::progress::{Aborted, JobLink};
use super::store::{JobStore, Outcome};
use crate::callback::{
    call_error, commit, handled, output_plan, panic_text, return_error, ArgSource, CallError,
    CallFuture, CallbackContext, CallbackError, DispatchError, ErasedHandler, ErrorHandler,
    RegisteredCallback, ReturnError, Returned,
};

/// Everything a job needs to run.
pub(crate) struct JobTask {
    pub(crate) callback: Arc<RegisteredCallback>,
    /// The body of the request that started it.
    pub(crate) body: Bytes,
    /// Its context: the request's session and headers, `set_props` to the
    /// job's updates.
    pub(crate) context: CallbackContext,
    pub(crate) link: Arc<JobLink>,
    /// With `cache_by`: where its result is kept.
    pub(crate) cache_slot: Option<String>,
    /// The callback's `on_error`, else the app's: a failure of the job
    /// becomes the handler's outputs, as in Python.
    pub(crate) on_error: Option<ErrorHandler>,
}

/// Turns a failure into the error handler's outputs when there is one.
struct Recovery<'a> {
    handler: Option<&'a ErrorHandler>,
    context: &'a CallbackContext,
    key: &'a str,
}

impl Recovery<'_> {
    fn callback_error(&self, e: CallbackError) -> Result<String, DispatchError> {
        match self.handler {
            Some(h) if !e.is_prevent_update() => handled(self.key, h, &e, self.context),
            _ => Err(return_error(self.key, ReturnError::Callback(e))),
        }
    }

    fn call(&self, e: CallError) -> Result<String, DispatchError> {
        match e {
            CallError::Return(ReturnError::Callback(c)) => self.callback_error(c),
            other => Err(call_error(self.key, other)),
        }
    }

    fn returned(&self, e: ReturnError) -> Result<String, DispatchError> {
        match e {
            ReturnError::Callback(c) => self.callback_error(c),
            other => Err(return_error(self.key, other)),
        }
    }

    fn panicked(&self, panic: Box<dyn std::any::Any + Send>, link: &JobLink) -> Ran {
        match self.handler {
            Some(_) if !panic.is::<Aborted>() => finished(
                self.callback_error(CallbackError::msg(format!(
                    "the callback panicked: {}",
                    panic_text(&*panic)
                ))),
                link,
            ),
            _ => unwound(panic, link),
        }
    }
}

/// How a run went.
pub(crate) enum Ran {
    /// The function returned (or failed): write this end.
    Finished(Outcome),
    /// Stopped by a cancel: its end is written already.
    Aborted,
}

/// What the blocking part produced.
enum Started {
    Done(Ran),
    Pending(CallFuture),
}

/// Runs the job's function to its end.
pub(crate) async fn execute(task: &JobTask, store: &JobStore) -> Ran {
    let shared = (
        task.callback.clone(),
        task.body.clone(),
        task.context.clone(),
        task.link.clone(),
        store.clone(),
        task.on_error.clone(),
    );
    let started = tokio::task::spawn_blocking(move || {
        let (callback, body, context, link, store, on_error) = shared;
        // Cancelled while it waited in the queue.
        if link.cancel.is_cancelled() || store.ended(&link.id).unwrap_or(false) {
            return Started::Done(Ran::Aborted);
        }
        call(&callback, &body, &context, &link, on_error.as_ref())
    })
    .await;
    let future = match started {
        Ok(Started::Done(ran)) => return ran,
        Ok(Started::Pending(f)) => f,
        Err(e) => return failed(format!("the job's thread failed: {e}"), &task.link),
    };
    let link = &task.link;
    let recovery = Recovery {
        handler: task.on_error.as_ref(),
        context: &task.context,
        key: &task.callback.key,
    };
    let run = AssertUnwindSafe(future).catch_unwind();
    tokio::select! {
        biased;
        _ = link.cancel.cancelled() => Ran::Aborted,
        result = run => match result {
            Ok(Ok(returned)) => {
                let (context, key) = (task.context.clone(), task.callback.key.clone());
                let stored = tokio::task::spawn_blocking(move || store_writes(&context, &key, returned))
                    .await
                    .unwrap_or_else(|e| Err(DispatchError::Failed {
                        callback: task.callback.key.clone(),
                        message: format!("storing a server store value failed: {e}"),
                    }));
                finished(stored, link)
            }
            Ok(Err(e)) => finished(recovery.returned(e), link),
            Err(panic) => recovery.panicked(panic, link),
        },
    }
}

/// Builds the arguments and calls the function; a sync one runs to its end
/// here (this is a blocking thread).
fn call(
    callback: &RegisteredCallback,
    body: &Bytes,
    context: &CallbackContext,
    link: &JobLink,
    on_error: Option<&ErrorHandler>,
) -> Started {
    let request = match CallbackRequest::parse(body) {
        Ok(r) => r,
        Err(e) => return Started::Done(failed(e.to_string(), link)),
    };
    let spec = &callback.spec;
    // Server store outputs: written by the job, the page gets references.
    let plan = match (context.server_stores(), &request.outputs) {
        (Some(stores), Some(outputs)) if !stores.is_empty() => {
            match output_plan(stores, callback, outputs, context) {
                Ok(plan) => plan.map(Arc::new),
                Err(e) => return Started::Done(finished(Err(e), link)),
            }
        }
        _ => None,
    };
    let source = ArgSource {
        callback: &callback.key,
        slots: spec
            .inputs
            .iter()
            .zip(&request.inputs)
            .chain(spec.states.iter().zip(&request.state))
            .collect(),
        context,
        output_plan: plan,
        decoded: Vec::new(),
    };
    let key = callback.key.as_str();
    let recovery = Recovery {
        handler: on_error,
        context,
        key,
    };
    match &callback.handler {
        ErasedHandler::Sync(f, _) => match catch_unwind(AssertUnwindSafe(|| f(&source))) {
            Ok(Ok(returned)) => Started::Done(finished(store_writes(context, key, returned), link)),
            Ok(Err(e)) => Started::Done(finished(recovery.call(e), link)),
            Err(panic) => Started::Done(recovery.panicked(panic, link)),
        },
        ErasedHandler::Async(f, _) => match catch_unwind(AssertUnwindSafe(|| f(&source))) {
            Ok(Ok(future)) => Started::Pending(future),
            Ok(Err(e)) => Started::Done(finished(recovery.call(e), link)),
            Err(panic) => Started::Done(recovery.panicked(panic, link)),
        },
        ErasedHandler::Clientside => Started::Done(failed(
            format!("callback {key} runs in the browser (a clientside callback), not as a job"),
            link,
        )),
    }
}

/// Writes the server store values a call returned (may block); the JSON
/// for the page.
fn store_writes(
    context: &CallbackContext,
    key: &str,
    mut returned: Returned,
) -> Result<String, DispatchError> {
    let writes = returned
        .take_writes()
        .map_err(|why| crate::callback::wrong_count(key, why))?;
    if !writes.is_empty() {
        commit(context, key, writes)?;
    }
    Ok(returned.json)
}

fn finished(result: Result<String, DispatchError>, link: &JobLink) -> Ran {
    let updates = link.written();
    Ran::Finished(match result {
        Ok(value) => Outcome::Done { value, updates },
        Err(DispatchError::Prevented) => Outcome::Prevented { updates },
        Err(DispatchError::Failed { message, .. })
        | Err(DispatchError::BadRequest { message, .. })
        | Err(DispatchError::Forbidden { message })
        | Err(DispatchError::Unauthorized { message })
        | Err(DispatchError::Refused { message, .. }) => Outcome::Failed {
            message,
            updates: Some(updates),
        },
    })
}

fn failed(message: String, link: &JobLink) -> Ran {
    Ran::Finished(Outcome::Failed {
        message,
        updates: Some(link.written()),
    })
}

fn unwound(panic: Box<dyn std::any::Any + Send>, link: &JobLink) -> Ran {
    if panic.is::<Aborted>() {
        return Ran::Aborted;
    }
    failed(
        format!("the callback panicked: {}", panic_text(&*panic)),
        link,
    )
}
