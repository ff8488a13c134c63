//! The server stores by pattern section of the parity tour: one
//! `ServerStore` per card, with pattern-matching ids. An `ALL` output fills
//! every card's store from its seed, a `MATCH` callback shows each card's
//! own value, an `ALL` input sums them all, and a button adds a card (its
//! store arrives in a callback's answer). The browser holds references
//! only; the values stay on the server.

use dash::prelude::*;

/// How many numbers each card's store holds.
const NUMBERS: u64 = 20_000;

fn card_id(kind: &str, i: u64) -> ComponentId {
    ComponentId::object([("type", kind.into()), ("i", i.into())])
}

fn every(kind: &str, w: Wildcard) -> ComponentId {
    ComponentId::object([("type", kind.into()), ("i", w.into())])
}

/// A card: its seed, its store and what its own callback shows.
fn card(i: u64) -> html::Div {
    html::Div::new().children((
        dcc::Input::new()
            .id(card_id("sscard-seed", i))
            .type_("number")
            .value(i * 10),
        ServerStore::new().id(card_id("sscard-store", i)),
        html::Div::new().id(card_id("sscard-own", i)),
    ))
}

/// The section's components.
pub fn layout() -> html::Div {
    html::Div::new().id("server-stores").children((
        html::H3::new().children("Server stores by pattern"),
        html::Button::new()
            .id("sscard-fill")
            .children("Fill the stores"),
        html::Button::new().id("sscard-add").children("Add a card"),
        html::Div::new()
            .id("sscard-cards")
            .children((card(1), card(2))),
        html::Div::new().id("sscard-total"),
    ))
}

/// The numbers a card's store holds for `seed`.
fn numbers(seed: u64) -> Vec<u64> {
    (0..NUMBERS).map(|k| seed + k).collect()
}

/// The section's callbacks.
pub fn callbacks(app: &mut Dash) {
    // ALL output: each matched store gets the numbers of its card's seed.
    app.callback(
        Callback::new()
            .output(Output::new(every("sscard-store", Wildcard::All), "data"))
            .input(("sscard-fill", "n_clicks"))
            .state(State::new(every("sscard-seed", Wildcard::All), "value"))
            .prevent_initial_call(true),
        |_: Option<u32>, seeds: Vec<Option<u64>>| -> Vec<Vec<u64>> {
            seeds.iter().map(|s| numbers(s.unwrap_or(0))).collect()
        },
    );
    // MATCH: each card reads its own store.
    app.callback(
        Callback::new()
            .output(Output::new(
                every("sscard-own", Wildcard::Match),
                "children",
            ))
            .input(Input::new(every("sscard-store", Wildcard::Match), "data")),
        |data: Option<Vec<u64>>| match data {
            Some(d) => format!("{} numbers from {}", d.len(), d[0]),
            None => "empty".into(),
        },
    );
    // ALL input: every store's value, `None` where one has none yet.
    app.callback(
        Callback::new()
            .output(("sscard-total", "children"))
            .input(Input::new(every("sscard-store", Wildcard::All), "data")),
        |data: Vec<Option<Vec<u64>>>| {
            let filled: Vec<&Vec<u64>> = data.iter().flatten().collect();
            let sum: u64 = filled.iter().flat_map(|d| d.iter()).sum();
            format!("{} stores, {} filled, sum {sum}", data.len(), filled.len())
        },
    );
    // A card added by a callback, its store with it.
    app.callback(
        Callback::new()
            .output(("sscard-cards", "children"))
            .input(("sscard-add", "n_clicks"))
            .prevent_initial_call(true),
        |n: u64| -> Vec<Component> { (1..=n + 2).map(|i| card(i).into()).collect() },
    );
}
