//! The values that travel through the browser, signed with the app secret.
//!
//! - `end_id` (in the page's `_dash-config`, echoed by the renderer as
//!   `?endId=` on every callback request): `<24 random characters>.<tag>`,
//!   the tag over the random part and the session id. One per page load.
//! - `job` and `cacheKey` (the first answer of a background callback; the
//!   renderer sends them back as `?job=`, `?cacheKey=`, `?oldJob=` and
//!   `?cancelJob=`): `<job id>.<tag>`, the tag over the job id, the session
//!   id and the page load's `end_id`, under a purpose of their own.
//!
//! A handle minted for another session or another page load, or altered in
//! any way, does not verify; the server answers 403 before it reads or
//! changes anything. All of them are URL-safe (the renderer appends query
//! values without encoding them).

use crate::session::AppSecret;

const END_PURPOSE: &str = "dash-rs/background/end-id";
const JOB_PURPOSE: &str = "dash-rs/background/job";
const CACHE_KEY_PURPOSE: &str = "dash-rs/background/cache-key";
/// Length of the random part of an `end_id`.
const END_ID_CHARS: usize = 24;
/// Most handles of one kind a request may carry.
const MAX_HANDLES: usize = 16;

/// A job's id: 32 lowercase hex digits (128 random bits).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub(crate) struct JobId(String);

impl JobId {
    pub(crate) fn random() -> Self {
        JobId(format!("{:032x}", rand::random::<u128>()))
    }

    fn parse(s: &str) -> Option<Self> {
        (s.len() == 32 && s.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f')))
            .then(|| JobId(s.to_owned()))
    }

    pub(crate) fn as_str(&self) -> &str {
        &self.0
    }

    /// The first 8 digits, for logs.
    pub(crate) fn short(&self) -> &str {
        &self.0[..8]
    }
}

impl std::fmt::Display for JobId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// Who a handle belongs to: a session and one of its page loads.
#[derive(Debug, Clone)]
pub(crate) struct Binding {
    session: String,
    end: String,
}

impl Binding {
    fn message(&self, job: &JobId) -> String {
        format!("{}\n{}\n{}", job.as_str(), self.session, self.end)
    }
}

/// A fresh `end_id` for a page load of `session`.
pub(crate) fn new_end_id(secret: &AppSecret, session: &str) -> String {
    use rand::distributions::{Alphanumeric, DistString};
    let raw = Alphanumeric.sample_string(&mut rand::thread_rng(), END_ID_CHARS);
    let tag = secret.sign(END_PURPOSE, format!("{raw}\n{session}").as_bytes());
    format!("{raw}.{tag}")
}

/// The binding of a request: its session and its verified `endId` (none:
/// the empty page load, as Python treats a missing one). `None` if the
/// `endId` was not issued to this session by this app.
pub(crate) fn binding(secret: &AppSecret, session: &str, end_id: Option<&str>) -> Option<Binding> {
    let end = match end_id {
        None => String::new(),
        Some(token) => {
            let (raw, tag) = token.rsplit_once('.')?;
            if raw.len() != END_ID_CHARS || !raw.bytes().all(|b| b.is_ascii_alphanumeric()) {
                return None;
            }
            secret.verify(END_PURPOSE, format!("{raw}\n{session}").as_bytes(), tag)?;
            raw.to_owned()
        }
    };
    Some(Binding {
        session: session.to_owned(),
        end,
    })
}

/// The two handles of a new job.
pub(crate) fn sign_job(secret: &AppSecret, binding: &Binding, job: &JobId) -> (String, String) {
    let message = binding.message(job);
    let handle = |purpose| format!("{job}.{}", secret.sign(purpose, message.as_bytes()));
    (handle(CACHE_KEY_PURPOSE), handle(JOB_PURPOSE))
}

/// Which handle a query value is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    /// `job`, `oldJob`, `cancelJob`.
    Job,
    /// `cacheKey`.
    CacheKey,
}

/// The job a handle names, if it was signed for this binding.
pub(crate) fn verify(
    secret: &AppSecret,
    binding: &Binding,
    kind: Kind,
    handle: &str,
) -> Option<JobId> {
    let (id, tag) = handle.rsplit_once('.')?;
    let job = JobId::parse(id)?;
    let purpose = match kind {
        Kind::Job => JOB_PURPOSE,
        Kind::CacheKey => CACHE_KEY_PURPOSE,
    };
    secret.verify(purpose, binding.message(&job).as_bytes(), tag)?;
    Some(job)
}

