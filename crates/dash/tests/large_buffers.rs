//! Large request buffers go back to the system once freed, even after
//! many threads used them at once (`dash::allocator`). Its own test binary:
//! the figure is this process's resident memory.

#![cfg(all(target_os = "linux", target_env = "gnu"))]

use std::sync::{Arc, Barrier};

const MIB: usize = 1 << 20;

fn resident_bytes() -> usize {
    let statm = std::fs::read_to_string("/proc/self/statm").expect("procfs");
    let pages: usize = statm
        .split_whitespace()
        .nth(1)
        .and_then(|p| p.parse().ok())
        .expect("statm resident field");
    pages * 4096
}

/// Four threads each hold a 16 MiB buffer (like a 10 MB store body) at once,
/// then free it; three times.
fn four_threads_hold_large_buffers() {
    for _round in 0..3 {
        let all_allocated = Arc::new(Barrier::new(4));
        let threads: Vec<_> = (0..4u8)
            .map(|i| {
                let all_allocated = all_allocated.clone();
                std::thread::spawn(move || {
                    let buffer = vec![i + 1; 16 * MIB];
                    all_allocated.wait();
                    buffer.iter().map(|&b| usize::from(b)).sum::<usize>()
                })
            })
            .collect();
        for t in threads {
            assert!(t.join().expect("thread") > 0);
        }
    }
}

#[test]
fn large_buffers_are_returned_after_concurrent_use() {
    if std::env::var_os("GLIBC_TUNABLES").is_some_and(|v| !v.is_empty()) {
        eprintln!("GLIBC_TUNABLES is set: the allocator is configured from outside");
        return;
    }
    assert!(dash::allocator::return_large_buffers());
    let before = resident_bytes();
    four_threads_hold_large_buffers();
    let kept = resident_bytes().saturating_sub(before);
    assert!(
        kept < 16 * MIB,
        "{} MiB still resident after 4 x 16 MiB buffers were freed",
        kept / MIB
    );
}
