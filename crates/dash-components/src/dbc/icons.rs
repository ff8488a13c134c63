//! Bootstrap Icons 1.13.2 (`dbc.icons.BOOTSTRAP`), served by the app
//! itself with its fonts: link it, then `html::I::new().class_name("bi
//! bi-check")`.
//!
//! ```
//! assert_eq!(dash_components::dbc::icons::BOOTSTRAP.namespace, "bootstrap-icons");
//! ```

use crate::SuiteFile;

/// The Bootstrap Icons stylesheet.
pub const BOOTSTRAP: SuiteFile = SuiteFile {
    namespace: "bootstrap-icons",
    path: "font/bootstrap-icons.min.css",
};
