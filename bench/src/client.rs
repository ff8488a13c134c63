//! One blocking request at a time: readiness checks and checking answers
//! before a row is measured.

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::time::Duration;

use crate::http1::{self, answer_end, dechunk, parse_head, Framing};

/// A complete answer.
#[derive(Debug, Clone)]
pub struct Reply {
    /// Status code.
    pub status: u16,
    /// The body, de-chunked (not decompressed).
    pub body: Vec<u8>,
    /// `Content-Encoding`, if any.
    pub content_encoding: Option<String>,
    /// The `name=value` of each `Set-Cookie` header.
    pub cookies: Vec<String>,
}

fn cookies_of(head: &[u8]) -> Vec<String> {
    String::from_utf8_lossy(head)
        .lines()
        .filter_map(|l| {
            let (name, value) = l.split_once(':')?;
            name.trim()
                .eq_ignore_ascii_case("set-cookie")
                .then(|| value.split(';').next().unwrap_or("").trim().to_owned())
        })
        .collect()
}

impl Reply {
    /// The body as text (lossy).
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }
}

/// Sends one request on a new connection and reads the whole answer.
pub fn send(addr: SocketAddr, request: &[u8], timeout: Duration) -> std::io::Result<Reply> {
    let mut s = TcpStream::connect_timeout(&addr, timeout)?;
    s.set_read_timeout(Some(timeout))?;
    s.set_write_timeout(Some(timeout))?;
    s.set_nodelay(true)?;
    s.write_all(request)?;
    let mut buf = Vec::with_capacity(64 * 1024);
    let mut chunk = vec![0u8; 256 * 1024];
    let bad = |e: http1::ParseError| std::io::Error::new(std::io::ErrorKind::InvalidData, e);
    loop {
        let n = s.read(&mut chunk)?;
        if n == 0 {
            if let Some(h) = parse_head(&buf).map_err(bad)? {
                if h.framing == Framing::UntilClose {
                    return Ok(Reply {
                        status: h.status,
                        body: buf[h.head_len..].to_vec(),
                        content_encoding: h.content_encoding,
                        cookies: cookies_of(&buf[..h.head_len]),
                    });
                }
            }
            return Err(std::io::Error::new(
                std::io::ErrorKind::UnexpectedEof,
                "connection closed before the answer was complete",
            ));
        }
        buf.extend_from_slice(&chunk[..n]);
        if let Some(h) = parse_head(&buf).map_err(bad)? {
            if let Some(end) = answer_end(&h, &buf).map_err(bad)? {
                let raw = &buf[h.head_len..end];
                let body = if h.framing == Framing::Chunked {
                    dechunk(raw).map_err(bad)?
                } else {
                    raw.to_vec()
                };
                return Ok(Reply {
                    status: h.status,
                    body,
                    content_encoding: h.content_encoding,
                    cookies: cookies_of(&buf[..h.head_len]),
                });
            }
        }
    }
}

/// `GET path` without compression.
pub fn get(addr: SocketAddr, path: &str, timeout: Duration) -> std::io::Result<Reply> {
    let host = addr.to_string();
    send(
        addr,
        &http1::request("GET", &host, path, None, "identity"),
        timeout,
    )
}

/// `POST path` with a JSON body, without compression.
pub fn post_json(
    addr: SocketAddr,
    path: &str,
    body: &[u8],
    timeout: Duration,
) -> std::io::Result<Reply> {
    let host = addr.to_string();
    send(
        addr,
        &http1::request("POST", &host, path, Some(body), "identity"),
        timeout,
    )
}
