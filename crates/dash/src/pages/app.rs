//! The `Dash` builder methods of pages, and their preparation at start.

use std::sync::Arc;

use dash_protocol::Component;
use serde_json::{json, Value};

use super::container::{self, Router, CONTENT_ID};
use super::page::PageLayout;
use super::registry::{self, Defaults, PageEntry, PageRegistry};
use super::served::{ServedPages, Shell};
use super::{NotFound, Page, PageArgs};
use crate::{Dash, Error};

/// The app's pages as declared, and what start-up made of them.
#[derive(Default)]
pub(crate) struct PagesSetup {
    pages: Vec<Page>,
    not_found: NotFound,
    /// The app's description, the default of every page's.
    description: Option<String>,
    /// Extra Inputs and States of the router.
    pub(super) routing: Vec<super::routing::RoutingDep>,
    pub(super) problems: Vec<String>,
    /// Set once the router is registered.
    registry: Option<Arc<PageRegistry>>,
}

impl PagesSetup {
    /// Whether the app has pages.
    pub(crate) fn any(&self) -> bool {
        !self.pages.is_empty()
    }
}

/// The app's pages in registry order (Python's `dash.page_registry`), for
/// building a navigation; see [`PageEntry`].
pub fn page_registry(app: &Dash) -> Vec<PageEntry> {
    app.page_registry()
}

impl Dash {
    /// Adds a page (Python's `dash.register_page`) and the callbacks
    /// declared with it. Its layout's ids are checked here (a layout
    /// function is called once with the page's default path); problems are
    /// reported by [`Dash::validate`], [`Dash::run`] and
    /// [`Dash::into_router`].
    ///
    /// ```
    /// use dash::pages::Page;
    /// use dash::prelude::*;
    /// let mut app = Dash::new();
    /// app.page(Page::new("/").layout(html::Div::new().children((
    ///     html::Div::new().id("a"),
    ///     html::Div::new().id("a"),
    /// ))));
    /// assert!(app.validate().unwrap_err().to_string().contains("duplicate component id"));
    /// ```
    pub fn page(&mut self, mut page: Page) -> &mut Self {
        for register in std::mem::take(&mut page.callbacks) {
            register(self, page.access.as_ref());
        }
        let label = page
            .template
            .as_ref()
            .map(|t| t.text.clone())
            .unwrap_or_else(|| page.path.clone());
        if let Some(p) = page.problem.take() {
            self.pages.problems.push(format!("page {label}: {p}"));
        }
        if self.pages.pages.iter().any(|p| p.path == page.path) {
            self.pages.problems.push(format!(
                "pages have the same path {}; paths must be unique",
                page.path
            ));
        }
        match &page.layout {
            None => self.pages.problems.push(format!(
                "page {label} has no layout; call Page::layout or Page::layout_fn"
            )),
            Some(layout) => {
                let args = PageArgs::new(
                    page.path.clone(),
                    registry::default_variables(&page),
                    "",
                    Default::default(),
                );
                if let Err(e) = check_layout(layout, &args) {
                    self.pages.problems.push(format!("page {label}: {e}"));
                }
            }
        }
        self.pages.pages.push(page);
        self
    }

    /// A custom 404 layout for paths that are no page (Python's
    /// `pages/not_found_404.py`); the default is an `H1` reading
    /// `404 - Page not found`. A direct load of such a path answers 404.
    pub fn page_not_found(&mut self, layout: impl Into<Component>) -> &mut Self {
        self.pages.not_found = Some(PageLayout::Fixed(layout.into()));
        self
    }

    /// A 404 layout function; [`PageArgs::path`] is the path asked for.
    ///
    /// ```
    /// use dash::pages::{Page, PageArgs};
    /// use dash::prelude::*;
    /// let mut app = Dash::new();
    /// app.page(Page::new("/").layout(html::Div::new()));
    /// app.page_not_found_fn(|a: &PageArgs| {
    ///     html::H1::new().id("title").children(format!("Page not found: {}", a.path()))
    /// });
    /// assert!(app.validate().is_ok());
    /// ```
    pub fn page_not_found_fn<C: Into<Component>>(
        &mut self,
        layout: impl Fn(&PageArgs) -> C + Send + Sync + 'static,
    ) -> &mut Self {
        self.pages.not_found = Some(PageLayout::Function(Arc::new(move |a: &PageArgs| {
            layout(a).into()
        })));
        self
    }

    /// The default description of every page (Python's
    /// `Dash(description=...)`), for the meta tags of pages without one.
    ///
    /// ```
    /// use dash::pages::Page;
    /// use dash::prelude::*;
    /// let mut app = Dash::new().description("An app");
    /// app.page(Page::new("/").layout(html::Div::new()));
    /// assert_eq!(app.page_registry()[0].description, "An app");
    /// ```
    pub fn description(mut self, description: impl Into<String>) -> Self {
        self.pages.description = Some(description.into());
        self
    }

