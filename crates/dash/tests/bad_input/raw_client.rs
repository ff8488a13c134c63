//! A blocking HTTP/1.1 client that sends exact bytes and reads one answer.

use std::io::{ErrorKind, Read, Write};
use std::net::{Shutdown, SocketAddr, TcpStream};
use std::time::Instant;

use crate::{Outcome, READ_TIMEOUT};

pub(crate) fn send(addr: SocketAddr, bytes: &[u8], half_close: bool) -> Outcome {
    let mut stream = TcpStream::connect(addr).unwrap();
    stream.set_read_timeout(Some(READ_TIMEOUT)).unwrap();
    stream.set_write_timeout(Some(READ_TIMEOUT)).unwrap();
    // The server may answer and close before reading everything (a head
    // too large): a failed write is not the end of the case.
    let _ = stream.write_all(bytes);
    if half_close {
        let _ = stream.shutdown(Shutdown::Write);
    }
    let mut received = Vec::new();
    let mut chunk = [0u8; 16 * 1024];
    let deadline = Instant::now() + READ_TIMEOUT;
    let timed_out = loop {
        match stream.read(&mut chunk) {
            Ok(0) => break false,
            Ok(n) => {
                received.extend_from_slice(&chunk[..n]);
                if response_complete(&received) {
                    break false;
                }
            }
            Err(e) if matches!(e.kind(), ErrorKind::WouldBlock | ErrorKind::TimedOut) => {
                break true
            }
            Err(_) => break false, // reset
        }
        if Instant::now() > deadline {
            break true;
        }
    };
    match parse_response(&received) {
        Some((status, content_type, body)) => Outcome::Answer {
            status,
            content_type,
            body,
        },
        None if timed_out && received.is_empty() => Outcome::TimedOut,
        None if received.is_empty() => Outcome::Closed,
        // A SETTINGS frame (type 4 on stream 0) opens a server's HTTP/2 side.
        None if received.len() >= 9 && received[3] == 4 && received[5..9] == [0, 0, 0, 0] => {
            Outcome::Http2
        }
        None => panic!(
            "an unparsable answer: {:?}",
            String::from_utf8_lossy(&received[..received.len().min(300)])
        ),
    }
}

fn head_end(data: &[u8]) -> Option<usize> {
    data.windows(4)
        .position(|w| w == b"\r\n\r\n")
        .map(|i| i + 4)
}

fn header<'a>(head: &'a str, name: &str) -> Option<&'a str> {
    head.lines().skip(1).find_map(|l| {
        let (k, v) = l.split_once(':')?;
        k.trim().eq_ignore_ascii_case(name).then(|| v.trim())
    })
}

/// True once one whole answer is in `data` (by Content-Length, or the end
/// of a chunked body); else the reading goes on until the server closes.
fn response_complete(data: &[u8]) -> bool {
    let Some(end) = head_end(data) else {
        return false;
    };
    let head = String::from_utf8_lossy(&data[..end]);
    if let Some(n) = header(&head, "content-length").and_then(|v| v.parse::<usize>().ok()) {
        return data.len() >= end + n;
    }
    let status = head.split(' ').nth(1).unwrap_or("");
    if status == "204" || status == "304" {
        return true;
    }
    header(&head, "transfer-encoding").is_some_and(|v| v.contains("chunked"))
        && data[end..].ends_with(b"0\r\n\r\n")
}

fn dechunk(mut data: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    loop {
        let Some(line) = data.windows(2).position(|w| w == b"\r\n") else {
            return out;
        };
        let size = std::str::from_utf8(&data[..line])
            .ok()
            .and_then(|s| usize::from_str_radix(s.split(';').next().unwrap_or("").trim(), 16).ok())
            .unwrap_or(0);
        data = &data[line + 2..];
        if size == 0 || data.len() < size {
            return out;
        }
        out.extend_from_slice(&data[..size]);
        data = &data[(size + 2).min(data.len())..];
    }
}

fn parse_response(data: &[u8]) -> Option<(u16, String, Vec<u8>)> {
    let end = head_end(data)?;
    let head = String::from_utf8_lossy(&data[..end]).into_owned();
    let status: u16 = head.split(' ').nth(1)?.parse().ok()?;
    let content_type = header(&head, "content-type").unwrap_or("").to_owned();
    let rest = &data[end..];
    let body = if let Some(n) = header(&head, "content-length").and_then(|v| v.parse().ok()) {
        rest[..rest.len().min(n)].to_vec()
    } else if header(&head, "transfer-encoding").is_some_and(|v| v.contains("chunked")) {
        dechunk(rest)
    } else {
        rest.to_vec()
    };
    if header(&head, "content-encoding").is_some() {
        panic!("the catalogue asks for no compression, got an encoded body");
    }
    Some((status, content_type, body))
}
