//! `dash-bench jobs`: background callbacks side by side. The Rust twin
//! (`examples/bench_jobs_app.rs`, two worker processes on the SQLite
//! default) and the Python twin (`bench/python_jobs_app.py`, Dash 4.4.1
//! with DiskcacheManager under gunicorn, one gthread worker of eight
//! threads: with two workers its polls fail, see `specs`) are driven through the renderer's protocol: a page load (its
//! session cookie and `end_id`), the request that starts a job, then polls
//! with `cacheKey` and `job` until the answer carries `response`.
//!
//! Rows:
//! - jobs started and completed per second, trivial job bodies, 16 clients
//!   each polling its job every 5 ms;
//! - poll answers per second while one job runs, 16 clients polling in a
//!   closed loop;
//! - start to first progress: from sending the start request to the first
//!   poll answer that carries progress, polled every 2 ms (when the server
//!   has it; the page itself sees it at its next poll);
//! - added latency: a job sleeping 200 ms polled at the app's interval as
//!   the renderer polls (Rust 100 ms, Python its default 1000 ms), the time
//!   from start to result minus the 200 ms.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use serde_json::{json, Value};

use crate::client::{self, Reply};
use crate::http1;
use crate::servers::{Server, ServerSpec};
use crate::Error;

const TIMEOUT: Duration = Duration::from_secs(10);

/// Options of `dash-bench jobs`.
#[derive(Debug, Clone)]
pub struct JobsConfig {
    /// Short rows (CI): answers checked, figures not judged.
    pub smoke: bool,
    /// Measured window of the rate rows.
    pub measure: Duration,
    /// Clients of the rate rows.
    pub clients: usize,
    /// Runs of the latency rows (the median is reported).
    pub runs: usize,
    /// The Rust twin (`bench_jobs_app`).
    pub app: PathBuf,
    /// Virtual environment with dash, gunicorn and diskcache.
    pub venv: PathBuf,
    /// Also write the table (Markdown) here.
    pub out: Option<PathBuf>,
    /// The repository root (for `bench/python_jobs_app.py`).
    pub root: PathBuf,
}

impl JobsConfig {
    /// Parses `dash-bench jobs` arguments.
    pub fn from_args(args: &[String]) -> Result<JobsConfig, Error> {
        let root = Path::new(env!("CARGO_MANIFEST_DIR"))
            .parent()
            .map(Path::to_path_buf)
            .unwrap_or_default();
        let mut c = JobsConfig {
            smoke: false,
            measure: Duration::from_secs(5),
            clients: 16,
            runs: 9,
            app: root.join("target/release/examples/bench_jobs_app"),
            venv: root.join(".venv"),
            out: None,
            root,
        };
        let mut it = args.iter();
        while let Some(a) = it.next() {
            let mut value = || {
                it.next()
                    .cloned()
                    .ok_or_else(|| Error::Usage(format!("{a} needs a value")))
            };
            match a.as_str() {
                "--smoke" => c.smoke = true,
                "--secs" => {
                    c.measure = value()?
                        .parse::<f64>()
                        .ok()
                        .filter(|s| *s > 0.0)
                        .map(Duration::from_secs_f64)
                        .ok_or_else(|| Error::Usage("--secs needs a number of seconds".into()))?
                }
                "--app" => c.app = PathBuf::from(value()?),
                "--venv" => c.venv = PathBuf::from(value()?),
                "--out" => c.out = Some(PathBuf::from(value()?)),
                other => return Err(Error::Usage(format!("unknown option {other:?}"))),
            }
        }
        let cwd = std::env::current_dir()?;
        c.app = cwd.join(&c.app);
        c.venv = cwd.join(&c.venv);
        if c.smoke {
            c.measure = Duration::from_secs(1);
            c.clients = 4;
            c.runs = 1;
        }
        Ok(c)
    }
}

/// One page load: where its requests go and what they carry.
struct Page {
    addr: SocketAddr,
    cookie: Option<String>,
    end_id: String,
}

