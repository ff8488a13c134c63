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
/// An entry's metadata and its value live in two tables. SQLite keeps a row
/// as one record: with a large value in the same row, reading or changing
/// any column after it (a `touch` of the expiry, the LRU stamp, `SUM(size)`
/// for the byte bound, the purge's expiry test) walks the value's overflow
/// pages, and an `UPDATE` rewrites the whole record (a 3 MB value: 5.5 ms
/// per `touch`; apart: 0.01 ms). Deleting an entry deletes its value
/// (`ON DELETE CASCADE`, `foreign_keys` on in every connection).
const SCHEMA: &str = "CREATE TABLE IF NOT EXISTS cache_entries (
         key TEXT PRIMARY KEY, expires_at INTEGER,
         accessed_at INTEGER NOT NULL, size INTEGER NOT NULL);
     CREATE INDEX IF NOT EXISTS cache_entries_accessed ON cache_entries(accessed_at);
     CREATE INDEX IF NOT EXISTS cache_entries_expires ON cache_entries(expires_at);
     CREATE TABLE IF NOT EXISTS cache_values (
         key TEXT PRIMARY KEY REFERENCES cache_entries(key) ON DELETE CASCADE,
         value BLOB NOT NULL);
     CREATE TABLE IF NOT EXISTS leases (
         key TEXT PRIMARY KEY, holder TEXT NOT NULL, expires_at INTEGER NOT NULL);";

