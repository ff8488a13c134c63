//! The background-callback twin of the benchmark (`bench/python_jobs_app.py`
//! is the same app in Python Dash with DiskcacheManager).
//!
//! One background callback: Input `job-run.n_clicks` and State
//! `job-ms.value` -> `job-out.children`, progress output `job-bar.value`.
//! The job reports progress `"1"`, sleeps `job-ms` milliseconds (0: none)
//! and returns `done <n_clicks>`. `BENCH_JOB_INTERVAL` sets the poll
//! interval in ms (default 100); `DASH_CACHE_URL`, `DASH_WORKERS`, `PORT`
//! and `HOST` as usual. `dash-bench jobs` drives it (bench/README.md).

use std::time::Duration;

use dash::prelude::*;

fn main() -> Result<(), dash::Error> {
    let interval = std::env::var("BENCH_JOB_INTERVAL")
        .ok()
        .and_then(|v| v.trim().parse().ok())
        .unwrap_or(100);
    let mut app = Dash::new().title("Background jobs benchmark");
    app.layout(html::Div::new().children((
        html::Button::new().id("job-run").children("Run"),
        dcc::Input::new().id("job-ms").value(0),
        html::Progress::new().id("job-bar"),
        html::Div::new().id("job-out"),
    )));
    app.callback(
        Callback::new()
            .output(("job-out", "children"))
            .input(("job-run", "n_clicks"))
            .state(("job-ms", "value"))
            .prevent_initial_call(true)
            .background()
            .progress(("job-bar", "value"))
            .interval(interval),
        |progress: Progress, n: u64, ms: Option<u64>| {
            progress.set("1");
            if let Some(ms) = ms.filter(|ms| *ms > 0) {
                std::thread::sleep(Duration::from_millis(ms));
            }
            format!("done {n}")
        },
    );
    app.run()
}
