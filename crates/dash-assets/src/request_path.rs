//! Which requested paths may be served from a folder: the one rule both
//! file routes share, kept free of I/O so it can be fuzzed.

/// The parts of a requested path (already percent-decoded, as the router
/// gives it) to join to a folder, in order; `None` when the path tries to
/// leave the folder or names something no asset is called: a `..` part, or
/// a part holding `\`, `:` or a NUL byte (a separator, a drive or the end of
/// a C string somewhere). Empty and `.` parts are dropped, so an absolute or
/// `//` path stays inside the folder.
///
/// ```
/// use dash_assets::request_path::relative_parts;
/// assert_eq!(relative_parts("css/site.css"), Some(vec!["css", "site.css"]));
/// assert_eq!(relative_parts("/./css//site.css"), Some(vec!["css", "site.css"]));
/// assert_eq!(relative_parts("css/../../etc/passwd"), None);
/// assert_eq!(relative_parts("..\\secret"), None);
/// assert_eq!(relative_parts("a\0.css"), None);
/// ```
pub fn relative_parts(requested: &str) -> Option<Vec<&str>> {
    let mut parts = Vec::new();
    for part in requested.split('/') {
        match part {
            "" | "." => continue,
            ".." => return None,
            p if p.contains(['\\', '\0', ':']) => return None,
            p => parts.push(p),
        }
    }
    Some(parts)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refuses_every_way_out() {
        for bad in [
            "..",
            "../x",
            "a/../../x",
            "a/..",
            "..\\x",
            "a\\..\\x",
            "c:/windows",
            "x\0",
            "ok/..",
        ] {
            assert_eq!(relative_parts(bad), None, "{bad:?}");
        }
        assert_eq!(relative_parts(""), Some(vec![]));
        assert_eq!(relative_parts("/etc/passwd"), Some(vec!["etc", "passwd"]));
        assert_eq!(relative_parts("...css"), Some(vec!["...css"]));
        assert_eq!(relative_parts("%2e%2e/x"), Some(vec!["%2e%2e", "x"]));
    }
}
