//! Typed column definitions for `AgGrid::column_defs`.

use serde::Serialize;
use serde_json::{Map, Value};

/// One entry of `columnDefs`: a column (or, with [`ColumnDef::children`],
/// a column group). Setters cover the common options by their Rust names;
/// [`ColumnDef::option`] sets any other AG Grid column option by its JS
/// name.
///
/// ```
/// use dash_components::dag::ColumnDef;
/// let c = ColumnDef::field("price").header_name("Price").sortable(true).width(120);
/// assert_eq!(
///     serde_json::to_value(&c).unwrap(),
///     serde_json::json!({"field": "price", "headerName": "Price", "sortable": true, "width": 120})
/// );
/// ```
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
#[serde(transparent)]
pub struct ColumnDef(Map<String, Value>);

/// A column's `filter`: on (`true`, the default filter for its type), off,
/// or a named filter such as `agNumberColumnFilter`,
/// `agTextColumnFilter`, `agDateColumnFilter`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(untagged)]
pub enum Filter {
    /// `true` or `false`.
    Enabled(bool),
    /// A filter by name.
    Named(String),
}

impl From<bool> for Filter {
    fn from(on: bool) -> Self {
        Filter::Enabled(on)
    }
}

impl From<&str> for Filter {
    fn from(name: &str) -> Self {
        Filter::Named(name.to_owned())
    }
}

impl From<String> for Filter {
    fn from(name: String) -> Self {
        Filter::Named(name)
    }
}

impl ColumnDef {
    /// An empty definition (for a group, or with [`ColumnDef::option`]).
    pub fn new() -> Self {
        Self::default()
    }

    /// A column showing the row field `field`.
    pub fn field(field: impl Into<String>) -> Self {
        Self::new().option("field", field.into())
    }

    /// Sets any column option by its JS name.
    pub fn option(mut self, name: &str, value: impl Serialize) -> Self {
        let value = serde_json::to_value(value).unwrap_or(Value::Null);
        self.0.insert(name.to_owned(), value);
        self
    }

    /// The header text (default: the field name, title-cased).
    pub fn header_name(self, name: impl Into<String>) -> Self {
        self.option("headerName", name.into())
    }

    /// The column's id (default: the field).
    pub fn col_id(self, id: impl Into<String>) -> Self {
        self.option("colId", id.into())
    }

    /// Whether a click on the header sorts by this column.
    pub fn sortable(self, yes: bool) -> Self {
        self.option("sortable", yes)
    }

    /// The initial sort: `"asc"` or `"desc"`.
    pub fn sort(self, direction: impl Into<String>) -> Self {
        self.option("sort", direction.into())
    }

    /// The column filter: `true`, or a filter name.
    pub fn filter(self, filter: impl Into<Filter>) -> Self {
        self.option("filter", filter.into())
    }

    /// A floating filter under the header.
    pub fn floating_filter(self, yes: bool) -> Self {
        self.option("floatingFilter", yes)
    }

    /// Whether cells can be edited.
    pub fn editable(self, yes: bool) -> Self {
        self.option("editable", yes)
    }

    /// Whether the column can be resized.
    pub fn resizable(self, yes: bool) -> Self {
        self.option("resizable", yes)
    }

    /// Hides the column.
    pub fn hide(self, yes: bool) -> Self {
        self.option("hide", yes)
    }

    /// Pins the column: `"left"` or `"right"`.
    pub fn pinned(self, side: impl Into<String>) -> Self {
        self.option("pinned", side.into())
    }

    /// The width in pixels.
    pub fn width(self, px: u32) -> Self {
        self.option("width", px)
    }

    /// The smallest width in pixels.
    pub fn min_width(self, px: u32) -> Self {
        self.option("minWidth", px)
    }

    /// The largest width in pixels.
    pub fn max_width(self, px: u32) -> Self {
        self.option("maxWidth", px)
    }

    /// A share of the remaining width.
    pub fn flex(self, share: u32) -> Self {
        self.option("flex", share)
    }

    /// A cell data type: `"text"`, `"number"`, `"boolean"`, `"date"`,
    /// `"dateString"`, `"object"`.
    pub fn cell_data_type(self, kind: impl Into<String>) -> Self {
        self.option("cellDataType", kind.into())
    }

    /// Formats values with a JS expression run by the grid, dash-ag-grid's
    /// `{"function": "..."}` form (e.g. `"d3.format('$,')(params.value)"`).
    pub fn value_formatter(self, function: impl Into<String>) -> Self {
        self.option(
            "valueFormatter",
            serde_json::json!({"function": function.into()}),
        )
    }

    /// Inline CSS for the column's cells.
    pub fn cell_style(self, style: impl Serialize) -> Self {
        self.option("cellStyle", style)
    }

    /// The columns of a group.
    pub fn children(self, columns: Vec<ColumnDef>) -> Self {
        self.option("children", columns)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn options_keep_their_order_and_js_names() {
        let group = ColumnDef::new().header_name("Car").children(vec![
            ColumnDef::field("make").filter(true).floating_filter(true),
            ColumnDef::field("price")
                .filter("agNumberColumnFilter")
                .value_formatter("d3.format('$,')(params.value)")
                .pinned("right")
                .option("suppressMovable", true),
        ]);
        assert_eq!(
            serde_json::to_string(&group).unwrap(),
            json!({"headerName": "Car", "children": [
                {"field": "make", "filter": true, "floatingFilter": true},
                {"field": "price", "filter": "agNumberColumnFilter",
                 "valueFormatter": {"function": "d3.format('$,')(params.value)"},
                 "pinned": "right", "suppressMovable": true}
            ]})
            .to_string()
        );
    }
}
