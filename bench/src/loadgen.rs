//! A closed-loop load generator: `connections` keep-alive connections, each
//! sending the same request again as soon as the previous answer is read
//! (like wrk). Runs on its own threads with single-threaded runtimes.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, Instant};

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

use crate::http1::{answer_end, parse_head, Framing};

/// What to send, how hard and for how long.
#[derive(Debug, Clone)]
pub struct Plan {
    /// The server.
    pub addr: SocketAddr,
    /// The complete request bytes (see [`crate::http1::request`]).
    pub request: Arc<Vec<u8>>,
    /// Concurrent connections.
    pub connections: usize,
    /// Load before measuring (not counted).
    pub warmup: Duration,
    /// The measured window.
    pub measure: Duration,
    /// A request taking longer than this counts as a timeout error.
    pub timeout: Duration,
    /// Threads of the load generator.
    pub threads: usize,
}

/// Errors by kind, counted in the measured window.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Errors {
    /// Could not connect.
    pub connect: u64,
    /// Writing the request failed.
    pub write: u64,
    /// Reading the answer failed or the answer was malformed.
    pub read: u64,
    /// No answer within the timeout.
    pub timeout: u64,
    /// An answer with a status other than 2xx.
    pub status: u64,
}

impl Errors {
    /// All errors.
    pub fn total(&self) -> u64 {
        self.connect + self.write + self.read + self.timeout + self.status
    }

    fn add(&mut self, o: &Errors) {
        self.connect += o.connect;
        self.write += o.write;
        self.read += o.read;
        self.timeout += o.timeout;
        self.status += o.status;
    }
}

/// What one run measured.
#[derive(Debug, Default, Clone)]
pub struct Outcome {
    /// 2xx answers completed in the measured window.
    pub ok: u64,
    /// Errors in the measured window.
    pub errors: Errors,
    /// Latency of each answer completed in the window, in microseconds,
    /// from writing the request to reading the last byte of the answer.
    pub latencies_us: Vec<u32>,
    /// Length of the measured window.
    pub window: Duration,
    /// Bytes of answers read in the window.
    pub bytes_read: u64,
    /// New connections opened in the window.
    pub connects: u64,
}

impl Outcome {
    /// Answers (2xx) per second.
    pub fn rps(&self) -> f64 {
        self.ok as f64 / self.window.as_secs_f64().max(1e-9)
    }

    /// Latency percentile in milliseconds (`p` in 0..=100).
    pub fn percentile_ms(&self, p: f64) -> f64 {
        let mut v = self.latencies_us.clone();
        if v.is_empty() {
            return f64::NAN;
        }
        v.sort_unstable();
        let rank = ((p / 100.0) * (v.len() - 1) as f64).round() as usize;
        f64::from(v[rank.min(v.len() - 1)]) / 1000.0
    }

    fn merge(&mut self, o: Outcome) {
        self.ok += o.ok;
        self.errors.add(&o.errors);
        self.latencies_us.extend(o.latencies_us);
        self.bytes_read += o.bytes_read;
        self.connects += o.connects;
    }
}

/// Runs the plan and returns what was measured.
pub fn run(plan: &Plan) -> Outcome {
    let start_measure = Instant::now() + plan.warmup;
    let end = start_measure + plan.measure;
    let threads = plan.threads.clamp(1, plan.connections.max(1));
    let handles: Vec<_> = (0..threads)
        .map(|t| {
            let plan = plan.clone();
            let mine = (plan.connections + threads - 1 - t) / threads;
            std::thread::spawn(move || {
                let runtime = tokio::runtime::Builder::new_current_thread()
                    .enable_all()
                    .build()
                    .expect("load generator runtime");
                runtime.block_on(async move {
                    let tasks: Vec<_> = (0..mine)
                        .map(|_| {
                            tokio::spawn(connection(
                                plan.addr,
                                plan.request.clone(),
                                start_measure,
                                end,
                                plan.timeout,
                            ))
                        })
                        .collect();
                    let mut out = Outcome::default();
                    for t in tasks {
                        if let Ok(o) = t.await {
                            out.merge(o);
                        }
                    }
                    out
                })
            })
        })
        .collect();
    let mut out = Outcome {
        window: plan.measure,
        ..Outcome::default()
    };
    for h in handles {
        if let Ok(o) = h.join() {
            out.merge(o);
        }
    }
    out
}

enum Failure {
    Write,
    Read,
    /// The server closed a reused keep-alive connection before answering:
    /// reconnect and send again, as HTTP clients do.
    StaleConnection,
}

