//! dash-mantine-components 2.8.1 (`import dash_mantine_components as dmc`
//! in Python, JS namespace `dash_mantine_components`), behind the cargo
//! feature `dmc`.

// The descriptions are the suite's own prose.
#[allow(clippy::doc_lazy_continuation, clippy::doc_overindented_list_items)]
#[path = "../generated/dmc.rs"]
mod generated;
pub use generated::*;
