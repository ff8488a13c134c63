//! A Rust back end for Plotly Dash.
//!
//! Declare a layout from typed component builders and callbacks whose
//! arguments and return values are ordinary Rust types; the server speaks
//! Dash's HTTP protocol to the official, unchanged Dash front end, which is
//! embedded in the binary.
//!
//! ```no_run
//! use dash::prelude::*;
//!
//! fn main() -> Result<(), dash::Error> {
//!     let mut app = Dash::new().title("Hello");
//!     app.layout(html::Div::new().children((
//!         dcc::Input::new().id("name").value("world"),
//!         html::Div::new().id("greeting"),
//!     )));
//!     app.callback(
//!         Callback::new().output(("greeting", "children")).input(("name", "value")),
//!         |name: Option<String>| format!("Hello, {}!", name.unwrap_or_default()),
//!     );
//!     app.run()
//! }
//! ```
//!
//! See `ARCHITECTURE.md` for the crate map and the path of one request.
#![deny(missing_docs)]

pub mod allocator;
mod app;
mod assets_folder;
pub mod auth;
pub mod background;
pub mod callback;
pub mod custom_routes;
mod dev_tools;
mod error;
pub mod files;
mod hot_reload;
mod index_page;
mod index_template;
mod layout;
pub mod pages;
pub mod patch;
pub mod paths;
mod routes;
mod run_options;
mod serve;
mod server;
pub mod server_store;
mod services;
pub mod session;
mod settings;
mod store_guard;
pub mod testing;

/// The `cookie` crate, for `CallbackContext::response().set_cookie(..)`.
pub use cookie;
mod validation_layout;
mod workers;

pub use app::Dash;
pub use callback::{
    Callback, CallbackContext, CallbackError, InitialCall, Input, NoUpdate, Output, PreventUpdate,
    State, Update,
};
#[doc(hidden)]
pub use dash_cache::testing as dash_cache_testing;
pub use dash_cache::{Cache, CacheError};
/// dash-ag-grid (feature `dag`).
#[cfg(feature = "dag")]
pub use dash_components::dag;
/// dash-bootstrap-components (feature `dbc`).
#[cfg(feature = "dbc")]
pub use dash_components::dbc;
/// dash-mantine-components (feature `dmc`).
#[cfg(feature = "dmc")]
pub use dash_components::dmc;
pub use dash_components::{dash_table, dcc, html, SuiteFile};
pub use dash_protocol::{Children, Component, ComponentId, IdValue, Wildcard};
pub use error::Error;
pub use layout::LayoutContext;
pub use patch::Patch;
pub use server_store::ServerStore;
pub use settings::ExternalResource;

/// Everything an app usually needs: `use dash::prelude::*;`.
pub mod prelude {
    pub use crate::background::Progress;
    #[cfg(feature = "dag")]
    pub use crate::dag;
    #[cfg(feature = "dbc")]
    pub use crate::dbc;
    #[cfg(feature = "dmc")]
    pub use crate::dmc;
    pub use crate::{
        dash_table, dcc, html, Cache, Callback, CallbackContext, CallbackError, Children,
        Component, ComponentId, Dash, IdValue, Input, LayoutContext, NoUpdate, Output, Patch,
        PreventUpdate, ServerStore, State, Update, Wildcard,
    };
}
