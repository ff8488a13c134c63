//! Files to and from the browser: the `data` of a `dcc.Download`
//! ([`send_bytes`], [`send_string`], [`send_file`], [`send_csv`]) and the
//! `contents` of a `dcc.Upload` ([`Uploaded`]), as Python Dash's
//! `dcc.send_*` helpers write and read them.

mod download;
mod upload;

pub use download::{send_bytes, send_csv, send_file, send_string, Download};
pub use upload::{UploadError, Uploaded};
