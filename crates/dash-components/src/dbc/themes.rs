//! The Bootstrap 5.3.8 stylesheets, served by the app itself (Python's
//! `dbc.themes` are CDN URLs; these are the same files, embedded).
//!
//! ```
//! use dash_components::dbc::themes;
//! assert_eq!(themes::BOOTSTRAP.namespace, "bootstrap");
//! assert_eq!(themes::BOOTSTRAP.path, "dist/css/bootstrap.min.css");
//! ```

use crate::SuiteFile;

/// Bootstrap's own theme (`dbc.themes.BOOTSTRAP`).
pub const BOOTSTRAP: SuiteFile = SuiteFile {
    namespace: "bootstrap",
    path: "dist/css/bootstrap.min.css",
};

/// Only Bootstrap's grid, no other styles (`dbc.themes.GRID`).
pub const GRID: SuiteFile = SuiteFile {
    namespace: "bootstrap",
    path: "dist/css/bootstrap-grid.min.css",
};
