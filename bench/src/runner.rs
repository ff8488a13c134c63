//! One benchmark run: start each server, check its answers, drive every row,
//! collect the figures and print the table.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

use crate::client;
use crate::http1;
use crate::loadgen::{self, Outcome, Plan};
use crate::procfs::{self, PeakSampler};
use crate::report::{self, Measured, ServerFacts};
use crate::servers::{free_port, Server, ServerSpec};
use crate::workload::{self, CacheKind, Row, Target};
use crate::Error;

/// What the browser sends; the servers compress (or not) as they would.
const ACCEPT_ENCODING: &str = "gzip, deflate, br";

/// Options of `dash-bench run`.
#[derive(Debug, Clone)]
pub struct Config {
    /// Short rows (CI): figures are not judged against the targets.
    pub smoke: bool,
    /// Load before each measured window.
    pub warmup: Duration,
    /// Measured window per row and server.
    pub measure: Duration,
    /// Only rows whose name contains this.
    pub only: Option<String>,
    /// Also write the report (Markdown) here.
    pub out: Option<PathBuf>,
    /// The Rust twin (`bench_app`).
    pub app: PathBuf,
    /// Virtual environment with dash, gunicorn and Flask-Caching.
    pub venv: PathBuf,
    /// `redis-server` to start for the Redis rows.
    pub redis_server: PathBuf,
    /// Threads of the load generator.
    pub threads: usize,
    /// `DASH_WORKERS` of the Rust twin.
    pub rust_workers: usize,
    /// Starts per server for the median start time.
    pub startup_runs: usize,
    /// Measurements per row and server, alternating between servers; the
    /// median by rate is reported.
    pub rounds: usize,
    /// The repository root (for `bench/python_app.py`).
    pub root: PathBuf,
}

impl Config {
    /// Parses `dash-bench run` arguments.
    pub fn from_args(args: &[String]) -> Result<Config, Error> {
        let root = Path::new(env!("CARGO_MANIFEST_DIR"))
            .parent()
            .map(Path::to_path_buf)
            .unwrap_or_default();
        let mut c = Config {
            smoke: false,
            warmup: Duration::from_secs(1),
            measure: Duration::from_secs(3),
            only: None,
            out: None,
            app: root.join("target/release/examples/bench_app"),
            venv: root.join(".venv"),
            redis_server: PathBuf::from("redis-server"),
            threads: 1,
            rust_workers: 1,
            startup_runs: 5,
            rounds: 3,
            root,
        };
        let mut it = args.iter();
        let secs = |v: Option<&String>, name: &str| -> Result<Duration, Error> {
            v.and_then(|s| s.parse::<f64>().ok())
                .filter(|s| *s > 0.0)
                .map(Duration::from_secs_f64)
                .ok_or_else(|| Error::Usage(format!("{name} needs a number of seconds")))
        };
        let count = |v: Option<&String>, name: &str| -> Result<usize, Error> {
            v.and_then(|s| s.parse::<usize>().ok())
                .filter(|n| *n > 0)
                .ok_or_else(|| Error::Usage(format!("{name} needs a positive number")))
        };
        let path = |v: Option<&String>, name: &str| -> Result<PathBuf, Error> {
            v.map(PathBuf::from)
                .ok_or_else(|| Error::Usage(format!("{name} needs a path")))
        };
        let mut measure_set = false;
        let mut warmup_set = false;
        while let Some(a) = it.next() {
            match a.as_str() {
                "--smoke" => c.smoke = true,
                "--secs" => {
                    c.measure = secs(it.next(), a)?;
                    measure_set = true;
                }
                "--warmup" => {
                    c.warmup = secs(it.next(), a)?;
                    warmup_set = true;
                }
                "--only" => c.only = Some(path(it.next(), a)?.display().to_string()),
                "--out" => c.out = Some(path(it.next(), a)?),
                "--app" => c.app = path(it.next(), a)?,
                "--venv" => c.venv = path(it.next(), a)?,
                "--redis-server" => c.redis_server = path(it.next(), a)?,
                "--threads" => c.threads = count(it.next(), a)?,
                "--rust-workers" => c.rust_workers = count(it.next(), a)?,
                "--startup-runs" => c.startup_runs = count(it.next(), a)?,
                "--rounds" => c.rounds = count(it.next(), a)?,
                other => return Err(Error::Usage(format!("unknown option {other:?}"))),
            }
        }
        // Servers run in a temporary directory: make paths absolute.
        let cwd = std::env::current_dir()?;
        c.app = cwd.join(&c.app);
        c.venv = cwd.join(&c.venv);
        if c.smoke {
            if !measure_set {
                c.measure = Duration::from_secs(1);
            }
            if !warmup_set {
                c.warmup = Duration::from_millis(200);
            }
            c.startup_runs = 1;
            c.rounds = 1;
        }
        Ok(c)
    }
}

