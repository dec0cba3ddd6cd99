"""The ``Store``: an engine plus the node-wide facts the access gate needs."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import Engine, select
from sqlalchemy.engine import Connection

from accord.stix.tlp import Tlp
from accord.store.engine import WRITE
from accord.store.schema import node_setting


class Store:
    """A migrated store (see ``open_store``). ``read()`` and ``write()`` hand out transactions."""

    def __init__(self, engine: Engine, default_tlp: Tlp = Tlp.AMBER) -> None:
        self.engine = engine
        self.default_tlp = default_tlp

    @property
    def dialect(self) -> str:
        return self.engine.dialect.name

    @contextmanager
    def read(self) -> Iterator[Connection]:
        """A read transaction (readers never wait for the SQLite writer in WAL mode)."""
        with self.engine.connect() as connection, connection.begin():
            yield connection

    @contextmanager
    def write(self) -> Iterator[Connection]:
        """A write transaction: committed at the end of the block, rolled back on error."""
        with (
            self.engine.connect().execution_options(**WRITE) as connection,
            connection.begin(),
        ):
            yield connection

    def close(self) -> None:
        self.engine.dispose()

    def get_setting(self, connection: Connection, key: str) -> str | None:
        return connection.execute(
            select(node_setting.c.value).where(node_setting.c.key == key)
        ).scalar_one_or_none()

    def set_setting(self, connection: Connection, key: str, value: str) -> None:
        exists = self.get_setting(connection, key) is not None
        statement = (
            node_setting.update().where(node_setting.c.key == key).values(value=value)
            if exists
            else node_setting.insert().values(key=key, value=value)
        )
        connection.execute(statement)
