//! A job's state in the cache backend, where every worker and host can
//! read it. One writer per key, so no read-modify-write races:
//!
//! | key | written by | holds |
//! |---|---|---|
//! | `dash/job/<id>` | the accepting worker, then the pollers | [`JobRecord`]: the callback, how many updates the page has |
//! | `dash/job/<id>/u/<seq>` | the job, in order | one [`Update`] (`set_props` or progress) |
//! | `dash/job/<id>/alive` | the job's process, every third of the lease | its lease: gone means the process stopped |
//! | `dash/job/<id>/end` | whoever ends it first (`add`) | the [`Outcome`]: result, error, cancel |
//! | `dash/job-cache/<key>` | a finished job with `cache_by` | its result, for later calls |
//!
//! `end` is written with `CacheBackend::add`: the job's result, a cancel and
//! a poller that found the lease gone race, and exactly one of them wins.
//! Values are framed by `dash_cache::codec` (checksum, LZ4 when large).

use std::sync::Arc;
use std::time::Duration;

use dash_cache::{codec, CacheBackend, CacheError};
use serde::{Deserialize, Serialize};

use super::handles::JobId;

/// How long a job's keys live without being renewed: a result waits this
/// long for its page, an abandoned job's record goes after this.
pub(crate) const KEEP: Duration = Duration::from_secs(3600);

/// What every poller needs to know about a job.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct JobRecord {
    /// The callback's key.
    pub(crate) callback: String,
    /// Updates the page has received (the next one to send).
    pub(crate) delivered: u64,
    /// With `cache_by`: where the result is kept.
    pub(crate) cache_slot: Option<String>,
    /// Milliseconds since 1970 when the job was accepted.
    pub(crate) created_ms: u64,
}

/// One streamed update, as JSON texts.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) enum Update {
    /// `set_props(id, props)`: the id's string form and each prop's value.
    Props {
        id: String,
        props: Vec<(String, String)>,
    },
    /// `progress.set(..)`: `"<id>.<prop>"` of each progress output and its
    /// value.
    Progress { values: Vec<(String, String)> },
}

impl Update {
    /// The `(id, prop)` pairs it writes.
    pub(crate) fn targets(&self) -> Vec<(&str, &str)> {
        match self {
            Update::Props { id, props } => props
                .iter()
                .map(|(p, _)| (id.as_str(), p.as_str()))
                .collect(),
            Update::Progress { values } => values
                .iter()
                .filter_map(|(k, _)| k.rsplit_once('.'))
                .collect(),
        }
    }

    /// Bytes of JSON it carries.
    pub(crate) fn size(&self) -> usize {
        match self {
            Update::Props { props, .. } => props.iter().map(|(p, v)| p.len() + v.len()).sum(),
            Update::Progress { values } => values.iter().map(|(k, v)| k.len() + v.len()).sum(),
        }
    }
}

/// How a job ended.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) enum Outcome {
    /// The function returned: its value as JSON text, and how many updates
    /// it wrote before.
    Done { value: String, updates: u64 },
    /// The function raised `PreventUpdate`.
    Prevented { updates: u64 },
    /// The function failed, or its process stopped (`updates` unknown).
    Failed {
        message: String,
        updates: Option<u64>,
    },
    /// Cancelled: by a cancel input, or by a newer run.
    Cancelled,
}

impl Outcome {
    /// Updates written before the end, if known.
    pub(crate) fn updates(&self) -> Option<u64> {
        match self {
            Outcome::Done { updates, .. } | Outcome::Prevented { updates } => Some(*updates),
            Outcome::Failed { updates, .. } => *updates,
            Outcome::Cancelled => Some(0),
        }
    }
}

/// The job keys of one backend.
#[derive(Clone)]
pub(crate) struct JobStore {
    backend: Arc<dyn CacheBackend>,
}

fn record_key(id: &JobId) -> String {
    format!("dash/job/{id}")
}
fn end_key(id: &JobId) -> String {
    format!("dash/job/{id}/end")
}
fn alive_key(id: &JobId) -> String {
    format!("dash/job/{id}/alive")
}
fn update_key(id: &JobId, seq: u64) -> String {
    format!("dash/job/{id}/u/{seq:012}")
}
fn cache_key(slot: &str) -> String {
    format!("dash/job-cache/{slot}")
}

impl JobStore {
    pub(crate) fn new(backend: Arc<dyn CacheBackend>) -> Self {
        JobStore { backend }
    }

    pub(crate) fn backend(&self) -> &Arc<dyn CacheBackend> {
        &self.backend
    }

