//! In-process single flight: threads wanting the same missing key wait for
//! one of them instead of asking the backend.

use std::collections::HashMap;
use std::sync::{Arc, Condvar, Mutex};

/// The outcome shared with waiters: the encoded value, or `None` when the
/// leader gave up (it panicked, or the backend failed) and a waiter must
/// try again.
type Outcome = Option<Option<Arc<Vec<u8>>>>;

#[derive(Default)]
pub(crate) struct Flight {
    outcome: Mutex<Outcome>,
    done: Condvar,
}

impl Flight {
    pub(crate) fn wait(&self) -> Option<Arc<Vec<u8>>> {
        let mut guard = self.outcome.lock().unwrap_or_else(|p| p.into_inner());
        while guard.is_none() {
            guard = self.done.wait(guard).unwrap_or_else(|p| p.into_inner());
        }
        guard.clone().flatten()
    }
}

#[derive(Default)]
pub(crate) struct Flights {
    inflight: Mutex<HashMap<String, Arc<Flight>>>,
}

/// Either this caller leads the computation of a key, or it follows.
pub(crate) enum Role<'a> {
    Leader(LeaderGuard<'a>),
    Follower(Arc<Flight>),
}

impl Flights {
    pub(crate) fn join(&self, key: &str) -> Role<'_> {
        let mut map = self.inflight.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(f) = map.get(key) {
            return Role::Follower(f.clone());
        }
        let flight = Arc::new(Flight::default());
        map.insert(key.to_owned(), flight.clone());
        Role::Leader(LeaderGuard {
            flights: self,
            key: key.to_owned(),
            flight,
            finished: false,
        })
    }
}

/// Held by the leader; publishing or dropping it wakes the followers.
pub(crate) struct LeaderGuard<'a> {
    flights: &'a Flights,
    key: String,
    flight: Arc<Flight>,
    finished: bool,
}

impl LeaderGuard<'_> {
    pub(crate) fn publish(mut self, value: Option<Arc<Vec<u8>>>) {
        self.finish(value);
    }

    fn finish(&mut self, value: Option<Arc<Vec<u8>>>) {
        if self.finished {
            return;
        }
        self.finished = true;
        self.flights
            .inflight
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .remove(&self.key);
        *self
            .flight
            .outcome
            .lock()
            .unwrap_or_else(|p| p.into_inner()) = Some(value);
        self.flight.done.notify_all();
    }
}

impl Drop for LeaderGuard<'_> {
    fn drop(&mut self) {
        self.finish(None);
    }
}
