//! JSON helpers: JavaScript number formatting and HTML-safe embedding.

/// Formats a JSON number as JavaScript's `JSON.stringify` does for the
/// common cases: integral floats lose their `.0`.
///
/// ```
/// use dash_protocol::json::js_number;
/// assert_eq!(js_number(&serde_json::Number::from_f64(3.0).unwrap()), "3");
/// assert_eq!(js_number(&serde_json::Number::from_f64(0.25).unwrap()), "0.25");
/// assert_eq!(js_number(&7u8.into()), "7");
/// ```
pub fn js_number(n: &serde_json::Number) -> String {
    if let Some(f) = n.as_f64().filter(|_| n.is_f64()) {
        if f.fract() == 0.0 && f.abs() < 1e21 {
            return format!("{}", f as i128);
        }
    }
    n.to_string()
}

/// Makes JSON text safe inside an HTML `<script>` element by escaping `<`,
/// `>` and `/` as `\u003c`, `\u003e`, `\u002f` (inside strings, where they
/// can only occur in valid JSON).
///
/// ```
/// use dash_protocol::json::html_safe;
/// assert_eq!(html_safe(r#"{"a":"</script>"}"#), r#"{"a":"\u003c\u002fscript\u003e"}"#);
/// ```
pub fn html_safe(json: &str) -> String {
    let mut out = String::with_capacity(json.len() + 16);
    for c in json.chars() {
        match c {
            '<' => out.push_str("\\u003c"),
            '>' => out.push_str("\\u003e"),
            '/' => out.push_str("\\u002f"),
            c => out.push(c),
        }
    }
    out
}
