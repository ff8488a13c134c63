//! `sqlite://PATH`: one file shared by every worker process of a machine.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Mutex;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use rusqlite::{params, Connection, OptionalExtension};

use crate::{CacheBackend, CacheError, Limits};

const KIND: &str = "sqlite";
/// How long a statement waits for another process's lock.
const BUSY_TIMEOUT: Duration = Duration::from_secs(10);
const SCHEMA: &str = "CREATE TABLE IF NOT EXISTS entries (
         key TEXT PRIMARY KEY, value BLOB NOT NULL, expires_at INTEGER,
         accessed_at INTEGER NOT NULL, size INTEGER NOT NULL);
     CREATE INDEX IF NOT EXISTS entries_accessed ON entries(accessed_at);
     CREATE TABLE IF NOT EXISTS leases (
         key TEXT PRIMARY KEY, holder TEXT NOT NULL, expires_at INTEGER NOT NULL);";

fn is_busy(e: &rusqlite::Error) -> bool {
    matches!(
        e.sqlite_error_code(),
        Some(rusqlite::ErrorCode::DatabaseBusy | rusqlite::ErrorCode::DatabaseLocked)
    )
}

fn now_ms() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_millis() as i64)
        .unwrap_or(0)
}

fn err(e: impl std::fmt::Display) -> CacheError {
    CacheError::backend(KIND, e)
}

/// A SQLite file in WAL mode with busy timeouts, safe for several
/// processes; entries carry an expiry and a last-access time for LRU.
pub struct SqliteBackend {
    path: PathBuf,
    connections: Mutex<Vec<Connection>>,
    limits: Limits,
    evictions: AtomicU64,
}

impl SqliteBackend {
    /// Opens (and creates) the file and its tables.
    pub fn open(path: impl AsRef<Path>, limits: Limits) -> Result<Self, CacheError> {
        let path = path.as_ref().to_path_buf();
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir)
                .map_err(|e| err(format!("cannot create {}: {e}", dir.display())))?;
        }
        // SQLite says only "unable to open database file"; the system's
        // own answer names the cause (a read-only file system, a folder in
        // the way, no permission). Appending creates the file and changes
        // nothing in one that exists.
        std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(&path)
            .map_err(|e| err(format!("cannot write {}: {e}", path.display())))?;
        let backend = SqliteBackend {
            path,
            connections: Mutex::new(Vec::new()),
            limits,
            evictions: AtomicU64::new(0),
        };
        let conn = backend.connect()?;
        let deadline = std::time::Instant::now() + BUSY_TIMEOUT;
        loop {
            match conn.execute_batch(SCHEMA) {
                Err(e) if is_busy(&e) && std::time::Instant::now() < deadline => {
                    std::thread::sleep(Duration::from_millis(20));
                }
                r => {
                    r.map_err(|e| err(format!("cannot use {}: {e}", backend.path.display())))?;
                    break;
                }
            }
        }
        backend.give_back(conn);
        Ok(backend)
    }

    /// Opens a connection in WAL mode. Several processes opening a new file
    /// at once can find it locked in ways SQLite's busy handler does not
    /// wait for (the switch to WAL, the first schema): those are retried
    /// for up to the busy timeout.
    fn connect(&self) -> Result<Connection, CacheError> {
        let deadline = std::time::Instant::now() + BUSY_TIMEOUT;
        let mut pause = Duration::from_millis(5);
        loop {
            match self.try_connect() {
                Err(e) if is_busy(&e) && std::time::Instant::now() < deadline => {
                    std::thread::sleep(pause);
                    pause = (pause * 2).min(Duration::from_millis(200));
                }
                r => {
                    return r.map_err(|e| err(format!("cannot open {}: {e}", self.path.display())))
                }
            }
        }
    }

    fn try_connect(&self) -> rusqlite::Result<Connection> {
        let conn = Connection::open(&self.path)?;
        conn.busy_timeout(BUSY_TIMEOUT)?;
        conn.pragma_update(None, "journal_mode", "WAL")?;
        conn.pragma_update(None, "synchronous", "NORMAL")?;
        Ok(conn)
    }

    fn take(&self) -> Result<Connection, CacheError> {
        let pooled = self
            .connections
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .pop();
        match pooled {
            Some(c) => Ok(c),
            None => self.connect(),
        }
    }

    fn give_back(&self, conn: Connection) {
        let mut pool = self.connections.lock().unwrap_or_else(|p| p.into_inner());
        if pool.len() < 16 {
            pool.push(conn);
        }
    }

    fn with<T>(&self, f: impl FnOnce(&Connection) -> rusqlite::Result<T>) -> Result<T, CacheError> {
        let conn = self.take()?;
        let result = f(&conn);
        self.give_back(conn);
        result.map_err(err)
    }

    fn enforce_limits(&self, conn: &Connection) -> rusqlite::Result<u64> {
        let mut evicted = 0u64;
        if let Some(max) = self.limits.max_entries {
            let count: i64 = conn.query_row("SELECT COUNT(*) FROM entries", [], |r| r.get(0))?;
            let excess = count - max as i64;
            if excess > 0 {
                evicted += conn.execute(
                    "DELETE FROM entries WHERE key IN (SELECT key FROM entries ORDER BY accessed_at LIMIT ?1)",
                    params![excess],
                )? as u64;
            }
        }
        if let Some(max) = self.limits.max_bytes {
            loop {
                let total: i64 =
                    conn.query_row("SELECT COALESCE(SUM(size), 0) FROM entries", [], |r| {
                        r.get(0)
                    })?;
                if total <= max as i64 {
                    break;
                }
                let n = conn.execute(
                    "DELETE FROM entries WHERE key = (SELECT key FROM entries ORDER BY accessed_at LIMIT 1)",
                    [],
                )?;
                if n == 0 {
                    break;
                }
                evicted += n as u64;
            }
        }
        Ok(evicted)
    }
}

