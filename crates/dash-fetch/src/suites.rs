//! Third-party component suites: pip-packaged Dash component libraries,
//! pinned like the dash wheel.
//!
//! One [`Suite`] entry is all a suite needs here: the `dash-assets` build
//! script embeds its files when the cargo feature of the same name is on,
//! and the component generator (`cargo run -p xtask -- codegen`) writes its
//! builders from its metadata. Adding a suite is one entry in [`SUITES`]
//! plus the feature lines described in `docs/component-libraries.md`.

use crate::{Pinned, Registry};

/// Where the generator reads a suite's component metadata.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MetadataSource {
    /// The react-docgen `metadata.json` at this path in the wheel.
    Json(&'static str),
    /// The wheel ships no `metadata.json`, only the Python classes that
    /// `dash-generate-components` wrote from it: one `<Class>.py` per
    /// component beside this `__init__.py` (or `_imports_.py`), whose
    /// `from .X import X` lines list the components.
    PythonClasses(&'static str),
}

/// Files of another package that a suite needs to look right (stylesheets,
/// fonts), served under their own namespace.
#[derive(Debug, Clone, Copy)]
pub struct Extra {
    /// The pinned npm package.
    pub pin: Pinned,
    /// The namespace in `_dash-component-suites/<namespace>/...`.
    pub namespace: &'static str,
    /// Paths inside the package (without `package/`).
    pub files: &'static [&'static str],
}

/// One component suite distributed as a Python wheel.
#[derive(Debug, Clone, Copy)]
pub struct Suite {
    /// The cargo feature (and Rust module) name: `dbc`.
    pub feature: &'static str,
    /// The wheel.
    pub wheel: Pinned,
    /// The Python package: its folder in the wheel, and the namespace its
    /// files are served under (`_dash-component-suites/<package>/...`).
    pub package: &'static str,
    /// The JS namespace its bundle registers on `window` (the `namespace`
    /// of its components in the layout).
    pub namespace: &'static str,
    /// The non-async, non-dynamic entries of the wheel's `_js_dist`, in
    /// order, relative to the package folder: the scripts on the page.
    /// Every other `.js` file of the package (async chunks) is served when
    /// asked for.
    pub page_scripts: &'static [&'static str],
    /// The `_css_dist` entries, in order.
    pub page_stylesheets: &'static [&'static str],
    /// Where the component metadata is.
    pub metadata: MetadataSource,
    /// Other packages served with it.
    pub extras: &'static [Extra],
}

const fn wheel(
    name: &'static str,
    version: &'static str,
    file_name: &'static str,
    sha256: &'static str,
    env_override: &'static str,
) -> Pinned {
    Pinned {
        name,
        version,
        file_name,
        sha256,
        registry: Registry::PyPi,
        env_override,
    }
}

/// Bootstrap's stylesheets (the `dbc::themes` constants).
pub const BOOTSTRAP_CSS: Pinned = Pinned {
    name: "bootstrap",
    version: "5.3.8",
    file_name: "bootstrap-5.3.8.tgz",
    sha256: "8b02d4a7482e0f0a2b1da58f1c9c86830e96cc2f77f094f89e4681b19886bc38",
    registry: Registry::Npm,
    env_override: "DASH_BOOTSTRAP_TGZ",
};

/// Bootstrap Icons (`dbc::icons::BOOTSTRAP`).
pub const BOOTSTRAP_ICONS: Pinned = Pinned {
    name: "bootstrap-icons",
    version: "1.13.2",
    file_name: "bootstrap-icons-1.13.2.tgz",
    sha256: "7b5960145e1ab14a49a117f96a9e5a54a94fdf07f21e302d9e4f88d73dd19f9c",
    registry: Registry::Npm,
    env_override: "DASH_BOOTSTRAP_ICONS_TGZ",
};

