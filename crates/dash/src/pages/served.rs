//! The HTML of a direct load of a page: the page's own `<title>` and link
//! preview meta tags (Python's `_page_meta_tags`), 404 for a path that is
//! no page, a 301 for a `redirect_from` path. The page is rendered once at
//! start with two slots; each answer fills them with escaped text.

use std::sync::Arc;

use axum::http::{HeaderMap, StatusCode, Uri};

use super::container::{display_path, strip_requests_prefix};
use super::registry::PageRegistry;
use super::PageArgs;
use crate::index_page::escape_attr;

/// Stands for the escaped `<title>` text in the rendered page.
pub(crate) const TITLE_SLOT: &str = "__dash_rs_page_title__";
/// Stands for the page's meta tags (before the app's) in the rendered page.
pub(crate) const METAS_SLOT: &str = "__dash_rs_page_metas__\n";

#[derive(Debug, Clone)]
enum Piece {
    Text(String),
    Title,
    Metas,
}

/// The rendered page cut at its slots.
#[derive(Debug, Clone)]
pub(crate) struct Shell(Vec<Piece>);

impl Shell {
    pub(crate) fn new(html: &str) -> Shell {
        let mut pieces = Vec::new();
        let mut rest = html;
        loop {
            let title = rest
                .find(TITLE_SLOT)
                .map(|i| (i, Piece::Title, TITLE_SLOT.len()));
            let metas = rest
                .find(METAS_SLOT)
                .map(|i| (i, Piece::Metas, METAS_SLOT.len()));
            let next = match (title, metas) {
                (Some(a), Some(b)) => Some(if a.0 < b.0 { a } else { b }),
                (a, b) => a.or(b),
            };
            let Some((at, piece, len)) = next else {
                pieces.push(Piece::Text(rest.to_owned()));
                return Shell(pieces);
            };
            pieces.push(Piece::Text(rest[..at].to_owned()));
            pieces.push(piece);
            rest = &rest[at + len..];
        }
    }

    fn fill(&self, title: &str, metas: &str) -> String {
        let size: usize = self
            .0
            .iter()
            .map(|p| match p {
                Piece::Text(t) => t.len(),
                Piece::Title => title.len(),
                Piece::Metas => metas.len(),
            })
            .sum();
        let mut out = String::with_capacity(size);
        for p in &self.0 {
            out.push_str(match p {
                Piece::Text(t) => t,
                Piece::Title => title,
                Piece::Metas => metas,
            });
        }
        out
    }
}

/// What the index route answers for a pages app.
pub(crate) enum Answer {
    /// A `redirect_from` path: 301 to this location.
    Redirect(String),
    /// The page (404 for a path that is no page).
    Page { status: StatusCode, html: String },
}

/// Everything the index route needs to answer a page.
pub(crate) struct ServedPages {
    pub registry: Arc<PageRegistry>,
    pub routes_prefix: String,
    pub app_title: String,
    /// `<requests prefix><assets url path>/`.
    pub assets_base: String,
    /// The rendered page; `None` in debug mode's hot reload, where the
    /// page comes from the watcher on each load.
    pub shell: Option<Shell>,
}

impl ServedPages {
    /// The answer for `uri`; `page` is the rendered page when there is no
    /// shell.
    pub(crate) fn answer(
        &self,
        uri: &Uri,
        headers: &HeaderMap,
        https: bool,
        page: Option<&str>,
    ) -> Answer {
        let root = root(headers, https);
        let app_path = strip_requests_prefix(&self.routes_prefix, uri.path()).unwrap_or("");
        if let Some(target) = self.registry.redirect_target(app_path) {
            return Answer::Redirect(target.entry.relative_path.clone());
        }
        let search = uri.query().map(|q| format!("?{q}")).unwrap_or_default();
        let (status, title, description, image, extra) = match self.registry.resolve(app_path) {
            Some((page, variables)) => {
                let args = PageArgs::new(
                    display_path(app_path),
                    variables,
                    &search,
                    Default::default(),
                );
                let image = page.entry.image_url.clone().or_else(|| {
                    page.entry.image.as_ref().map(|file| {
                        format!(
                            "{}{}{}",
                            root,
                            self.assets_base.trim_start_matches('/'),
                            file
                        )
                    })
                });
                // A title or description function that panics: the
                // app's title and no description, never a dropped answer.
                let texts = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                    (page.title(&args), page.description(&args))
                }))
                .unwrap_or_else(|_| (self.app_title.clone(), String::new()));
                (
                    StatusCode::OK,
                    texts.0,
                    texts.1,
                    image,
                    page.meta_tags.as_slice(),
                )
            }
            None => (
                StatusCode::NOT_FOUND,
                self.app_title.clone(),
                String::new(),
                None,
                &[][..],
            ),
        };
        let url = format!(
            "{}{}",
            root.trim_end_matches('/'),
            uri.path_and_query().map(|p| p.as_str()).unwrap_or("/")
        );
        let metas = meta_tags(
            &title,
            &description,
            &url,
            image.as_deref().unwrap_or(""),
            extra,
        );
        let title = escape_attr(&title);
        let html = match (&self.shell, page) {
            (Some(shell), _) => shell.fill(&title, &metas),
            (None, Some(page)) => Shell::new(page).fill(&title, &metas),
            (None, None) => String::new(),
        };
        Answer::Page { status, html }
    }
}

/// Flask's `request.root`: `http://<host>/` (`https` when a trusted proxy
/// says the browser used it, or secure cookies are forced).
fn root(headers: &HeaderMap, https: bool) -> String {
    let host = headers
        .get(axum::http::header::HOST)
        .and_then(|h| h.to_str().ok())
        .unwrap_or("localhost");
    let scheme = if https { "https" } else { "http" };
    format!("{scheme}://{host}/")
}

/// Python's `_page_meta_tags` (plus `og:url`), then the page's own tags;
/// every value escaped.
fn meta_tags(
    title: &str,
    description: &str,
    url: &str,
    image: &str,
    extra: &[Vec<(String, String)>],
) -> String {
    let tags: [(&str, &str, &str); 11] = [
        ("name", "description", description),
        ("property", "twitter:card", "summary_large_image"),
        ("property", "twitter:url", url),
        ("property", "twitter:title", title),
        ("property", "twitter:description", description),
        ("property", "twitter:image", image),
        ("property", "og:title", title),
        ("property", "og:type", "website"),
        ("property", "og:description", description),
        ("property", "og:image", image),
        ("property", "og:url", url),
    ];
    let mut out = String::with_capacity(1024);
    for (attr, name, content) in tags {
        out.push_str(&format!(
            "<meta {attr}=\"{name}\" content=\"{}\">\n",
            escape_attr(content)
        ));
    }
    for tag in extra {
        out.push_str("<meta");
        for (k, v) in tag {
            out.push_str(&format!(" {}=\"{}\"", escape_attr(k), escape_attr(v)));
        }
        out.push_str(">\n");
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_shell_fills_every_slot_once() {
        let shell = Shell::new(&format!(
            "a{METAS_SLOT}b<title>{TITLE_SLOT}</title>c{TITLE_SLOT}"
        ));
        assert_eq!(shell.fill("T", "M"), "aMb<title>T</title>cT");
        assert_eq!(Shell::new("plain").fill("T", "M"), "plain");
    }
}
