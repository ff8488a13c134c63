//! Background callbacks over HTTP, as the pinned renderer drives them
//! (protocol notes §7): the first answer's handles, polls with progress and
//! streamed `set_props` in order, the result, cancel inputs, superseded
//! runs, MATCH jobs, failures, the result cache, the bounded pool, and the
//! security of the handles (forged, altered or foreign ones answer 403 and
//! touch nothing). A real listener and a real SQLite file; the `processes`
//! part runs the built `background_progress` example with two workers and
//! kills the one running a job.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;

use dash::prelude::*;
use serde_json::{json, Value};

#[path = "background/client.rs"]
mod client;
#[path = "background/processes.rs"]
mod processes;
mod support;

use client::{body, eventually, metric, Page};

const FAST: Duration = Duration::from_millis(20);
const LIMIT: Duration = Duration::from_secs(30);
const STEPS: u64 = 5;

fn temp_sqlite(name: &str) -> String {
    let dir = std::env::temp_dir().join(format!("dash-bg-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    format!("sqlite://{}", dir.join("cache.sqlite").display())
}

fn pattern(kind: &str, i: impl Into<IdValue>) -> ComponentId {
    ComponentId::object([("type", kind.into()), ("i", i.into())])
}

/// Steps run by the `steps` job, over all its runs.
#[derive(Clone, Default)]
struct Counters {
    steps: Arc<AtomicU64>,
    async_ticks: Arc<AtomicU64>,
}

fn lab(url: &str, counters: &Counters, step: Duration) -> Dash {
    let mut app = Dash::new().cache_url(url).metrics(true);
    app.layout(html::Div::new().children((
        html::Button::new().id("run"),
        html::Button::new().id("stop"),
        html::Progress::new().id("bar"),
        html::Div::new().id("status"),
        html::Div::new().id("result"),
        html::Button::new().id("burst"),
        html::Div::new().id("log"),
        html::Div::new().id("burst-out"),
        html::Button::new().id(pattern("go", 1)),
        html::Button::new().id(pattern("go", 2)),
        html::Div::new().id(pattern("res", 1)),
        html::Div::new().id(pattern("res", 2)),
        html::Div::new().id("misc-out"),
        dcc::Input::new().id("misc"),
        dcc::Input::new().id("in"),
        html::Div::new().id("echo"),
    )));
    let steps = counters.steps.clone();
    app.callback(
        Callback::new()
            .output(("result", "children"))
            .input(("run", "n_clicks"))
            .prevent_initial_call(true)
            .background()
            .progress(("bar", "value"))
            .progress(("bar", "max"))
            .progress_default((0, STEPS))
            .cancel(("stop", "n_clicks"))
            .running(("run", "disabled"), true, false)
            .interval(100),
        move |progress: Progress, ctx: CallbackContext, n: Option<u64>| {
            for i in 1..=STEPS {
                std::thread::sleep(step);
                steps.fetch_add(1, Ordering::SeqCst);
                progress.set((i, STEPS));
                ctx.set_props(
                    "status",
                    json!({"children": format!("step {i} of {STEPS}")}),
                );
            }
            format!("done {} {}", n.unwrap_or(0), uuid::Uuid::new_v4())
        },
    );
    app.callback(
        Callback::new()
            .output(("burst-out", "children"))
            .input(("burst", "n_clicks"))
            .background(),
        |ctx: CallbackContext, _n: Option<u64>| {
            for i in 0..5 {
                ctx.set_props("log", json!({"children": i}));
            }
            "burst done"
        },
    );
    app.callback(
        Callback::new()
            .output(Output::new(pattern("res", Wildcard::Match), "children"))
            .input(Input::new(pattern("go", Wildcard::Match), "n_clicks"))
            .background(),
        move |ctx: CallbackContext, n: Option<u64>| {
            std::thread::sleep(Duration::from_millis(300));
            let which = ctx
                .triggered_id()
                .map(|id| id.to_string())
                .unwrap_or_default();
            format!("{which} n={} {}", n.unwrap_or(0), uuid::Uuid::new_v4())
        },
    );
    let ticks = counters.async_ticks.clone();
    app.callback_async(
        Callback::new()
            .output(("misc-out", "children"))
            .input(("misc", "value"))
            .background(),
        move |ctx: CallbackContext, what: Option<String>| {
            let ticks = ticks.clone();
            async move {
                match what.as_deref() {
                    Some("fail") => {
                        ctx.set_props("log", json!({"children": "before the failure"}));
                        Err(CallbackError::msg("boom: the job failed"))
                    }
                    Some("prevent") => Err(PreventUpdate.into()),
                    Some("panic") => panic!("the job panicked on purpose"),
                    Some("slow") => {
                        for _ in 0..200 {
                            tokio::time::sleep(Duration::from_millis(25)).await;
                            ticks.fetch_add(1, Ordering::SeqCst);
                        }
                        Ok("slow done".to_owned())
                    }
                    other => Ok(format!("async {}", other.unwrap_or("-"))),
                }
            }
        },
    );
    app.callback(
        Callback::new()
            .output(("echo", "children"))
            .input(("in", "value")),
        |v: Option<String>| v.unwrap_or_default(),
    );
    app
}

async fn serve(app: Dash) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let router = app.into_router().expect("a valid app");
    tokio::spawn(async move {
        axum::serve(listener, router).await.unwrap();
    });
    format!("http://{addr}")
}

async fn start_lab(name: &str, step: Duration) -> (String, Counters) {
    let counters = Counters::default();
    let base = serve(lab(&temp_sqlite(name), &counters, step)).await;
    (base, counters)
}

fn run_body(n: u64) -> Value {
    let mut b = body(
        "result.children",
        json!("result"),
        "children",
        json!([{"id": "run", "property": "n_clicks", "value": n}]),
    );
    b["changedPropIds"] = json!(["run.n_clicks"]);
    b
}

fn misc_body(what: &str) -> Value {
    body(
        "misc-out.children",
        json!("misc-out"),
        "children",
        json!([{"id": "misc", "property": "value", "value": what}]),
    )
}

fn match_body(i: u64, n: u64) -> Value {
    let key = r#"{"i":["MATCH"],"type":"res"}.children"#;
    let mut b = body(
        key,
        json!({"i": i, "type": "res"}),
        "children",
        json!([{"id": {"i": i, "type": "go"}, "property": "n_clicks", "value": n}]),
    );
    b["changedPropIds"] = json!([format!(r#"{{"i":{i},"type":"go"}}.n_clicks"#)]);
    b
}

fn cancel_body() -> Value {
    cancel_body_for("stop")
}

/// The hidden cancel callback's request for the cancel button `id`.
fn cancel_body_for(id: &str) -> Value {
    let mut b = body(
        &format!("{id}.id"),
        json!(id),
        "id",
        json!([{"id": id, "property": "n_clicks", "value": 1}]),
    );
    b["changedPropIds"] = json!([format!("{id}.n_clicks")]);
    b
}

fn numbers(values: &[Value]) -> Vec<u64> {
    values.iter().filter_map(Value::as_u64).collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bg001_progress_and_status_in_order_then_the_result() {
    let (base, _) = start_lab("order", Duration::from_millis(40)).await;
    let page = Page::open(&base).await;
    let job = page.start(&run_body(1), "").await;
    assert_eq!(
        job.first["cancel"],
        json!([{"id": "stop", "property": "n_clicks"}])
    );
    assert_eq!(
        job.first["progressDefault"],
        json!({"bar.value": 0, "bar.max": STEPS})
    );
    assert!(
        job.first.get("response").is_none(),
        "no result in the first answer"
    );
    for handle in [&job.cache_key, &job.job] {
        assert!(
            handle
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b"-_.".contains(&b)),
            "URL-safe: {handle}"
        );
    }
    let run = page.run(&job, &run_body(1), FAST, LIMIT).await;
    let (status, last) = run.last();
    assert_eq!(*status, 200, "{last}");
    assert_eq!(last["multi"], json!(true));
    let result = run.result("result", "children");
    assert!(result.as_str().unwrap().starts_with("done 1 "), "{result}");
    assert_eq!(
        numbers(&run.values("bar", "value")),
        (1..=STEPS).collect::<Vec<_>>()
    );
    assert!(run.values("bar", "max").iter().all(|v| v == &json!(STEPS)));
    let statuses: Vec<String> = run
        .values("status", "children")
        .iter()
        .map(|v| v.as_str().unwrap().to_owned())
        .collect();
    let expected: Vec<String> = (1..=STEPS)
        .map(|i| format!("step {i} of {STEPS}"))
        .collect();
    assert_eq!(statuses, expected);
    // Delivered: the result is gone, the next poll ends the chain with 204.
    assert_eq!(page.poll(&job, &run_body(1)).await.0, 204);
    let m = page.metrics().await;
    assert_eq!(metric(&m, "dash_jobs_started_total"), 1);
    assert_eq!(metric(&m, "dash_jobs_completed_total"), 1);
    assert_eq!(metric(&m, "dash_jobs_running"), 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn set_props_calls_between_two_polls_all_reach_the_page_in_order() {
    let (base, _) = start_lab("burst", Duration::from_millis(1)).await;
    let page = Page::open(&base).await;
    let b = body(
        "burst-out.children",
        json!("burst-out"),
        "children",
        json!([{"id": "burst", "property": "n_clicks", "value": 1}]),
    );
    let job = page.start(&b, "").await;
    // The job writes all five before the first poll.
    tokio::time::sleep(Duration::from_millis(300)).await;
    let run = page.run(&job, &b, FAST, LIMIT).await;
    assert_eq!(numbers(&run.values("log", "children")), [0, 1, 2, 3, 4]);
    assert_eq!(run.result("burst-out", "children"), json!("burst done"));
    assert!(
        run.answers.len() >= 5,
        "one value of a prop per answer: {run:?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_cancel_input_stops_the_job_and_a_new_run_starts_from_step_one() {
    let (base, counters) = start_lab("cancel", Duration::from_millis(150)).await;
    let page = Page::open(&base).await;
    let job = page.start(&run_body(1), "").await;
    let mut seen = Vec::new();
    while !seen.contains(&2) {
        let (status, a) = page.poll(&job, &run_body(1)).await;
        assert_eq!(status, 200, "{a}");
        seen.extend(a["progress"]["bar.value"].as_u64());
        tokio::time::sleep(FAST).await;
    }
    assert_eq!(seen, [1, 2]);
    // The hidden cancel callback carries cancelJob, as the renderer sends it.
    let (status, answer) = page
        .post(&format!("cancelJob={}", job.job), &cancel_body())
        .await;
    assert_eq!(
        (status, &answer),
        (200, &json!({"multi": true, "response": {}}))
    );
    // The job's remaining polls answer 204, as Python's do.
    assert_eq!(page.poll(&job, &run_body(1)).await.0, 204);
    assert_eq!(page.poll(&job, &run_body(1)).await.0, 204);
    // The job stopped at its next progress call: the step counter stays.
    tokio::time::sleep(Duration::from_millis(400)).await;
    let stopped_at = counters.steps.load(Ordering::SeqCst);
    tokio::time::sleep(Duration::from_millis(600)).await;
    assert_eq!(counters.steps.load(Ordering::SeqCst), stopped_at);
    assert!(stopped_at < STEPS, "stopped before its end: {stopped_at}");
    let m = page.metrics().await;
    assert_eq!(metric(&m, "dash_jobs_cancelled_total"), 1);
    assert_eq!(metric(&m, "dash_jobs_completed_total"), 0);
    // A new run starts from step 1.
    let again = page.start(&run_body(2), "").await;
    let run = page.run(&again, &run_body(2), FAST, LIMIT).await;
    assert_eq!(
        numbers(&run.values("bar", "value")),
        (1..=STEPS).collect::<Vec<_>>()
    );
    assert!(run
        .result("result", "children")
        .as_str()
        .unwrap()
        .starts_with("done 2 "));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_new_run_cancels_the_run_it_supersedes() {
    let (base, _) = start_lab("supersede", Duration::from_millis(100)).await;
    let page = Page::open(&base).await;
    let old = page.start(&run_body(1), "").await;
    let new = page
        .start(&run_body(2), &format!("oldJob={}", old.job))
        .await;
    assert_eq!(
        page.poll(&old, &run_body(1)).await.0,
        204,
        "the old run is cancelled"
    );
    let run = page.run(&new, &run_body(2), FAST, LIMIT).await;
    assert!(run
        .result("result", "children")
        .as_str()
        .unwrap()
        .starts_with("done 2 "));
    assert_eq!(
        metric(&page.metrics().await, "dash_jobs_cancelled_total"),
        1
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cancel_previous_false_keeps_the_older_run() {
    let url = temp_sqlite("keep");
    let mut app = Dash::new().cache_url(&url);
    app.layout(
        html::Div::new().children((html::Button::new().id("go"), html::Div::new().id("out"))),
    );
    app.callback(
        Callback::new()
            .output(("out", "children"))
            .input(("go", "n_clicks"))
            .background()
            .cancel_previous(false),
        |n: Option<u64>| {
            std::thread::sleep(Duration::from_millis(200));
            format!("run {}", n.unwrap_or(0))
        },
    );
    let base = serve(app).await;
    let page = Page::open(&base).await;
    let b = |n: u64| {
        body(
            "out.children",
            json!("out"),
            "children",
            json!([{"id": "go", "property": "n_clicks", "value": n}]),
        )
    };
    let old = page.start(&b(1), "").await;
    let new = page.start(&b(2), &format!("oldJob={}", old.job)).await;
    let (b1, b2) = (b(1), b(2));
    let (r_old, r_new) = tokio::join!(
        page.run(&old, &b1, FAST, LIMIT),
        page.run(&new, &b2, FAST, LIMIT)
    );
    assert_eq!(r_old.result("out", "children"), json!("run 1"));
    assert_eq!(r_new.result("out", "children"), json!("run 2"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn match_jobs_of_different_components_never_cancel_or_mix() {
    let (base, _) = start_lab("match", Duration::from_millis(1)).await;
    let page = Page::open(&base).await;
    // Same input values for both components: Python 4.4.1 gives them one
    // cache key (plotly/dash#2681).
    let one = page.start(&match_body(1, 1), "").await;
    let two = page.start(&match_body(2, 1), "").await;
    let (b1, b2) = (match_body(1, 1), match_body(2, 1));
    let (r1, r2) = tokio::join!(
        page.run(&one, &b1, FAST, LIMIT),
        page.run(&two, &b2, FAST, LIMIT)
    );
    let res1 = r1.last().1["response"][r#"{"i":1,"type":"res"}"#]["children"].clone();
    let res2 = r2.last().1["response"][r#"{"i":2,"type":"res"}"#]["children"].clone();
    assert!(
        res1.as_str()
            .unwrap()
            .starts_with(r#"{"i":1,"type":"go"} n=1 "#),
        "{res1}"
    );
    assert!(
        res2.as_str()
            .unwrap()
            .starts_with(r#"{"i":2,"type":"go"} n=1 "#),
        "{res2}"
    );
    assert_eq!(r1.last().1["response"].as_object().unwrap().len(), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn failures_prevent_update_and_panics_end_the_job_as_python_does() {
    let (base, _) = start_lab("fail", Duration::from_millis(1)).await;
    let page = Page::open(&base).await;
    let job = page.start(&misc_body("fail"), "").await;
    let run = page.run(&job, &misc_body("fail"), FAST, LIMIT).await;
    // The update written before the failure reaches the page first.
    assert_eq!(run.values("log", "children"), [json!("before the failure")]);
    let (status, answer) = run.last();
    assert_eq!(*status, 500, "{answer}");
    assert_eq!(answer["error"], json!("callback_failed"));
    let job = page.start(&misc_body("prevent"), "").await;
    assert_eq!(
        page.run(&job, &misc_body("prevent"), FAST, LIMIT)
            .await
            .last()
            .0,
        204
    );
    let job = page.start(&misc_body("panic"), "").await;
    assert_eq!(
        page.run(&job, &misc_body("panic"), FAST, LIMIT)
            .await
            .last()
            .0,
        500
    );
    let job = page.start(&misc_body("fine"), "").await;
    let run = page.run(&job, &misc_body("fine"), FAST, LIMIT).await;
    assert_eq!(run.result("misc-out", "children"), json!("async fine"));
    assert_eq!(metric(&page.metrics().await, "dash_jobs_failed_total"), 2);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn on_error_turns_a_job_failure_into_outputs_as_python_does() {
    let counters = Counters::default();
    let app = lab(
        &temp_sqlite("on-error"),
        &counters,
        Duration::from_millis(1),
    )
    .on_error(|e, _ctx| Some(json!(format!("handled: {e}"))));
    let page = Page::open(&serve(app).await).await;
    let job = page.start(&misc_body("fail"), "").await;
    let run = page.run(&job, &misc_body("fail"), FAST, LIMIT).await;
    assert_eq!(
        run.result("misc-out", "children"),
        json!("handled: boom: the job failed")
    );
    let job = page.start(&misc_body("panic"), "").await;
    let run = page.run(&job, &misc_body("panic"), FAST, LIMIT).await;
    assert_eq!(
        run.result("misc-out", "children"),
        json!("handled: the callback panicked: the job panicked on purpose")
    );
    // PreventUpdate is not a failure.
    let job = page.start(&misc_body("prevent"), "").await;
    assert_eq!(
        page.run(&job, &misc_body("prevent"), FAST, LIMIT)
            .await
            .last()
            .0,
        204
    );
    assert_eq!(metric(&page.metrics().await, "dash_jobs_failed_total"), 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_job_started_and_polled_with_a_large_body_runs_as_any_other() {
    // Bodies above the inline limit (64 KiB) are parsed on the blocking
    // pool; a background request found there still starts and polls a job.
    let (base, _) = start_lab("large-body", Duration::from_millis(1)).await;
    let page = Page::open(&base).await;
    let mut body = misc_body("large");
    body["padding"] = json!("x".repeat(100 * 1024));
    let job = page.start(&body, "").await;
    let run = page.run(&job, &body, FAST, LIMIT).await;
    assert_eq!(run.result("misc-out", "children"), json!("async large"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_async_job_stops_at_its_next_await_when_cancelled() {
    let (base, counters) = start_lab("async", Duration::from_millis(1)).await;
    let page = Page::open(&base).await;
    let slow = misc_body("slow");
    let old = page.start(&slow, "").await;
    assert!(
        eventually(LIMIT, || async {
            counters.async_ticks.load(Ordering::SeqCst) >= 4
        })
        .await
    );
    // Superseded by a new run of the same outputs.
    let new = page
        .start(&misc_body("quick"), &format!("oldJob={}", old.job))
        .await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    let stopped = counters.async_ticks.load(Ordering::SeqCst);
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(
        counters.async_ticks.load(Ordering::SeqCst),
        stopped,
        "no tick after the cancel"
    );
    assert!(stopped < 200);
    let run = page.run(&new, &misc_body("quick"), FAST, LIMIT).await;
    assert_eq!(run.result("misc-out", "children"), json!("async quick"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn forged_and_foreign_handles_answer_403_and_touch_nothing() {
    let (base, counters) = start_lab("forged", Duration::from_millis(60)).await;
    let alice = Page::open(&base).await;
    let mallory = Page::open(&base).await;
    let job = alice.start(&run_body(1), "").await;
    let forged = format!("{:032x}.{}", 7u128, "A".repeat(43));
    let altered = {
        let mut h = job.job.clone().into_bytes();
        let last = h.len() - 1;
        h[last] = if h[last] == b'A' { b'B' } else { b'A' };
        String::from_utf8(h).unwrap()
    };
    let other_load = alice.reload().await;
    let cases: Vec<(&str, Page, String, Value)> = vec![
        // Polls with handles that are not Alice's, or not for this page.
        (
            "forged cacheKey",
            alice.clone(),
            format!("cacheKey={forged}&job={}", job.job),
            run_body(1),
        ),
        (
            "forged job",
            alice.clone(),
            format!("cacheKey={}&job={forged}", job.cache_key),
            run_body(1),
        ),
        (
            "altered job",
            alice.clone(),
            format!("cacheKey={}&job={altered}", job.cache_key),
            run_body(1),
        ),
        (
            "cacheKey as job",
            alice.clone(),
            format!("cacheKey={}&job={}", job.cache_key, job.cache_key),
            run_body(1),
        ),
        (
            "foreign session",
            mallory.clone(),
            format!("cacheKey={}&job={}", job.cache_key, job.job),
            run_body(1),
        ),
        (
            "another page load",
            other_load.clone(),
            format!("cacheKey={}&job={}", job.cache_key, job.job),
            run_body(1),
        ),
        // Cancels and supersedes: nothing is cancelled, nothing started.
        (
            "foreign cancelJob",
            mallory.clone(),
            format!("cancelJob={}", job.job),
            cancel_body(),
        ),
        (
            "forged cancelJob on a plain callback",
            alice.clone(),
            format!("cancelJob={forged}"),
            body(
                "echo.children",
                json!("echo"),
                "children",
                json!([{"id": "in", "property": "value", "value": "x"}]),
            ),
        ),
        (
            "foreign oldJob",
            mallory.clone(),
            format!("oldJob={}", job.job),
            run_body(5),
        ),
        (
            "forged oldJob",
            alice.clone(),
            format!("oldJob={forged}"),
            run_body(5),
        ),
    ];
    for (name, page, query, b) in cases {
        let b = if query.contains("cacheKey") {
            client::blank(&b)
        } else {
            b
        };
        let (status, answer) = page.post(&query, &b).await;
        assert_eq!(status, 403, "{name}: {answer}");
        assert_eq!(answer["error"], json!("forbidden"), "{name}");
    }
    // An endId issued to another session, or altered.
    let (status, _) = mallory
        .post_url(
            &format!("{base}/_dash-update-component?endId={}", alice.end_id),
            &run_body(1),
        )
        .await;
    assert_eq!(status, 403, "Alice's endId with Mallory's cookie");
    // Nothing was touched: no job started, none cancelled, and Alice's job
    // runs to its result with every update (none was read by the forgeries).
    let m = alice.metrics().await;
    assert_eq!(metric(&m, "dash_jobs_started_total"), 1);
    assert_eq!(metric(&m, "dash_jobs_cancelled_total"), 0);
    let run = alice.run(&job, &run_body(1), FAST, LIMIT).await;
    assert_eq!(
        numbers(&run.values("bar", "value")),
        (1..=STEPS).collect::<Vec<_>>()
    );
    assert!(run
        .result("result", "children")
        .as_str()
        .unwrap()
        .starts_with("done 1 "));
    assert_eq!(counters.steps.load(Ordering::SeqCst), STEPS);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_sessions_with_the_same_inputs_never_share_a_job_or_a_result() {
    let (base, _) = start_lab("sessions", Duration::from_millis(30)).await;
    let a = Page::open(&base).await;
    let b = Page::open(&base).await;
    let ja = a.start(&run_body(1), "").await;
    let jb = b.start(&run_body(1), "").await;
    assert_ne!(ja.job, jb.job);
    let body1 = run_body(1);
    let (ra, rb) = tokio::join!(
        a.run(&ja, &body1, FAST, LIMIT),
        b.run(&jb, &body1, FAST, LIMIT)
    );
    let (res_a, res_b) = (
        ra.result("result", "children"),
        rb.result("result", "children"),
    );
    assert_ne!(res_a, res_b, "each session's own job and result");
    for r in [&ra, &rb] {
        assert_eq!(
            numbers(&r.values("bar", "value")),
            (1..=STEPS).collect::<Vec<_>>()
        );
    }
    assert_eq!(metric(&a.metrics().await, "dash_jobs_completed_total"), 2);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cache_by_answers_at_once_with_the_stored_result() {
    let url = temp_sqlite("cache-by");
    let runs = Arc::new(AtomicU64::new(0));
    let counted = runs.clone();
    let mut app = Dash::new().cache_url(&url);
    app.layout(html::Div::new().children((dcc::Input::new().id("q"), html::Div::new().id("out"))));
    app.callback(
        Callback::new()
            .output(("out", "children"))
            .input(("q", "value"))
            .background()
            .cache_by(|_ctx: &CallbackContext| "v1")
            .expire(Duration::from_secs(60)),
        move |q: Option<String>| {
            counted.fetch_add(1, Ordering::SeqCst);
            format!("{} {}", q.unwrap_or_default(), uuid::Uuid::new_v4())
        },
    );
    let base = serve(app).await;
    let page = Page::open(&base).await;
    let b = |q: &str| {
        body(
            "out.children",
            json!("out"),
            "children",
            json!([{"id": "q", "property": "value", "value": q}]),
        )
    };
    let job = page.start(&b("x"), "").await;
    let first = page
        .run(&job, &b("x"), FAST, LIMIT)
        .await
        .result("out", "children");
    // Another session, same inputs: the stored result, with no job.
    let other = Page::open(&base).await;
    let (status, answer) = other.post("", &b("x")).await;
    assert_eq!(status, 200);
    assert_eq!(answer["response"]["out"]["children"], first);
    assert!(answer.get("job").is_none());
    let job = page.start(&b("y"), "").await;
    let second = page
        .run(&job, &b("y"), FAST, LIMIT)
        .await
        .result("out", "children");
    assert_ne!(first, second);
    assert_eq!(runs.load(Ordering::SeqCst), 2);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_full_pool_queues_and_never_refuses() {
    let url = temp_sqlite("pool");
    let mut app = Dash::new().cache_url(&url).metrics(true).job_pool(1);
    app.layout(html::Div::new().children((dcc::Input::new().id("q"), html::Div::new().id("out"))));
    app.callback(
        Callback::new()
            .output(("out", "children"))
            .input(("q", "value"))
            .background(),
        |q: Option<String>| {
            std::thread::sleep(Duration::from_millis(300));
            q.unwrap_or_default()
        },
    );
    let base = serve(app).await;
    let page = Page::open(&base).await;
    let b = |q: &str| {
        body(
            "out.children",
            json!("out"),
            "children",
            json!([{"id": "q", "property": "value", "value": q}]),
        )
    };
    let jobs: Vec<_> = start_three(&page, &b).await;
    assert!(
        eventually(LIMIT, || async {
            let m = page.metrics().await;
            metric(&m, "dash_jobs_running") == 1 && metric(&m, "dash_jobs_queued") == 2
        })
        .await,
        "one runs, two wait: {}",
        page.metrics().await
    );
    for (q, job) in jobs {
        let run = page.run(&job, &b(&q), FAST, LIMIT).await;
        assert_eq!(run.result("out", "children"), json!(q));
    }
    assert_eq!(
        metric(&page.metrics().await, "dash_jobs_completed_total"),
        3
    );
}

async fn start_three(page: &Page, b: &impl Fn(&str) -> Value) -> Vec<(String, client::Job)> {
    let mut out = Vec::new();
    for q in ["a", "b", "c"] {
        out.push((q.to_owned(), page.start(&b(q), "").await));
    }
    out
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn declarations_python_refuses_are_refused() {
    let bad = |cb: Callback| {
        let mut app = Dash::new().cache_url("memory://");
        app.layout(html::Div::new());
        app.callback(cb, |_: Option<u64>| "x");
        app.validate().unwrap_err().to_string()
    };
    let base = Callback::new()
        .output(("out", "children"))
        .input(("go", "n_clicks"));
    assert!(bad(base.clone().progress(("bar", "value"))).contains("background()"));
    assert!(bad(base
        .clone()
        .background()
        .progress(Output::new(pattern("bar", Wildcard::Match), "value")))
    .contains("pattern-matching"));
    assert!(bad(base
        .background()
        .progress(("bar", "value"))
        .progress(("bar", "max"))
        .progress_default((1, 2, 3)))
    .contains("one value per progress output"));
    // The dependencies entry, with the hidden cancel callback last.
    let (base, _) = start_lab("deps", Duration::from_millis(1)).await;
    let deps: Value = reqwest::get(format!("{base}/_dash-dependencies"))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let list = deps.as_array().unwrap();
    assert_eq!(list[0]["background"], json!({"interval": 100}));
    let last = list.last().unwrap();
    assert_eq!(last["output"], json!("stop.id"));
    assert_eq!(
        last["inputs"],
        json!([{"id": "stop", "property": "n_clicks"}])
    );
    assert_eq!(last["prevent_initial_call"], json!(true));
    assert_eq!(last["background"], Value::Null);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_progress_argument_outside_a_background_callback_is_a_clear_error() {
    let mut app = Dash::new().cache_url(temp_sqlite("not-bg"));
    app.layout(html::Div::new().children((dcc::Input::new().id("q"), html::Div::new().id("out"))));
    app.callback(
        Callback::new()
            .output(("out", "children"))
            .input(("q", "value")),
        |_p: Progress, q: Option<String>| q,
    );
    let base = serve(app).await;
    let r = client::client()
        .post(format!("{base}/_dash-update-component"))
        .json(&body(
            "out.children",
            json!("out"),
            "children",
            json!([{"id": "q", "property": "value", "value": "a"}]),
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 400);
    assert!(r.text().await.unwrap().contains("Callback::background()"));
}
