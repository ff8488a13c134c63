//! Fetches the pinned front end, precompresses every served file (gzip and
//! brotli, cached by content hash across builds) and writes the table that
//! `src/lib.rs` embeds with `include_bytes!`.

use std::fmt::Write as _;
use std::fs;
use std::io::Write as _;
use std::path::{Path, PathBuf};

use dash_fetch::{cache_dir_from_out_dir, fetch, read_npm_file, read_wheel, DASH_WHEEL, PLOTLY_JS};
use sha2::{Digest, Sha256};

/// Files of the wheel's `dash/` folder that the page uses or that bundles
/// load on demand (every registered `.js`; source maps are left out).
fn wanted(rel: &str) -> bool {
    const FIXED: &[&str] = &[
        "deps/polyfill@7.12.1.min.js",
        "deps/react@18.3.1.min.js",
        "deps/react-dom@18.3.1.min.js",
        "deps/prop-types@15.8.1.min.js",
        "deps/react@18.3.1.js",
        "deps/react-dom@18.3.1.js",
        "deps/prop-types@15.8.1.js",
        "dash-renderer/build/dash_renderer.min.js",
        "dash-renderer/build/dash_renderer.dev.js",
        "dash-renderer/build/dash-ws-worker.js",
        "html/dash_html_components.min.js",
        "dash_table/bundle.js",
        "favicon.ico",
    ];
    FIXED.contains(&rel)
        || (rel.starts_with("dcc/") && rel.ends_with(".js") && !rel[4..].contains('/'))
        || (rel.starts_with("dash_table/async-") && rel.ends_with(".js"))
}

fn version_of(rel: &str, versions: &Versions) -> String {
    match rel.split('/').next() {
        Some("dcc") => versions.dcc.clone(),
        Some("html") => versions.html.clone(),
        Some("dash_table") => versions.table.clone(),
        _ => DASH_WHEEL.version.to_owned(),
    }
}

struct Versions {
    dcc: String,
    html: String,
    table: String,
}

fn package_version(files: &[(String, Vec<u8>)], name: &str) -> String {
    let path = format!("dash/{name}/package-info.json");
    files
        .iter()
        .find(|(n, _)| *n == path)
        .and_then(|(_, b)| serde_json::from_slice::<serde_json::Value>(b).ok())
        .and_then(|v| v["version"].as_str().map(str::to_owned))
        .unwrap_or_else(|| panic!("{path} has no version"))
}

fn content_type(path: &str) -> &'static str {
    match path.rsplit('.').next().unwrap_or("") {
        "js" => "text/javascript; charset=utf-8",
        "css" => "text/css; charset=utf-8",
        "ico" => "image/x-icon",
        "map" | "json" => "application/json",
        _ => "application/octet-stream",
    }
}

/// Returns (gzip, brotli) for `raw`, from the cache when an earlier build
/// already compressed the same bytes.
fn compressed(cache: &Path, sha: &str, raw: &[u8]) -> (PathBuf, PathBuf) {
    let dir = cache.join("compressed");
    fs::create_dir_all(&dir).expect("create compressed cache");
    let gz = dir.join(format!("{sha}.gz"));
    let br = dir.join(format!("{sha}.br"));
    if !gz.exists() {
        let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
        enc.write_all(raw).expect("gzip");
        write_atomically(&gz, &enc.finish().expect("gzip"));
    }
    if !br.exists() {
        let mut out = Vec::new();
        let params = brotli::enc::BrotliEncoderParams {
            quality: 11,
            lgwin: 22,
            ..Default::default()
        };
        brotli::BrotliCompress(&mut &raw[..], &mut out, &params).expect("brotli");
        write_atomically(&br, &out);
    }
    (gz, br)
}

fn write_atomically(path: &Path, bytes: &[u8]) {
    let tmp = path.with_extension(format!("tmp{}", std::process::id()));
    fs::write(&tmp, bytes).expect("write cache file");
    fs::rename(&tmp, path).expect("rename cache file");
}

fn main() {
    println!("cargo:rerun-if-changed=build.rs");
    println!("cargo:rerun-if-env-changed={}", DASH_WHEEL.env_override);
    println!("cargo:rerun-if-env-changed={}", PLOTLY_JS.env_override);
    let out = PathBuf::from(std::env::var_os("OUT_DIR").expect("OUT_DIR"));
    let cache = cache_dir_from_out_dir(&out);

    let wheel = fetch(&DASH_WHEEL, &cache).unwrap_or_else(|e| panic!("{e}"));
    let files = read_wheel(&wheel, |name| {
        name.strip_prefix("dash/")
            .is_some_and(|rel| wanted(rel) || rel.ends_with("package-info.json"))
    })
    .unwrap_or_else(|e| panic!("{e}"));
    let versions = Versions {
        dcc: package_version(&files, "dcc"),
        html: package_version(&files, "html"),
        table: package_version(&files, "dash_table"),
    };
    let mut assets: Vec<(String, String, String, Vec<u8>)> = files
        .into_iter()
        .filter_map(|(name, bytes)| {
            let rel = name.strip_prefix("dash/")?.to_owned();
            wanted(&rel).then(|| ("dash".to_owned(), version_of(&rel, &versions), rel, bytes))
        })
        .collect();
    let tgz = fetch(&PLOTLY_JS, &cache).unwrap_or_else(|e| panic!("{e}"));
    let plotly = read_npm_file(&tgz, "plotly.min.js").unwrap_or_else(|e| panic!("{e}"));
    assets.push((
        "plotly".into(),
        PLOTLY_JS.version.into(),
        "package_data/plotly.min.js".into(),
        plotly,
    ));
    assets.sort_by(|a, b| (&a.0, &a.2).cmp(&(&b.0, &b.2)));

    let mut table = String::from(
        "/// Every embedded file, sorted by (namespace, path).\npub static ASSETS: &[Asset] = &[\n",
    );
    for (i, (namespace, version, path, raw)) in assets.iter().enumerate() {
        let sha = hex::encode(Sha256::digest(raw));
        let raw_path = out.join(format!("asset{i}.raw"));
        fs::write(&raw_path, raw).expect("write asset");
        let (gz, br) = compressed(&cache, &sha, raw);
        let _ = writeln!(
            table,
            "    Asset {{ namespace: {namespace:?}, path: {path:?}, version: {version:?}, hash: {hash:?}, \
             content_type: {ct:?}, raw: include_bytes!({raw:?}), gzip: include_bytes!({gz:?}), \
             brotli: include_bytes!({br:?}) }},",
            hash = &sha[..16],
            ct = content_type(path),
            raw = raw_path.display().to_string(),
            gz = gz.display().to_string(),
            br = br.display().to_string(),
        );
    }
    table.push_str("];\n");
    let _ = writeln!(
        table,
        "/// The dash package version (renderer, deps).\npub const DASH_VERSION: &str = {:?};",
        DASH_WHEEL.version
    );
    let _ = writeln!(
        table,
        "/// The plotly.js version served to dcc.Graph.\npub const PLOTLY_JS_VERSION: &str = {:?};",
        PLOTLY_JS.version
    );
    fs::write(out.join("assets.rs"), table).expect("write assets.rs");
}