/// The background part of a callback request's query string.
#[derive(Debug, Default, Clone)]
pub(crate) struct JobQuery {
    pub(crate) end_id: Option<String>,
    pub(crate) cache_key: Option<String>,
    pub(crate) job: Option<String>,
    pub(crate) old_jobs: Vec<String>,
    pub(crate) cancel_jobs: Vec<String>,
}

impl JobQuery {
    /// Reads the query; repeated `oldJob`/`cancelJob` are all kept (at most
    /// 16 each), a repeated `endId`, `cacheKey` or `job` is an error.
    pub(crate) fn parse(query: Option<&str>) -> Result<Self, String> {
        let mut q = JobQuery::default();
        let Some(query) = query else {
            return Ok(q);
        };
        for (name, value) in url::form_urlencoded::parse(query.as_bytes()) {
            let value = value.into_owned();
            let once = |slot: &mut Option<String>, name: &str| {
                if slot.replace(value.clone()).is_some() {
                    Err(format!("the query names {name} more than once"))
                } else {
                    Ok(())
                }
            };
            match &*name {
                "endId" => once(&mut q.end_id, "endId")?,
                "cacheKey" => once(&mut q.cache_key, "cacheKey")?,
                "job" => once(&mut q.job, "job")?,
                "oldJob" => q.old_jobs.push(value),
                "cancelJob" => q.cancel_jobs.push(value),
                _ => {}
            }
        }
        if q.old_jobs.len() > MAX_HANDLES || q.cancel_jobs.len() > MAX_HANDLES {
            return Err(format!(
                "the query names more than {MAX_HANDLES} oldJob or cancelJob handles"
            ));
        }
        Ok(q)
    }

    /// Whether any job handle is present (the `endId` alone is not one).
    pub(crate) fn names_jobs(&self) -> bool {
        self.cache_key.is_some()
            || self.job.is_some()
            || !self.old_jobs.is_empty()
            || !self.cancel_jobs.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn secret() -> AppSecret {
        AppSecret::new("0123456789abcdef0123456789abcdef").unwrap()
    }

    #[test]
    fn handles_verify_only_for_their_session_page_load_and_kind() {
        let s = secret();
        let end = new_end_id(&s, "sess-a");
        assert!(end
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"-_.".contains(&b)));
        let a = binding(&s, "sess-a", Some(&end)).unwrap();
        assert!(
            binding(&s, "sess-b", Some(&end)).is_none(),
            "another session's end_id"
        );
        let job = JobId::random();
        let (cache_key, handle) = sign_job(&s, &a, &job);
        assert_eq!(verify(&s, &a, Kind::Job, &handle), Some(job.clone()));
        assert_eq!(
            verify(&s, &a, Kind::CacheKey, &cache_key),
            Some(job.clone())
        );
        assert_eq!(
            verify(&s, &a, Kind::CacheKey, &handle),
            None,
            "kinds differ"
        );
        let other_load = binding(&s, "sess-a", Some(&new_end_id(&s, "sess-a"))).unwrap();
        assert_eq!(verify(&s, &other_load, Kind::Job, &handle), None);
        let no_load = binding(&s, "sess-a", None).unwrap();
        assert_eq!(verify(&s, &no_load, Kind::Job, &handle), None);
        let other_id = format!("{}{}", JobId::random(), &handle[32..]);
        assert_eq!(verify(&s, &a, Kind::Job, &other_id), None, "another job id");
        assert_eq!(verify(&s, &a, Kind::Job, "12345"), None);
        assert_eq!(verify(&s, &a, Kind::Job, &format!("{handle}x")), None);
    }

    #[test]
    fn the_query_is_read_as_the_renderer_writes_it() {
        let q = JobQuery::parse(Some(
            "endId=abc.def&cacheKey=k&job=j&oldJob=o1&cancelJob=c1&cancelJob=c2",
        ))
        .unwrap();
        assert_eq!(q.end_id.as_deref(), Some("abc.def"));
        assert_eq!(
            (q.cache_key.as_deref(), q.job.as_deref()),
            (Some("k"), Some("j"))
        );
        assert_eq!(q.old_jobs, ["o1"]);
        assert_eq!(q.cancel_jobs, ["c1", "c2"]);
        assert!(q.names_jobs());
        assert!(!JobQuery::parse(Some("endId=x")).unwrap().names_jobs());
        assert!(JobQuery::parse(Some("job=a&job=b")).is_err());
        let many = (0..17)
            .map(|i| format!("cancelJob={i}"))
            .collect::<Vec<_>>()
            .join("&");
        assert!(JobQuery::parse(Some(&many)).is_err());
    }
}
