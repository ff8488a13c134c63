//! dash-bootstrap-components 2.0.4 (`import dash_bootstrap_components as
//! dbc` in Python, JS namespace `dash_bootstrap_components`), behind the
//! cargo feature `dbc`: one builder per component, the Bootstrap 5.3.8
//! stylesheets in [`themes`] and Bootstrap Icons in [`icons`].
//!
//! Props keep their Python names in snake_case setters
//! (`dbc.Button(color="primary", n_clicks=0)` is
//! `dbc::Button::new().color("primary").n_clicks(0)`); the deprecated
//! camelCase twins (`className` beside `class_name`) have no setter.
//!
//! ```
//! use dash_components::{dbc, html};
//!
//! let layout = dbc::Container::new().children((
//!     dbc::Button::new().id("go").color("primary").children("Go"),
//!     dbc::Tabs::new().children(dbc::Tab::new().label("First").children(html::P::new())),
//! ));
//! let json = serde_json::to_value(&layout).unwrap();
//! assert_eq!(json["namespace"], "dash_bootstrap_components");
//! assert_eq!(json["props"]["children"][0]["props"]["color"], "primary");
//! ```

// The descriptions are the suite's own prose.
#[allow(clippy::doc_lazy_continuation, clippy::doc_overindented_list_items)]
#[path = "../generated/dbc.rs"]
mod generated;
pub mod icons;
pub mod themes;

pub use generated::*;