    /// The pages in registry order; see [`page_registry`].
    pub fn page_registry(&self) -> Vec<PageEntry> {
        self.build_page_registry()
            .pages
            .iter()
            .map(|p| p.entry.clone())
            .collect()
    }

    /// The requests prefix (bad prefixes are reported when the app is
    /// built; `/` meanwhile).
    fn requests_prefix(&self) -> String {
        self.settings
            .prefixes()
            .map(|p| p.requests)
            .unwrap_or_else(|_| "/".into())
    }

    fn build_page_registry(&self) -> PageRegistry {
        let requests = self.requests_prefix();
        registry::build(
            &self.pages.pages,
            &Defaults {
                app_title: &self.settings.title,
                app_description: self.pages.description.as_deref().unwrap_or(""),
                requests_prefix: &requests,
                assets_folder: &self.settings.assets_folder,
            },
        )
    }

    /// Problems of the declared pages.
    pub(crate) fn pages_problems(&self) -> Vec<Error> {
        self.pages
            .problems
            .iter()
            .map(|p| Error::InvalidLayout(p.clone()))
            .collect()
    }

    /// Once, before the app is checked and built: the page container as
    /// the layout if there is none, the validation layout, the router and
    /// title callbacks.
    pub(crate) fn prepare_pages(&mut self) {
        if !self.pages.any() || self.pages.registry.is_some() {
            return;
        }
        let registry = Arc::new(self.build_page_registry());
        for page in &registry.pages {
            for from in &page.entry.redirect_from {
                if let Some((other, _)) = registry.resolve(from) {
                    self.pages.problems.push(format!(
                        "redirect_from {from} of page {} is the path of page {}; it would never be shown",
                        page.entry.path, other.entry.path
                    ));
                }
            }
        }
        if self.layout.is_none() {
            self.layout(container::page_container());
        }
        let app_layout: Option<Value> = self
            .layout
            .as_ref()
            .and_then(|l| l.render(&Default::default()).ok())
            .and_then(|b| serde_json::from_slice(&b).ok());
        if let Some(layout) = &app_layout {
            if !has_id(layout, CONTENT_ID) {
                self.pages.problems.push(
                    "the layout has no page container: put dash::pages::page_container() in it"
                        .into(),
                );
            }
        }
        if self.settings.validation_layout.is_none() && !self.settings.suppress_callback_exceptions
        {
            let mut children: Vec<Value> = registry
                .pages
                .iter()
                .filter_map(|p| {
                    let args = PageArgs::new(
                        p.entry.path.clone(),
                        p.template
                            .as_ref()
                            .and_then(|t| t.matches(&p.entry.path))
                            .unwrap_or_default(),
                        "",
                        Default::default(),
                    );
                    render_json(&p.layout, &args)
                })
                .collect();
            if let Some(nf) = &self.pages.not_found {
                children.extend(render_json(nf, &PageArgs::for_path("/", &[], "")));
            }
            children.extend(app_layout);
            self.settings.validation_layout = Some(json!({
                "type": "Div",
                "namespace": "dash_html_components",
                "props": {"children": children},
            }));
        }
        let requests_prefix = self.requests_prefix();
        container::register_callbacks(
            self,
            Router {
                registry: registry.clone(),
                requests_prefix,
                app_title: self.settings.title.clone(),
                not_found: self.pages.not_found.clone(),
            },
            &self.pages.routing.clone(),
        );
        self.pages.registry = Some(registry);
    }

    /// What the index route needs to serve pages; `None` for an app
    /// without pages.
    pub(crate) fn served_pages(
        &self,
        prefixes: &crate::settings::Prefixes,
        page: Option<&str>,
    ) -> Option<Arc<ServedPages>> {
        let registry = self.pages.registry.clone()?;
        Some(Arc::new(ServedPages {
            registry,
            routes_prefix: prefixes.routes.clone(),
            app_title: self.settings.title.clone(),
            assets_base: format!("{}{}/", prefixes.requests, self.settings.assets_url_path),
            shell: page.map(Shell::new),
        }))
    }
}

fn render_json(layout: &PageLayout, args: &PageArgs) -> Option<Value> {
    std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| layout.render(args)))
        .ok()
        .and_then(|c| serde_json::to_value(c).ok())
}

fn check_layout(layout: &PageLayout, args: &PageArgs) -> Result<(), String> {
    let value = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| layout.render(args)))
        .map_err(|_| "the layout function panicked".to_owned())
        .and_then(|c| serde_json::to_value(c).map_err(|e| e.to_string()))?;
    crate::layout::validate_ids(&value).map_err(|e| match e {
        Error::InvalidLayout(m) => m,
        other => other.to_string(),
    })
}

fn has_id(node: &Value, id: &str) -> bool {
    match node {
        Value::Array(items) => items.iter().any(|i| has_id(i, id)),
        Value::Object(map) => {
            map.get("props")
                .and_then(|p| p.get("id"))
                .and_then(Value::as_str)
                == Some(id)
                || map.values().any(|v| has_id(v, id))
        }
        _ => false,
    }
}
