//! The Dash front end, embedded in the binary.
//!
//! At build time `build.rs` fetches the pinned `dash==4.4.1` wheel (pip) and
//! `plotly.js-dist-min@4.1.1` (npm), checks their SHA-256, and embeds every
//! file the page loads or the bundles request on demand: React 18.3.1
//! (production and development builds), prop-types, the polyfill, the
//! renderer, the dcc bundle with all its async chunks, the html bundle,
//! dash_table with its async chunks, Dash's favicon, and plotly.js. Each file
//! is stored raw, gzip-compressed and brotli-compressed. The development
//! renderer is included because only it carries the dev-tools error panel
//! that debug mode shows. Source maps are left out to keep binaries small;
//! browsers' requests for maps get 404, which dev tools accept.
//!
//! The downloads and the compressed copies are cached in
//! `<target dir>/dash-downloads/` (compressed files keyed by the SHA-256 of
//! the raw bytes), so only the first build of a target directory pays for
//! compression; check, clippy, test and release builds reuse it. For offline
//! builds set `DASH_WHEEL` to `dash-4.4.1-py3-none-any.whl` and
//! `DASH_PLOTLY_TGZ` to `plotly.js-dist-min-4.1.1.tgz` (both are still
//! checked against their pinned SHA-256).
//!
//! With the cargo features `dbc`, `dag` and `dmc` it also embeds the files
//! of dash-bootstrap-components 2.0.4 (with the Bootstrap 5.3.8 stylesheets
//! and Bootstrap Icons), dash-ag-grid 35.3.0 and dash-mantine-components
//! 2.8.1, pinned in `dash_fetch::suites`; [`suites`] lists the ones
//! compiled in.
//!
//! ```
//! let renderer = dash_assets::get("dash", "dash-renderer/build/dash_renderer.min.js").unwrap();
//! assert_eq!(renderer.version, "4.4.1");
//! assert!(renderer.brotli.len() < renderer.raw.len());
//! assert!(renderer.fingerprinted_path().starts_with("dash-renderer/build/dash_renderer.v4_4_1m"));
//! ```
#![deny(missing_docs)]

#[doc(hidden)]
pub mod fuzzing;
pub mod request_path;

/// One embedded file.
#[derive(Debug)]
pub struct Asset {
    /// The owning package as Dash names it in URLs (`dash` or `plotly`).
    pub namespace: &'static str,
    /// Path inside the package, e.g. `dcc/async-graph.js`.
    pub path: &'static str,
    /// Version of the package the file belongs to.
    pub version: &'static str,
    /// First 16 hex digits of the SHA-256 of the raw bytes.
    pub hash: &'static str,
    /// The `Content-Type` to serve it with.
    pub content_type: &'static str,
    /// The bytes as published.
    pub raw: &'static [u8],
    /// gzip-compressed bytes.
    pub gzip: &'static [u8],
    /// brotli-compressed bytes.
    pub brotli: &'static [u8],
}

/// A third-party component suite compiled in (its cargo feature is on).
#[derive(Debug)]
pub struct Suite {
    /// The cargo feature and Rust module name (`dbc`).
    pub feature: &'static str,
    /// The Python package: the namespace its files are served under.
    pub package: &'static str,
    /// The JS namespace of its components.
    pub namespace: &'static str,
    /// The wheel's version (in its fingerprints).
    pub version: &'static str,
    /// Scripts on the page, in the wheel's `_js_dist` order.
    pub page_scripts: &'static [&'static str],
    /// Stylesheets on the page, in the wheel's `_css_dist` order.
    pub page_stylesheets: &'static [&'static str],
}

include!(concat!(env!("OUT_DIR"), "/assets.rs"));

/// The component suites compiled in, in page order (none without the
/// `dbc`, `dag` and `dmc` features).
///
/// ```
/// for suite in dash_assets::suites() {
///     for script in suite.page_scripts {
///         assert!(dash_assets::get(suite.package, script).is_some());
///     }
/// }
/// ```
pub fn suites() -> &'static [Suite] {
    SUITES
}

impl Asset {
    /// The URL path with Dash's fingerprint: the file name is split at its
    /// first `.` and `v<version>m<hash>` is inserted there.
    pub fn fingerprinted_path(&self) -> String {
        let version: String = self
            .version
            .chars()
            .map(|c| {
                if c.is_ascii_alphanumeric() || c == '_' || c == '-' {
                    c
                } else {
                    '_'
                }
            })
            .collect();
        fingerprint(self.path, &format!("v{version}m{}", self.hash))
    }
}

