//! Reading a request body into one buffer of the announced size: a 10 MB
//! store value costs 10 MB, not a list of chunks plus a contiguous copy
//! (during a burst of large requests, the buffer of a finished one).

use axum::body::{Body, Bytes};
use axum::http::{header, HeaderMap};
use http_body_util::BodyExt;

/// Why a body could not be read.
#[derive(Debug)]
pub(crate) enum BodyError {
    /// Larger than the limit (announced or while reading).
    TooLarge,
    /// The connection failed or the body is malformed.
    Unreadable(String),
}

/// Reads the whole body, refusing more than `limit` bytes.
pub(crate) async fn read(
    headers: &HeaderMap,
    body: Body,
    limit: usize,
) -> Result<Bytes, BodyError> {
    let announced = headers
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<usize>().ok());
    if announced.is_some_and(|n| n > limit) {
        return Err(BodyError::TooLarge);
    }
    let mut body = body;
    let mut first: Option<Bytes> = None;
    let mut buf: Vec<u8> = Vec::new();
    while let Some(frame) = body.frame().await {
        let frame = frame.map_err(|e| BodyError::Unreadable(e.to_string()))?;
        let Ok(data) = frame.into_data() else {
            continue; // trailers
        };
        let total = first.as_ref().map_or(0, Bytes::len) + buf.len() + data.len();
        if total > limit {
            return Err(BodyError::TooLarge);
        }
        if first.is_none() && buf.is_empty() {
            // A body in one frame is kept as it is, without a copy.
            first = Some(data);
            continue;
        }
        if let Some(f) = first.take() {
            // A large one in a buffer a finished large body left
            // (`allocator::kept_buffers`).
            buf = crate::allocator::body_buffer(announced.unwrap_or(0).max(total).min(limit));
            buf.extend_from_slice(&f);
        }
        buf.extend_from_slice(&data);
    }
    Ok(match first {
        Some(f) => f,
        None => crate::allocator::into_body(buf),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn chunked(parts: &[&'static [u8]]) -> Body {
        let frames: Vec<Result<Bytes, std::io::Error>> =
            parts.iter().map(|p| Ok(Bytes::from_static(p))).collect();
        Body::from_stream(futures_util::stream::iter(frames))
    }

    #[tokio::test]
    async fn joins_frames_and_enforces_the_limit() {
        let h = HeaderMap::new();
        let b = read(&h, chunked(&[b"ab", b"cd", b"e"]), 10).await.unwrap();
        assert_eq!(&b[..], b"abcde");
        let b = read(&h, chunked(&[b"abc"]), 10).await.unwrap();
        assert_eq!(&b[..], b"abc");
        assert!(matches!(
            read(&h, chunked(&[b"abcdef", b"ghijk"]), 10).await,
            Err(BodyError::TooLarge)
        ));
        let mut announced = HeaderMap::new();
        announced.insert(header::CONTENT_LENGTH, "11".parse().unwrap());
        assert!(matches!(
            read(&announced, chunked(&[b"a"]), 10).await,
            Err(BodyError::TooLarge)
        ));
        let b = read(&h, Body::empty(), 10).await.unwrap();
        assert!(b.is_empty());
    }
}
