//! What a `dcc.Upload` sends: `contents`, a `data:` URL
//! (`data:<type>;base64,<bytes>`), and `filename`. [`Uploaded`] decodes it
//! with the `data-url` crate (the WHATWG rules browsers follow).

use std::fmt;

/// An uploaded file, decoded.
///
/// ```
/// use dash::files::Uploaded;
/// let f = Uploaded::decode("data:text/plain;base64,aGVsbG8=", Some("hello.txt".into())).unwrap();
/// assert_eq!(f.bytes, b"hello");
/// assert_eq!(f.mime_type, "text/plain");
/// assert_eq!(f.filename.as_deref(), Some("hello.txt"));
/// assert!(Uploaded::decode("not a data url", None).is_err());
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Uploaded {
    /// The file's bytes.
    pub bytes: Vec<u8>,
    /// The type the browser gave it (`essence`: `type/subtype`).
    pub mime_type: String,
    /// The name the file had on the user's machine.
    pub filename: Option<String>,
}

/// Why a `contents` value is not an uploaded file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UploadError(String);

impl fmt::Display for UploadError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "the upload is not a readable data: URL: {}", self.0)
    }
}

impl std::error::Error for UploadError {}

impl Uploaded {
    /// Decodes a `dcc.Upload`'s `contents` (with its `filename`).
    pub fn decode(contents: &str, filename: Option<String>) -> Result<Self, UploadError> {
        let url =
            data_url::DataUrl::process(contents).map_err(|e| UploadError(format!("{e:?}")))?;
        let (bytes, _fragment) = url
            .decode_to_vec()
            .map_err(|e| UploadError(format!("{e:?}")))?;
        let mime = url.mime_type();
        Ok(Uploaded {
            bytes,
            mime_type: format!("{}/{}", mime.type_, mime.subtype),
            filename,
        })
    }
}
