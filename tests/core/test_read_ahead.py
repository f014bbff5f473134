"""read_ahead: a second connection's batches, made in a thread, errors handed over, the thread stopped."""

import sqlite3
import threading

import pytest

from annotator.store.read_ahead import read_ahead


def _connect():
    return sqlite3.connect(":memory:")


def _threads():
    return [t for t in threading.enumerate() if t.name == "annotator-read-ahead"]


def test_items_come_in_order_from_the_threads_own_connection():
    seen = []

    def read(conn):
        seen.append(threading.current_thread().name)
        for i in range(10):
            yield conn.execute("SELECT ?", (i,)).fetchone()[0]

    assert list(read_ahead(_connect, read)) == list(range(10))
    assert seen == ["annotator-read-ahead"]
    assert _threads() == []


def test_an_error_while_reading_is_raised_to_the_reader():
    def read(conn):
        yield 1
        conn.execute("SELECT * FROM no_such_table")

    items = read_ahead(_connect, read)
    assert next(items) == 1
    with pytest.raises(sqlite3.OperationalError, match="no_such_table"):
        next(items)
    assert _threads() == []


def test_a_connection_that_cannot_open_gives_none():
    def cannot():
        raise sqlite3.OperationalError("unable to open database file")

    assert read_ahead(cannot, lambda conn: iter(())) is None
    assert _threads() == []


def test_closing_early_stops_the_thread():
    def endless(conn):
        while True:
            yield conn.execute("SELECT 1").fetchone()[0]

    items = read_ahead(_connect, endless)
    assert next(items) == 1
    items.close()
    assert _threads() == []


def test_several_reads_take_turns_each_on_its_own_thread_and_connection():
    connections = []

    def read(part):
        def made(conn):
            connections.append((part, id(conn), threading.current_thread().ident))
            for i in range(part, 10, 3):  # read 0 gives 0, 3, 6, 9; read 1 gives 1, 4, 7...
                yield conn.execute("SELECT ?", (i,)).fetchone()[0]
        return made

    assert list(read_ahead(_connect, read(0), read(1), read(2))) == list(range(10))
    assert sorted(part for part, _, _ in connections) == [0, 1, 2]
    assert len({conn for _, conn, _ in connections}) == len({thread for _, _, thread in connections}) == 3
    assert _threads() == []


def test_an_error_in_one_of_several_reads_is_raised_and_stops_them_all():
    def endless(conn):
        while True:
            yield conn.execute("SELECT 1").fetchone()[0]

    def failing(conn):
        yield 2
        conn.execute("SELECT * FROM no_such_table")

    items = read_ahead(_connect, endless, failing)
    assert [next(items), next(items), next(items)] == [1, 2, 1]
    with pytest.raises(sqlite3.OperationalError, match="no_such_table"):
        next(items)
    assert _threads() == []


def test_one_of_several_connections_that_cannot_open_gives_none():
    opened = []

    def sometimes():
        if opened:
            raise sqlite3.OperationalError("unable to open database file")
        opened.append(1)
        return _connect()

    def endless(conn):
        while True:
            yield 1

    assert read_ahead(sometimes, endless, endless) is None
    assert _threads() == []
