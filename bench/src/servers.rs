//! Starting and stopping the servers under test, and timing their start.

use std::net::{SocketAddr, TcpListener};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use crate::client;
use crate::procfs;
use crate::Error;

/// How to start one server.
#[derive(Debug, Clone)]
pub struct ServerSpec {
    /// Label in the table, e.g. `dash-rs` or `Python sync`.
    pub label: String,
    /// The program.
    pub program: PathBuf,
    /// Its arguments; `{port}` is replaced by the port.
    pub args: Vec<String>,
    /// Extra environment; `{port}` is replaced by the port.
    pub env: Vec<(String, String)>,
    /// Working directory.
    pub cwd: Option<PathBuf>,
    /// Worker processes that serve requests (for memory per worker).
    pub workers: usize,
}

/// A started server; stopped (SIGTERM, then SIGKILL of its tree) on drop.
pub struct Server {
    /// Where it listens.
    pub addr: SocketAddr,
    /// Its spec.
    pub spec: ServerSpec,
    /// From spawning the process to the first `GET /` answered with 200.
    pub start_to_first_answer: Duration,
    child: Child,
}

/// A free port on 127.0.0.1.
pub fn free_port() -> Result<u16, Error> {
    let l = TcpListener::bind("127.0.0.1:0")?;
    Ok(l.local_addr()?.port())
}

impl Server {
    /// Starts the server and waits until `GET /` answers 200.
    pub fn start(spec: &ServerSpec, ready_within: Duration) -> Result<Server, Error> {
        let port = free_port()?;
        let fill = |s: &str| s.replace("{port}", &port.to_string());
        let mut cmd = Command::new(&spec.program);
        cmd.args(spec.args.iter().map(|a| fill(a)))
            .envs(spec.env.iter().map(|(k, v)| (k.clone(), fill(v))))
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::inherit());
        if let Some(dir) = &spec.cwd {
            cmd.current_dir(dir);
        }
        let addr: SocketAddr = ([127, 0, 0, 1], port).into();
        let spawned = Instant::now();
        let child = cmd.spawn().map_err(|e| Error::Start {
            server: spec.label.clone(),
            reason: format!("{}: {e}", spec.program.display()),
        })?;
        let mut server = Server {
            addr,
            spec: spec.clone(),
            start_to_first_answer: Duration::ZERO,
            child,
        };
        loop {
            if let Ok(r) = client::get(addr, "/", Duration::from_secs(5)) {
                if r.status == 200 {
                    server.start_to_first_answer = spawned.elapsed();
                    return Ok(server);
                }
            }
            if let Ok(Some(status)) = server.child.try_wait() {
                return Err(Error::Start {
                    server: spec.label.clone(),
                    reason: format!("exited with {status} before answering"),
                });
            }
            if spawned.elapsed() > ready_within {
                return Err(Error::Start {
                    server: spec.label.clone(),
                    reason: format!("no answer to GET / within {ready_within:?}"),
                });
            }
            std::thread::sleep(Duration::from_millis(1));
        }
    }

    /// The process id of the started program (the root of its tree).
    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// Resident memory of the whole tree, and of each process.
    pub fn memory(&self) -> (u64, Vec<u64>) {
        let each: Vec<u64> = procfs::tree(self.pid())
            .iter()
            .filter_map(|&p| procfs::rss_bytes(p))
            .collect();
        (each.iter().sum(), each)
    }

    /// CPU seconds used so far by the whole tree.
    pub fn cpu_seconds(&self) -> f64 {
        procfs::cpu_seconds(&procfs::tree(self.pid()))
    }

    /// Stops the server gracefully, then forcefully after 10 s.
    pub fn stop(mut self) {
        self.shutdown();
    }

    fn shutdown(&mut self) {
        if let Ok(Some(_)) = self.child.try_wait() {
            return;
        }
        let pids = procfs::tree(self.pid());
        let root = nix::unistd::Pid::from_raw(self.pid() as i32);
        let _ = nix::sys::signal::kill(root, nix::sys::signal::Signal::SIGTERM);
        let asked = Instant::now();
        while asked.elapsed() < Duration::from_secs(10) {
            if let Ok(Some(_)) = self.child.try_wait() {
                break;
            }
            std::thread::sleep(Duration::from_millis(10));
        }
        // Whatever is left of the tree (the root and its workers).
        for pid in pids {
            if std::path::Path::new(&format!("/proc/{pid}")).exists() {
                let _ = nix::sys::signal::kill(
                    nix::unistd::Pid::from_raw(pid as i32),
                    nix::sys::signal::Signal::SIGKILL,
                );
            }
        }
        let _ = self.child.wait();
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.shutdown();
    }
}
