//! Several worker processes on one port: each worker is this same program,
//! started again with `DASH_WORKER_ID` set, binding the port with
//! `SO_REUSEPORT` so the kernel spreads connections over them. Workers share
//! no memory; what they share lives in the cache backend. The supervisor
//! restarts a worker that dies and stops them all on SIGINT/SIGTERM.

use std::net::SocketAddr;
use std::process::{Child, Command};
use std::time::{Duration, Instant};

use crate::Error;

/// Environment variable that marks a worker process and gives its number.
pub(crate) const WORKER_ID_ENV: &str = "DASH_WORKER_ID";

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

fn spawn(id: usize) -> Result<Child, Error> {
    let exe = std::env::current_exe()?;
    let child = Command::new(exe)
        .args(std::env::args_os().skip(1))
        .env(WORKER_ID_ENV, id.to_string())
        .spawn()?;
    tracing::info!(worker = id, pid = child.id(), "worker started");
    Ok(child)
}

#[cfg(unix)]
fn terminate(child: &Child) {
    use nix::sys::signal::{kill, Signal};
    use nix::unistd::Pid;
    if let Ok(pid) = i32::try_from(child.id()) {
        let _ = kill(Pid::from_raw(pid), Signal::SIGTERM);
    }
}

#[cfg(not(unix))]
fn terminate(child: &Child) {
    let _ = child;
}

/// Runs `count` workers until SIGINT/SIGTERM.
pub(crate) fn supervise(addr: SocketAddr, count: usize) -> Result<(), Error> {
    // Fail early (and once) if the port is taken by something else.
    drop(bind(addr, true).map_err(|source| Error::Bind {
        addr: addr.to_string(),
        source,
    })?);
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    runtime.block_on(async move {
        let mut children: Vec<(Child, Instant)> = Vec::with_capacity(count);
        for id in 0..count {
            children.push((spawn(id)?, Instant::now()));
        }
        tracing::info!("Dash is running on http://{addr}/ with {count} worker processes");
        let stop = crate::server::shutdown_signal();
        tokio::pin!(stop);
        loop {
            tokio::select! {
                _ = &mut stop => break,
                _ = tokio::time::sleep(Duration::from_millis(200)) => {}
            }
            for (id, (child, started)) in children.iter_mut().enumerate() {
                if let Ok(Some(status)) = child.try_wait() {
                    tracing::warn!(worker = id, %status, "worker exited; restarting it");
                    if started.elapsed() < Duration::from_secs(1) {
                        tokio::time::sleep(Duration::from_secs(1)).await;
                    }
                    *child = spawn(id)?;
                    *started = Instant::now();
                }
            }
        }
        for (child, _) in &children {
            terminate(child);
        }
        let deadline = Instant::now() + Duration::from_secs(10);
        for (child, _) in children.iter_mut() {
            while child.try_wait().ok().flatten().is_none() && Instant::now() < deadline {
                tokio::time::sleep(Duration::from_millis(50)).await;
            }
            if child.try_wait().ok().flatten().is_none() {
                let _ = child.kill();
                let _ = child.wait();
            }
        }
        tracing::info!("all workers stopped");
        Ok(())
    })
}
