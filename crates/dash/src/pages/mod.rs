//! Multi-page apps (Python's Dash pages): [`Page`]s registered with
//! [`Dash::page`](crate::Dash::page), a [`page_container`] in the layout,
//! [`page_registry`] for a navigation, and a 404 page.
//!
//! How it works, as in Python: the container's `dcc.Location`
//! (`_pages_location`, `refresh="callback-nav"`) sends the pathname and
//! search to a hidden server callback that puts the matching page's layout
//! in `_pages_content` and `{"title": ...}` in `_pages_store`; a hidden
//! clientside callback sets `document.title` from the store. `dcc::Link`
//! and browser back/forward change the pathname without a reload. A direct
//! load gets the page's own `<title>` and link preview meta tags in the
//! HTML, 404 for a path that is no page (the renderer then shows the 404
//! layout), and a 301 for a `redirect_from` path. At start every page's
//! layout (a layout function called with its default path) is checked for
//! duplicate ids, and, unless callback exceptions are suppressed, the
//! validation layout is built from every page, the 404 layout and the
//! app's layout, so that callbacks on any page's components are accepted.
//!
//! ```
//! use dash::pages::{page_container, page_registry, Page, PageArgs};
//! use dash::prelude::*;
//!
//! let mut app = Dash::new();
//! app.page(Page::new("/").title("Home").layout(html::H1::new().id("title").children("Home")));
//! app.page(
//!     Page::new("/analytics")
//!         .layout(html::Div::new().children((
//!             dcc::Dropdown::new().id("city").options(["Paris", "Lima"]).value("Paris"),
//!             html::Div::new().id("city-out"),
//!         )))
//!         .callback(
//!             Callback::new().output(("city-out", "children")).input(("city", "value")),
//!             |city: Option<String>| format!("Selected: {}", city.unwrap_or_default()),
//!         ),
//! );
//! app.page_not_found_fn(|a: &PageArgs| html::H1::new().children(format!("Page not found: {}", a.path())));
//! let nav: Vec<Component> = page_registry(&app)
//!     .into_iter()
//!     .map(|p| dcc::Link::new().href(p.relative_path).children(p.name).into())
//!     .collect();
//! app.layout(html::Div::new().children((html::Div::new().id("nav").children(nav), page_container())));
//! assert!(app.validate().is_ok());
//! ```

mod access;
mod app;
mod args;
mod container;
mod page;
mod registry;
mod routing;
pub(crate) mod served;
mod template;

pub(crate) use access::page_access;
pub use access::{FORBIDDEN_TEXT, SIGN_IN_TEXT};
pub use app::page_registry;
pub use args::PageArgs;
pub use container::{page_container, CONTENT_ID, DUMMY_ID, LOCATION_ID, STORE_ID};
pub use page::{Page, PageOrder};
pub use registry::PageEntry;

pub(crate) use app::PagesSetup;
/// Path resolution for other modules (e.g. per-page access rules):
/// `PageRegistry::resolve(path)` gives the page and its variables; the
/// built app's registry is `AppState::served_pages.registry`.
#[allow(unused_imports)]
pub(crate) use registry::{PageRegistry, RegisteredPage};

/// The 404 layout: Python's default, or the app's.
pub(crate) type NotFound = Option<page::PageLayout>;

pub(crate) trait RenderNotFound {
    fn render(&self, args: &PageArgs) -> dash_protocol::Component;
}

impl RenderNotFound for NotFound {
    fn render(&self, args: &PageArgs) -> dash_protocol::Component {
        match self {
            Some(layout) => layout.render(args),
            None => container::default_not_found(),
        }
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn apps_and_pages_stay_send_and_sync() {
        fn send_sync<T: Send + Sync>() {}
        send_sync::<crate::Dash>();
        send_sync::<super::Page>();
    }
}
