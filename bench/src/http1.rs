//! Just enough HTTP/1.1 for a load generator: building a request once and
//! finding where an answer ends (`Content-Length` or chunked).

/// Builds the bytes of one request, sent unchanged on every iteration.
///
/// ```
/// let r = dash_bench::http1::request("GET", "127.0.0.1:8050", "/", None, "identity");
/// assert!(r.starts_with(b"GET / HTTP/1.1\r\nHost: 127.0.0.1:8050\r\n"));
/// ```
pub fn request(
    method: &str,
    host: &str,
    path: &str,
    json_body: Option<&[u8]>,
    accept_encoding: &str,
) -> Vec<u8> {
    request_with_cookie(method, host, path, json_body, accept_encoding, None)
}

/// [`request`] with a `Cookie` header.
pub fn request_with_cookie(
    method: &str,
    host: &str,
    path: &str,
    json_body: Option<&[u8]>,
    accept_encoding: &str,
    cookie: Option<&str>,
) -> Vec<u8> {
    let mut head = format!(
        "{method} {path} HTTP/1.1\r\nHost: {host}\r\nUser-Agent: dash-bench\r\nAccept: */*\r\nAccept-Encoding: {accept_encoding}\r\n"
    );
    if let Some(c) = cookie {
        head.push_str(&format!("Cookie: {c}\r\n"));
    }
    if let Some(body) = json_body {
        head.push_str(&format!(
            "Content-Type: application/json\r\nContent-Length: {}\r\n",
            body.len()
        ));
    }
    head.push_str("\r\n");
    let mut bytes = head.into_bytes();
    if let Some(body) = json_body {
        bytes.extend_from_slice(body);
    }
    bytes
}

/// The head of an answer and where its body lies in the buffer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Head {
    /// Status code.
    pub status: u16,
    /// Length of the head, including the blank line.
    pub head_len: usize,
    /// How the body is delimited.
    pub framing: Framing,
    /// The server will close the connection after this answer.
    pub close: bool,
    /// The `Content-Encoding` header, if any.
    pub content_encoding: Option<String>,
}

/// How the end of a body is found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Framing {
    /// `Content-Length: n`.
    Length(usize),
    /// `Transfer-Encoding: chunked`.
    Chunked,
    /// Neither: the body ends when the server closes the connection.
    UntilClose,
}

/// Why an answer could not be read.
#[derive(Debug, thiserror::Error)]
pub enum ParseError {
    /// The head is not HTTP/1.x.
    #[error("malformed answer head: {0}")]
    Head(String),
    /// A chunk size line is not hexadecimal.
    #[error("malformed chunked body")]
    Chunk,
}

/// Parses the head at the start of `buf`; `None` while it is incomplete.
///
/// ```
/// use dash_bench::http1::{parse_head, Framing};
/// let h = parse_head(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok").unwrap().unwrap();
/// assert_eq!((h.status, h.head_len, h.framing), (200, 38, Framing::Length(2)));
/// ```
pub fn parse_head(buf: &[u8]) -> Result<Option<Head>, ParseError> {
    let mut headers = [httparse::EMPTY_HEADER; 48];
    let mut response = httparse::Response::new(&mut headers);
    let head_len = match response.parse(buf) {
        Ok(httparse::Status::Complete(n)) => n,
        Ok(httparse::Status::Partial) => return Ok(None),
        Err(e) => return Err(ParseError::Head(e.to_string())),
    };
    let status = response.code.unwrap_or(0);
    let mut close = response.version == Some(0);
    let mut framing = Framing::UntilClose;
    let mut content_encoding = None;
    for h in response.headers.iter() {
        let value = std::str::from_utf8(h.value).unwrap_or("").trim();
        if h.name.eq_ignore_ascii_case("content-length") {
            let n = value
                .parse()
                .map_err(|_| ParseError::Head(format!("bad Content-Length {value:?}")))?;
            if framing != Framing::Chunked {
                framing = Framing::Length(n);
            }
        } else if h.name.eq_ignore_ascii_case("transfer-encoding")
            && value.to_ascii_lowercase().contains("chunked")
        {
            framing = Framing::Chunked;
        } else if h.name.eq_ignore_ascii_case("connection") {
            close = value.eq_ignore_ascii_case("close");
        } else if h.name.eq_ignore_ascii_case("content-encoding") {
            content_encoding = Some(value.to_owned());
        }
    }
    if matches!(status, 204 | 304) || (100..200).contains(&status) {
        framing = Framing::Length(0);
    }
    Ok(Some(Head {
        status,
        head_len,
        framing,
        close,
        content_encoding,
    }))
}