impl Page {
    fn open(addr: SocketAddr) -> Result<Page, String> {
        let reply = client::get(addr, "/", TIMEOUT).map_err(|e| format!("GET /: {e}"))?;
        let html = reply.text();
        let end_id = html
            .split("\"end_id\":\"")
            .nth(1)
            .and_then(|rest| rest.split('"').next())
            .ok_or("the page has no end_id")?
            .to_owned();
        let cookie = (!reply.cookies.is_empty()).then(|| reply.cookies.join("; "));
        Ok(Page {
            addr,
            cookie,
            end_id,
        })
    }

    fn post(&self, query: &str, body: &Value) -> Result<Reply, String> {
        let path = format!("/_dash-update-component?endId={}{query}", self.end_id);
        let body = body.to_string();
        let request = http1::request_with_cookie(
            "POST",
            &self.addr.to_string(),
            &path,
            Some(body.as_bytes()),
            "identity",
            self.cookie.as_deref(),
        );
        client::send(self.addr, &request, TIMEOUT).map_err(|e| format!("POST {path}: {e}"))
    }
}

fn job_body(n: Option<u64>, ms: Option<u64>) -> Value {
    json!({
        "output": "job-out.children",
        "outputs": {"id": "job-out", "property": "children"},
        "inputs": [{"id": "job-run", "property": "n_clicks", "value": n}],
        "state": [{"id": "job-ms", "property": "value", "value": ms}],
        "changedPropIds": ["job-run.n_clicks"],
        "parsedChangedPropsIds": ["job-run.n_clicks"],
    })
}

/// The handles of a started job, as the renderer sends them back.
fn handles(first: &Value) -> Result<String, String> {
    let text = |v: &Value| match v {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    };
    let key = first.get("cacheKey").and_then(text);
    let job = first.get("job").and_then(text);
    match (key, job) {
        (Some(k), Some(j)) => Ok(format!("&cacheKey={k}&job={j}")),
        _ => Err(format!("not a job's first answer: {first}")),
    }
}

fn json_of(reply: &Reply) -> Result<Value, String> {
    serde_json::from_slice(&reply.body)
        .map_err(|e| format!("HTTP {}: not JSON ({e}): {}", reply.status, reply.text()))
}

/// When a job's progress and result reached the client.
struct JobTimes {
    first_progress: Option<Duration>,
    result: Duration,
}

/// Starts a job and polls it every `every` until its result.
fn run_job(page: &Page, n: u64, ms: u64, every: Duration) -> Result<JobTimes, String> {
    let started = Instant::now();
    let reply = page.post("", &job_body(Some(n), Some(ms)))?;
    if reply.status != 200 {
        return Err(format!("start: HTTP {}: {}", reply.status, reply.text()));
    }
    let query = handles(&json_of(&reply)?)?;
    let poll = job_body(None, None);
    let mut first_progress = None;
    loop {
        std::thread::sleep(every);
        let reply = page.post(&query, &poll)?;
        if reply.status != 200 {
            return Err(format!("poll: HTTP {}: {}", reply.status, reply.text()));
        }
        let answer = json_of(&reply)?;
        if first_progress.is_none() && answer.get("progress").is_some() {
            first_progress = Some(started.elapsed());
        }
        if let Some(response) = answer.get("response") {
            let want = format!("done {n}");
            if response["job-out"]["children"] != want {
                return Err(format!("wrong result: {answer}"));
            }
            return Ok(JobTimes {
                first_progress,
                result: started.elapsed(),
            });
        }
        if started.elapsed() > Duration::from_secs(60) {
            return Err("no result within 60 s".into());
        }
    }
}

/// Figures of one server.
#[derive(Debug, Default)]
struct Figures {
    jobs_per_sec: f64,
    job_errors: u64,
    polls_per_sec: f64,
    poll_errors: u64,
    first_progress: Duration,
    added_latency: Duration,
    interval: Duration,
}

/// A unique `n_clicks` per job: Python Dash keys a job by its inputs, so
/// two clients with the same inputs would share one.
static NEXT_N: AtomicU64 = AtomicU64::new(1);

fn next_n() -> u64 {
    NEXT_N.fetch_add(1, Ordering::Relaxed)
}

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v.get(v.len() / 2).copied().unwrap_or_default()
}