fn fingerprint(path: &str, stamp: &str) -> String {
    let (dir, file) = match path.rfind('/') {
        Some(i) => (&path[..=i], &path[i + 1..]),
        None => ("", path),
    };
    match file.split_once('.') {
        Some((stem, rest)) => format!("{dir}{stem}.{stamp}.{rest}"),
        None => format!("{dir}{file}.{stamp}"),
    }
}

/// Removes a Dash fingerprint from a requested path; returns the clean path
/// and whether there was one.
///
/// ```
/// assert_eq!(
///     dash_assets::strip_fingerprint("deps/react@18.v4_4_1m1700000000.3.1.min.js"),
///     ("deps/react@18.3.1.min.js".to_owned(), true)
/// );
/// assert_eq!(dash_assets::strip_fingerprint("dcc/async-graph.js"), ("dcc/async-graph.js".to_owned(), false));
/// ```
pub fn strip_fingerprint(path: &str) -> (String, bool) {
    let (dir, file) = match path.rfind('/') {
        Some(i) => (&path[..=i], &path[i + 1..]),
        None => ("", path),
    };
    let parts: Vec<&str> = file.split('.').collect();
    if parts.len() >= 3 && is_stamp(parts[1]) {
        let mut kept = vec![parts[0]];
        kept.extend_from_slice(&parts[2..]);
        (format!("{dir}{}", kept.join(".")), true)
    } else {
        (path.to_owned(), false)
    }
}

/// `^v[\w-]+m[0-9a-fA-F]+$`
fn is_stamp(s: &str) -> bool {
    let Some(rest) = s.strip_prefix('v') else {
        return false;
    };
    let Some(m) = rest.rfind('m') else {
        return false;
    };
    let (version, hash) = (&rest[..m], &rest[m + 1..]);
    !version.is_empty()
        && version
            .chars()
            .all(|c| c.is_alphanumeric() || c == '_' || c == '-')
        && !hash.is_empty()
        && hash.chars().all(|c| c.is_ascii_hexdigit())
}

/// The embedded file at `path` in `namespace` (no fingerprint).
pub fn get(namespace: &str, path: &str) -> Option<&'static Asset> {
    ASSETS
        .binary_search_by(|a| (a.namespace, a.path).cmp(&(namespace, path)))
        .ok()
        .map(|i| &ASSETS[i])
}

/// Every embedded file.
pub fn all() -> &'static [Asset] {
    ASSETS
}

