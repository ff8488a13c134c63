//! The component suites over HTTP (run with `--features dbc,dag,dmc`):
//! the page puts their scripts where Python Dash does, links the embedded
//! Bootstrap theme under the requests prefix, and the suites route serves
//! their files precompressed, async chunks included. Without the features,
//! nothing of them is on the page or served.

use dash::prelude::*;

mod support;

async fn start(app: Dash) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let router = app.into_router().unwrap();
    tokio::spawn(async move { axum::serve(listener, router).await.unwrap() });
    format!("http://{addr}")
}

fn plain() -> reqwest::Client {
    reqwest::Client::builder()
        .no_gzip()
        .no_brotli()
        .build()
        .unwrap()
}

async fn page(base: &str) -> String {
    plain()
        .get(format!("{base}/"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap()
}

#[cfg_attr(not(feature = "dag"), allow(dead_code))]
fn script_urls(html: &str) -> Vec<String> {
    html.split("<script src=\"")
        .skip(1)
        .filter_map(|s| s.split('"').next())
        .map(str::to_owned)
        .collect()
}

#[cfg(not(any(feature = "dbc", feature = "dag", feature = "dmc")))]
#[tokio::test]
async fn without_the_features_no_suite_is_on_the_page_or_served() {
    let mut app = Dash::new();
    app.layout(html::Div::new().id("root"));
    let base = start(app).await;
    let html = page(&base).await;
    for ns in [
        "dash_bootstrap_components",
        "dash_ag_grid",
        "dash_mantine_components",
    ] {
        assert!(!html.contains(ns), "{ns} on the page");
    }
    let r = plain()
        .get(format!(
            "{base}/_dash-component-suites/dash_ag_grid/dash_ag_grid.min.js"
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 404);
}

/// An app built without the features links none of the suites: the hello
/// example's binary holds no byte of their bundles or builders.
#[cfg(not(any(feature = "dbc", feature = "dag", feature = "dmc")))]
#[test]
fn an_app_without_the_features_embeds_no_suite() {
    let binary = std::fs::read(support::example("hello")).unwrap();
    for needle in [
        "dash_bootstrap_components",
        "dash_ag_grid",
        "dash_mantine_components",
        "bootstrap.min.css",
    ] {
        assert!(
            memchr::memmem::find(&binary, needle.as_bytes()).is_none(),
            "the hello binary contains {needle}"
        );
    }
}

#[cfg(all(feature = "dbc", feature = "dag", feature = "dmc"))]
mod with_suites {
    use super::*;
    use dash::dbc;

    fn app() -> Dash {
        let mut app = Dash::new()
            .requests_pathname_prefix("/team/app/")
            .external_stylesheet(dbc::themes::BOOTSTRAP)
            .external_stylesheet(dbc::icons::BOOTSTRAP)
            .external_script("https://example.com/x.js");
        app.layout(dbc::Container::new().id("root"));
        app
    }

    #[tokio::test]
    async fn suites_go_on_the_page_in_python_order() {
        let base = start(app()).await;
        let html = page(&base).await;
        let scripts = script_urls(&html);
        let at = |needle: &str| {
            scripts
                .iter()
                .position(|s| s.contains(needle))
                .unwrap_or_else(|| panic!("{needle} not in {scripts:?}"))
        };
        // React first, then the app's external scripts, the libraries in
        // registration order, the renderer, dcc, html, dash_table.
        assert!(at("prop-types@15") < at("example.com/x.js"));
        assert!(at("example.com/x.js") < at("dash_bootstrap_components/_components/"));
        assert!(at("dash_bootstrap_components/") < at("dash_ag_grid/dash_ag_grid.v35_3_0m"));
        assert!(
            at("dash_ag_grid/") < at("dash_mantine_components/dash_mantine_components.v2_8_1m")
        );
        assert!(at("dash_mantine_components/") < at("dash_renderer"));
        assert!(at("dash_renderer") < at("dcc/dash_core_components."));
        // Async chunks are not on the page.
        assert!(!html.contains("async-community"));
        assert!(!html.contains("async-AreaChart"));
        for url in scripts.iter().filter(|s| s.starts_with('/')) {
            assert!(
                url.starts_with("/team/app/_dash-component-suites/"),
                "{url}"
            );
        }
        // The themes are linked as local, fingerprinted files.
        assert!(html.contains(
            "<link rel=\"stylesheet\" href=\"/team/app/_dash-component-suites/bootstrap/dist/css/bootstrap.v5_3_8m"
        ));
        assert!(html.contains(
            "href=\"/team/app/_dash-component-suites/bootstrap-icons/font/bootstrap-icons.v1_13_2m"
        ));
        // The suites' component props are in the config.
        assert!(html.contains("\"dash_mantine_components\":{\"Accordion\":[\"chevron\"]"));
        assert!(html.contains("\"DropdownMenu\":[\"label\"]"));
    }

    #[tokio::test]
    async fn suite_files_are_served_precompressed_and_cached() {
        let base = start(app()).await;
        let html = page(&base).await;
        let grid = script_urls(&html)
            .into_iter()
            .find(|s| s.contains("dash_ag_grid"))
            .unwrap();
        let path = grid.strip_prefix("/team/app").unwrap();
        let r = plain()
            .get(format!("{base}{path}"))
            .header("accept-encoding", "br, gzip")
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 200);
        assert_eq!(r.headers()["content-encoding"], "br");
        assert_eq!(
            r.headers()["cache-control"],
            "public, max-age=31536000, immutable"
        );
        assert_eq!(
            r.headers()["content-type"],
            "text/javascript; charset=utf-8"
        );
        // An async chunk, as the bundle asks for it: no fingerprint, ETag.
        let chunk = format!("{base}/_dash-component-suites/dash_ag_grid/async-community.js");
        let r = plain().get(&chunk).send().await.unwrap();
        assert_eq!(r.status(), 200);
        let etag = r.headers()["etag"].to_str().unwrap().to_owned();
        assert!(r.bytes().await.unwrap().len() > 500_000);
        let r = plain()
            .get(&chunk)
            .header("if-none-match", &etag)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 304);
        for (path, ct) in [
            (
                "dash_mantine_components/async-AreaChart.js",
                "text/javascript; charset=utf-8",
            ),
            (
                "bootstrap/dist/css/bootstrap.min.css",
                "text/css; charset=utf-8",
            ),
            (
                "bootstrap-icons/font/fonts/bootstrap-icons.woff2",
                "font/woff2",
            ),
        ] {
            let r = plain()
                .get(format!("{base}/_dash-component-suites/{path}"))
                .header("accept-encoding", "gzip")
                .send()
                .await
                .unwrap();
            assert_eq!(r.status(), 200, "{path}");
            assert_eq!(r.headers()["content-type"], ct, "{path}");
            let gz = r.headers().get("content-encoding").map(|v| v.to_owned());
            // Fonts are compressed already: sent as they are.
            assert_eq!(gz.is_some(), !path.ends_with(".woff2"), "{path}");
        }
        // Source maps and the metadata are not served.
        for path in [
            "dash_ag_grid/dash_ag_grid.min.js.map",
            "dash_ag_grid/metadata.json",
            "dash_mantine_components/package-info.json",
        ] {
            let r = plain()
                .get(format!("{base}/_dash-component-suites/{path}"))
                .send()
                .await
                .unwrap();
            assert_eq!(r.status(), 404, "{path}");
        }
    }
}