struct Answer {
    status: u16,
    close: bool,
    len: usize,
}

async fn connection(
    addr: SocketAddr,
    request: Arc<Vec<u8>>,
    start_measure: Instant,
    end: Instant,
    timeout: Duration,
) -> Outcome {
    let mut out = Outcome::default();
    let mut buf: Vec<u8> = Vec::with_capacity(64 * 1024);
    let mut stream: Option<(TcpStream, bool)> = None;
    loop {
        let now = Instant::now();
        if now >= end {
            break;
        }
        let measuring = now >= start_measure;
        if stream.is_none() {
            match tokio::time::timeout_at(
                tokio::time::Instant::from_std(end),
                TcpStream::connect(addr),
            )
            .await
            {
                Ok(Ok(s)) => {
                    let _ = s.set_nodelay(true);
                    if measuring {
                        out.connects += 1;
                    }
                    stream = Some((s, false));
                }
                Ok(Err(_)) => {
                    if measuring {
                        out.errors.connect += 1;
                    }
                    tokio::time::sleep(Duration::from_millis(5)).await;
                    continue;
                }
                Err(_) => break,
            }
        }
        let Some((s, reused)) = stream.as_mut() else {
            continue;
        };
        let sent = Instant::now();
        let deadline = (sent + timeout).min(end + Duration::from_millis(1));
        let result = tokio::time::timeout_at(
            tokio::time::Instant::from_std(deadline),
            exchange(s, &request, &mut buf, *reused),
        )
        .await;
        let done = Instant::now();
        let in_window = done >= start_measure && done <= end;
        match result {
            Err(_) => {
                // Either the window ended (not an error) or the request took
                // longer than the timeout.
                if done < end && in_window {
                    out.errors.timeout += 1;
                }
                stream = None;
            }
            Ok(Err(Failure::StaleConnection)) => stream = None,
            Ok(Err(f)) => {
                if in_window {
                    match f {
                        Failure::Write => out.errors.write += 1,
                        _ => out.errors.read += 1,
                    }
                }
                stream = None;
            }
            Ok(Ok(answer)) => {
                if in_window {
                    if (200..300).contains(&answer.status) {
                        out.ok += 1;
                        let us = done.duration_since(sent).as_micros();
                        out.latencies_us.push(u32::try_from(us).unwrap_or(u32::MAX));
                    } else {
                        out.errors.status += 1;
                    }
                    out.bytes_read += answer.len as u64;
                }
                if answer.close {
                    stream = None;
                } else if let Some((_, reused)) = stream.as_mut() {
                    *reused = true;
                }
            }
        }
    }
    out
}

async fn exchange(
    s: &mut TcpStream,
    request: &[u8],
    buf: &mut Vec<u8>,
    reused: bool,
) -> Result<Answer, Failure> {
    if s.write_all(request).await.is_err() {
        return Err(if reused {
            Failure::StaleConnection
        } else {
            Failure::Write
        });
    }
    buf.clear();
    let mut head = None;
    loop {
        if buf.capacity() - buf.len() < 16 * 1024 {
            buf.reserve(64 * 1024);
        }
        let n = match s.read_buf(buf).await {
            Ok(n) => n,
            Err(_) if buf.is_empty() && reused => return Err(Failure::StaleConnection),
            Err(_) => return Err(Failure::Read),
        };
        if n == 0 {
            if buf.is_empty() && reused {
                return Err(Failure::StaleConnection);
            }
            if let Some(h) = &head {
                let h: &crate::http1::Head = h;
                if h.framing == Framing::UntilClose {
                    return Ok(Answer {
                        status: h.status,
                        close: true,
                        len: buf.len(),
                    });
                }
            }
            return Err(Failure::Read);
        }
        if head.is_none() {
            head = parse_head(buf).map_err(|_| Failure::Read)?;
        }
        if let Some(h) = &head {
            if let Some(end) = answer_end(h, buf).map_err(|_| Failure::Read)? {
                return Ok(Answer {
                    status: h.status,
                    close: h.close,
                    len: end,
                });
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percentiles() {
        let o = Outcome {
            latencies_us: (1..=100).map(|i| i * 1000).collect(),
            ..Outcome::default()
        };
        assert_eq!(o.percentile_ms(50.0), 51.0);
        assert_eq!(o.percentile_ms(99.0), 99.0);
        assert!(Outcome::default().percentile_ms(50.0).is_nan());
    }
}
