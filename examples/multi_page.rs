//! A multi-page app: a navigation `nav` built from the page registry,
//! pages `/` (Home), `/analytics` (a city dropdown and its callback) and
//! `/report/<report_id>`, and a 404 page. Navigation with `dcc.Link` does
//! not reload the page; the document title follows the page.
//!
//! Run: `cargo run -p dash --example multi_page -- --workers 2`.

use dash::pages::{page_container, page_registry, Page, PageArgs};
use dash::prelude::*;

fn main() -> Result<(), dash::Error> {
    let mut app = Dash::new().title("Multi-page app");
    app.page(
        Page::new("/")
            .name("Home")
            .title("Home")
            .description("The home page")
            .layout(html::H1::new().id("title").children("Home")),
    );
    app.page(
        Page::new("/analytics")
            .name("Analytics")
            .title("Analytics")
            .description("Figures per city")
            .layout(
                html::Div::new().children((
                    html::H1::new().id("title").children("Analytics"),
                    dcc::Dropdown::new()
                        .id("city")
                        .options(["Paris", "Tokyo", "Lima"])
                        .value("Paris")
                        .clearable(false),
                    html::Div::new().id("city-out"),
                )),
            )
            .callback(
                Callback::new()
                    .output(("city-out", "children"))
                    .input(("city", "value")),
                |city: Option<String>| format!("Selected: {}", city.unwrap_or_default()),
            ),
    );
    app.page(
        Page::new("/report/<report_id>")
            .name("Report")
            .title_fn(|args: &PageArgs| format!("Report {}", args.var("report_id").unwrap_or("")))
            .description_fn(|args: &PageArgs| {
                format!("The report {}", args.var("report_id").unwrap_or(""))
            })
            .layout_fn(|args: &PageArgs| {
                html::H1::new()
                    .id("title")
                    .children(format!("Report {}", args.var("report_id").unwrap_or("")))
            }),
    );
    app.page_not_found_fn(|args: &PageArgs| {
        html::H1::new()
            .id("title")
            .children(format!("Page not found: {}", args.path()))
    });
    let links: Vec<Component> = page_registry(&app)
        .into_iter()
        .map(|page| {
            dcc::Link::new()
                .href(page.relative_path)
                .children(page.name)
                .style(serde_json::json!({"marginRight": "1em"}))
                .into()
        })
        .collect();
    app.layout(
        html::Div::new().children((html::Nav::new().id("nav").children(links), page_container())),
    );
    app.run()
}
