//! The side-by-side benchmark of dash-rs and Python Dash (see `bench/README.md`).
//!
//! `dash-bench run` starts the Rust twin (`examples/bench_app.rs`), the
//! Python twin (`bench/python_app.py` under gunicorn, sync and gthread) and a
//! bare hyper server, drives each with the same requests from a closed-loop
//! load generator on this machine, and prints one table with both figures and
//! their ratio per row.

pub mod bare;
pub mod client;
pub mod http1;
pub mod jobs;
pub mod loadgen;
pub mod procfs;
pub mod report;
pub mod runner;
pub mod servers;
pub mod workload;

/// Everything that stops a benchmark run.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// Reading or writing a file or socket failed.
    #[error(transparent)]
    Io(#[from] std::io::Error),
    /// A server did not start.
    #[error("{server} did not start: {reason}")]
    Start {
        /// Which server.
        server: String,
        /// Why.
        reason: String,
    },
    /// A command-line argument is wrong.
    #[error("{0}")]
    Usage(String),
}
