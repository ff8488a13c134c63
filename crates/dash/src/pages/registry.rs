//! The registered pages in Python's order, and path resolution.

use std::sync::Arc;

use super::page::{PageLayout, PageOrder, PageText};
use super::template::PathTemplate;
use super::{Page, PageArgs};

/// One page as [`page_registry`](super::page_registry) lists it (Python's
/// `dash.page_registry` values), for building a navigation.
///
/// ```
/// use dash::pages::{page_registry, Page};
/// use dash::prelude::*;
///
/// let mut app = Dash::new().url_base_pathname("/app/");
/// app.page(Page::new("/analytics").layout(html::Div::new()));
/// app.page(Page::new("/").layout(html::Div::new()));
/// let nav: Vec<_> = page_registry(&app)
///     .into_iter()
///     .map(|p| (p.name, p.relative_path))
///     .collect();
/// assert_eq!(nav, [("Home".into(), "/app/".into()), ("Analytics".into(), "/app/analytics".into())]);
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct PageEntry {
    /// The page's path (a template's variables as `none`).
    pub path: String,
    /// The path template as written, if the page has one.
    pub path_template: Option<String>,
    /// The link text.
    pub name: String,
    /// The document title (a title function's result for `path`).
    pub title: String,
    /// The description (a description function's result for `path`).
    pub description: String,
    /// The image file in the assets folder, if any.
    pub image: Option<String>,
    /// The absolute image URL, if given.
    pub image_url: Option<String>,
    /// The order given, or `0` for `/` when no page has one.
    pub order: Option<PageOrder>,
    /// `path` with the requests prefix, for `dcc::Link` hrefs.
    pub relative_path: String,
    /// The paths that redirect here.
    pub redirect_from: Vec<String>,
}

/// A page ready to serve.
pub(crate) struct RegisteredPage {
    pub entry: PageEntry,
    pub template: Option<PathTemplate>,
    pub title: Option<PageText>,
    pub description: Option<PageText>,
    pub meta_tags: Vec<Vec<(String, String)>>,
    pub layout: PageLayout,
    /// `Page::access`.
    pub access: Option<crate::auth::Access>,
}

impl RegisteredPage {
    /// The document title for these arguments.
    pub(crate) fn title(&self, args: &PageArgs) -> String {
        match &self.title {
            Some(PageText::Function(f)) => f(args),
            _ => self.entry.title.clone(),
        }
    }

    /// The description for these arguments.
    pub(crate) fn description(&self, args: &PageArgs) -> String {
        match &self.description {
            Some(PageText::Function(f)) => f(args),
            _ => self.entry.description.clone(),
        }
    }
}

/// A path template's variables, in template order.
pub(crate) type Variables = Vec<(String, String)>;

/// Every page, in registry order; resolves paths (for the router
/// callback, the served HTML, and access rules).
#[derive(Default, Clone)]
pub(crate) struct PageRegistry {
    pub pages: Vec<Arc<RegisteredPage>>,
}

impl PageRegistry {
    /// The page for an app path (requests or routes prefix removed; outer
    /// slashes ignored) and its template variables, as Python's
    /// `_path_to_page`: the first page in registry order whose template
    /// matches or whose path is equal.
    pub(crate) fn resolve(&self, path: &str) -> Option<(&Arc<RegisteredPage>, Variables)> {
        let wanted = path.trim_matches('/');
        for page in &self.pages {
            if let Some(t) = &page.template {
                if t.has_variables() {
                    if let Some(vars) = t.matches(wanted) {
                        return Some((page, vars));
                    }
                }
            }
            if page.entry.path.trim_matches('/') == wanted {
                return Some((page, Vec::new()));
            }
        }
        None
    }

    /// The page a `redirect_from` path sends to.
    pub(crate) fn redirect_target(&self, path: &str) -> Option<&Arc<RegisteredPage>> {
        let wanted = path.trim_matches('/');
        self.pages.iter().find(|p| {
            p.entry
                .redirect_from
                .iter()
                .any(|r| r.trim_matches('/') == wanted)
        })
    }
}

/// What the app knows to fill a page's defaults.
pub(crate) struct Defaults<'a> {
    pub app_title: &'a str,
    pub app_description: &'a str,
    pub requests_prefix: &'a str,
    pub assets_folder: &'a std::path::Path,
}

