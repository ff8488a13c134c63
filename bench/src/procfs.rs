//! Memory and CPU time of a process tree, read from `/proc` (Linux).

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::thread::JoinHandle;
use std::time::Duration;

/// Clock ticks per second of `/proc/<pid>/stat` times (`USER_HZ`, 100 on
/// Linux).
const TICKS_PER_SECOND: f64 = 100.0;

/// `pid` and all its descendants.
pub fn tree(root: u32) -> Vec<u32> {
    let mut parents: Vec<(u32, u32)> = Vec::new();
    if let Ok(dir) = std::fs::read_dir("/proc") {
        for entry in dir.flatten() {
            let Some(pid) = entry.file_name().to_str().and_then(|s| s.parse().ok()) else {
                continue;
            };
            if let Some(stat) = Stat::read(pid) {
                parents.push((pid, stat.ppid));
            }
        }
    }
    let mut out = vec![root];
    let mut i = 0;
    while i < out.len() {
        let p = out[i];
        out.extend(parents.iter().filter(|(_, pp)| *pp == p).map(|(c, _)| *c));
        i += 1;
    }
    out
}

/// Resident memory of one process in bytes (`VmRSS`).
pub fn rss_bytes(pid: u32) -> Option<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let line = status.lines().find(|l| l.starts_with("VmRSS:"))?;
    let kb: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kb * 1024)
}

/// Sum of the resident memory of `pids`.
pub fn rss_sum(pids: &[u32]) -> u64 {
    pids.iter().filter_map(|&p| rss_bytes(p)).sum()
}

/// CPU seconds (user + system) used so far by `pids`.
pub fn cpu_seconds(pids: &[u32]) -> f64 {
    pids.iter()
        .filter_map(|&p| Stat::read(p))
        .map(|s| (s.utime + s.stime) as f64 / TICKS_PER_SECOND)
        .sum()
}

/// CPU seconds used so far by this process (the load generator).
pub fn own_cpu_seconds() -> f64 {
    cpu_seconds(&[std::process::id()])
}

/// The fields of `/proc/<pid>/stat` used here.
struct Stat {
    ppid: u32,
    utime: u64,
    stime: u64,
}

impl Stat {
    fn read(pid: u32) -> Option<Stat> {
        let text = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
        // The command name is in parentheses and may hold spaces.
        let after = &text[text.rfind(')')? + 2..];
        let fields: Vec<&str> = after.split_whitespace().collect();
        Some(Stat {
            ppid: fields.get(1)?.parse().ok()?,
            utime: fields.get(11)?.parse().ok()?,
            stime: fields.get(12)?.parse().ok()?,
        })
    }
}

/// Samples the summed resident memory of a process tree in the background
/// and keeps the peak.
pub struct PeakSampler {
    stop: Arc<AtomicBool>,
    handle: JoinHandle<u64>,
}

impl PeakSampler {
    /// Starts sampling `root`'s tree every `every`.
    pub fn start(root: u32, every: Duration) -> PeakSampler {
        let stop = Arc::new(AtomicBool::new(false));
        let flag = stop.clone();
        let handle = std::thread::spawn(move || {
            let mut pids = tree(root);
            let mut peak = rss_sum(&pids);
            let mut n = 0u32;
            while !flag.load(Ordering::Relaxed) {
                std::thread::sleep(every);
                n += 1;
                // Re-read the tree now and then: workers may be restarted.
                if n.is_multiple_of(50) {
                    pids = tree(root);
                }
                peak = peak.max(rss_sum(&pids));
            }
            peak
        });
        PeakSampler { stop, handle }
    }

    /// Stops and returns the peak in bytes.
    pub fn finish(self) -> u64 {
        self.stop.store(true, Ordering::Relaxed);
        self.handle.join().unwrap_or(0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn own_process_is_measured() {
        let me = std::process::id();
        assert!(rss_bytes(me).unwrap() > 1024 * 1024);
        assert!(tree(me).contains(&me));
        let mut child = std::process::Command::new("sleep")
            .arg("5")
            .spawn()
            .unwrap();
        assert!(tree(me).contains(&child.id()));
        let _ = child.kill();
        let _ = child.wait();
        let busy = std::time::Instant::now();
        let before = own_cpu_seconds();
        while busy.elapsed() < Duration::from_millis(300) {
            std::hint::black_box(before.sqrt());
        }
        assert!(own_cpu_seconds() > before);
    }
}
