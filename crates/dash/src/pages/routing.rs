//! The router callback, with the app's extra routing Inputs and States
//! (Python's `Dash(routing_callback_inputs={...})`): their values reach
//! layout functions by name through [`PageArgs::routing`](super::PageArgs::routing).

use std::sync::Arc;

use serde_json::{json, Value};

use super::container::{Router, CONTENT_ID, LOCATION_ID, STORE_ID};
use crate::callback::Callback;
use crate::{CallbackContext, CallbackError, Input, State};

/// The most routing inputs and states an app may add.
const MAX_ROUTING: usize = 8;

/// One extra dependency of the router, named for layout functions.
#[derive(Clone)]
pub(crate) struct RoutingDep {
    name: String,
    dep: Dep,
}

#[derive(Clone)]
enum Dep {
    Input(Input),
    State(State),
}

impl crate::Dash {
    /// An extra Input of the page router (Python's
    /// `routing_callback_inputs`): when it changes, the page's layout
    /// function runs again and reads its value with
    /// [`PageArgs::routing`](super::PageArgs::routing)`(name)`.
    ///
    /// ```
    /// use dash::pages::{page_container, Page, PageArgs};
    /// use dash::prelude::*;
    /// let mut app = Dash::new();
    /// app.routing_callback_input("language", Input::new("language", "value"));
    /// app.page(Page::new("/").layout_fn(|a: &PageArgs| {
    ///     let fr = a.routing("language").and_then(|v| v.as_str()) == Some("fr");
    ///     html::Div::new().id("contents").children(if fr { "Bonjour" } else { "Hello" })
    /// }));
    /// app.layout(html::Div::new().children((
    ///     dcc::Dropdown::new().id("language").options(["en", "fr"]).value("en"),
    ///     page_container(),
    /// )));
    /// assert!(app.validate().is_ok());
    /// ```
    pub fn routing_callback_input(&mut self, name: impl Into<String>, input: Input) -> &mut Self {
        self.add_routing(name.into(), Dep::Input(input))
    }

    /// An extra State of the page router, read with
    /// [`PageArgs::routing`](super::PageArgs::routing)`(name)`; e.g. the
    /// location's `hash`: `State::new(dash::pages::LOCATION_ID, "hash")`.
    pub fn routing_callback_state(&mut self, name: impl Into<String>, state: State) -> &mut Self {
        self.add_routing(name.into(), Dep::State(state))
    }

    fn add_routing(&mut self, name: String, dep: Dep) -> &mut Self {
        let routing = &mut self.pages.routing;
        if routing.iter().any(|r| r.name == name) {
            self.pages
                .problems
                .push(format!("routing callback input {name:?} is given twice"));
        } else if routing.len() == MAX_ROUTING {
            self.pages.problems.push(format!(
                "at most {MAX_ROUTING} routing callback inputs and states; {name:?} is one more"
            ));
        } else {
            routing.push(RoutingDep { name, dep });
        }
        self
    }
}

/// Registers the router: Inputs pathname and search, then the routing
/// Inputs, then the routing States (the order of the function's
/// arguments).
pub(crate) fn register_router(app: &mut crate::Dash, router: Arc<Router>, routing: &[RoutingDep]) {
    let mut spec = Callback::new()
        .output((CONTENT_ID, "children"))
        .output((STORE_ID, "data"))
        .input((LOCATION_ID, "pathname"))
        .input((LOCATION_ID, "search"))
        .prevent_initial_call(true)
        .hidden(true);
    let mut names = Vec::new();
    for r in routing {
        if let Dep::Input(i) = &r.dep {
            spec = spec.input(i.clone());
            names.push(r.name.clone());
        }
    }
    for r in routing {
        if let Dep::State(s) = &r.dep {
            spec = spec.state(s.clone());
            names.push(r.name.clone());
        }
    }
    let route = move |pathname: Option<String>,
                      search: Option<String>,
                      values: Vec<Value>,
                      ctx: CallbackContext|
          -> Result<(dash_protocol::Component, Value), CallbackError> {
        let Some(pathname) = pathname else {
            return Err(crate::PreventUpdate.into());
        };
        let routing = names.iter().cloned().zip(values).collect();
        let (layout, title) = router.route(
            &pathname,
            search.as_deref().unwrap_or(""),
            routing,
            ctx.layout_context(),
        );
        Ok((layout, json!({ "title": title })))
    };
    // One closure per arity: a callback's arguments are its slots.
    macro_rules! with_arity {
        ($($v:ident),*) => {
            app.callback(
                spec,
                move |p: Option<String>, s: Option<String>, $($v: Value,)* ctx: CallbackContext| {
                    route(p, s, vec![$($v),*], ctx)
                },
            )
        };
    }
    match routing.len() {
        0 => with_arity!(),
        1 => with_arity!(a),
        2 => with_arity!(a, b),
        3 => with_arity!(a, b, c),
        4 => with_arity!(a, b, c, d),
        5 => with_arity!(a, b, c, d, e),
        6 => with_arity!(a, b, c, d, e, f),
        7 => with_arity!(a, b, c, d, e, f, g),
        _ => with_arity!(a, b, c, d, e, f, g, h),
    };
}