/// Dash's default favicon.
pub fn favicon() -> &'static Asset {
    get("dash", "favicon.ico").expect("the favicon is embedded")
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Read;

    #[test]
    fn fingerprints_round_trip_for_every_asset() {
        for a in all() {
            let fp = a.fingerprinted_path();
            assert_eq!(strip_fingerprint(&fp), (a.path.to_owned(), true), "{fp}");
            assert!(!strip_fingerprint(a.path).1, "{}", a.path);
        }
    }

    #[test]
    fn protocol_table_examples() {
        assert_eq!(
            fingerprint("deps/react@18.3.1.min.js", "v4_4_1m1700000000"),
            "deps/react@18.v4_4_1m1700000000.3.1.min.js"
        );
        assert_eq!(
            fingerprint("dcc/dash_core_components.js", "v4_4_1m1700000000"),
            "dcc/dash_core_components.v4_4_1m1700000000.js"
        );
        assert_eq!(
            strip_fingerprint("dash_table/bundle.v7_4_1m1700000000.js"),
            ("dash_table/bundle.js".to_owned(), true)
        );
    }

    #[test]
    fn required_files_and_versions() {
        for (ns, path) in [
            ("dash", "dash-renderer/build/dash_renderer.min.js"),
            ("dash", "dcc/async-graph.js"),
            ("dash", "dcc/dash_core_components-shared.js"),
            ("dash", "dash_table/async-table.js"),
            ("dash", "deps/react@18.3.1.min.js"),
            ("plotly", "package_data/plotly.min.js"),
        ] {
            assert!(get(ns, path).is_some(), "{ns}/{path} missing");
        }
        assert_eq!(get("dash", "dcc/async-graph.js").unwrap().version, "4.4.1");
        assert_eq!(
            get("dash", "html/dash_html_components.min.js")
                .unwrap()
                .version,
            "4.4.1"
        );
        assert_eq!(
            get("dash", "dash_table/bundle.js").unwrap().version,
            "7.4.1"
        );
        assert_eq!(favicon().content_type, "image/x-icon");
        assert!(get("dash", "dcc/metadata.json").is_none());
    }

    #[test]
    fn embeds_exactly_the_registered_files() {
        let mut expected = vec![
            "dash-renderer/build/dash-ws-worker.js",
            "dash-renderer/build/dash_renderer.dev.js",
            "dash-renderer/build/dash_renderer.min.js",
            "dash_table/async-export.js",
            "dash_table/async-highlight.js",
            "dash_table/async-table.js",
            "dash_table/bundle.js",
            "dcc/dash_core_components-shared.js",
            "dcc/dash_core_components.js",
            "dcc/proptypes.js",
            "deps/polyfill@7.12.1.min.js",
            "deps/prop-types@15.8.1.js",
            "deps/prop-types@15.8.1.min.js",
            "deps/react-dom@18.3.1.js",
            "deps/react-dom@18.3.1.min.js",
            "deps/react@18.3.1.js",
            "deps/react@18.3.1.min.js",
            "favicon.ico",
            "html/dash_html_components.min.js",
        ];
        let chunks = [
            "datepicker",
            "dropdown",
            "graph",
            "highlight",
            "markdown",
            "mathjax",
            "slider",
            "upload",
        ];
        let dcc: Vec<String> = chunks.iter().map(|c| format!("dcc/async-{c}.js")).collect();
        expected.extend(dcc.iter().map(String::as_str));
        expected.sort_unstable();
        let dash: Vec<&str> = all()
            .iter()
            .filter(|a| a.namespace == "dash")
            .map(|a| a.path)
            .collect();
        assert_eq!(dash, expected);
        let plotly: Vec<&str> = all()
            .iter()
            .filter(|a| a.namespace == "plotly")
            .map(|a| a.path)
            .collect();
        assert_eq!(plotly, ["package_data/plotly.min.js"]);
        assert!(all()
            .windows(2)
            .all(|w| (w[0].namespace, w[0].path) < (w[1].namespace, w[1].path)));
    }

    #[test]
    fn metadata_of_every_asset() {
        for a in all() {
            assert_eq!(a.hash.len(), 16, "{}", a.path);
            assert!(a.hash.bytes().all(|b| b.is_ascii_hexdigit()));
            let font = a.path.ends_with(".woff2") || a.path.ends_with(".woff");
            assert!(!a.raw.is_empty());
            // Fonts are compressed already and served as they are.
            assert_eq!(a.gzip.is_empty(), font, "{}", a.path);
            assert_eq!(a.brotli.is_empty(), font, "{}", a.path);
            let expected = match a.path.rsplit('.').next().unwrap() {
                "js" => "text/javascript; charset=utf-8",
                "css" => "text/css; charset=utf-8",
                "woff2" => "font/woff2",
                "woff" => "font/woff",
                _ => "image/x-icon",
            };
            assert_eq!(a.content_type, expected, "{}", a.path);
            assert!(std::ptr::eq(get(a.namespace, a.path).unwrap(), a));
        }
        let react = get("dash", "deps/react@18.3.1.min.js").unwrap();
        assert_eq!(react.version, DASH_VERSION);
        assert_eq!(
            react.fingerprinted_path(),
            format!("deps/react@18.v4_4_1m{}.3.1.min.js", react.hash)
        );
        let plotly = get("plotly", "package_data/plotly.min.js").unwrap();
        assert_eq!(plotly.version, PLOTLY_JS_VERSION);
        assert_eq!(PLOTLY_JS_VERSION, "4.1.1");
        assert!(get("dash", "dash_table/commons.js").is_none());
        assert!(get("dash", "dcc/async-graph.js.map").is_none());
        assert!(get("plotly", "dcc/async-graph.js").is_none());
    }

    #[test]
    fn compressed_copies_decompress_to_the_raw_bytes() {
        for (ns, path) in [
            ("dash", "dcc/async-graph.js"),
            ("dash", "deps/react@18.3.1.min.js"),
            ("dash", "favicon.ico"),
            ("plotly", "package_data/plotly.min.js"),
        ] {
            let a = get(ns, path).unwrap();
            let mut gz = Vec::new();
            flate2::read::GzDecoder::new(a.gzip)
                .read_to_end(&mut gz)
                .unwrap();
            assert_eq!(gz, a.raw);
            let mut br = Vec::new();
            brotli::Decompressor::new(a.brotli, 4096)
                .read_to_end(&mut br)
                .unwrap();
            assert_eq!(br, a.raw);
        }
    }

    #[test]
    fn no_suite_without_its_feature() {
        let namespaces: Vec<&str> = all().iter().map(|a| a.namespace).collect();
        for (feature, on, namespace) in [
            ("dbc", cfg!(feature = "dbc"), "dash_bootstrap_components"),
            ("dbc", cfg!(feature = "dbc"), "bootstrap"),
            ("dag", cfg!(feature = "dag"), "dash_ag_grid"),
            ("dmc", cfg!(feature = "dmc"), "dash_mantine_components"),
        ] {
            assert_eq!(namespaces.contains(&namespace), on, "{namespace}");
            assert_eq!(suites().iter().any(|s| s.feature == feature), on);
        }
    }
}

