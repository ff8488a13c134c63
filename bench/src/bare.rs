//! The ceiling of the machine: a bare hyper server that parses the same
//! `_dash-update-component` JSON (into borrowed typed structs, records
//! included) and answers a fixed response. No routing, no callbacks.

use std::borrow::Cow;
use std::convert::Infallible;
use std::net::SocketAddr;

use http_body_util::{BodyExt, Full};
use hyper::body::{Bytes, Incoming};
use hyper::{Request, Response, StatusCode};
use hyper_util::rt::TokioIo;
use serde::Deserialize;
use serde_json::value::RawValue;

use crate::Error;

const ANSWER: &str = r#"{"multi":true,"response":{"out":{"children":"ok"}}}"#;

#[derive(Deserialize)]
#[allow(dead_code)]
struct Update<'a> {
    #[serde(borrow)]
    output: Cow<'a, str>,
    #[serde(borrow)]
    outputs: &'a RawValue,
    #[serde(borrow)]
    inputs: Vec<Prop<'a>>,
    #[serde(rename = "changedPropIds", default, borrow)]
    changed_prop_ids: Vec<Cow<'a, str>>,
    #[serde(default, borrow)]
    state: Vec<Prop<'a>>,
}

#[derive(Deserialize)]
#[allow(dead_code)]
struct Prop<'a> {
    #[serde(borrow)]
    id: &'a RawValue,
    #[serde(borrow)]
    property: Cow<'a, str>,
    #[serde(default, borrow)]
    value: Option<&'a RawValue>,
}

#[derive(Deserialize)]
#[allow(dead_code)]
struct Record<'a> {
    x: f64,
    y: f64,
    #[serde(borrow)]
    label: Cow<'a, str>,
}

/// Parses an update body the way a typed callback would see it: the
/// request, then any list-valued state as records. Returns how many records
/// it read.
fn parse(body: &[u8]) -> Result<usize, serde_json::Error> {
    let update: Update<'_> = serde_json::from_slice(body)?;
    let mut records = 0;
    for p in &update.state {
        if let Some(v) = p.value {
            if v.get().starts_with('[') {
                let rows: Vec<Record<'_>> = serde_json::from_str(v.get())?;
                records += rows.len();
            }
        }
    }
    Ok(records)
}

async fn handle(req: Request<Incoming>) -> Result<Response<Full<Bytes>>, Infallible> {
    let is_update = req.uri().path() == "/_dash-update-component";
    let body = match req.into_body().collect().await {
        Ok(b) => b.to_bytes(),
        Err(_) => return Ok(plain(StatusCode::BAD_REQUEST, "unreadable body")),
    };
    if !is_update {
        return Ok(plain(StatusCode::OK, "ok"));
    }
    match parse(&body) {
        Ok(n) => {
            std::hint::black_box(n);
            let mut r = Response::new(Full::new(Bytes::from_static(ANSWER.as_bytes())));
            r.headers_mut().insert(
                hyper::header::CONTENT_TYPE,
                hyper::header::HeaderValue::from_static("application/json"),
            );
            Ok(r)
        }
        Err(e) => Ok(plain(StatusCode::BAD_REQUEST, &e.to_string())),
    }
}

fn plain(status: StatusCode, text: &str) -> Response<Full<Bytes>> {
    let mut r = Response::new(Full::new(Bytes::from(text.to_owned())));
    *r.status_mut() = status;
    r
}

/// Serves on `127.0.0.1:port` with one runtime thread per core until killed.
pub fn serve(port: u16) -> Result<(), Error> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    runtime.block_on(async move {
        let addr: SocketAddr = ([127, 0, 0, 1], port).into();
        let listener = tokio::net::TcpListener::bind(addr).await?;
        loop {
            let (stream, _) = listener.accept().await?;
            let _ = stream.set_nodelay(true);
            tokio::spawn(async move {
                let _ = hyper::server::conn::http1::Builder::new()
                    .serve_connection(TokioIo::new(stream), hyper::service::service_fn(handle))
                    .await;
            });
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_records_in_state() {
        let body = br#"{"output":"agg.children","outputs":{"id":"agg","property":"children"},
            "inputs":[{"id":"n","property":"value","value":"1"}],"changedPropIds":["n.value"],
            "state":[{"id":"store","property":"data","value":[{"x":1.5,"y":2,"label":"a\"b"},{"x":0,"y":0,"label":"c"}]}]}"#;
        assert_eq!(parse(body).unwrap(), 2);
        assert!(parse(br#"{"output":1}"#).is_err());
    }
}
