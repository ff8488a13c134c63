//! Large request bodies' buffers, kept for the next large request while a
//! trim is pending.
//!
//! A 10 MB body read into a fresh buffer costs 2,400 page faults (the
//! buffer is its own `mmap`, zero-filled page by page as it is written).
//! During a burst of large requests, a finished request's buffer goes to the
//! next one instead: a buffer is kept only while a trim is scheduled (so
//! only while large requests are coming), at most [`KEPT_MAX`] of them and
//! [`KEPT_BYTES`] in all, and the trim drops every kept buffer: the memory
//! of a burst still goes back within about a second of its end.

use std::sync::atomic::Ordering;
use std::sync::Mutex;

use axum::body::Bytes;

use super::{LARGE_BUFFER, TRIM_SCHEDULED};

/// At most this many buffers are kept.
const KEPT_MAX: usize = 4;
/// At most this many bytes of buffers are kept.
const KEPT_BYTES: usize = 96 << 20;

static KEPT: Mutex<Vec<Vec<u8>>> = Mutex::new(Vec::new());

/// An empty buffer for a body of `capacity` bytes: a kept one if one is
/// large enough, else a new one.
pub(crate) fn body_buffer(capacity: usize) -> Vec<u8> {
    if capacity >= LARGE_BUFFER {
        if let Some(buffer) = KEPT.lock().ok().and_then(|mut k| take(&mut k, capacity)) {
            return buffer;
        }
    }
    Vec::with_capacity(capacity)
}

/// The body read into `buffer`; when its last copy is dropped, the buffer
/// is kept for the next large body if a trim is pending.
pub(crate) fn into_body(buffer: Vec<u8>) -> Bytes {
    if buffer.capacity() >= LARGE_BUFFER {
        Bytes::from_owner(KeptOnDrop(buffer))
    } else {
        Bytes::from(buffer)
    }
}

/// Drops every kept buffer (the trim does).
pub(super) fn release() {
    let dropped = KEPT.lock().map(|mut kept| std::mem::take(&mut *kept));
    drop(dropped);
}

fn take(kept: &mut Vec<Vec<u8>>, capacity: usize) -> Option<Vec<u8>> {
    let i = kept.iter().position(|b| b.capacity() >= capacity)?;
    Some(kept.swap_remove(i))
}

fn keep(kept: &mut Vec<Vec<u8>>, mut buffer: Vec<u8>, trim_pending: bool) {
    let held: usize = kept.iter().map(Vec::capacity).sum();
    if trim_pending && kept.len() < KEPT_MAX && held + buffer.capacity() <= KEPT_BYTES {
        buffer.clear();
        kept.push(buffer);
    }
}

struct KeptOnDrop(Vec<u8>);

impl AsRef<[u8]> for KeptOnDrop {
    fn as_ref(&self) -> &[u8] {
        &self.0
    }
}

impl Drop for KeptOnDrop {
    fn drop(&mut self) {
        let trim_pending = TRIM_SCHEDULED.load(Ordering::Acquire);
        if !trim_pending {
            return; // freed now, with the rest of this body
        }
        let buffer = std::mem::take(&mut self.0);
        if let Ok(mut kept) = KEPT.lock() {
            keep(&mut kept, buffer, trim_pending);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn filled(bytes: usize) -> Vec<u8> {
        let mut b = Vec::with_capacity(bytes);
        b.extend_from_slice(b"a body");
        b
    }

    #[test]
    fn buffers_are_kept_only_while_a_trim_is_pending_and_within_bounds() {
        let mut kept = Vec::new();
        keep(&mut kept, filled(LARGE_BUFFER), false);
        assert!(kept.is_empty(), "no trim pending: freed");
        for _ in 0..KEPT_MAX + 2 {
            keep(&mut kept, filled(LARGE_BUFFER), true);
        }
        assert_eq!(kept.len(), KEPT_MAX);
        assert!(kept.iter().all(Vec::is_empty), "kept buffers are emptied");
        let mut few = Vec::new();
        keep(&mut few, filled(KEPT_BYTES / 2 + 1), true);
        keep(&mut few, filled(KEPT_BYTES / 2 + 1), true);
        assert_eq!(few.len(), 1, "at most KEPT_BYTES in all");
    }

    #[test]
    fn a_kept_buffer_large_enough_is_reused() {
        let mut kept = vec![
            Vec::with_capacity(LARGE_BUFFER),
            Vec::with_capacity(2 * LARGE_BUFFER),
        ];
        let address = kept[1].as_ptr();
        let reused = take(&mut kept, LARGE_BUFFER + 1).expect("the larger one");
        assert_eq!(reused.as_ptr(), address);
        assert!(take(&mut kept, 2 * LARGE_BUFFER).is_none());
        assert_eq!(kept.len(), 1);
    }

    #[test]
    fn a_body_reads_its_bytes_and_small_ones_are_plain() {
        let mut buffer = body_buffer(LARGE_BUFFER);
        buffer.extend_from_slice(b"{\"output\":\"a.b\"}");
        let body = into_body(buffer);
        assert_eq!(&body[..], b"{\"output\":\"a.b\"}");
        assert_eq!(body.clone().slice(2..8), &b"output"[..]);
        assert_eq!(&into_body(b"small".to_vec())[..], b"small");
    }
}