impl CacheBackend for SqliteBackend {
    fn kind(&self) -> &'static str {
        KIND
    }

    fn get(&self, key: &str) -> Result<Option<Vec<u8>>, CacheError> {
        let now = now_ms();
        self.with(|c| {
            let row: Option<(Vec<u8>, i64)> = c
                .query_row(
                    "SELECT value, accessed_at FROM entries WHERE key = ?1 AND (expires_at IS NULL OR expires_at > ?2)",
                    params![key, now],
                    |r| Ok((r.get(0)?, r.get(1)?)),
                )
                .optional()?;
            if let Some((_, accessed)) = &row {
                if now - accessed > 1000 {
                    // The LRU stamp is a hint: a busy file must not turn a
                    // hit into a failed read.
                    let _ = c.execute(
                        "UPDATE entries SET accessed_at = ?2 WHERE key = ?1",
                        params![key, now],
                    );
                }
            }
            Ok(row.map(|(v, _)| v))
        })
    }

    fn set(&self, key: &str, value: &[u8], ttl: Option<Duration>) -> Result<(), CacheError> {
        let now = now_ms();
        let expires = ttl.map(|t| now + t.as_millis() as i64);
        let evicted = self.with(|c| {
            c.execute(
                "INSERT OR REPLACE INTO entries (key, value, expires_at, accessed_at, size) VALUES (?1, ?2, ?3, ?4, ?5)",
                params![key, value, expires, now, value.len() as i64],
            )?;
            if self.limits.max_entries.is_some() || self.limits.max_bytes.is_some() {
                self.enforce_limits(c)
            } else {
                Ok(0)
            }
        })?;
        self.evictions.fetch_add(evicted, Ordering::Relaxed);
        Ok(())
    }

    fn add(&self, key: &str, value: &[u8], ttl: Option<Duration>) -> Result<bool, CacheError> {
        let now = now_ms();
        let expires = ttl.map(|t| now + t.as_millis() as i64);
        self.with(|c| {
            c.execute(
                "DELETE FROM entries WHERE key = ?1 AND expires_at IS NOT NULL AND expires_at <= ?2",
                params![key, now],
            )?;
            let n = c.execute(
                "INSERT OR IGNORE INTO entries (key, value, expires_at, accessed_at, size) VALUES (?1, ?2, ?3, ?4, ?5)",
                params![key, value, expires, now, value.len() as i64],
            )?;
            Ok(n > 0)
        })
    }

    fn touch(&self, key: &str, ttl: Duration) -> Result<bool, CacheError> {
        let now = now_ms();
        let expires = now + ttl.as_millis() as i64;
        self.with(|c| {
            c.execute(
                "UPDATE entries SET expires_at = ?2, accessed_at = ?3 WHERE key = ?1 AND (expires_at IS NULL OR expires_at > ?3)",
                params![key, expires, now],
            )
        })
        .map(|n| n > 0)
    }

    fn delete(&self, key: &str) -> Result<bool, CacheError> {
        self.with(|c| c.execute("DELETE FROM entries WHERE key = ?1", params![key]))
            .map(|n| n > 0)
    }

    fn clear_prefix(&self, prefix: &str) -> Result<u64, CacheError> {
        self.with(|c| {
            c.execute(
                "DELETE FROM entries WHERE substr(key, 1, length(?1)) = ?1",
                params![prefix],
            )
        })
        .map(|n| n as u64)
    }

    fn try_lease(&self, key: &str, holder: &str, ttl: Duration) -> Result<bool, CacheError> {
        let now = now_ms();
        let until = now + ttl.as_millis() as i64;
        self.with(|c| {
            c.execute("DELETE FROM leases WHERE key = ?1 AND expires_at <= ?2", params![key, now])?;
            let n = c.execute(
                "INSERT INTO leases (key, holder, expires_at) VALUES (?1, ?2, ?3)
                 ON CONFLICT(key) DO UPDATE SET expires_at = excluded.expires_at WHERE holder = excluded.holder",
                params![key, holder, until],
            )?;
            Ok(n > 0)
        })
    }

    fn release_lease(&self, key: &str, holder: &str) -> Result<(), CacheError> {
        self.with(|c| {
            c.execute(
                "DELETE FROM leases WHERE key = ?1 AND holder = ?2",
                params![key, holder],
            )
        })?;
        Ok(())
    }

    fn purge_expired(&self) -> Result<u64, CacheError> {
        let now = now_ms();
        self.with(|c| {
            let n = c.execute(
                "DELETE FROM entries WHERE expires_at IS NOT NULL AND expires_at <= ?1",
                params![now],
            )?;
            c.execute("DELETE FROM leases WHERE expires_at <= ?1", params![now])?;
            Ok(n as u64)
        })
    }

    fn scan_prefix(&self, prefix: &str) -> Result<Vec<(String, Vec<u8>)>, CacheError> {
        let now = now_ms();
        self.with(|c| {
            let mut stmt = c.prepare(
                "SELECT key, value FROM entries WHERE substr(key, 1, length(?1)) = ?1 AND (expires_at IS NULL OR expires_at > ?2)",
            )?;
            let rows = stmt.query_map(params![prefix, now], |r| Ok((r.get(0)?, r.get(1)?)))?;
            rows.collect()
        })
    }

    fn evictions(&self) -> u64 {
        self.evictions.load(Ordering::Relaxed)
    }
}
