//! Bounded echoes of untrusted text: an id, a key or a value that goes into
//! an error answer or a log line is cut, with a marker saying so.

use std::borrow::Cow;

/// How many bytes of an echoed id, key or value are kept.
pub const ECHO_LIMIT: usize = 160;

/// `text` if it has at most `max` bytes; else its first `max` bytes (cut at
/// a character boundary) followed by a marker with the full length.
///
/// ```
/// use dash_protocol::excerpt;
/// assert_eq!(excerpt("short", 10), "short");
/// let long = "x".repeat(1_000_000);
/// let cut = excerpt(&long, 8);
/// assert_eq!(cut, "xxxxxxxx…[cut, 1000000 bytes in all]");
/// ```
pub fn excerpt(text: &str, max: usize) -> Cow<'_, str> {
    if text.len() <= max {
        return Cow::Borrowed(text);
    }
    let mut end = max;
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    Cow::Owned(format!(
        "{}…[cut, {} bytes in all]",
        &text[..end],
        text.len()
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cuts_at_a_character_boundary() {
        let text = "é".repeat(10); // two bytes each
        let cut = excerpt(&text, 5);
        assert!(cut.starts_with("éé…"), "{cut}");
        assert!(cut.ends_with("20 bytes in all]"), "{cut}");
        assert_eq!(excerpt("", 0), "");
        assert!(excerpt("a", 0).starts_with("…[cut, 1 bytes"));
    }
}
