//! Fetches the pinned third-party front-end packages and checks their hashes.
//!
//! The `dash` wheel (renderer, React, dcc, html, dash_table) comes from PyPI
//! through `pip download`; plotly.js comes from the npm registry through
//! `npm pack`. Each file is checked against the SHA-256 pinned here before
//! anything reads it. An offline build points the environment variable named
//! by [`Pinned::env_override`] at an already downloaded file.
//!
//! Third-party component suites (dash-bootstrap-components, dash-ag-grid,
//! dash-mantine-components) are pinned the same way in [`suites`].
//!
//! Used by the `dash-assets` build script and by the component generator.
#![deny(missing_docs)]

use std::fmt;
use std::fs;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::Command;

use sha2::{Digest, Sha256};

pub mod suites;
pub use suites::{Extra, MetadataSource, Suite, SUITES};

/// How a pinned package is downloaded.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Registry {
    /// `pip download --no-deps <name>==<version>`.
    PyPi,
    /// `npm pack <name>@<version>`.
    Npm,
}

/// A package pinned by version and SHA-256 of the downloaded file.
#[derive(Debug, Clone, Copy)]
pub struct Pinned {
    /// Package name in its registry.
    pub name: &'static str,
    /// Exact version.
    pub version: &'static str,
    /// File name the registry client writes.
    pub file_name: &'static str,
    /// Lower-case hex SHA-256 of that file.
    pub sha256: &'static str,
    /// Where it comes from.
    pub registry: Registry,
    /// Environment variable that may name an already downloaded copy.
    pub env_override: &'static str,
}

/// The `dash` wheel whose front end we serve unchanged.
pub const DASH_WHEEL: Pinned = Pinned {
    name: "dash",
    version: "4.4.1",
    file_name: "dash-4.4.1-py3-none-any.whl",
    sha256: "72120a91b10ee4d73f9446efd5d6a4ec218086feed7b1b479d2259844d1f658f",
    registry: Registry::PyPi,
    env_override: "DASH_WHEEL",
};

/// plotly.js for dcc.Graph.
pub const PLOTLY_JS: Pinned = Pinned {
    name: "plotly.js-dist-min",
    version: "4.1.1",
    file_name: "plotly.js-dist-min-4.1.1.tgz",
    sha256: "4169ed8fc581f2331f0aeb201c66debf48ab50721b6e64a8dcea45d42827464a",
    registry: Registry::Npm,
    env_override: "DASH_PLOTLY_TGZ",
};

/// Why a package could not be had.
#[derive(Debug)]
pub struct FetchError(String);

impl fmt::Display for FetchError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for FetchError {}

fn err(msg: impl Into<String>) -> FetchError {
    FetchError(msg.into())
}

/// Returns the path of a verified copy of `pinned`: the file named by its
/// environment variable, else a cached download in `cache_dir`, else a fresh
/// download into `cache_dir`.
pub fn fetch(pinned: &Pinned, cache_dir: &Path) -> Result<PathBuf, FetchError> {
    if let Some(path) = std::env::var_os(pinned.env_override) {
        let path = PathBuf::from(path);
        verify(pinned, &path)?;
        return Ok(path);
    }
    let target = cache_dir.join(pinned.file_name);
    if target.exists() && verify(pinned, &target).is_ok() {
        return Ok(target);
    }
    fs::create_dir_all(cache_dir)
        .map_err(|e| err(format!("cannot create {}: {e}", cache_dir.display())))?;
    let status = match pinned.registry {
        Registry::PyPi => Command::new(python())
            .args([
                "-m",
                "pip",
                "download",
                "--no-deps",
                "--quiet",
                "--disable-pip-version-check",
            ])
            .arg(format!("{}=={}", pinned.name, pinned.version))
            .arg("-d")
            .arg(cache_dir)
            .status(),
        Registry::Npm => Command::new("npm")
            .args(["pack", "--silent", "--pack-destination"])
            .arg(cache_dir)
            .arg(format!("{}@{}", pinned.name, pinned.version))
            .status(),
    }
    .map_err(|e| {
        err(format!(
            "cannot run the package manager for {} {}: {e}; set {} to a downloaded {}",
            pinned.name, pinned.version, pinned.env_override, pinned.file_name
        ))
    })?;
    if !status.success() {
        return Err(err(format!(
            "downloading {} {} failed ({status}); set {} to a downloaded {}",
            pinned.name, pinned.version, pinned.env_override, pinned.file_name
        )));
    }
    verify(pinned, &target)?;
    Ok(target)
}