fn job_rate(addr: SocketAddr, cfg: &JobsConfig) -> Result<(f64, u64), String> {
    let done = Arc::new(AtomicU64::new(0));
    let errors = Arc::new(AtomicU64::new(0));
    let first_error = Arc::new(std::sync::Mutex::new(None::<String>));
    let pages: Vec<Page> = (0..cfg.clients)
        .map(|_| Page::open(addr))
        .collect::<Result<_, _>>()?;
    let started = Instant::now();
    let deadline = started + cfg.measure;
    std::thread::scope(|s| {
        for page in &pages {
            let (done, errors, first_error) = (done.clone(), errors.clone(), first_error.clone());
            s.spawn(move || {
                while Instant::now() < deadline {
                    match run_job(page, next_n(), 0, Duration::from_millis(5)) {
                        Ok(_) => done.fetch_add(1, Ordering::Relaxed),
                        Err(e) => {
                            first_error.lock().unwrap().get_or_insert(e);
                            errors.fetch_add(1, Ordering::Relaxed)
                        }
                    };
                }
            });
        }
    });
    let elapsed = started.elapsed().as_secs_f64();
    if let Some(e) = first_error.lock().unwrap().take() {
        eprintln!("  first job error: {e}");
    }
    Ok((
        done.load(Ordering::Relaxed) as f64 / elapsed,
        errors.load(Ordering::Relaxed),
    ))
}

fn poll_rate(addr: SocketAddr, cfg: &JobsConfig) -> Result<(f64, u64), String> {
    let page = Page::open(addr)?;
    // One job that outlives the window.
    let ms = (cfg.measure.as_millis() as u64) + 5_000;
    let reply = page.post("", &job_body(Some(next_n()), Some(ms)))?;
    let query = handles(&json_of(&reply)?)?;
    let poll = job_body(None, None);
    let answered = AtomicU64::new(0);
    let errors = AtomicU64::new(0);
    let started = Instant::now();
    let deadline = started + cfg.measure;
    std::thread::scope(|s| {
        for _ in 0..cfg.clients {
            s.spawn(|| {
                while Instant::now() < deadline {
                    match page.post(&query, &poll) {
                        Ok(r) if r.status == 200 => answered.fetch_add(1, Ordering::Relaxed),
                        _ => errors.fetch_add(1, Ordering::Relaxed),
                    };
                }
            });
        }
    });
    Ok((
        answered.load(Ordering::Relaxed) as f64 / started.elapsed().as_secs_f64(),
        errors.load(Ordering::Relaxed),
    ))
}

fn measure(addr: SocketAddr, cfg: &JobsConfig, interval: Duration) -> Result<Figures, String> {
    let page = Page::open(addr)?;
    // Warm-up: one job of each kind.
    run_job(&page, next_n(), 0, Duration::from_millis(5))?;
    let mut firsts = Vec::new();
    let mut added = Vec::new();
    for _ in 0..cfg.runs {
        let t = run_job(&page, next_n(), 300, Duration::from_millis(2))?;
        firsts.push(t.first_progress.ok_or("no progress before the result")?);
        let t = run_job(&page, next_n(), 200, interval)?;
        added.push(t.result.saturating_sub(Duration::from_millis(200)));
    }
    let (jobs_per_sec, job_errors) = job_rate(addr, cfg)?;
    let (polls_per_sec, poll_errors) = poll_rate(addr, cfg)?;
    Ok(Figures {
        jobs_per_sec,
        job_errors,
        polls_per_sec,
        poll_errors,
        first_progress: median(firsts),
        added_latency: median(added),
        interval,
    })
}

