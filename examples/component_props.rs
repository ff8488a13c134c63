//! Components inside props other than `children` (the suites'
//! `children_props`): a Mantine button's `leftSection`, a Bootstrap
//! accordion item's `title`, both in the layout and written by a callback.
//!
//! `cargo run -p plotly-dash --example component_props --features dbc,dmc`, then
//! open http://127.0.0.1:8050/.

use dash::prelude::*;
use dash::{dbc, dmc};

fn main() -> Result<(), dash::Error> {
    let mut app = Dash::new()
        .title("Component props")
        .external_stylesheet(dbc::themes::BOOTSTRAP);
    app.layout(
        html::Div::new().id("page").children((
            dmc::MantineProvider::new().children(
                dmc::Button::new()
                    .id("add")
                    .left_section(html::Span::new().id("add-icon").children("+"))
                    .children("Add"),
            ),
            dbc::Accordion::new().id("accordion").children(
                dbc::AccordionItem::new()
                    .item_id("first")
                    .title(html::B::new().id("item-title").children("Bold title"))
                    .children("The first item"),
            ),
        )),
    );
    // A component written into a component-valued prop by a callback.
    app.callback(
        Callback::new()
            .output(("add", "leftSection"))
            .input(("add", "n_clicks"))
            .prevent_initial_call(true),
        |n: u64| html::Span::new().id("add-icon").children(format!("{n}")),
    );
    app.run()
}
