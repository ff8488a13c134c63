//! The non-callback routes: component suites (fingerprints, caching,
//! precompressed bodies), favicon, assets folder, prefixes, reload hash.

use dash::prelude::*;
use serde_json::Value;

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

fn app() -> Dash {
    let mut app = Dash::new();
    app.layout(html::Div::new().id("root"));
    app
}

fn script_urls(html: &str) -> Vec<String> {
    html.split("<script src=\"")
        .skip(1)
        .filter_map(|s| s.split('"').next())
        .map(str::to_owned)
        .collect()
}

#[tokio::test]
async fn page_scripts_are_fingerprinted_immutable_and_precompressed() {
    let base = start(app()).await;
    let html = plain()
        .get(format!("{base}/"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let scripts = script_urls(&html);
    let names: Vec<&str> = scripts
        .iter()
        .map(|s| s.rsplit('/').next().unwrap())
        .collect();
    assert!(names[0].starts_with("polyfill@7.v4_4_1m"), "{names:?}");
    assert!(names[1].starts_with("react@18.v4_4_1m"));
    assert!(names[4].starts_with("dash_renderer.v4_4_1m") && names[4].ends_with(".min.js"));
    assert!(
        names.iter().any(|n| n.starts_with("bundle.v7_4_1m")),
        "dash_table version"
    );
    for url in &scripts {
        let r = plain()
            .get(format!("{base}{url}"))
            .header("accept-encoding", "br, gzip")
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 200, "{url}");
        assert_eq!(r.headers()["content-encoding"], "br");
        assert_eq!(
            r.headers()["cache-control"],
            "public, max-age=31536000, immutable"
        );
        assert_eq!(
            r.headers()["content-type"],
            "text/javascript; charset=utf-8"
        );
    }
    let r = plain()
        .get(format!("{base}{}", scripts[1]))
        .header("accept-encoding", "gzip")
        .send()
        .await
        .unwrap();
    assert_eq!(r.headers()["content-encoding"], "gzip");
    let r = plain()
        .get(format!("{base}{}", scripts[1]))
        .send()
        .await
        .unwrap();
    assert!(r.headers().get("content-encoding").is_none());
    assert!(r.text().await.unwrap().contains("React"));
}

#[tokio::test]
async fn async_chunks_use_etags_and_unknown_files_are_404() {
    let base = start(app()).await;
    let url = format!("{base}/_dash-component-suites/dash/dcc/async-graph.js");
    let r = plain().get(&url).send().await.unwrap();
    assert_eq!(r.status(), 200);
    let etag = r.headers()["etag"].to_str().unwrap().to_owned();
    assert_eq!(r.headers()["cache-control"], "no-cache");
    let r = plain()
        .get(&url)
        .header("if-none-match", &etag)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 304);
    let r = plain()
        .get(format!(
            "{base}/_dash-component-suites/plotly/package_data/plotly.min.js"
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    for missing in [
        "dash/dcc/metadata.json",
        "dash/..%2F..%2FCargo.toml",
        "nope/x.js",
        "dash/dcc/async-graph.js.map",
    ] {
        let r = plain()
            .get(format!("{base}/_dash-component-suites/{missing}"))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 404, "{missing}");
    }
    let r = plain()
        .get(format!("{base}/_favicon.ico?v=4.4.1"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.headers()["content-type"], "image/x-icon");
    assert!(r.bytes().await.unwrap().len() > 1000);
}

#[tokio::test]
async fn assets_folder_files_are_on_the_page_and_served() {
    let dir = std::env::temp_dir().join(format!("dash-routes-assets-{}", std::process::id()));
    std::fs::create_dir_all(dir.join("css")).unwrap();
    std::fs::write(dir.join("css/site.css"), "body { color: red }").unwrap();
    std::fs::write(dir.join("app.js"), "window.appLoaded = true;").unwrap();
    std::fs::write(dir.join("ignored.js"), "nope").unwrap();
    let app = app()
        .assets_folder(&dir)
        .assets_ignore("^ignored")
        .title("Assets <test>")
        .external_stylesheet("https://example.invalid/x.css")
        .meta_tag([("name", "description"), ("content", "a test")]);
    let base = start(app).await;
    let html = plain()
        .get(format!("{base}/"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(html.contains("<title>Assets &lt;test&gt;</title>"));
    assert!(html.contains("href=\"/assets/css/site.css?m="));
    assert!(html.contains("<script src=\"/assets/app.js?m="));
    assert!(!html.contains("ignored.js"));
    assert!(html.contains("<link rel=\"stylesheet\" href=\"https://example.invalid/x.css\">"));
    assert!(html.contains("<meta name=\"description\" content=\"a test\">"));
    let css = plain()
        .get(format!("{base}/assets/css/site.css"))
        .send()
        .await
        .unwrap();
    assert_eq!(css.headers()["content-type"], "text/css; charset=utf-8");
    assert_eq!(css.text().await.unwrap(), "body { color: red }");
    let ignored = plain()
        .get(format!("{base}/assets/ignored.js"))
        .send()
        .await
        .unwrap();
    assert_eq!(ignored.status(), 200, "ignored files are still served");
    let escape = plain()
        .get(format!("{base}/assets/..%2F..%2Fetc%2Fpasswd"))
        .send()
        .await
        .unwrap();
    assert_eq!(escape.status(), 404);
    std::fs::remove_dir_all(&dir).unwrap();
}

#[tokio::test]
async fn prefixes_session_cookie_and_debug_routes() {
    let base = start(app().requests_pathname_prefix("/team/app/")).await;
    let r = plain()
        .get(format!("{base}/some/page"))
        .send()
        .await
        .unwrap();
    let cookie = r.headers()["set-cookie"].to_str().unwrap().to_owned();
    assert!(
        cookie.starts_with("dash_session=s1.")
            && cookie.contains("Path=/team/app/")
            && cookie.contains("HttpOnly"),
        "{cookie}"
    );
    let html = r.text().await.unwrap();
    assert!(html.contains("\"requests_pathname_prefix\":\"\\u002fteam\\u002fapp\\u002f\""));
    assert!(html.contains("src=\"/team/app/_dash-component-suites/dash/deps/"));
    let reload = plain()
        .get(format!("{base}/_reload-hash"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        !reload.contains("reloadHash"),
        "no hot reload outside debug mode"
    );
    let r = plain()
        .post(format!("{base}/some/page"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 405, "the catch-all answers GET only");

    let debug = start(app().debug(true).routes_pathname_prefix("/dash/")).await;
    let r: Value = plain()
        .get(format!("{debug}/dash/_reload-hash"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert!(r["reloadHash"].is_string());
    let html = plain()
        .get(format!("{debug}/dash/"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        html.contains("dash_renderer.v4_4_1m") && html.contains(".dev.js"),
        "debug mode serves the dev renderer"
    );
    assert!(html.contains("\"ui\":true"));
    let outside = plain()
        .get(format!("{debug}/elsewhere"))
        .send()
        .await
        .unwrap();
    assert_eq!(outside.status(), 404);
}