/// Turns the declared pages into registry entries in Python's order.
pub(crate) fn build(pages: &[Page], d: &Defaults<'_>) -> PageRegistry {
    let order_supplied = pages.iter().any(|p| p.order.is_some());
    let mut list: Vec<RegisteredPage> = pages
        .iter()
        .map(|p| {
            let name = p.name.clone().unwrap_or_else(|| p.default_name());
            let default_args =
                PageArgs::new(p.path.clone(), default_variables(p), "", Default::default());
            let title = match &p.title {
                Some(t) => render_text(t, &default_args).unwrap_or_else(|| name.clone()),
                None if d.app_title != "Dash" => d.app_title.to_owned(),
                None => name.clone(),
            };
            let description = p
                .description
                .as_ref()
                .and_then(|t| render_text(t, &default_args))
                .unwrap_or_else(|| d.app_description.to_owned());
            let order = match &p.order {
                None if p.path == "/" && !order_supplied => Some(PageOrder::Number(0.0)),
                o => o.clone(),
            };
            let image = p
                .image
                .clone()
                .or_else(|| infer_image(d.assets_folder, &p.path));
            RegisteredPage {
                entry: PageEntry {
                    relative_path: relative_path(d.requests_prefix, &p.path),
                    path: p.path.clone(),
                    path_template: p.template.as_ref().map(|t| t.text.clone()),
                    name,
                    title,
                    description,
                    image,
                    image_url: p.image_url.clone(),
                    order,
                    redirect_from: p.redirect_from.clone(),
                },
                template: p.template.clone(),
                title: p.title.clone(),
                description: p.description.clone(),
                meta_tags: p.meta_tags.clone(),
                layout: p
                    .layout
                    .clone()
                    .unwrap_or(PageLayout::Fixed(dash_components::html::Div::new().into())),
                access: p.access.clone(),
            }
        })
        .collect();
    list.sort_by(|a, b| sort_key(&a.entry).cmp_key(&sort_key(&b.entry)));
    PageRegistry {
        pages: list.into_iter().map(Arc::new).collect(),
    }
}

/// A title or description function's text; `None` if it panics.
fn render_text(text: &PageText, args: &PageArgs) -> Option<String> {
    std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| text.render(args))).ok()
}

/// The variables of a page's default path (`none` each).
pub(crate) fn default_variables(p: &Page) -> Vec<(String, String)> {
    p.template
        .as_ref()
        .and_then(|t| t.matches(&p.path))
        .unwrap_or_default()
}

/// Python's `get_relative_path`.
pub(crate) fn relative_path(requests_prefix: &str, path: &str) -> String {
    format!(
        "{}/{}",
        requests_prefix.trim_end_matches('/'),
        path.trim_start_matches('/')
    )
}

struct SortKey<'a> {
    no_order: bool,
    number: f64,
    text: String,
    path: &'a str,
}

impl SortKey<'_> {
    fn cmp_key(&self, other: &Self) -> std::cmp::Ordering {
        self.no_order
            .cmp(&other.no_order)
            .then(self.number.total_cmp(&other.number))
            .then_with(|| self.text.cmp(&other.text))
            .then_with(|| self.path.cmp(other.path))
    }
}

/// Python's key: (order is None, numeric order or inf, str(order),
/// module); the path stands for the module.
fn sort_key(e: &PageEntry) -> SortKey<'_> {
    let (no_order, number, text) = match &e.order {
        None => (true, f64::INFINITY, "None".to_owned()),
        Some(PageOrder::Number(n)) => (false, *n, python_str(*n)),
        Some(PageOrder::Text(t)) => (false, f64::INFINITY, t.clone()),
    };
    SortKey {
        no_order,
        number,
        text,
        path: &e.path,
    }
}

fn python_str(n: f64) -> String {
    if n.fract() == 0.0 && n.abs() < 1e15 {
        format!("{}", n as i64)
    } else {
        format!("{n}")
    }
}

/// Python's `_infer_image`: `<page>.<ext>`, else `app.<ext>`, else
/// `logo.<ext>` at the top of the assets folder.
fn infer_image(folder: &std::path::Path, path: &str) -> Option<String> {
    const EXTENSIONS: [&str; 8] = ["apng", "avif", "gif", "jpeg", "jpg", "png", "svg", "webp"];
    let page_id = path.trim_matches('/').rsplit('/').next().unwrap_or("");
    let mut names: Vec<String> = std::fs::read_dir(folder)
        .ok()?
        .flatten()
        .filter(|e| e.file_type().map(|t| t.is_file()).unwrap_or(false))
        .filter_map(|e| e.file_name().into_string().ok())
        .collect();
    names.sort();
    let (mut app, mut logo) = (None, None);
    for name in names {
        let (stem, ext) = name.split_once('.').unwrap_or((&name, ""));
        if !EXTENSIONS.contains(&ext.to_ascii_lowercase().as_str()) {
            continue;
        }
        if !page_id.is_empty() && (stem == page_id || stem == page_id.replace('_', "-")) {
            return Some(name.clone());
        }
        if stem == "app" {
            app = Some(name.clone());
        } else if stem == "logo" {
            logo = Some(name.clone());
        }
    }
    app.or(logo)
}
