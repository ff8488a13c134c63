//! `redis://HOST:PORT/DB`: one store for several hosts.

use std::sync::Mutex;
use std::time::Duration;

use redis::{Client, Connection};

use crate::{CacheBackend, CacheError};

const KIND: &str = "redis";
const PREFIX: &str = "dash:";
/// A host that does not answer a connection within this is unreachable.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(1);
/// A command (a 10 MB value included) that takes longer has failed.
const IO_TIMEOUT: Duration = Duration::from_secs(5);

fn err(e: impl std::fmt::Display) -> CacheError {
    CacheError::backend(KIND, e)
}

/// A Redis server; expiry is Redis's own, the size bound is the server's
/// `maxmemory` with an LRU policy.
pub struct RedisBackend {
    client: Client,
    pool: Mutex<Vec<Connection>>,
}

impl RedisBackend {
    /// Connects lazily to `url`; a bad URL is an error now, an unreachable
    /// server only when used.
    pub fn open(url: &str) -> Result<Self, CacheError> {
        let client = Client::open(url).map_err(err)?;
        Ok(RedisBackend {
            client,
            pool: Mutex::new(Vec::new()),
        })
    }

    fn connect(&self) -> Result<Connection, CacheError> {
        let c = self
            .client
            .get_connection_with_timeout(CONNECT_TIMEOUT)
            .map_err(err)?;
        c.set_read_timeout(Some(IO_TIMEOUT)).map_err(err)?;
        c.set_write_timeout(Some(IO_TIMEOUT)).map_err(err)?;
        Ok(c)
    }

    /// Runs `f` on a pooled connection. A pooled connection whose server
    /// went away (a restart, `CLIENT KILL`, an idle timeout) fails at once:
    /// then every pooled connection is dropped, since they share that fate,
    /// and `f` runs once more on a new one.
    fn with<T>(
        &self,
        mut f: impl FnMut(&mut Connection) -> redis::RedisResult<T>,
    ) -> Result<T, CacheError> {
        let pooled = self.pool.lock().unwrap_or_else(|p| p.into_inner()).pop();
        let (conn, result) = match pooled {
            Some(mut c) => match f(&mut c) {
                Err(e)
                    if e.is_io_error()
                        || e.is_connection_dropped()
                        || e.is_connection_refusal() =>
                {
                    self.pool.lock().unwrap_or_else(|p| p.into_inner()).clear();
                    let mut fresh = self.connect()?;
                    let r = f(&mut fresh);
                    (fresh, r)
                }
                r => (c, r),
            },
            None => {
                let mut fresh = self.connect()?;
                let r = f(&mut fresh);
                (fresh, r)
            }
        };
        match result {
            Ok(v) => {
                let mut pool = self.pool.lock().unwrap_or_else(|p| p.into_inner());
                if pool.len() < 16 {
                    pool.push(conn);
                }
                Ok(v)
            }
            // The connection is dropped: it may be in any state.
            Err(e) => Err(err(e)),
        }
    }
}

fn k(key: &str) -> String {
    format!("{PREFIX}{key}")
}

fn lease_key(key: &str) -> String {
    format!("{PREFIX}lease:{key}")
}

/// Every key matching a glob pattern, by SCAN (never KEYS, which blocks).
fn scan_keys(c: &mut Connection, pattern: &str) -> redis::RedisResult<Vec<String>> {
    let mut cursor: u64 = 0;
    let mut out = Vec::new();
    loop {
        let (next, keys): (u64, Vec<String>) = redis::cmd("SCAN")
            .arg(cursor)
            .arg("MATCH")
            .arg(pattern)
            .arg("COUNT")
            .arg(500)
            .query(c)?;
        out.extend(keys);
        if next == 0 {
            return Ok(out);
        }
        cursor = next;
    }
}

fn glob_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        if matches!(c, '*' | '?' | '[' | ']' | '\\') {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

impl CacheBackend for RedisBackend {
    fn kind(&self) -> &'static str {
        KIND
    }

    fn get(&self, key: &str) -> Result<Option<Vec<u8>>, CacheError> {
        self.with(|c| redis::cmd("GET").arg(k(key)).query(c))
    }

    fn set(&self, key: &str, value: &[u8], ttl: Option<Duration>) -> Result<(), CacheError> {
        self.with(|c| {
            let mut cmd = redis::cmd("SET");
            cmd.arg(k(key)).arg(value);
            if let Some(t) = ttl {
                cmd.arg("PX").arg(t.as_millis().max(1) as u64);
            }
            cmd.query::<()>(c)
        })
    }

    fn add(&self, key: &str, value: &[u8], ttl: Option<Duration>) -> Result<bool, CacheError> {
        self.with(|c| {
            let mut cmd = redis::cmd("SET");
            cmd.arg(k(key)).arg(value).arg("NX");
            if let Some(t) = ttl {
                cmd.arg("PX").arg(t.as_millis().max(1) as u64);
            }
            cmd.query::<Option<String>>(c)
        })
        .map(|reply| reply.is_some())
    }

    fn touch(&self, key: &str, ttl: Duration) -> Result<bool, CacheError> {
        self.with(|c| {
            redis::cmd("PEXPIRE")
                .arg(k(key))
                .arg(ttl.as_millis().max(1) as u64)
                .query::<i64>(c)
        })
        .map(|n| n == 1)
    }

    fn delete(&self, key: &str) -> Result<bool, CacheError> {
        self.with(|c| redis::cmd("DEL").arg(k(key)).query::<i64>(c))
            .map(|n| n > 0)
    }

    fn clear_prefix(&self, prefix: &str) -> Result<u64, CacheError> {
        let pattern = format!("{}*", glob_escape(&k(prefix)));
        self.with(|c| {
            let mut removed = 0u64;
            for keys in scan_keys(c, &pattern)?.chunks(500) {
                removed += redis::cmd("DEL").arg(keys).query::<u64>(c)?;
            }
            Ok(removed)
        })
    }

    fn try_lease(&self, key: &str, holder: &str, ttl: Duration) -> Result<bool, CacheError> {
        let script = redis::Script::new(
            r"local cur = redis.call('GET', KEYS[1])
              if cur == false then redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2]) return 1 end
              if cur == ARGV[1] then redis.call('PEXPIRE', KEYS[1], ARGV[2]) return 1 end
              return 0",
        );
        self.with(|c| {
            script
                .key(lease_key(key))
                .arg(holder)
                .arg(ttl.as_millis().max(1) as u64)
                .invoke::<i64>(c)
        })
        .map(|n| n == 1)
    }

    fn release_lease(&self, key: &str, holder: &str) -> Result<(), CacheError> {
        let script = redis::Script::new(
            r"if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end return 0",
        );
        self.with(|c| script.key(lease_key(key)).arg(holder).invoke::<i64>(c))?;
        Ok(())
    }

    fn purge_expired(&self) -> Result<u64, CacheError> {
        Ok(0)
    }

    fn scan_prefix(&self, prefix: &str) -> Result<Vec<(String, Vec<u8>)>, CacheError> {
        let pattern = format!("{}*", glob_escape(&k(prefix)));
        self.with(|c| {
            let mut out = Vec::new();
            for keys in scan_keys(c, &pattern)?.chunks(500) {
                let values: Vec<Option<Vec<u8>>> = redis::cmd("MGET").arg(keys).query(c)?;
                for (key, value) in keys.iter().zip(values) {
                    if let Some(v) = value {
                        out.push((key[PREFIX.len()..].to_owned(), v));
                    }
                }
            }
            Ok(out)
        })
    }

    fn evictions(&self) -> u64 {
        0
    }
}
