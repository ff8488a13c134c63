//! The grid's props that callbacks read, as typed values.

use serde::de::{Deserialize, DeserializeOwned, Deserializer};
use serde::Serialize;
use serde_json::Value;

/// Rows read back from the grid as the app's record type: `selectedRows`
/// and `virtualRowData`. A prop the grid has not set yet (`null`) is no
/// rows.
///
/// ```
/// use dash_components::dag::SelectedRows;
/// #[derive(serde::Deserialize)]
/// struct Car { make: String }
///
/// let rows: SelectedRows<Car> = serde_json::from_str(r#"[{"make": "Ford", "price": 1}]"#).unwrap();
/// assert_eq!(rows.0[0].make, "Ford");
/// let none: SelectedRows<Car> = serde_json::from_str("null").unwrap();
/// assert!(none.is_empty());
/// ```
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(transparent)]
pub struct Rows<T>(pub Vec<T>);

/// `selectedRows` as a callback input or state.
pub type SelectedRows<T> = Rows<T>;

/// `virtualRowData` (the rows after filtering and sorting) as a callback
/// input or state.
pub type VirtualRowData<T> = Rows<T>;

impl<T> Rows<T> {
    /// The rows.
    pub fn into_vec(self) -> Vec<T> {
        self.0
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// How many.
    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// The first row, if any (the selection of a single-row grid).
    pub fn first(&self) -> Option<&T> {
        self.0.first()
    }
}

impl<T> Default for Rows<T> {
    fn default() -> Self {
        Rows(Vec::new())
    }
}

impl<'de, T: DeserializeOwned> Deserialize<'de> for Rows<T> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        Ok(Rows(Option::<Vec<T>>::deserialize(d)?.unwrap_or_default()))
    }
}

/// `cellClicked` (also the shape of `cellDoubleClicked`): the last cell
/// clicked.
///
/// ```
/// use dash_components::dag::CellClicked;
/// let c: CellClicked = serde_json::from_str(
///     r#"{"value": "Ford", "colId": "make", "rowIndex": 3, "rowId": "3", "timestamp": 1700000000000}"#,
/// ).unwrap();
/// assert_eq!((c.col_id.as_deref(), c.row_index), (Some("make"), Some(3)));
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, serde::Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CellClicked {
    /// The cell's value.
    #[serde(default)]
    pub value: Value,
    /// The column's id.
    #[serde(default)]
    pub col_id: Option<String>,
    /// The row's index in the grid.
    #[serde(default)]
    pub row_index: Option<u64>,
    /// The row's id (a number unless `getRowId` sets one).
    #[serde(default)]
    pub row_id: Option<Value>,
    /// When it was clicked, in ms since the epoch.
    #[serde(default)]
    pub timestamp: Option<f64>,
}