/// A redis-server of our own on a free port, stopped on drop.
struct Redis {
    child: Child,
    port: u16,
}

impl Redis {
    fn start(program: &Path) -> Result<Redis, Error> {
        let port = free_port()?;
        let child = Command::new(program)
            .args(["--port", &port.to_string(), "--bind", "127.0.0.1"])
            .args(["--save", "", "--appendonly", "no"])
            .stdout(Stdio::null())
            .stderr(Stdio::inherit())
            .spawn()
            .map_err(|e| Error::Start {
                server: "redis-server".into(),
                reason: format!("{}: {e}", program.display()),
            })?;
        let redis = Redis { child, port };
        let t0 = Instant::now();
        while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
            if t0.elapsed() > Duration::from_secs(10) {
                return Err(Error::Start {
                    server: "redis-server".into(),
                    reason: "not listening after 10 s".into(),
                });
            }
            std::thread::sleep(Duration::from_millis(10));
        }
        Ok(redis)
    }
}

impl Drop for Redis {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The servers of one group, in table order.
fn specs(cfg: &Config, cache: CacheKind, redis_port: Option<u16>, tmp: &Path) -> Vec<ServerSpec> {
    let bench_dir = cfg.root.join("bench");
    let tag = match cache {
        CacheKind::Disk => "disk",
        CacheKind::Redis => "redis",
        CacheKind::Serverside => "serverside",
    };
    let python_app = match cache {
        CacheKind::Serverside => "python_serverside_app:server",
        _ => "python_app:server",
    };
    let rust_cache = match (cache, redis_port) {
        (CacheKind::Redis, Some(p)) => format!("redis://127.0.0.1:{p}/0"),
        _ => format!("sqlite://{}", tmp.join("rs-cache.sqlite").display()),
    };
    let mut out = vec![ServerSpec {
        label: format!(
            "dash-rs ({} process{})",
            cfg.rust_workers,
            if cfg.rust_workers == 1 { "" } else { "es" }
        ),
        program: cfg.app.clone(),
        args: vec![],
        env: vec![
            ("HOST".into(), "127.0.0.1".into()),
            ("PORT".into(), "{port}".into()),
            ("DASH_CACHE_URL".into(), rust_cache),
            ("DASH_WORKERS".into(), cfg.rust_workers.to_string()),
            ("RUST_LOG".into(), "warn".into()),
        ],
        cwd: Some(tmp.to_path_buf()),
        workers: cfg.rust_workers,
    }];
    // The stock twin with sync and gthread workers, and sync workers whose
    // request JSON is decoded with orjson (bench/json_decoding.py).
    for (label, extra, orjson) in [
        ("Python sync 2", vec![], false),
        (
            "Python gthread 2x4",
            vec!["-k", "gthread", "--threads", "4"],
            false,
        ),
        ("Python sync 2 + orjson", vec![], true),
    ] {
        let mut env = vec![(
            "BENCH_CACHE_DIR".to_owned(),
            tmp.join(format!("py-cache-{tag}-{}", label.replace(' ', "-")))
                .display()
                .to_string(),
        )];
        if orjson {
            env.push(("BENCH_ORJSON".into(), "1".into()));
        }
        if let (CacheKind::Redis, Some(p)) = (cache, redis_port) {
            env.push(("BENCH_CACHE".into(), "redis".into()));
            env.push(("BENCH_REDIS_URL".into(), format!("redis://127.0.0.1:{p}/1")));
        }
        let mut args: Vec<String> = ["-w", "2", "-b", "127.0.0.1:{port}", "--timeout", "120"]
            .iter()
            .map(|s| s.to_string())
            .collect();
        args.extend(extra.iter().map(|s| s.to_string()));
        args.extend(["--log-level", "warning", "--chdir"].map(String::from));
        args.push(bench_dir.display().to_string());
        args.push(python_app.into());
        out.push(ServerSpec {
            label: label.into(),
            program: cfg.venv.join("bin/gunicorn"),
            args,
            env,
            cwd: Some(tmp.to_path_buf()),
            workers: 2,
        });
    }
    if cache == CacheKind::Disk {
        let me = std::env::current_exe().unwrap_or_else(|_| PathBuf::from("dash-bench"));
        out.push(ServerSpec {
            label: "bare hyper".into(),
            program: me,
            args: vec!["bare".into(), "--port".into(), "{port}".into()],
            env: vec![],
            cwd: None,
            workers: 1,
        });
    }
    out
}

fn is_bare(spec: &ServerSpec) -> bool {
    spec.label == "bare hyper"
}

/// Runs the whole benchmark and prints the report. `Ok(false)` when an
/// answer was wrong or a row got no answer at all.
pub fn run(cfg: &Config) -> Result<bool, Error> {
    let rows: Vec<Row> = workload::rows()
        .into_iter()
        .filter(|r| {
            cfg.only
                .as_ref()
                .is_none_or(|o| r.name.contains(o.as_str()))
        })
        .collect();
    if rows.is_empty() {
        return Err(Error::Usage("--only matches no row".into()));
    }
    let tmp = std::env::temp_dir().join(format!("dash-bench-{}", std::process::id()));
    std::fs::create_dir_all(&tmp)?;
    let result = run_in(cfg, &rows, &tmp);
    let _ = std::fs::remove_dir_all(&tmp);
    result
}

fn run_in(cfg: &Config, rows: &[Row], tmp: &Path) -> Result<bool, Error> {
    let cores = std::thread::available_parallelism().map_or(1, usize::from);
    let redis = if rows.iter().any(|r| r.cache == CacheKind::Redis) {
        Some(Redis::start(&cfg.redis_server)?)
    } else {
        None
    };
    let mut measured: Vec<Measured> = Vec::new();
    let mut facts: Vec<ServerFacts> = Vec::new();
    for cache in [CacheKind::Disk, CacheKind::Redis, CacheKind::Serverside] {
        let here: Vec<&Row> = rows.iter().filter(|r| r.cache == cache).collect();
        if here.is_empty() {
            continue;
        }
        // Every server of the group runs at once, idle unless measured, so
        // that rounds can alternate between them: drift of the machine
        // (other load, CPU frequency) then falls on all of them alike.
        let mut servers: Vec<Server> = Vec::new();
        for spec in specs(cfg, cache, redis.as_ref().map(|r| r.port), tmp) {
            let needed = here.iter().any(|r| !is_bare(&spec) || r.with_bare);
            if !needed {
                continue;
            }
            let mut starts = Vec::new();
            if cache == CacheKind::Disk && !is_bare(&spec) {
                for _ in 1..cfg.startup_runs {
                    let s = Server::start(&spec, Duration::from_secs(60))?;
                    starts.push(s.start_to_first_answer);
                    s.stop();
                }
            }
            let server = Server::start(&spec, Duration::from_secs(60))?;
            starts.push(server.start_to_first_answer);
            std::thread::sleep(Duration::from_millis(if cfg.smoke { 200 } else { 1000 }));
            let (idle_total, idle_each) = server.memory();
            eprintln!(
                "== {}: started in {:.1} ms, idle {:.1} MiB",
                spec.label,
                server.start_to_first_answer.as_secs_f64() * 1000.0,
                idle_total as f64 / 1_048_576.0
            );
            if cache == CacheKind::Disk && !is_bare(&spec) {
                facts.push(ServerFacts {
                    label: spec.label.clone(),
                    workers: spec.workers,
                    starts,
                    idle_total,
                    idle_each,
                });
            }
            servers.push(server);
        }
        for row in &here {
            let mut rounds: Vec<Vec<Measured>> = vec![Vec::new(); servers.len()];
            for round in 0..cfg.rounds {
                for (i, server) in servers.iter().enumerate() {
                    if is_bare(&server.spec) && !row.with_bare {
                        continue;
                    }
                    let m = measure(cfg, cores, server, row);
                    eprintln!(
                        "   [{}] {} | {}",
                        round + 1,
                        server.spec.label,
                        report::one_line(&m)
                    );
                    let wrong = m.check_error.is_some();
                    rounds[i].push(m);
                    if wrong {
                        break;
                    }
                }
            }
            for r in rounds.into_iter().filter(|r| !r.is_empty()) {
                measured.push(median_round(r));
            }
        }
        for server in servers {
            server.stop();
        }
    }
    let binary_size = std::fs::metadata(&cfg.app).map(|m| m.len()).ok();
    let text = report::render(cfg, cores, rows, &measured, &facts, binary_size);
    println!("{text}");
    if let Some(out) = &cfg.out {
        std::fs::write(out, &text)?;
    }
    // A smoke row may be too short for one answer of a debug build (10 MB);
    // its answer was still checked before the load.
    let all_ok = measured.iter().all(|m| {
        m.check_error.is_none() && m.outcome.errors.total() == 0 && (cfg.smoke || m.outcome.ok > 0)
    });
    Ok(all_ok)
}

/// The round with the median rate (a wrong answer wins: it must be seen).
/// Memory is taken over all rounds: resident memory before the first round
/// and the highest peak of any round, so memory kept from one round does not
/// hide the next round's growth.
fn median_round(mut rounds: Vec<Measured>) -> Measured {
    if let Some(i) = rounds.iter().position(|m| m.check_error.is_some()) {
        return rounds.swap_remove(i);
    }
    let before = rounds.first().map_or(0, |m| m.rss_before);
    let peak = rounds.iter().map(|m| m.peak_rss).max().unwrap_or(0);
    rounds.sort_by(|a, b| a.outcome.rps().total_cmp(&b.outcome.rps()));
    let mid = rounds.len() / 2;
    let mut m = rounds.swap_remove(mid);
    m.rss_before = before;
    m.peak_rss = peak;
    m
}

/// The address of the renderer's main bundle as the page links it.
fn renderer_path(addr: SocketAddr) -> Result<String, String> {
    let page = client::get(addr, "/", Duration::from_secs(10)).map_err(|e| e.to_string())?;
    let html = page.text();
    html.split("src=\"")
        .skip(1)
        .filter_map(|s| s.split('"').next())
        .find(|src| src.contains("dash_renderer") && src.ends_with(".min.js"))
        .map(str::to_owned)
        .ok_or_else(|| "the page links no dash_renderer*.min.js".to_owned())
}

/// Checks one answer, then loads the server with the row's request.
fn measure(cfg: &Config, cores: usize, server: &Server, row: &Row) -> Measured {
    let addr = server.addr;
    let host = addr.to_string();
    let timeout = Duration::from_secs(60);
    let mut request_bytes = 0usize;
    let prepared: Result<Vec<u8>, String> = match &row.target {
        Target::Get(path) => client::get(addr, path, timeout)
            .map_err(|e| e.to_string())
            .and_then(|r| check_status(&r))
            .map(|_| http1::request("GET", &host, path, None, ACCEPT_ENCODING)),
        Target::RendererBundle => renderer_path(addr).and_then(|path| {
            let r = client::get(addr, &path, timeout).map_err(|e| e.to_string())?;
            check_status(&r)?;
            Ok(http1::request("GET", &host, &path, None, ACCEPT_ENCODING))
        }),
        Target::Chained {
            setup,
            store,
            template,
            expect,
        } => chained(
            addr,
            &host,
            setup,
            store,
            template,
            expect,
            timeout,
            &mut request_bytes,
        ),
        Target::Update { body, expect } => {
            client::post_json(addr, "/_dash-update-component", body, timeout)
                .map_err(|e| e.to_string())
                .and_then(|r| {
                    check_status(&r)?;
                    if server.spec.label == "bare hyper" {
                        Ok(())
                    } else {
                        workload::check(expect, &r.body)
                    }
                })
                .map(|_| {
                    http1::request(
                        "POST",
                        &host,
                        "/_dash-update-component",
                        Some(body),
                        ACCEPT_ENCODING,
                    )
                })
        }
    };
    let mut m = Measured {
        row: row.name.clone(),
        server: server.spec.label.clone(),
        connections: row.connections,
        outcome: Outcome::default(),
        rss_before: 0,
        peak_rss: 0,
        server_cpu: 0.0,
        loadgen_cpu: 0.0,
        check_error: None,
        payload_bytes: row.payload_bytes,
        request_bytes: 0,
    };
    let request = match prepared {
        Ok(r) => {
            m.request_bytes = if request_bytes > 0 {
                request_bytes
            } else {
                r.len()
            };
            r
        }
        Err(e) => {
            m.check_error = Some(e);
            return m;
        }
    };
    let pids = procfs::tree(server.pid());
    m.rss_before = procfs::rss_sum(&pids);
    let server_cpu0 = server.cpu_seconds();
    let own_cpu0 = procfs::own_cpu_seconds();
    let t0 = Instant::now();
    let sampler = PeakSampler::start(server.pid(), Duration::from_millis(20));
    m.outcome = loadgen::run(&Plan {
        addr,
        request: Arc::new(request),
        connections: row.connections,
        warmup: cfg.warmup,
        measure: cfg.measure,
        timeout: Duration::from_secs(30),
        threads: cfg.threads,
    });
    m.peak_rss = sampler.finish();
    let capacity = t0.elapsed().as_secs_f64() * cores as f64;
    m.server_cpu = (server.cpu_seconds() - server_cpu0) / capacity;
    m.loadgen_cpu = (procfs::own_cpu_seconds() - own_cpu0) / capacity;
    m
}

/// A chained row: the setup request (a new session writes the store), then
/// one checked answer of the loaded request, which is returned.
#[allow(clippy::too_many_arguments)]
fn chained(
    addr: SocketAddr,
    host: &str,
    setup: &[u8],
    store: &str,
    template: &serde_json::Value,
    expect: &workload::Expect,
    timeout: Duration,
    request_bytes: &mut usize,
) -> Result<Vec<u8>, String> {
    let r = client::post_json(addr, "/_dash-update-component", setup, timeout)
        .map_err(|e| e.to_string())?;
    check_status(&r)?;
    let answer: serde_json::Value =
        serde_json::from_slice(&r.body).map_err(|e| format!("setup answer is not JSON: {e}"))?;
    let data = answer
        .pointer(&format!("/response/{store}/data"))
        .cloned()
        .ok_or_else(|| format!("the setup answer has no {store}.data"))?;
    let body = workload::chained_body(template, data);
    let cookie = (!r.cookies.is_empty()).then(|| r.cookies.join("; "));
    let request = http1::request_with_cookie(
        "POST",
        host,
        "/_dash-update-component",
        Some(&body),
        ACCEPT_ENCODING,
        cookie.as_deref(),
    );
    let first = client::send(addr, &request, timeout).map_err(|e| e.to_string())?;
    check_status(&first)?;
    let plain = if first.content_encoding.is_some() {
        // Checked uncompressed: ask once more without compression.
        let again = http1::request_with_cookie(
            "POST",
            host,
            "/_dash-update-component",
            Some(&body),
            "identity",
            cookie.as_deref(),
        );
        client::send(addr, &again, timeout).map_err(|e| e.to_string())?
    } else {
        first
    };
    workload::check(expect, &plain.body)?;
    *request_bytes = request.len();
    Ok(request)
}

fn check_status(r: &client::Reply) -> Result<(), String> {
    if r.status == 200 && !r.body.is_empty() {
        Ok(())
    } else {
        let text = r.text();
        Err(format!(
            "answer {} {:?}",
            r.status,
            &text[..text.len().min(300)]
        ))
    }
}
