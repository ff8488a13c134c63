//! Rust names for JS prop names.

/// Strict and reserved keywords (2015-2024 editions), plus names every
/// builder already uses for itself.
const RESERVED: &[&str] = &[
    "abstract",
    "as",
    "async",
    "await",
    "become",
    "box",
    "break",
    "const",
    "continue",
    "crate",
    "do",
    "dyn",
    "else",
    "enum",
    "extern",
    "false",
    "final",
    "fn",
    "for",
    "gen",
    "if",
    "impl",
    "in",
    "let",
    "loop",
    "macro",
    "match",
    "mod",
    "move",
    "mut",
    "override",
    "priv",
    "pub",
    "ref",
    "return",
    "self",
    "static",
    "struct",
    "super",
    "trait",
    "true",
    "try",
    "type",
    "typeof",
    "union",
    "unsafe",
    "unsized",
    "use",
    "virtual",
    "where",
    "while",
    "yield",
    // Methods of every builder (`default` would hide `Default::default`).
    "new",
    "default",
    "prop",
    "into_component",
];

/// `className` -> `class_name`, `n_clicks` -> `n_clicks`, `HTMLFor` ->
/// `html_for`, `aria-label` -> `aria_label`.
pub fn snake_case(name: &str) -> String {
    let chars: Vec<char> = name.chars().collect();
    let mut out = String::with_capacity(name.len() + 4);
    for (i, &c) in chars.iter().enumerate() {
        if c.is_ascii_uppercase() {
            let prev = i.checked_sub(1).map(|j| chars[j]);
            let next = chars.get(i + 1);
            let boundary = match prev {
                Some(p) if p.is_ascii_lowercase() || p.is_ascii_digit() => true,
                Some(p) if p.is_ascii_uppercase() => next.is_some_and(|n| n.is_ascii_lowercase()),
                _ => false,
            };
            if boundary && !out.ends_with('_') {
                out.push('_');
            }
            out.push(c.to_ascii_lowercase());
        } else if c.is_ascii_alphanumeric() || c == '_' {
            out.push(c);
        } else {
            out.push('_');
        }
    }
    out
}

/// The setter for a prop: [`snake_case`], with a trailing `_` when that is a
/// keyword or a name in `taken` (methods the builder already has, such as
/// the `data`/`aria` wildcard setters).
pub fn setter_name(prop: &str, taken: &[&str]) -> String {
    let mut name = snake_case(prop);
    if name.starts_with(|c: char| c.is_ascii_digit()) {
        name.insert(0, '_');
    }
    if RESERVED.contains(&name.as_str()) || taken.contains(&name.as_str()) {
        name.push('_');
    }
    name
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names() {
        assert_eq!(setter_name("className", &[]), "class_name");
        assert_eq!(setter_name("n_clicks_timestamp", &[]), "n_clicks_timestamp");
        assert_eq!(setter_name("type", &[]), "type_");
        assert_eq!(setter_name("loop", &[]), "loop_");
        assert_eq!(setter_name("async", &[]), "async_");
        assert_eq!(setter_name("default", &[]), "default_");
        assert_eq!(setter_name("accessKey", &[]), "access_key");
        assert_eq!(setter_name("HTMLFor", &[]), "html_for");
        assert_eq!(setter_name("isHTML", &[]), "is_html");
        assert_eq!(setter_name("data", &["data", "aria"]), "data_");
        assert_eq!(setter_name("data", &[]), "data");
    }
}
