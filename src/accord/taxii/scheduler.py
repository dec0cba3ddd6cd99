"""The federation scheduler that `accord serve` runs: sync with every peer, periodically."""

from __future__ import annotations

import logging
import threading

from accord.config import Settings
from accord.correlate.run import catch_up
from accord.errors import AccordError
from accord.hotline.messages import escalate, send_receipts
from accord.node import home_organisation
from accord.store import Store
from accord.taxii.federation import sync_all

log = logging.getLogger(__name__)


class SyncScheduler(threading.Thread):
    """Syncs at start and then every ``settings.sync_interval`` seconds until stopped."""

    def __init__(self, settings: Settings, store: Store) -> None:
        super().__init__(name="accord-federation", daemon=True)
        self._settings = settings
        self._store = store
        self._stopped = threading.Event()

    def run(self) -> None:
        store = self._store
        while not self._stopped.is_set():
            try:
                with store.read() as connection:
                    home = home_organisation(store, connection)
                reports = sync_all(store, home)
                for report in reports:
                    log.info(
                        "peer %s: pulled %d (new %d), pushed %d (held back %d)%s",
                        report.peer,
                        report.pulled,
                        report.new,
                        report.pushed,
                        report.held_back,
                        f"; errors: {report.errors}" if report.errors else "",
                    )
                # Indicators that arrived since (pulled, pushed to us, imported) meet
                # the retained observations; cheap when nothing is new.
                catch_up(store, home)
                # hotline: receipts for what arrived, escalation of what is overdue
                send_receipts(store, self._settings.home, home)
                escalate(store, self._settings.home, home)
            except AccordError as error:  # e.g. no home organisation yet: try again later
                log.warning("federation sync skipped: %s", error)
            self._stopped.wait(self._settings.sync_interval)

    def stop(self) -> None:
        self._stopped.set()
        self.join(timeout=30)
