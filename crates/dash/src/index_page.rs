//! The HTML page every non-API GET answers (§2 of the protocol notes).

use serde_json::{json, Value};

use crate::assets_folder::AssetFile;
use crate::settings::{ExternalResource, Prefixes, Settings};

/// Scripts of the front end, in page order, as `(namespace, path)`.
const FRONT_END_BEFORE_APP: &[&str] = &[
    "deps/polyfill@7.12.1.min.js",
    "deps/react@18.3.1.min.js",
    "deps/react-dom@18.3.1.min.js",
    "deps/prop-types@15.8.1.min.js",
];
/// The renderer bundle: the development build with the dev-tools panel
/// (whose callback errors the production build does not show) or when dev
/// bundles are asked for.
fn renderer_bundle(dev: bool) -> &'static str {
    if dev {
        "dash-renderer/build/dash_renderer.dev.js"
    } else {
        "dash-renderer/build/dash_renderer.min.js"
    }
}

/// The development build of a front-end dependency, where it has one.
fn development_build(path: &str) -> &str {
    match path {
        "deps/react@18.3.1.min.js" => "deps/react@18.3.1.js",
        "deps/react-dom@18.3.1.min.js" => "deps/react-dom@18.3.1.js",
        "deps/prop-types@15.8.1.min.js" => "deps/prop-types@15.8.1.js",
        other => other,
    }
}

const FRONT_END_AFTER_RENDERER: &[&str] = &[
    "dcc/dash_core_components.js",
    "dcc/dash_core_components-shared.js",
    "html/dash_html_components.min.js",
    "dash_table/bundle.js",
];

/// Everything the page needs besides the settings.
pub(crate) struct PageInputs<'a> {
    pub settings: &'a Settings,
    pub prefixes: &'a Prefixes,
    pub assets: &'a [AssetFile],
    pub dev_tools: crate::dev_tools::DevTools,
    /// The app has background callbacks: the config gets an `end_id`
    /// slot, filled per page load (`routes/index.rs`).
    pub end_id: bool,
    /// A pages app: slots for the page's title and meta tags
    /// (`pages/served.rs`).
    pub pages: bool,
}

/// Stands for the page load's `end_id` in the rendered page.
pub(crate) const END_ID_SLOT: &str = "__dash_rs_end_id__";

/// The `_dash-config` object.
pub(crate) fn config(p: &PageInputs<'_>) -> Value {
    let mut config = json!({
        "url_base_pathname": p.prefixes.url_base,
        "requests_pathname_prefix": p.prefixes.requests,
        "ui": p.dev_tools.ui,
        "props_check": p.dev_tools.props_check,
        "disable_version_check": true,
        "show_undo_redo": false,
        "suppress_callback_exceptions": p.settings.suppress_callback_exceptions,
        "update_title": p.settings.update_title,
        "children_props": dash_components::children_props(),
        "serve_locally": true,
        "validate_callbacks": p.dev_tools.ui,
        "csrf_token_name": "_csrf_token",
        "csrf_header_name": "X-CSRFToken",
        "dash_version": dash_assets::DASH_VERSION,
        "dash_version_url": "",
    });
    if p.dev_tools.hot_reload {
        config["hot_reload"] = json!({
            "interval": p.dev_tools.hot_reload_interval.as_millis() as u64,
            "max_retry": p.dev_tools.hot_reload_max_retry,
        });
    }
    if let Some(layout) = &p.settings.validation_layout {
        config["validation_layout"] = layout.clone();
    }
    if p.end_id {
        config["end_id"] = json!(END_ID_SLOT);
    }
    config
}

