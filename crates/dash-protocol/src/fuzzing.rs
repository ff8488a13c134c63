//! Entry points for the fuzz targets in `fuzz/` (cargo-fuzz, nightly) and
//! for the replay of their corpus in `tests/fuzz_corpus.rs` (stable): the
//! same functions run in both. Each takes arbitrary bytes, must not panic,
//! and checks the properties that hold for every input.

use crate::request::CallbackRequest;
use crate::{excerpt, CallbackShape, ComponentId, Dependency, Wildcard, ECHO_LIMIT};

/// Errors that echo input are bounded: no error text may be much longer
/// than this, whatever the input.
const MAX_ERROR_TEXT: usize = 4096;

/// Outputs, multi-output, inputs, states of one declaration.
type Declaration = (Vec<Dependency>, bool, Vec<Dependency>, Vec<Dependency>);

/// The declarations the parsed bodies are checked against: one plain
/// output; one `ALL` output; four outputs mixing plain, `ALL` and `MATCH`
/// with an `ALLSMALLER` state; no output.
fn shapes() -> Vec<Declaration> {
    let pattern =
        |kind: &str, w: Wildcard| ComponentId::object([("kind", kind.into()), ("n", w.into())]);
    vec![
        (
            vec![Dependency::new("out", "children")],
            false,
            vec![Dependency::new("in", "value")],
            vec![],
        ),
        (
            vec![Dependency::new(pattern("card", Wildcard::All), "children")],
            false,
            vec![Dependency::new(pattern("btn", Wildcard::All), "n_clicks")],
            vec![Dependency::new("store", "data")],
        ),
        (
            vec![
                Dependency::new("a", "children"),
                Dependency::new(pattern("card", Wildcard::All), "children"),
                Dependency::new(pattern("res", Wildcard::Match), "children"),
                Dependency::new("store", "data"),
            ],
            true,
            vec![Dependency::new(pattern("btn", Wildcard::Match), "n_clicks")],
            vec![Dependency::new(
                pattern("btn", Wildcard::AllSmaller),
                "n_clicks",
            )],
        ),
        (
            vec![],
            false,
            vec![Dependency::new("in", "n_submit")],
            vec![],
        ),
    ]
}

/// The update-component body parser and the shape checks: parses `data`
/// as a request body, then checks it against a few callback declarations.
/// Errors must stay bounded in size.
pub fn update_body(data: &[u8]) {
    let request = match CallbackRequest::parse(data) {
        Ok(r) => r,
        Err(e) => {
            let text = e.to_string();
            assert!(
                text.len() <= MAX_ERROR_TEXT,
                "parse error of {} bytes",
                text.len()
            );
            return;
        }
    };
    let _ = excerpt(&request.output, ECHO_LIMIT);
    for slot in request.inputs.iter().chain(&request.state) {
        for entry in slot.entries() {
            let _ = entry.id.to_string();
        }
    }
    for (outputs, multi_output, inputs, states) in shapes() {
        let shape = CallbackShape {
            outputs: &outputs,
            multi_output,
            inputs: &inputs,
            states: &states,
        };
        if let Err(e) = request.check_shape(&shape) {
            let text = e.to_string();
            assert!(
                text.len() <= MAX_ERROR_TEXT,
                "shape error of {} bytes",
                text.len()
            );
        }
    }
}

/// Pattern-matching ids: parses `data` (as UTF-8, lossily) as the
/// renderer's string form of an id; a parsed id prints to a form that
/// parses back to the same form, matches itself, and is matched by the
/// patterns made by putting a wildcard in place of each of its values.
pub fn component_id(data: &[u8]) {
    let text = String::from_utf8_lossy(data);
    let Ok(id) = ComponentId::parse(&text) else {
        return;
    };
    let _ = id.validate();
    let printed = id.to_string();
    let again = ComponentId::parse(&printed).expect("a printed id parses");
    assert_eq!(again.to_string(), printed, "printing is stable");
    if id.has_wildcard() {
        return;
    }
    assert!(id.matches(&id), "{printed} matches itself");
    assert!(
        again.matches(&id) && id.matches(&again),
        "{printed} matches its reparse"
    );
    if let ComponentId::Object(map) = &id {
        for (key, wildcard) in map.keys().zip(
            [Wildcard::All, Wildcard::Match, Wildcard::AllSmaller]
                .iter()
                .cycle(),
        ) {
            let mut pattern = map.clone();
            pattern.insert(key.clone(), (*wildcard).into());
            let pattern = ComponentId::Object(pattern);
            assert!(pattern.matches(&id), "{pattern} matches {printed}");
            assert!(
                !id.matches(&pattern),
                "a concrete id never matches a pattern"
            );
        }
    }
}
