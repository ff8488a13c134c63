//! Several worker processes on one port: each worker is this same program,
//! started again with `DASH_WORKER_ID` set, binding the port with
//! `SO_REUSEPORT` so the kernel spreads connections over them. Workers share
//! no memory; what they share lives in the cache backend.
//!
//! The supervisor installs its signal handlers before it starts any worker,
//! restarts a worker that dies, and on SIGINT/SIGTERM forwards the stop,
//! waits for the workers to drain, then kills the ones still running.
//! Workers die with their supervisor: each asks the kernel for a SIGTERM
//! when its parent dies (`PR_SET_PDEATHSIG`, Linux), checks at start that
//! its parent is still the supervisor that started it (the supervisor may
//! have died before that request), and checks again every second (other
//! systems). Workers run in their own process group, so a Ctrl-C in a
//! terminal reaches the supervisor only, which forwards it once.

use std::net::SocketAddr;
use std::process::{Child, Command};
use std::time::{Duration, Instant};

use crate::serve::Stop;
use crate::Error;

/// Environment variable that marks a worker process and gives its number.
pub(crate) const WORKER_ID_ENV: &str = "DASH_WORKER_ID";
/// Environment variable with the supervisor's process id, for its workers.
const SUPERVISOR_PID_ENV: &str = "DASH_SUPERVISOR_PID";
/// The `_reload-hash` every worker of one supervisor answers (debug mode):
/// the same in all of them and across restarts of one, so that a page
/// reloads only when the app itself was restarted.
const RELOAD_HASH_ENV: &str = "DASH_RELOAD_HASH";

/// In a worker: the supervisor's reload hash.
pub(crate) fn reload_hash() -> Option<String> {
    worker_id()?;
    std::env::var(RELOAD_HASH_ENV)
        .ok()
        .filter(|h| !h.is_empty())
}

/// In the supervisor: its reload hash, made at its first worker's start.
fn supervisor_reload_hash() -> &'static str {
    static HASH: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    HASH.get_or_init(|| {
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_nanos())
            .unwrap_or(0);
        format!("{nanos:x}")
    })
}

/// How long the supervisor waits beyond the graceful timeout before it
/// kills a worker that has not exited.
const KILL_MARGIN: Duration = Duration::from_secs(5);
/// A worker that dies sooner than this after its start is restarted only
/// once this much time has passed since its start.
const RESTART_BACKOFF: Duration = Duration::from_secs(1);

/// This process's worker number, if it is a worker.
pub(crate) fn worker_id() -> Option<usize> {
    std::env::var(WORKER_ID_ENV)
        .ok()
        .and_then(|v| v.parse().ok())
}

/// Binds `addr`, sharing the port with the other workers when `shared`.
pub(crate) fn bind(addr: SocketAddr, shared: bool) -> std::io::Result<std::net::TcpListener> {
    use socket2::{Domain, Socket, Type};
    let socket = Socket::new(Domain::for_address(addr), Type::STREAM, None)?;
    socket.set_reuse_address(true)?;
    #[cfg(unix)]
    if shared {
        socket.set_reuse_port(true)?;
    }
    #[cfg(not(unix))]
    let _ = shared;
    socket.bind(&addr.into())?;
    socket.listen(1024)?;
    socket.set_nonblocking(true)?;
    Ok(socket.into())
}

/// In a worker, at start: arranges a SIGTERM for when the supervisor dies,
/// and returns `false` if it has died already (the worker should exit).
pub(crate) fn exit_with_supervisor() -> bool {
    #[cfg(target_os = "linux")]
    if let Err(e) = nix::sys::prctl::set_pdeathsig(nix::sys::signal::Signal::SIGTERM) {
        tracing::warn!(error = %e, "cannot ask for a signal when the supervisor dies");
    }
    let alive = supervisor_alive();
    if !alive {
        tracing::info!("the supervisor is gone: this worker exits");
    }
    alive
}

/// Whether this process's parent is still the supervisor that started it.
fn supervisor_alive() -> bool {
    let expected = std::env::var(SUPERVISOR_PID_ENV)
        .ok()
        .and_then(|v| v.parse::<u32>().ok());
    match expected {
        #[cfg(unix)]
        Some(pid) => u32::try_from(nix::unistd::getppid().as_raw()).is_ok_and(|p| p == pid),
        _ => true,
    }
}

