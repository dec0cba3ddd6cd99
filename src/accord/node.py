"""The node: its store opened from settings, and its own organisation."""

from __future__ import annotations

from sqlalchemy.engine import Connection

from accord.config import Settings
from accord.errors import NotFound
from accord.store import Store, open_store
from accord.store.identity import Organisation, get_organisation

HOME_ORG_SETTING = "home_organisation"


def open_node_store(settings: Settings) -> Store:
    """The store these settings name, migrated and seeded."""
    settings.home.mkdir(parents=True, exist_ok=True)
    return open_store(settings.effective_database_url, settings.default_marking)


def home_organisation(store: Store, connection: Connection) -> Organisation:
    """The node's own organisation (set by ``accord init --org`` or ``accord demo``)."""
    home = store.get_setting(connection, HOME_ORG_SETTING)
    if home is None:
        raise NotFound("organisation", "<the node's own: run `accord init --org NAME`>")
    return get_organisation(connection, home)
