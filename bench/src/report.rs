//! The report: one table of rows (every server side by side, with ratios),
//! the targets of the issue, and start time and memory.

use std::fmt::Write as _;
use std::time::Duration;

use crate::loadgen::Outcome;
use crate::runner::Config;
use crate::workload::Row;

/// The figures of one row on one server.
#[derive(Debug, Clone)]
pub struct Measured {
    /// Row name.
    pub row: String,
    /// Server label.
    pub server: String,
    /// Concurrent connections.
    pub connections: usize,
    /// What the load generator saw.
    pub outcome: Outcome,
    /// Resident memory of the server's processes before the row.
    pub rss_before: u64,
    /// Peak resident memory of the server's processes during the row.
    pub peak_rss: u64,
    /// Server CPU time over the run, as a share of all cores.
    pub server_cpu: f64,
    /// Load generator CPU time over the run, as a share of all cores.
    pub loadgen_cpu: f64,
    /// Set when the answer checked before loading was wrong.
    pub check_error: Option<String>,
    /// Size of the request body of store rows.
    pub payload_bytes: Option<usize>,
    /// Bytes of the loaded request (head and body).
    pub request_bytes: usize,
}

/// Start time and idle memory of one server.
#[derive(Debug, Clone)]
pub struct ServerFacts {
    /// Server label.
    pub label: String,
    /// Worker processes.
    pub workers: usize,
    /// Each measured start (spawn to first answered `GET /`).
    pub starts: Vec<Duration>,
    /// Idle resident memory of all its processes.
    pub idle_total: u64,
    /// Idle resident memory of each process.
    pub idle_each: Vec<u64>,
}

impl ServerFacts {
    fn median_start(&self) -> Duration {
        let mut s = self.starts.clone();
        s.sort();
        s.get(s.len() / 2).copied().unwrap_or_default()
    }

    /// The largest process (the busiest worker's share of the total).
    fn largest_process(&self) -> u64 {
        self.idle_each.iter().copied().max().unwrap_or(0)
    }
}

fn mib(bytes: u64) -> String {
    format!("{:.1}", bytes as f64 / 1_048_576.0)
}

fn rate(r: f64) -> String {
    if r >= 1000.0 {
        let n = r.round() as u64;
        let s = n.to_string();
        let mut out = String::new();
        for (i, c) in s.chars().enumerate() {
            if i > 0 && (s.len() - i).is_multiple_of(3) {
                out.push(',');
            }
            out.push(c);
        }
        out
    } else if r >= 100.0 {
        format!("{r:.0}")
    } else {
        format!("{r:.1}")
    }
}

fn ms(v: f64) -> String {
    if v.is_nan() {
        "-".into()
    } else if v < 10.0 {
        format!("{v:.2}")
    } else if v < 100.0 {
        format!("{v:.1}")
    } else {
        format!("{v:.0}")
    }
}

fn pct(v: f64) -> String {
    format!("{:.0}%", v * 100.0)
}

/// One line per measurement, printed while the run goes on.
pub fn one_line(m: &Measured) -> String {
    if let Some(e) = &m.check_error {
        return format!("{}: WRONG ANSWER: {e}", m.row);
    }
    format!(
        "{}: {} req/s, p50 {} ms, p99 {} ms, {} errors, peak RSS {} MiB, server CPU {}, load generator CPU {}",
        m.row,
        rate(m.outcome.rps()),
        ms(m.outcome.percentile_ms(50.0)),
        ms(m.outcome.percentile_ms(99.0)),
        m.outcome.errors.total(),
        mib(m.peak_rss),
        pct(m.server_cpu),
        pct(m.loadgen_cpu)
    )
}

struct Table<'a> {
    measured: &'a [Measured],
}