    fn read<T: serde::de::DeserializeOwned + 'static>(
        &self,
        key: &str,
    ) -> Result<Option<T>, CacheError> {
        match self.backend.get(key)? {
            None => Ok(None),
            // A damaged entry reads as missing, as everywhere in the cache.
            Some(bytes) => Ok(codec::decode(&bytes).ok()),
        }
    }

    fn write<T: Serialize + ?Sized>(
        &self,
        key: &str,
        value: &T,
        ttl: Option<Duration>,
    ) -> Result<(), CacheError> {
        self.backend.set(key, &codec::encode(value)?, ttl)
    }

    /// Writes a new job's record and its first lease.
    pub(crate) fn create(
        &self,
        id: &JobId,
        record: &JobRecord,
        holder: &str,
        lease: Duration,
    ) -> Result<(), CacheError> {
        self.write(&alive_key(id), holder, Some(lease))?;
        self.write(&record_key(id), record, Some(KEEP))
    }

    pub(crate) fn record(&self, id: &JobId) -> Result<Option<JobRecord>, CacheError> {
        self.read(&record_key(id))
    }

    pub(crate) fn save_record(&self, id: &JobId, record: &JobRecord) -> Result<(), CacheError> {
        self.write(&record_key(id), record, Some(KEEP))
    }

    /// Renews the job's lease and keeps its record.
    pub(crate) fn renew(
        &self,
        id: &JobId,
        holder: &str,
        lease: Duration,
    ) -> Result<(), CacheError> {
        self.write(&alive_key(id), holder, Some(lease))?;
        self.backend.touch(&record_key(id), KEEP).map(|_| ())
    }

    /// Whether the job's process renewed its lease lately.
    pub(crate) fn alive(&self, id: &JobId) -> Result<bool, CacheError> {
        Ok(self.backend.get(&alive_key(id))?.is_some())
    }

    pub(crate) fn end(&self, id: &JobId) -> Result<Option<Outcome>, CacheError> {
        self.read(&end_key(id))
    }

    /// Whether the job has ended, without decoding how.
    pub(crate) fn ended(&self, id: &JobId) -> Result<bool, CacheError> {
        Ok(self.backend.get(&end_key(id))?.is_some())
    }

    /// Ends the job unless it has ended already; true if this call did.
    pub(crate) fn finish(&self, id: &JobId, outcome: &Outcome) -> Result<bool, CacheError> {
        self.backend
            .add(&end_key(id), &codec::encode(outcome)?, Some(KEEP))
    }

    pub(crate) fn push_update(
        &self,
        id: &JobId,
        seq: u64,
        update: &Update,
    ) -> Result<(), CacheError> {
        self.write(&update_key(id, seq), update, Some(KEEP))
    }

    pub(crate) fn update(&self, id: &JobId, seq: u64) -> Result<Option<Update>, CacheError> {
        self.read(&update_key(id, seq))
    }

    pub(crate) fn drop_updates(
        &self,
        id: &JobId,
        seqs: std::ops::Range<u64>,
    ) -> Result<(), CacheError> {
        for seq in seqs {
            self.backend.delete(&update_key(id, seq))?;
        }
        Ok(())
    }

    /// Removes a delivered job. `keep_end`: the end stays until it expires,
    /// so that a job still running (a cancelled one, or one whose lease
    /// lapsed) cannot end it a second time.
    pub(crate) fn remove(&self, id: &JobId, keep_end: bool) -> Result<(), CacheError> {
        self.backend.delete(&record_key(id))?;
        self.backend.delete(&alive_key(id))?;
        if !keep_end {
            self.backend.delete(&end_key(id))?;
        }
        Ok(())
    }

    /// Forgets the lease of a job that ended in this process.
    pub(crate) fn release(&self, id: &JobId) -> Result<(), CacheError> {
        self.backend.delete(&alive_key(id)).map(|_| ())
    }

    pub(crate) fn cached(
        &self,
        slot: &str,
        expire: Option<Duration>,
    ) -> Result<Option<String>, CacheError> {
        let key = cache_key(slot);
        let value = self.read::<String>(&key)?;
        if let (Some(_), Some(ttl)) = (&value, expire) {
            self.backend.touch(&key, ttl)?;
        }
        Ok(value)
    }

    pub(crate) fn store_cached(
        &self,
        slot: &str,
        value: &str,
        expire: Option<Duration>,
    ) -> Result<(), CacheError> {
        self.write(&cache_key(slot), value, expire)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn store() -> JobStore {
        JobStore::new(dash_cache::open_backend("memory://", Default::default()).unwrap())
    }

    #[test]
    fn the_end_is_written_once() {
        let s = store();
        let id = JobId::random();
        assert!(s.finish(&id, &Outcome::Cancelled).unwrap());
        let done = Outcome::Done {
            value: "1".into(),
            updates: 0,
        };
        assert!(!s.finish(&id, &done).unwrap(), "the cancel won");
        assert!(matches!(s.end(&id).unwrap(), Some(Outcome::Cancelled)));
    }

    #[test]
    fn records_leases_and_updates_round_trip() {
        let s = store();
        let id = JobId::random();
        let r = JobRecord {
            callback: "out.children".into(),
            delivered: 0,
            cache_slot: None,
            created_ms: 1,
        };
        s.create(&id, &r, "me", Duration::from_secs(5)).unwrap();
        assert!(s.alive(&id).unwrap());
        assert_eq!(s.record(&id).unwrap().unwrap().callback, "out.children");
        let u = Update::Props {
            id: "status".into(),
            props: vec![("children".into(), "\"step 1\"".into())],
        };
        s.push_update(&id, 0, &u).unwrap();
        assert_eq!(
            s.update(&id, 0).unwrap().unwrap().targets(),
            [("status", "children")]
        );
        assert!(s.update(&id, 1).unwrap().is_none());
        s.drop_updates(&id, 0..1).unwrap();
        assert!(s.update(&id, 0).unwrap().is_none());
        s.remove(&id, false).unwrap();
        assert!(s.record(&id).unwrap().is_none() && !s.alive(&id).unwrap());
    }
}
