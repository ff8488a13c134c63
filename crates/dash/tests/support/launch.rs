//! Processes started without waiting on async code (the connection, body
//! and process tests): launch options, signals, memory from `/proc`, raw
//! exchanges over TCP.

pub use super::{example, free_port};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// Polls `done` every 20 ms until it is true or `limit` has passed; returns
/// how long it took, or `None`.
pub fn poll_until(limit: Duration, mut done: impl FnMut() -> bool) -> Option<Duration> {
    let start = Instant::now();
    loop {
        if done() {
            return Some(start.elapsed());
        }
        if start.elapsed() > limit {
            return None;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// Whether a process with this id exists (and is not a zombie).
pub fn alive(pid: u32) -> bool {
    match std::fs::read_to_string(format!("/proc/{pid}/stat")) {
        Ok(stat) => stat
            .rsplit_once(") ")
            .is_some_and(|(_, rest)| !rest.starts_with('Z')),
        Err(_) => false,
    }
}

/// Processes whose environment holds `NAME=value` (how a test finds the
/// workers it started, even after they were re-parented).
pub fn processes_with_env(name: &str, value: &str) -> Vec<u32> {
    let needle = format!("{name}={value}");
    let Ok(dir) = std::fs::read_dir("/proc") else {
        return Vec::new();
    };
    dir.filter_map(|e| e.ok()?.file_name().to_str()?.parse::<u32>().ok())
        .filter(|pid| {
            std::fs::read(format!("/proc/{pid}/environ")).is_ok_and(|env| {
                env.split(|&b| b == 0)
                    .any(|entry| entry == needle.as_bytes())
            })
        })
        .filter(|&pid| alive(pid))
        .collect()
}

/// Resident memory of a process in bytes (`VmRSS`).
pub fn resident_bytes(pid: u32) -> u64 {
    status_kib(pid, "VmRSS:") * 1024
}

/// Peak resident memory of a process in bytes (`VmHWM`).
pub fn peak_resident_bytes(pid: u32) -> u64 {
    status_kib(pid, "VmHWM:") * 1024
}

fn status_kib(pid: u32, field: &str) -> u64 {
    std::fs::read_to_string(format!("/proc/{pid}/status"))
        .unwrap_or_default()
        .lines()
        .find_map(|l| l.strip_prefix(field))
        .and_then(|v| v.split_whitespace().next()?.parse().ok())
        .unwrap_or(0)
}

/// A built example running as a process on 127.0.0.1.
pub struct Server {
    pub child: Child,
    pub port: u16,
    /// A value of `DASH_TEST_TAG` unique to this server and its workers.
    pub tag: String,
}

/// How to start a [`Server`].
#[derive(Default)]
pub struct Launch<'a> {
    pub envs: Vec<(&'a str, String)>,
    pub args: Vec<&'a str>,
    /// Shell commands run before `exec` (e.g. `ulimit -Sn 256`).
    pub shell_prefix: Option<&'a str>,
    /// Keep the server's stderr (for logs) instead of discarding it.
    pub stderr: bool,
}

impl Server {
    /// Starts `name` and waits until `/` answers.
    pub fn start(name: &str, launch: Launch<'_>) -> Server {
        let server = Server::spawn(name, launch);
        server.wait_ready();
        server
    }

    /// Starts `name` without waiting.
    pub fn spawn(name: &str, launch: Launch<'_>) -> Server {
        let port = free_port();
        let tag = format!("{}-{}", std::process::id(), uuid::Uuid::new_v4());
        let exe = example(name);
        let mut cmd = match launch.shell_prefix {
            Some(prefix) => {
                let mut c = Command::new("sh");
                c.arg("-c")
                    .arg(format!("{prefix}; exec \"$0\" \"$@\""))
                    .arg(exe);
                c
            }
            None => Command::new(exe),
        };
        cmd.args(&launch.args)
            .env("PORT", port.to_string())
            .env("HOST", "127.0.0.1")
            .env("RUST_LOG", "warn")
            .env("DASH_TEST_TAG", &tag)
            .env("DASH_CACHE_URL", "memory://")
            .stdout(Stdio::null())
            .stderr(if launch.stderr {
                Stdio::inherit()
            } else {
                Stdio::null()
            });
        for (k, v) in &launch.envs {
            cmd.env(k, v);
        }
        let child = cmd.spawn().unwrap();
        Server { child, port, tag }
    }

    /// Waits until `/` answers 200.
    pub fn wait_ready(&self) {
        let ok = poll_until(Duration::from_secs(30), || {
            self.get_status("/").is_some_and(|s| s == 200)
        });
        assert!(ok.is_some(), "server on port {} did not start", self.port);
    }

    /// `GET path` on a new connection: the status, or `None` when the
    /// connection failed.
    pub fn get_status(&self, path: &str) -> Option<u16> {
        use std::io::{Read, Write};
        let mut s = std::net::TcpStream::connect(self.addr()).ok()?;
        s.set_read_timeout(Some(Duration::from_secs(10))).ok()?;
        write!(
            s,
            "GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n"
        )
        .ok()?;
        let mut head = [0u8; 12];
        s.read_exact(&mut head).ok()?;
        std::str::from_utf8(&head[9..12]).ok()?.parse().ok()
    }

    pub fn addr(&self) -> std::net::SocketAddr {
        ([127, 0, 0, 1], self.port).into()
    }

    pub fn url(&self, path: &str) -> String {
        format!("http://127.0.0.1:{}{path}", self.port)
    }

    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// The worker processes of a supervisor (its children).
    pub fn children(&self) -> Vec<u32> {
        std::fs::read_to_string(format!("/proc/{0}/task/{0}/children", self.pid()))
            .unwrap_or_default()
            .split_whitespace()
            .filter_map(|p| p.parse().ok())
            .collect()
    }

    /// Every live process of this server (supervisor and workers).
    pub fn processes(&self) -> Vec<u32> {
        processes_with_env("DASH_TEST_TAG", &self.tag)
    }

    pub fn signal(&self, signal: &str) {
        signal_pid(self.pid(), signal);
    }

    /// Waits for the process to exit; its exit status, or `None` on timeout.
    pub fn wait_exit(&mut self, limit: Duration) -> Option<std::process::ExitStatus> {
        let start = Instant::now();
        loop {
            if let Ok(Some(status)) = self.child.try_wait() {
                return Some(status);
            }
            if start.elapsed() > limit {
                return None;
            }
            std::thread::sleep(Duration::from_millis(10));
        }
    }
}

/// Sends `signal` (`TERM`, `KILL`, ...) to a process.
pub fn signal_pid(pid: u32, signal: &str) {
    let _ = Command::new("kill")
        .arg(format!("-{signal}"))
        .arg(pid.to_string())
        .status();
}

impl Drop for Server {
    fn drop(&mut self) {
        // Everything this server started, re-parented or not.
        let mut pids = self.processes();
        if let Ok(None) = self.child.try_wait() {
            pids.push(self.pid());
        }
        for pid in pids {
            signal_pid(pid, "KILL");
        }
        let _ = self.child.wait();
    }
}

/// A `bench_app` request whose `store` State holds records, the body
/// about `bytes` long.
pub fn agg_body(bytes: usize) -> Vec<u8> {
    use std::fmt::Write;
    let head = r#"{"output":"agg.children","outputs":{"id":"agg","property":"children"},"inputs":[{"id":"n","property":"value","value":"1"}],"state":[{"id":"store","property":"data","value":["#;
    let tail = r#"]}],"changedPropIds":["n.value"]}"#;
    let mut body = String::with_capacity(bytes + 64);
    body.push_str(head);
    let mut i = 0u64;
    while body.len() + tail.len() + 48 < bytes {
        if i > 0 {
            body.push(',');
        }
        let _ = write!(
            body,
            r#"{{"x":{i}.5,"y":{},"label":"item-{i:07}"}}"#,
            i % 97
        );
        i += 1;
    }
    body.push_str(tail);
    body.into_bytes()
}

/// The records in an [`agg_body`], as `bench_app` counts them.
pub fn agg_count(body: &[u8]) -> usize {
    body.windows(4).filter(|w| w == b"\"x\":").count()
}

/// A raw HTTP/1.1 exchange on a fresh connection: sends `request`, reads
/// until the server closes or `limit` passes; the text read.
pub fn raw_exchange(addr: std::net::SocketAddr, request: &[u8], limit: Duration) -> String {
    use std::io::{Read, Write};
    let mut s = std::net::TcpStream::connect(addr).unwrap();
    s.set_read_timeout(Some(limit)).unwrap();
    s.write_all(request).unwrap();
    let mut out = Vec::new();
    let _ = s.read_to_end(&mut out);
    String::from_utf8_lossy(&out).into_owned()
}