/// In a worker: stops it (gracefully) if the supervisor goes away.
pub(crate) fn watch_supervisor(stop: Stop) {
    tokio::spawn(async move {
        loop {
            tokio::time::sleep(Duration::from_secs(1)).await;
            if !supervisor_alive() {
                stop.request("the supervisor is gone");
                return;
            }
        }
    });
}

/// One worker slot of the supervisor.
struct Worker {
    id: usize,
    child: Option<Child>,
    started: Instant,
}

impl Worker {
    /// Starts worker `id`. Called on the supervisor's main thread only: the
    /// kernel signals a worker when the thread that started it exits.
    fn start(id: usize) -> Result<Worker, Error> {
        let exe = std::env::current_exe()?;
        let mut command = Command::new(exe);
        command
            .args(std::env::args_os().skip(1))
            .env(WORKER_ID_ENV, id.to_string())
            .env(SUPERVISOR_PID_ENV, std::process::id().to_string())
            .env(RELOAD_HASH_ENV, supervisor_reload_hash());
        #[cfg(unix)]
        std::os::unix::process::CommandExt::process_group(&mut command, 0);
        let child = command.spawn()?;
        tracing::info!(worker = id, pid = child.id(), "worker started");
        Ok(Worker {
            id,
            child: Some(child),
            started: Instant::now(),
        })
    }

    /// Notes an exit; restarts the worker once the backoff has passed.
    fn check(&mut self) -> Result<(), Error> {
        if let Some(child) = &mut self.child {
            if let Ok(Some(status)) = child.try_wait() {
                tracing::warn!(worker = self.id, %status, "worker exited; restarting it");
                self.child = None;
            }
        }
        if self.child.is_none() && self.started.elapsed() >= RESTART_BACKOFF {
            *self = Worker::start(self.id)?;
        }
        Ok(())
    }

    fn running(&mut self) -> bool {
        self.child
            .as_mut()
            .is_some_and(|c| matches!(c.try_wait(), Ok(None)))
    }

    fn terminate(&self) {
        #[cfg(unix)]
        if let Some(child) = &self.child {
            use nix::sys::signal::{kill, Signal};
            use nix::unistd::Pid;
            if let Ok(pid) = i32::try_from(child.id()) {
                let _ = kill(Pid::from_raw(pid), Signal::SIGTERM);
            }
        }
    }

    fn kill(&mut self) {
        if let Some(child) = &mut self.child {
            if matches!(child.try_wait(), Ok(None)) {
                tracing::warn!(worker = self.id, "worker still running: killed");
                let _ = child.kill();
            }
            let _ = child.wait();
        }
    }
}

/// Runs `count` workers until SIGINT/SIGTERM; then lets them drain for
/// `graceful` (and a margin) before killing the ones left.
pub(crate) fn supervise(addr: SocketAddr, count: usize, graceful: Duration) -> Result<(), Error> {
    // Fail early (and once) if the port is taken by something else.
    drop(bind(addr, true).map_err(|source| Error::Bind {
        addr: addr.to_string(),
        source,
    })?);
    // A current-thread runtime: every worker is started on this thread.
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    runtime.block_on(async move {
        // Handlers first: from here on a stop reaches every worker started.
        let stop = Stop::install()?;
        let mut workers = Vec::with_capacity(count);
        for id in 0..count {
            workers.push(Worker::start(id)?);
        }
        tracing::info!("Dash is running on http://{addr}/ with {count} worker processes");
        loop {
            tokio::select! {
                _ = stop.requested() => break,
                _ = tokio::time::sleep(Duration::from_millis(200)) => {}
            }
            for worker in &mut workers {
                worker.check()?;
            }
        }
        for worker in &workers {
            worker.terminate();
        }
        let deadline = tokio::time::sleep(graceful + KILL_MARGIN);
        tokio::pin!(deadline);
        let mut forced = false;
        while workers.iter_mut().any(Worker::running) {
            tokio::select! {
                _ = &mut deadline => break,
                _ = stop.forced(), if !forced => {
                    forced = true;
                    // A second signal: the workers stop without draining.
                    for worker in &workers {
                        worker.terminate();
                    }
                }
                _ = tokio::time::sleep(Duration::from_millis(20)) => {}
            }
        }
        for worker in &mut workers {
            worker.kill();
        }
        tracing::info!("all workers stopped");
        Ok(())
    })
}
