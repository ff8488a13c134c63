//! `Page`: one page of a multi-page app, declared with a builder.

use std::sync::Arc;

use dash_protocol::Component;

use super::template::PathTemplate;
use super::PageArgs;
use crate::callback::{AsyncCallback, Callback, SyncCallback};

/// A page's layout: a component, or a function of the page's arguments.
#[derive(Clone)]
pub(crate) enum PageLayout {
    Fixed(Component),
    Function(Arc<dyn Fn(&PageArgs) -> Component + Send + Sync>),
}

impl PageLayout {
    pub(crate) fn render(&self, args: &PageArgs) -> Component {
        match self {
            PageLayout::Fixed(c) => c.clone(),
            PageLayout::Function(f) => f(args),
        }
    }
}

/// A text (title, description): fixed, or a function of the page's
/// arguments (Python's callable `title`).
#[derive(Clone)]
pub(crate) enum PageText {
    Fixed(String),
    Function(Arc<dyn Fn(&PageArgs) -> String + Send + Sync>),
}

impl PageText {
    pub(crate) fn render(&self, args: &PageArgs) -> String {
        match self {
            PageText::Fixed(s) => s.clone(),
            PageText::Function(f) => f(args),
        }
    }
}

/// Where a page goes in [`page_registry`](super::page_registry): numbers
/// first (ascending), then texts, then pages without an order, as Python's
/// `order` sorts.
#[derive(Debug, Clone, PartialEq)]
pub enum PageOrder {
    /// A numeric order (`order=2`, `order=3.5`).
    Number(f64),
    /// A text order (`order="2a"`), after every number.
    Text(String),
}

macro_rules! order_from_number {
    ($($t:ty),*) => {$(
        impl From<$t> for PageOrder {
            fn from(v: $t) -> Self { PageOrder::Number(v as f64) }
        }
    )*};
}
order_from_number!(i32, i64, u32, u64, usize, f32, f64);

impl From<&str> for PageOrder {
    fn from(v: &str) -> Self {
        PageOrder::Text(v.to_owned())
    }
}
impl From<String> for PageOrder {
    fn from(v: String) -> Self {
        PageOrder::Text(v)
    }
}

/// A callback declared with its page, registered with the page.
/// Registers one of the page's callbacks, with the page's access rule.
pub(crate) type PageCallback =
    Box<dyn FnOnce(&mut crate::Dash, Option<&crate::auth::Access>) + Send + Sync>;

/// One page of a multi-page app (Python's `dash.register_page`), added
/// with [`Dash::page`](crate::Dash::page).
///
/// A path with `<variables>` is a path template: the layout function gets
/// the variables in [`PageArgs::var`], and the page's `path` is the
/// template with every variable `none` (as Python infers it).
///
/// ```
/// use dash::pages::{Page, PageArgs};
/// use dash::prelude::*;
///
/// let mut app = Dash::new();
/// app.page(Page::new("/").layout(html::H1::new().id("title").children("Home")));
/// app.page(
///     Page::new("/report/<report_id>")
///         .title_fn(|a: &PageArgs| format!("Report {}", a.var("report_id").unwrap_or("")))
///         .description("One report")
///         .redirect_from(["/old-report"])
///         .layout_fn(|a: &PageArgs| {
///             html::H1::new().id("title").children(format!("Report {}", a.var("report_id").unwrap_or("")))
///         }),
/// );
/// assert!(app.validate().is_ok());
/// ```
pub struct Page {
    pub(crate) path: String,
    pub(crate) template: Option<PathTemplate>,
    pub(crate) name: Option<String>,
    pub(crate) title: Option<PageText>,
    pub(crate) description: Option<PageText>,
    pub(crate) image: Option<String>,
    pub(crate) image_url: Option<String>,
    pub(crate) meta_tags: Vec<Vec<(String, String)>>,
    pub(crate) order: Option<PageOrder>,
    pub(crate) redirect_from: Vec<String>,
    pub(crate) layout: Option<PageLayout>,
    pub(crate) callbacks: Vec<PageCallback>,
    pub(crate) access: Option<crate::auth::Access>,
    pub(crate) problem: Option<String>,
}

