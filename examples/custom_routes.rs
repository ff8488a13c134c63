//! The app's own routes and middleware next to a Dash app, served by
//! `run()` (so `--workers` works): `/hello` (plain text), `/api/items`
//! (JSON: the items added on the page, kept in the app's cache and so
//! shared by every worker), a CORS layer, and an `x-dash-worker` header on
//! every answer naming the worker process that served it.
//!
//! The page: an input `item`, a button `add` and a list `items` (the items
//! so far, as `/api/items` returns them).
//!
//! `CORS_ORIGIN` (default `http://localhost:3000`) is the origin allowed to
//! call `/api/items` from a browser. Run with
//! `cargo run --example custom_routes -- --workers 2`.

use axum::http::{HeaderValue, Method};
use axum::routing::get;
use dash::custom_routes::AppCache;
use dash::prelude::*;
use tower_http::cors::CorsLayer;

const ITEMS: &str = "custom_routes/items";

fn main() -> Result<(), dash::Error> {
    let mut app = Dash::new().title("Custom routes").health_endpoint("health");
    app.layout(html::Div::new().id("page").children((
        html::H1::new().children("Items"),
        dcc::Input::new().id("item").value(""),
        html::Button::new().id("add").children("Add"),
        html::Ul::new().id("items"),
    )));
    app.callback(
        Callback::new()
            .output(("items", "children"))
            .input(("add", "n_clicks"))
            .state(("item", "value")),
        |ctx: CallbackContext,
         clicks: Option<u32>,
         item: Option<String>|
         -> Result<Vec<Component>, CallbackError> {
            let cache = ctx.cache()?;
            let mut items: Vec<String> = cache.get(ITEMS).unwrap_or_default();
            let item = item.unwrap_or_default();
            if clicks.is_some() && !item.trim().is_empty() {
                items.push(item.trim().to_owned());
                cache
                    .set(ITEMS, &items, None)
                    .map_err(|e| CallbackError::msg(e.to_string()))?;
            }
            Ok(items
                .into_iter()
                .map(|i| html::Li::new().children(i).into())
                .collect())
        },
    );
    app.route("/hello", get(|| async { "Hello from dash-rs" }));
    app.route(
        "/api/items",
        get(|AppCache(cache): AppCache| async move {
            let items = tokio::task::spawn_blocking(move || {
                cache.get::<Vec<String>>(ITEMS).unwrap_or_default()
            })
            .await
            .unwrap_or_default();
            axum::Json(serde_json::json!({ "items": items }))
        }),
    );
    let origin = std::env::var("CORS_ORIGIN").unwrap_or_else(|_| "http://localhost:3000".into());
    let origin = HeaderValue::from_str(&origin).map_err(|e| dash::Error::InvalidSetting {
        name: "CORS_ORIGIN".into(),
        reason: e.to_string(),
    })?;
    app.layer(
        CorsLayer::new()
            .allow_origin(origin)
            .allow_methods([Method::GET]),
    );
    // Set by `--workers` in each worker; "main" without it.
    let worker = std::env::var("DASH_WORKER_ID").unwrap_or_else(|_| "main".into());
    let worker = HeaderValue::from_str(&worker).unwrap_or(HeaderValue::from_static("main"));
    app.layer(axum::middleware::map_response(
        move |mut response: axum::response::Response| {
            let worker = worker.clone();
            async move {
                response.headers_mut().insert("x-dash-worker", worker);
                response
            }
        },
    ));
    app.run()
}
