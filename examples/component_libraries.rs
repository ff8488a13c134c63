//! Three third-party component libraries on one page, all served by the
//! app itself: a dash-bootstrap-components button counting clicks into an
//! alert (with the Bootstrap theme), a dash-ag-grid grid of 1,000 cars
//! whose selected row is shown below it, and a dash-mantine-components
//! slider echoed into a text.
//!
//! Run with `cargo run -p plotly-dash --example component_libraries --features
//! dbc,dag,dmc` and open http://127.0.0.1:8050/.

use dash::dag::{ColumnDef, SelectedRows};
use dash::prelude::*;
use dash::{dbc, dmc};
use serde::{Deserialize, Serialize};
use serde_json::json;

/// One row of the grid.
#[derive(Debug, Clone, Serialize, Deserialize)]
struct Car {
    make: String,
    model: String,
    price: u32,
}

const MODELS: [(&str, [&str; 4]); 8] = [
    ("Toyota", ["Corolla", "Camry", "RAV4", "Yaris"]),
    ("Ford", ["Focus", "Fiesta", "Mondeo", "Puma"]),
    ("Porsche", ["Boxster", "Cayman", "911", "Taycan"]),
    ("Volvo", ["XC40", "XC60", "V60", "S90"]),
    ("Honda", ["Civic", "Accord", "Jazz", "CR-V"]),
    ("Renault", ["Clio", "Megane", "Captur", "Zoe"]),
    ("Fiat", ["500", "Panda", "Tipo", "Doblo"]),
    ("Skoda", ["Octavia", "Fabia", "Superb", "Kodiaq"]),
];

/// 1,000 rows, the same on every run.
fn cars() -> Vec<Car> {
    (0..1000u32)
        .map(|i| {
            let (make, models) = MODELS[(i % 8) as usize];
            Car {
                make: make.to_owned(),
                model: models[((i / 8) % 4) as usize].to_owned(),
                price: 15_000 + (i * 7_919) % 60_000,
            }
        })
        .collect()
}

fn main() -> Result<(), dash::Error> {
    let mut app = Dash::new()
        .title("Component libraries")
        .external_stylesheet(dbc::themes::BOOTSTRAP);
    app.layout(
        html::Div::new().id("page").children((
            dbc::Container::new().class_name("my-3").children((
                dbc::Button::new()
                    .id("go")
                    .color("primary")
                    .n_clicks(0)
                    .children("Go"),
                dbc::Alert::new()
                    .id("alert")
                    .color("info")
                    .class_name("mt-3")
                    .children("Clicked 0 times"),
            )),
            dash::dag::AgGrid::new()
                .id("grid")
                .row_data(cars())
                .column_defs(vec![
                    ColumnDef::field("make").sortable(true).filter(true),
                    ColumnDef::field("model").sortable(true).filter(true),
                    ColumnDef::field("price")
                        .sortable(true)
                        .filter("agNumberColumnFilter"),
                ])
                .dash_grid_options(json!({
                    "rowSelection": {"mode": "singleRow", "enableClickSelection": true},
                    "animateRows": false,
                }))
                .style(json!({"height": "400px"})),
            html::Div::new().id("selection").children("Selected: none"),
            dmc::MantineProvider::new().children(
                html::Div::new()
                    .style(json!({"padding": "24px"}))
                    .children((
                        dmc::Slider::new().id("slider").min(0).max(100).value(50),
                        dmc::Text::new().id("slider-out").children("Value: 50"),
                    )),
            ),
        )),
    );

    app.callback(
        Callback::new()
            .output(("alert", "children"))
            .input(("go", "n_clicks")),
        |n: Option<u64>| format!("Clicked {} times", n.unwrap_or(0)),
    );
    app.callback(
        Callback::new()
            .output(("selection", "children"))
            .input(("grid", "selectedRows")),
        |rows: SelectedRows<Car>| match rows.first() {
            Some(car) => format!("Selected: {} {}", car.make, car.model),
            None => "Selected: none".to_owned(),
        },
    );
    app.callback(
        Callback::new()
            .output(("slider-out", "children"))
            .input(("slider", "value")),
        |v: Option<f64>| format!("Value: {}", v.unwrap_or(0.0)),
    );
    app.run()
}