/// dash-bootstrap-components.
pub const DBC: Suite = Suite {
    feature: "dbc",
    wheel: wheel(
        "dash-bootstrap-components",
        "2.0.4",
        "dash_bootstrap_components-2.0.4-py3-none-any.whl",
        "767cf0084586c1b2b614ccf50f79fe4525fdbbf8e3a161ed60016e584a14f5d1",
        "DASH_DBC_WHEEL",
    ),
    package: "dash_bootstrap_components",
    namespace: "dash_bootstrap_components",
    page_scripts: &["_components/dash_bootstrap_components.min.js"],
    page_stylesheets: &[],
    metadata: MetadataSource::PythonClasses("dash_bootstrap_components/_components/__init__.py"),
    extras: &[
        Extra {
            pin: BOOTSTRAP_CSS,
            namespace: "bootstrap",
            files: &[
                "dist/css/bootstrap.min.css",
                "dist/css/bootstrap-grid.min.css",
            ],
        },
        Extra {
            pin: BOOTSTRAP_ICONS,
            namespace: "bootstrap-icons",
            files: &[
                "font/bootstrap-icons.min.css",
                "font/fonts/bootstrap-icons.woff2",
                "font/fonts/bootstrap-icons.woff",
            ],
        },
    ],
};

/// dash-ag-grid.
pub const DAG: Suite = Suite {
    feature: "dag",
    wheel: wheel(
        "dash-ag-grid",
        "35.3.0",
        "dash_ag_grid-35.3.0-py3-none-any.whl",
        "7cc0ca54fe8be4deab044d89975819f6e9ac66904c84310becbf68cdce74a4e9",
        "DASH_DAG_WHEEL",
    ),
    package: "dash_ag_grid",
    namespace: "dash_ag_grid",
    page_scripts: &["dash_ag_grid.min.js"],
    page_stylesheets: &[],
    metadata: MetadataSource::Json("dash_ag_grid/metadata.json"),
    extras: &[],
};

/// dash-mantine-components.
pub const DMC: Suite = Suite {
    feature: "dmc",
    wheel: wheel(
        "dash-mantine-components",
        "2.8.1",
        "dash_mantine_components-2.8.1-py3-none-any.whl",
        "c0bf417b2357a1b687ab24e73321cbfb1c6a8f1c50bb302c03268914044b0aae",
        "DASH_DMC_WHEEL",
    ),
    package: "dash_mantine_components",
    namespace: "dash_mantine_components",
    page_scripts: &["dash_mantine_components.js"],
    page_stylesheets: &[],
    metadata: MetadataSource::PythonClasses("dash_mantine_components/_imports_.py"),
    extras: &[],
};

/// Every suite, in the order their scripts go on the page (Python Dash
/// puts libraries in the order they were imported; here it is this order).
pub const SUITES: &[Suite] = &[DBC, DAG, DMC];

impl Suite {
    /// Whether `path` (inside the wheel) is one of the files served for
    /// this suite: every `.js` and `.css` file under the package folder,
    /// source maps left out.
    pub fn serves(&self, path: &str) -> bool {
        path.strip_prefix(self.package)
            .and_then(|rest| rest.strip_prefix('/'))
            .is_some_and(|rel| rel.ends_with(".js") || rel.ends_with(".css"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_unique_and_files_sorted_out() {
        let mut features: Vec<&str> = SUITES.iter().map(|s| s.feature).collect();
        features.sort_unstable();
        features.dedup();
        assert_eq!(features.len(), SUITES.len());
        assert!(DAG.serves("dash_ag_grid/async-community.js"));
        assert!(!DAG.serves("dash_ag_grid/async-community.js.map"));
        assert!(!DAG.serves("dash_ag_grid/metadata.json"));
        assert!(!DAG.serves("dash_ag_gridx/a.js"));
        assert!(
            DBC.serves("dash_bootstrap_components/_components/dash_bootstrap_components.min.js")
        );
        for s in SUITES {
            assert_eq!(s.wheel.registry, Registry::PyPi);
            assert!(s.wheel.file_name.contains(s.wheel.version));
            assert_eq!(s.wheel.sha256.len(), 64);
        }
    }
}
