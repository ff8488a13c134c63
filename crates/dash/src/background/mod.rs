//! Background callbacks: long work with progress, cancel and streamed
//! updates, answered by any worker process or host.
//!
//! Declare one with [`Callback::background`](crate::Callback::background);
//! the function may take a [`Progress`] argument. The request that fires it
//! answers at once with the job's signed handles, the job runs on the
//! worker's bounded pool, and the renderer polls until the result arrives.
//! Everything about the job (its record, its lease, its progress and
//! `set_props` updates in order, its end) lives in the app's cache backend,
//! so any worker answers any poll, and a job whose worker died is reported
//! failed once its lease lapses.
//!
//! ```no_run
//! use dash::prelude::*;
//! use dash::background::Progress;
//!
//! fn main() -> Result<(), dash::Error> {
//!     let mut app = Dash::new();
//!     app.layout(html::Div::new().children((
//!         html::Button::new().id("run").children("Run"),
//!         html::Progress::new().id("bar"),
//!         html::Div::new().id("result"),
//!     )));
//!     app.callback(
//!         Callback::new()
//!             .output(("result", "children"))
//!             .input(("run", "n_clicks"))
//!             .prevent_initial_call(true)
//!             .background()
//!             .progress(("bar", "value"))
//!             .progress(("bar", "max"))
//!             .interval(250),
//!         |progress: Progress, ctx: CallbackContext, _n: Option<u64>| {
//!             for i in 1..=10 {
//!                 std::thread::sleep(std::time::Duration::from_millis(200));
//!                 progress.set((i, 10));
//!                 ctx.set_props("result", serde_json::json!({"title": format!("step {i}")}));
//!             }
//!             "done"
//!         },
//!     );
//!     app.run()
//! }
//! ```
//!
//! Files: `spec.rs` (the builder methods and their checks), `settings.rs`
//! (pool size, lease), `handles.rs` (signed `end_id`, `job`, `cacheKey`),
//! `store.rs` (the backend keys), `pool.rs` (the pool, leases, cancels),
//! `run.rs` (one job's function), `progress.rs` ([`Progress`],
//! [`CancelToken`]), `protocol.rs` (start, poll, cancel), `answer.rs` (the
//! JSON answers), `cancel_inputs.rs` (the hidden cancel callbacks),
//! `metrics.rs` (`dash_jobs_*`).

mod answer;
mod cancel_inputs;
mod for_tests;
mod handles;
mod metrics;
mod pool;
mod progress;
mod protocol;
mod run;
mod settings;
mod spec;
mod store;

pub use progress::{CancelToken, Progress};

pub(crate) use cancel_inputs::register as register_cancel_callbacks;
pub(crate) use for_tests::run_to_end;
pub(crate) use handles::new_end_id;
pub(crate) use pool::Jobs;
pub(crate) use progress::JobLink;
pub(crate) use protocol::{concerns_jobs, intercept, job_query};
pub(crate) use settings::BackgroundSettings;
pub(crate) use spec::{check as check_spec, BackgroundSpec};
