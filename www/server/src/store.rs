//! Subscriptions in SQLite, one row per endpoint.

use rusqlite::{params, Connection, OptionalExtension};
use std::path::Path;
use wasm_push::{Subscription, SubscriptionKeys};

pub struct Store {
    db: Connection,
}

impl Store {
    /// Opens (and on first start creates) the database file.
    pub fn open(path: &Path) -> rusqlite::Result<Store> {
        let db = Connection::open(path)?;
        db.execute_batch(
            "PRAGMA journal_mode = WAL;
             CREATE TABLE IF NOT EXISTS subscriptions (
                 endpoint        TEXT PRIMARY KEY,
                 p256dh          TEXT NOT NULL,
                 auth            TEXT NOT NULL,
                 expiration_time REAL,
                 updated_at      INTEGER NOT NULL DEFAULT (unixepoch())
             );",
        )?;
        Ok(Store { db })
    }

    /// Inserts, or updates the keys of the row with the same endpoint: a repeated subscribe
    /// stores one row.
    pub fn upsert(&self, subscription: &Subscription) -> rusqlite::Result<()> {
        self.db.execute(
            "INSERT INTO subscriptions (endpoint, p256dh, auth, expiration_time) VALUES (?1, ?2, ?3, ?4)
             ON CONFLICT(endpoint) DO UPDATE SET p256dh = ?2, auth = ?3, expiration_time = ?4, updated_at = unixepoch()",
            params![subscription.endpoint, subscription.keys.p256dh, subscription.keys.auth, subscription.expiration_time],
        )?;
        Ok(())
    }

    /// Removes the row; true when there was one.
    pub fn delete(&self, endpoint: &str) -> rusqlite::Result<bool> {
        Ok(self.db.execute("DELETE FROM subscriptions WHERE endpoint = ?1", [endpoint])? > 0)
    }

    pub fn get(&self, endpoint: &str) -> rusqlite::Result<Option<Subscription>> {
        self.db
            .query_row(
                "SELECT endpoint, p256dh, auth, expiration_time FROM subscriptions WHERE endpoint = ?1",
                [endpoint],
                row_to_subscription,
            )
            .optional()
    }

    pub fn all(&self) -> rusqlite::Result<Vec<Subscription>> {
        let mut statement = self.db.prepare("SELECT endpoint, p256dh, auth, expiration_time FROM subscriptions")?;
        let rows = statement.query_map([], row_to_subscription)?;
        rows.collect()
    }
}

fn row_to_subscription(row: &rusqlite::Row<'_>) -> rusqlite::Result<Subscription> {
    Ok(Subscription {
        endpoint: row.get(0)?,
        keys: SubscriptionKeys { p256dh: row.get(1)?, auth: row.get(2)? },
        expiration_time: row.get(3)?,
    })
}