pub(crate) fn escape_attr(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('"', "&quot;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

fn suite_url(prefix: &str, namespace: &str, path: &str) -> String {
    let fingerprinted = dash_assets::get(namespace, path)
        .map(|a| a.fingerprinted_path())
        .unwrap_or_else(|| path.to_owned());
    format!("{prefix}_dash-component-suites/{namespace}/{fingerprinted}")
}

fn external_tag(prefix: &str, r: &ExternalResource, script: bool) -> String {
    let attrs: String = r
        .attrs
        .iter()
        .map(|(k, v)| format!(" {}=\"{}\"", escape_attr(k), escape_attr(v)))
        .collect();
    let url = match &r.local {
        Some(file) => suite_url(prefix, file.namespace, file.path),
        None => r.url.clone(),
    };
    if script {
        format!("<script src=\"{}\"{attrs}></script>", escape_attr(&url))
    } else {
        format!(
            "<link rel=\"stylesheet\" href=\"{}\"{attrs}>",
            escape_attr(&url)
        )
    }
}

fn asset_url(p: &PageInputs<'_>, file: &AssetFile) -> String {
    format!(
        "{}{}/{}?m={}",
        p.prefixes.requests, p.settings.assets_url_path, file.relative, file.modified
    )
}

/// Renders the whole page: the parts below, in the app's template
/// (`Dash::index_string`) or Python Dash's default one.
pub(crate) fn render(p: &PageInputs<'_>) -> String {
    let template = p
        .settings
        .index_string
        .as_deref()
        .unwrap_or(crate::index_template::DEFAULT);
    crate::index_template::interpolate(template, &parts(p))
}

fn parts(p: &PageInputs<'_>) -> crate::index_template::PageParts {
    let r = &p.prefixes.requests;
    let mut head = String::new();
    let has_meta = |attr: &str, value: &str| {
        p.settings.meta_tags.iter().any(|t| {
            t.iter()
                .any(|(k, v)| k == attr && (value.is_empty() || v.eq_ignore_ascii_case(value)))
        })
    };
    if !has_meta("http-equiv", "X-UA-Compatible") {
        head.push_str("<meta http-equiv=\"X-UA-Compatible\" content=\"IE=edge\">\n");
    }
    if !has_meta("charset", "") {
        head.push_str("<meta charset=\"UTF-8\">\n");
    }
    if !has_meta("name", "viewport") {
        head.push_str("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n");
    }
    for tag in &p.settings.meta_tags {
        let attrs: String = tag
            .iter()
            .map(|(k, v)| format!(" {}=\"{}\"", escape_attr(k), escape_attr(v)))
            .collect();
        head.push_str(&format!("<meta{attrs}>\n"));
    }
    let mut metas = std::mem::take(&mut head);
    if p.pages {
        metas.insert_str(0, crate::pages::served::METAS_SLOT);
    }
    // A favicon.ico at any level of the assets folder, the last in walk
    // order (as Python Dash).
    let favicon = p
        .assets
        .iter()
        .rfind(|f| f.name() == "favicon.ico")
        .map(|f| {
            format!(
                "{}{}/{}?m={}",
                r, p.settings.assets_url_path, f.relative, f.modified
            )
        })
        .unwrap_or_else(|| format!("{r}_favicon.ico?v={}", dash_assets::DASH_VERSION));
    let favicon = format!(
        "<link rel=\"icon\" type=\"image/x-icon\" href=\"{}\">\n",
        escape_attr(&favicon)
    );
    for sheet in &p.settings.external_stylesheets {
        head.push_str(&external_tag(r, sheet, false));
        head.push('\n');
    }
    // The component suites compiled in (their `_css_dist`), as Python puts
    // the libraries' stylesheets between the app's external ones and its
    // assets.
    for suite in dash_assets::suites() {
        for path in suite.page_stylesheets {
            head.push_str(&format!(
                "<link rel=\"stylesheet\" href=\"{}\">\n",
                suite_url(r, suite.package, path)
            ));
        }
    }
    for file in p.assets.iter().filter(|f| f.relative.ends_with(".css")) {
        head.push_str(&format!(
            "<link rel=\"stylesheet\" href=\"{}\">\n",
            escape_attr(&asset_url(p, file))
        ));
    }

    let mut scripts = String::new();
    let config_json = dash_protocol::json::html_safe(&config(p).to_string());
    let config =
        format!("<script id=\"_dash-config\" type=\"application/json\">{config_json}</script>\n");
    // Prop-type checks need the development builds of React and prop-types
    // (as Python switches to them); so do dev bundles.
    let dev_react = p.dev_tools.props_check || p.dev_tools.serve_dev_bundles;
    for path in FRONT_END_BEFORE_APP {
        let path = if dev_react {
            development_build(path)
        } else {
            path
        };
        scripts.push_str(&format!(
            "<script src=\"{}\"></script>\n",
            suite_url(r, "dash", path)
        ));
    }
    for script in &p.settings.external_scripts {
        scripts.push_str(&external_tag(r, script, true));
        scripts.push('\n');
    }
    // The suites' on-page scripts (§2.3 step 6: libraries, then assets).
    for suite in dash_assets::suites() {
        for path in suite.page_scripts {
            scripts.push_str(&format!(
                "<script src=\"{}\"></script>\n",
                suite_url(r, suite.package, path)
            ));
        }
    }
    for file in p.assets.iter() {
        let url = escape_attr(&asset_url(p, file));
        if file.relative.ends_with(".js") {
            scripts.push_str(&format!("<script src=\"{url}\"></script>\n"));
        } else if file.relative.ends_with(".mjs") {
            scripts.push_str(&format!(
                "<script type=\"module\" src=\"{url}\"></script>\n"
            ));
        }
    }
    scripts.push_str(&format!(
        "<script src=\"{}\"></script>\n",
        suite_url(
            r,
            "dash",
            renderer_bundle(p.dev_tools.ui || p.dev_tools.serve_dev_bundles)
        )
    ));
    for path in FRONT_END_AFTER_RENDERER {
        scripts.push_str(&format!(
            "<script src=\"{}\"></script>\n",
            suite_url(r, "dash", path)
        ));
        if *path == "dcc/dash_core_components-shared.js"
            && p.dev_tools.props_check
            && p.dev_tools.serve_dev_bundles
        {
            scripts.push_str(&format!(
                "<script src=\"{}\"></script>\n",
                suite_url(r, "dash", "dcc/proptypes.js")
            ));
        }
    }
    // Inline clientside functions, after every script (as Python does).
    for script in &p.settings.inline_scripts {
        scripts.push_str(&format!("<script>{script}</script>\n"));
    }
    crate::index_template::PageParts {
        metas,
        title: if p.pages {
            crate::pages::served::TITLE_SLOT.to_owned()
        } else {
            escape_attr(&p.settings.title)
        },
        favicon,
        css: head,
        app_entry:
            "<div id=\"react-entry-point\"><div class=\"_dash-loading\">Loading...</div></div>\n"
                .into(),
        config,
        scripts,
        renderer: "<script id=\"_dash-renderer\" type=\"application/javascript\">var renderer = new DashRenderer();</script>\n".into(),
    }
}
