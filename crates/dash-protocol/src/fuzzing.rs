//! Entry points for the fuzz targets in `fuzz/` (cargo-fuzz, nightly) and
//! for the replay of their corpus in `tests/fuzz_corpus.rs` (stable): the
//! same functions run in both. Each takes arbitrary bytes, must not panic,
//! and checks the properties that hold for every input.

use crate::request::{ArgSlot, CallbackRequest, Decoded, ValueDecoder};
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

/// Takes the values at the positions of `every` (1: all, 2: even ones) as
/// `serde_json::Value`s.
struct Every(usize);

impl ValueDecoder for Every {
    fn inputs(&self) -> usize {
        2
    }
    fn takes(&self, position: usize) -> bool {
        position.is_multiple_of(self.0)
    }
    fn decode<'de, D: serde::Deserializer<'de>>(
        &self,
        _position: usize,
        value: D,
    ) -> Result<Decoded, D::Error> {
        <serde_json::Value as serde::Deserialize>::deserialize(value)
            .map(|v| Box::new(v) as Decoded)
    }
}

/// What the one-pass reading accepts, the two-pass one accepts too, with
/// the same request: each decoded value is the value of the kept slice.
fn one_pass_agrees(data: &[u8], decoder: &Every) {
    let Ok(mut one) = CallbackRequest::parse_decoding(data, decoder) else {
        return;
    };
    let two = CallbackRequest::parse(data).expect("the two-pass reading accepts it too");
    assert_eq!(one.output, two.output);
    assert_eq!(one.changed_prop_ids, two.changed_prop_ids);
    assert_eq!(format!("{:?}", one.outputs), format!("{:?}", two.outputs));
    assert_eq!(one.inputs.len(), two.inputs.len());
    assert_eq!(one.state.len(), two.state.len());
    let first_state = decoder.inputs();
    let ones = one
        .inputs
        .iter_mut()
        .zip(0..)
        .chain(one.state.iter_mut().zip(first_state..));
    for ((slot, position), theirs) in ones.zip(two.inputs.iter().chain(&two.state)) {
        let taken = decoder.takes(position);
        let (mine, theirs) = match (slot, theirs) {
            (ArgSlot::One(mine), ArgSlot::One(theirs)) => (mine, theirs),
            (ArgSlot::Many(mine), ArgSlot::Many(theirs)) if !taken => {
                assert_eq!(mine.len(), theirs.len());
                for (m, t) in mine.iter().zip(theirs) {
                    assert_eq!((&m.id, &m.property), (&t.id, &t.property));
                    assert_eq!(m.value.map(|v| v.get()), t.value.map(|v| v.get()));
                }
                continue;
            }
            _ => panic!("slot {position} read differently"),
        };
        assert_eq!((&mine.id, &mine.property), (&theirs.id, &theirs.property));
        if !taken {
            assert_eq!(mine.value.map(|v| v.get()), theirs.value.map(|v| v.get()));
            continue;
        }
        assert!(mine.value.is_none());
        let kept = theirs.value.map(|v| {
            serde_json::from_str::<serde_json::Value>(v.get()).expect("a kept slice parses")
        });
        match mine.decoded.take() {
            Some(value) => {
                let value = value.downcast::<serde_json::Value>().expect("a Value");
                assert_eq!(*value, kept.unwrap_or(serde_json::Value::Null));
            }
            None => assert!(kept.is_none(), "slot {position}: a value was not decoded"),
        }
    }
}

/// The update-component body parser and the shape checks: parses `data`
/// as a request body, then checks it against a few callback declarations.
/// Errors must stay bounded in size. The one-pass reading
/// (`parse_decoding`) agrees with it.
pub fn update_body(data: &[u8]) {
    one_pass_agrees(data, &Every(1));
    one_pass_agrees(data, &Every(2));
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