impl Page {
    /// A page at `path` (`/analytics`) or path template
    /// (`/report/<report_id>`).
    pub fn new(path: impl Into<String>) -> Self {
        let text: String = path.into();
        let mut problem = None;
        let mut template = None;
        if !text.starts_with('/') {
            problem = Some(format!("page path {text:?} must start with `/`"));
        }
        let path = if text.contains('<') || text.contains('>') {
            match PathTemplate::parse(&text) {
                Ok(t) => {
                    let p = t.default_path();
                    template = Some(t);
                    p
                }
                Err(e) => {
                    problem = Some(e);
                    text.clone()
                }
            }
        } else {
            text.clone()
        };
        Page {
            path,
            template,
            name: None,
            title: None,
            description: None,
            image: None,
            image_url: None,
            meta_tags: Vec::new(),
            order: None,
            redirect_from: Vec::new(),
            layout: None,
            callbacks: Vec::new(),
            access: None,
            problem,
        }
    }

    /// The link text for a navigation (default: from the path,
    /// `/weekly-analytics` → `Weekly analytics`, `/` → `Home`).
    pub fn name(mut self, name: impl Into<String>) -> Self {
        self.name = Some(name.into());
        self
    }

    /// The document title (default: the app's title unless it is `Dash`,
    /// else the name).
    pub fn title(mut self, title: impl Into<String>) -> Self {
        self.title = Some(PageText::Fixed(title.into()));
        self
    }

    /// The document title from the page's arguments (e.g. a path variable).
    pub fn title_fn(mut self, title: impl Fn(&PageArgs) -> String + Send + Sync + 'static) -> Self {
        self.title = Some(PageText::Function(Arc::new(title)));
        self
    }

    /// The `description` meta tag (and `og:description`,
    /// `twitter:description`).
    pub fn description(mut self, description: impl Into<String>) -> Self {
        self.description = Some(PageText::Fixed(description.into()));
        self
    }

    /// The description from the page's arguments.
    pub fn description_fn(
        mut self,
        description: impl Fn(&PageArgs) -> String + Send + Sync + 'static,
    ) -> Self {
        self.description = Some(PageText::Function(Arc::new(description)));
        self
    }

    /// An image in the assets folder for link previews (`og:image`,
    /// `twitter:image`), e.g. `birds.jpeg`. Unset, the assets folder's
    /// `<last path segment>.<ext>`, `app.<ext>` or `logo.<ext>` is used,
    /// as in Python.
    pub fn image(mut self, file: impl Into<String>) -> Self {
        self.image = Some(file.into());
        self
    }

    /// An absolute image URL for link previews, instead of an asset.
    pub fn image_url(mut self, url: impl Into<String>) -> Self {
        self.image_url = Some(url.into());
        self
    }

    /// One more `<meta>` tag with these attributes, on this page only.
    pub fn meta_tag<K: Into<String>, V: Into<String>>(
        mut self,
        attributes: impl IntoIterator<Item = (K, V)>,
    ) -> Self {
        self.meta_tags.push(
            attributes
                .into_iter()
                .map(|(k, v)| (k.into(), v.into()))
                .collect(),
        );
        self
    }

    /// Its place in the registry (see [`PageOrder`]). Without any order
    /// given, `/` comes first and the others by path.
    pub fn order(mut self, order: impl Into<PageOrder>) -> Self {
        self.order = Some(order.into());
        self
    }

    /// Paths that answer with a permanent redirect (301) to this page.
    pub fn redirect_from<S: Into<String>>(mut self, paths: impl IntoIterator<Item = S>) -> Self {
        self.redirect_from.extend(paths.into_iter().map(Into::into));
        self
    }

