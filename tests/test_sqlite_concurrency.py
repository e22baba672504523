"""SQLite (the default database): a job worker and the web server share one file. WAL lets readers run beside a
writer; the busy timeout makes a second writer wait instead of failing; IMMEDIATE transactions take the write lock
when they begin, so a transaction that reads and then writes never hits "database is locked" when another
connection wrote meanwhile (SQLite cannot wait on a lock upgrade: it fails at once, whatever the timeout).

Two real connections with the project's settings on a temporary file, in two threads."""

from __future__ import annotations

import threading
import time

import pytest
from django.conf import settings
from django.db.backends.sqlite3.base import DatabaseWrapper


def _connection(path: str, options: dict) -> DatabaseWrapper:
    config = {**settings.DATABASES["default"], "NAME": path, "OPTIONS": dict(options)}
    for key, value in {
        "ATOMIC_REQUESTS": False,
        "AUTOCOMMIT": True,
        "CONN_MAX_AGE": 0,
        "CONN_HEALTH_CHECKS": False,
        "TIME_ZONE": None,
        "TEST": {},
    }.items():
        config.setdefault(key, value)
    return DatabaseWrapper(config, alias=f"t{id(config)}")


def _run(path: str, options: dict) -> list[str]:
    """A holds the write lock for 0.5 s while B runs a read-then-write transaction. Returns B's errors."""
    a, b = _connection(path, options), _connection(path, options)
    a.inc_thread_sharing()
    b.inc_thread_sharing()
    with a.cursor() as c:
        c.execute("CREATE TABLE IF NOT EXISTS jobs (id INTEGER PRIMARY KEY, state TEXT)")
        c.execute("DELETE FROM jobs")
        c.execute("INSERT INTO jobs (state) VALUES ('new')")
    errors: list[str] = []
    a_has_lock = threading.Event()

    def writer() -> None:
        with a.wrap_database_errors:
            # What transaction.atomic() does on SQLite: BEGIN (with the configured transaction mode).
            a.set_autocommit(False, force_begin_transaction_with_broken_autocommit=True)
            with a.cursor() as c:
                c.execute("UPDATE jobs SET state = 'a'")
                a_has_lock.set()
                time.sleep(0.5)
            a.commit()
            a.set_autocommit(True)

    def reader_then_writer() -> None:
        assert a_has_lock.wait(5), "the writer never took the lock"
        try:
            b.set_autocommit(False, force_begin_transaction_with_broken_autocommit=True)
            with b.cursor() as c:
                c.execute("SELECT state FROM jobs")
                c.fetchall()
                c.execute("UPDATE jobs SET state = 'b'")
            b.commit()
        except Exception as exc:  # what a request saw: OperationalError('database is locked')
            errors.append(str(exc))
            b.rollback()
        finally:
            b.set_autocommit(True)

    threads = [threading.Thread(target=writer), threading.Thread(target=reader_then_writer)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(10)
    with a.cursor() as c:
        c.execute("PRAGMA journal_mode")
        mode = c.fetchone()[0]
    with a.cursor() as c:
        c.execute("SELECT state FROM jobs")
        final = c.fetchone()[0]
    a.close()
    b.close()
    if not errors:
        assert final == "b"  # B waited for A, then wrote
    return [*errors, f"journal_mode={mode}"]


@pytest.mark.skipif(settings.IS_POSTGRES, reason="about the SQLite default")
def test_background_work_and_requests_share_the_sqlite_file_without_database_is_locked(tmp_path, django_db_blocker):
    options = settings.DATABASES["default"]["OPTIONS"]
    with django_db_blocker.unblock():
        assert _run(str(tmp_path / "shared.sqlite3"), options) == ["journal_mode=wal"]


@pytest.mark.skipif(settings.IS_POSTGRES, reason="about the SQLite default")
def test_without_immediate_transactions_the_same_work_fails(tmp_path, django_db_blocker):
    # The reproduction: deferred transactions (SQLite's default) fail the lock upgrade at once, timeout or not.
    options = {k: v for k, v in settings.DATABASES["default"]["OPTIONS"].items() if k != "transaction_mode"}
    with django_db_blocker.unblock():
        result = _run(str(tmp_path / "shared.sqlite3"), options)
    assert any("locked" in line for line in result), result