impl<'a> Table<'a> {
    fn get(&self, row: &str, server_prefix: &str) -> Option<&'a Measured> {
        self.measured.iter().find(|m| {
            m.row == row && m.server.starts_with(server_prefix) && m.check_error.is_none()
        })
    }

    fn ours(&self, row: &str) -> Option<&'a Measured> {
        self.get(row, "dash-rs")
    }

    fn best_python(&self, row: &str) -> Option<&'a Measured> {
        self.measured
            .iter()
            .filter(|m| m.row == row && m.server.starts_with("Python") && m.check_error.is_none())
            .max_by(|a, b| a.outcome.rps().total_cmp(&b.outcome.rps()))
    }

    /// The faster stock Python server of `row` (orjson twin excluded).
    fn best_stock_python(&self, row: &str) -> Option<&'a Measured> {
        self.measured
            .iter()
            .filter(|m| {
                m.row == row
                    && m.server.starts_with("Python")
                    && !m.server.contains("orjson")
                    && m.check_error.is_none()
            })
            .max_by(|a, b| a.outcome.rps().total_cmp(&b.outcome.rps()))
    }

    /// dash-rs over `other`'s rate in `row`.
    fn ratio(&self, row: &str, other: Option<&'a Measured>) -> Option<(f64, &'a str)> {
        let ours = self.ours(row)?;
        let other = other?;
        Some((
            ours.outcome.rps() / other.outcome.rps().max(1e-9),
            other.server.as_str(),
        ))
    }

    fn vs_python(&self, row: &str) -> Option<(f64, &'a str)> {
        let ours = self.ours(row)?;
        let py = self.best_python(row)?;
        Some((
            ours.outcome.rps() / py.outcome.rps().max(1e-9),
            py.server.as_str(),
        ))
    }

    fn of_bare(&self, row: &str) -> Option<f64> {
        let ours = self.ours(row)?;
        let bare = self.get(row, "bare")?;
        Some(ours.outcome.rps() / bare.outcome.rps().max(1e-9))
    }
}

fn machine() -> String {
    let cpu = std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|t| {
            t.lines()
                .find(|l| l.starts_with("model name"))
                .and_then(|l| l.split(':').nth(1))
                .map(|s| s.trim().to_owned())
        })
        .unwrap_or_else(|| "unknown CPU".into());
    let mem = std::fs::read_to_string("/proc/meminfo")
        .ok()
        .and_then(|t| {
            t.lines()
                .next()
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|kb| kb.parse::<u64>().ok())
        })
        .map(|kb| format!("{:.0} GiB RAM", kb as f64 / 1_048_576.0))
        .unwrap_or_default();
    let date = std::process::Command::new("date")
        .args(["-u", "+%Y-%m-%d %H:%M UTC"])
        .output()
        .ok()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_owned())
        .unwrap_or_default();
    format!("{date}; {cpu}; {mem}")
}

