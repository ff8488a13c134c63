//! Metadata descriptions as rustdoc text: no doctests (code blocks become
//! ```` ```text ````), HTML tags in backticks, bare URLs as autolinks.

/// The first paragraph of `text`.
pub fn first_paragraph(text: &str) -> &str {
    let text = text.trim();
    let end = text
        .lines()
        .scan(0, |pos, line| {
            let start = *pos;
            *pos += line.len() + 1;
            Some((start, line))
        })
        .find(|(_, line)| line.trim().is_empty())
        .map_or(text.len(), |(start, _)| start);
    text[..end].trim()
}

/// Lines for `///` comments; empty when `text` is blank.
pub fn doc_lines(text: &str) -> Vec<String> {
    let raw: Vec<String> = text
        .lines()
        .map(|l| l.replace('\t', "    ").trim_end().to_owned())
        .collect();
    let mut out: Vec<String> = Vec::new();
    let mut in_fence = false;
    let mut i = 0;
    while i < raw.len() {
        let line = &raw[i];
        let trimmed = line.trim_start();
        if trimmed.starts_with("```") {
            out.push(if in_fence { "```" } else { "```text" }.to_owned());
            in_fence = !in_fence;
            i += 1;
        } else if in_fence {
            out.push(line.clone());
            i += 1;
        } else if indent(line) >= 4 && out.last().is_none_or(|l| l.is_empty()) {
            // An indented code block: would be a doctest; fence it as text.
            let mut end = i;
            while end < raw.len() && (raw[end].is_empty() || indent(&raw[end]) >= 4) {
                end += 1;
            }
            while raw[end - 1].is_empty() {
                end -= 1;
            }
            let block = &raw[i..end];
            let cut = block
                .iter()
                .filter(|l| !l.is_empty())
                .map(|l| indent(l))
                .min()
                .unwrap_or(0);
            out.push("```text".to_owned());
            out.extend(block.iter().map(|l| l.get(cut..).unwrap_or("").to_owned()));
            out.push("```".to_owned());
            i = end;
        } else {
            out.push(escape_inline(trimmed));
            i += 1;
        }
    }
    if in_fence {
        out.push("```".to_owned());
    }
    // No leading, trailing or repeated blank lines.
    let mut lines: Vec<String> = Vec::with_capacity(out.len());
    for l in out {
        if l.is_empty() && lines.last().is_none_or(|p| p.is_empty()) {
            continue;
        }
        lines.push(l);
    }
    while lines.last().is_some_and(|l| l.is_empty()) {
        lines.pop();
    }
    lines
}

fn indent(line: &str) -> usize {
    line.len() - line.trim_start_matches(' ').len()
}

/// Escapes one line of prose outside its code spans.
fn escape_inline(line: &str) -> String {
    if line.matches('`').count() % 2 == 1 {
        // An unbalanced backtick: leave the line alone rather than guess.
        return line.to_owned();
    }
    line.split('`')
        .enumerate()
        .map(|(i, part)| {
            if i % 2 == 1 {
                part.to_owned()
            } else {
                escape_prose(part)
            }
        })
        .collect::<Vec<_>>()
        .join("`")
}

fn escape_prose(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 8);
    let mut rest = text;
    while !rest.is_empty() {
        if let Some(tag) = html_tag(rest) {
            out.push('`');
            out.push_str(tag);
            out.push('`');
            rest = &rest[tag.len()..];
        } else if let Some(url) = bare_url(rest, &out) {
            out.push('<');
            out.push_str(url);
            out.push('>');
            rest = &rest[url.len()..];
        } else {
            let c = rest.chars().next().expect("not empty");
            out.push(c);
            rest = &rest[c.len_utf8()..];
        }
    }
    out
}

/// `<div>`, `</div>`, `<table/>` at the start of `s`.
fn html_tag(s: &str) -> Option<&str> {
    let body = s.strip_prefix('<')?;
    let first = body.chars().next()?;
    if !(first.is_ascii_alphabetic() || first == '/') {
        return None;
    }
    let end = body.find('>')?;
    let inner = &body[..end];
    if inner.starts_with("http") || inner.contains('<') {
        return None;
    }
    Some(&s[..end + 2])
}

/// A URL at the start of `s` that is not already linked.
fn bare_url<'a>(s: &'a str, before: &str) -> Option<&'a str> {
    let linked = before.ends_with('<') || before.ends_with("](");
    if !(s.starts_with("https://") || s.starts_with("http://")) || linked {
        return None;
    }
    let end = s
        .find(|c: char| c.is_whitespace() || c == '<' || c == '>')
        .unwrap_or(s.len());
    let url = s[..end].trim_end_matches(['.', ',', ';', ':', ')', '\'', '"']);
    Some(url)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fences_become_text() {
        assert_eq!(
            doc_lines("a\n```\nx = 1\n```"),
            ["a", "```text", "x = 1", "```"]
        );
        assert_eq!(doc_lines("```py\nx"), ["```text", "x", "```"]);
    }

    #[test]
    fn indented_blocks_are_fenced() {
        assert_eq!(
            doc_lines("Position.\n\n      `lat` is latitude.\n      `lon` too.\n\nEnd."),
            [
                "Position.",
                "",
                "```text",
                "`lat` is latitude.",
                "`lon` too.",
                "```",
                "",
                "End."
            ]
        );
        // Inside a paragraph indentation is not a code block.
        assert_eq!(
            doc_lines("Example:\n[\n     {'a': 1}\n]"),
            ["Example:", "[", "{'a': 1}", "]"]
        );
    }

    #[test]
    fn tags_and_urls() {
        assert_eq!(
            escape_inline("the <div> element, see: https://x.org/div. a < b"),
            "the `<div>` element, see: <https://x.org/div>. a < b"
        );
        assert_eq!(
            escape_inline("[link](https://x.org) `<b>`"),
            "[link](https://x.org) `<b>`"
        );
    }

    #[test]
    fn paragraphs() {
        assert_eq!(first_paragraph("\nA\nB\n\nC"), "A\nB");
        assert_eq!(first_paragraph("A"), "A");
        assert!(doc_lines("  \n").is_empty());
    }
}
