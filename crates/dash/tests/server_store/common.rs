//! What the server store tests share: a temporary SQLite URL, values LZ4
//! cannot shrink, a real listener, and requests with the session cookie.
#![allow(dead_code)]

use std::net::SocketAddr;

use dash::Dash;
use serde_json::Value;

pub fn temp_sqlite(name: &str) -> String {
    let dir = std::env::temp_dir().join(format!("dash-sstore-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    format!("sqlite://{}", dir.join("cache.sqlite").display())
}

/// Values that LZ4 cannot shrink much, so sizes are predictable.
pub fn values(seed: u64, n: usize) -> Vec<u64> {
    let mut x = seed.wrapping_mul(0x9e37_79b9_7f4a_7c15) | 1;
    (0..n)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            x
        })
        .collect()
}

pub async fn start(app: Dash) -> String {
    let router = app.into_router().expect("valid app");
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        let app = router.into_make_service_with_connect_info::<SocketAddr>();
        axum::serve(listener, app).await.unwrap();
    });
    format!("http://{addr}")
}

pub struct Answer {
    pub status: u16,
    pub cookie: Option<String>,
    pub text: String,
    pub body: Value,
}

pub async fn post(base: &str, body: &Value, cookie: Option<&str>) -> Answer {
    let mut req = reqwest::Client::new()
        .post(format!("{base}/_dash-update-component"))
        .json(body);
    if let Some(c) = cookie {
        req = req.header("cookie", format!("dash_session={c}"));
    }
    let r = req.send().await.unwrap();
    let status = r.status().as_u16();
    let cookie = r
        .headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| cookie::Cookie::parse(v.to_str().ok()?.to_owned()).ok())
        .find(|c| c.name() == "dash_session")
        .map(|c| c.value().to_owned());
    let text = r.text().await.unwrap();
    let body = serde_json::from_str(&text).unwrap_or(Value::Null);
    Answer {
        status,
        cookie,
        text,
        body,
    }
}
