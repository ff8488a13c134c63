//! dash-bootstrap-components 2.0.4 (`import dash_bootstrap_components as
//! dbc` in Python, JS namespace `dash_bootstrap_components`), behind the
//! cargo feature `dbc`.

#[path = "../generated/dbc.rs"]
mod generated;
pub use generated::*;
