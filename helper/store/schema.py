"""Versioned schema. Each migration runs once, in order, inside a transaction; PRAGMA user_version holds
the number applied. Append new migrations at the end; never edit one that has shipped."""

from __future__ import annotations

import sqlite3


def _script(conn: sqlite3.Connection, sql: str) -> None:
    # Not executescript(): that commits first, and a migration must stay in its transaction.
    for statement in sql.split(";"):
        if statement.strip():
            conn.execute(statement)


def _m1_core(conn: sqlite3.Connection) -> None:
    _script(
        conn,
        """
        CREATE TABLE orders (
            id INTEGER PRIMARY KEY,
            shop_host TEXT NOT NULL,
            order_no TEXT NOT NULL,
            url TEXT,
            product TEXT,
            amount TEXT,
            currency TEXT,
            status TEXT,
            status_code TEXT NOT NULL DEFAULT 'unknown',
            ordered_at TEXT,
            paid_at TEXT,
            merchant TEXT,
            delivery_mode TEXT,
            contact TEXT,
            promise_text TEXT,
            promise_seconds INTEGER,
            promise_source TEXT,
            deadline TEXT,
            shop_name TEXT,
            shop_icp TEXT,
            created_at TEXT NOT NULL,
            updated_at TEXT NOT NULL,
            UNIQUE (shop_host, order_no)
        );
        CREATE TABLE captures (
            id INTEGER PRIMARY KEY,
            kind TEXT NOT NULL CHECK (kind IN ('order','chat','rules','payment','desktop','product','other')),
            source TEXT NOT NULL,
            url TEXT,
            title TEXT,
            captured_at TEXT NOT NULL,
            order_id INTEGER REFERENCES orders(id),
            meta TEXT NOT NULL DEFAULT '{}'
        );
        CREATE INDEX captures_order ON captures(order_id);
        CREATE TABLE artifacts (
            id INTEGER PRIMARY KEY,
            capture_id INTEGER NOT NULL REFERENCES captures(id),
            name TEXT NOT NULL,
            sha256 TEXT NOT NULL,
            size INTEGER NOT NULL,
            media_type TEXT NOT NULL,
            UNIQUE (capture_id, name)
        );
        CREATE INDEX artifacts_sha ON artifacts(sha256);
        CREATE TABLE messages (
            id INTEGER PRIMARY KEY,
            capture_id INTEGER NOT NULL REFERENCES captures(id),
            order_id INTEGER REFERENCES orders(id),
            seq INTEGER NOT NULL,
            sender TEXT NOT NULL,
            name TEXT,
            time TEXT,
            text TEXT NOT NULL,
            UNIQUE (capture_id, seq)
        );
        CREATE TABLE events (
            seq INTEGER PRIMARY KEY,
            at TEXT NOT NULL,
            type TEXT NOT NULL,
            order_id INTEGER,
            capture_id INTEGER,
            data TEXT NOT NULL,
            prev_hash TEXT NOT NULL,
            hash TEXT NOT NULL UNIQUE
        );
        CREATE INDEX events_order ON events(order_id);
        CREATE INDEX events_type ON events(type);
        """
    )


def _m2_ocr(conn: sqlite3.Connection) -> None:
    _script(
        conn,
        """
        CREATE TABLE ocr (
            id INTEGER PRIMARY KEY,
            capture_id INTEGER NOT NULL REFERENCES captures(id),
            artifact TEXT NOT NULL,
            status TEXT NOT NULL CHECK (status IN ('done', 'failed')),
            engine TEXT,
            error TEXT,
            text TEXT,
            result TEXT,
            checks TEXT NOT NULL DEFAULT '{}',
            created_at TEXT NOT NULL,
            UNIQUE (capture_id, artifact)
        );
        CREATE VIRTUAL TABLE ocr_fts USING fts5(text, tokenize='trigram')
        """,
    )


def _m3_page_state(conn: sqlite3.Connection) -> None:
    """What a capture shows: ok, or a sign-in page, a loading screen, an error page (stored, not filed)."""
    _script(
        conn,
        """
        ALTER TABLE captures ADD COLUMN page_state TEXT NOT NULL DEFAULT 'ok'
            CHECK (page_state IN ('ok', 'login_required', 'loading', 'error'))
        """,
    )


MIGRATIONS = [
    _m1_core,
    _m2_ocr,
    _m3_page_state,
]


def migrate(conn: sqlite3.Connection) -> int:
    """Apply pending migrations; returns the schema version. `conn` must be in autocommit mode."""
    current = conn.execute("PRAGMA user_version").fetchone()[0]
    if current > len(MIGRATIONS):
        raise RuntimeError(
            f"database schema version {current} is newer than this program ({len(MIGRATIONS)}); upgrade order-witness"
        )
    for version, step in enumerate(MIGRATIONS[current:], start=current + 1):
        conn.execute("BEGIN IMMEDIATE")
        try:
            # Another process may have migrated while we waited for the lock.
            if conn.execute("PRAGMA user_version").fetchone()[0] >= version:
                conn.execute("COMMIT")
                continue
            step(conn)
            conn.execute(f"PRAGMA user_version = {version}")
            conn.execute("COMMIT")
        except BaseException:
            conn.execute("ROLLBACK")
            raise
    return len(MIGRATIONS)