fn specs(cfg: &JobsConfig, tmp: &Path) -> Vec<(ServerSpec, Duration)> {
    let rust = ServerSpec {
        label: "dash-rs (2 processes, SQLite)".into(),
        program: cfg.app.clone(),
        args: vec![],
        env: vec![
            ("HOST".into(), "127.0.0.1".into()),
            ("PORT".into(), "{port}".into()),
            (
                "DASH_CACHE_URL".into(),
                format!("sqlite://{}", tmp.join("rs-jobs.sqlite").display()),
            ),
            ("DASH_WORKERS".into(), "2".into()),
            ("BENCH_JOB_INTERVAL".into(), "100".into()),
            ("RUST_LOG".into(), "warn".into()),
        ],
        cwd: Some(tmp.to_path_buf()),
        workers: 2,
    };
    let bench_dir = cfg.root.join("bench");
    let python = ServerSpec {
        // One process: DiskcacheManager answers a poll only in the process
        // that started the job (in another, its psutil lookup of the job's
        // process fails with a 500), so two gunicorn workers fail polls.
        label: "Python gthread 1x8, DiskcacheManager".into(),
        program: cfg.venv.join("bin/gunicorn"),
        args: [
            "-w",
            "1",
            "-k",
            "gthread",
            "--threads",
            "8",
            "-b",
            "127.0.0.1:{port}",
            "--timeout",
            "120",
            "--log-level",
            "warning",
            "--chdir",
        ]
        .iter()
        .map(|s| s.to_string())
        .chain([
            bench_dir.display().to_string(),
            "python_jobs_app:server".into(),
        ])
        .collect(),
        env: vec![(
            "BENCH_JOBS_DIR".into(),
            tmp.join("py-jobs").display().to_string(),
        )],
        cwd: Some(tmp.to_path_buf()),
        workers: 1,
    };
    vec![
        (rust, Duration::from_millis(100)),
        (python, Duration::from_millis(1000)),
    ]
}

fn ms(d: Duration) -> String {
    format!("{:.1} ms", d.as_secs_f64() * 1000.0)
}

fn table(results: &[(String, Figures)]) -> String {
    let mut out = String::from(
        "| server | jobs/s (trivial body) | poll answers/s | start to first progress (polled every 2 ms) | added latency, last step to result (poll interval) |\n|---|---|---|---|---|\n",
    );
    for (label, f) in results {
        out.push_str(&format!(
            "| {label} | {:.1} ({} errors) | {:.0} ({} errors) | {} | {} ({} ms) |\n",
            f.jobs_per_sec,
            f.job_errors,
            f.polls_per_sec,
            f.poll_errors,
            ms(f.first_progress),
            ms(f.added_latency),
            f.interval.as_millis()
        ));
    }
    if let [(_, rs), (_, py)] = results {
        let ratio = |a: f64, b: f64| if b > 0.0 { a / b } else { f64::INFINITY };
        out.push_str(&format!(
            "\nRatios: jobs/s {:.1}x (target 20x), poll answers/s {:.1}x; start to first progress {} (target under 50 ms at a 100 ms interval).\n",
            ratio(rs.jobs_per_sec, py.jobs_per_sec),
            ratio(rs.polls_per_sec, py.polls_per_sec),
            ms(rs.first_progress),
        ));
    }
    out
}

/// Runs the background rows; `Ok(false)` if an answer was wrong.
pub fn run(cfg: &JobsConfig) -> Result<bool, Error> {
    let tmp = std::env::temp_dir().join(format!("dash-bench-jobs-{}", std::process::id()));
    std::fs::create_dir_all(&tmp)?;
    let mut results = Vec::new();
    let mut ok = true;
    for (spec, interval) in specs(cfg, &tmp) {
        eprintln!("jobs: {}", spec.label);
        let server = Server::start(&spec, Duration::from_secs(60))?;
        // Ours must answer every request right; the Python twin's errors
        // (DiskcacheManager's psutil races) are reported, not judged.
        let ours = spec.program == cfg.app;
        match measure(server.addr, cfg, interval) {
            Ok(f) => {
                if ours && (f.job_errors > 0 || f.poll_errors > 0 || f.jobs_per_sec == 0.0) {
                    ok = false;
                }
                results.push((spec.label.clone(), f));
            }
            Err(e) => {
                eprintln!("jobs: {}: {e}", spec.label);
                ok &= !ours;
            }
        }
        server.stop();
    }
    let _ = std::fs::remove_dir_all(&tmp);
    let text = table(&results);
    println!("{text}");
    if let Some(out) = &cfg.out {
        std::fs::write(out, format!("# Background callbacks side by side\n\n`bash bench/run.sh --jobs` on this machine (2 cores).\n\n{text}"))?;
    }
    Ok(ok)
}
