//! dash-ag-grid 35.3.0 (`import dash_ag_grid as dag` in Python, JS
//! namespace `dash_ag_grid`), behind the cargo feature `dag`: the
//! [`AgGrid`] builder, typed column definitions ([`ColumnDef`]) and the
//! grid's events as typed callback inputs ([`Rows`], [`CellClicked`]).
//!
//! `row_data` takes any serializable rows, such as a `Vec` of serde
//! records; `column_defs` takes a `Vec<ColumnDef>`.
//!
//! ```
//! use dash_components::dag::{AgGrid, ColumnDef};
//! use serde::Serialize;
//! use serde_json::json;
//!
//! #[derive(Serialize)]
//! struct Car { make: &'static str, price: u32 }
//!
//! let grid = AgGrid::new()
//!     .id("grid")
//!     .row_data(vec![Car { make: "Ford", price: 30_000 }])
//!     .column_defs(vec![
//!         ColumnDef::field("make").sortable(true).filter(true),
//!         ColumnDef::field("price").header_name("Price ($)").filter("agNumberColumnFilter"),
//!     ])
//!     .dash_grid_options(json!({"rowSelection": {"mode": "singleRow"}}));
//! let json = serde_json::to_value(&grid).unwrap();
//! assert_eq!(json["props"]["rowData"][0]["make"], "Ford");
//! assert_eq!(json["props"]["columnDefs"][1]["filter"], "agNumberColumnFilter");
//! ```

mod columns;
mod events;
// The descriptions are the suite's own prose.
#[allow(clippy::doc_lazy_continuation, clippy::doc_overindented_list_items)]
#[path = "../generated/dag.rs"]
mod generated;

pub use columns::{ColumnDef, Filter};
pub use events::{CellClicked, Rows, SelectedRows, VirtualRowData};
pub use generated::*;
