//! Path templates (`/report/<report_id>`): parsed once, matched against a
//! path per request. A variable matches a non-empty part of one path
//! segment (it never spans a `/`); its value is percent-decoded.

use percent_encoding::percent_decode_str;

/// One part of a template segment.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Part {
    Literal(String),
    Variable(String),
}

/// A parsed path template.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct PathTemplate {
    /// The template as written.
    pub text: String,
    /// One entry per `/`-separated segment (outer slashes trimmed).
    segments: Vec<Vec<Part>>,
}

impl PathTemplate {
    /// Parses `text`; variable names must be identifiers (as Python's
    /// `validate_template` asks), unique, and not next to each other.
    pub(crate) fn parse(text: &str) -> Result<PathTemplate, String> {
        let trimmed = text.trim_matches('/');
        let mut segments = Vec::new();
        let mut names: Vec<String> = Vec::new();
        for segment in trimmed.split('/') {
            let mut parts = Vec::new();
            let mut rest = segment;
            while !rest.is_empty() {
                match rest.find('<') {
                    Some(0) => {
                        let end = rest.find('>').ok_or_else(|| {
                            format!("path_template {text:?}: a `<` has no closing `>`")
                        })?;
                        let name = &rest[1..end];
                        if !is_identifier(name) {
                            return Err(format!(
                                "`{name}` is not a valid variable name in path_template {text:?}"
                            ));
                        }
                        if names.iter().any(|n| n == name) {
                            return Err(format!(
                                "variable `{name}` appears twice in path_template {text:?}"
                            ));
                        }
                        if matches!(parts.last(), Some(Part::Variable(_))) {
                            return Err(format!(
                                "path_template {text:?}: two variables need a literal between them"
                            ));
                        }
                        names.push(name.to_owned());
                        parts.push(Part::Variable(name.to_owned()));
                        rest = &rest[end + 1..];
                    }
                    found => {
                        let end = found.unwrap_or(rest.len());
                        let literal = &rest[..end];
                        if literal.contains('>') {
                            return Err(format!("path_template {text:?}: a `>` without `<`"));
                        }
                        parts.push(Part::Literal(literal.to_owned()));
                        rest = &rest[end..];
                    }
                }
            }
            segments.push(parts);
        }
        Ok(PathTemplate {
            text: text.to_owned(),
            segments,
        })
    }

    /// Whether the template has any variable.
    pub(crate) fn has_variables(&self) -> bool {
        self.segments
            .iter()
            .flatten()
            .any(|p| matches!(p, Part::Variable(_)))
    }

    /// The path Python infers from a template: every variable is `none`.
    pub(crate) fn default_path(&self) -> String {
        let mut path = String::from("/");
        for (i, segment) in self.segments.iter().enumerate() {
            if i > 0 {
                path.push('/');
            }
            for part in segment {
                match part {
                    Part::Literal(l) => path.push_str(l),
                    Part::Variable(_) => path.push_str("none"),
                }
            }
        }
        path
    }

    /// The last segment that has no variable, for a page's default name.
    pub(crate) fn last_literal_segment(&self) -> Option<&str> {
        self.segments.iter().rev().find_map(|s| match s.as_slice() {
            [Part::Literal(l)] => Some(l.as_str()),
            _ => None,
        })
    }

    /// The variables of `path` (outer slashes ignored), or `None` when it
    /// does not match.
    pub(crate) fn matches(&self, path: &str) -> Option<Vec<(String, String)>> {
        let path_segments: Vec<&str> = path.trim_matches('/').split('/').collect();
        if path_segments.len() != self.segments.len() {
            return None;
        }
        let mut variables = Vec::new();
        for (parts, segment) in self.segments.iter().zip(path_segments) {
            match_segment(parts, segment, &mut variables)?;
        }
        Some(variables)
    }
}

fn match_segment(parts: &[Part], segment: &str, out: &mut Vec<(String, String)>) -> Option<()> {
    let mut rest = segment;
    for (i, part) in parts.iter().enumerate() {
        match part {
            Part::Literal(l) => rest = rest.strip_prefix(l.as_str())?,
            Part::Variable(name) => {
                // Up to the next literal's first occurrence, or the end.
                let end = match parts.get(i + 1) {
                    Some(Part::Literal(next)) => rest.find(next.as_str())?,
                    _ => rest.len(),
                };
                if end == 0 {
                    return None;
                }
                let value = percent_decode_str(&rest[..end])
                    .decode_utf8_lossy()
                    .into_owned();
                out.push((name.clone(), value));
                rest = &rest[end..];
            }
        }
    }
    rest.is_empty().then_some(())
}

fn is_identifier(name: &str) -> bool {
    let mut chars = name.chars();
    matches!(chars.next(), Some(c) if c == '_' || c.is_alphabetic())
        && chars.all(|c| c == '_' || c.is_alphanumeric())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn vars(t: &str, p: &str) -> Option<Vec<(String, String)>> {
        PathTemplate::parse(t).unwrap().matches(p)
    }

    #[test]
    fn variables_match_one_segment_each_and_are_decoded() {
        assert_eq!(
            vars("/a/<id_a>/b/<id_b>", "/a/var1/b/var2/"),
            Some(vec![
                ("id_a".into(), "var1".into()),
                ("id_b".into(), "var2".into())
            ])
        );
        assert_eq!(
            vars("/report/<report_id>", "report/a%20b%3Cx%3E"),
            Some(vec![("report_id".into(), "a b<x>".into())])
        );
        assert_eq!(vars("/report/<report_id>", "/report"), None);
        assert_eq!(vars("/report/<report_id>", "/report/1/2"), None);
        assert_eq!(vars("/report/<report_id>", "/other/1"), None);
        assert_eq!(
            vars("/r-<a>.<b>", "/r-x.y.z"),
            Some(vec![("a".into(), "x".into()), ("b".into(), "y.z".into())])
        );
        assert_eq!(vars("/r-<a>", "/r-"), None);
    }

    #[test]
    fn bad_templates_are_refused_and_the_default_path_uses_none() {
        for bad in ["/a/<1x>", "/a/<x", "/a/x>", "/<a><b>", "/<a>/<a>", "/<>"] {
            assert!(PathTemplate::parse(bad).is_err(), "{bad}");
        }
        let t = PathTemplate::parse("/report/<report_id>").unwrap();
        assert_eq!(t.default_path(), "/report/none");
        assert_eq!(t.last_literal_segment(), Some("report"));
        assert!(t.has_variables());
    }
}
