//! Fetches the pinned front end, precompresses every served file (gzip and
//! brotli, cached by content hash across builds) and writes the table that
//! `src/lib.rs` embeds with `include_bytes!`.

use std::fmt::Write as _;
use std::fs;
use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};

use dash_fetch::{
    cache_dir_from_out_dir, fetch, read_npm_file, read_wheel, Suite, DASH_WHEEL, PLOTLY_JS, SUITES,
};
use sha2::{Digest, Sha256};

/// Files of the wheel's `dash/` folder that the page uses or that bundles
/// load on demand: every `.js` registered in a `_js_dist` of
/// `dash/_dash_renderer.py`, `dash/dcc/__init__.py`, `dash/html/__init__.py`
/// or `dash/dash_table/__init__.py` (dash 4.4.1), plus the favicon. Source maps
/// (registered as `dynamic`) and unregistered files (`dash_table/commons.js`,
/// `demo.js`, `*_test.*.js`) are left out. `dash_renderer.dev.js` (8 MB) is
/// kept because debug mode serves it for the dev-tools error panel.
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
        "woff2" => "font/woff2",
        "woff" => "font/woff",
        _ => "application/octet-stream",
    }
}

/// Fonts are compressed already: they are served as they are.
fn compressible(path: &str) -> bool {
    !path.ends_with(".woff2") && !path.ends_with(".woff")
}

/// The suites whose cargo feature is on (`CARGO_FEATURE_DBC` for `dbc`).
fn enabled_suites() -> Vec<&'static Suite> {
    SUITES
        .iter()
        .filter(|s| {
            let var = format!(
                "CARGO_FEATURE_{}",
                s.feature.to_ascii_uppercase().replace('-', "_")
            );
            std::env::var_os(var).is_some()
        })
        .collect()
}

/// One embedded file: (namespace, version, path, bytes).
type AssetFile = (String, String, String, Vec<u8>);

/// The files of one suite: every `.js`/`.css` of its package in the wheel
/// (served under the package name), and its extras (under their own
/// namespaces).
fn suite_assets(suite: &Suite, cache: &Path) -> Vec<AssetFile> {
    let wheel = fetch(&suite.wheel, cache).unwrap_or_else(|e| panic!("{e}"));
    let files = read_wheel(&wheel, |name| suite.serves(name)).unwrap_or_else(|e| panic!("{e}"));
    let mut out: Vec<AssetFile> = files
        .into_iter()
        .map(|(name, bytes)| {
            let rel = name[suite.package.len() + 1..].to_owned();
            (
                suite.package.to_owned(),
                suite.wheel.version.to_owned(),
                rel,
                bytes,
            )
        })
        .collect();
    for wanted in suite.page_scripts.iter().chain(suite.page_stylesheets) {
        assert!(
            out.iter().any(|a| a.2 == *wanted),
            "{} {} has no {wanted}",
            suite.wheel.name,
            suite.wheel.version
        );
    }
    for extra in suite.extras {
        let tgz = fetch(&extra.pin, cache).unwrap_or_else(|e| panic!("{e}"));
        for file in extra.files {
            let bytes = read_npm_file(&tgz, file).unwrap_or_else(|e| panic!("{e}"));
            out.push((
                extra.namespace.to_owned(),
                extra.pin.version.to_owned(),
                (*file).to_owned(),
                bytes,
            ));
        }
    }
    out
}

/// The `SUITES` table: the suites compiled in, with their page files.
fn suites_table(suites: &[&Suite]) -> String {
    let mut table = String::from(
        "/// The component suites compiled in (their cargo features are on), in page order.\n\
         pub static SUITES: &[Suite] = &[\n",
    );
    for s in suites {
        let _ = writeln!(
            table,
            "    Suite {{ feature: {:?}, package: {:?}, namespace: {:?}, version: {:?}, \
             page_scripts: &{:?}, page_stylesheets: &{:?} }},",
            s.feature, s.package, s.namespace, s.wheel.version, s.page_scripts, s.page_stylesheets
        );
    }
    table.push_str("];\n");
    table
}

/// The compressed copies of one file, cached in `<download cache>/compressed/`
/// by the SHA-256 of the raw bytes so that builds with other `OUT_DIR`s
/// (check, clippy, test, release) do not compress again.
struct Compressed {
    gz: PathBuf,
    br: PathBuf,
}

/// gzip at the best level.
fn gzip_best(raw: &[u8]) -> Vec<u8> {
    let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    enc.write_all(raw).expect("gzip");
    enc.finish().expect("gzip")
}

/// brotli at quality 11 with a 4 MiB window (plotly.min.js takes about 10 s,
/// so the best quality is affordable once the result is cached).
fn brotli_11(raw: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    let params = brotli::enc::BrotliEncoderParams {
        quality: 11,
        lgwin: 22,
        ..Default::default()
    };
    brotli::BrotliCompress(&mut &raw[..], &mut out, &params).expect("brotli");
    out
}