fn python() -> String {
    std::env::var("PYTHON").unwrap_or_else(|_| "python3".to_owned())
}

/// Checks the SHA-256 of a downloaded file against the pin.
pub fn verify(pinned: &Pinned, path: &Path) -> Result<(), FetchError> {
    let bytes = fs::read(path).map_err(|e| err(format!("cannot read {}: {e}", path.display())))?;
    let actual = hex::encode(Sha256::digest(&bytes));
    if actual != pinned.sha256 {
        return Err(err(format!(
            "{} has SHA-256 {actual}, but {} {} is pinned to {}",
            path.display(),
            pinned.name,
            pinned.version,
            pinned.sha256
        )));
    }
    Ok(())
}

/// Reads files out of the wheel (a zip archive) whose names satisfy `keep`.
pub fn read_wheel(
    path: &Path,
    mut keep: impl FnMut(&str) -> bool,
) -> Result<Vec<(String, Vec<u8>)>, FetchError> {
    let file =
        fs::File::open(path).map_err(|e| err(format!("cannot open {}: {e}", path.display())))?;
    let mut zip = zip::ZipArchive::new(file).map_err(|e| err(format!("bad wheel: {e}")))?;
    let mut out = Vec::new();
    for i in 0..zip.len() {
        let mut entry = zip
            .by_index(i)
            .map_err(|e| err(format!("bad wheel entry: {e}")))?;
        let name = entry.name().to_owned();
        if entry.is_dir() || !keep(&name) {
            continue;
        }
        let mut buf = Vec::with_capacity(entry.size() as usize);
        entry
            .read_to_end(&mut buf)
            .map_err(|e| err(format!("cannot read {name} from the wheel: {e}")))?;
        out.push((name, buf));
    }
    out.sort_by(|a, b| a.0.cmp(&b.0));
    Ok(out)
}

/// Reads one file out of an npm tarball (`package/<inner>`).
pub fn read_npm_file(path: &Path, inner: &str) -> Result<Vec<u8>, FetchError> {
    let file =
        fs::File::open(path).map_err(|e| err(format!("cannot open {}: {e}", path.display())))?;
    let mut archive = tar::Archive::new(flate2::read::GzDecoder::new(file));
    let wanted = format!("package/{inner}");
    for entry in archive
        .entries()
        .map_err(|e| err(format!("bad tarball: {e}")))?
    {
        let mut entry = entry.map_err(|e| err(format!("bad tarball entry: {e}")))?;
        let name = entry
            .path()
            .map_err(|e| err(format!("bad path in tarball: {e}")))?
            .to_string_lossy()
            .into_owned();
        if name == wanted {
            let mut buf = Vec::new();
            entry
                .read_to_end(&mut buf)
                .map_err(|e| err(format!("cannot read {inner}: {e}")))?;
            return Ok(buf);
        }
    }
    Err(err(format!("{inner} is not in {}", path.display())))
}

/// The shared download cache: `<target dir>/dash-downloads`, found from a
/// build script's `OUT_DIR` (`target/<profile>/build/<pkg>/out`) or from
/// `CARGO_TARGET_DIR`.
pub fn cache_dir_from_out_dir(out_dir: &Path) -> PathBuf {
    if let Some(dir) = std::env::var_os("CARGO_TARGET_DIR") {
        return PathBuf::from(dir).join("dash-downloads");
    }
    out_dir
        .ancestors()
        .nth(4)
        .map(|t| t.join("dash-downloads"))
        .unwrap_or_else(|| out_dir.join("dash-downloads"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn verify_refuses_a_wrong_hash() {
        let dir = std::env::temp_dir().join(format!("dash-fetch-test-{}", std::process::id()));
        fs::create_dir_all(&dir).unwrap();
        let file = dir.join("x.whl");
        fs::write(&file, b"not the wheel").unwrap();
        let e = verify(&DASH_WHEEL, &file).unwrap_err();
        assert!(e.to_string().contains("pinned to"));
        fs::remove_dir_all(&dir).unwrap();
    }
}