/// The whole report, in Markdown.
pub fn render(
    cfg: &Config,
    cores: usize,
    rows: &[Row],
    measured: &[Measured],
    facts: &[ServerFacts],
    binary_size: Option<u64>,
) -> String {
    let t = Table { measured };
    let mut s = String::new();
    let mode = if cfg.smoke {
        "SMOKE run (short rows; figures are not judged)"
    } else {
        "full run"
    };
    let _ = writeln!(s, "# dash-rs vs Python Dash 4.4.1: {mode}\n");
    let _ = writeln!(s, "- Machine: {cores} cores; {}", machine());
    let _ = writeln!(
        s,
        "- Load generator: `dash-bench` on the same machine, closed loop, {} thread(s), keep-alive \
         (the sync workers close each connection), `Accept-Encoding: gzip, deflate, br`; {:.1} s warm-up, then {:.1} s \
         measured; {} round(s) per row alternating between servers (all running), the median round by \
         rate is shown.",
        cfg.threads,
        cfg.warmup.as_secs_f64(),
        cfg.measure.as_secs_f64(),
        cfg.rounds
    );
    let _ = writeln!(
        s,
        "- dash-rs: `{}` with DASH_WORKERS={} (tokio multi-thread runtime, one thread per core), \
         cache SQLite (default) or Redis. Python: dash 4.4.1 under gunicorn, 2 sync workers, 2 gthread \
         workers x 4 threads, and 2 sync workers decoding request JSON with orjson (`+ orjson`, \
         bench/json_decoding.py), Flask-Caching filesystem or Redis. Bare: hyper, parsing the same JSON into \
         borrowed typed structs, fixed answer.",
        cfg.app.file_name().and_then(|f| f.to_str()).unwrap_or("bench_app"),
        cfg.rust_workers
    );
    let _ = writeln!(
        s,
        "- Peak RSS: sum over all processes of a server (gunicorn master and workers), sampled every 20 ms, \
         highest over the rounds; memory per request = (peak - RSS before the row's first round) / connections. \
         CPU: share of all {cores} cores over the row (warm-up included)."
    );
    let _ = writeln!(s, "\n## Rows\n");
    let _ = writeln!(
        s,
        "| row | conns | server | req/s | p50 ms | p99 ms | errors | peak RSS MiB | server CPU | load gen CPU | dash-rs vs best Python; of bare |"
    );
    let _ = writeln!(s, "|---|---|---|---|---|---|---|---|---|---|---|");
    for row in rows {
        for m in measured.iter().filter(|m| m.row == row.name) {
            let ratio = if m.server.starts_with("dash-rs") {
                let mut parts = Vec::new();
                if let Some((r, who)) = t.vs_python(&row.name) {
                    parts.push(format!("**{r:.1}x** {who}"));
                }
                if let Some(b) = t.of_bare(&row.name) {
                    parts.push(format!("**{}** of bare", pct(b)));
                }
                parts.join("; ")
            } else {
                String::new()
            };
            if let Some(e) = &m.check_error {
                let _ = writeln!(
                    s,
                    "| {} | {} | {} | WRONG ANSWER: {} | | | | | | | |",
                    m.row,
                    m.connections,
                    m.server,
                    e.replace('|', "/")
                );
                continue;
            }
            let o = &m.outcome;
            let _ = writeln!(
                s,
                "| {} | {} | {} | {} | {} | {} | {} | {} | {} | {} | {} |",
                m.row,
                m.connections,
                m.server,
                rate(o.rps()),
                ms(o.percentile_ms(50.0)),
                ms(o.percentile_ms(99.0)),
                o.errors.total(),
                mib(m.peak_rss),
                pct(m.server_cpu),
                pct(m.loadgen_cpu),
                ratio
            );
        }
    }

    let wire: Vec<&Measured> = measured
        .iter()
        .filter(|m| m.row.starts_with("unit change") && m.check_error.is_none())
        .collect();
    if !wire.is_empty() {
        let _ = writeln!(s, "\n## Bytes on the wire per unit change\n");
        let _ = writeln!(
            s,
            "| row | server | request bytes | answer bytes (as sent) |"
        );
        let _ = writeln!(s, "|---|---|---|---|");
        for m in wire {
            let answer = m.outcome.bytes_read as f64 / (m.outcome.ok.max(1)) as f64;
            let _ = writeln!(
                s,
                "| {} | {} | {} | {:.0} |",
                m.row, m.server, m.request_bytes, answer
            );
        }
    }

    let _ = writeln!(s, "\n## Start and memory\n");
    let _ = writeln!(
        s,
        "| server | start to first answer (median of {}) | idle RSS, all processes MiB | idle RSS per process MiB |",
        cfg.startup_runs
    );
    let _ = writeln!(s, "|---|---|---|---|");
    for f in facts {
        let each: Vec<String> = f.idle_each.iter().map(|b| mib(*b)).collect();
        let _ = writeln!(
            s,
            "| {} | {} ms | {} | {} |",
            f.label,
            ms(f.median_start().as_secs_f64() * 1000.0),
            mib(f.idle_total),
            each.join(" + ")
        );
    }
    if let Some(size) = binary_size {
        let _ = writeln!(
            s,
            "\nBinary `{}`: {:.1} MB ({} bytes; the front end is embedded: renderer, React, dcc, html, \
             dash_table, plotly.js, each raw, gzip and brotli).",
            cfg.app.display(),
            size as f64 / 1e6,
            size
        );
    }

    let _ = writeln!(s, "\n## Targets\n");
    let _ = writeln!(s, "| target | measured | met |");
    let _ = writeln!(s, "|---|---|---|");
    let judge = |ok: Option<bool>| -> &'static str {
        match (cfg.smoke, ok) {
            (true, _) => "not judged (smoke)",
            (false, Some(true)) => "yes",
            (false, Some(false)) => "**NO**",
            (false, None) => "not measured",
        }
    };
    let mut target = |name: String, measured: Option<String>, ok: Option<bool>| {
        let _ = writeln!(
            s,
            "| {name} | {} | {} |",
            measured.unwrap_or_else(|| "-".into()),
            judge(ok)
        );
    };
    for row in ["echo callback", "4-output callback"] {
        let v = t.vs_python(row);
        target(
            format!("{row}: >= 12x Python req/s"),
            v.map(|(r, who)| format!("{r:.1}x ({who})")),
            v.map(|(r, _)| r >= 12.0),
        );
        let b = t.of_bare(row);
        target(
            format!("{row}: >= 75% of the bare server"),
            b.map(pct),
            b.map(|b| b >= 0.75),
        );
        let p99 = t.ours(row).map(|m| m.outcome.percentile_ms(99.0));
        target(
            format!("{row}: p99 < 3 ms at 32 connections"),
            p99.map(|p| format!("{} ms", ms(p))),
            p99.map(|p| p < 3.0),
        );
    }
    for row in [
        "store 1 MB -> typed records",
        "store 10 MB -> typed records",
    ] {
        let v = t.vs_python(row);
        target(
            format!("{row}: >= 4x Python req/s"),
            v.map(|(r, who)| format!("{r:.1}x ({who})")),
            v.map(|(r, _)| r >= 4.0),
        );
    }
    let browser = "unit change 10 MB: dataset in a dcc.Store";
    let v = t.ratio(browser, t.best_stock_python(browser));
    target(
        format!("{browser}: >= 6x stock Python req/s"),
        v.map(|(r, who)| format!("{r:.1}x ({who})")),
        v.map(|(r, _)| r >= 6.0),
    );
    let v = t.ratio(browser, t.get(browser, "Python sync 2 + orjson"));
    target(
        format!("{browser}: ahead of Python + orjson"),
        v.map(|(r, who)| format!("{r:.1}x ({who})")),
        v.map(|(r, _)| r > 1.0),
    );
    let server = "unit change 10 MB: ServerStore vs dash-extensions Serverside";
    let v = t.ratio(server, t.ours(browser));
    target(
        format!("{server}: >= 50x the dcc.Store row"),
        v.map(|(r, _)| format!("{r:.1}x")),
        v.map(|(r, _)| r >= 50.0),
    );
    let v = t.vs_python(server);
    target(
        format!("{server}: >= 5x dash-extensions Serverside"),
        v.map(|(r, who)| format!("{r:.1}x ({who})")),
        v.map(|(r, _)| r >= 5.0),
    );
    let mem = t.ours("store 10 MB -> typed records").and_then(|m| {
        let payload = m.payload_bytes? as f64;
        let per_request = m.peak_rss.saturating_sub(m.rss_before) as f64 / m.connections as f64;
        Some((per_request / payload, per_request))
    });
    target(
        "store 10 MB: server memory <= 4x payload per concurrent request".into(),
        mem.map(|(ratio, per)| {
            format!(
                "{ratio:.2}x ((peak - before) / connections = {} MiB)",
                mib(per as u64)
            )
        }),
        mem.map(|(ratio, _)| ratio <= 4.0),
    );
    for row in [
        "cache hit 1 MB: SQLite vs filesystem",
        "cache hit 1 MB: Redis vs Redis",
    ] {
        let v = t.vs_python(row);
        target(
            format!("{row}: >= 5x Python req/s"),
            v.map(|(r, who)| format!("{r:.1}x ({who})")),
            v.map(|(r, _)| r >= 5.0),
        );
    }
    let ours = facts.iter().find(|f| f.label.starts_with("dash-rs"));
    let start = ours.map(|f| f.median_start().as_secs_f64() * 1000.0);
    target(
        "start to first answer < 100 ms".into(),
        start.map(|v| format!("{} ms", ms(v))),
        start.map(|v| v < 100.0),
    );
    let idle = ours.map(|f| f.largest_process());
    target(
        "idle memory < 30 MB per worker".into(),
        idle.map(|b| format!("{} MiB (largest process)", mib(b))),
        idle.map(|b| (b as f64) < 30e6),
    );
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn number_formats() {
        assert_eq!(rate(87_123.4), "87,123");
        assert_eq!(rate(1_234_567.0), "1,234,567");
        assert_eq!(rate(150.4), "150");
        assert_eq!(rate(4.56), "4.6");
        assert_eq!(ms(0.4567), "0.46");
        assert_eq!(ms(45.67), "45.7");
        assert_eq!(ms(f64::NAN), "-");
        assert_eq!(mib(3 * 1_048_576), "3.0");
    }
}
