//! A custom page around the app (Python's `app.index_string`): the
//! template's placeholders `{%metas%}`, `{%title%}`, `{%favicon%}`,
//! `{%css%}`, `{%app_entry%}`, `{%config%}`, `{%scripts%}` and
//! `{%renderer%}` are replaced by the page's parts. `{%app_entry%}`,
//! `{%config%}` and `{%scripts%}` are required (the app cannot start
//! without them); the start fails naming the missing ones.

use crate::Error;

/// Python Dash's default page, which the default template reproduces.
pub(crate) const DEFAULT: &str = "<!DOCTYPE html>\n<html>\n<head>\n{%metas%}<title>{%title%}</title>\n{%favicon%}{%css%}</head>\n<body>\n{%app_entry%}<footer>\n{%config%}{%scripts%}{%renderer%}</footer>\n</body>\n</html>\n";

const REQUIRED: [&str; 3] = ["{%app_entry%}", "{%config%}", "{%scripts%}"];

/// The parts of the page, ready to be put in a template.
pub(crate) struct PageParts {
    pub metas: String,
    /// HTML-escaped.
    pub title: String,
    pub favicon: String,
    pub css: String,
    pub app_entry: String,
    pub config: String,
    pub scripts: String,
    pub renderer: String,
}

/// Checks a template for the required placeholders.
pub(crate) fn validate(template: &str) -> Result<(), Error> {
    let missing: Vec<&str> = REQUIRED
        .iter()
        .copied()
        .filter(|p| !template.contains(p))
        .collect();
    if missing.is_empty() {
        Ok(())
    } else {
        Err(Error::InvalidSetting {
            name: "index_string".into(),
            reason: format!("missing item(s): {}", missing.join(", ")),
        })
    }
}

/// Fills a template in one pass (a part's own text is never read again
/// for placeholders).
pub(crate) fn interpolate(template: &str, parts: &PageParts) -> String {
    let mut out = String::with_capacity(template.len() + parts.scripts.len() + 4096);
    let mut rest = template;
    while let Some(start) = rest.find("{%") {
        out.push_str(&rest[..start]);
        let after = &rest[start..];
        let Some(end) = after.find("%}") else {
            out.push_str(after);
            return out;
        };
        let name = &after[2..end];
        let part = match name {
            "metas" => Some(&parts.metas),
            "title" => Some(&parts.title),
            "favicon" => Some(&parts.favicon),
            "css" => Some(&parts.css),
            "app_entry" => Some(&parts.app_entry),
            "config" => Some(&parts.config),
            "scripts" => Some(&parts.scripts),
            "renderer" => Some(&parts.renderer),
            _ => None,
        };
        match part {
            Some(p) => out.push_str(p),
            // Not ours (a template language's own `{% %}`): kept as is.
            None => out.push_str(&after[..end + 2]),
        }
        rest = &after[end + 2..];
    }
    out.push_str(rest);
    out
}

impl crate::Dash {
    /// A custom page template (Python's `app.index_string`), with the
    /// placeholders of the module doc; checked when the app is built.
    ///
    /// ```
    /// use dash::prelude::*;
    /// let mut app = Dash::new().index_string(
    ///     "<!DOCTYPE html><html><head>{%metas%}<title>{%title%}</title>{%css%}</head>\
    ///      <body><div id=\"banner\">Acme</div>{%app_entry%}\
    ///      <footer>{%config%}{%scripts%}{%renderer%}</footer></body></html>",
    /// );
    /// app.layout(html::Div::new().id("a"));
    /// assert!(app.into_router().is_ok());
    ///
    /// let mut broken = Dash::new().index_string("<html><body></body></html>");
    /// broken.layout(html::Div::new().id("a"));
    /// let e = broken.into_router().unwrap_err().to_string();
    /// assert!(e.contains("{%app_entry%}") && e.contains("{%config%}") && e.contains("{%scripts%}"));
    /// ```
    pub fn index_string(mut self, template: impl Into<String>) -> Self {
        self.settings.index_string = Some(template.into());
        self
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parts() -> PageParts {
        PageParts {
            metas: "M".into(),
            title: "T&amp;".into(),
            favicon: "F".into(),
            css: "C".into(),
            app_entry: "A {%config%}".into(),
            config: "G".into(),
            scripts: "S".into(),
            renderer: "R".into(),
        }
    }

    #[test]
    fn placeholders_are_filled_once_and_others_kept() {
        let t = "{%metas%}<t>{%title%}</t>{%favicon%}{%css%}|{%app_entry%}|{%config%}{%scripts%}{%renderer%}|{% if x %}|{%";
        assert_eq!(
            interpolate(t, &parts()),
            "M<t>T&amp;</t>FC|A {%config%}|GSR|{% if x %}|{%"
        );
    }

    #[test]
    fn test_inin009_invalid_index_string() {
        let e = validate("<html><head>{%metas%}<title>{%title%}</title>{%favicon%}{%css%}</head><body><footer></footer></body></html>")
            .unwrap_err()
            .to_string();
        for p in REQUIRED {
            assert!(e.contains(p), "{e}");
        }
        assert!(validate(DEFAULT).is_ok());
    }
}
