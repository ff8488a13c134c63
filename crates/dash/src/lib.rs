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

pub mod allocator;
mod app;
mod assets_folder;
pub mod callback;
mod error;
mod index_page;
mod layout;
mod routes;
mod run_options;
mod serve;
mod server;
mod services;
pub mod session;
mod settings;
mod store_guard;
mod workers;

pub use app::Dash;
pub use callback::{
    Callback, CallbackContext, CallbackError, Input, NoUpdate, Output, PreventUpdate, State, Update,
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
pub use settings::ExternalResource;

/// Everything an app usually needs: `use dash::prelude::*;`.
pub mod prelude {
    #[cfg(feature = "dag")]
    pub use crate::dag;
    #[cfg(feature = "dbc")]
    pub use crate::dbc;
    #[cfg(feature = "dmc")]
    pub use crate::dmc;
    pub use crate::{
        dash_table, dcc, html, Cache, Callback, CallbackContext, CallbackError, Children,
        Component, ComponentId, Dash, IdValue, Input, LayoutContext, NoUpdate, Output,
        PreventUpdate, State, Update, Wildcard,
    };
}
