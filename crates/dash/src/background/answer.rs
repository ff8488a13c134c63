//! The JSON a background callback answers with: the first answer (the job's
//! handles) and each poll's (progress, `set_props` updates, at last the
//! result).
//!
//! One poll answer can carry one value per prop, so the queued updates are
//! taken in order until one would write a prop already in the answer; the
//! rest go with the next poll. That way every update reaches the page, in
//! order, and none overwrites another unseen (Python Dash keeps only the
//! last `set_props` between two polls).

use std::collections::{BTreeMap, HashSet};

use dash_protocol::Dependency;
use serde::Serialize;
use serde_json::value::RawValue;
use serde_json::{Map, Value};

use super::store::Update;

/// Most updates in one answer.
const MAX_UPDATES: usize = 256;
/// Most bytes of update values in one answer (one larger update still goes
/// alone).
const MAX_BYTES: usize = 1 << 20;

/// The first answer: `{"cacheKey", "job", "cancel"?, "progressDefault"?}`.
#[derive(Serialize)]
pub(crate) struct StartAnswer<'a> {
    #[serde(rename = "cacheKey")]
    pub(crate) cache_key: String,
    pub(crate) job: String,
    #[serde(skip_serializing_if = "<[Dependency]>::is_empty")]
    pub(crate) cancel: &'a [Dependency],
    #[serde(rename = "progressDefault", skip_serializing_if = "Option::is_none")]
    pub(crate) progress_default: Option<Map<String, Value>>,
}

/// The updates one poll answer carries.
#[derive(Default)]
pub(crate) struct Batch {
    side: BTreeMap<String, BTreeMap<String, Box<RawValue>>>,
    progress: BTreeMap<String, Box<RawValue>>,
    written: HashSet<(String, String)>,
    count: usize,
    bytes: usize,
}

impl Batch {
    /// Adds `update` unless it writes a prop this answer already writes,
    /// or the answer is full; false if it was left for the next answer.
    pub(crate) fn add(&mut self, update: &Update) -> bool {
        let targets = update.targets();
        if self.count > 0
            && (self.count >= MAX_UPDATES
                || self.bytes + update.size() > MAX_BYTES
                || targets
                    .iter()
                    .any(|(id, p)| self.written.contains(&((*id).to_owned(), (*p).to_owned()))))
        {
            return false;
        }
        for (id, p) in targets {
            self.written.insert((id.to_owned(), p.to_owned()));
        }
        self.count += 1;
        self.bytes += update.size();
        let raw = |text: &str| {
            RawValue::from_string(text.to_owned())
                .unwrap_or_else(|_| RawValue::from_string("null".into()).expect("null is JSON"))
        };
        match update {
            Update::Props { id, props } => {
                let entry = self.side.entry(id.clone()).or_default();
                for (p, v) in props {
                    entry.insert(p.clone(), raw(v));
                }
            }
            Update::Progress { values } => {
                for (k, v) in values {
                    self.progress.insert(k.clone(), raw(v));
                }
            }
        }
        true
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.count == 0
    }

    /// The answer: `response` present ends the job in the renderer.
    pub(crate) fn answer(
        &self,
        response: Option<&BTreeMap<String, BTreeMap<String, &RawValue>>>,
    ) -> String {
        #[derive(Serialize)]
        struct Poll<'a> {
            multi: bool,
            #[serde(skip_serializing_if = "Option::is_none")]
            response: Option<&'a BTreeMap<String, BTreeMap<String, &'a RawValue>>>,
            #[serde(rename = "sideUpdate", skip_serializing_if = "BTreeMap::is_empty")]
            side_update: &'a BTreeMap<String, BTreeMap<String, Box<RawValue>>>,
            #[serde(skip_serializing_if = "BTreeMap::is_empty")]
            progress: &'a BTreeMap<String, Box<RawValue>>,
        }
        serde_json::to_string(&Poll {
            multi: true,
            response,
            side_update: &self.side,
            progress: &self.progress,
        })
        .unwrap_or_else(|_| "{\"multi\":true}".into())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn status(text: &str) -> Update {
        Update::Props {
            id: "status".into(),
            props: vec![("children".into(), format!("\"{text}\""))],
        }
    }

    fn progress(i: u32) -> Update {
        Update::Progress {
            values: vec![
                ("bar.value".into(), i.to_string()),
                ("bar.max".into(), "3".into()),
            ],
        }
    }

    #[test]
    fn an_answer_stops_before_a_prop_it_already_writes() {
        let mut b = Batch::default();
        assert!(b.add(&progress(1)));
        assert!(b.add(&status("step 1")));
        assert!(!b.add(&progress(2)), "bar.value is in this answer already");
        assert_eq!(
            b.answer(None),
            r#"{"multi":true,"sideUpdate":{"status":{"children":"step 1"}},"progress":{"bar.max":3,"bar.value":1}}"#
        );
        let empty = Batch::default();
        assert_eq!(empty.answer(None), r#"{"multi":true}"#);
        let mut response = BTreeMap::new();
        let v = RawValue::from_string("\"done\"".into()).unwrap();
        response.insert(
            "out".to_owned(),
            BTreeMap::from([("children".to_owned(), &*v)]),
        );
        assert_eq!(
            empty.answer(Some(&response)),
            r#"{"multi":true,"response":{"out":{"children":"done"}}}"#
        );
    }

    #[test]
    fn a_large_update_goes_alone() {
        let big = Update::Props {
            id: "blob".into(),
            props: vec![("children".into(), format!("\"{}\"", "x".repeat(MAX_BYTES)))],
        };
        let mut b = Batch::default();
        assert!(b.add(&big), "the first update always fits");
        assert!(!b.add(&status("next")));
    }
}
