//! What a callback returns to a `dcc.Download`'s `data`: the content
//! (base64 for bytes, as is for text), the file name and an optional type,
//! the same object Python's `dcc.send_bytes` / `send_string` build.

use std::path::Path;

use base64::Engine as _;
use serde::Serialize;

/// The `data` of a `dcc.Download`: the browser saves `content` as
/// `filename`.
///
/// ```
/// let d = dash::files::send_string("a,b\n1,2\n", "table.csv").with_type("text/csv");
/// let json = serde_json::to_value(&d).unwrap();
/// assert_eq!(json["filename"], "table.csv");
/// assert_eq!(json["base64"], false);
/// assert_eq!(json["type"], "text/csv");
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Download {
    /// The file's content: base64 when `base64` is true, else the text.
    pub content: String,
    /// The name the browser saves it under.
    pub filename: String,
    /// The MIME type handed to the browser's `Blob` (`None`: the browser's
    /// default).
    #[serde(rename = "type")]
    pub mime_type: Option<String>,
    /// Whether `content` is base64.
    pub base64: bool,
}

impl Download {
    /// The same download with a MIME type.
    pub fn with_type(mut self, mime_type: impl Into<String>) -> Self {
        self.mime_type = Some(mime_type.into());
        self
    }
}

/// Bytes to download (Python's `dcc.send_bytes`).
///
/// ```
/// let d = dash::files::send_bytes(&[0xff, 0x00], "raw.bin");
/// assert_eq!((d.content.as_str(), d.base64), ("/wA=", true));
/// ```
pub fn send_bytes(bytes: impl AsRef<[u8]>, filename: impl Into<String>) -> Download {
    Download {
        content: base64::engine::general_purpose::STANDARD.encode(bytes),
        filename: filename.into(),
        mime_type: None,
        base64: true,
    }
}

/// Text to download (Python's `dcc.send_string`).
pub fn send_string(text: impl Into<String>, filename: impl Into<String>) -> Download {
    Download {
        content: text.into(),
        filename: filename.into(),
        mime_type: None,
        base64: false,
    }
}

/// A file on the server to download under its own name (Python's
/// `dcc.send_file`); [`Download::filename`] can be changed after.
///
/// ```no_run
/// let d = dash::files::send_file("reports/q3.pdf")?;
/// assert_eq!(d.filename, "q3.pdf");
/// # Ok::<(), std::io::Error>(())
/// ```
pub fn send_file(path: impl AsRef<Path>) -> std::io::Result<Download> {
    let path = path.as_ref();
    let filename = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .ok_or_else(|| {
            std::io::Error::new(
                std::io::ErrorKind::InvalidInput,
                format!("{} names no file", path.display()),
            )
        })?;
    Ok(send_bytes(std::fs::read(path)?, filename))
}

/// Records as a CSV file with a header row (Python's
/// `dcc.send_data_frame(df.to_csv, ...)`), written by the `csv` crate: the
/// column names are the records' field names.
///
/// ```
/// #[derive(serde::Serialize)]
/// struct Row { fruit: &'static str, kg: f64 }
/// let d = dash::files::send_csv(&[Row { fruit: "figs", kg: 1.5 }], "fruit.csv").unwrap();
/// assert_eq!(d.content, "fruit,kg\nfigs,1.5\n");
/// assert_eq!(d.mime_type.as_deref(), Some("text/csv"));
/// ```
pub fn send_csv<T: Serialize>(
    records: &[T],
    filename: impl Into<String>,
) -> Result<Download, csv::Error> {
    let mut writer = csv::Writer::from_writer(Vec::new());
    for r in records {
        writer.serialize(r)?;
    }
    let bytes = writer
        .into_inner()
        .map_err(|e| csv::Error::from(e.into_error()))?;
    let text = String::from_utf8(bytes)
        .map_err(|e| csv::Error::from(std::io::Error::new(std::io::ErrorKind::InvalidData, e)))?;
    Ok(send_string(text, filename).with_type("text/csv"))
}
