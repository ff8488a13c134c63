//! A background callback with a progress bar, a status line streamed with
//! `set_props`, a cancel button and buttons toggled while it runs.
//!
//! The job runs `STEPS` steps (default 10) of `STEP_MS` ms each (default
//! 500); after step i it reports progress (i, STEPS) and sets the status to
//! `step i of STEPS`, and it returns `done: STEPS steps, job <a fresh
//! UUID>`. The renderer polls every 250 ms; any worker answers any poll
//! (`--workers 2` / `DASH_WORKERS=2`), the job's state lives in the cache
//! backend (`DASH_CACHE_URL`, SQLite by default, or Redis). `DASH_METRICS=1`
//! serves `dash_jobs_*` counters at `/_dash-metrics`.
//!
//! `cargo run --example background_progress -- --workers 2`

use std::time::Duration;

use dash::prelude::*;
use serde_json::json;

fn env_number(name: &str, default: u64) -> u64 {
    std::env::var(name)
        .ok()
        .and_then(|v| v.trim().parse().ok())
        .unwrap_or(default)
}

fn main() -> Result<(), dash::Error> {
    let steps = env_number("STEPS", 10);
    let step = Duration::from_millis(env_number("STEP_MS", 500));
    let mut app = Dash::new().title("Background progress");
    app.layout(
        html::Div::new().children((
            html::Button::new().id("run").children("Run"),
            html::Button::new()
                .id("cancel")
                .children("Cancel")
                .disabled(true),
            html::Progress::new().id("progress"),
            html::Div::new().id("status"),
            html::Div::new().id("result"),
        )),
    );
    app.callback(
        Callback::new()
            .output(("result", "children"))
            .input(("run", "n_clicks"))
            .prevent_initial_call(true)
            .background()
            .progress(("progress", "value"))
            .progress(("progress", "max"))
            .running(("run", "disabled"), true, false)
            .running(("cancel", "disabled"), false, true)
            .cancel(("cancel", "n_clicks"))
            .interval(250),
        move |progress: Progress, ctx: CallbackContext, _clicks: Option<u64>| {
            for i in 1..=steps {
                std::thread::sleep(step);
                // As strings, as in Python's docs: html.Progress's `value`
                // and `max` are string props (the debug mode's props check
                // refuses numbers).
                progress.set((i.to_string(), steps.to_string()));
                ctx.set_props(
                    "status",
                    json!({"children": format!("step {i} of {steps}")}),
                );
            }
            format!("done: {steps} steps, job {}", uuid::Uuid::new_v4())
        },
    );
    app.run()
}