/// Files written before the split kept values in `entries`: their entries
/// are moved into the two tables once, in one transaction, by whichever
/// process opens the file first.
const MIGRATE_ONE_TABLE: &str =
    "INSERT OR IGNORE INTO cache_entries (key, expires_at, accessed_at, size)
         SELECT key, expires_at, accessed_at, size FROM entries;
     INSERT OR IGNORE INTO cache_values (key, value) SELECT key, value FROM entries;
     DROP TABLE entries;";

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
            match conn
                .execute_batch(SCHEMA)
                .and_then(|()| migrate_one_table(&conn))
            {
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
        conn.pragma_update(None, "foreign_keys", "ON")?;
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
            let count: i64 =
                conn.query_row("SELECT COUNT(*) FROM cache_entries", [], |r| r.get(0))?;
            let excess = count - max as i64;
            if excess > 0 {
                evicted += conn.execute(
                    "DELETE FROM cache_entries WHERE key IN (SELECT key FROM cache_entries ORDER BY accessed_at LIMIT ?1)",
                    params![excess],
                )? as u64;
            }
        }
        if let Some(max) = self.limits.max_bytes {
            loop {
                let total: i64 = conn.query_row(
                    "SELECT COALESCE(SUM(size), 0) FROM cache_entries",
                    [],
                    |r| r.get(0),
                )?;
                if total <= max as i64 {
                    break;
                }
                let n = conn.execute(
                    "DELETE FROM cache_entries WHERE key = (SELECT key FROM cache_entries ORDER BY accessed_at LIMIT 1)",
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

/// Moves the entries of a file written before the metadata/value split
/// (see [`SCHEMA`]); a no-op for a file without the old table.
fn migrate_one_table(conn: &Connection) -> rusqlite::Result<()> {
    let old_table = |c: &Connection| -> rusqlite::Result<bool> {
        c.query_row(
            "SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name = 'entries'",
            [],
            |r| r.get::<_, i64>(0),
        )
        .map(|n| n > 0)
    };
    if !old_table(conn)? {
        return Ok(());
    }
    conn.execute_batch("BEGIN IMMEDIATE")?;
    // Another process may have moved them while this one waited.
    let result = match old_table(conn) {
        Ok(true) => conn.execute_batch(MIGRATE_ONE_TABLE),
        other => other.map(|_| ()),
    };
    match result {
        Ok(()) => conn.execute_batch("COMMIT"),
        Err(e) => {
            let _ = conn.execute_batch("ROLLBACK");
            Err(e)
        }
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
                    "SELECT v.value, e.accessed_at FROM cache_entries e JOIN cache_values v ON v.key = e.key
                     WHERE e.key = ?1 AND (e.expires_at IS NULL OR e.expires_at > ?2)",
                    params![key, now],
                    |r| Ok((r.get(0)?, r.get(1)?)),
                )
                .optional()?;
            if let Some((_, accessed)) = &row {
                if now - accessed > 1000 {
                    // The LRU stamp is a hint: a busy file must not turn a
                    // hit into a failed read.
                    let _ = c.execute(
                        "UPDATE cache_entries SET accessed_at = ?2 WHERE key = ?1",
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
            let tx = c.unchecked_transaction()?;
            tx.execute(
                "INSERT INTO cache_entries (key, expires_at, accessed_at, size) VALUES (?1, ?2, ?3, ?4)
                 ON CONFLICT(key) DO UPDATE SET expires_at = excluded.expires_at,
                     accessed_at = excluded.accessed_at, size = excluded.size",
                params![key, expires, now, value.len() as i64],
            )?;
            tx.execute(
                "INSERT INTO cache_values (key, value) VALUES (?1, ?2)
                 ON CONFLICT(key) DO UPDATE SET value = excluded.value",
                params![key, value],
            )?;
            let evicted =
                if self.limits.max_entries.is_some() || self.limits.max_bytes.is_some() {
                    self.enforce_limits(&tx)?
                } else {
                    0
                };
            tx.commit()?;
            Ok(evicted)
        })?;
        self.evictions.fetch_add(evicted, Ordering::Relaxed);
        Ok(())
    }

    fn add(&self, key: &str, value: &[u8], ttl: Option<Duration>) -> Result<bool, CacheError> {
        let now = now_ms();
        let expires = ttl.map(|t| now + t.as_millis() as i64);
        self.with(|c| {
            let tx = c.unchecked_transaction()?;
            tx.execute(
                "DELETE FROM cache_entries WHERE key = ?1 AND expires_at IS NOT NULL AND expires_at <= ?2",
                params![key, now],
            )?;
            let n = tx.execute(
                "INSERT OR IGNORE INTO cache_entries (key, expires_at, accessed_at, size) VALUES (?1, ?2, ?3, ?4)",
                params![key, expires, now, value.len() as i64],
            )?;
            if n > 0 {
                tx.execute(
                    "INSERT INTO cache_values (key, value) VALUES (?1, ?2)",
                    params![key, value],
                )?;
            }
            tx.commit()?;
            Ok(n > 0)
        })
    }

    fn touch(&self, key: &str, ttl: Duration) -> Result<bool, CacheError> {
        let now = now_ms();
        let expires = now + ttl.as_millis() as i64;
        self.with(|c| {
            c.execute(
                "UPDATE cache_entries SET expires_at = ?2, accessed_at = ?3 WHERE key = ?1 AND (expires_at IS NULL OR expires_at > ?3)",
                params![key, expires, now],
            )
        })
        .map(|n| n > 0)
    }

    fn delete(&self, key: &str) -> Result<bool, CacheError> {
        self.with(|c| c.execute("DELETE FROM cache_entries WHERE key = ?1", params![key]))
            .map(|n| n > 0)
    }

    fn clear_prefix(&self, prefix: &str) -> Result<u64, CacheError> {
        self.with(|c| {
            c.execute(
                "DELETE FROM cache_entries WHERE substr(key, 1, length(?1)) = ?1",
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
                "DELETE FROM cache_entries WHERE expires_at IS NOT NULL AND expires_at <= ?1",
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
                "SELECT e.key, v.value FROM cache_entries e JOIN cache_values v ON v.key = e.key
                 WHERE substr(e.key, 1, length(?1)) = ?1 AND (e.expires_at IS NULL OR e.expires_at > ?2)",
            )?;
            let rows = stmt.query_map(params![prefix, now], |r| Ok((r.get(0)?, r.get(1)?)))?;
            rows.collect()
        })
    }

    fn evictions(&self) -> u64 {
        self.evictions.load(Ordering::Relaxed)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn temp_file(name: &str) -> PathBuf {
        let dir = std::env::temp_dir().join(format!(
            "dash-sqlite-{name}-{}-{}",
            std::process::id(),
            now_ms()
        ));
        std::fs::create_dir_all(&dir).unwrap();
        dir.join("cache.sqlite")
    }

    fn count(path: &Path, sql: &str) -> i64 {
        Connection::open(path)
            .unwrap()
            .query_row(sql, [], |r| r.get(0))
            .unwrap()
    }

    #[test]
    fn a_file_of_the_one_table_schema_keeps_its_entries() {
        let path = temp_file("migrate");
        {
            let old = Connection::open(&path).unwrap();
            old.execute_batch(
                "CREATE TABLE entries (key TEXT PRIMARY KEY, value BLOB NOT NULL, expires_at INTEGER,
                     accessed_at INTEGER NOT NULL, size INTEGER NOT NULL);
                 CREATE INDEX entries_accessed ON entries(accessed_at);",
            )
            .unwrap();
            old.execute(
                "INSERT INTO entries VALUES ('kept', x'0102', NULL, 1, 2), ('gone', x'03', 1, 1, 1)",
                [],
            )
            .unwrap();
        }
        let backend = SqliteBackend::open(&path, Limits::default()).unwrap();
        assert_eq!(backend.get("kept").unwrap(), Some(vec![1, 2]));
        // Its expiry came along: long past.
        assert_eq!(backend.get("gone").unwrap(), None);
        assert_eq!(
            count(
                &path,
                "SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name = 'entries'"
            ),
            0
        );
        // Opening again (another worker) finds nothing left to move.
        drop(backend);
        let again = SqliteBackend::open(&path, Limits::default()).unwrap();
        assert_eq!(again.get("kept").unwrap(), Some(vec![1, 2]));
    }

    #[test]
    fn every_way_an_entry_leaves_removes_its_value() {
        let path = temp_file("cascade");
        let limits = Limits {
            max_entries: Some(3),
            max_bytes: None,
        };
        let backend = SqliteBackend::open(&path, limits).unwrap();
        for key in ["a", "b", "p/1", "p/2"] {
            backend.set(key, &[7; 100], None).unwrap();
        }
        // One evicted by the entry bound.
        assert_eq!(backend.evictions(), 1);
        backend.set("b", &[8; 10], None).unwrap();
        assert_eq!(backend.get("b").unwrap(), Some(vec![8; 10]));
        assert!(backend.delete("b").unwrap());
        backend.clear_prefix("p/").unwrap();
        backend
            .set("short", &[1], Some(Duration::from_millis(1)))
            .unwrap();
        std::thread::sleep(Duration::from_millis(5));
        backend.purge_expired().unwrap();
        let entries = count(&path, "SELECT COUNT(*) FROM cache_entries");
        let values = count(&path, "SELECT COUNT(*) FROM cache_values");
        assert_eq!(entries, values, "a value outlived its entry");
        let orphans = count(
            &path,
            "SELECT COUNT(*) FROM cache_values v WHERE NOT EXISTS (SELECT 1 FROM cache_entries e WHERE e.key = v.key)",
        );
        assert_eq!(orphans, 0);
    }
}
