//! How many jobs a worker runs at once, and how long a job's lease lasts:
//! the `Dash` builder methods and their environment variables.

use std::time::Duration;

use crate::{Dash, Error};

/// Jobs a worker process runs at once when nothing else is set.
pub(crate) const DEFAULT_POOL: usize = 8;
/// The shortest lease accepted.
const MIN_LEASE: Duration = Duration::from_millis(300);

/// What the app set; `None` falls back to the environment, then defaults.
#[derive(Debug, Clone, Default)]
pub(crate) struct BackgroundSettings {
    pub(crate) pool: Option<usize>,
    pub(crate) lease: Option<Duration>,
}

/// The settings in force.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Resolved {
    /// Jobs run at once per process; more wait in a queue.
    pub(crate) pool: usize,
    /// A job whose process stops renewing its lease for this long is
    /// marked failed.
    pub(crate) lease: Duration,
}

impl BackgroundSettings {
    /// The app's values, else `DASH_JOB_POOL` / `DASH_JOB_LEASE_MS`, else
    /// 8 jobs and the cache's single-flight lease (10 s by default,
    /// `DASH_CACHE_LEASE_MS`).
    pub(crate) fn resolve(&self, flight_lease: Duration) -> Result<Resolved, Error> {
        let pool = match self.pool {
            Some(n) => n,
            None => match env_number("DASH_JOB_POOL")? {
                Some(n) => usize::try_from(n).unwrap_or(usize::MAX),
                None => DEFAULT_POOL,
            },
        };
        if pool == 0 {
            return Err(Error::InvalidSetting {
                name: "job_pool (DASH_JOB_POOL)".into(),
                reason: "a worker must be able to run at least one job".into(),
            });
        }
        let lease = match self.lease {
            Some(d) => d,
            None => match env_number("DASH_JOB_LEASE_MS")? {
                Some(ms) => Duration::from_millis(ms),
                None => flight_lease,
            },
        };
        if lease < MIN_LEASE {
            return Err(Error::InvalidSetting {
                name: "job_lease (DASH_JOB_LEASE_MS)".into(),
                reason: format!("the lease must be at least {} ms", MIN_LEASE.as_millis()),
            });
        }
        Ok(Resolved { pool, lease })
    }
}

fn env_number(name: &str) -> Result<Option<u64>, Error> {
    let Ok(text) = std::env::var(name) else {
        return Ok(None);
    };
    if text.trim().is_empty() {
        return Ok(None);
    }
    text.trim()
        .parse()
        .map(Some)
        .map_err(|_| Error::InvalidSetting {
            name: name.into(),
            reason: format!("{text:?} is not a whole number"),
        })
}

impl Dash {
    /// How many background jobs each worker process runs at once (default
    /// 8; unset, `DASH_JOB_POOL`). Jobs beyond it wait in the worker's
    /// queue, none is refused.
    pub fn job_pool(mut self, jobs: usize) -> Self {
        self.services.background.pool = Some(jobs);
        self
    }

    /// A background job's lease: the process running it renews it every
    /// third of this; a job whose process stopped (killed, crashed, cut off
    /// from the backend) for this long is marked failed and the page shows
    /// the error. Default: the cache's single-flight lease (10 s); unset,
    /// `DASH_JOB_LEASE_MS`.
    pub fn job_lease(mut self, lease: Duration) -> Self {
        self.services.background.lease = Some(lease);
        self
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn app_values_win_and_bad_values_are_refused() {
        let s = BackgroundSettings {
            pool: Some(3),
            lease: Some(Duration::from_secs(2)),
        };
        let r = s.resolve(Duration::from_secs(10)).unwrap();
        assert_eq!((r.pool, r.lease), (3, Duration::from_secs(2)));
        let zero = BackgroundSettings {
            pool: Some(0),
            lease: None,
        };
        assert!(zero.resolve(Duration::from_secs(10)).is_err());
        let short = BackgroundSettings {
            pool: Some(1),
            lease: Some(Duration::from_millis(10)),
        };
        assert!(short.resolve(Duration::from_secs(10)).is_err());
    }
}
