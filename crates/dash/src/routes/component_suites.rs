//! `GET P_dash-component-suites/<namespace>/<path>`: the embedded front end,
//! precompressed, with fingerprint-aware cache headers.

use axum::extract::Path;
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use dash_protocol::{excerpt, ECHO_LIMIT};

pub(crate) async fn serve(
    Path((namespace, path)): Path<(String, String)>,
    headers: HeaderMap,
) -> Response {
    let (clean, fingerprinted) = dash_assets::strip_fingerprint(&path);
    let Some(asset) = dash_assets::get(&namespace, &clean) else {
        return (
            StatusCode::NOT_FOUND,
            format!(
                "{}/{} is not served by this app",
                excerpt(&namespace, ECHO_LIMIT),
                excerpt(&clean, ECHO_LIMIT)
            ),
        )
            .into_response();
    };
    let etag = format!("\"{}\"", asset.hash);
    if !fingerprinted
        && headers
            .get(header::IF_NONE_MATCH)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.split(',').any(|t| t.trim() == etag))
    {
        return (StatusCode::NOT_MODIFIED, [(header::ETAG, etag)]).into_response();
    }
    let accepts = headers
        .get(header::ACCEPT_ENCODING)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    let accepts = |coding: &str| {
        accepts.split(',').any(|part| {
            let mut it = part.split(';');
            let name = it.next().unwrap_or("").trim();
            let q_zero = it.any(|p| p.trim().replace(' ', "") == "q=0");
            name.eq_ignore_ascii_case(coding) && !q_zero
        })
    };
    let (body, encoding): (&'static [u8], Option<&str>) =
        if accepts("br") && !asset.brotli.is_empty() {
            (asset.brotli, Some("br"))
        } else if accepts("gzip") && !asset.gzip.is_empty() {
            (asset.gzip, Some("gzip"))
        } else {
            (asset.raw, None)
        };
    let mut response = body.into_response();
    let h = response.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static(asset.content_type),
    );
    h.insert(header::VARY, HeaderValue::from_static("Accept-Encoding"));
    if let Some(enc) = encoding {
        h.insert(header::CONTENT_ENCODING, HeaderValue::from_static(enc));
    }
    if fingerprinted {
        h.insert(
            header::CACHE_CONTROL,
            HeaderValue::from_static("public, max-age=31536000, immutable"),
        );
    } else if let Ok(v) = HeaderValue::from_str(&etag) {
        h.insert(header::ETAG, v);
        h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    }
    response
}
