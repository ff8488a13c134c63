//! The page container (Python's `dash.page_container`) and the hidden
//! callbacks that fill it: the router (server side) and the document title
//! (clientside, from `_pages_store`).

use std::sync::Arc;

use dash_protocol::Component;

use super::registry::PageRegistry;
use super::{NotFound, PageArgs, RenderNotFound};
use crate::callback::Callback;
use crate::{dcc, html};

/// The `dcc.Location` the router listens to.
pub const LOCATION_ID: &str = "_pages_location";
/// The `html.Div` the router fills with the page's layout.
pub const CONTENT_ID: &str = "_pages_content";
/// The `dcc.Store` holding `{"title": ...}` of the page shown.
pub const STORE_ID: &str = "_pages_store";
/// The `html.Div` the title callback writes to (nothing visible).
pub const DUMMY_ID: &str = "_pages_dummy";

/// Python's `dash.page_container`: put it in the app's layout where pages
/// go (an app with pages and no layout gets it as its layout).
///
/// ```
/// use dash::pages::{page_container, Page};
/// use dash::prelude::*;
/// let mut app = Dash::new();
/// app.page(Page::new("/").layout(html::H1::new().children("Home")));
/// app.layout(html::Div::new().children((html::Nav::new().id("nav"), page_container())));
/// assert!(app.validate().is_ok());
/// ```
pub fn page_container() -> Component {
    html::Div::new()
        .children((
            dcc::Location::new().id(LOCATION_ID).refresh("callback-nav"),
            html::Div::new().id(CONTENT_ID).disable_n_clicks(true),
            dcc::Store::new().id(STORE_ID),
            html::Div::new().id(DUMMY_ID).disable_n_clicks(true),
        ))
        .into()
}

/// Python's default 404 layout.
pub(crate) fn default_not_found() -> Component {
    html::H1::new().children("404 - Page not found").into()
}

/// Python's title callback, tolerant of the store's first (empty) value.
const TITLE_SCRIPT: &str = "function(data) {\n    if (data && typeof data.title === 'string') {\n        document.title = data.title;\n    }\n    return window.dash_clientside.no_update;\n}";

/// Python's `strip_relative_path`: the app path of a browser pathname, or
/// `None` when it is outside the requests prefix.
pub(crate) fn strip_requests_prefix<'a>(prefix: &str, pathname: &'a str) -> Option<&'a str> {
    let base = prefix.trim_end_matches('/');
    let rest = pathname.strip_prefix(base)?;
    if !rest.is_empty() && !rest.starts_with('/') {
        return None;
    }
    Some(rest)
}

/// The app path with a leading slash, as layouts see it.
pub(crate) fn display_path(app_path: &str) -> String {
    format!("/{}", app_path.trim_start_matches('/'))
}

/// What the router needs per call.
pub(crate) struct Router {
    pub registry: Arc<PageRegistry>,
    pub requests_prefix: String,
    pub app_title: String,
    pub not_found: NotFound,
}

impl Router {
    /// The layout and title for a pathname and search.
    pub(crate) fn route(
        &self,
        pathname: &str,
        search: &str,
        routing: Vec<(String, serde_json::Value)>,
        context: crate::LayoutContext,
    ) -> (Component, String) {
        let app_path = strip_requests_prefix(&self.requests_prefix, pathname);
        let found = app_path.and_then(|p| self.registry.resolve(p));
        match found {
            Some((page, variables)) => {
                // A page this user may not see: nothing of its layout.
                if let Some(refused) =
                    super::access::refused_layout(page.access.as_ref(), context.user())
                {
                    return refused;
                }
                let args = PageArgs::new(
                    display_path(app_path.unwrap_or("/")),
                    variables,
                    search,
                    context,
                )
                .with_routing(routing);
                (page.layout.render(&args), page.title(&args))
            }
            None => {
                let args = PageArgs::new(
                    display_path(app_path.unwrap_or(pathname)),
                    Vec::new(),
                    search,
                    context,
                )
                .with_routing(routing);
                (self.not_found.render(&args), self.app_title.clone())
            }
        }
    }
}

/// Registers the router (with the app's routing inputs) and the title
/// callback.
pub(crate) fn register_callbacks(
    app: &mut crate::Dash,
    router: Router,
    routing: &[super::routing::RoutingDep],
) {
    super::routing::register_router(app, Arc::new(router), routing);
    app.clientside_callback(
        Callback::new()
            .output((DUMMY_ID, "children"))
            .input((STORE_ID, "data"))
            .hidden(true),
        TITLE_SCRIPT,
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pathnames_outside_the_requests_prefix_are_not_pages() {
        assert_eq!(strip_requests_prefix("/", "/a/b"), Some("/a/b"));
        assert_eq!(strip_requests_prefix("/app/", "/app/a"), Some("/a"));
        assert_eq!(strip_requests_prefix("/app/", "/app"), Some(""));
        assert_eq!(strip_requests_prefix("/app/", "/application"), None);
        assert_eq!(strip_requests_prefix("/app/", "/other"), None);
        assert_eq!(display_path(""), "/");
    }
}
