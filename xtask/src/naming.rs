//! Rust names for JS prop names.

const KEYWORDS: &[&str] = &[
    "as",
    "async",
    "await",
    "break",
    "const",
    "continue",
    "crate",
    "dyn",
    "else",
    "enum",
    "extern",
    "false",
    "fn",
    "for",
    "if",
    "impl",
    "in",
    "let",
    "loop",
    "match",
    "mod",
    "move",
    "mut",
    "pub",
    "ref",
    "return",
    "self",
    "Self",
    "static",
    "struct",
    "super",
    "trait",
    "true",
    "type",
    "unsafe",
    "use",
    "where",
    "while",
    "abstract",
    "become",
    "box",
    "do",
    "final",
    "macro",
    "override",
    "priv",
    "typeof",
    "unsized",
    "virtual",
    "yield",
    "try",
    "gen",
    // methods every builder has
    "new",
    "prop",
    "into_component",
    "data_attr",
    "aria_attr",
    "default",
];

/// `className` -> `class_name`; keywords get a trailing `_`.
pub fn setter_name(prop: &str) -> String {
    let mut out = String::with_capacity(prop.len() + 4);
    let mut prev_lower = false;
    for c in prop.chars() {
        if c.is_ascii_uppercase() {
            if prev_lower {
                out.push('_');
            }
            out.push(c.to_ascii_lowercase());
            prev_lower = false;
        } else if c == '-' {
            out.push('_');
            prev_lower = false;
        } else {
            out.push(c);
            prev_lower = c.is_ascii_lowercase() || c.is_ascii_digit();
        }
    }
    if KEYWORDS.contains(&out.as_str()) {
        out.push('_');
    }
    out
}

/// Doc text safe for rustdoc: no indented blocks (which would become
/// doctests), fenced code marked as text.
pub fn doc_lines(text: &str) -> Vec<String> {
    let mut lines = Vec::new();
    for line in text.trim().lines() {
        let t = line.trim();
        if t.starts_with("```") {
            lines.push("```text".to_owned());
        } else {
            lines.push(t.replace('\t', " "));
        }
    }
    // Close an odd fence so the rest of the file is not swallowed.
    if lines.iter().filter(|l| l.starts_with("```")).count() % 2 == 1 {
        lines.push("```".to_owned());
    }
    // A fence opened as ```text must close with a plain fence.
    let mut open = false;
    for l in lines.iter_mut() {
        if l.starts_with("```") {
            *l = if open {
                "```".to_owned()
            } else {
                "```text".to_owned()
            };
            open = !open;
        }
    }
    lines
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names() {
        assert_eq!(setter_name("className"), "class_name");
        assert_eq!(setter_name("n_clicks_timestamp"), "n_clicks_timestamp");
        assert_eq!(setter_name("type"), "type_");
        assert_eq!(setter_name("accessKey"), "access_key");
        assert_eq!(setter_name("data-*"), "data_*");
    }
}