/// The files each suite embeds: exactly the wheel's `_js_dist` entries
/// that are not source maps, and the extras.
#[cfg(test)]
mod suite_tests {
    use super::*;

    #[cfg(any(feature = "dbc", feature = "dag", feature = "dmc"))]
    fn paths(namespace: &str) -> Vec<&'static str> {
        all()
            .iter()
            .filter(|a| a.namespace == namespace)
            .map(|a| a.path)
            .collect()
    }

    #[test]
    #[cfg(feature = "dbc")]
    fn bootstrap_files() {
        assert_eq!(
            paths("dash_bootstrap_components"),
            ["_components/dash_bootstrap_components.min.js"]
        );
        assert_eq!(
            paths("bootstrap"),
            [
                "dist/css/bootstrap-grid.min.css",
                "dist/css/bootstrap.min.css"
            ]
        );
        assert_eq!(
            paths("bootstrap-icons"),
            [
                "font/bootstrap-icons.min.css",
                "font/fonts/bootstrap-icons.woff",
                "font/fonts/bootstrap-icons.woff2"
            ]
        );
        let css = get("bootstrap", "dist/css/bootstrap.min.css").unwrap();
        assert_eq!(css.version, "5.3.8");
        assert!(css
            .raw
            .starts_with(b"@charset \"UTF-8\";/*!\n * Bootstrap  v5.3.8"));
        let dbc = suites().iter().find(|s| s.feature == "dbc").unwrap();
        assert_eq!(dbc.version, "2.0.4");
        assert_eq!(
            get(dbc.package, dbc.page_scripts[0])
                .unwrap()
                .fingerprinted_path(),
            format!(
                "_components/dash_bootstrap_components.v2_0_4m{}.min.js",
                get(dbc.package, dbc.page_scripts[0]).unwrap().hash
            )
        );
    }

    #[test]
    #[cfg(feature = "dag")]
    fn ag_grid_files() {
        assert_eq!(
            paths("dash_ag_grid"),
            [
                "async-community.js",
                "async-enterprise.js",
                "dash_ag_grid.min.js"
            ]
        );
        let dag = suites().iter().find(|s| s.feature == "dag").unwrap();
        assert_eq!(
            (dag.version, dag.page_scripts),
            ("35.3.0", &["dash_ag_grid.min.js"][..])
        );
    }

    #[test]
    #[cfg(feature = "dmc")]
    fn mantine_files() {
        let mut expected: Vec<String> = [
            "AreaChart",
            "BarChart",
            "LineChart",
            "BubbleChart",
            "DonutChart",
            "PieChart",
            "RadarChart",
            "ScatterChart",
            "CompositeChart",
            "Sparkline",
            "CodeHighlight",
            "CodeHighlightTabs",
            "InlineCodeHighlight",
            "RichTextEditor",
            "Heatmap",
            "FunnelChart",
        ]
        .iter()
        .map(|c| format!("async-{c}.js"))
        .collect();
        expected.push("dash_mantine_components.js".into());
        expected.push("dash_mantine_components-charts-shared.js".into());
        expected.sort_unstable();
        assert_eq!(paths("dash_mantine_components"), expected);
        let dmc = suites().iter().find(|s| s.feature == "dmc").unwrap();
        assert_eq!(dmc.page_scripts, ["dash_mantine_components.js"]);
    }

    #[test]
    fn suites_in_page_order() {
        let order: Vec<&str> = suites().iter().map(|s| s.feature).collect();
        let mut all_order = vec!["dbc", "dag", "dmc"];
        all_order.retain(|f| order.contains(f));
        assert_eq!(order, all_order);
    }
}
