//! A tour of the callback toolbox beyond plain callbacks, one small section
//! per feature, as a Python Dash app would use them.
//!
//! - Downloads: `dcc.Download` fed by `send_string`, `send_file` and
//!   `send_csv` (Python's `dcc.send_string`, `send_file`,
//!   `send_data_frame(df.to_csv)`).
//! - Uploads: a `dcc.Upload`'s data URL decoded into bytes and a name.
//!
//! `cargo run --release --example parity_tour` (`TOUR_FILE` names the file
//! the "Download a file" button sends; default `README.md`).

use dash::files::{send_csv, send_file, send_string, Uploaded};
use dash::prelude::*;
use serde::Serialize;
use serde_json::json;

/// The table of Python's download test (`test_dldf001`).
#[derive(Serialize)]
struct Row {
    a: u32,
    b: u32,
    c: &'static str,
}

fn rows() -> Vec<Row> {
    [(1, 2, "x"), (2, 1, "x"), (3, 5, "y"), (4, 6, "y")]
        .into_iter()
        .map(|(a, b, c)| Row { a, b, c })
        .collect()
}

fn downloads() -> html::Div {
    html::Div::new().children((
        html::H3::new().children("Downloads"),
        html::Button::new().id("dl-text").children("Download text"),
        dcc::Download::new().id("download-text"),
        html::Button::new()
            .id("dl-file")
            .children("Download a file"),
        dcc::Download::new().id("download-file"),
        html::Button::new()
            .id("dl-csv")
            .children("Download a table"),
        dcc::Download::new().id("download-csv"),
    ))
}

fn uploads() -> html::Div {
    html::Div::new().children((
        html::H3::new().children("Uploads"),
        html::Div::new().id("upload-div").children(
            dcc::Upload::new()
                .id("upload")
                .children(html::Div::new().children((
                    "Drag and Drop or ",
                    html::A::new().children("Select a File"),
                )))
                .style(
                    json!({"width": "100%", "height": "60px", "lineHeight": "60px",
                              "borderWidth": "1px", "borderStyle": "dashed",
                              "borderRadius": "5px", "textAlign": "center"}),
                ),
        ),
        html::Div::new().id("upload-output"),
    ))
}

fn main() -> Result<(), dash::Error> {
    let mut app = Dash::new().title("dash-rs parity tour");
    app.layout(html::Div::new().children((
        html::H2::new().children("The callback toolbox"),
        downloads(),
        uploads(),
    )));
    app.callback(
        Callback::new()
            .output(("download-text", "data"))
            .input(("dl-text", "n_clicks"))
            .prevent_initial_call(true),
        |_: Option<u32>| send_string("Hello, world!", "hello.txt"),
    );
    app.callback(
        Callback::new()
            .output(("download-file", "data"))
            .input(("dl-file", "n_clicks"))
            .prevent_initial_call(true),
        |_: Option<u32>| -> Result<_, CallbackError> {
            let path = std::env::var("TOUR_FILE").unwrap_or_else(|_| "README.md".into());
            Ok(send_file(path)?)
        },
    );
    app.callback(
        Callback::new()
            .output(("download-csv", "data"))
            .input(("dl-csv", "n_clicks"))
            .prevent_initial_call(true),
        |_: Option<u32>| -> Result<_, CallbackError> { Ok(send_csv(&rows(), "df.csv")?) },
    );
    app.callback(
        Callback::new()
            .output(("upload-output", "children"))
            .input(("upload", "contents"))
            .state(("upload", "filename")),
        |contents: Option<String>, name: Option<String>| -> Result<html::Div, CallbackError> {
            let contents = contents.ok_or(PreventUpdate)?;
            let file = Uploaded::decode(&contents, name)?;
            Ok(html::Div::new().children((
                html::Div::new().id("upload-summary").children(format!(
                    "{}: {} bytes of {}",
                    file.filename.as_deref().unwrap_or("(no name)"),
                    file.bytes.len(),
                    file.mime_type
                )),
                html::Hr::new(),
                html::Div::new().id("raw-title").children("Raw Content"),
                html::Pre::new().children(String::from_utf8_lossy(&file.bytes).into_owned()),
            )))
        },
    );
    app.run()
}
