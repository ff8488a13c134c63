//! dash-ag-grid 35.3.0 (`import dash_ag_grid as dag` in Python, JS
//! namespace `dash_ag_grid`), behind the cargo feature `dag`.

#[path = "../generated/dag.rs"]
mod generated;
pub use generated::*;
