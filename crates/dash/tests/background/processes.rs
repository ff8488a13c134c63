//! The built `background_progress` example as real processes: two
//! workers, the worker running a job killed with SIGKILL (the job ends with
//! an error once its lease lapses, the page never polls forever), and a
//! cancel taken by another server sharing the SQLite file reaching the job.

use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::Value;

use super::client::{eventually, metric, Page};
use super::support::{example, free_port, kill9};
use super::{run_body, temp_sqlite};

/// The example with its log in a file.
struct App {
    child: Child,
    port: u16,
    log: PathBuf,
}

impl App {
    fn start(name: &str, url: &str, envs: &[(&str, &str)], workers: u32) -> App {
        let port = free_port();
        let log =
            std::env::temp_dir().join(format!("dash-bg-{}-{name}-{port}.log", std::process::id()));
        let file = std::fs::File::create(&log).unwrap();
        let mut cmd = Command::new(example("background_progress"));
        cmd.args(["--workers", &workers.to_string()])
            .env("PORT", port.to_string())
            .env("HOST", "127.0.0.1")
            .env("RUST_LOG", "info")
            .env("NO_COLOR", "1")
            .env("DASH_CACHE_URL", url)
            .env("DASH_METRICS", "1")
            .stdout(Stdio::from(file.try_clone().unwrap()))
            .stderr(Stdio::from(file));
        for (k, v) in envs {
            cmd.env(k, v);
        }
        let app = App {
            child: cmd.spawn().unwrap(),
            port,
            log,
        };
        let deadline = Instant::now() + Duration::from_secs(30);
        while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(Instant::now() < deadline, "the example did not start");
            std::thread::sleep(Duration::from_millis(50));
        }
        app
    }

    fn base(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    fn log(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }

    /// The worker that logged the start of job `short` (its first 8 hex
    /// digits).
    fn worker_of(&self, short: &str) -> Option<u32> {
        let log = self.log();
        let line = log
            .lines()
            .find(|l| l.contains("background job started") && l.contains(short))?;
        let at = line.find("pid=")? + 4;
        line[at..]
            .split(|c: char| !c.is_ascii_digit())
            .next()?
            .parse()
            .ok()
    }
}

impl Drop for App {
    fn drop(&mut self) {
        let _ = Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status();
        let deadline = Instant::now() + Duration::from_secs(10);
        while Instant::now() < deadline {
            if let Ok(Some(_)) = self.child.try_wait() {
                return;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A poll that tolerates a connection to a killed worker.
async fn poll(page: &Page, job: &super::client::Job) -> (u16, Value) {
    for _ in 0..20 {
        let url = format!(
            "{}/_dash-update-component?endId={}&cacheKey={}&job={}",
            page.base, page.end_id, job.cache_key, job.job
        );
        let r = super::client::client()
            .post(url)
            .header("cookie", &page.cookie)
            .json(&super::client::blank(&run_body(1)))
            .send()
            .await;
        if let Ok(r) = r {
            let status = r.status().as_u16();
            let text = r.text().await.unwrap_or_default();
            return (status, serde_json::from_str(&text).unwrap_or(Value::Null));
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("no worker answered");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_job_whose_worker_is_killed_fails_within_its_lease() {
    const LEASE_MS: u64 = 1500;
    let url = temp_sqlite("kill");
    let app = App::start(
        "kill",
        &url,
        &[
            ("STEPS", "100"),
            ("STEP_MS", "100"),
            ("DASH_JOB_LEASE_MS", &LEASE_MS.to_string()),
        ],
        2,
    );
    let page = Page::open(&app.base()).await;
    let job = page.start(&run_body(1), "").await;
    let short = &job.job[..8];
    let mut worker = None;
    assert!(
        eventually(Duration::from_secs(10), || {
            let w = app.worker_of(short);
            worker = w;
            async move { w.is_some() }
        })
        .await,
        "the start is logged with its worker"
    );
    let worker = worker.unwrap();
    // Running: progress arrives.
    assert!(
        eventually(Duration::from_secs(20), || {
            let (page, job) = (page.clone(), job.clone());
            async move { poll(&page, &job).await.1["progress"]["progress.value"].is_string() }
        })
        .await
    );
    kill9(worker);
    let killed = Instant::now();
    let (status, answer) = loop {
        let (status, answer) = poll(&page, &job).await;
        if status != 200 {
            break (status, answer);
        }
        assert!(
            killed.elapsed() < Duration::from_millis(LEASE_MS + 5_000),
            "still polling {:?} after the kill",
            killed.elapsed()
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    let took = killed.elapsed();
    assert_eq!(status, 500, "{answer}");
    assert_eq!(answer["error"], "callback_failed");
    assert!(
        took <= Duration::from_millis(LEASE_MS + 2_500),
        "ended {took:?} after the kill, lease {LEASE_MS} ms"
    );
    println!("killed worker: the job ended with 500 after {took:?} (lease {LEASE_MS} ms)");
    assert!(
        app.log().contains("its lease (1500 ms) was not renewed"),
        "{}",
        app.log()
    );
    // The chain is over: later polls answer 204.
    assert_eq!(poll(&page, &job).await.0, 204);
    assert!(
        eventually(Duration::from_secs(5), || {
            let page = page.clone();
            async move { metric(&page.metrics().await, "dash_jobs_failed_total") == 1 }
        })
        .await
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_cancel_taken_by_another_server_reaches_the_job() {
    let url = temp_sqlite("cross-cancel");
    let envs = [("STEPS", "100"), ("STEP_MS", "100")];
    let a = App::start("cross-a", &url, &envs, 1);
    let b = App::start("cross-b", &url, &envs, 1);
    let page = Page::open(&a.base()).await;
    let job = page.start(&run_body(1), "").await;
    // The same page, its requests now answered by the other server.
    let mut on_b = page.clone();
    on_b.base = b.base();
    assert!(
        eventually(Duration::from_secs(20), || {
            let (p, job) = (on_b.clone(), job.clone());
            async move { poll(&p, &job).await.1["progress"]["progress.value"].is_string() }
        })
        .await,
        "server b answers polls of server a's job"
    );
    let cancel = super::cancel_body_for("cancel");
    let (status, _) = on_b.post(&format!("cancelJob={}", job.job), &cancel).await;
    assert_eq!(status, 200);
    assert_eq!(poll(&page, &job).await.0, 204);
    // The job on server a stopped: nothing runs any more.
    assert!(
        eventually(Duration::from_secs(10), || {
            let page = page.clone();
            async move {
                let m = page.metrics().await;
                metric(&m, "dash_jobs_running") == 0 && metric(&m, "dash_jobs_cancelled_total") == 1
            }
        })
        .await,
        "{}",
        page.metrics().await
    );
    assert!(a.worker_of(&job.job[..8]).is_some(), "server a ran it");
}