    /// A fixed layout.
    pub fn layout(mut self, layout: impl Into<Component>) -> Self {
        self.layout = Some(PageLayout::Fixed(layout.into()));
        self
    }

    /// A layout function, called on every visit with the path variables,
    /// the query string and the page load's context. At start it is called
    /// once with the page's default path (variables `none`) to check ids.
    pub fn layout_fn<C: Into<Component>>(
        mut self,
        layout: impl Fn(&PageArgs) -> C + Send + Sync + 'static,
    ) -> Self {
        self.layout = Some(PageLayout::Function(Arc::new(move |a: &PageArgs| {
            layout(a).into()
        })));
        self
    }

    /// A callback on this page's components, registered with the page (as
    /// [`Dash::callback`](crate::Dash::callback); its ids are checked
    /// against every page).
    pub fn callback<M: 'static>(
        mut self,
        callback: Callback,
        function: impl SyncCallback<M>,
    ) -> Self {
        self.callbacks.push(Box::new(
            move |app: &mut crate::Dash, access: Option<&crate::auth::Access>| {
                app.callback(with_access(callback, access), function);
            },
        ));
        self
    }

    /// An async callback on this page's components.
    pub fn callback_async<M: 'static>(
        mut self,
        callback: Callback,
        function: impl AsyncCallback<M>,
    ) -> Self {
        self.callbacks.push(Box::new(
            move |app: &mut crate::Dash, access: Option<&crate::auth::Access>| {
                app.callback_async(with_access(callback, access), function);
            },
        ));
        self
    }

    /// A clientside callback on this page's components.
    pub fn clientside_callback(
        mut self,
        callback: Callback,
        code: impl Into<crate::callback::ClientsideCode>,
    ) -> Self {
        let code = code.into();
        // Runs in the browser: nothing of the server's to guard.
        self.callbacks.push(Box::new(
            move |app: &mut crate::Dash, _: Option<&crate::auth::Access>| {
                app.clientside_callback(callback, code);
            },
        ));
        self
    }

    /// Who may see the page, with [`Dash::auth`](crate::Dash::auth): a
    /// direct load by someone it does not allow is refused as the auth
    /// mode refuses a path (a redirect to the login page, 401 or 403, with
    /// nothing of the page); navigating to it in the browser shows
    /// [`FORBIDDEN_TEXT`](super::FORBIDDEN_TEXT) instead of its layout; its
    /// server callbacks (declared with the page) answer 401/403 without
    /// running. Default: the auth mode's rules alone.
    ///
    /// ```
    /// use dash::prelude::*;
    /// use dash::auth::Access;
    /// use dash::pages::Page;
    ///
    /// let admin = Page::new("/admin")
    ///     .access(Access::groups(["admins"]))
    ///     .layout(html::H1::new().id("title").children("Admin"));
    /// # let _ = admin;
    /// ```
    pub fn access(mut self, access: crate::auth::Access) -> Self {
        self.access = Some(access);
        self
    }

    /// The default name: from the last literal segment of the path.
    pub(crate) fn default_name(&self) -> String {
        let segment = match &self.template {
            Some(t) => t.last_literal_segment().unwrap_or("").to_owned(),
            None => self
                .path
                .trim_matches('/')
                .rsplit('/')
                .next()
                .unwrap_or("")
                .to_owned(),
        };
        if segment.is_empty() {
            return "Home".into();
        }
        let words = segment.replace(['-', '_'], " ");
        let mut chars = words.chars();
        match chars.next() {
            Some(c) => c
                .to_uppercase()
                .chain(chars.flat_map(char::to_lowercase))
                .collect(),
            None => "Home".into(),
        }
    }
}

/// `callback` with the page's access rule, unless it has its own.
fn with_access(callback: Callback, access: Option<&crate::auth::Access>) -> Callback {
    match access {
        Some(a) if !callback.has_access_rule() => callback.access(a.clone()),
        _ => callback,
    }
}