/// Where a chunked body starting at `body[0]` ends (just past the last
/// CRLF), or `None` while it is incomplete.
///
/// ```
/// use dash_bench::http1::chunked_end;
/// assert_eq!(chunked_end(b"2\r\nok\r\n0\r\n\r\n").unwrap(), Some(12));
/// assert_eq!(chunked_end(b"2\r\nok\r\n0\r\n").unwrap(), None);
/// ```
pub fn chunked_end(body: &[u8]) -> Result<Option<usize>, ParseError> {
    let mut at = 0;
    loop {
        let Some(eol) = find_crlf(&body[at..]) else {
            return Ok(None);
        };
        let line = &body[at..at + eol];
        let size_text = line.split(|&b| b == b';').next().unwrap_or(line);
        let size_text = std::str::from_utf8(size_text).map_err(|_| ParseError::Chunk)?;
        let size = usize::from_str_radix(size_text.trim(), 16).map_err(|_| ParseError::Chunk)?;
        at += eol + 2;
        if size == 0 {
            // Trailers end with an empty line.
            loop {
                let Some(eol) = find_crlf(&body[at..]) else {
                    return Ok(None);
                };
                at += eol + 2;
                if eol == 0 {
                    return Ok(Some(at));
                }
            }
        }
        if body.len() < at + size + 2 {
            return Ok(None);
        }
        at += size + 2;
    }
}

/// Decodes a complete chunked body.
pub fn dechunk(body: &[u8]) -> Result<Vec<u8>, ParseError> {
    let mut out = Vec::new();
    let mut at = 0;
    loop {
        let eol = find_crlf(&body[at..]).ok_or(ParseError::Chunk)?;
        let line = &body[at..at + eol];
        let size_text = line.split(|&b| b == b';').next().unwrap_or(line);
        let size_text = std::str::from_utf8(size_text).map_err(|_| ParseError::Chunk)?;
        let size = usize::from_str_radix(size_text.trim(), 16).map_err(|_| ParseError::Chunk)?;
        at += eol + 2;
        if size == 0 {
            return Ok(out);
        }
        out.extend_from_slice(body.get(at..at + size).ok_or(ParseError::Chunk)?);
        at += size + 2;
    }
}

fn find_crlf(bytes: &[u8]) -> Option<usize> {
    bytes.windows(2).position(|w| w == b"\r\n")
}

/// Where the whole answer ends in `buf`, given its head; `None` while it is
/// incomplete. `UntilClose` answers are never complete here.
pub fn answer_end(head: &Head, buf: &[u8]) -> Result<Option<usize>, ParseError> {
    match head.framing {
        Framing::Length(n) => Ok((buf.len() >= head.head_len + n).then_some(head.head_len + n)),
        Framing::Chunked => Ok(chunked_end(&buf[head.head_len..])?.map(|end| head.head_len + end)),
        Framing::UntilClose => Ok(None),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn head_with_close_and_chunks() {
        let raw = b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nConnection: close\r\nContent-Encoding: br\r\n\r\n3\r\nabc\r\n0\r\n\r\n";
        let head = parse_head(raw).unwrap().unwrap();
        assert_eq!(head.framing, Framing::Chunked);
        assert!(head.close);
        assert_eq!(head.content_encoding.as_deref(), Some("br"));
        assert_eq!(answer_end(&head, raw).unwrap(), Some(raw.len()));
        assert_eq!(answer_end(&head, &raw[..raw.len() - 1]).unwrap(), None);
        assert_eq!(dechunk(&raw[head.head_len..]).unwrap(), b"abc");
    }

    #[test]
    fn partial_head_and_http10() {
        assert!(parse_head(b"HTTP/1.1 200 OK\r\nContent-Le")
            .unwrap()
            .is_none());
        let h = parse_head(b"HTTP/1.0 204 No Content\r\n\r\n")
            .unwrap()
            .unwrap();
        assert!(h.close);
        assert_eq!(h.framing, Framing::Length(0));
        assert!(parse_head(b"garbage\r\n\r\n").is_err());
        assert!(chunked_end(b"zz\r\n").is_err());
    }
}