/// Fills the compressed cache for every asset, running the missing
/// compressions on all available cores (largest first), and returns the
/// cache paths in the order of `raws`.
fn compress_all(cache: &Path, raws: &[(&str, &[u8])]) -> Vec<Compressed> {
    let dir = cache.join("compressed");
    fs::create_dir_all(&dir).expect("create compressed cache");
    let paths: Vec<Compressed> = raws
        .iter()
        .map(|(sha, _)| Compressed {
            gz: dir.join(format!("{sha}.gz")),
            br: dir.join(format!("{sha}.br")),
        })
        .collect();
    type Job<'a> = (&'a [u8], &'a Path, fn(&[u8]) -> Vec<u8>);
    let mut jobs: Vec<Job<'_>> = Vec::new();
    for ((sha, raw), c) in raws.iter().zip(&paths) {
        if sha.is_empty() {
            continue;
        }
        if !c.br.exists() {
            jobs.push((raw, &c.br, brotli_11));
        }
        if !c.gz.exists() {
            jobs.push((raw, &c.gz, gzip_best));
        }
    }
    jobs.sort_by_key(|(raw, _, _)| std::cmp::Reverse(raw.len()));
    let next = AtomicUsize::new(0);
    let workers = std::thread::available_parallelism()
        .map_or(1, usize::from)
        .min(jobs.len());
    std::thread::scope(|s| {
        for _ in 0..workers {
            s.spawn(|| {
                while let Some((raw, path, compress)) =
                    jobs.get(next.fetch_add(1, Ordering::Relaxed))
                {
                    write_atomically(path, &compress(raw));
                }
            });
        }
    });
    paths
}

/// Hard-links (or copies) a cached file into `OUT_DIR`, so that the crate
/// only `include_bytes!`s files under `OUT_DIR` and keeps building when the
/// download cache is deleted.
fn link_into(out: &Path, cached: &Path) -> PathBuf {
    let target = out.join(cached.file_name().expect("file name"));
    let _ = fs::remove_file(&target);
    if fs::hard_link(cached, &target).is_err() {
        fs::copy(cached, &target).expect("copy compressed file into OUT_DIR");
    }
    target
}

/// Writes through a temporary file next to `path` (unique per process and
/// target file), so that concurrent builds never see a partial file.
fn write_atomically(path: &Path, bytes: &[u8]) {
    let mut tmp = path.as_os_str().to_owned();
    tmp.push(format!(".tmp{}", std::process::id()));
    let tmp = PathBuf::from(tmp);
    fs::write(&tmp, bytes).expect("write cache file");
    fs::rename(&tmp, path).expect("rename cache file");
}

fn main() {
    println!("cargo:rerun-if-changed=build.rs");
    println!("cargo:rerun-if-env-changed={}", DASH_WHEEL.env_override);
    println!("cargo:rerun-if-env-changed={}", PLOTLY_JS.env_override);
    let suites = enabled_suites();
    for s in &suites {
        println!("cargo:rerun-if-env-changed={}", s.wheel.env_override);
        for e in s.extras {
            println!("cargo:rerun-if-env-changed={}", e.pin.env_override);
        }
    }
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
    let mut assets: Vec<AssetFile> = files
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
    for suite in &suites {
        assets.extend(suite_assets(suite, &cache));
    }
    assets.sort_by(|a, b| (&a.0, &a.2).cmp(&(&b.0, &b.2)));

    let shas: Vec<String> = assets
        .iter()
        .map(|a| hex::encode(Sha256::digest(&a.3)))
        .collect();
    // An empty key: not compressed (fonts).
    let raws: Vec<(&str, &[u8])> = shas
        .iter()
        .zip(&assets)
        .map(|(sha, a)| {
            let key = if compressible(&a.2) { sha.as_str() } else { "" };
            (key, a.3.as_slice())
        })
        .collect();
    let compressed = compress_all(&cache, &raws);

    let mut table = String::from(
        "/// Every embedded file, sorted by (namespace, path).\npub static ASSETS: &[Asset] = &[\n",
    );
    for (i, ((namespace, version, path, raw), (sha, c))) in
        assets.iter().zip(shas.iter().zip(&compressed)).enumerate()
    {
        let raw_path = out.join(format!("asset{i}.raw"));
        fs::write(&raw_path, raw).expect("write asset");
        let (gz, br) = if compressible(path) {
            let gz = link_into(&out, &c.gz).display().to_string();
            let br = link_into(&out, &c.br).display().to_string();
            (
                format!("include_bytes!({gz:?})"),
                format!("include_bytes!({br:?})"),
            )
        } else {
            ("&[]".to_owned(), "&[]".to_owned())
        };
        let _ = writeln!(
            table,
            "    Asset {{ namespace: {namespace:?}, path: {path:?}, version: {version:?}, hash: {hash:?}, \
             content_type: {ct:?}, raw: include_bytes!({raw:?}), gzip: {gz}, brotli: {br} }},",
            hash = &sha[..16],
            ct = content_type(path),
            raw = raw_path.display().to_string(),
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
    table.push_str(&suites_table(&suites));
    fs::write(out.join("assets.rs"), table).expect("write assets.rs");
}
